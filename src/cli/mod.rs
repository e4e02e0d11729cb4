//! Command-line types, parsed by clap.
//!
//! Only declarations live here: doc comments are the help text users read, and no
//! function in this file does I/O. `commands/` turns these raw values into work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod fast;

const AFTER_HELP: &str = "\
Examples:
  bnotify config init --type slack     write a starter config, then set the variables it names
  bnotify test notify                  send a test to every endpoint
  bnotify send --event backup_failure --job mysql --error \"disk full\"
  bnotify send --to ntfy://my-topic -t \"Backup done\" -b \"1.2 GiB\"   no config needed
  bnotify run --job pg-nightly -- pg_dump -f /backups/db.sql mydb

Exit codes: 0 delivered (or nothing to do), 1 a delivery failed (kept in the outbox),
2 usage, config or payload error (nothing sent).";

/// Deliver backup and cron notifications to every subscribed endpoint, in parallel.
#[derive(Debug, Parser)]
#[command(name = "bnotify", version, about, long_about = None, propagate_version = true, arg_required_else_help = true)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Cli {
    /// The options every subcommand takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The options every subcommand takes (before or after its name).
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// Config file to use instead of the discovered one (see `bnotify config path`).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Say more: -v adds request lines, -vv adds (redacted) headers and bodies.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Print only failures and warnings.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print one JSON report on stdout instead of human lines.
    #[arg(long, global = true)]
    pub json: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once per process
pub(crate) enum Command {
    /// Send one event to every endpoint subscribed to it.
    Send(SendArgs),
    /// Send sample notifications to check that endpoints work.
    #[command(subcommand)]
    Test(TestCommand),
    /// Create or inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// List the configured endpoints (secrets masked).
    Endpoints,
    /// List the known events and the status each maps to.
    Events,
    /// Run a backup command and report its start and its outcome.
    Run(RunArgs),
    /// Inspect or re-send notifications that could not be delivered.
    #[command(subcommand)]
    Outbox(OutboxCommand),
    /// Show or clear the noise-control state (when: change, throttle).
    #[command(subcommand)]
    State(StateCommand),
    /// Send backup_missed for each task that has not succeeded for too long.
    Overdue(OverdueArgs),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page, or write every page (with bnotify.yaml.5, the config file) into a directory.
    Man {
        /// Write bnotify.1, one page per subcommand and bnotify.yaml.5 here instead of printing bnotify.1.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
}

/// What `run` reports as.
#[derive(Debug, Clone, Copy, clap::ValueEnum, Default)]
pub(crate) enum Kind {
    /// backup_start, backup_success, backup_failure.
    #[default]
    Backup,
    /// restore_start, restore_success, restore_failure.
    Restore,
}

/// Arguments of `bnotify run`.
#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    /// Job name the events carry, e.g. mysql-daily.
    #[arg(long, visible_alias = "task", value_name = "NAME")]
    pub job: String,
    /// Which events to send.
    #[arg(long, value_enum, default_value = "backup")]
    pub kind: Kind,
    /// Only notify this endpoint (repeatable).
    #[arg(long = "endpoint", value_name = "NAME")]
    pub endpoints: Vec<String>,
    /// Attach the command's output (stdout and stderr, last 5 MiB) to the outcome event.
    #[arg(long)]
    pub attach_output: bool,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND", value_parser = clap::builder::OsStringValueParser::new())]
    pub command: Vec<std::ffi::OsString>,
}

/// `bnotify test ...`
#[derive(Debug, Subcommand)]
pub(crate) enum TestCommand {
    /// Send EVENT with sample data to its subscribers; without EVENT, send `test` to every
    /// enabled endpoint.
    Notify(TestNotifyArgs),
}

/// Arguments of `bnotify test notify`.
#[derive(Debug, Args)]
pub(crate) struct TestNotifyArgs {
    /// Event to simulate, e.g. backup_failure. Default: `test`, sent to every endpoint.
    #[arg(value_parser = EventName, hide_possible_values = true)]
    pub event: Option<String>,
    /// Only this endpoint (repeatable).
    #[arg(long = "endpoint", value_name = "NAME")]
    pub endpoints: Vec<String>,
    /// Show what would be sent, send nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `bnotify config ...`
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Load the config and report every problem found (exit 2 on errors).
    Check,
    /// Print the effective config with defaults filled in and secrets masked.
    Show,
    /// Print which config file is used and why.
    Path,
    /// Write a short, commented starter config (mode 0600) for the chosen endpoint types.
    Init(InitArgs),
}

/// Arguments of `bnotify config init`.
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Endpoint types to include, comma-separated (default: webhook).
    #[arg(long = "type", value_name = "TYPE,...", value_delimiter = ',', value_parser = type_names())]
    pub types: Vec<String>,
    /// Write here instead of $XDG_CONFIG_HOME/bnotify/config.yaml (~/.config/...).
    #[arg(long, value_name = "PATH", value_hint = clap::ValueHint::FilePath)]
    pub path: Option<PathBuf>,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
}

