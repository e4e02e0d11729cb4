//! `email`: a well-formed notification mail (Date, Message-ID, From, To with names,
//! Subject = title, text/plain and an optional HTML alternative, attachments) sent over
//! SMTP with implicit TLS, STARTTLS (never downgraded) or plain text.

use crate::redact::Secret;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment as MailPart, Body, Mailbox, MultiPart, SinglePart};
use serde::Deserialize;

use super::{ChannelType, DeliveryError, Invalid, Message, Outgoing};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "email",
    http: false,
    keys: super::fields_of::<Email>,
    build: super::build::<Email>,
};

pub(crate) use crate::smtp::{Crypto, SmtpRequest};

/// `notify_user:` — also, or only, mail the user named in `fields.user_email`.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum NotifyUser {
    Also,
    Only,
}

/// One recipient: `{name, email}` (Backupman's form) or a plain address.
#[derive(Debug, Deserialize, Clone)]
#[serde(from = "DestinationForm")]
struct Destination {
    name: Option<String>,
    email: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DestinationForm {
    Address(String),
    Named { name: Option<String>, email: String },
}

impl From<DestinationForm> for Destination {
    fn from(f: DestinationForm) -> Destination {
        match f {
            DestinationForm::Address(email) => Destination { name: None, email },
            DestinationForm::Named { name, email } => Destination { name, email },
        }
    }
}

/// An SMTP server and the people to mail.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Email {
    smtp_host: String,
    smtp_port: Option<u16>,
    smtp_user: Option<String>,
    smtp_password: Option<Secret>,
    #[serde(default)]
    smtp_crypto: Crypto,
    from: Option<String>,
    #[serde(default)]
    destinations: Vec<Destination>,
    #[serde(default)]
    html: bool,
    notify_user: Option<NotifyUser>,
    ca_file: Option<String>,
    #[serde(default)]
    tls_insecure: bool,
}

impl Email {
    /// The configured destinations plus, with `notify_user`, the event's
    /// `fields.user_email`. A user address that is not one (a line break, no `@`) is
    /// dropped with a warning when other recipients remain (`also`), an error when it was
    /// the only one (`only`): the user's text must never add a recipient or a header.
    fn recipients(&self, msg: &Message) -> Result<Vec<Mailbox>, DeliveryError> {
        let user = msg
            .event
            .fields
            .get("user_email")
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let only = self.notify_user == Some(NotifyUser::Only);
        let mut list: Vec<Mailbox> = if only {
            Vec::new()
        } else {
            self.destinations
                .iter()
                .map(|d| mailbox(d.name.as_deref(), &d.email).map_err(DeliveryError::new))
                .collect::<Result<_, _>>()?
        };
        if let (Some(_), Some(u)) = (self.notify_user, user) {
            match user_mailbox(&u) {
                Ok(m) => list.push(m),
                Err(e) if only => {
                    return Err(DeliveryError::new(format!("fields.user_email: {e}")))
                }
                Err(e) => errln!(
                    "warning: endpoint \"{}\": fields.user_email: {e}; the user's copy is left out",
                    msg.endpoint
                ),
            }
        }
        if list.is_empty() {
            return Err(DeliveryError::new(
                "no recipient: notify_user is set but the event has no fields.user_email",
            ));
        }
        Ok(list)
    }
}

/// A mail address that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadAddress(pub String);

impl From<String> for BadAddress {
    fn from(s: String) -> BadAddress {
        BadAddress(s)
    }
}

impl From<&str> for BadAddress {
    fn from(s: &str) -> BadAddress {
        BadAddress(s.to_string())
    }
}

impl From<BadAddress> for String {
    fn from(e: BadAddress) -> String {
        e.0
    }
}

/// The user's address from the event: one address, no control characters.
fn user_mailbox(email: &str) -> Result<Mailbox, BadAddress> {
    if email.chars().any(char::is_control) {
        return Err(
            format!("{email:?} holds a control character (CR/LF), not an email address").into(),
        );
    }
    mailbox(None, email.trim())
}

fn mailbox(name: Option<&str>, email: &str) -> Result<Mailbox, BadAddress> {
    let addr = email
        .parse()
        .map_err(|e| format!("\"{email}\" is not an email address ({e})"))?;
    Ok(Mailbox::new(name.map(str::to_string), addr))
}

impl Email {
    /// `from`, or the login when it is an address (Backupman's mail block has no `from`).
    fn sender(&self) -> Option<&str> {
        self.from
            .as_deref()
            .or_else(|| self.smtp_user.as_deref().filter(|u| u.contains('@')))
    }
}

