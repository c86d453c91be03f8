//! The CapabilityStatement served at `[base]/metadata` (FHIR R4 §3.1.0.12
//! "capabilities"), generated from the search-parameter table so it lists
//! exactly what works. It also carries the SMART security service and the
//! `oauth-uris` extension (SMART App Launch 1.0 required it; 2.x deprecates
//! it in favour of `.well-known/smart-configuration`, but older clients still
//! read it), with the same URLs as discovery.

use serde_json::{json, Value};

use super::search::params::{self, Kind, TYPES};
use super::store::Data;
use crate::oauth::Site;

/// Types served beyond the search table: `Binary` (R4 binary.html).
pub const EXTRA_TYPES: &[&str] = &["Binary"];

/// Resource types served: the table's, `Binary`, plus any other type in the
/// store (those support `_id` and `_lastUpdated` only). The single source
/// of truth for reads, writes and this statement.
pub fn served_types(data: &Data) -> Vec<String> {
    let mut out: Vec<String> = TYPES.iter().map(|(t, _)| t.to_string()).collect();
    out.extend(EXTRA_TYPES.iter().map(|t| t.to_string()));
    for t in data.type_names() {
        if !out.iter().any(|o| o == t) {
            out.push(t.to_string());
        }
    }
    out
}

fn resource(ty: &str, all_types: &[String]) -> Value {
    let search_params: Vec<Value> = params::all(ty)
        .map(|p| json!({"name": p.name, "type": p.kind.as_str()}))
        .collect();
    let includes: Vec<String> = params::all(ty)
        .filter(|p| p.kind == Kind::Reference)
        .map(|p| format!("{ty}:{}", p.name))
        .collect();
    let revincludes: Vec<String> = all_types
        .iter()
        .flat_map(|src| {
            params::all(src)
                .filter(|p| p.kind == Kind::Reference && p.targets.contains(&ty))
                .map(move |p| format!("{src}:{}", p.name))
        })
        .collect();
    let mut r = json!({
        "type": ty,
        "interaction": [
            {"code": "read"}, {"code": "vread"}, {"code": "history-instance"},
            {"code": "history-type"}, {"code": "search-type"},
            {"code": "create"}, {"code": "update"}, {"code": "delete"}
        ],
        "versioning": "versioned",
        "readHistory": true,
        "updateCreate": true,
        "conditionalCreate": false,
        "conditionalRead": "not-supported",
        "conditionalUpdate": false,
        "conditionalDelete": "not-supported",
        "searchParam": search_params,
        "searchInclude": includes,
        "searchRevInclude": revincludes,
    });
    if ty == "Patient" {
        r["operation"] = json!([{
            "name": "everything",
            "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
        }]);
    }
    r
}

pub fn capability_statement(site: &Site, data: &Data) -> Value {
    let types = served_types(data);
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2025-01-01",
        "publisher": "smart-sandbox",
        "kind": "instance",
        "software": {"name": "smart-sandbox", "version": env!("CARGO_PKG_VERSION")},
        "implementation": {"description": "SMART on FHIR sandbox", "url": site.fhir_base()},
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [{
            "mode": "server",
            "security": {
                "cors": true,
                "service": [{
                    "coding": [{
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "SMART-on-FHIR",
                    }],
                    "text": "OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)",
                }],
                "extension": [{
                    "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                    "extension": [
                        {"url": "authorize", "valueUri": site.authorize_url()},
                        {"url": "token", "valueUri": site.token_url()},
                        {"url": "introspect", "valueUri": site.introspect_url()},
                        {"url": "revoke", "valueUri": site.revoke_url()},
                    ],
                }],
            },
            "resource": types.iter().map(|t| resource(t, &types)).collect::<Vec<_>>(),
            "interaction": [{"code": "transaction"}, {"code": "batch"}],
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::Release;

    #[test]
    fn lists_the_table_and_security() {
        let site = Site::new("http://h", Release::R4, None);
        let cs = capability_statement(&site, &Data::default());
        let resources = cs["rest"][0]["resource"].as_array().unwrap();
        assert_eq!(resources.len(), TYPES.len() + EXTRA_TYPES.len());
        assert!(resources.iter().any(|r| r["type"] == "Binary"));
        assert_eq!(
            cs["rest"][0]["interaction"],
            json!([{"code": "transaction"}, {"code": "batch"}])
        );
        let obs = resources
            .iter()
            .find(|r| r["type"] == "Observation")
            .unwrap();
        let names: Vec<&str> = obs["searchParam"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        for n in [
            "_id",
            "_lastUpdated",
            "patient",
            "subject",
            "encounter",
            "category",
            "code",
            "date",
            "status",
        ] {
            assert!(names.contains(&n), "{n}");
        }
        let pat = resources.iter().find(|r| r["type"] == "Patient").unwrap();
        assert!(pat["searchRevInclude"]
            .as_array()
            .unwrap()
            .contains(&json!("Observation:patient")));
        let ext = &cs["rest"][0]["security"]["extension"][0]["extension"];
        assert_eq!(ext[0]["valueUri"], "http://h/v/r4/auth/authorize");
        assert_eq!(ext[1]["valueUri"], "http://h/v/r4/auth/token");
    }
}