fn type_names() -> clap::builder::PossibleValuesParser {
    clap::builder::PossibleValuesParser::new(crate::channels::TYPES.iter().map(|t| t.name))
}

/// `bnotify state ...`
#[derive(Debug, Subcommand)]
pub(crate) enum StateCommand {
    /// Print the last outcome told per endpoint and task, and the throttle windows.
    Show,
    /// Forget it all, or only what concerns one task.
    Reset {
        /// Only this task.
        #[arg(long, visible_alias = "job", value_name = "NAME")]
        task: Option<String>,
    },
}

/// `bnotify outbox ...`
#[derive(Debug, Subcommand)]
pub(crate) enum OutboxCommand {
    /// List the notifications waiting to be sent again.
    List,
    /// Send every waiting notification again; delivered ones leave the outbox.
    Flush {
        /// Give up on what is still pending after this long.
        #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
        deadline: std::time::Duration,
    },
    /// Delete waiting notifications without sending them (--older-than or --all).
    #[command(group = clap::ArgGroup::new("which").required(true).args(["older_than", "all"]))]
    Purge {
        /// Only those queued longer ago than this (e.g. 3d, 90s).
        #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
        older_than: Option<std::time::Duration>,
        /// Every waiting notification.
        #[arg(long)]
        all: bool,
    },
}

/// Arguments of `bnotify send`.
#[derive(Debug, Args)]
pub(crate) struct SendArgs {
    /// Event name, e.g. backup_failure, restore_success, or your own (status from its suffix).
    /// Optional with --to: then `notification` (status info).
    #[arg(long, short = 'e', value_name = "EVENT", value_parser = EventName, hide_possible_values = true, required_unless_present = "to")]
    pub event: Option<String>,
    /// Also send to this notification URL (repeatable), e.g. ntfy://topic or
    /// discord://id/token; with --to no config file is needed.
    #[arg(long = "to", value_name = "URL")]
    pub to: Vec<String>,
    /// The event's fields.
    #[command(flatten)]
    pub payload: PayloadArgs,
    /// Read a JSON object of event keys from FILE, or stdin with `-`; flags win over it.
    #[arg(long = "payload", value_name = "FILE|-")]
    pub payload_file: Option<String>,
    /// Only send to this endpoint (repeatable).
    #[arg(long = "endpoint", value_name = "NAME")]
    pub endpoints: Vec<String>,
    /// Attach a file, e.g. the backup's log (repeatable); big files are cut to their end.
    #[arg(long = "attach", value_name = "FILE")]
    pub attach: Vec<std::path::PathBuf>,
    /// Give up on everything still pending after this long (e.g. 30s, 2m).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub deadline: std::time::Duration,
    /// Print each request that would be sent (secrets masked) and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Exit 0 even when a delivery failed (failures are still printed and kept).
    #[arg(long)]
    pub best_effort: bool,
}

/// Arguments of `bnotify overdue`.
#[derive(Debug, Args)]
pub(crate) struct OverdueArgs {
    /// Tasks to check, as a glob over the task names the state has seen (e.g. 'mysql-*').
    #[arg(long, visible_alias = "job", value_name = "GLOB")]
    pub task: String,
    /// Overdue when the last success is older than this (e.g. 26h, 8d).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub max_age: std::time::Duration,
    /// Event to send for each overdue task.
    #[arg(long, value_name = "EVENT", default_value = "backup_missed")]
    pub event: String,
    /// Host name shown in the notification (default: this host's name).
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,
    /// Only send to this endpoint (repeatable).
    #[arg(long = "endpoint", value_name = "NAME")]
    pub endpoints: Vec<String>,
    /// Give up on everything still pending after this long (e.g. 30s, 2m).
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub deadline: std::time::Duration,
    /// Print each request that would be sent (secrets masked) and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Exit 0 even when a delivery failed (failures are still printed and kept).
    #[arg(long)]
    pub best_effort: bool,
}

