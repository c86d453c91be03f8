//! `[base]/metadata` for the DSTU2 and STU3 views: a DSTU2 `Conformance`
//! (hl7.org/fhir/DSTU2/conformance.html) or an STU3 `CapabilityStatement`
//! (hl7.org/fhir/STU3/capabilitystatement.html) listing the release's
//! served types with the search parameters under the release's names.
//!
//! Differences from R4 that matter to clients: `acceptUnknown` is required
//! (1..1) in both; `$everything` is a `rest.operation` whose `definition` is
//! a Reference (R4 moved operations onto the resource); the SMART security
//! service system is `http://hl7.org/fhir/restful-security-service`
//! (DSTU2/STU3 valueset-restful-security-service; R4 moved it to
//! terminology.hl7.org). The `oauth-uris` extension is the SMART App Launch
//! 1.0 one, which DSTU2/STU3 clients (fhirclient 0.x, fhir.js) read.

use serde_json::{json, Value};

use super::release_view::{release_param, release_type};
use super::search::params::{self, Kind};
use crate::fhir_data::release::{fhir_version, r4_type, served_types};
use crate::oauth::{Release, Site};

fn resource(release: Release, ty: &str) -> Value {
    let r4 = r4_type(ty);
    let search_params: Vec<Value> = params::all(r4)
        .map(|p| json!({"name": release_param(release, ty, p.name), "type": p.kind.as_str()}))
        .collect();
    let served = served_types(release);
    let includes: Vec<String> = params::all(r4)
        .filter(|p| p.kind == Kind::Reference)
        .map(|p| format!("{ty}:{}", release_param(release, ty, p.name)))
        .collect();
    let revincludes: Vec<String> = served
        .iter()
        .flat_map(|src| {
            params::all(r4_type(src))
                .filter(|p| p.kind == Kind::Reference && p.targets.contains(&r4))
                .map(move |p| format!("{src}:{}", release_param(release, src, p.name)))
        })
        .collect();
    json!({
        "type": release_type(r4, release),
        "interaction": [
            {"code": "read"}, {"code": "vread"}, {"code": "history-instance"},
            {"code": "history-type"}, {"code": "search-type"}
        ],
        "versioning": "versioned",
        "readHistory": true,
        "searchParam": search_params,
        "searchInclude": includes,
        "searchRevInclude": revincludes,
    })
}

/// The release's capability statement; `None` for R4 (see `capability`).
pub fn release_statement(site: &Site) -> Option<Value> {
    let kind = match site.release {
        Release::R2 => "Conformance",
        Release::R3 => "CapabilityStatement",
        Release::R4 => return None,
    };
    let types = served_types(site.release);
    Some(json!({
        "resourceType": kind,
        "status": "active",
        "date": "2025-01-01",
        "publisher": "smart-sandbox",
        "kind": "instance",
        "software": {"name": "smart-sandbox", "version": env!("CARGO_PKG_VERSION")},
        "implementation": {
            "description": "SMART on FHIR sandbox (read-only view of the R4 data)",
            "url": site.fhir_base(),
        },
        "fhirVersion": fhir_version(site.release),
        "acceptUnknown": "no",
        "format": ["json"],
        "rest": [{
            "mode": "server",
            "security": {
                "cors": true,
                "service": [{
                    "coding": [{
                        "system": "http://hl7.org/fhir/restful-security-service",
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
            "resource": types.iter().map(|t| resource(site.release, t)).collect::<Vec<_>>(),
            "operation": [{
                "name": "everything",
                "definition": {"reference": "http://hl7.org/fhir/OperationDefinition/Patient-everything"},
            }],
        }],
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dstu2_conformance_names_medication_order() {
        let site = Site::new("http://h", Release::R2, None);
        let c = release_statement(&site).unwrap();
        assert_eq!(c["resourceType"], "Conformance");
        assert_eq!(c["fhirVersion"], "1.0.2");
        let res = c["rest"][0]["resource"].as_array().unwrap();
        assert_eq!(res.len(), served_types(Release::R2).len());
        let mo = res.iter().find(|r| r["type"] == "MedicationOrder").unwrap();
        let names: Vec<&str> = mo["searchParam"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert!(names.contains(&"datewritten") && names.contains(&"prescriber"));
        let pat = res.iter().find(|r| r["type"] == "Patient").unwrap();
        let rev = pat["searchRevInclude"].as_array().unwrap();
        assert!(rev.contains(&json!("MedicationOrder:patient")));
        assert!(!rev
            .iter()
            .any(|r| r.as_str().unwrap().starts_with("Immunization")));
        assert!(release_statement(&Site::new("http://h", Release::R4, None)).is_none());
    }
}
