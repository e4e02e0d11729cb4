//! Sending one mail over SMTP with lettre: implicit TLS, required STARTTLS or plain,
//! the system trust store plus an endpoint's private CA, and errors sorted into retryable
//! (4xx, network) and final (5xx).

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{SmtpTransport, Transport};

use crate::failure::DeliveryError;

/// How the SMTP connection is protected.
#[derive(Debug, serde::Deserialize, Default, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Crypto {
    /// Implicit TLS (port 465).
    Ssl,
    /// STARTTLS, required (port 587).
    #[default]
    Starttls,
    /// Plain text (port 25): loopback and trusted relays only.
    None,
}

impl Crypto {
    /// The default port of this mode.
    pub(crate) fn default_port(self) -> u16 {
        match self {
            Crypto::Ssl => 465,
            Crypto::Starttls => 587,
            Crypto::None => 25,
        }
    }
}

/// Everything needed to send one mail.
#[derive(Debug, Clone)]
pub(crate) struct SmtpRequest {
    /// Server host.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Protection.
    pub crypto: Crypto,
    /// Login and password, when set.
    pub credentials: Option<(String, String)>,
    /// PEM file of CAs to trust.
    pub ca_file: Option<std::path::PathBuf>,
    /// Skip certificate checks.
    pub tls_insecure: bool,
    /// The mail.
    pub mail: lettre::Message,
    /// Sender, recipients and subject, for `--dry-run`.
    pub summary: (String, Vec<String>, String),
}

/// Send `req` within `timeout`: the whole attempt (name lookup included) is bounded, not
/// only each socket operation.
pub(crate) fn send(req: &SmtpRequest, timeout: Duration) -> Result<(), DeliveryError> {
    let tls = match req.crypto {
        Crypto::None => Tls::None,
        Crypto::Ssl => Tls::Wrapper(tls_parameters(req)?),
        Crypto::Starttls => Tls::Required(tls_parameters(req)?),
    };
    if req.crypto == Crypto::None && req.credentials.is_some() && !is_loopback(&req.host) {
        errln!(
            "warning: the SMTP password for {} goes over an unencrypted connection (smtp_crypto: none)",
            req.host
        );
    }
    let mut builder = SmtpTransport::builder_dangerous(&req.host)
        .port(req.port)
        .tls(tls)
        .timeout(Some(timeout));
    if let Some((user, password)) = &req.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    let transport = builder.build();
    let (tx, rx) = std::sync::mpsc::channel();
    let mail = req.mail.clone();
    // A worker that outlives its attempt (a hung name lookup) ends with the process.
    std::thread::spawn(move || {
        let _ = tx.send(transport.send(&mail).map(|_| ()));
    });
    match rx.recv_timeout(timeout + Duration::from_millis(500)) {
        Ok(result) => result.map_err(|e| classify(req, &e)),
        Err(_) => Err(DeliveryError::new(format!(
            "SMTP {}:{}: timed out after {}",
            req.host,
            req.port,
            humantime::format_duration(timeout)
        ))
        .retryable(None)),
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// What a lettre error means for the retry loop: 4xx and network trouble are retried;
/// 5xx, a missing STARTTLS, no usable AUTH and TLS/certificate failures are final (another
/// attempt cannot fix them), each said in words the user can act on.
fn classify(req: &SmtpRequest, e: &lettre::transport::smtp::Error) -> DeliveryError {
    let target = format!("SMTP {}:{}", req.host, req.port);
    if let Some(tls) = crate::tls::find_error(e) {
        let ctx = crate::tls::Context {
            has_ca_file: req.ca_file.is_some(),
        };
        let problem = crate::tls::certificate_problem(tls, ctx).unwrap_or_else(|| {
            format!(
                "{tls} (hint: is this port speaking TLS? smtp_crypto: ssl is implicit TLS \
                 (usually port 465), starttls is plain SMTP upgraded (usually 587))"
            )
        });
        return DeliveryError::new(format!("{target}: TLS failed: {problem}"));
    }
    if let Some(code) = e.status() {
        let code = u16::from(code);
        let err = DeliveryError::new(format!("{target}: {e}")).status(code);
        return if e.is_transient() {
            err.retryable(None)
        } else {
            err
        };
    }
    let text = e.to_string();
    if text.contains("STARTTLS is not supported") {
        return DeliveryError::new(format!(
            "{target}: the server does not offer STARTTLS; refusing to continue without \
             encryption (use smtp_crypto: ssl if it speaks implicit TLS, or none for a \
             trusted local relay)"
        ));
    }
    let err = DeliveryError::new(format!("{target}: {text}"));
    if e.is_client() || e.is_tls() || e.is_permanent() {
        err
    } else {
        err.retryable(None)
    }
}

/// The TLS settings for `req`: the system store plus `ca_file` (the same trust as HTTP,
/// see [`crate::tls`]), or no certificate checks for `tls_insecure`.
fn tls_parameters(req: &SmtpRequest) -> Result<TlsParameters, DeliveryError> {
    let mut b = TlsParameters::builder(req.host.clone());
    let der = |c: &rustls::pki_types::CertificateDer<'_>| {
        Certificate::from_der(c.as_ref().to_vec())
            .map_err(|e| DeliveryError::new(format!("TLS setup for {}: {e}", req.host)))
    };
    if req.tls_insecure {
        b = b
            .certificate_store(CertificateStore::None)
            .dangerous_accept_invalid_certs(true)
            .dangerous_accept_invalid_hostnames(true);
    } else {
        let roots = crate::tls::system_roots();
        if roots.bundled {
            b = b.certificate_store(CertificateStore::WebpkiRoots);
        } else {
            b = b.certificate_store(CertificateStore::None);
            for cert in &roots.certs {
                b = b.add_root_certificate(der(cert)?);
            }
        }
        if let Some(path) = &req.ca_file {
            for cert in crate::tls::read_ca_file(path).map_err(DeliveryError::new)? {
                b = b.add_root_certificate(der(&cert)?);
            }
        }
    }
    b.build_rustls()
        .map_err(|e| DeliveryError::new(format!("TLS setup for {}: {e}", req.host)))
}
