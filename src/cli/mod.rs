//! The scripting subcommands of the `smart-sandbox` binary: `launch-url`,
//! `decode` and `keys generate`. They live in the library so their logic is
//! unit-tested; `main.rs` only dispatches.

pub mod decode;
pub mod keys;
pub mod launch_url;

/// Exit code for a value the user gave that cannot be used (`decode` of a
/// bad launch value), as opposed to 1 for an environment failure.
pub const EXIT_BAD_INPUT: u8 = 2;
