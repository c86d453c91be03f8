//! The `--config FILE` (TOML) layer: defaults < file < environment < flags.
//!
//! Every key of the file is the long name of a `serve` flag (`port`,
//! `signing-key`, `jwks-allowed-host`, ...; `_` may stand for `-`), so a new
//! flag is a new config key with no other change: the flag's definition is
//! the one place a setting is declared. The file is turned into extra
//! command-line arguments for the flags that were neither given on the
//! command line nor set in the environment, and the command line is parsed
//! again; clap then applies its usual checks and defaults.
//!
//! A key that names no flag, a value of the wrong shape, or a value the flag
//! would refuse stops the start with a message naming the key.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, Command};

/// Keys the file may not set: the file itself.
const NOT_IN_FILE: [&str; 1] = ["config"];

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path}: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("config file {path}: unknown key `{key}`{hint}")]
    UnknownKey {
        path: PathBuf,
        key: String,
        hint: String,
    },
    #[error("config file {path}: key `{key}`: {message}")]
    BadValue {
        path: PathBuf,
        key: String,
        message: String,
    },
}

/// Reads `path` and returns the arguments it adds to the `serve` command
/// `cmd`, given what `matches` (the first parse) already holds.
pub fn args_from_file(
    path: &Path,
    cmd: &Command,
    matches: &ArgMatches,
) -> Result<Vec<OsString>, FileError> {
    let text = std::fs::read_to_string(path).map_err(|source| FileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    args_from_str(&text, path, cmd, matches)
}

/// [`args_from_file`] on the file's text (`path` only names it in errors).
pub fn args_from_str(
    text: &str,
    path: &Path,
    cmd: &Command,
    matches: &ArgMatches,
) -> Result<Vec<OsString>, FileError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| FileError::Syntax {
            path: path.to_path_buf(),
            message: e.message().to_string(),
        })?;
    let mut out = Vec::new();
    for (key, value) in &table {
        let bad = |message: String| FileError::BadValue {
            path: path.to_path_buf(),
            key: key.clone(),
            message,
        };
        let long = key.replace('_', "-");
        let arg = cmd
            .get_arguments()
            .find(|a| a.get_long() == Some(long.as_str()) && !NOT_IN_FILE.contains(&long.as_str()))
            .ok_or_else(|| FileError::UnknownKey {
                path: path.to_path_buf(),
                key: key.clone(),
                hint: known_keys(cmd),
            })?;
        let values = scalars(value).map_err(bad)?;
        let action = arg.get_action();
        let flag = format!("--{long}");
        let mut adds = Vec::new();
        match action {
            ArgAction::SetTrue | ArgAction::SetFalse => match value {
                toml::Value::Boolean(b) => {
                    if *b == matches!(action, ArgAction::SetTrue) {
                        adds.push(OsString::from(&flag));
                    }
                }
                _ => return Err(bad("expected true or false".into())),
            },
            ArgAction::Append => {
                for v in &values {
                    check(cmd, &flag, v).map_err(bad)?;
                    adds.push(OsString::from(format!("{flag}={v}")));
                }
            }
            _ => {
                let [v] = values.as_slice() else {
                    return Err(bad("expected a single value, not a list".into()));
                };
                check(cmd, &flag, v).map_err(bad)?;
                adds.push(OsString::from(format!("{flag}={v}")));
            }
        }
        let explicit = matches!(
            matches.value_source(arg.get_id().as_str()),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        );
        if !explicit {
            out.extend(adds);
        }
    }
    Ok(out)
}

/// The value(s) as strings: a scalar, or a list of scalars.
fn scalars(value: &toml::Value) -> Result<Vec<String>, String> {
    fn one(v: &toml::Value) -> Result<String, String> {
        match v {
            toml::Value::String(s) => Ok(s.clone()),
            toml::Value::Integer(i) => Ok(i.to_string()),
            toml::Value::Float(f) => Ok(f.to_string()),
            toml::Value::Boolean(b) => Ok(b.to_string()),
            _ => Err(format!("expected a string, number or boolean, got {v}")),
        }
    }
    match value {
        toml::Value::Array(items) => items.iter().map(one).collect(),
        v => one(v).map(|s| vec![s]),
    }
}

