//! What bnotify knows, as plain data: its endpoint types and their keys, the events it
//! names, its starter snippets, the notification-URL schemes it reads and its command
//! line. The integration tests check the README, the example config and the generated
//! completions against this list, so a new type or key cannot go undocumented.

pub use crate::commands::init::{Snippet, SNIPPETS};
pub use crate::config::schema::{COMMON_KEYS, HTTP_KEYS, ROOT_KEYS};

/// One endpoint type.
#[derive(Debug, Clone, Copy)]
pub struct ChannelKind {
    /// The `type:` value.
    pub name: &'static str,
    /// Whether it speaks HTTP (takes `headers`, `ca_file`, `tls_insecure`).
    pub http: bool,
    /// Its own keys, as its typed config declares them.
    pub keys: &'static [&'static str],
}

/// Every endpoint type, in the registry's order.
pub fn channel_types() -> Vec<ChannelKind> {
    crate::channels::TYPES
        .iter()
        .map(|t| ChannelKind {
            name: t.name,
            http: t.http,
            keys: (t.keys)(),
        })
        .collect()
}

/// The events bnotify names, with the status each implies.
pub fn known_events() -> impl Iterator<Item = (&'static str, &'static str)> {
    crate::event::KNOWN_EVENTS
        .iter()
        .map(|(name, status)| (*name, status.as_str()))
}

/// One notification-URL scheme: `scheme://` makes an endpoint of type `kind`.
#[derive(Debug, Clone, Copy)]
pub struct UrlScheme {
    /// The scheme, without `://`.
    pub scheme: &'static str,
    /// The endpoint type it makes.
    pub kind: &'static str,
    /// Whose syntax it is: `Apprise`, `shoutrrr` or `bnotify`.
    pub origin: &'static str,
}

/// Every notification-URL scheme `--to` and `url:` read.
pub fn url_schemes() -> impl Iterator<Item = UrlScheme> {
    crate::notify_url::schemes().iter().map(|s| UrlScheme {
        scheme: s.scheme,
        kind: s.kind,
        origin: s.origin,
    })
}

/// The command line, as clap describes it (every subcommand and flag).
pub fn command() -> clap::Command {
    <crate::cli::Cli as clap::CommandFactory>::command()
}
