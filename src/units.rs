//! Units and clocks, a leaf every layer may use: byte sizes (`1.5GiB`), durations
//! (`4m 12s`), RFC 3339 times, the Unix clock, and the marker of a cut text.

use std::time::{Duration, SystemTime};

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A size, time or duration that cannot be read: what was written and what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnitError(pub String);

impl From<String> for UnitError {
    fn from(s: String) -> UnitError {
        UnitError(s)
    }
}

impl From<&str> for UnitError {
    fn from(s: &str) -> UnitError {
        UnitError(s.to_string())
    }
}

impl From<UnitError> for String {
    fn from(e: UnitError) -> String {
        e.0
    }
}

/// Parse a byte size: `123`, `1.5GiB`, `700MB`, `4 KiB`, `2k`.
pub(crate) fn parse_size(s: &str) -> Result<u64, UnitError> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("\"{s}\" is not a size; use bytes or e.g. 1.5GiB, 700MB"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
            "unknown size unit \"{other}\" in \"{s}\"; use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB"
        )
            .into())
        }
    };
    Ok((n * mult).round() as u64)
}

/// Check that `s` is an RFC 3339 timestamp.
pub(crate) fn check_rfc3339(s: &str) -> Result<(), UnitError> {
    OffsetDateTime::parse(s, &Rfc3339).map(|_| ()).map_err(|_| {
        UnitError(format!(
            "\"{s}\" is not an RFC 3339 time; use e.g. 2026-11-23T22:10:00Z"
        ))
    })
}

/// The current time as RFC 3339 in UTC, to the second.
pub(crate) fn now_rfc3339() -> String {
    let now = OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&Rfc3339).unwrap_or_default()
}

/// `1536` → `1.5 KiB`.
pub(crate) fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut v = bytes as f64;
    let mut unit = "B";
    for u in UNITS {
        if v < 1024.0 {
            break;
        }
        v /= 1024.0;
        unit = u;
    }
    format!("{} {unit}", trim_float(v))
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map_or(s.clone(), str::to_string)
}

/// `252000` ms → `4m 12s`.
pub(crate) fn human_duration(ms: u64) -> String {
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let secs = ms / 1000;
    let (d, h, m, s) = (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "m"), (s, "s")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    parts.join(" ")
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `\n… 12,345 characters cut …\n` (with spaces instead of newlines in one-line text).
pub(crate) fn cut_marker(removed: usize, sep: &str) -> String {
    let unit = if removed == 1 {
        "character"
    } else {
        "characters"
    };
    format!("{sep}… {} {unit} cut …{sep}", grouped(removed))
}

/// `12345` → `12,345`.
pub(crate) fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// The longest duration the config accepts: 100 years (of 365.25 days, as humantime counts).
pub(crate) const MAX_DURATION: Duration = Duration::from_secs(3_155_760_000);
/// The longest `timeout` the config accepts: 1 hour.
pub(crate) const MAX_TIMEOUT: Duration = Duration::from_secs(3600);

/// A duration written as humantime (`5s`, `1m 30s`) or a number of seconds, above zero
/// and at most [`MAX_DURATION`].
pub(crate) fn opt_duration<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Duration>, D::Error> {
    bounded_duration(d, MAX_DURATION, "100 years", "10m")
}

/// A `timeout`: like [`opt_duration`], at most [`MAX_TIMEOUT`].
pub(crate) fn opt_timeout<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Duration>, D::Error> {
    bounded_duration(d, MAX_TIMEOUT, "1 hour", "10s")
}

fn bounded_duration<'de, D: serde::Deserializer<'de>>(
    d: D,
    max: Duration,
    max_text: &str,
    example: &str,
) -> Result<Option<Duration>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Secs(f64),
        Text(String),
    }
    let range =
        format!("\nhint: write a duration above zero and at most {max_text}, e.g. {example}");
    let (shown, parsed) = match <Option<Raw> as serde::Deserialize>::deserialize(d)? {
        None => return Ok(None),
        Some(Raw::Secs(s)) if !s.is_finite() || s < 0.0 => {
            return Err(serde::de::Error::custom(format!(
                "invalid duration {s}{range}"
            )))
        }
        Some(Raw::Secs(s)) => {
            let ok = s <= max.as_secs_f64();
            (s.to_string(), ok.then(|| Duration::from_secs_f64(s)))
        }
        Some(Raw::Text(t)) => match humantime::parse_duration(t.trim()) {
            Ok(v) => (format!("\"{t}\""), Some(v)),
            Err(humantime::DurationError::NumberOverflow) => (format!("\"{t}\""), None),
            Err(e) => {
                return Err(serde::de::Error::custom(format!(
                    "invalid duration \"{t}\": {e}{range}"
                )))
            }
        },
    };
    match parsed {
        Some(v) if !v.is_zero() && v <= max => Ok(Some(v)),
        Some(v) if v.is_zero() => Err(serde::de::Error::custom(format!(
            "duration {shown} is zero{range}"
        ))),
        _ => Err(serde::de::Error::custom(format!(
            "duration {shown} is longer than {max_text}{range}"
        ))),
    }
}
