//! A short run of the mixed load driver (`benches/mixed_load.rs`) against
//! the real binary: concurrent app sessions (launch, code exchange with
//! id_token, searches, introspection, refresh) all succeed. Keeps the
//! driver honest between the several-minute runs of `scripts/load-test`.

#[path = "../benches/kit/mod.rs"]
mod kit;

use std::sync::Arc;
use std::time::Duration;

use kit::flows::App;
use kit::mixed;
use kit::server::Server;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_app_sessions_all_succeed() {
    let server = Server::start(&[], true);
    let app = Arc::new(App::new(&server.base));
    let (mut rec, elapsed) = mixed::run(app, 16, Duration::from_secs(4)).await;
    assert_eq!(rec.errors(), 0, "errors: {:?}", rec.first_errors);
    let ops: Vec<_> = rec.summaries(elapsed).into_iter().map(|s| s.name).collect();
    for op in [
        mixed::LAUNCH,
        mixed::EXCHANGE,
        mixed::SEARCH,
        mixed::INTROSPECT,
        mixed::REFRESH,
        mixed::READ,
    ] {
        assert!(ops.contains(&op), "{op} was never run: {ops:?}");
    }
    assert!(server.stop().is_some_and(|s| s.success()), "graceful stop");
}
