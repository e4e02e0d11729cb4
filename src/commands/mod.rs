//! One file per subcommand, each gluing config, event, dispatch and report together.

pub(crate) mod config;
pub(crate) mod events;
pub(crate) mod generate;
pub(crate) mod init;
pub(crate) mod manpage;
pub(crate) mod outbox;
pub(crate) mod overdue;
pub(crate) mod run;
pub(crate) mod send;
pub(crate) mod state;
pub(crate) mod test_notify;

pub(crate) use crate::settings::Global;
