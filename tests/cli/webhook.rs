use serde_json::Value;

use crate::support::{run, Env, Server};

fn config(url: &str, extra: &str) -> String {
    format!("endpoints:\n  - name: hook\n    type: webhook\n    url: {url}\n{extra}")
}

fn send(env: &Env, args: &[&str]) -> crate::support::Out {
    let mut c = env.cmd();
    c.arg("send").args(args);
    run(c)
}

#[test]
fn bnotify_format_carries_every_key_and_the_token() {
    let srv = Server::ok();
    let env = Env::new(&config(
        &srv.url("/hook/x?a=1"),
        "    token: tok-123\n    headers: {X-Team: ops}\n",
    ));
    send(
        &env,
        &[
            "--event",
            "backup_failure",
            "--job",
            "mysql",
            "--error",
            "disk full",
            "--backup-size",
            "1.5GiB",
            "--tag",
            "daily",
            "--tag",
            "db",
            "--host",
            "db1",
            "--duration",
            "4m 12s",
            "--field",
            "region=eu",
            "--id",
            "run-1",
        ],
    )
    .code(0)
    .err_has("ok  ")
    .err_has("hook");
    let r = srv.one();
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/hook/x");
    assert_eq!(r.query, "a=1");
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(r.header("X-Webhook-Token"), Some("tok-123"));
    assert_eq!(r.header("X-Team"), Some("ops"));
    assert!(r.header("User-Agent").unwrap().starts_with("bnotify/"));
    let j = r.json();
    assert_eq!(j["event"], "backup_failure");
    assert_eq!(j["status"], "failure");
    assert_eq!(j["task"], "mysql");
    assert_eq!(j["id"], "run-1");
    assert_eq!(j["host"], "db1");
    assert_eq!(j["error"], "disk full");
    assert_eq!(j["backup"]["size"], 1_610_612_736u64);
    assert_eq!(j["backup"]["tags"], serde_json::json!(["daily", "db"]));
    assert_eq!(j["duration_ms"], 252_000);
    assert_eq!(j["fields"]["region"], "eu");
    assert_eq!(j["title"], "Backup failed: mysql on db1");
    assert_eq!(j["desp"], j["body"]);
    assert!(j["body"].as_str().unwrap().contains("Error: disk full"));
    for key in [
        "message",
        "operator",
        "source",
        "dump_path",
        "started_at",
        "finished_at",
    ] {
        assert!(j[key].is_null(), "{key} should be null");
    }
}

#[test]
fn put_method() {
    let srv = Server::ok();
    let env = Env::new(&config(&srv.url("/h"), "    method: PUT\n"));
    send(&env, &["--event", "backup_success"]).code(0);
    assert_eq!(srv.one().method, "PUT");
}

#[test]
fn backupman_format() {
    let srv = Server::ok();
    let env = Env::new(&config(&srv.url("/h"), "    format: backupman\n"));
    let payload = env.path("p.json");
    std::fs::write(
        &payload,
        r#"{"task":"Mysql 1","dump_path":"/tmp/d.sql.gz","started_at":"2025-07-02T10:00:00Z",
            "finished_at":"2025-07-02T10:05:00Z","backup":{"id":"b4c3"},
            "drive_files":[{"Id":"d1","Provider":"google_drive"}]}"#,
    )
    .unwrap();
    send(
        &env,
        &[
            "--event",
            "backup_report",
            "--payload",
            payload.to_str().unwrap(),
        ],
    )
    .code(0);
    let j = srv.one().json();
    assert_eq!(j["Event"], "backup_report");
    let p = &j["Payload"];
    assert_eq!(p["Id"], "b4c3");
    assert_eq!(p["Status"], "finished");
    assert_eq!(p["Label"], "Mysql 1");
    assert_eq!(p["DumpPath"], "/tmp/d.sql.gz");
    assert_eq!(p["CreatedAt"], "2025-07-02T10:00:00Z");
    assert_eq!(p["UpdatedAt"], "2025-07-02T10:05:00Z");
    assert_eq!(p["DriveFiles"][0]["Provider"], "google_drive");
}

#[test]
fn simplebackups_format() {
    let srv = Server::ok();
    let env = Env::new(&config(&srv.url("/h"), "    format: simplebackups\n"));
    send(
        &env,
        &[
            "--event",
            "restore_failure",
            "--job",
            "Acme Project",
            "--id",
            "run-9",
            "--started-at",
            "2021-10-10T10:01:10Z",
            "--finished-at",
            "2021-10-10T12:10:10+02:00",
            "--backup-id",
            "b-1",
            "--field",
            "server_name=Acme Server",
            "--field",
            "storage_name=Acme Storage",
        ],
    )
    .code(0);
    let j = srv.one().json();
    assert_eq!(j["id"], "run-9");
    assert_eq!(j["type"], "restore");
    assert_eq!(j["status"], "error");
    assert_eq!(j["started_at"], "2021-10-10 10:01:10");
    assert_eq!(j["finished_at"], "2021-10-10 10:10:10");
    assert_eq!(
        j["backup"],
        serde_json::json!({"id": "b-1", "name": "Acme Project", "type": "file"})
    );
    assert_eq!(j["server"]["name"], "Acme Server");
    assert_eq!(j["storage"]["name"], "Acme Storage");
}

#[test]
fn k8s_format() {
    let srv = Server::ok();
    let env = Env::new(&config(&srv.url("/h"), "    format: k8s\n"));
    send(
        &env,
        &[
            "--event",
            "backup_success",
            "--message",
            "Volume backup completed",
            "--host",
            "default-pvc",
            "--field",
            "volume=my-data-pvc",
        ],
    )
    .code(0);
    assert_eq!(
        srv.one().json(),
        serde_json::json!({"status": "success", "message": "Volume backup completed", "host": "default-pvc", "volume": "my-data-pvc"})
    );
}

