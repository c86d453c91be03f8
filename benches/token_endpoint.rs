//! Token endpoint throughput against its ceiling, the single-core RS256
//! signing rate, measured in the same run. The protocol function is called
//! directly (no HTTP), so the figure is the CPU cost per request per core.
//!
//! Run: `cargo bench --bench token_endpoint`

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use smart_sandbox::clock;
use smart_sandbox::launch::ClientType;
use smart_sandbox::oauth::site::{Release, Site};
use smart_sandbox::oauth::token::{token, TokenRequest};
use smart_sandbox::oauth::tokens::{
    new_id, CodeClaims, Grant, LaunchContext, Registration, TokenKind,
};
use smart_sandbox::oauth::Params;
use smart_sandbox::{Config, Sandbox};

fn sandbox() -> Sandbox {
    let config = Config {
        signing_key: Some(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/test-signing-key.pem"),
        ),
        secret: Some("bench-secret-0123456789".into()),
        replay_cache_capacity: 10_000_000,
        ..Config::default()
    };
    Sandbox::new(config).expect("sandbox")
}

fn code(sb: &Sandbox, scope: &str) -> String {
    let now = clock::now();
    let jti = new_id();
    sb.keys.hs.sign(&CodeClaims {
        tt: TokenKind::Code,
        jti: jti.clone(),
        iat: now,
        exp: now + 300,
        grant: Grant {
            gid: jti,
            client_id: "bench-app".into(),
            scope: scope.into(),
            aud: "http://127.0.0.1:8445/v/r4/fhir".into(),
            user: Some("Practitioner/prac-1".into()),
            ctx: LaunchContext {
                need_patient_banner: true,
                smart_style_url: "http://127.0.0.1:8445/smart-style.json".into(),
                patient: Some("pat-1".into()),
                encounter: Some("enc-1".into()),
                ..LaunchContext::default()
            },
        },
        redirect_uri: "http://app/cb".into(),
        code_challenge: None,
        nonce: None,
        reg: Registration {
            client_type: ClientType::Public,
            secret_digest: None,
            auth_error: None,
            jwks_url: None,
            jwks_digest: None,
        },
    })
}

fn params(pairs: &[(&str, &str)]) -> Params {
    Params::from_pairs(
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let sb = sandbox();
    let site = Site::new("http://127.0.0.1:8445", Release::R4, None);
    let deps = sb.token_deps();

    c.bench_function("rs256_sign (ceiling)", |b| {
        let claims = serde_json::json!({
            "iss": "http://127.0.0.1:8445/v/r4/fhir", "sub": "Practitioner/prac-1",
            "aud": "bench-app", "exp": 2_000_000_000u64, "iat": 1_700_000_000u64,
            "fhirUser": "http://127.0.0.1:8445/v/r4/fhir/Practitioner/prac-1",
        });
        b.iter(|| sb.keys.rsa.sign(&claims).unwrap())
    });

    for (name, scope) in [
        ("authorization_code", "launch patient/*.read offline_access"),
        (
            "authorization_code+openid",
            "openid fhirUser launch patient/*.read offline_access",
        ),
    ] {
        c.bench_function(name, |b| {
            b.iter_batched(
                || {
                    params(&[
                        ("grant_type", "authorization_code"),
                        ("code", &code(&sb, scope)),
                        ("redirect_uri", "http://app/cb"),
                        ("client_id", "bench-app"),
                    ])
                },
                |p| {
                    let req = TokenRequest {
                        site: &site,
                        params: &p,
                        authorization: None,
                        remote_jwks: None,
                    };
                    token(&req, &deps, clock::now()).unwrap()
                },
                BatchSize::SmallInput,
            )
        });
    }

    for (name, scope) in [
        ("refresh_token", "launch patient/*.read offline_access"),
        (
            "refresh_token+openid",
            "openid fhirUser launch patient/*.read offline_access",
        ),
    ] {
        let first = {
            let p = params(&[
                ("grant_type", "authorization_code"),
                ("code", &code(&sb, scope)),
                ("redirect_uri", "http://app/cb"),
                ("client_id", "bench-app"),
            ]);
            let req = TokenRequest {
                site: &site,
                params: &p,
                authorization: None,
                remote_jwks: None,
            };
            token(&req, &deps, clock::now()).unwrap()
        };
        let refresh = first
            .refresh_token
            .expect("offline_access gives a refresh token");
        let p = params(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", "bench-app"),
        ]);
        c.bench_function(name, |b| {
            b.iter(|| {
                let req = TokenRequest {
                    site: &site,
                    params: &p,
                    authorization: None,
                    remote_jwks: None,
                };
                token(&req, &deps, clock::now()).unwrap()
            })
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
