//! Trust for every TLS connection, HTTP and SMTP alike: the system trust store
//! (`/etc/ssl/certs`, or `SSL_CERT_FILE` / `SSL_CERT_DIR` when set), plus an endpoint's
//! `ca_file`; and TLS failures told in words a user can act on.
//!
//! The system store is read once per process, and only when a certificate is about to be
//! checked: an `http://` send or `--version` never reads `/etc/ssl/certs`.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, OnceLock};

/// TLS settings that cannot be built (an unreadable `ca_file`, no usable roots).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TlsSetup(pub String);

impl From<String> for TlsSetup {
    fn from(s: String) -> TlsSetup {
        TlsSetup(s)
    }
}

impl From<&str> for TlsSetup {
    fn from(s: &str) -> TlsSetup {
        TlsSetup(s.to_string())
    }
}

impl From<TlsSetup> for String {
    fn from(e: TlsSetup) -> String {
        e.0
    }
}

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, RootCertStore, SignatureScheme};

/// The roots every verified connection starts from.
pub(crate) struct SystemRoots {
    /// The trust anchors, ready for rustls.
    pub store: RootCertStore,
    /// The same certificates as DER (empty when `bundled`), for APIs that take certificates.
    pub certs: Vec<CertificateDer<'static>>,
    /// True when the system store was empty or unreadable and Mozilla's bundled roots
    /// (webpki-roots) stand in for it.
    pub bundled: bool,
    /// Why the system store could not be read, when it could not.
    pub problem: Option<String>,
}

/// The system trust store, read on first use and kept for the life of the process.
pub(crate) fn system_roots() -> &'static SystemRoots {
    static ROOTS: OnceLock<SystemRoots> = OnceLock::new();
    ROOTS.get_or_init(load_system_roots)
}

fn load_system_roots() -> SystemRoots {
    let found = rustls_native_certs::load_native_certs();
    let mut store = RootCertStore::empty();
    let mut certs = Vec::new();
    let mut seen = HashSet::new();
    // The bundle file and the hashed directory usually hold the same certificates.
    for cert in found.certs {
        if seen.insert(cert.as_ref().to_vec()) && store.add(cert.clone()).is_ok() {
            certs.push(cert);
        }
    }
    let problem = found.errors.first().map(ToString::to_string);
    if !certs.is_empty() {
        return SystemRoots {
            store,
            certs,
            bundled: false,
            problem,
        };
    }
    // Fallback only: no usable system store (a minimal container without ca-certificates,
    // or SSL_CERT_FILE naming a missing file). Public services still verify against
    // Mozilla's roots, built into the binary.
    store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    SystemRoots {
        store,
        certs,
        bundled: true,
        problem,
    }
}

/// The certificates in the PEM file `ca_file` (at least one).
pub(crate) fn read_ca_file(ca_file: &Path) -> Result<Vec<CertificateDer<'static>>, TlsSetup> {
    let certs = CertificateDer::pem_file_iter(ca_file)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| match e {
            rustls::pki_types::pem::Error::Io(io) => {
                format!("cannot read ca_file {}: {io}", ca_file.display())
            }
            other => format!("ca_file {}: {other}", ca_file.display()),
        })?;
    if certs.is_empty() {
        return Err(TlsSetup(format!(
            "ca_file {} holds no PEM certificate",
            ca_file.display()
        )));
    }
    Ok(certs)
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The rustls client settings for HTTP: the system store plus `ca_file`'s certificates,
/// or no verification of the server's certificate at all when `insecure`.
///
/// `ca_file` is read now (so a wrong path is reported before any request); the system
/// store only when the first certificate is checked.
pub(crate) fn client_config(
    ca_file: Option<&Path>,
    insecure: bool,
) -> Result<rustls::ClientConfig, TlsSetup> {
    let provider = provider();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let verifier: Arc<dyn ServerCertVerifier> = if insecure {
        Arc::new(AcceptAnyCert(provider))
    } else {
        let extra = match ca_file {
            Some(path) => read_ca_file(path)?,
            None => Vec::new(),
        };
        Arc::new(Verifier {
            extra,
            provider,
            inner: OnceLock::new(),
        })
    };
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

/// Standard WebPKI verification against the system store plus `extra`, built on first
/// use; it also tells a self-signed certificate apart from one signed by an unknown CA.
#[derive(Debug)]
struct Verifier {
    extra: Vec<CertificateDer<'static>>,
    provider: Arc<CryptoProvider>,
    inner: OnceLock<Result<Arc<WebPkiServerVerifier>, TlsSetup>>,
}

impl Verifier {
    fn inner(&self) -> Result<&Arc<WebPkiServerVerifier>, rustls::Error> {
        self.inner
            .get_or_init(|| {
                let mut roots = system_roots().store.clone();
                for cert in &self.extra {
                    roots
                        .add(cert.clone())
                        .map_err(|e| format!("ca_file: {e}"))?;
                }
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots), self.provider.clone())
                    .build()
                    .map_err(|e| TlsSetup(e.to_string()))
            })
            .as_ref()
            .map_err(|e| rustls::Error::General(e.0.clone()))
    }
}

