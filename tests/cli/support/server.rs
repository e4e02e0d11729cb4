//! A recording HTTP/1.1 server on 127.0.0.1 for tests: every request is kept (method,
//! path, query, headers, exact body bytes) and answered from a script (status, headers,
//! body, delay).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One `multipart/form-data` field: (name, filename, content type, bytes).
pub type FormPart = (String, Option<String>, Option<String>, Vec<u8>);

/// Reads a MIME message (headers, blank line, body) on stdin and prints its form-data
/// parts as JSON: [name, filename, content type, base64 bytes]. Exits 1 on any defect.
const MULTIPART_PY: &str = r#"
import base64, email, email.policy, json, sys
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.HTTP)
if msg.get_content_type() != "multipart/form-data" or not msg.is_multipart():
    sys.exit("not multipart/form-data: " + msg.get_content_type())
defects = list(msg.defects)
parts = []
for p in msg.iter_parts():
    defects += p.defects
    if p.get_content_disposition() != "form-data":
        sys.exit("part without Content-Disposition: form-data: " + str(p.items()))
    ctype = p.get("Content-Type")
    data = p.get_payload(decode=True)
    if data is None:
        data = b""
    parts.append([p.get_param("name", header="content-disposition"), p.get_filename(),
                  ctype and str(ctype), base64.b64encode(data).decode()])
if defects:
    sys.exit("defects: " + repr(defects))
json.dump(parts, sys.stdout)
"#;

/// One request as received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Request {
    /// Header value by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON (panics with the body when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Query parameters, percent-decoded.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        self.query
            .split('&')
            .filter(|s| !s.is_empty())
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                (decode(k), decode(v))
            })
            .collect()
    }

    /// Fields of a `multipart/form-data` body: (name, filename, content type, bytes).
    ///
    /// Parsed by Python's `email` package (an implementation independent of the encoder
    /// under test), which must also find no defect: a missing closing boundary, a part
    /// without headers or a malformed header fails the test.
    pub fn multipart(&self) -> Vec<FormPart> {
        let ct = self.header("Content-Type").expect("a Content-Type");
        let mut input = format!("Content-Type: {ct}\r\n\r\n").into_bytes();
        input.extend_from_slice(&self.body);
        let mut child = std::process::Command::new("python3")
            .args(["-c", MULTIPART_PY])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut stdin = child.stdin.take().expect("stdin");
        let feed = std::thread::spawn(move || stdin.write_all(&input));
        let out = child.wait_with_output().expect("python3 finishes");
        feed.join().expect("feeder").expect("body written");
        assert!(
            out.status.success(),
            "multipart body rejected: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.text().chars().take(2000).collect::<String>()
        );
        let parts: Vec<(String, Option<String>, Option<String>, String)> =
            serde_json::from_slice(&out.stdout).expect("parser output");
        use base64::Engine as _;
        parts
            .into_iter()
            .map(|(name, file, ctype, b64)| {
                let data = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .expect("base64");
                (name, file, ctype, data)
            })
            .collect()
    }

    /// Form fields of an `application/x-www-form-urlencoded` body.
    pub fn form(&self) -> Vec<(String, String)> {
        Request {
            query: self.text(),
            ..self.clone()
        }
        .query_pairs()
    }
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    percent_decode(&s)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// How to answer one request.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Response {
    /// `status` with a small JSON body.
    pub fn status(status: u16) -> Response {
        let body = if status < 300 {
            r#"{"ok":true}"#
        } else {
            r#"{"ok":false}"#
        };
        Response {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
            delay: Duration::ZERO,
        }
    }

    /// Replace the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Response {
        self.body = body.into();
        self
    }

    /// Add a header.
    pub fn header(mut self, k: &str, v: &str) -> Response {
        self.headers.push((k.into(), v.into()));
        self
    }

    /// Wait before answering.
    pub fn delay(mut self, d: Duration) -> Response {
        self.delay = d;
        self
    }
}

type Script = dyn Fn(&Request, usize) -> Response + Send + Sync;

/// A running server; stops when dropped.
pub struct Server {
    pub port: u16,
    requests: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    /// A handler that panicked (its message): the test fails when the server drops.
    panicked: Arc<Mutex<Option<String>>>,
    /// Whether the test looked at what came (`requests`, `one`): a server that was
    /// never called and never looked at fails the test when it drops.
    looked: AtomicBool,
}

impl Server {
    /// Answer each request with `script(request, n)` (n counts from 0).
    pub fn start(script: impl Fn(&Request, usize) -> Response + Send + Sync + 'static) -> Server {
        Server::launch(None, script)
    }

