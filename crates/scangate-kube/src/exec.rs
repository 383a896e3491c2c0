//! Exec sessions, read frame by frame.
//!
//! kube-rs's `Api::exec` pumps the websocket on a task of its own into in-memory pipes, which
//! costs three copies of every byte and a task hand-off per frame, and reads with tungstenite's
//! default 128 KiB buffer, which is zeroed before every read attempt. A copy only reads, so
//! the session is read here in the caller's task: each standard-output frame is handed over as
//! it arrives. The upgrade itself (headers, the v5/v4 subprotocol, error `Status` bodies) stays
//! kube-rs's `Client::connect`.
//!
//! Unlike kube-rs's loop this sends nothing: no stdin is asked for, so there is no stdin to
//! close, and no keep-alive pings, since a copy streams from start to end and a marker check
//! is over in one round trip. The server's own pings are still answered as frames are read.

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::api::AttachParams;
use kube::core::Resource;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Bytes, Message};

use crate::api::{classify, exit_code};
use crate::error::ErrorKind;
use crate::names::clean_text;

/// The remote-command channels (`k8s.io/apimachinery/pkg/util/remotecommand`).
const STDOUT: u8 = 1;
const STDERR: u8 = 2;
const STATUS: u8 = 3;

/// What an exec needs on `pods/exec`. Exec over websocket is an HTTP GET, which RBAC checks as
/// `get`; from Kubernetes 1.35 the API server checks `create` as well (KEP-4006).
const EXEC_VERBS: &[&str] = &["get", "create"];

/// How much of a command's standard error is kept for messages; the rest is read and dropped.
const STDERR_KEEP: usize = 4096;

/// How much one read from the connection asks for. Frames larger than this still arrive whole;
/// tungstenite zero-fills this much before every read, so bigger only costs.
const READ_BUFFER: usize = 64 * 1024;

/// A command running in a container, with its output still to be read.
pub(crate) struct Exec<S> {
    ws: WebSocketStream<S>,
    stderr: Vec<u8>,
    status: Option<Status>,
    ended: bool,
}

impl<S> std::fmt::Debug for Exec<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exec")
            .field("stderr_bytes", &self.stderr.len())
            .field("ended", &self.ended)
            .finish_non_exhaustive()
    }
}

/// Starts `command` in `container`; errors before the websocket upgrade are classified.
pub(crate) async fn start(
    client: &kube::Client,
    namespace: &str,
    pod: &str,
    container: &str,
    command: &[&str],
) -> Result<Exec<impl AsyncRead + AsyncWrite + Unpin + Send + use<>>, ErrorKind> {
    let params = AttachParams {
        container: Some(container.to_owned()),
        stdin: false,
        stdout: true,
        stderr: true,
        tty: false,
        ..AttachParams::default()
    };
    let mut request = kube::core::Request::new(Pod::url_path(&(), Some(namespace)))
        .exec(pod, command.iter().copied(), &params)
        .map_err(|err| ErrorKind::Exec(clean_text(&err.to_string(), 300)))?;
    // The same extension `Api::exec` sets; kube-rs names its tracing span after it.
    request.extensions_mut().insert("exec");
    let connection = client.connect(request).await.map_err(|err| match &err {
        kube::Error::Api(status)
            if status.code == 400 && status.message.contains("is not valid for pod") =>
        {
            ErrorKind::UnknownContainer(clean_text(&status.message, 300))
        }
        kube::Error::Api(status) if status.code == 400 || status.code >= 500 => {
            ErrorKind::Exec(clean_text(&status.message, 300))
        }
        _ => classify(&err, EXEC_VERBS, "pods/exec", namespace),
    })?;
    // Nothing has been read from the upgraded connection yet (bytes the server sent along with
    // its 101 are kept inside it), so it can be taken back and wrapped with a smaller buffer.
    let io = connection.into_stream().into_inner();
    let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
    let ws = WebSocketStream::from_raw_socket(io, Role::Client, Some(config)).await;
    Ok(Exec {
        ws,
        stderr: Vec::new(),
        status: None,
        ended: false,
    })
}

impl<S: AsyncRead + AsyncWrite + Unpin> Exec<S> {
    /// The next piece of the command's standard output; `None` once the command has ended.
    /// Standard error is kept (its first bytes) and the final `Status` noted on the way.
    pub(crate) async fn stdout(&mut self) -> Result<Option<Bytes>, ErrorKind> {
        while !self.ended {
            let Some(message) = self.ws.next().await else {
                self.ended = true;
                break;
            };
            // A connection that breaks off (no close handshake) lands here, not in `None`.
            let message = message.map_err(|err| {
                ErrorKind::Exec(clean_text(&format!("the connection broke off: {err}"), 300))
            })?;
            // The protocol sends binary frames only; a frame of just the channel number opens
            // each stream.
            let Message::Binary(frame) = message else {
                continue;
            };
            match frame.first() {
                Some(&STDOUT) if frame.len() > 1 => return Ok(Some(frame.slice(1..))),
                Some(&STDERR) => {
                    let room = STDERR_KEEP.saturating_sub(self.stderr.len());
                    let keep = &frame[1..];
                    self.stderr.extend_from_slice(&keep[..room.min(keep.len())]);
                }
                Some(&STATUS) if frame.len() > 1 => {
                    // The status is the session's last word; an unreadable one counts as none.
                    self.status = serde_json::from_slice(&frame[1..]).ok();
                    self.ended = true;
                }
                _ => {}
            }
        }
        Ok(None)
    }

    /// Reads the command's output to the end and drops it.
    pub(crate) async fn drain(&mut self) -> Result<(), ErrorKind> {
        while self.stdout().await?.is_some() {}
        Ok(())
    }

    /// The command's exit code (or why there is none) and the start of its standard error.
    /// Call after [`Exec::stdout`] returned `None`.
    pub(crate) fn finish(self) -> (Result<i32, ErrorKind>, Vec<u8>) {
        (exit_code(self.status.as_ref()), self.stderr)
    }
}

/// Runs a command whose output does not matter and returns its exit code.
pub(crate) async fn exit_code_of(
    client: &kube::Client,
    namespace: &str,
    pod: &str,
    container: &str,
    command: &[&str],
) -> Result<i32, ErrorKind> {
    let mut exec = start(client, namespace, pod, container, command).await?;
    exec.drain().await?;
    exec.finish().0
}