/// The payload flags of `send`: each fills one key of the event.
#[derive(Debug, Args, Default)]
pub(crate) struct PayloadArgs {
    /// Job or task name, e.g. mysql-daily.
    #[arg(long, visible_alias = "task", value_name = "NAME")]
    pub job: Option<String>,
    /// Override the status derived from the event name.
    #[arg(long, value_name = "STATUS", value_parser = ["start", "success", "failure", "info"])]
    pub status: Option<String>,
    /// What happened, in one sentence.
    #[arg(long, value_name = "TEXT")]
    pub message: Option<String>,
    /// The error, e.g. the last line of the failing command.
    #[arg(long, value_name = "TEXT")]
    pub error: Option<String>,
    /// Title text instead of the default one.
    #[arg(long, short = 't', value_name = "TEXT")]
    pub title: Option<String>,
    /// Body text instead of the default one.
    #[arg(long, short = 'b', value_name = "TEXT")]
    pub body: Option<String>,
    /// Identifier of the backup.
    #[arg(long, value_name = "ID")]
    pub backup_id: Option<String>,
    /// Comment of the backup.
    #[arg(long, value_name = "TEXT")]
    pub backup_comment: Option<String>,
    /// Date of the backup (RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub backup_date: Option<String>,
    /// Size of the backup: bytes, or with a unit (1.5GiB, 700MB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub backup_size: Option<u64>,
    /// Tag of the backup (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Who started it.
    #[arg(long, value_name = "NAME")]
    pub operator: Option<String>,
    /// What triggered it (cron, manual, ...).
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Host name shown in the notification (default: this host's name).
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,
    /// When the job started (RFC 3339).
    #[arg(long, value_name = "TIME", value_parser = parse_rfc3339)]
    pub started_at: Option<String>,
    /// When the job finished (RFC 3339).
    #[arg(long, value_name = "TIME", value_parser = parse_rfc3339)]
    pub finished_at: Option<String>,
    /// How long the job took, e.g. "4m 12s".
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<std::time::Duration>,
    /// Where the dump was written.
    #[arg(long, value_name = "PATH")]
    pub dump_path: Option<String>,
    /// Run id shared by the start and end events (default: a new UUID).
    #[arg(long, value_name = "RUN_ID")]
    pub id: Option<String>,
    /// Extra field KEY=VALUE (repeatable); shows up under `fields`.
    #[arg(long = "field", value_name = "KEY=VALUE", value_parser = parse_field)]
    pub fields: Vec<(String, String)>,
}

impl PayloadArgs {
    /// The flags as the event model's [`crate::event::Input`].
    pub(crate) fn to_input(&self) -> crate::event::Input {
        crate::event::Input {
            task: self.job.clone(),
            status: self.status.clone(),
            message: self.message.clone(),
            error: self.error.clone(),
            title: self.title.clone(),
            body: self.body.clone(),
            backup_id: self.backup_id.clone(),
            backup_comment: self.backup_comment.clone(),
            backup_date: self.backup_date.clone(),
            backup_size: self.backup_size,
            tags: self.tags.clone(),
            operator: self.operator.clone(),
            source: self.source.clone(),
            host: self.host.clone(),
            started_at: self.started_at.clone(),
            finished_at: self.finished_at.clone(),
            duration: self.duration,
            dump_path: self.dump_path.clone(),
            id: self.id.clone(),
            fields: self.fields.clone(),
        }
    }
}

/// An event name: any text is accepted; the known events are offered for completion.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventName;

impl clap::builder::TypedValueParser for EventName {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            crate::event::KNOWN_EVENTS
                .iter()
                .map(|(name, _)| clap::builder::PossibleValue::new(*name)),
        ))
    }
}

/// Parse a humantime duration ("5s", "4m 12s").
pub(crate) fn parse_duration(s: &str) -> Result<std::time::Duration, crate::units::UnitError> {
    humantime::parse_duration(s.trim()).map_err(|e| {
        crate::units::UnitError(format!(
            "{e} (expected a duration such as 30s, 5m or \"4m 12s\")"
        ))
    })
}

/// Parse a byte size: plain bytes or a number with a unit (KB, MiB, GiB, ...).
pub(crate) fn parse_size(s: &str) -> Result<u64, crate::units::UnitError> {
    crate::event::parse_size(s)
}

fn parse_rfc3339(s: &str) -> Result<String, crate::units::UnitError> {
    crate::event::check_rfc3339(s).map(|()| s.to_string())
}

fn parse_field(s: &str) -> Result<(String, String), crate::units::UnitError> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err("expected KEY=VALUE, e.g. --field region=eu-west".into()),
    }
}

/// Parse the command line `args`: `send` and `run`, what cron and scripts call,
/// through [`fast`] when it understands the line, anything else (and every error and
/// help request) through the whole command, whose messages name every subcommand.
pub(crate) fn parse(args: Vec<std::ffi::OsString>) -> Result<Cli, clap::Error> {
    match fast::parse(&args) {
        Some(cli) => Ok(cli),
        None => full(args),
    }
}

/// Parse with the whole command, like `Cli::parse`, but the clap command (thousands of
/// small allocations for every flag of every subcommand) is left for the process's exit
/// to reclaim instead of being freed one piece at a time.
fn full(args: Vec<std::ffi::OsString>) -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let cmd = Box::leak(Box::new(Cli::command()));
    let mut matches = cmd.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(cmd))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }
}
