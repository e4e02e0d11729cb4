//! bnotify: deliver backup and cron notifications to every subscribed endpoint, in
//! parallel, and keep what could not be delivered in a durable outbox.
//!
//! The binary calls [`main`], which parses the command line and runs it; each subcommand
//! lives in `commands/`, built on `config` (the file), `event` (the model), `render`
//! (texts), `channels` (one file per endpoint type), `dispatch` (parallel delivery) and
//! `outbox`. The one public module, [`catalog`], lists what bnotify knows (types, keys,
//! events, URL schemes) for the integration tests that check the README and the
//! generated files against it.

#[macro_use]
pub(crate) mod report;

pub(crate) mod attach;
pub(crate) mod body;
pub(crate) mod channels;
pub(crate) mod cli;
pub(crate) mod commands;
pub(crate) mod config;
pub(crate) mod deliver;
pub(crate) mod dispatch;
pub(crate) mod event;
pub(crate) mod exec;
pub(crate) mod failure;
pub(crate) mod files;
pub(crate) mod history;
pub(crate) mod http;
pub(crate) mod mqtt;
pub(crate) mod notify_url;
pub(crate) mod outbox;
pub(crate) mod paths;
pub(crate) mod redact;
pub(crate) mod render;
pub(crate) mod sanitize;
pub(crate) mod screen;
pub(crate) mod settings;
pub(crate) mod signing;
pub(crate) mod smtp;
pub(crate) mod state;
pub(crate) mod tls;
pub(crate) mod units;
pub(crate) mod yaml;

pub mod catalog;

#[cfg(test)]
mod layout;
#[cfg(test)]
mod props;

use anyhow::Result;

use cli::{Cli, Command, TestCommand};
use commands::Global;

/// How a command ended, when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: a delivery failed after its retries.
    Failed,
    /// Exit with this code (`run` returns its command's).
    Exit(i32),
}

/// Run the parsed command line. An `Err` is a usage, config or payload error (exit 2).
fn run(cli: Cli) -> Result<Outcome> {
    let g = Global::from_cli(&cli);
    match &cli.command {
        Command::Send(a) => commands::send::run(&g, a),
        Command::Test(TestCommand::Notify(a)) => commands::test_notify::run(&g, a),
        Command::Config(c) => commands::config::run(&g, c),
        Command::Endpoints => commands::config::endpoints(&g),
        Command::Events => commands::events::run(&g),
        Command::Outbox(c) => commands::outbox::run(&g, c),
        Command::Run(a) => commands::run::run(&g, a),
        Command::State(c) => commands::state::run(&g, c),
        Command::Overdue(a) => commands::overdue::run(&g, a),
        Command::Completions { shell } => commands::generate::completions(*shell),
        Command::Man { dir } => commands::generate::man(dir.as_deref()),
    }
}

/// The whole program: parse the command line `args` (the program's name first), run it,
/// and return the exit status.
///
/// Output goes through `report`, which never panics: a closed stdout or stderr (EPIPE) is
/// left alone and the command finishes with its usual exit code (README, "Exit codes").
pub fn main(args: Vec<std::ffi::OsString>) -> u8 {
    if let Some(code) = commands::generate::complete_from_env() {
        return code;
    }
    match cli::parse(args) {
        Ok(cli) => match run(cli) {
            Ok(Outcome::Success) => 0,
            Ok(Outcome::Failed) => 1,
            Ok(Outcome::Exit(code)) => u8::try_from(code & 0xff).unwrap_or(1),
            Err(e) if is_broken_pipe(&e) => 0,
            Err(e) => {
                errln!("error: {e:#}");
                2
            }
        },
        Err(e) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2.
            let _ = e.print();
            u8::try_from(e.exit_code()).unwrap_or(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
