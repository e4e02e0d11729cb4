//! The one integration test binary: the real `bnotify` against real loopback servers.
#![allow(clippy::unwrap_used)] // test code: a panic is a failed test
#![allow(dead_code)] // support helpers are shared by topics that use different parts
#![allow(unreachable_pub)] // one binary: its helpers are shared by topic modules

mod support;

/// The failure alert always arrives: kills, signals, honest state, no silent drops.
mod alerts;
/// Attachments: --attach, size limits, outbox copies.
mod attach;
/// Bounded memory whatever the size of a log, a payload or the number of endpoints.
mod bounded;
/// Every channel type against a loopback receiver.
mod channels;
/// Local commands.
mod command;
/// Config loading, discovery and its error messages.
mod config;
/// Parallel delivery, retries, timeouts, exit codes and reports.
mod dispatch;
/// Email over a real SMTP server.
mod email;
/// Alertmanager, MQTT, Pushgateway, textfile metrics, the task history and overdue.
mod fleet;
/// Generated completions and man pages are committed and current.
mod generated;
/// Hostile receiver and event text, closed stdout/stderr.
mod hostile;
/// TLS, proxies, hostile receivers, load.
mod network;
/// Noise control: when: change, throttle, fallback, state.
mod noise;
/// Onboarding: config init, the example config, completions, docs, scheduling.
mod onboard;
/// The outbox: flush, purge, locks and crashes.
mod outbox;
/// Property tests on the parsers.
/// The run wrapper.
mod run;
/// Locked down: no secret in any output, receivers' text cleaned, closed pipes.
mod secrets;
/// Pushover, Matrix, Mattermost, Rocket.Chat, Google Chat, Zulip, Signal, Apprise API.
mod services;
/// TLS trust (system store, ca_file) and what TLS failures say.
mod trust;
/// Notification URLs and `send --to`.
mod urls;
/// Help and usage errors.
mod usage;
/// The generic webhook: formats and signatures.
mod webhook;
/// Hostile text on every channel: limits, URLs and what a reader sees.
mod wire;