/// What our verifier knows beyond rustls' own verdict.
#[derive(Debug)]
enum Rejected {
    /// The server's certificate signs itself.
    SelfSigned,
    /// No trusted CA signed it, although the endpoint has a `ca_file`.
    UnknownIssuerDespiteCaFile,
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Rejected::SelfSigned => "self-signed certificate",
            Rejected::UnknownIssuerDespiteCaFile => "unknown issuer (not in ca_file either)",
        })
    }
}

impl std::error::Error for Rejected {}

fn rejected(r: Rejected) -> rustls::Error {
    rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(r))))
}

fn is_self_signed(cert: &CertificateDer<'_>) -> bool {
    webpki::EndEntityCert::try_from(cert).is_ok_and(|c| c.issuer() == c.subject())
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = self.inner()?.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        match result {
            Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)) => {
                Err(if intermediates.is_empty() && is_self_signed(end_entity) {
                    rejected(Rejected::SelfSigned)
                } else if !self.extra.is_empty() {
                    rejected(Rejected::UnknownIssuerDespiteCaFile)
                } else {
                    rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
                })
            }
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// `tls_insecure: true`: any certificate is accepted, but the handshake signatures are
/// still checked, so the connection is at least encrypted to whoever answered.
#[derive(Debug)]
struct AcceptAnyCert(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
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
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The rustls error among `e` and its causes (rustls reports handshake and certificate
/// problems inside the socket's `io::Error`).
pub(crate) fn find_error<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> Option<&'a rustls::Error> {
    let mut cause = Some(e);
    while let Some(c) = cause {
        if let Some(t) = c.downcast_ref::<rustls::Error>() {
            return Some(t);
        }
        if let Some(t) = c
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|i| i.downcast_ref::<rustls::Error>())
        {
            return Some(t);
        }
        cause = c.source();
    }
    None
}

/// What the caller knows that shapes the hint, for errors from a verifier other than
/// ours (lettre's): whether the endpoint has a `ca_file`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Context {
    /// The endpoint has a `ca_file`.
    pub has_ca_file: bool,
}

/// The cause of a rejected server certificate, with a hint; `None` for TLS failures that
/// are not about the certificate (the caller says what fits its protocol).
pub(crate) fn certificate_problem(e: &rustls::Error, ctx: Context) -> Option<String> {
    let rustls::Error::InvalidCertificate(cert) = e else {
        return None;
    };
    let clock = "check that this machine's clock is right";
    let ours = match cert {
        CertificateError::Other(other) => other.0.downcast_ref::<Rejected>(),
        _ => None,
    };
    match ours {
        Some(Rejected::UnknownIssuerDespiteCaFile) => {
            return Some(unknown_issuer("certificate signed by an unknown CA", true));
        }
        Some(Rejected::SelfSigned) => {
            return Some(
                "certificate is self-signed (hint: trust exactly this certificate with \
                 ca_file:, or give the server a certificate from a CA in the system store)"
                    .to_string(),
            );
        }
        None => {}
    }
    Some(match cert {
        // Our verifier tells a self-signed certificate apart; lettre's does not.
        CertificateError::UnknownIssuer => unknown_issuer(
            "certificate signed by an unknown CA (or self-signed)",
            ctx.has_ca_file,
        ),
        CertificateError::Expired => {
            format!("certificate expired (hint: the server must renew it; {clock})")
        }
        CertificateError::ExpiredContext { time, not_after } => format!(
            "certificate expired on {} (it is now {}; hint: the server must renew it; {clock})",
            date(not_after),
            date(time)
        ),
        CertificateError::NotValidYet => {
            format!("certificate is not valid yet (hint: {clock})")
        }
        CertificateError::NotValidYetContext { time, not_before } => format!(
            "certificate is not valid before {} (it is now {}; hint: {clock})",
            date(not_before),
            date(time)
        ),
        CertificateError::NotValidForName => {
            "certificate is not valid for this host name (hint: use a host name the \
             certificate names)"
                .to_string()
        }
        CertificateError::NotValidForNameContext {
            expected,
            presented,
        } => format!(
            "certificate is for {}, not {} (hint: use a host name the certificate names)",
            names(presented),
            server_name(expected)
        ),
        CertificateError::Revoked => "certificate has been revoked".to_string(),
        CertificateError::BadSignature => {
            "certificate has a bad signature (hint: is something between you and the server \
             rewriting traffic?)"
                .to_string()
        }
        other => format!(
            "certificate rejected: {}",
            rustls::Error::InvalidCertificate(other.clone())
        ),
    })
}

