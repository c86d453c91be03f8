//! The URL space of one simulated EHR: the FHIR base (the `iss`), the
//! authorization endpoints under it, and the global routes. Compatible with
//! launch.smarthealthit.org: `/v/{release}[/sim/{sim}]/{fhir,auth}`.

/// FHIR releases served under `/v/{release}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Release {
    R2,
    R3,
    R4,
}

impl Release {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "r2" => Some(Release::R2),
            "r3" => Some(Release::R3),
            "r4" => Some(Release::R4),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Release::R2 => "r2",
            Release::R3 => "r3",
            Release::R4 => "r4",
        }
    }
}

/// One simulated EHR's addresses, derived from the public base URL, the
/// release and the optional `{sim}` segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub base_url: String,
    pub release: Release,
    pub sim: Option<String>,
}

impl Site {
    pub fn new(base_url: &str, release: Release, sim: Option<&str>) -> Self {
        Site {
            base_url: base_url.trim_end_matches('/').to_string(),
            release,
            sim: sim.map(str::to_string),
        }
    }

    fn prefix(&self) -> String {
        match &self.sim {
            Some(sim) => format!("{}/v/{}/sim/{}", self.base_url, self.release.as_str(), sim),
            None => format!("{}/v/{}", self.base_url, self.release.as_str()),
        }
    }

    /// The FHIR base URL: the `iss` of launches and the `issuer` of discovery.
    pub fn fhir_base(&self) -> String {
        format!("{}/fhir", self.prefix())
    }

    pub fn authorize_url(&self) -> String {
        format!("{}/auth/authorize", self.prefix())
    }

    pub fn token_url(&self) -> String {
        format!("{}/auth/token", self.prefix())
    }

    /// RFC 7662 token introspection.
    pub fn introspect_url(&self) -> String {
        format!("{}/auth/introspect", self.prefix())
    }

    /// RFC 7009 token revocation.
    pub fn revoke_url(&self) -> String {
        format!("{}/auth/revoke", self.prefix())
    }

    pub fn jwks_url(&self) -> String {
        format!("{}/keys", self.base_url)
    }

    pub fn smart_style_url(&self) -> String {
        format!("{}/smart-style.json", self.base_url)
    }
}

/// Compares an `aud` value with the FHIR base: scheme, host, port and path
/// (trailing slash ignored). SMART App Launch 2.2 requires the server to
/// refuse a foreign `aud` so tokens never leak to a counterfeit server.
pub fn same_resource_server(aud: &str, fhir_base: &str) -> bool {
    let (Ok(a), Ok(b)) = (url::Url::parse(aud), url::Url::parse(fhir_base)) else {
        return false;
    };
    a.scheme() == b.scheme()
        && a.host_str().map(str::to_ascii_lowercase) == b.host_str().map(str::to_ascii_lowercase)
        && a.port_or_known_default() == b.port_or_known_default()
        && a.path().trim_end_matches('/') == b.path().trim_end_matches('/')
        && a.query().is_none()
        && a.fragment().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let s = Site::new("http://h:1/", Release::R4, Some("abc"));
        assert_eq!(s.fhir_base(), "http://h:1/v/r4/sim/abc/fhir");
        assert_eq!(s.token_url(), "http://h:1/v/r4/sim/abc/auth/token");
        let s = Site::new("http://h:1", Release::R2, None);
        assert_eq!(s.authorize_url(), "http://h:1/v/r2/auth/authorize");
    }

    #[test]
    fn aud_comparison() {
        let base = "http://localhost:8445/v/r4/fhir";
        assert!(same_resource_server(base, base));
        assert!(same_resource_server(
            "http://LOCALHOST:8445/v/r4/fhir/",
            base
        ));
        assert!(same_resource_server(
            "http://localhost:8445/v/r4/fhir",
            "http://localhost:8445/v/r4/fhir"
        ));
        for bad in [
            "https://localhost:8445/v/r4/fhir",
            "http://localhost:8446/v/r4/fhir",
            "http://127.0.0.1:8445/v/r4/fhir",
            "http://localhost:8445/v/r3/fhir",
            "http://localhost:8445/v/r4/fhir?x=1",
            "not a url",
        ] {
            assert!(!same_resource_server(bad, base), "{bad}");
        }
        assert!(same_resource_server(
            "http://h/v/r4/fhir",
            "http://h:80/v/r4/fhir"
        ));
    }
}
