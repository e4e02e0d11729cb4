//! bnotify: deliver backup and cron notifications to every subscribed endpoint, in
//! parallel, and keep what could not be delivered in a durable outbox.
//!
//! `main` parses the command line and calls [`run`]; each subcommand lives in
//! `commands/`, built on `config` (the file), `event` (the model), `render` (texts),
//! `channels` (one file per endpoint type), `dispatch` (parallel delivery) and `outbox`.

pub mod attach;
pub(crate) mod body;
pub mod channels;
pub mod cli;
pub mod commands;
pub mod config;
pub(crate) mod deliver;
pub mod dispatch;
pub mod event;
pub(crate) mod exec;
pub(crate) mod failure;
mod files;
pub(crate) mod history;
pub(crate) mod http;
pub(crate) mod mqtt;
pub mod notify_url;
pub mod outbox;
pub(crate) mod paths;
pub mod redact;
pub mod render;
pub mod report;
pub(crate) mod sanitize;
pub(crate) mod screen;
pub(crate) mod settings;
pub(crate) mod signing;
pub(crate) mod smtp;
pub(crate) mod state;
pub(crate) mod tls;
pub(crate) mod units;
pub mod yaml;

use anyhow::Result;

use cli::{Cli, Command, TestCommand};
use commands::Global;

/// How a command ended, when it did not fail outright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: a delivery failed after its retries.
    Failed,
    /// Exit with this code (`run` returns its command's).
    Exit(i32),
}

/// Run the parsed command line. An `Err` is a usage, config or payload error (exit 2).
pub fn run(cli: Cli) -> Result<Outcome> {
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