/// Runs the flag's own checks (by parsing the command with just this
/// value), so a bad value is reported against the file key rather than
/// against a flag the user never typed. Errors that are not about the value
/// (a missing companion flag) are left to the real parse.
fn check(cmd: &Command, flag: &str, value: &str) -> Result<(), String> {
    use clap::error::ErrorKind;
    let argv = [cmd.get_name().to_string(), format!("{flag}={value}")];
    match cmd.clone().try_get_matches_from(argv) {
        Ok(_) => Ok(()),
        Err(e) => match e.kind() {
            ErrorKind::InvalidValue
            | ErrorKind::ValueValidation
            | ErrorKind::InvalidUtf8
            | ErrorKind::WrongNumberOfValues
            | ErrorKind::TooManyValues
            | ErrorKind::NoEquals => {
                let text = e.to_string();
                let first = text.lines().next().unwrap_or("");
                Err(first.trim_start_matches("error: ").to_string())
            }
            _ => Ok(()),
        },
    }
}

fn known_keys(cmd: &Command) -> String {
    let known: Vec<&str> = cmd
        .get_arguments()
        .filter_map(|a| a.get_long())
        .filter(|l| !NOT_IN_FILE.contains(l) && !matches!(*l, "help" | "version"))
        .collect();
    format!("; known keys: {}", known.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, ArgAction, Command};

    fn cmd() -> Command {
        Command::new("serve")
            .arg(
                Arg::new("port")
                    .long("port")
                    .env("TEST_FILE_PORT_UNSET_0")
                    .value_parser(clap::value_parser!(u16))
                    .default_value("8445"),
            )
            .arg(Arg::new("host").long("host").default_value("127.0.0.1"))
            .arg(Arg::new("strict").long("strict").action(ArgAction::SetTrue))
            .arg(
                Arg::new("hosts")
                    .long("jwks-allowed-host")
                    .action(ArgAction::Append),
            )
            .arg(Arg::new("config").long("config"))
    }

    fn merged(file: &str, argv: &[&str]) -> Result<ArgMatches, FileError> {
        let c = cmd();
        let mut args: Vec<OsString> = std::iter::once("serve")
            .chain(argv.iter().copied())
            .map(OsString::from)
            .collect();
        let first = c.clone().try_get_matches_from(&args).unwrap();
        args.extend(args_from_str(file, Path::new("t.toml"), &c, &first)?);
        Ok(c.try_get_matches_from(args).unwrap())
    }

    #[test]
    fn file_sets_what_flags_leave_at_default() {
        let m = merged(
            "port = 9000\nhost = \"0.0.0.0\"\nstrict = true\njwks_allowed_host = [\"a\", \"b:1\"]",
            &[],
        )
        .unwrap();
        assert_eq!(m.get_one::<u16>("port"), Some(&9000));
        assert_eq!(m.get_one::<String>("host").unwrap(), "0.0.0.0");
        assert!(m.get_flag("strict"));
        let hosts: Vec<&String> = m.get_many("hosts").unwrap().collect();
        assert_eq!(hosts, ["a", "b:1"]);
    }

    #[test]
    fn flags_beat_the_file() {
        let m = merged("port = 9000\nhost = \"0.0.0.0\"", &["--port", "9001"]).unwrap();
        assert_eq!(m.get_one::<u16>("port"), Some(&9001));
        assert_eq!(m.get_one::<String>("host").unwrap(), "0.0.0.0");
    }

    #[test]
    fn unknown_keys_and_bad_values_name_the_key() {
        let e = merged("prot = 1", &[]).unwrap_err().to_string();
        assert!(
            e.contains("unknown key `prot`") && e.contains("port"),
            "{e}"
        );
        let e = merged("port = \"many\"", &[]).unwrap_err().to_string();
        assert!(e.contains("key `port`") && e.contains("many"), "{e}");
        let e = merged("port = [1, 2]", &[]).unwrap_err().to_string();
        assert!(e.contains("key `port`"), "{e}");
        let e = merged("strict = \"yes\"", &[]).unwrap_err().to_string();
        assert!(e.contains("key `strict`"), "{e}");
        let e = merged("config = \"x\"", &[]).unwrap_err().to_string();
        assert!(e.contains("unknown key `config`"), "{e}");
        let e = merged("port = ", &[]).unwrap_err().to_string();
        assert!(e.contains("t.toml"), "{e}");
    }
}