    /// The same over HTTPS with the certificate and key in `certs`.
    pub fn start_tls(
        certs: &super::tls::TestCerts,
        script: impl Fn(&Request, usize) -> Response + Send + Sync + 'static,
    ) -> Server {
        use rustls::pki_types::pem::PemObject;
        let chain: Vec<_> =
            rustls::pki_types::CertificateDer::pem_slice_iter(certs.cert_pem.as_bytes())
                .map(|c| c.unwrap())
                .collect();
        let key =
            rustls::pki_types::PrivateKeyDer::from_pem_slice(certs.key_pem.as_bytes()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap();
        Server::launch(Some(Arc::new(config)), script)
    }

    fn launch(
        tls: Option<Arc<rustls::ServerConfig>>,
        script: impl Fn(&Request, usize) -> Response + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let script: Arc<Script> = Arc::new(script);
        let counter = Arc::new(AtomicUsize::new(0));
        let panicked: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
        let (reqs, stop2, panicked2) = (requests.clone(), stop.clone(), panicked.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (reqs, script, counter, tls, panicked) = (
                    reqs.clone(),
                    script.clone(),
                    counter.clone(),
                    tls.clone(),
                    panicked2.clone(),
                );
                std::thread::spawn(move || {
                    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
                    let served =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match tls {
                            None => {
                                let _ = serve(conn, &reqs, &*script, &counter);
                            }
                            Some(cfg) => {
                                let Ok(session) = rustls::ServerConnection::new(cfg) else {
                                    return;
                                };
                                let _ = serve(
                                    rustls::StreamOwned::new(session, conn),
                                    &reqs,
                                    &*script,
                                    &counter,
                                );
                            }
                        }));
                    if let Err(p) = served {
                        let msg = p
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        *panicked.lock().unwrap() = Some(msg);
                    }
                });
            }
        });
        Server {
            port,
            requests,
            stop,
            panicked,
            looked: AtomicBool::new(false),
        }
    }

    /// Always 200 `{"ok":true}`.
    pub fn ok() -> Server {
        Server::start(|_, _| Response::status(200))
    }

    /// Answer with these statuses in turn; the last one repeats.
    pub fn statuses(list: &[u16]) -> Server {
        let list = list.to_vec();
        Server::start(move |_, n| Response::status(list[n.min(list.len() - 1)]))
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}", self.port, path)
    }

    /// `https://127.0.0.1:PORT` + `path`.
    pub fn https_url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{}", self.port, path)
    }

    /// Requests received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.looked.store(true, Ordering::SeqCst);
        self.requests.lock().unwrap().clone()
    }

    /// Say that this server may well receive nothing and that the test need not look.
    pub fn unused_ok(self) -> Server {
        self.looked.store(true, Ordering::SeqCst);
        self
    }

    /// The only request received (panics otherwise).
    pub fn one(&self) -> Request {
        let r = self.requests();
        assert_eq!(
            r.len(),
            1,
            "expected exactly one request, got {}: {r:#?}",
            r.len()
        );
        r.into_iter().next().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if std::thread::panicking() {
            return;
        }
        if let Some(msg) = self.panicked.lock().unwrap().take() {
            panic!(
                "a handler of the test server on port {} panicked: {msg}",
                self.port
            );
        }
        let nothing = self.requests.lock().unwrap().is_empty();
        if nothing && !self.looked.load(Ordering::SeqCst) {
            panic!(
                "the test server on port {} was never called, and the test never checked: \
                 assert on requests(), or mark it unused_ok()",
                self.port
            );
        }
    }
}

fn serve<S: Read + Write>(
    conn: S,
    reqs: &Mutex<Vec<Request>>,
    script: &Script,
    counter: &AtomicUsize,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("").to_string();
    if method.is_empty() {
        return Ok(());
    }
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let get = |n: &str| {
        headers
            .iter()
            .find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if get("Transfer-Encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16)
                .unwrap_or(0);
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk)?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else if let Some(len) = get("Content-Length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(len, 0);
        reader.read_exact(&mut body)?;
    }
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (target.clone(), String::new()),
    };
    let req = Request {
        method,
        path,
        query,
        headers,
        body,
        at: Instant::now(),
    };
    let n = counter.fetch_add(1, Ordering::SeqCst);
    reqs.lock().unwrap().push(req.clone());
    let resp = script(&req, n);
    std::thread::sleep(resp.delay);
    let mut out = reader.into_inner();
    let mut head = format!("HTTP/1.1 {} X\r\n", resp.status);
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        resp.body.len()
    ));
    out.write_all(head.as_bytes())?;
    out.write_all(&resp.body)?;
    out.flush()
}

/// A port on 127.0.0.1 where nothing listens.
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}
