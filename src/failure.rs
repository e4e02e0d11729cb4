//! Why a delivery attempt failed, and whether another attempt may succeed: the one
//! error every transport (HTTP, SMTP, local commands) and every channel's reply check
//! returns, and that the retry loop reads.

use std::time::Duration;

/// Why a delivery attempt failed, and whether to try again.
#[derive(Debug, Clone, Default)]
pub(crate) struct DeliveryError {
    /// What happened (secrets are masked before printing).
    pub message: String,
    /// HTTP status, when there was one.
    pub status: Option<u16>,
    /// Whether another attempt may succeed.
    pub retryable: bool,
    /// How long the receiver asked us to wait.
    pub retry_after: Option<Duration>,
}

impl DeliveryError {
    /// A final (not retried) failure.
    pub(crate) fn new(message: impl Into<String>) -> DeliveryError {
        DeliveryError {
            message: message.into(),
            ..DeliveryError::default()
        }
    }

    /// Mark it retryable, optionally after a wait the receiver asked for.
    pub(crate) fn retryable(mut self, after: Option<Duration>) -> DeliveryError {
        self.retryable = true;
        self.retry_after = after;
        self
    }

    /// Attach the HTTP status.
    pub(crate) fn status(mut self, status: u16) -> DeliveryError {
        self.status = Some(status);
        self
    }
}
