//! One round of the mixed load: what an app does in a session. A launch,
//! the code exchange (with an id_token), FHIR searches and a read, the
//! app introspecting its token, and a refresh (with a new id_token).

use std::sync::Arc;
use std::time::Duration;

use super::flows::{App, APP_SCOPE};
use super::stats::{run_for, Recorder};

pub const LAUNCH: &str = "launch (authorize, no screens)";
pub const EXCHANGE: &str = "code exchange (id_token)";
pub const REFRESH: &str = "refresh (id_token)";
pub const INTROSPECT: &str = "introspection";
pub const SEARCH: &str = "FHIR search";
pub const READ: &str = "FHIR read";

pub async fn round(app: Arc<App>, i: u64, mut rec: Recorder) -> Recorder {
    let patient = app.patient(i).to_string();
    let Some(code) = rec
        .time(LAUNCH, app.authorize(&patient, APP_SCOPE, i))
        .await
    else {
        return rec;
    };
    let Some(tokens) = rec.time(EXCHANGE, app.exchange(&code, true)).await else {
        return rec;
    };
    let vitals =
        format!("Observation?patient={patient}&category=vital-signs&_sort=-date&_count=10");
    rec.time(SEARCH, app.fhir(&tokens.access, &vitals)).await;
    rec.time(INTROSPECT, app.introspect(&tokens.access)).await;
    let refresh = tokens.refresh.unwrap_or_default();
    let Some(fresh) = rec.time(REFRESH, app.refresh(&refresh, true)).await else {
        return rec;
    };
    let conditions = format!("Condition?patient={patient}");
    rec.time(SEARCH, app.fhir(&fresh.access, &conditions)).await;
    rec.time(READ, app.fhir(&fresh.access, &format!("Patient/{patient}")))
        .await;
    rec
}

/// `workers` app sessions in a loop for `for_`.
pub async fn run(app: Arc<App>, workers: usize, for_: Duration) -> (Recorder, Duration) {
    run_for(workers, for_, move |i, rec| round(app.clone(), i, rec)).await
}
