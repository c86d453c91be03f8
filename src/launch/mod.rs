//! Launch options: the data model and the codec for the `{sim}` path segment
//! and the OAuth `launch` parameter.
//!
//! The value is base64url JSON. Three forms are read (the SMART Health IT
//! launcher v2 positional array, the launcher v1 one-letter object and a
//! readable object for hand-written CI configs) so that launch URLs made by
//! launch.smarthealthit.org work here unchanged; only the v2 array is written.

mod codec;
pub mod explain;
pub mod fhir_context;
mod model;

pub use codec::{decode, decode_segment, encode, LaunchError};
pub use model::*;
