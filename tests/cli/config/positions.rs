//! Every config error points at the line and column of the key or value it is about, in
//! block style, flow style and JSON, from the parser's own positions.

use std::time::{Duration, Instant};

use super::check;

/// (case, config, the error's first line after the directory, its hint).
const CASES: &[(&str, &str, &str, &str)] = &[
        (
            "block unknown key",
            "endpoints:\n  - name: a\n    type: webhook\n    url: http://h\n    methd: PUT\n",
            "config.yaml:5:5: endpoint \"a\" (webhook): unknown key \"methd\"",
            "did you mean \"method\"?",
        ),
        (
            "block missing key",
            "endpoints:\n  - name: a\n    type: webhook\n",
            "config.yaml:2:5: endpoint \"a\" (webhook): missing required key \"url\"",
            "add \"url: ...\"",
        ),
        (
            "block wrong type",
            "endpoints:\n  - name: a\n    type: webhook\n    url: http://h\n    retries: many\n",
            "config.yaml:5:14: endpoint \"a\" (webhook): retries: invalid type: string \"many\", expected u32",
            "",
        ),
        (
            "block unknown type",
            "endpoints:\n  - name: a\n    type: webhok\n    url: http://h\n",
            "config.yaml:3:11: endpoint \"a\" (webhok): unknown type \"webhok\"",
            "did you mean \"webhook\"?",
        ),
        (
            "block bad url",
            "endpoints:\n  - name: a\n    type: webhook\n    url: ftp://h\n",
            "config.yaml:4:10: endpoint \"a\" (webhook): url: \"****\" is not a usable http(s) URL: it must start with http:// or https://",
            "write the full URL, e.g. https://example.com/hook",
        ),
        (
            "block template",
            "endpoints:\n  - name: a\n    type: webhook\n    url: http://h\n    title: \"{{ x\"\n",
            "config.yaml:5:12: endpoint \"a\" (webhook): title template error at line 1: unexpected end of input, expected end of variable block",
            "",
        ),
        (
            "block fallback",
            "endpoints:\n  - name: a\n    type: webhook\n    url: http://h\n    fallback: [nobody]\n",
            "config.yaml:5:5: endpoint \"a\" (webhook): fallback \"nobody\" is not an endpoint",
            "endpoints: a",
        ),
        (
            "block duplicate",
            "endpoints:\n  - name: a\n    type: webhook\n    url: http://h\n  - name: a\n    type: webhook\n    url: http://h\n",
            "config.yaml:5:11: endpoint \"a\" (webhook): duplicate endpoint name \"a\"",
            "give every endpoint a unique name",
        ),
        (
            "block unset var",
            "endpoints:\n  - name: a\n    type: webhook\n    url: ${NOPE_UNSET}\n",
            "config.yaml:4:10: endpoint \"a\" (webhook): environment variable NOPE_UNSET is not set",
            "export NOPE_UNSET=..., or write ${NOPE_UNSET:-default} to fall back to a default",
        ),
        (
            "block nested key",
            "endpoints:\n  - name: a\n    type: webhook\n    url: http://h\n    signing: {secert: x}\n",
            "config.yaml:5:15: endpoint \"a\" (webhook): signing: unknown key \"secert\"",
            "did you mean \"secret\"?",
        ),
        (
            "block bad duration",
            "endpoints:\n  - name: a\n    type: webhook\n    url: http://h\n    timeout: soon\n",
            "config.yaml:5:14: endpoint \"a\" (webhook): timeout: invalid duration \"soon\": expected number at 0",
            "write a duration above zero and at most 1 hour, e.g. 10s",
        ),
        (
            "block missing type",
            "endpoints:\n  - name: a\n    url: http://h\n",
            "config.yaml:2:5: endpoint \"a\": missing required key \"type\"",
            "add e.g. \"type: webhook\";",
        ),
        (
            "block root key",
            "enabeld: true\nendpoints: []\n",
            "config.yaml:1:1: unknown key \"enabeld\"",
            "did you mean \"enabled\"?",
        ),
        (
            "block not a list",
            "endpoints: {a: 1}\n",
            "config.yaml:1:12: \"endpoints\" must be a list",
            "write one \"- name: ...\" entry per endpoint",
        ),
        (
            "flow unknown key",
            "endpoints:\n  - {name: a, type: webhook, url: http://h, methd: PUT}\n",
            "config.yaml:2:45: endpoint \"a\" (webhook): unknown key \"methd\"",
            "did you mean \"method\"?",
        ),
        (
            "flow missing key",
            "endpoints:\n  - {name: a, type: webhook}\n",
            "config.yaml:2:5: endpoint \"a\" (webhook): missing required key \"url\"",
            "add \"url: ...\"",
        ),
        (
            "flow wrong type",
            "endpoints:\n  - {name: a, type: webhook, url: http://h, retries: many}\n",
            "config.yaml:2:54: endpoint \"a\" (webhook): retries: invalid type: string \"many\", expected u32",
            "",
        ),
        (
            "flow unknown type",
            "endpoints:\n  - {name: a, type: webhok, url: http://h}\n",
            "config.yaml:2:21: endpoint \"a\" (webhok): unknown type \"webhok\"",
            "did you mean \"webhook\"?",
        ),
        (
            "flow bad url",
            "endpoints:\n  - {name: a, type: webhook, url: \"ftp://h\"}\n",
            "config.yaml:2:35: endpoint \"a\" (webhook): url: \"****\" is not a usable http(s) URL: it must start with http:// or https://",
            "write the full URL, e.g. https://example.com/hook",
        ),
        (
            "flow template",
            "endpoints:\n  - {name: a, type: webhook, url: http://h, body: \"{% if %}\"}\n",
            "config.yaml:2:51: endpoint \"a\" (webhook): body template error at line 1: unexpected end of block",
            "",
        ),
        (
            "flow fallback",
            "endpoints:\n  - {name: a, type: webhook, url: http://h, fallback: [nobody]}\n",
            "config.yaml:2:45: endpoint \"a\" (webhook): fallback \"nobody\" is not an endpoint",
            "endpoints: a",
        ),
        (
            "flow duplicate",
            "endpoints:\n  - {name: a, type: webhook, url: http://h}\n  - {name: a, type: webhook, url: http://h}\n",
            "config.yaml:3:12: endpoint \"a\" (webhook): duplicate endpoint name \"a\"",
            "give every endpoint a unique name",
        ),
        (
            "json unknown key",
            "{\"endpoints\": [\n  {\"name\": \"a\", \"type\": \"webhook\", \"url\": \"http://h\", \"methd\": \"PUT\"}]}\n",
            "config.yaml:2:55: endpoint \"a\" (webhook): unknown key \"methd\"",
            "did you mean \"method\"?",
        ),
        (
            "json missing key",
            "{\"endpoints\": [\n  {\"name\": \"a\", \"type\": \"webhook\"}]}\n",
            "config.yaml:2:3: endpoint \"a\" (webhook): missing required key \"url\"",
            "add \"url: ...\"",
        ),
        (
            "json wrong type",
            "{\"endpoints\": [\n  {\"name\": \"a\", \"type\": \"webhook\", \"url\": \"http://h\", \"retries\": \"many\"}]}\n",
            "config.yaml:2:66: endpoint \"a\" (webhook): retries: invalid type: string \"many\", expected u32",
            "",
        ),
        (
            "json unknown type",
            "{\"notification\": {\"endpoints\": [\n  {\"name\": \"a\", \"type\": \"webhok\", \"url\": \"http://h\"}]}}\n",
            "config.yaml:2:25: endpoint \"a\" (webhok): unknown type \"webhok\"",
            "did you mean \"webhook\"?",
        ),
        (
            "json bad url",
            "{\"notification\": {\"endpoints\": [\n  {\"name\": \"a\", \"type\": \"webhook\", \"url\": \"ftp://h\"}]}}\n",
            "config.yaml:2:43: endpoint \"a\" (webhook): url: \"****\" is not a usable http(s) URL: it must start with http:// or https://",
            "write the full URL, e.g. https://example.com/hook",
        ),
        (
            "json fallback",
            "{\"endpoints\": [\n  {\"name\": \"a\", \"type\": \"webhook\", \"url\": \"http://h\", \"fallback\": [\"nobody\"]}]}\n",
            "config.yaml:2:55: endpoint \"a\" (webhook): fallback \"nobody\" is not an endpoint",
            "endpoints: a",
        ),
        (
            "json duplicate",
            "{\"endpoints\": [\n  {\"name\": \"a\", \"type\": \"webhook\", \"url\": \"http://h\"},\n  {\"name\": \"a\", \"type\": \"webhook\", \"url\": \"http://h\"}]}\n",
            "config.yaml:3:12: endpoint \"a\" (webhook): duplicate endpoint name \"a\"",
            "give every endpoint a unique name",
        ),
        (
            "json root key",
            "{\"notification\": {\"evnets\": [\"x\"]}}\n",
            "config.yaml:1:19: unknown key \"evnets\"",
            "did you mean \"events\"?",
        ),
];