fn unknown_issuer(what: &str, has_ca_file: bool) -> String {
    let mut hint = if has_ca_file {
        "hint: neither ca_file nor the system store holds the CA that signed it; add the \
         CA with ca_file: or to the system store (SSL_CERT_FILE)"
            .to_string()
    } else {
        "hint: add the CA with ca_file: or to the system store (SSL_CERT_FILE)".to_string()
    };
    let roots = system_roots();
    if roots.bundled {
        hint.push_str("; the system store was not usable");
        if let Some(p) = &roots.problem {
            hint.push_str(&format!(" ({p})"));
        }
        hint.push_str(", so only the bundled public roots were trusted");
    }
    format!("{what} ({hint})")
}

fn date(t: &UnixTime) -> String {
    let secs = i64::try_from(t.as_secs()).unwrap_or(i64::MAX);
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|d| {
            d.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
            ))
            .ok()
        })
        .unwrap_or_else(|| format!("{secs} s after 1970"))
}

fn server_name(n: &ServerName<'_>) -> String {
    match n {
        ServerName::DnsName(d) => d.as_ref().to_string(),
        ServerName::IpAddress(ip) => std::net::IpAddr::from(*ip).to_string(),
        other => format!("{other:?}"),
    }
}

/// The names a certificate presents (`DnsName("a.example")` → `a.example`), at most 5,
/// control characters dropped (the names come from whoever answered).
fn names(presented: &[String]) -> String {
    if presented.is_empty() {
        return "no host name at all".to_string();
    }
    let clean = |s: &String| -> String {
        let inner = match (s.find('('), s.rfind(')')) {
            (Some(a), Some(b)) if a < b => &s[a + 1..b],
            _ => s.as_str(),
        };
        inner
            .trim_matches('"')
            .chars()
            .filter(|c| !c.is_control())
            .take(253)
            .collect()
    };
    let mut out: Vec<String> = presented.iter().take(5).map(clean).collect();
    if presented.len() > 5 {
        out.push(format!("{} more", presented.len() - 5));
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presented_names_are_readable() {
        assert_eq!(
            names(&[
                "DnsName(\"a.example\")".into(),
                "IpAddress(10.0.0.1)".into()
            ]),
            "a.example, 10.0.0.1"
        );
        assert_eq!(names(&[]), "no host name at all");
        assert_eq!(names(&["DnsName(\"x\ny\")".into()]), "xy");
        let many: Vec<String> = (0..8).map(|i| format!("DnsName(\"h{i}\")")).collect();
        assert_eq!(names(&many), "h0, h1, h2, h3, h4, 3 more");
    }

    #[test]
    fn dates_are_utc() {
        assert_eq!(
            date(&UnixTime::since_unix_epoch(std::time::Duration::from_secs(
                1_700_000_000
            ))),
            "2023-11-14 22:13:20 UTC"
        );
    }

    #[test]
    fn non_certificate_errors_are_left_to_the_caller() {
        assert!(
            certificate_problem(&rustls::Error::General("x".into()), Context::default()).is_none()
        );
    }
}
