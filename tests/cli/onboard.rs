//! From zero to the first alert, and on to cron: `config init`, the example config, the
//! endpoints table, completions, docs, the flush units and recovery notices.

/// The example config, the README, the endpoints table, completions and systemd units.
mod docs;
/// `config init` for every type, then `config check` and `test notify` against loopback.
mod init;
/// Recoveries, old start events in the outbox, and the flush-scheduling hint.
mod later;
