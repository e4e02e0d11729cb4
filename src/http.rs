//! The HTTP transport: ureq agents that never follow redirects, return every status as
//! data, read at most 64 KiB of a response, honour proxies from the environment and
//! trust an endpoint's private CA.

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use crate::channels::{DeliveryError, HttpRequest, Reply};

/// Largest response body read.
pub const MAX_BODY: u64 = 64 * 1024;

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("bnotify/", env!("CARGO_PKG_VERSION"));

fn builder() -> ureq::AgentBuilder {
    ureq::AgentBuilder::new()
        .redirects(0)
        .user_agent(USER_AGENT)
        .try_proxy_from_env(true)
}

/// The agent for an endpoint: the shared one, one trusting `ca_file`, or (with
/// `tls_insecure`) one that checks no certificate.
pub fn agent(ca_file: Option<&Path>, insecure: bool) -> Result<ureq::Agent, String> {
    static SHARED: OnceLock<ureq::Agent> = OnceLock::new();
    if insecure {
        return Ok(builder().tls_config(Arc::new(insecure_config()?)).build());
    }
    match ca_file {
        None => Ok(SHARED.get_or_init(|| builder().build()).clone()),
        Some(path) => {
            let config = tls_config(path)?;
            Ok(builder().tls_config(Arc::new(config)).build())
        }
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn insecure_config() -> Result<rustls::ClientConfig, String> {
    let provider = provider();
    Ok(
        rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerify(provider)))
            .with_no_client_auth(),
    )
}

/// Accepts any certificate: `tls_insecure: true`, warned about on every use.
#[derive(Debug)]
struct NoVerify(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

fn tls_config(ca_file: &Path) -> Result<rustls::ClientConfig, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let pem = std::fs::read(ca_file)
        .map_err(|e| format!("cannot read ca_file {}: {e}", ca_file.display()))?;
    let mut added = 0;
    for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
        let cert = cert.map_err(|e| format!("ca_file {}: {e}", ca_file.display()))?;
        roots
            .add(cert)
            .map_err(|e| format!("ca_file {}: {e}", ca_file.display()))?;
        added += 1;
    }
    if added == 0 {
        return Err(format!(
            "ca_file {} holds no PEM certificate",
            ca_file.display()
        ));
    }
    rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
}

/// Send one request with `extra` headers (the endpoint's own) and this attempt's timeout.
pub fn send(
    agent: &ureq::Agent,
    req: &HttpRequest,
    extra: &[(String, String)],
    timeout: Duration,
) -> Result<Reply, DeliveryError> {
    let mut r = agent.request(&req.method, &req.url).timeout(timeout);
    for (k, v) in &req.headers {
        r = r.set(k, v);
    }
    if let Some(s) = &req.signing {
        for (k, v) in s.headers(&req.body, unix_now()) {
            r = r.set(&k, &v);
        }
    }
    for (k, v) in extra {
        r = r.set(k, v);
    }
    let result = if req.body.is_empty() && matches!(req.method.as_str(), "GET" | "HEAD") {
        r.call()
    } else {
        r.send_bytes(&req.body)
    };
    match result {
        Ok(resp) | Err(ureq::Error::Status(_, resp)) => Ok(read_reply(resp)),
        Err(ureq::Error::Transport(t)) => {
            Err(DeliveryError::new(transport_message(&t)).retryable(None))
        }
    }
}

fn transport_message(t: &ureq::Transport) -> String {
    let kind = t.kind();
    let detail = t
        .message()
        .map(str::to_string)
        .unwrap_or_else(|| t.to_string());
    match kind {
        ureq::ErrorKind::ConnectionFailed => format!("connection failed: {detail}"),
        ureq::ErrorKind::Dns => format!("DNS lookup failed: {detail}"),
        ureq::ErrorKind::Io if detail.contains("timed out") || detail.contains("Timeout") => {
            format!("timed out: {detail}")
        }
        _ => t.to_string(),
    }
}

fn read_reply(resp: ureq::Response) -> Reply {
    let status = resp.status();
    let headers = resp
        .headers_names()
        .into_iter()
        .filter_map(|n| resp.header(&n).map(|v| (n.clone(), v.to_string())))
        .collect();
    let mut body = Vec::new();
    // A body that errors or never ends still leaves what was read.
    let _ = resp.into_reader().take(MAX_BODY).read_to_end(&mut body);
    Reply {
        status,
        headers,
        body,
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The wait a `Retry-After` header asks for: seconds, or an HTTP date.
pub fn retry_after(reply: &Reply) -> Option<Duration> {
    let v = reply.header("Retry-After")?.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return (secs >= 0.0 && secs.is_finite()).then(|| Duration::from_secs_f64(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let r = |v: &str| Reply {
            status: 503,
            headers: vec![("retry-after".into(), v.into())],
            body: vec![],
        };
        assert_eq!(retry_after(&r("2")), Some(Duration::from_secs(2)));
        let future = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let got = retry_after(&r(&future)).unwrap();
        assert!(
            got > Duration::from_secs(27) && got <= Duration::from_secs(30),
            "{got:?}"
        );
        assert_eq!(
            retry_after(&r("Wed, 21 Oct 2015 07:28:00 GMT")),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&r("soon")), None);
    }
}
