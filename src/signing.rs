//! Webhook signatures over the exact bytes sent: Standard Webhooks, plain hex
//! (SimpleBackups' `SB-Signature`) and GitHub's `X-Hub-Signature-256`.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Which signature to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Scheme {
    /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<b64>`.
    #[default]
    Standard,
    /// Lowercase hex HMAC-SHA256 of the body in a named header.
    Hex,
    /// `X-Hub-Signature-256: sha256=<hex>`.
    Github,
}

/// How to sign one request.
#[derive(Debug, Clone)]
pub(crate) struct Signing {
    /// The scheme.
    pub scheme: Scheme,
    /// The secret as configured (`whsec_` secrets are base64-decoded for `standard`).
    pub secret: String,
    /// Header name for `hex` (default `X-Signature`).
    pub header: Option<String>,
    /// Message id for `standard` (the event id: stable across retries).
    pub id: String,
}

impl Signing {
    /// The signature headers for `body` (its bytes as raw, streamed piece by piece),
    /// sent at Unix time `timestamp`.
    pub(crate) fn headers(
        &self,
        body: &crate::body::Body,
        timestamp: u64,
    ) -> Vec<(String, String)> {
        let mac = |key: &[u8], prefix: &[u8]| {
            let Ok(mut m) = HmacSha256::new_from_slice(key) else {
                return Vec::new();
            };
            m.update(prefix);
            body.for_each_chunk(|c| m.update(c));
            m.finalize().into_bytes().to_vec()
        };
        match self.scheme {
            Scheme::Standard => {
                let ts = timestamp.to_string();
                let prefix = format!("{}.{ts}.", self.id);
                let sig = base64::engine::general_purpose::STANDARD
                    .encode(mac(&self.key(), prefix.as_bytes()));
                vec![
                    ("webhook-id".into(), self.id.clone()),
                    ("webhook-timestamp".into(), ts),
                    ("webhook-signature".into(), format!("v1,{sig}")),
                ]
            }
            Scheme::Hex => vec![(
                self.header.clone().unwrap_or_else(|| "X-Signature".into()),
                hex(&mac(self.secret.as_bytes(), b"")),
            )],
            Scheme::Github => vec![(
                "X-Hub-Signature-256".into(),
                format!("sha256={}", hex(&mac(self.secret.as_bytes(), b""))),
            )],
        }
    }

    /// The HMAC key for the standard scheme: a `whsec_` secret is base64-decoded.
    fn key(&self) -> Vec<u8> {
        self.secret
            .strip_prefix("whsec_")
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .unwrap_or_else(|| self.secret.as_bytes().to_vec())
    }

    /// Whether a `whsec_` secret fails to decode (a config error).
    pub(crate) fn bad_whsec(secret: &str) -> bool {
        secret
            .strip_prefix("whsec_")
            .is_some_and(|b| base64::engine::general_purpose::STANDARD.decode(b).is_err())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(scheme: Scheme, secret: &str, id: &str, ts: u64, body: &str) -> Vec<(String, String)> {
        Signing {
            scheme,
            secret: secret.into(),
            header: Some("SB-Signature".into()),
            id: id.into(),
        }
        .headers(&crate::body::Body::from(body.as_bytes().to_vec()), ts)
    }

    #[test]
    fn standard_webhooks_vector() {
        // The vector of CHANNELS.md §11: key bytes 0x00..0x1f.
        let key: Vec<u8> = (0u8..32).collect();
        let secret = format!(
            "whsec_{}",
            base64::engine::general_purpose::STANDARD.encode(key)
        );
        let h = sign(
            Scheme::Standard,
            &secret,
            "msg_test",
            1_700_000_000,
            r#"{"a":1}"#,
        );
        assert_eq!(h[2].1, "v1,zM805ub/HuNgRQquf7DOmQTAXz4paUhBB8MyV0LLA4M=");
        assert_eq!(h[0], ("webhook-id".into(), "msg_test".into()));
        assert_eq!(h[1].1, "1700000000");
    }

    #[test]
    fn github_vector() {
        let h = sign(
            Scheme::Github,
            "It's a Secret to Everybody",
            "",
            0,
            "Hello, World!",
        );
        assert_eq!(
            h[0].1,
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        );
    }

    #[test]
    fn hex_vector() {
        let h = sign(Scheme::Hex, "secret", "", 0, r#"{"a":1}"#);
        assert_eq!(h[0].0, "SB-Signature");
        assert_eq!(
            h[0].1,
            "aa9e2e3575f5d7098b6caccd790888c36d5fdb63342a73bada2d6a51747a8494"
        );
    }
}
