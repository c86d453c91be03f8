//! `smart-sandbox keys generate`: a PKCS#8 PEM RSA key for `--signing-key`.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::keys::RsaSigner;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Generate an RSA 2048 signing key (PKCS#8 PEM) for `--signing-key` and
    /// print its `kid` (the RFC 7638 thumbprint published in `/keys`).
    Generate(GenerateArgs),
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Write the key here (mode 0600) and print the kid; without it the PEM
    /// goes to stdout and the kid to stderr.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Replace an existing file.
    #[arg(long, requires = "out")]
    pub force: bool,
}

/// What went to stdout; the error for stderr.
pub fn generate(args: &GenerateArgs) -> Result<(), String> {
    let signer = RsaSigner::generate().map_err(|e| e.to_string())?;
    let pem = signer.to_pkcs8_pem().map_err(|e| e.to_string())?;
    match &args.out {
        None => {
            print!("{pem}");
            eprintln!("kid: {}", signer.kid());
        }
        Some(path) => {
            write_private(path, pem.as_bytes(), args.force)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            println!("{}", signer.kid());
        }
    }
    Ok(())
}

/// Writes `bytes` readable by the owner only; refuses an existing file
/// unless `force`.
fn write_private(path: &std::path::Path, bytes: &[u8], force: bool) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    if force {
        opts.create(true).truncate(true);
    } else {
        opts.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            std::io::Error::new(e.kind(), "the file exists; pass --force to replace it")
        } else {
            e
        }
    })?;
    #[cfg(unix)]
    {
        // `mode` only applies to a new file; a forced overwrite tightens it too.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.write_all(bytes)?;
    file.sync_all()
}
