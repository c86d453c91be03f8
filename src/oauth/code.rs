//! Issuing the authorization code (RFC 6749 §4.1.2) and error redirects
//! (§4.1.2.1). The code is a self-contained HS256 JWT carrying the grant, the
//! launch context and the registration digests the token endpoint checks.

use url::Url;

use super::chain::Decision;
use super::error::ErrorCode;
use super::scopes::ScopeSet;
use super::site::Site;
use super::tokens::{
    new_id, CodeClaims, Grant, LaunchContext, Registration, TokenKind, CODE_LIFETIME,
};
use crate::clock::UnixTime;
use crate::keys::Hs256;
use crate::launch::{self, LaunchOptions};

pub(crate) struct CodeInput<'a> {
    pub(crate) client_id: &'a str,
    pub(crate) redirect_uri: &'a str,
    pub(crate) fhir_base: String,
    pub(crate) site: &'a Site,
    pub(crate) opts: &'a LaunchOptions,
    pub(crate) scope: &'a ScopeSet,
    pub(crate) decision: Decision,
    pub(crate) code_challenge: Option<String>,
    pub(crate) nonce: Option<&'a str>,
}

pub(crate) fn issue_code(
    redirect: &Url,
    state: Option<&str>,
    input: CodeInput<'_>,
    hs: &Hs256,
    now: UnixTime,
) -> String {
    let opts = input.opts;
    let jti = new_id();
    let claims = CodeClaims {
        tt: TokenKind::Code,
        jti: jti.clone(),
        iat: now,
        exp: now + CODE_LIFETIME,
        grant: Grant {
            gid: jti,
            client_id: input.client_id.to_string(),
            scope: input.scope.to_string(),
            aud: input.fhir_base,
            user: input.decision.user,
            ctx: LaunchContext {
                need_patient_banner: !opts.sim_ehr,
                smart_style_url: input.site.smart_style_url(),
                patient: input.decision.patient,
                encounter: input.decision.encounter,
                // Validated when the launch value was decoded.
                fhir_context: launch::fhir_context::parse(&opts.fhir_context)
                    .ok()
                    .flatten(),
                intent: Some(opts.intent.clone()).filter(|s| !s.is_empty()),
                tenant: Some(opts.tenant.clone()).filter(|s| !s.is_empty()),
            },
        },
        redirect_uri: input.redirect_uri.to_string(),
        code_challenge: input.code_challenge,
        nonce: input.nonce.map(str::to_string),
        reg: Registration::from_launch(opts, hs),
    };
    let mut url = redirect.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("code", &hs.sign(&claims));
        if let Some(s) = state {
            q.append_pair("state", s);
        }
    }
    url.to_string()
}

/// RFC 6749 §4.1.2.1: the error travels in the redirect's query, with the
/// `state` the app sent, byte for byte.
pub fn error_redirect(
    redirect: &Url,
    code: ErrorCode,
    description: &str,
    state: Option<&str>,
) -> String {
    let mut url = redirect.clone();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("error", code.as_str());
        q.append_pair("error_description", description);
        if let Some(s) = state {
            q.append_pair("state", s);
        }
    }
    url.to_string()
}
