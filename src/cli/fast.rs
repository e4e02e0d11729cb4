//! The command line of `send`, `run` and `outbox` (flushed from cron every few minutes)
//! without building every other subcommand.
//!
//! clap builds the whole command tree before it reads an argument: for `bnotify send`,
//! a tenth of the run. Here only the global options and the one subcommand named are
//! built, from the same derived definitions, so the result is the same [`Cli`]. Anything
//! else returns `None` and the whole command parses the line: other subcommands, help,
//! `--version`, and every error (its message then lists what the whole command knows).

use std::ffi::OsString;

use clap::{Args, Command as ClapCommand, FromArgMatches, Subcommand};

use super::{Cli, Command, GlobalArgs, OutboxCommand, RunArgs, SendArgs};

/// `Some` when `args` (with the program name first) is a well-formed `send`, `run` or
/// `outbox ...`.
pub(super) fn parse(args: &[OsString]) -> Option<Cli> {
    let name = subcommand(args)?;
    let sub = match name {
        "send" => SendArgs::augment_args(ClapCommand::new("send")),
        "run" => RunArgs::augment_args(ClapCommand::new("run")),
        "outbox" => {
            OutboxCommand::augment_subcommands(ClapCommand::new("outbox")).subcommand_required(true)
        }
        _ => return None,
    };
    let mut cmd = GlobalArgs::augment_args(ClapCommand::new("bnotify"))
        .subcommand(sub)
        .subcommand_required(true);
    let matches = cmd.try_get_matches_from_mut(args).ok()?;
    let global = GlobalArgs::from_arg_matches(&matches).ok()?;
    let command = match matches.subcommand()? {
        ("send", m) => Command::Send(SendArgs::from_arg_matches(m).ok()?),
        ("run", m) => Command::Run(RunArgs::from_arg_matches(m).ok()?),
        ("outbox", m) => Command::Outbox(OutboxCommand::from_arg_matches(m).ok()?),
        _ => return None,
    };
    // Like the whole command's, left for the process's exit to reclaim.
    std::mem::forget(cmd);
    Some(Cli { global, command })
}