#[test]
fn every_error_points_at_its_key_or_value() {
    for (name, yaml, want, hint) in CASES {
        let out = check(yaml);
        assert_eq!(out.code, 2, "{name}: {}", out.stderr);
        let first = out.stderr.lines().next().unwrap_or("");
        assert!(
            first.starts_with("error: /") && first.ends_with(want),
            "{name}: first line\n{first}\nwant it to end with\n{want}\n--- stderr\n{}",
            out.stderr
        );
        if !hint.is_empty() {
            let got = out.stderr.lines().nth(1).unwrap_or("");
            assert!(
                got.starts_with(&format!("hint: {hint}")),
                "{name}: hint\n{got}\nwant\nhint: {hint}"
            );
        }
    }
}

/// An email endpoint without `from`, followed by a twilio endpoint that has one: the error
/// is in the email endpoint, not at the twilio `from`.
#[test]
fn a_missing_key_points_into_its_own_endpoint_not_the_next() {
    for (style, yaml, want) in [
        (
            "block",
            "endpoints:\n  - name: mail\n    type: email\n    smtp_host: 127.0.0.1\n    destinations: [{email: a@example.com}]\n  - name: sms\n    type: twilio\n    account_sid: AC1\n    auth_token: t\n    from: \"+1\"\n    to: [\"+2\"]\n",
            "config.yaml:2:5: endpoint \"mail\" (email): missing required key \"from\"",
        ),
        (
            "flow",
            "endpoints:\n  - {name: mail, type: email, smtp_host: 127.0.0.1, destinations: [{email: a@example.com}]}\n  - {name: sms, type: twilio, account_sid: AC1, auth_token: t, from: \"+1\", to: [\"+2\"]}\n",
            "config.yaml:2:5: endpoint \"mail\" (email): missing required key \"from\"",
        ),
        (
            "json",
            "{\"notification\": {\"endpoints\": [\n  {\"name\": \"mail\", \"type\": \"email\", \"smtp_host\": \"127.0.0.1\", \"destinations\": [{\"email\": \"a@example.com\"}]},\n  {\"name\": \"sms\", \"type\": \"twilio\", \"account_sid\": \"AC1\", \"auth_token\": \"t\", \"from\": \"+1\", \"to\": [\"+2\"]}]}}\n",
            "config.yaml:2:3: endpoint \"mail\" (email): missing required key \"from\"",
        ),
    ] {
        let out = check(yaml);
        assert_eq!(out.code, 2, "{style}: {}", out.stderr);
        assert!(out.stderr.lines().next().unwrap_or("").ends_with(want), "{style}:\n{}", out.stderr);
        assert!(out.stderr.contains("hint: add from:"), "{style}:\n{}", out.stderr);
        assert!(!out.stderr.contains("twilio"), "{style}: the twilio endpoint is fine:\n{}", out.stderr);
    }
}