#[test]
fn template_format_and_its_errors() {
    let srv = Server::ok();
    let yaml = format!(
        "endpoints:\n  - name: good\n    type: webhook\n    url: {u}\n    format: template\n    payload: '{{\"text\": {{{{ title | tojson }}}}, \"size\": \"{{{{ backup.size | humansize }}}}\"}}'\n  - name: notjson\n    type: webhook\n    url: {u}\n    format: template\n    payload: |\n      {{\n      \"text\": {{{{ title }}}}\n      }}\n",
        u = srv.url("/t")
    );
    let env = Env::new(&yaml);
    let out = send(
        &env,
        &[
            "--event",
            "backup_success",
            "--job",
            "j",
            "--host",
            "h",
            "--backup-size",
            "2048",
        ],
    );
    out.code(1).err_has("notjson").err_has("not JSON (line 2");
    let r = srv.one();
    assert_eq!(
        r.json(),
        serde_json::json!({"text": "Backup succeeded: j on h", "size": "2 KiB"})
    );
}

fn verify_standard_with_python(r: &crate::support::Request, secret: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("body"), &r.body).unwrap();
    let headers = serde_json::json!({
        "webhook-id": r.header("webhook-id").unwrap(),
        "webhook-timestamp": r.header("webhook-timestamp").unwrap(),
        "webhook-signature": r.header("webhook-signature").unwrap(),
    });
    std::fs::write(dir.path().join("headers"), headers.to_string()).unwrap();
    let script = "import json,sys\nfrom standardwebhooks.webhooks import Webhook\nd=sys.argv[1]\nbody=open(d+'/body','rb').read().decode()\nh=json.load(open(d+'/headers'))\nWebhook(sys.argv[2]).verify(body,h)\nprint('verified')\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script, dir.path().to_str().unwrap(), secret])
        .output()
        .expect("python3 runs");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("verified"),
        "standardwebhooks rejected the signature (run scripts/test.sh to install it): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn standard_signature_verifies_with_the_reference_library() {
    let srv = Server::ok();
    let secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    let env = Env::new(&config(
        &srv.url("/s"),
        &format!("    signing: {{secret: \"{secret}\"}}\n"),
    ));
    send(
        &env,
        &[
            "--event",
            "backup_failure",
            "--id",
            "evt-7",
            "--message",
            "ünïcode & <x>",
        ],
    )
    .code(0);
    let r = srv.one();
    assert_eq!(r.header("webhook-id"), Some("evt-7"));
    let ts: u64 = r.header("webhook-timestamp").unwrap().parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(now.abs_diff(ts) < 60);
    verify_standard_with_python(&r, secret);
}

/// HMAC-SHA256 written here from RFC 2104, independent of the crate under test.
fn hmac_sha256_hex(key: &[u8], msg: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::digest([ipad.as_slice(), msg].concat());
    let outer = Sha256::digest([opad.as_slice(), inner.as_slice()].concat());
    outer.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn hex_signature_is_hmac_of_the_raw_body() {
    let srv = Server::ok();
    let env = Env::new(&config(
        &srv.url("/sb"),
        "    format: simplebackups\n    signing: {secret: sb-secret, scheme: hex, header: SB-Signature}\n",
    ));
    send(&env, &["--event", "backup_success"]).code(0);
    let r = srv.one();
    assert_eq!(
        r.header("SB-Signature").unwrap(),
        hmac_sha256_hex(b"sb-secret", &r.body)
    );
}

#[test]
fn github_signature() {
    let srv = Server::ok();
    let env = Env::new(&config(
        &srv.url("/gh"),
        "    signing: {secret: gh-secret, scheme: github}\n",
    ));
    send(&env, &["--event", "backup_success"]).code(0);
    let r = srv.one();
    assert_eq!(
        r.header("X-Hub-Signature-256").unwrap(),
        format!("sha256={}", hmac_sha256_hex(b"gh-secret", &r.body))
    );
}

#[test]
fn signature_is_fresh_on_each_retry() {
    let srv = Server::statuses(&[503, 200]);
    let env = Env::new(&config(
        &srv.url("/r"),
        "    signing: {secret: s3cr3t-value, scheme: github}\n",
    ));
    send(&env, &["--event", "backup_success"]).code(0);
    let reqs = srv.requests();
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert_eq!(
            r.header("X-Hub-Signature-256").unwrap(),
            format!("sha256={}", hmac_sha256_hex(b"s3cr3t-value", &r.body))
        );
    }
    assert_eq!(reqs[0].body, reqs[1].body, "a retry sends the same bytes");
}

#[test]
fn prime_backup_json_config_works_unchanged() {
    let srv = Server::ok();
    let json = format!(
        r#"{{
    "notification": {{
        "enabled": true,
        "events": ["backup_start", "backup_success", "backup_failure"],
        "endpoints": [
            {{"enabled": true, "name": "webhook", "type": "webhook", "url": "{}",
              "headers": {{"Authorization": "Bearer token-abc"}}, "timeout": "5s"}}
        ]
    }}
}}"#,
        srv.url("/pb")
    );
    let env = Env::new(&json);
    send(&env, &["--event", "backup_start", "--job", "world"]).code(0);
    send(&env, &["--event", "restore_start"]).code(0);
    let r = srv.one();
    assert_eq!(r.header("Authorization"), Some("Bearer token-abc"));
    let j: Value = r.json();
    assert_eq!(j["status"], "start");
}
