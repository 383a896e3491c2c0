//! Exec sessions, read frame by frame.
//!
//! kube-rs's `Api::exec` pumps the websocket on a task of its own into in-memory pipes, which
//! costs three copies of every byte and a task hand-off per frame, and reads with tungstenite's
//! default 128 KiB buffer, which is zeroed before every read attempt. A copy only reads, so
//! the session is read here in the caller's task: each standard-output frame is handed over as
//! it arrives. The upgrade itself (headers, the v5/v4 subprotocol, error `Status` bodies) stays
//! kube-rs's `Client::connect`.
//!
//! Unlike kube-rs's loop this sends no data: no stdin is asked for, so there is no stdin to
//! close, and no keep-alive pings, since a copy streams from start to end and a marker check
//! is over in one round trip. The server's own pings are still answered as frames are read.
//!
//! A session holds its concurrency slot until its connection is closed, not just until the
//! final Status: the API server counts the session as open until then, and it closes only once
//! it has torn down its own side. Giving the slot back on the Status let a v1.36 server see 6
//! sessions with a bound of 5.

use std::sync::Arc;
use std::time::Duration;

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

/// How long the end of a session may take (the server's close, or its answer to ours) before the
/// connection is dropped anyway.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// A concurrency slot, shared by the pod that took it and each of its sessions: given back when
/// the last of them lets go, which for a session is once its connection is closed.
pub(crate) type Slot = Arc<tokio::sync::OwnedSemaphorePermit>;

/// How much of a command's standard error is kept for messages; the rest is read and dropped.
const STDERR_KEEP: usize = 4096;

/// How much one read from the connection asks for. Frames larger than this still arrive whole;
/// tungstenite zero-fills this much before every read, so bigger only costs.
const READ_BUFFER: usize = 64 * 1024;

/// A command running in a container, with its output still to be read.
///
/// End it with [`Exec::finish`]. Dropped before that (an error, a timeout, the fetch given up),
/// it is closed on a task of its own, which keeps the slot until the connection is closed.
pub(crate) struct Exec<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> {
    /// `None` once the session is closed.
    ws: Option<WebSocketStream<S>>,
    stderr: Vec<u8>,
    status: Option<Status>,
    ended: bool,
    slot: Slot,
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> std::fmt::Debug for Exec<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exec")
            .field("stderr_bytes", &self.stderr.len())
            .field("ended", &self.ended)
            .field("closed", &self.ws.is_none())
            .finish_non_exhaustive()
    }
}

/// Starts `command` in `container` under `slot`; errors before the websocket upgrade are
/// classified.
pub(crate) async fn start(
    client: &kube::Client,
    namespace: &str,
    pod: &str,
    container: &str,
    command: &[&str],
    slot: &Slot,
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
        ws: Some(ws),
        stderr: Vec::new(),
        status: None,
        ended: false,
        slot: Arc::clone(slot),
    })
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> Exec<S> {
    /// The next piece of the command's standard output; `None` once the command has ended.
    /// Standard error is kept (its first bytes) and the final `Status` noted on the way.
    pub(crate) async fn stdout(&mut self) -> Result<Option<Bytes>, ErrorKind> {
        let Some(ws) = self.ws.as_mut() else {
            return Ok(None);
        };
        while !self.ended {
            let Some(message) = ws.next().await else {
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

    /// For a command whose output does not matter: reads it to the end, drops it, closes the
    /// session and returns the exit code.
    pub(crate) async fn exit_code(mut self) -> Result<i32, ErrorKind> {
        while self.stdout().await?.is_some() {}
        self.finish().await.0
    }

    /// Closes the session and returns the command's exit code (or why there is none) and the
    /// start of its standard error. Call after [`Exec::stdout`] returned `None`.
    pub(crate) async fn finish(mut self) -> (Result<i32, ErrorKind>, Vec<u8>) {
        if let Some(ws) = self.ws.take() {
            close(ws, self.ended).await;
        }
        (
            exit_code(self.status.as_ref()),
            std::mem::take(&mut self.stderr),
        )
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> Drop for Exec<S> {
    fn drop(&mut self) {
        let Some(ws) = self.ws.take() else {
            return;
        };
        // Without a runtime (it is shutting down) nothing can be awaited: the connection just
        // goes.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (ended, slot) = (self.ended, Arc::clone(&self.slot));
        runtime.spawn(async move {
            close(ws, ended).await;
            drop(slot);
        });
    }
}

/// Closes a session as the server sees it: waits for the server's close (tungstenite answers
/// it) and then for the end of the connection, which the server ends first. A command that has
/// not ended (the copy was cut, timed out or given up) is asked to end with a close of our own,
/// and its output is read and dropped until the server answers.
async fn close<S: AsyncRead + AsyncWrite + Unpin>(mut ws: WebSocketStream<S>, ended: bool) {
    let handshake = async {
        // An error here means the connection is gone already.
        if !ended && ws.close(None).await.is_err() {
            return;
        }
        while let Some(Ok(_)) = ws.next().await {}
    };
    let _ = tokio::time::timeout(CLOSE_WAIT, handshake).await;
}
