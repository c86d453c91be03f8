//! The OAuth 2.0 / OpenID Connect authorization server, as plain functions
//! that take `now` and return a result or an [`OAuthError`]: no web framework
//! types in here.

pub mod asymmetric;
pub mod authorize;
pub mod bearer;
pub mod caller;
pub mod chain;
pub mod client_assertion;
pub mod client_auth;
pub mod client_credentials;
pub mod code;
pub mod discovery;
pub mod error;
pub mod introspect;
pub mod issue;
pub mod jwks;
pub mod jwks_fetch;
pub mod launch_id;
pub mod negotiate;
pub mod params;
pub mod pkce;
pub mod prompt_none;
pub mod registration;
pub mod replay;
pub mod revocations;
pub mod revoke;
pub mod scopes;
pub mod screen;
pub mod site;
pub mod smart_scope;
pub mod system_scopes;
pub mod token;
pub mod tokens;

#[cfg(test)]
mod assertion_props;
#[cfg(test)]
mod props;

pub use error::{ErrorCode, OAuthError};
pub use params::Params;
pub use site::{Release, Site};