impl super::Channel for Email {
    fn prepare(&self, msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let from: Mailbox = self
            .sender()
            .unwrap_or_default()
            .parse()
            .map_err(|e| DeliveryError::new(format!("from: {e}")))?;
        let to = self.recipients(msg)?;
        let domain = from.email.domain().to_string();
        let mut b = lettre::Message::builder()
            .from(from.clone())
            .subject(msg.title.clone())
            .date_now()
            .message_id(Some(format!(
                "<{}@{domain}>",
                uuid::Uuid::new_v4().simple()
            )))
            .user_agent(crate::http::USER_AGENT.to_string());
        for t in &to {
            b = b.to(t.clone());
        }
        let mail = match (self.html, msg.event.attachments.is_empty()) {
            (false, true) => b
                .header(lettre::message::header::MIME_VERSION_1_0)
                .header(ContentType::TEXT_PLAIN)
                .body(msg.body.clone()),
            (true, true) => b.multipart(alternative(msg)),
            (html, false) => {
                let mut mixed = if html {
                    MultiPart::mixed().multipart(alternative(msg))
                } else {
                    MultiPart::mixed().singlepart(SinglePart::plain(msg.body.clone()))
                };
                for a in &msg.event.attachments {
                    mixed = mixed.singlepart(attachment(a)?);
                }
                b.multipart(mixed)
            }
        }
        .map_err(|e| DeliveryError::new(format!("cannot build the mail: {e}")))?;
        let credentials = self.smtp_user.clone().map(|u| {
            let pw = self.smtp_password.as_ref().map(Secret::expose);
            (u, pw.unwrap_or_default().to_string())
        });
        Ok(vec![Outgoing::Smtp(SmtpRequest {
            host: self.smtp_host.clone(),
            port: self
                .smtp_port
                .unwrap_or_else(|| self.smtp_crypto.default_port()),
            crypto: self.smtp_crypto,
            credentials,
            ca_file: self.ca_file.as_deref().map(crate::paths::expand_tilde),
            tls_insecure: self.tls_insecure,
            mail,
            summary: (
                from.to_string(),
                to.iter().map(ToString::to_string).collect(),
                msg.title.clone(),
            ),
        })])
    }

    fn carries_attachments(&self) -> bool {
        true
    }

    fn validate(&self) -> Result<(), Invalid> {
        let Some(from) = self.sender() else {
            return Err(Invalid::key("from", "missing required key \"from\"")
                .hint("add from: \"Backups <backups@example.com>\""));
        };
        from.parse::<Mailbox>().map_err(|e| {
            Invalid::key("from", format!("\"{from}\" is not an email address ({e})"))
                .hint("e.g. from: \"Backups <backups@example.com>\"")
        })?;
        for d in &self.destinations {
            mailbox(d.name.as_deref(), &d.email).map_err(|e| Invalid::key("destinations", e))?;
        }
        if self.destinations.is_empty() && self.notify_user != Some(NotifyUser::Only) {
            return Err(Invalid::key("destinations", "no destinations")
                .hint("add destinations: [{name: Ops, email: ops@example.com}]"));
        }
        if self.smtp_password.is_some() && self.smtp_user.is_none() {
            return Err(
                Invalid::key("smtp_password", "smtp_password without smtp_user")
                    .hint("add smtp_user"),
            );
        }
        Ok(())
    }
}

/// One attached file, always base64: a text file sent as 7bit keeps its bare LF endings,
/// which makes it one line longer than 998 bytes to a strict server (RFC 5321
/// §4.5.3.1.6), and the mail is refused.
fn attachment(a: &crate::attach::Attachment) -> Result<SinglePart, DeliveryError> {
    let ct = ContentType::parse(&a.content_type).unwrap_or(ContentType::TEXT_PLAIN);
    let body = Body::new_with_encoding(a.bytes().to_vec(), ContentTransferEncoding::Base64)
        .map_err(|_| DeliveryError::new(format!("cannot encode attachment {}", a.name)))?;
    Ok(MailPart::new(a.name.clone()).body(body, ct))
}

/// text/plain first, text/html last.
fn alternative(msg: &Message) -> MultiPart {
    MultiPart::alternative_plain_html(msg.body.clone(), html(msg))
}

/// The HTML alternative: the title as a heading and the body as preformatted text,
/// user text escaped.
fn html(msg: &Message) -> String {
    let esc = crate::render::escape::telegram_html;
    format!(
        "<!DOCTYPE html><html><body><h2>{}</h2><pre style=\"font-family:inherit;white-space:pre-wrap\">{}</pre></body></html>",
        esc(&msg.title),
        esc(&msg.body)
    )
}

#[cfg(test)]
#[path = "prepare_tables/email.rs"]
mod prepare_table;
