//! The engines fleets already run, started for real on 127.0.0.1 ports of their own with
//! their config and data in a temp directory (scripts/test.sh installs them): readiness is
//! polled, never slept for, and each is killed when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{closed_port, tls::TestCerts};

/// A running daemon; killed when dropped.
pub struct Daemon {
    pub port: u16,
    child: Child,
    name: &'static str,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    fn spawn(name: &'static str, mut cmd: Command, port: u16, dir: &Path) -> Daemon {
        let log = std::fs::File::create(dir.join(format!("{name}.log"))).unwrap();
        let child = cmd
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!("{name} does not start ({e}); run scripts/test.sh, it installs it")
            });
        Daemon { port, child, name }
    }

    /// Wait until `ready` holds, failing with the daemon's log after 20 s.
    fn wait(mut self, dir: &Path, ready: impl Fn(u16) -> bool) -> Daemon {
        let until = Instant::now() + Duration::from_secs(20);
        while Instant::now() < until {
            if ready(self.port) {
                return self;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}): {}",
                    self.name,
                    std::fs::read_to_string(dir.join(format!("{}.log", self.name)))
                        .unwrap_or_default()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "{} not ready after 20 s: {}",
            self.name,
            std::fs::read_to_string(dir.join(format!("{}.log", self.name))).unwrap_or_default()
        );
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// GET `path` as text.
    pub fn get(&self, path: &str) -> String {
        ureq::get(&format!("{}{path}", self.url()))
            .call()
            .unwrap()
            .into_string()
            .unwrap()
    }

    /// GET `path` as JSON.
    pub fn json(&self, path: &str) -> serde_json::Value {
        serde_json::from_str(&self.get(path)).unwrap()
    }
}

fn http_ready(path: &'static str) -> impl Fn(u16) -> bool {
    move |port| {
        ureq::get(&format!("http://127.0.0.1:{port}{path}"))
            .timeout(Duration::from_secs(2))
            .call()
            .is_ok()
    }
}

fn port_open(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_ok()
}

/// A real Alertmanager whose route groups by alertname and task.
pub fn alertmanager(dir: &Path) -> Daemon {
    let dir = sub(dir, "alertmanager");
    let config = dir.join("alertmanager.yml");
    std::fs::write(
        &config,
        "route:\n  receiver: nobody\n  group_by: [alertname, task]\n  group_wait: 1h\n\
         receivers:\n  - name: nobody\n\
         inhibit_rules:\n  - source_matchers: [alertname=BackupFailed]\n    target_matchers: [alertname=BackupMissed]\n    equal: [task, host]\n",
    )
    .unwrap();
    let port = closed_port();
    let mut cmd = Command::new("prometheus-alertmanager");
    cmd.arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.path={}", dir.join("data").display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .arg("--cluster.listen-address=");
    Daemon::spawn("alertmanager", cmd, port, &dir).wait(&dir, http_ready("/-/ready"))
}

/// A real Pushgateway.
pub fn pushgateway(dir: &Path) -> Daemon {
    let dir = sub(dir, "pushgateway");
    let port = closed_port();
    let mut cmd = Command::new("prometheus-pushgateway");
    cmd.arg(format!("--web.listen-address=127.0.0.1:{port}"));
    Daemon::spawn("pushgateway", cmd, port, &dir).wait(&dir, http_ready("/-/ready"))
}

/// A real mosquitto: `port` plain, `tls_port` TLS (certificate from `certs`), both
/// requiring user `bnotify` with password `s3cret-mqtt`.
pub struct Mosquitto {
    pub daemon: Daemon,
    pub tls_port: u16,
    pub certs: TestCerts,
}

/// The broker's user.
pub const MQTT_USER: &str = "bnotify";
/// The broker's password.
pub const MQTT_PASSWORD: &str = "s3cret-mqtt";

