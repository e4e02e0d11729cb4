//! Publishing over MQTT 3.1.1 with plain blocking sockets: connect (TCP, or TLS with the
//! same trust rules as HTTPS), CONNECT and CONNACK, each PUBLISH (QoS 1 waits for its
//! PUBACK), DISCONNECT. Packets are encoded and decoded by `mqttrs`; every socket
//! operation is bounded by what is left of the attempt's timeout.
//!
//! A refused user name or password is final (retrying cannot fix it); a broker that is
//! down, unreachable or slow is retryable.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mqttrs::{ConnectReturnCode, Packet, Pid, Protocol, QosPid};

use crate::failure::DeliveryError;

/// One connection's worth of publishing, fully built.
#[derive(Debug, Clone)]
pub(crate) struct MqttRequest {
    /// The broker URL as configured (for messages; masked when printed).
    pub url: String,
    /// Broker host.
    pub host: String,
    /// Broker port.
    pub port: u16,
    /// TLS (`mqtts://`).
    pub tls: bool,
    /// Extra CA certificates (PEM).
    pub ca_file: Option<std::path::PathBuf>,
    /// Do not check the broker's certificate.
    pub tls_insecure: bool,
    /// User name, when the broker wants one.
    pub username: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// Client identifier.
    pub client_id: String,
    /// The messages, published in order.
    pub messages: Vec<Publish>,
}

/// One message to publish.
#[derive(Debug, Clone)]
pub(crate) struct Publish {
    /// Topic name.
    pub topic: String,
    /// Payload bytes.
    pub payload: Vec<u8>,
    /// 0 or 1.
    pub qos: u8,
    /// Retained by the broker.
    pub retain: bool,
}

/// Largest packet read back from the broker (acknowledgements are 4 bytes).
const MAX_READ: usize = 64 * 1024;

trait Stream: Read + Write {}
impl<T: Read + Write> Stream for T {}

/// Publish `req`'s messages in order within `timeout`.
pub(crate) fn publish(req: &MqttRequest, timeout: Duration) -> Result<(), DeliveryError> {
    let deadline = Instant::now() + timeout;
    let where_ = format!("MQTT {}:{}", req.host, req.port);
    let io = |what: &str, e: std::io::Error| -> DeliveryError {
        if let Some(t) = crate::tls::find_error(&e) {
            let ctx = crate::tls::Context {
                has_ca_file: req.ca_file.is_some(),
            };
            if let Some(p) = crate::tls::certificate_problem(t, ctx) {
                return DeliveryError::new(format!("{where_}: {p}"));
            }
            return DeliveryError::new(format!("{where_}: TLS handshake failed: {t}"));
        }
        let timed_out = matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        );
        let why = if timed_out {
            format!(
                "timed out after {} {what}",
                humantime::format_duration(timeout)
            )
        } else {
            format!("{what}: {e}")
        };
        DeliveryError::new(format!("{where_}: {why}")).retryable(None)
    };
    let tcp = connect(req, deadline).map_err(|e| io("connecting", e))?;
    let mut stream: Box<dyn Stream> = if req.tls {
        let cfg = crate::tls::client_config(req.ca_file.as_deref(), req.tls_insecure)
            .map_err(DeliveryError::new)?;
        let name = rustls::pki_types::ServerName::try_from(req.host.clone())
            .map_err(|e| DeliveryError::new(format!("{where_}: {e}")))?;
        let conn = rustls::ClientConnection::new(Arc::new(cfg), name)
            .map_err(|e| DeliveryError::new(format!("{where_}: {e}")))?;
        Box::new(rustls::StreamOwned::new(
            conn,
            tcp.try_clone().map_err(|e| io("connecting", e))?,
        ))
    } else {
        Box::new(tcp.try_clone().map_err(|e| io("connecting", e))?)
    };
    let bound = |tcp: &TcpStream| -> std::io::Result<()> {
        let left = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1));
        tcp.set_read_timeout(Some(left))?;
        tcp.set_write_timeout(Some(left))
    };

    bound(&tcp).map_err(|e| io("connecting", e))?;
    let connect = Packet::Connect(mqttrs::Connect {
        protocol: Protocol::MQTT311,
        keep_alive: 30,
        client_id: &req.client_id,
        clean_session: true,
        last_will: None,
        username: req.username.as_deref(),
        password: req.password.as_deref().map(str::as_bytes),
    });
    write_packet(&mut stream, &connect, 256).map_err(|e| io("sending CONNECT", e))?;
    bound(&tcp).map_err(|e| io("waiting for CONNACK", e))?;
    let ack = read_packet(&mut stream).map_err(|e| io("waiting for CONNACK", e))?;
    match mqttrs::decode_slice(&ack) {
        Ok(Some(Packet::Connack(c))) => refused(c.code, &where_, req)?,
        other => return Err(protocol(&where_, "CONNACK", &other)),
    }
    for (i, m) in req.messages.iter().enumerate() {
        let pid = Pid::try_from(u16::try_from(i + 1).unwrap_or(1)).unwrap_or_default();
        let qospid = if m.qos == 0 {
            QosPid::AtMostOnce
        } else {
            QosPid::AtLeastOnce(pid)
        };
        let p = Packet::Publish(mqttrs::Publish {
            dup: false,
            qospid,
            retain: m.retain,
            topic_name: &m.topic,
            payload: &m.payload,
        });
        bound(&tcp).map_err(|e| io("publishing", e))?;
        write_packet(&mut stream, &p, m.payload.len() + m.topic.len())
            .map_err(|e| io("publishing", e))?;
        if m.qos == 0 {
            continue;
        }
        loop {
            bound(&tcp).map_err(|e| io("waiting for PUBACK", e))?;
            let got = read_packet(&mut stream).map_err(|e| io("waiting for PUBACK", e))?;
            match mqttrs::decode_slice(&got) {
                Ok(Some(Packet::Puback(p))) if p == pid => break,
                Ok(Some(_)) => {}
                other => return Err(protocol(&where_, "PUBACK", &other)),
            }
        }
    }
    let _ = bound(&tcp);
    let _ = write_packet(&mut stream, &Packet::Disconnect, 0);
    Ok(())
}

