//! Client authentication at the token endpoint (RFC 6749 §2.3.1): HTTP Basic
//! (`client_secret_basic`), body credentials (`client_secret_post`), or none
//! for public clients, which identify themselves with `client_id`.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use subtle::ConstantTimeEq;

use super::error::OAuthError;
use super::params::Params;
use super::tokens::Registration;
use crate::keys::Hs256;

/// Who the caller says it is, and how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientCredentials {
    pub client_id: Option<String>,
    pub secret: Option<String>,
    /// Credentials came in an `Authorization: Basic` header.
    pub basic: bool,
}

/// Reads the credentials from the `Authorization` header and the body.
/// RFC 6749 §2.3: a client must not use more than one method at once.
pub fn read_credentials(
    authorization: Option<&str>,
    params: &Params,
) -> Result<ClientCredentials, OAuthError> {
    let body_id = params.get("client_id").map(str::to_string);
    let body_secret = params.get("client_secret").map(str::to_string);
    let Some(header) = authorization.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(ClientCredentials {
            client_id: body_id,
            secret: body_secret,
            basic: false,
        });
    };
    let (scheme, value) = header.split_once(' ').unwrap_or((header, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(OAuthError::invalid_client(format!(
            "unsupported Authorization scheme `{scheme}` at the token endpoint; use Basic"
        )));
    }
    let (id, secret) = parse_basic(value.trim()).map_err(|e| {
        OAuthError::invalid_client(format!("malformed Basic credentials: {e}"))
            .with_basic_challenge(true)
    })?;
    if body_secret.is_some() {
        return Err(OAuthError::invalid_request(
            "client credentials were sent both in the Authorization header and in the body; use one method",
        ));
    }
    if body_id.as_deref().is_some_and(|b| b != id) {
        return Err(OAuthError::invalid_request(
            "client_id in the body differs from the one in the Authorization header",
        ));
    }
    Ok(ClientCredentials {
        client_id: Some(id),
        secret: Some(secret),
        basic: true,
    })
}

/// `base64(urlencode(id) ":" urlencode(secret))`; an unencoded `id:secret`
/// is tolerated, as some servers document it (seed 003).
fn parse_basic(value: &str) -> Result<(String, String), &'static str> {
    let decoded = if value.contains(':') {
        value.to_string()
    } else {
        let bytes = STANDARD
            .decode(value)
            .map_err(|_| "not base64 and not `id:secret`")?;
        String::from_utf8(bytes).map_err(|_| "not UTF-8")?
    };
    let (id, secret) = decoded
        .split_once(':')
        .ok_or("no `:` between client_id and secret")?;
    let id = form_decode(id).ok_or("client_id is not valid form-urlencoding")?;
    let secret = form_decode(secret).ok_or("secret is not valid form-urlencoding")?;
    if id.is_empty() {
        return Err("empty client_id");
    }
    Ok((id, secret))
}

/// One form-urlencoded component; `None` unless UTF-8 once decoded.
fn form_decode(s: &str) -> Option<String> {
    crate::form::decode(s.as_bytes())
}

/// Authenticates the caller as the client a grant was issued to, as the
/// launch's registration demands.
pub fn authenticate(
    creds: &ClientCredentials,
    expected_client_id: &str,
    reg: &Registration,
    hs: &Hs256,
) -> Result<(), OAuthError> {
    let Some(id) = creds.client_id.as_deref() else {
        return Err(OAuthError::invalid_client(
            "client_id is required: public clients send it in the body, confidential clients authenticate",
        ));
    };
    if id != expected_client_id {
        return Err(OAuthError::invalid_grant(format!(
            "this grant was issued to another client than `{id}`"
        ))
        .with_basic_challenge(creds.basic));
    }
    if let Some(expected) = &reg.secret_digest {
        let Some(secret) = creds.secret.as_deref() else {
            return Err(OAuthError::invalid_client(
                "this client is confidential: authenticate with its client_secret (HTTP Basic or client_secret_post)",
            ));
        };
        let presented = hs.digest(secret);
        if !bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
            return Err(OAuthError::invalid_client("invalid client secret")
                .with_basic_challenge(creds.basic));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::launch::ClientType;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params::from_pairs(
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn basic_encoded_and_raw() {
        let p = params(&[]);
        let c = read_credentials(Some("Basic bXktYXBwOm15LWFwcC1zZWNyZXQtMTIz"), &p).unwrap();
        assert_eq!(c.client_id.as_deref(), Some("my-app"));
        assert_eq!(c.secret.as_deref(), Some("my-app-secret-123"));
        assert!(c.basic);
        let c = read_credentials(Some("Basic f7d4:f6h1FTI8Q3-7UScPZDzfXA"), &p).unwrap();
        assert_eq!(c.client_id.as_deref(), Some("f7d4"));
        assert_eq!(c.secret.as_deref(), Some("f6h1FTI8Q3-7UScPZDzfXA"));
        let c = read_credentials(Some("Basic YSUzQWI6cyUyQg=="), &p).unwrap();
        assert_eq!(c.client_id.as_deref(), Some("a:b"));
        assert_eq!(c.secret.as_deref(), Some("s+"));
    }

    #[test]
    fn bad_headers() {
        let p = params(&[]);
        let e = read_credentials(Some("Basic !!!"), &p).unwrap_err();
        assert_eq!(e.status(), 401);
        assert!(e.basic_challenge);
        assert_eq!(
            read_credentials(Some("Bearer x"), &p).unwrap_err().status(),
            401
        );
        let p = params(&[("client_secret", "s")]);
        assert_eq!(
            read_credentials(Some("Basic YTpi"), &p).unwrap_err().code,
            crate::oauth::ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn secret_check() {
        let hs = Hs256::new(b"0123456789abcdef0123");
        let reg = Registration {
            client_type: ClientType::ConfidentialSymmetric,
            secret_digest: Some(hs.digest("right")),
            jwks_url: None,
            jwks_digest: None,
            auth_error: None,
        };
        let creds = |s: Option<&str>| ClientCredentials {
            client_id: Some("app".into()),
            secret: s.map(String::from),
            basic: true,
        };
        assert!(authenticate(&creds(Some("right")), "app", &reg, &hs).is_ok());
        assert_eq!(
            authenticate(&creds(Some("wrong")), "app", &reg, &hs)
                .unwrap_err()
                .status(),
            401
        );
        assert_eq!(
            authenticate(&creds(None), "app", &reg, &hs)
                .unwrap_err()
                .status(),
            401
        );
        assert_eq!(
            authenticate(&creds(Some("right")), "other", &reg, &hs)
                .unwrap_err()
                .status(),
            400
        );
    }
}
