//! smart-sandbox: a SMART on FHIR launch simulator. It plays a whole EHR for
//! an app under test: an OAuth 2 / OpenID Connect authorization server whose
//! launch context and client registration travel inside the URL.
//!
//! The library builds the server from a [`config::Config`]; the binary is a
//! thin CLI over [`start`]. Tests start the same server on port 0.

pub mod cli;
pub mod clock;
pub mod config;
pub mod directory;
pub mod fhir;
pub mod fhir_data;
pub mod fixtures;
pub mod form;
pub mod http;
pub mod keys;
pub mod launch;
pub mod media_type;
pub mod metrics;
pub mod oauth;
pub mod pages;
pub mod sandbox;
pub mod style;

pub use config::Config;
pub use http::{start, Running};
pub use sandbox::Sandbox;
