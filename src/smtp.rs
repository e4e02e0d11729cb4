//! Sending one mail over SMTP with lettre: implicit TLS, required STARTTLS or plain,
//! an endpoint's private CA, and errors sorted into retryable (4xx, network) and final (5xx).

use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{SmtpTransport, Transport};

use crate::channels::email::{Crypto, SmtpRequest};
use crate::channels::DeliveryError;

/// Send `req` within `timeout`.
pub fn send(req: &SmtpRequest, timeout: Duration) -> Result<(), DeliveryError> {
    let tls = match req.crypto {
        Crypto::None => Tls::None,
        Crypto::Ssl => Tls::Wrapper(tls_parameters(req)?),
        Crypto::Starttls => Tls::Required(tls_parameters(req)?),
    };
    let mut builder = SmtpTransport::builder_dangerous(&req.host)
        .port(req.port)
        .tls(tls)
        .timeout(Some(timeout));
    if let Some((user, password)) = &req.credentials {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    let transport = builder.build();
    transport.send(&req.mail).map(|_| ()).map_err(|e| {
        let message = format!("SMTP {}:{}: {e}", req.host, req.port);
        if e.is_permanent() {
            DeliveryError::new(message)
        } else {
            DeliveryError::new(message).retryable(None)
        }
    })
}

fn tls_parameters(req: &SmtpRequest) -> Result<TlsParameters, DeliveryError> {
    let mut b = TlsParameters::builder(req.host.clone());
    if let Some(path) = &req.ca_file {
        let pem = std::fs::read(path).map_err(|e| {
            DeliveryError::new(format!("cannot read ca_file {}: {e}", path.display()))
        })?;
        let cert = Certificate::from_pem(&pem)
            .map_err(|e| DeliveryError::new(format!("ca_file {}: {e}", path.display())))?;
        b = b.add_root_certificate(cert);
    }
    if req.tls_insecure {
        b = b
            .dangerous_accept_invalid_certs(true)
            .dangerous_accept_invalid_hostnames(true);
    }
    b.build_rustls()
        .map_err(|e| DeliveryError::new(format!("TLS setup for {}: {e}", req.host)))
}
