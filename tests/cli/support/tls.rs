//! A private CA and a server certificate for 127.0.0.1/localhost, made per test.

use std::path::{Path, PathBuf};

use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};

/// PEM files in a directory: `ca.pem` (to trust via `ca_file` or `SSL_CERT_FILE`),
/// `cert.pem`, `key.pem`.
pub struct TestCerts {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    pub cert_pem: String,
    pub key_pem: String,
}

/// What is wrong, if anything, with the server's certificate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Leaf {
    /// Signed by the CA, valid now, for 127.0.0.1 and localhost.
    Good,
    /// Signed by the CA, for the right names, but expired on 2021-01-01.
    Expired,
    /// Signed by the CA, valid now, but only for `other.example`.
    OtherHost,
    /// Valid now for the right names, but signed by its own key (the CA signed nothing).
    SelfSigned,
}

impl TestCerts {
    /// Make a CA and a good leaf for 127.0.0.1 and localhost, written under `dir`.
    pub fn new(dir: &Path) -> TestCerts {
        TestCerts::with(dir, Leaf::Good)
    }

    /// Make a CA and a leaf of the kind `leaf`, written under `dir` (created if missing).
    pub fn with(dir: &Path, leaf: Leaf) -> TestCerts {
        std::fs::create_dir_all(dir).unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        // A name of its own: two test CAs must not look like one to path building.
        static SERIAL: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = SERIAL.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ca_params.distinguished_name.push(
            rcgen::DnType::CommonName,
            format!("bnotify test CA {} {n}", std::process::id()),
        );
        let ca_key = KeyPair::generate().unwrap();
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let names = match leaf {
            Leaf::OtherHost => vec!["other.example".to_string()],
            _ => vec!["127.0.0.1".to_string(), "localhost".to_string()],
        };
        let mut params = CertificateParams::new(names).unwrap();
        if leaf == Leaf::Expired {
            params.not_before = rcgen::date_time_ymd(2020, 1, 1);
            params.not_after = rcgen::date_time_ymd(2021, 1, 1);
        }
        let key = KeyPair::generate().unwrap();
        let cert = if leaf == Leaf::SelfSigned {
            params.self_signed(&key).unwrap()
        } else {
            params.signed_by(&key, &ca, &ca_key).unwrap()
        };
        let t = TestCerts {
            ca: dir.join("ca.pem"),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        };
        std::fs::write(&t.ca, ca.pem()).unwrap();
        std::fs::write(&t.cert, &t.cert_pem).unwrap();
        std::fs::write(&t.key, &t.key_pem).unwrap();
        t
    }
}