/// Start mosquitto.
pub fn mosquitto(dir: &Path) -> Mosquitto {
    let dir = sub(dir, "mosquitto");
    let certs = TestCerts::new(&dir.join("certs"));
    let passwd = dir.join("passwd");
    let ok = Command::new("mosquitto_passwd")
        .args(["-b", "-c"])
        .arg(&passwd)
        .args([MQTT_USER, MQTT_PASSWORD])
        .status()
        .expect("mosquitto_passwd runs (scripts/test.sh installs mosquitto)");
    assert!(ok.success());
    let (port, tls_port) = (closed_port(), closed_port());
    let config = dir.join("mosquitto.conf");
    std::fs::write(
        &config,
        format!(
            "user root\npersistence false\nper_listener_settings false\nallow_anonymous false\n\
             password_file {}\nlog_dest stderr\n\
             listener {port} 127.0.0.1\n\
             listener {tls_port} 127.0.0.1\ncertfile {}\nkeyfile {}\n",
            passwd.display(),
            certs.cert.display(),
            certs.key.display()
        ),
    )
    .unwrap();
    let mut cmd = Command::new("mosquitto");
    cmd.arg("-c").arg(&config);
    let daemon = Daemon::spawn("mosquitto", cmd, port, &dir)
        .wait(&dir, |p| port_open(p) && port_open(tls_port));
    Mosquitto {
        daemon,
        tls_port,
        certs,
    }
}

impl Mosquitto {
    /// `mqtt://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("mqtt://127.0.0.1:{}", self.daemon.port)
    }

    /// `mqtts://localhost:<tls_port>`.
    pub fn tls_url(&self) -> String {
        format!("mqtts://localhost:{}", self.tls_port)
    }

    /// Subscribe to `topic` now and return once the broker acknowledged it; the
    /// subscriber collects `count` messages (or gives up after 15 s).
    pub fn subscribe(&self, topic: &str, count: usize) -> Subscriber {
        let script = format!(
            r#"
import json, sys
import paho.mqtt.client as mqtt
got = []
def on_connect(c, u, f, rc, p=None):
    c.subscribe({topic:?}, qos=1)
def on_subscribe(c, u, mid, rcs, p=None):
    print("ready", flush=True)
def on_message(c, u, m):
    got.append({{"topic": m.topic, "retain": bool(m.retain), "payload": m.payload.decode("utf-8")}})
    if len(got) >= {count}:
        c.disconnect()
c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
c.username_pw_set({MQTT_USER:?}, {MQTT_PASSWORD:?})
c.on_connect, c.on_subscribe, c.on_message = on_connect, on_subscribe, on_message
c.connect("127.0.0.1", {port}, 30)
c.loop_start()
import time
t = time.time()
while len(got) < {count} and time.time() - t < 15:
    time.sleep(0.01)
c.loop_stop()
print(json.dumps(got), flush=True)
"#,
            port = self.daemon.port
        );
        let mut child = Command::new("python3")
            .args(["-c", &script])
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 with paho-mqtt (scripts/test.sh installs it)");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the subscriber did not subscribe");
        Subscriber { child, out }
    }

    /// What a client that subscribes to `topic` only now receives: the retained message.
    pub fn retained(&self, topic: &str) -> String {
        let o = Command::new("mosquitto_sub")
            .args(["-h", "127.0.0.1", "-p", &self.daemon.port.to_string()])
            .args(["-u", MQTT_USER, "-P", MQTT_PASSWORD])
            .args(["-t", topic, "-C", "1", "-W", "10", "--retained-only"])
            .output()
            .unwrap();
        String::from_utf8(o.stdout).unwrap().trim().to_string()
    }
}

/// A live subscriber.
pub struct Subscriber {
    child: Child,
    out: BufReader<std::process::ChildStdout>,
}

impl Subscriber {
    /// The messages it received: topic, retain flag and payload.
    pub fn messages(mut self) -> Vec<serde_json::Value> {
        let mut s = String::new();
        self.out.read_to_string(&mut s).unwrap();
        let _ = self.child.wait();
        serde_json::from_str::<Vec<serde_json::Value>>(s.trim()).unwrap()
    }
}

fn sub(dir: &Path, name: &str) -> PathBuf {
    let d = dir.join(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Parse a node_exporter textfile with Python's prometheus_client: each sample as
/// `[name, labels, value]`.
pub fn parse_prom(text: &str) -> Vec<serde_json::Value> {
    let mut child = Command::new("python3")
        .args([
            "-c",
            "import json, sys\nfrom prometheus_client.parser import text_string_to_metric_families as p\n\
             print(json.dumps([[s.name, s.labels, s.value] for f in p(sys.stdin.read()) for s in f.samples]))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 with prometheus_client (scripts/test.sh installs it)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}