/// The subcommand's name, when only global options (`--config PATH`, `-v`, `-q`,
/// `--json`) come before it.
fn subcommand(args: &[OsString]) -> Option<&str> {
    let mut rest = args.iter().skip(1);
    while let Some(a) = rest.next() {
        let a = a.to_str()?;
        match a {
            "--config" => {
                rest.next()?;
            }
            "--verbose" | "--quiet" | "--json" => {}
            _ if a.starts_with("--config=") => {}
            _ if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| "vq".contains(c)) => {}
            _ if a.starts_with('-') => return None,
            _ => return Some(a),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &[&str]) -> Vec<OsString> {
        std::iter::once("bnotify")
            .chain(line.iter().copied())
            .map(OsString::from)
            .collect()
    }

    /// Every line the fast path takes parses exactly as the whole command parses it.
    #[test]
    fn same_result_as_the_whole_command() {
        let lines: &[&[&str]] = &[
            &[
                "send",
                "--event",
                "backup_failure",
                "--job",
                "mysql",
                "--error",
                "disk full",
            ],
            &[
                "-q",
                "send",
                "-e",
                "backup_success",
                "--job",
                "db",
                "--backup-size",
                "1.5 GiB",
            ],
            &[
                "--config",
                "/etc/bnotify.yaml",
                "send",
                "--event",
                "x",
                "--dry-run",
            ],
            &[
                "--config=/c.yaml",
                "-vv",
                "send",
                "--to",
                "ntfy://t",
                "-t",
                "T",
                "-b",
                "B",
            ],
            &[
                "send",
                "--event",
                "backup_failure",
                "-q",
                "--json",
                "--config",
                "/c",
            ],
            &[
                "send",
                "-e",
                "x",
                "--payload",
                "-",
                "--attach",
                "/var/log/x.log",
                "--endpoint",
                "a",
            ],
            &[
                "send",
                "--event",
                "e",
                "--field",
                "k=v",
                "--field",
                "k2=v2",
                "--message",
                "m",
            ],
            &["send", "--event", "x", "--deadline", "30s", "--best-effort"],
            &[
                "run",
                "--job",
                "pg",
                "--",
                "pg_dump",
                "-f",
                "/b/db.sql",
                "--flag",
            ],
            &[
                "-v",
                "run",
                "--job",
                "pg",
                "--",
                "sh",
                "-c",
                "echo $HOME; exit 3",
            ],
            &["run", "--job", "x", "--attach-output", "--", "true"],
            &["outbox", "flush"],
            &["-q", "outbox", "flush", "--deadline", "2m"],
            &["--config", "/c.yaml", "outbox", "list", "--json"],
            &["outbox", "purge", "--older-than", "3d"],
        ];
        let mut taken = 0;
        for line in lines {
            let args = argv(line);
            let whole = super::super::full(args.clone());
            let fast = parse(&args);
            taken += usize::from(fast.is_some());
            match whole {
                Ok(w) => assert_eq!(
                    fast.map(|f| format!("{f:?}")),
                    Some(format!("{w:?}")),
                    "{line:?}"
                ),
                Err(e) => assert!(fast.is_none(), "{line:?}: the whole command says {e}"),
            }
        }
        assert_eq!(
            taken,
            lines.len(),
            "every line above is a valid send or run"
        );
    }

    /// Help, version, other subcommands and errors go to the whole command.
    #[test]
    fn everything_else_is_left_to_the_whole_command() {
        for line in [
            &[][..],
            &["--help"],
            &["send", "--field", "k=v"],
            &["--version"],
            &["send", "--help"],
            &["send", "--version"],
            &["send", "--bogus"],
            &["send", "--event"],
            &["-q", "-v", "send", "--event", "x"],
            &["run"],
            &["test", "notify"],
            &["outbox"],
            &["outbox", "purge"],
            &["outbox", "flush", "--deadline", "soon"],
            &["--unknown", "send"],
            &["sned", "--event", "x"],
        ] {
            assert!(parse(&argv(line)).is_none(), "{line:?}");
        }
    }

    /// Optional flags of `send` (with their values), for the property below.
    const SEND_FLAGS: &[&[&str]] = &[
        &["--job", "db"],
        &["--task", "web"],
        &["--to", "ntfy://t"],
        &["--error", "disk full"],
        &["-t", "T"],
        &["-b", "B"],
        &["--field", "k=v"],
        &["--tag", "nightly"],
        &["--backup-size", "1.5GiB"],
        &["--duration", "4m 12s"],
        &["--dry-run"],
        &["--best-effort"],
        &["--deadline", "30s"],
        &["--attach", "/l.log"],
        &["--endpoint", "a"],
        &["--status", "failure"],
        &["-q"],
        &["-v"],
        &["--json"],
        &["--config", "/c.yaml"],
        &["--backup-size", "lots"],
        &["--help"],
        &["--bogus"],
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Any line the fast path takes (random globals, then `send`, `run` or `outbox`
        /// with random flags, some of them wrong) is one the whole command takes too,
        /// with the same result; and a well-formed line is taken.
        #[test]
        fn what_the_fast_path_takes_the_whole_command_parses_alike(
            pre in proptest::collection::vec(proptest::sample::select(vec![
                "-q", "-v", "-vv", "--json", "--config=/d.yaml", "--quiet",
            ]), 0..3),
            which in 0..3usize,
            flags in proptest::collection::vec(proptest::sample::select(SEND_FLAGS.to_vec()), 0..6),
            outbox in proptest::sample::select(vec![
                &["flush"][..], &["list"], &["purge", "--all"], &["flush", "--deadline", "2m"],
                &["purge"], &["flush", "--deadline", "soon"],
            ]),
        ) {
            let mut line: Vec<&str> = pre;
            match which {
                0 => {
                    line.extend(["send", "--event", "backup_failure"]);
                    line.extend(flags.iter().flat_map(|f| f.iter().copied()));
                }
                1 => {
                    line.extend(["run", "--job", "db"]);
                    line.extend(flags.iter().filter(|f| f[0] == "-q" || f[0] == "--endpoint").flat_map(|f| f.iter().copied()));
                    line.extend(["--", "pg_dump", "--file", "-"]);
                }
                _ => {
                    line.push("outbox");
                    line.extend(outbox.iter().copied());
                }
            }
            let args = argv(&line);
            let whole = super::super::full(args.clone());
            match parse(&args) {
                Some(fast) => {
                    proptest::prop_assert!(whole.is_ok(), "{line:?}: fast took it, whole refused");
                    proptest::prop_assert_eq!(format!("{:?}", Some(fast)), format!("{:?}", whole.ok()));
                }
                None => {
                    // Left to the whole command: an error, help, or a global it does not read.
                    proptest::prop_assert!(whole.is_err(), "{line:?}: well-formed but not taken");
                }
            }
        }
    }
}