/// Deep nesting and alias bombs are refused at once, with a message that says why and
/// where; nothing else is reported.
#[test]
fn deep_nesting_and_alias_bombs_are_refused_at_once() {
    let block = format!("endpoints:\n  {}x\n", "- ".repeat(100_000));
    let flow = format!(
        "endpoints: {}{}\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let mut lol =
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
            .to_string();
    for (p, n) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        lol.push_str(&format!(
            "{n}: &{n} [{}]\n",
            vec![format!("*{p}"); 9].join(",")
        ));
    }
    lol.push_str("endpoints: []\n");
    for (name, yaml, want) in [
        ("100,000 levels, block", block.as_str(), "config.yaml:2:"),
        ("100,000 levels, flow", flow.as_str(), "config.yaml:1:"),
        ("billion laughs", lol.as_str(), "config.yaml:"),
    ] {
        let t = Instant::now();
        let out = check(yaml);
        let took = t.elapsed();
        assert_eq!(out.code, 2, "{name}: {}", out.stderr);
        assert!(out.stderr.contains(want), "{name}:\n{}", out.stderr);
        let why = if name.starts_with("billion") {
            "alias bomb"
        } else {
            "nests more than 64 levels"
        };
        assert!(out.stderr.contains(why), "{name}:\n{}", out.stderr);
        // Generous for a debug build on a loaded machine; scripts/bench.py measures release.
        assert!(took < Duration::from_secs(3), "{name} took {took:?}");
    }
}

/// A large config loads in time proportional to its size: 4x the endpoints may take at
/// most 8x the time (debug build, noisy machine; the bench holds release to 5x).
#[test]
fn loading_is_linear_in_the_number_of_endpoints() {
    let config = |n: usize| {
        let mut y = String::from("endpoints:\n");
        for i in 0..n {
            y.push_str(&format!("  - {{name: ep{i}, type: webhook, url: \"http://127.0.0.1:9/ep{i}\", retries: 0}}\n"));
        }
        y
    };
    let time = |n: usize| {
        let y = config(n);
        (0..3)
            .map(|_| {
                let t = Instant::now();
                check(&y).code(0);
                t.elapsed()
            })
            .min()
            .unwrap_or_default()
    };
    let small = time(1_000);
    let big = time(4_000);
    assert!(
        big < small * 8,
        "1,000 endpoints: {small:?}, 4,000: {big:?}"
    );
}
