//! One file per subcommand, each gluing config, event, dispatch and report together.

pub mod config;
pub mod events;
pub mod generate;
pub mod init;
pub mod manpage;
pub mod outbox;
pub mod overdue;
pub mod run;
pub mod send;
pub mod state;
pub mod test_notify;

pub use crate::settings::Global;