/// TCP to the first address that answers within the deadline.
fn connect(req: &MqttRequest, deadline: Instant) -> std::io::Result<TcpStream> {
    let mut last = None;
    for addr in (req.host.as_str(), req.port).to_socket_addrs()? {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok(s);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::from(std::io::ErrorKind::TimedOut)))
}

/// The broker's answer to CONNECT: accepted, or why not.
fn refused(code: ConnectReturnCode, where_: &str, req: &MqttRequest) -> Result<(), DeliveryError> {
    let who = req.username.as_deref().map_or_else(
        || "without a user name".to_string(),
        |u| format!("as \"{u}\""),
    );
    match code {
        ConnectReturnCode::Accepted => Ok(()),
        ConnectReturnCode::BadUsernamePassword | ConnectReturnCode::NotAuthorized => {
            Err(DeliveryError::new(format!(
                "{where_}: authentication failed {who}: the broker refused the user name or password ({})",
                if code == ConnectReturnCode::NotAuthorized { "not authorized" } else { "bad user name or password" }
            )))
        }
        ConnectReturnCode::ServerUnavailable => Err(DeliveryError::new(format!(
            "{where_}: the broker is unavailable"
        ))
        .retryable(None)),
        ConnectReturnCode::RefusedProtocolVersion => Err(DeliveryError::new(format!(
            "{where_}: the broker does not speak MQTT 3.1.1"
        ))),
        ConnectReturnCode::RefusedIdentifierRejected => Err(DeliveryError::new(format!(
            "{where_}: the broker rejected the client identifier"
        ))),
    }
}

fn protocol(
    where_: &str,
    wanted: &str,
    got: &Result<Option<Packet>, mqttrs::Error>,
) -> DeliveryError {
    let what = match got {
        Ok(Some(p)) => format!("{:?}", p.get_type()),
        Ok(None) => "a partial packet".to_string(),
        Err(e) => e.to_string(),
    };
    DeliveryError::new(format!("{where_}: expected {wanted}, got {what}")).retryable(None)
}

fn write_packet(s: &mut dyn Stream, p: &Packet, payload: usize) -> std::io::Result<()> {
    let mut buf = vec![0u8; payload + 512];
    let n = mqttrs::encode_slice(p, &mut buf)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?;
    s.write_all(&buf[..n])?;
    s.flush()
}

/// One whole packet: its fixed header, then as many bytes as its remaining length says.
fn read_packet(s: &mut dyn Stream) -> std::io::Result<Vec<u8>> {
    let mut out = vec![0u8; 1];
    s.read_exact(&mut out)?;
    let mut len = 0usize;
    for shift in [0, 7, 14, 21] {
        let mut b = [0u8; 1];
        s.read_exact(&mut b)?;
        out.push(b[0]);
        len |= usize::from(b[0] & 0x7f) << shift;
        if b[0] & 0x80 == 0 {
            break;
        }
    }
    if len > MAX_READ {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("the broker sent a {len}-byte packet"),
        ));
    }
    let start = out.len();
    out.resize(start + len, 0);
    s.read_exact(&mut out[start..])?;
    Ok(out)
}
