//! An in-process fake Kubernetes API server that speaks the real wire protocol, for scangate's
//! fetch tests and for timing `scangate fetch` (`examples/fake-apiserver.rs`).
//!
//! There is no kube-apiserver on the build machines, and kube-rs's tower mocks cannot carry
//! the HTTP upgrade that exec needs, so this serves real HTTP/1.1 on 127.0.0.1 (HTTPS with a
//! self-signed certificate on request), and the clients under test, kube-rs and a real
//! kubectl, cannot tell the difference for what they ask. scangate's `tests/it/fetch_kubectl.rs`
//! checks it against kubectl so that it cannot drift from what clients expect.
//!
//! It runs on its own tokio runtime in a background thread, so synchronous tests (driving the
//! binary) and async tests (driving the library) can both use it, and dropping the
//! [`FakeKube`] stops it.
//!
//! # What it fakes
//!
//! - Pods: get, list and watch, with label and field selectors, resource versions, bookmarks
//!   and `timeoutSeconds`; list as a server-side table for kubectl.
//! - Logs, with `tailLines`.
//! - What kubectl reads around them: discovery (`/version`, `/api`, `/apis`, `/api/v1`) and
//!   namespace lookups.
//! - Exec over websocket (`v5.channel.k8s.io`, `v4.channel.k8s.io`, negotiated like the API
//!   server's; channel-byte framing; the final Status frame on channel 3) into a simulated
//!   container that knows `test -e`, `ls`, `cat`, `echo`, `tar cf -` (so `kubectl cp` works)
//!   and the `sh -c` scripts scangate sends.
//! - Authentication by bearer token (401 otherwise); 403s per verb and resource, worded as
//!   RBAC words them or as servers do when they give no reason; 500s per verb and resource.
//! - Scripted pods ([`Script`], [`FakePod`]): when they become Ready, fail or are deleted, which
//!   files appear when, the scanner container's state, a missing shell, exec faults (an HTTP
//!   error, a failed start, no final Status, a reset connection), slow sessions, hostile
//!   output.
//! - What it saw, for assertions ([`Stats`]): requests by verb and resource, exec commands and
//!   subprotocols, and how many exec sessions were open at once.
//!
//! # What it does not
//!
//! - Authorize: there is no RBAC, no `resourceNames`, only the denials a script lists.
//! - Anything but reading pods: no other resources, no writes (create, patch, delete), no
//!   admission, nothing kept between runs.
//! - SPDY: an exec POST is checked against the script's denials, then refused, so only
//!   websocket clients get through.
//! - Run commands: the container knows the commands above and nothing else; exec has no
//!   stdin, no TTY and no resizing.
//! - Expire anything: a watch's resource version never becomes too old (no 410 Gone).
//! - HTTP/2.
//!
//! ```
//! use fake_kube::{FakeKube, FakePod, Script};
//!
//! // One pod with its results and marker, one that never becomes Ready; logs are forbidden.
//! let fake = FakeKube::start(
//!     Script::new()
//!         .pod(FakePod::new("scan-0"))
//!         .pod(FakePod::new("scan-1").ready_after(None))
//!         .forbid("get", "pods/log"),
//! );
//! assert!(fake.url().starts_with("http://127.0.0.1:"));
//! // Point a client at it with `fake.write_kubeconfig(dir)`; then, for instance:
//! assert!(fake.requests().is_empty());
//! assert_eq!(fake.max_exec_in_flight(), 0);
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// File contents and stderr noise are given as `Bytes` (cheap to clone into every response);
/// re-exported so that tests need not depend on `bytes` themselves.
pub use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use http::{HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

type Body = BoxBody<Bytes, Infallible>;

pub const V5: &str = "v5.channel.k8s.io";
pub const V4: &str = "v4.channel.k8s.io";

/// The content of a file in a pod.
#[derive(Clone, Debug)]
pub enum Content {
    Bytes(Bytes),
    /// An endless stream of this byte: a hostile pod that never stops sending.
    Endless(u8),
}

#[derive(Clone, Debug)]
pub struct FakeFile {
    pub content: Content,
    pub appear_after: Duration,
}

/// How an exec into the pod goes wrong.
#[derive(Clone, Debug, PartialEq)]
pub enum ExecFault {
    /// An HTTP error Status before the upgrade.
    Http {
        code: u16,
        reason: String,
        message: String,
    },
    /// Upgrades, then reports an InternalError Status (the command could not start).
    InternalError(String),
    /// Sends stdout, then closes without a Status frame.
    NoStatus,
    /// Sends the first frame of stdout, then drops the connection without a close handshake
    /// (an API server restarting mid-copy).
    Reset,
}

/// The scanner container's state, when it is not simply running.
#[derive(Clone, Debug, PartialEq)]
pub enum ContainerSim {
    Running,
    Waiting { reason: String, message: String },
    Terminated { reason: String, exit_code: i32 },
}

#[derive(Clone, Debug)]
pub struct FakePod {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    pub containers: Vec<String>,
    /// `None`: never Ready.
    pub ready_after: Option<Duration>,
    /// Never scheduled: Pending without a node, exec says "does not have a host assigned".
    pub unscheduled: bool,
    pub scanner: ContainerSim,
    pub delete_after: Option<Duration>,
    pub fail_after: Option<Duration>,
    pub files: BTreeMap<String, FakeFile>,
    pub exec_fault: Option<ExecFault>,
    /// Only the marker check hits the fault when true (copies work), or only copies when false.
    pub fault_on_cat_only: bool,
    /// Holds each exec open this long before answering (to make sessions overlap).
    pub exec_delay: Duration,
    /// Waits this long after the output (the final Status frame, or the client closing or
    /// hanging up mid-stream) before closing, as an API server tearing down its side (the
    /// kubelet's stream) does; the session counts as open until the close is done.
    pub close_delay: Duration,
    /// Extra bytes on stderr for every command (hostile pods).
    pub stderr_noise: Option<Bytes>,
    /// The container image has no `sh` (distroless).
    pub no_shell: bool,
    pub logs: Vec<String>,
}

impl FakePod {
    /// A ready pod with containers `app` and `scanner`, in namespace `scans`, labelled `app=web`,
    /// whose results (a small valid JSON document) and marker are already there.
    pub fn new(name: &str) -> Self {
        let mut pod = Self {
            name: name.to_owned(),
            namespace: "scans".to_owned(),
            labels: BTreeMap::from([("app".to_owned(), "web".to_owned())]),
            containers: vec!["app".to_owned(), "scanner".to_owned()],
            ready_after: Some(Duration::ZERO),
            unscheduled: false,
            scanner: ContainerSim::Running,
            delete_after: None,
            fail_after: None,
            files: BTreeMap::new(),
            exec_fault: None,
            fault_on_cat_only: false,
            exec_delay: Duration::ZERO,
            close_delay: Duration::ZERO,
            stderr_noise: None,
            no_shell: false,
            logs: vec![
                "scanner: starting".to_owned(),
                format!("scanner: profile done for {name}"),
            ],
        };
        pod = pod.file(
            "/results/scan-results.json",
            sample_results(name).into_bytes(),
        );
        pod.file("/results/scan-complete", Vec::new())
    }

    pub fn namespace(mut self, ns: &str) -> Self {
        self.namespace = ns.to_owned();
        self
    }

    pub fn label(mut self, key: &str, value: &str) -> Self {
        self.labels.insert(key.to_owned(), value.to_owned());
        self
    }

    pub fn ready_after(mut self, after: Option<Duration>) -> Self {
        self.ready_after = after;
        self
    }

    pub fn file(mut self, path: &str, content: impl Into<Bytes>) -> Self {
        self.files.insert(
            path.to_owned(),
            FakeFile {
                content: Content::Bytes(content.into()),
                appear_after: Duration::ZERO,
            },
        );
        self
    }

    pub fn endless_file(mut self, path: &str) -> Self {
        self.files.insert(
            path.to_owned(),
            FakeFile {
                content: Content::Endless(b'{'),
                appear_after: Duration::ZERO,
            },
        );
        self
    }

    pub fn without_file(mut self, path: &str) -> Self {
        self.files.remove(path);
        self
    }

    /// The marker appears this long after the server started (`None`: never).
    pub fn marker_after(mut self, after: Option<Duration>) -> Self {
        match after {
            Some(after) => {
                self.files.insert(
                    "/results/scan-complete".to_owned(),
                    FakeFile {
                        content: Content::Bytes(Bytes::new()),
                        appear_after: after,
                    },
                );
            }
            None => {
                self.files.remove("/results/scan-complete");
            }
        }
        self
    }

    pub fn without_shell(mut self) -> Self {
        self.no_shell = true;
        self
    }

    pub fn exec_fault(mut self, fault: ExecFault) -> Self {
        self.exec_fault = Some(fault);
        self
    }

    pub fn scanner(mut self, state: ContainerSim) -> Self {
        self.scanner = state;
        self
    }

    pub fn exec_delay(mut self, delay: Duration) -> Self {
        self.exec_delay = delay;
        self
    }

    pub fn close_delay(mut self, delay: Duration) -> Self {
        self.close_delay = delay;
        self
    }
}

/// A small but real InSpec-shaped results document.
pub fn sample_results(pod: &str) -> String {
    // Complete InSpec results (fetch validates them before keeping them). A pod whose name
    // contains "fail" has a failed high control, for the gate tests.
    let second = if pod.contains("fail") {
        "failed"
    } else {
        "passed"
    };
    let control = |id: &str, status: &str, title: String| {
        json!({"id": id, "title": title, "impact": 0.7, "refs": [], "tags": {"nist": ["CM-6"]},
               "source_location": {"ref": "controls/baseline.rb", "line": 3},
               "results": [{"status": status, "code_desc": format!("{pod} {id}"), "start_time": "2026-01-01T00:00:00Z",
                            "message": if status == "failed" { "expected 0644, got 0777" } else { "" }}]})
    };
    json!({
        "platform": {"name": "debian", "release": "12"},
        "profiles": [{"name": "container-baseline", "sha256": "0", "supports": [], "attributes": [], "groups": [],
            "controls": [control("C-1", "passed", format!("{pod}: files are owned by root")),
                         control("C-2", second, "no world-writable files".to_owned())]}],
        "statistics": {"duration": 0.5},
        "version": "5.18.14"
    })
    .to_string()
}

/// How the message of a 403 reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denial {
    /// As RBAC words it: `pods "scan-0" is forbidden: User "..." cannot get resource
    /// "pods/exec" in API group "" in the namespace "scans"`.
    Rbac,
    /// Without the reason, as real API servers sometimes answer: `pods "scan-0" is forbidden: `.
    NoReason,
    /// No message at all.
    Empty,
}

/// Everything the fake was told to do.
#[derive(Clone, Debug)]
pub struct Script {
    pub pods: Vec<FakePod>,
    /// (verb, resource) pairs that get a 403: ("watch", "pods"), ("get", "pods/exec")... A
    /// websocket exec is a GET and needs `get` and `create` on `pods/exec`, as from Kubernetes
    /// 1.35 (`get` is checked first); a POST (SPDY) needs `create`.
    pub forbidden: HashSet<(String, String)>,
    /// (verb, resource) pairs answered with a 500 and this message, as an API server whose
    /// etcd is unwell answers.
    pub failing: HashMap<(String, String), String>,
    /// How 403 messages read.
    pub denial: Denial,
    /// Subprotocols the server accepts, in its order of preference.
    pub protocols: Vec<&'static str>,
    /// When set, requests need `Authorization: Bearer <token>`.
    pub token: Option<String>,
    pub tls: bool,
    /// The user name shown in 403 messages.
    pub user: String,
}

impl Default for Script {
    fn default() -> Self {
        Self {
            pods: Vec::new(),
            forbidden: HashSet::new(),
            failing: HashMap::new(),
            denial: Denial::Rbac,
            protocols: vec![V5, V4],
            token: Some("fake-token-s3cr3t-0123456789".to_owned()),
            tls: false,
            user: "system:serviceaccount:scans:scangate-fetch".to_owned(),
        }
    }
}

impl Script {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn pod(mut self, pod: FakePod) -> Self {
        self.pods.push(pod);
        self
    }

    pub fn forbid(mut self, verb: &str, resource: &str) -> Self {
        self.forbidden
            .insert((verb.to_owned(), resource.to_owned()));
        self
    }

    pub fn fail(mut self, verb: &str, resource: &str, message: &str) -> Self {
        self.failing
            .insert((verb.to_owned(), resource.to_owned()), message.to_owned());
        self
    }

    pub fn denial(mut self, denial: Denial) -> Self {
        self.denial = denial;
        self
    }

    pub fn v4_only(mut self) -> Self {
        self.protocols = vec![V4];
        self
    }

    pub fn tls(mut self) -> Self {
        self.tls = true;
        self
    }
}

/// What the fake saw, for assertions.
#[derive(Debug, Default)]
pub struct Stats {
    /// Exec sessions open now, from the upgrade until the connection is closed: as the API
    /// server counts them, which is what a client's bound on sessions is checked against.
    pub exec_in_flight: AtomicUsize,
    /// The most exec sessions that were ever open at once.
    pub exec_max_in_flight: AtomicUsize,
    pub exec_total: AtomicUsize,
    /// `VERB resource` per request, e.g. `get pods`, `watch pods`, `get pods/exec` (a websocket
    /// exec; `create pods/exec` for a POST).
    pub requests: Mutex<Vec<String>>,
    /// The subprotocol chosen for each exec.
    pub protocols: Mutex<Vec<String>>,
    /// Each exec's command line.
    pub commands: Mutex<Vec<Vec<String>>>,
}

#[derive(Debug, Clone)]
enum EventKind {
    Added,
    Modified,
    Deleted,
}

#[derive(Debug, Clone)]
struct LoggedEvent {
    rv: u64,
    pod: usize,
    kind: EventKind,
}

struct State {
    script: Script,
    t0: Instant,
    created: String,
    stats: Arc<Stats>,
    events: Mutex<Vec<LoggedEvent>>,
    version: tokio::sync::watch::Sender<u64>,
}

/// A running fake API server.
#[derive(Debug)]
pub struct FakeKube {
    pub addr: SocketAddr,
    pub stats: Arc<Stats>,
    /// PEM of the server certificate when serving TLS (it is its own CA).
    pub ca_pem: Option<String>,
    pub token: Option<String>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl FakeKube {
    pub fn start(script: Script) -> Self {
        Self::start_on(script, 0)
    }

    /// Starts on a fixed port (0: any free port).
    pub fn start_on(script: Script, port: u16) -> Self {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let stats = Arc::new(Stats::default());
        let thread_stats = stats.clone();
        let token = script.token.clone();
        let tls = if script.tls {
            let key = rcgen::generate_simple_self_signed(vec![
                "127.0.0.1".to_owned(),
                "localhost".to_owned(),
            ])
            .expect("generate a test certificate");
            Some((
                key.cert.pem(),
                key.cert.der().to_vec(),
                key.signing_key.serialize_der(),
            ))
        } else {
            None
        };
        let ca_pem = tls.as_ref().map(|(pem, _, _)| pem.clone());
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("fake runtime");
            runtime.block_on(async move {
                let listener = TcpListener::bind(("127.0.0.1", port))
                    .await
                    .expect("bind the fake API server");
                addr_tx
                    .send(listener.local_addr().expect("local addr"))
                    .expect("report the address");
                let state = State::new(script, thread_stats);
                let acceptor = tls.map(|(_, cert, key)| tls_acceptor(cert, key));
                let serve = async {
                    loop {
                        let Ok((stream, _)) = listener.accept().await else {
                            continue;
                        };
                        // As Go's net/http does: without it, small final frames wait on Nagle.
                        let _ = stream.set_nodelay(true);
                        let state = state.clone();
                        let acceptor = acceptor.clone();
                        tokio::spawn(async move {
                            let service = service_fn(move |req| {
                                let state = state.clone();
                                async move { Ok::<_, Infallible>(handle(state, req).await) }
                            });
                            let builder = hyper::server::conn::http1::Builder::new();
                            match acceptor {
                                Some(acceptor) => {
                                    if let Ok(tls) = acceptor.accept(stream).await {
                                        let _ = builder
                                            .serve_connection(TokioIo::new(tls), service)
                                            .with_upgrades()
                                            .await;
                                    }
                                }
                                None => {
                                    let _ = builder
                                        .serve_connection(TokioIo::new(stream), service)
                                        .with_upgrades()
                                        .await;
                                }
                            }
                        });
                    }
                };
                tokio::select! {
                    () = serve => {}
                    _ = shutdown_rx => {}
                }
            });
            runtime.shutdown_background();
        });
        let addr = addr_rx.recv().expect("the fake API server started");
        Self {
            addr,
            stats,
            ca_pem,
            token,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        }
    }

    pub fn url(&self) -> String {
        let scheme = if self.ca_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.addr)
    }

    /// Writes a kubeconfig for this server into `dir` and returns its path.
    pub fn write_kubeconfig(&self, dir: &Path) -> PathBuf {
        self.write_kubeconfig_with(dir, self.token.as_deref(), "scans")
    }

    pub fn write_kubeconfig_with(
        &self,
        dir: &Path,
        token: Option<&str>,
        namespace: &str,
    ) -> PathBuf {
        let user = match token {
            Some(token) => format!("  user:\n    token: {token}\n"),
            None => "  user: {}\n".to_owned(),
        };
        let ca = match &self.ca_pem {
            Some(pem) => {
                let ca_path = dir.join("fake-ca.crt");
                std::fs::write(&ca_path, pem).expect("write the CA");
                format!("    certificate-authority: {}\n", ca_path.display())
            }
            None => String::new(),
        };
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: {}\n{ca}\
             contexts:\n- name: fake\n  context:\n    cluster: fake\n    user: fake\n    namespace: {namespace}\n\
             - name: other\n  context:\n    cluster: fake\n    user: fake\n    namespace: elsewhere\n\
             current-context: fake\nusers:\n- name: fake\n{user}",
            self.url()
        );
        let path = dir.join("kubeconfig");
        std::fs::write(&path, text).expect("write the kubeconfig");
        path
    }

    pub fn requests(&self) -> Vec<String> {
        self.stats.requests.lock().expect("stats").clone()
    }

    pub fn max_exec_in_flight(&self) -> usize {
        self.stats.exec_max_in_flight.load(Ordering::SeqCst)
    }

    /// Exec sessions whose connection is still open.
    pub fn open_exec_sessions(&self) -> usize {
        self.stats.exec_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for FakeKube {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn tls_acceptor(cert: Vec<u8>, key: Vec<u8>) -> tokio_rustls::TlsAcceptor {
    use tokio_rustls::rustls;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("tls versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![rustls::pki_types::CertificateDer::from(cert)],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.into()),
        )
        .expect("tls config");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

impl State {
    fn new(script: Script, stats: Arc<Stats>) -> Arc<Self> {
        let (version, _) = tokio::sync::watch::channel(0);
        let created = "2024-01-01T00:00:00Z".to_owned();
        let state = Arc::new(Self {
            t0: Instant::now(),
            created,
            stats,
            events: Mutex::new(Vec::new()),
            version,
            script,
        });
        for index in 0..state.script.pods.len() {
            state.log_event(index, EventKind::Added);
        }
        for (index, pod) in state.script.pods.iter().enumerate() {
            let mut changes: Vec<(Duration, EventKind)> = Vec::new();
            if let Some(after) = pod.ready_after.filter(|d| !d.is_zero()) {
                changes.push((after, EventKind::Modified));
            }
            if let Some(after) = pod.fail_after {
                changes.push((after, EventKind::Modified));
            }
            if let Some(after) = pod.delete_after {
                changes.push((after, EventKind::Deleted));
            }
            for (after, kind) in changes {
                let state = state.clone();
                tokio::spawn(async move {
                    tokio::time::sleep_until(tokio::time::Instant::from_std(state.t0 + after))
                        .await;
                    state.log_event(index, kind);
                });
            }
        }
        state
    }

    fn log_event(&self, pod: usize, kind: EventKind) {
        let mut events = self.events.lock().expect("events");
        let rv = events.len() as u64 + 1;
        events.push(LoggedEvent { rv, pod, kind });
        drop(events);
        self.version.send_replace(rv);
    }

    fn current_rv(&self) -> u64 {
        *self.version.borrow()
    }

    fn pod_rv(&self, index: usize) -> u64 {
        let events = self.events.lock().expect("events");
        events
            .iter()
            .filter(|e| e.pod == index)
            .map(|e| e.rv)
            .max()
            .unwrap_or(1)
    }

    fn elapsed(&self) -> Duration {
        self.t0.elapsed()
    }

    fn exists(&self, pod: &FakePod) -> bool {
        pod.delete_after.is_none_or(|d| self.elapsed() < d)
    }

    fn is_ready(&self, pod: &FakePod) -> bool {
        !pod.unscheduled
            && pod.scanner == ContainerSim::Running
            && !self.has_failed(pod)
            && pod.ready_after.is_some_and(|d| self.elapsed() >= d)
    }

    fn has_failed(&self, pod: &FakePod) -> bool {
        pod.fail_after.is_some_and(|d| self.elapsed() >= d)
    }

    fn find(&self, namespace: &str, name: &str) -> Option<(usize, &FakePod)> {
        self.script
            .pods
            .iter()
            .enumerate()
            .find(|(_, p)| p.namespace == namespace && p.name == name && self.exists(p))
    }

    fn pod_json(&self, index: usize) -> Value {
        let pod = &self.script.pods[index];
        let ready = self.is_ready(pod);
        let failed = self.has_failed(pod);
        let phase = if failed {
            "Failed"
        } else if pod.unscheduled {
            "Pending"
        } else {
            "Running"
        };
        let statuses: Vec<Value> = pod
            .containers
            .iter()
            .map(|name| {
                let sim = if name == "scanner" { pod.scanner.clone() } else { ContainerSim::Running };
                let sim = if failed { ContainerSim::Terminated { reason: "Error".into(), exit_code: 1 } } else { sim };
                let state = match &sim {
                    ContainerSim::Running => json!({"running": {"startedAt": self.created}}),
                    ContainerSim::Waiting { reason, message } => json!({"waiting": {"reason": reason, "message": message}}),
                    ContainerSim::Terminated { reason, exit_code } => {
                        json!({"terminated": {"reason": reason, "exitCode": exit_code, "startedAt": self.created, "finishedAt": self.created}})
                    }
                };
                let container_ready = matches!(sim, ContainerSim::Running) && (ready || name != "scanner");
                json!({
                    "name": name, "ready": container_ready, "restartCount": if matches!(sim, ContainerSim::Waiting{..}) {3} else {0},
                    "image": format!("example/{name}:1"), "imageID": "", "state": state, "started": matches!(sim, ContainerSim::Running)
                })
            })
            .collect();
        let mut status = json!({
            "phase": phase,
            "conditions": [
                {"type": "PodScheduled", "status": if pod.unscheduled {"False"} else {"True"}},
                {"type": "Ready", "status": if ready {"True"} else {"False"}},
            ],
        });
        if !pod.unscheduled {
            status["containerStatuses"] = Value::Array(statuses);
            status["startTime"] = json!(self.created);
        }
        let mut spec = json!({
            "containers": pod.containers.iter().map(|c| json!({"name": c, "image": format!("example/{c}:1")})).collect::<Vec<_>>(),
        });
        if !pod.unscheduled {
            spec["nodeName"] = json!("node-1");
        }
        json!({
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "name": pod.name,
                "namespace": pod.namespace,
                "uid": format!("00000000-0000-0000-0000-{index:012}"),
                "resourceVersion": self.pod_rv(index).to_string(),
                "creationTimestamp": self.created,
                "labels": pod.labels,
            },
            "spec": spec,
            "status": status,
        })
    }

    fn file(&self, pod: &FakePod, path: &str) -> Option<Content> {
        let file = pod.files.get(path)?;
        (self.elapsed() >= file.appear_after).then(|| file.content.clone())
    }
}

// ---------------------------------------------------------------- HTTP

fn json_response(code: StatusCode, value: &Value) -> Response<Body> {
    let mut res = Response::new(Full::new(Bytes::from(value.to_string())).boxed());
    *res.status_mut() = code;
    res.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    res
}

fn status(code: u16, reason: &str, message: &str, details: Option<Value>) -> Response<Body> {
    let mut body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {},
        "status": "Failure", "message": message, "reason": reason, "code": code,
    });
    if let Some(details) = details {
        body["details"] = details;
    }
    json_response(
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        &body,
    )
}

fn not_found(name: &str) -> Response<Body> {
    status(
        404,
        "NotFound",
        &format!("pods \"{name}\" not found"),
        Some(json!({"name": name, "kind": "pods"})),
    )
}

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Response<Body> {
    let path = req.uri().path().to_owned();
    let params = query_pairs(req.uri().query());
    if let Some(expected) = &state.script.token {
        let given = req
            .headers()
            .get("authorization")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if given != format!("Bearer {expected}") {
            return status(401, "Unauthorized", "Unauthorized", None);
        }
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (req.method().clone(), segments.as_slice()) {
        (Method::GET, ["version"]) => json_response(
            StatusCode::OK,
            &json!({"major": "1", "minor": "33", "gitVersion": "v1.33.0-fake", "platform": "linux/amd64"}),
        ),
        (Method::GET, ["api"]) => json_response(
            StatusCode::OK,
            &json!({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": state_addr(&req)}]}),
        ),
        (Method::GET, ["apis"]) => json_response(
            StatusCode::OK,
            &json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": []}),
        ),
        (Method::GET, ["api", "v1"]) => json_response(StatusCode::OK, &api_resources()),
        (Method::GET, ["api", "v1", "namespaces", ns]) => {
            // kubectl looks the namespace up when a pod is not found.
            let known = *ns == "default" || state.script.pods.iter().any(|p| p.namespace == *ns);
            if known {
                json_response(
                    StatusCode::OK,
                    &json!({"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": ns}, "status": {"phase": "Active"}}),
                )
            } else {
                status(
                    404,
                    "NotFound",
                    &format!("namespaces \"{ns}\" not found"),
                    Some(json!({"name": ns, "kind": "namespaces"})),
                )
            }
        }
        (Method::GET, ["api", "v1", "namespaces", ns, "pods"]) => {
            let verb = if matches!(param(&params, "watch"), Some("true" | "1")) {
                "watch"
            } else {
                "list"
            };
            record(&state, verb, "pods");
            if let Some(denied) = rbac(&state, verb, "pods", ns, None) {
                return denied;
            }
            if verb == "watch" {
                watch_pods(state, ns, &params)
            } else {
                list_pods(&state, ns, &params, req.headers().get("accept"))
            }
        }
        (Method::GET, ["api", "v1", "namespaces", ns, "pods", name]) => {
            record(&state, "get", "pods");
            if let Some(denied) = rbac(&state, "get", "pods", ns, Some(name)) {
                return denied;
            }
            match state.find(ns, name) {
                Some((index, _)) => json_response(StatusCode::OK, &state.pod_json(index)),
                None => not_found(name),
            }
        }
        (Method::GET, ["api", "v1", "namespaces", ns, "pods", name, "log"]) => {
            record(&state, "get", "pods/log");
            if let Some(denied) = rbac(&state, "get", "pods/log", ns, Some(name)) {
                return denied;
            }
            match state.find(ns, name) {
                Some((_, pod)) => {
                    let tail = param(&params, "tailLines")
                        .and_then(|t| t.parse::<usize>().ok())
                        .unwrap_or(usize::MAX);
                    let skip = pod.logs.len().saturating_sub(tail);
                    let text: String = pod
                        .logs
                        .iter()
                        .skip(skip)
                        .map(|l| format!("{l}\n"))
                        .collect();
                    let mut res = Response::new(Full::new(Bytes::from(text)).boxed());
                    res.headers_mut()
                        .insert("content-type", HeaderValue::from_static("text/plain"));
                    res
                }
                None => not_found(name),
            }
        }
        (
            method @ (Method::GET | Method::POST),
            ["api", "v1", "namespaces", ns, "pods", name, "exec"],
        ) => {
            // A websocket exec is a GET: RBAC sees `get`, and from Kubernetes 1.35 the API
            // server checks `create` as well (KEP-4006). SPDY exec is a POST: `create`.
            let verbs: &[&str] = if method == Method::GET {
                &["get", "create"]
            } else {
                &["create"]
            };
            record(&state, verbs[0], "pods/exec");
            if let Some(denied) = verbs
                .iter()
                .find_map(|verb| rbac(&state, verb, "pods/exec", ns, Some(name)))
            {
                return denied;
            }
            let (ns, name) = (ns.to_string(), name.to_string());
            exec(state, req, &ns, &name, &params)
        }
        _ => status(
            404,
            "NotFound",
            "the server could not find the requested resource",
            None,
        ),
    }
}

fn state_addr(req: &Request<Incoming>) -> String {
    req.headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned()
}

fn record(state: &State, verb: &str, resource: &str) {
    state
        .stats
        .requests
        .lock()
        .expect("stats")
        .push(format!("{verb} {resource}"));
}

fn rbac(
    state: &State,
    verb: &str,
    resource: &str,
    ns: &str,
    name: Option<&str>,
) -> Option<Response<Body>> {
    let request = (verb.to_owned(), resource.to_owned());
    if let Some(message) = state.script.failing.get(&request) {
        return Some(status(500, "InternalError", message, None));
    }
    if !state.script.forbidden.contains(&request) {
        return None;
    }
    let (plural, sub) = resource
        .split_once('/')
        .map_or((resource, None), |(p, s)| (p, Some(s)));
    let what = match name {
        Some(name) => format!("{plural} \"{name}\""),
        None => plural.to_owned(),
    };
    let resource_text = match sub {
        Some(sub) => format!("{plural}/{sub}"),
        None => plural.to_owned(),
    };
    let message = match state.script.denial {
        Denial::Rbac => format!(
            "{what} is forbidden: User \"{}\" cannot {verb} resource \"{resource_text}\" in API group \"\" in the namespace \"{ns}\"",
            state.script.user
        ),
        Denial::NoReason => format!("{what} is forbidden: "),
        Denial::Empty => String::new(),
    };
    let mut details = json!({"kind": plural});
    if let Some(name) = name {
        details["name"] = json!(name);
    }
    Some(status(403, "Forbidden", &message, Some(details)))
}

fn api_resources() -> Value {
    json!({
        "kind": "APIResourceList", "groupVersion": "v1",
        "resources": [
            {"name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod",
             "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"], "shortNames": ["po"]},
            {"name": "pods/exec", "singularName": "", "namespaced": true, "kind": "PodExecOptions", "verbs": ["create", "get"]},
            {"name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": ["get"]},
            {"name": "namespaces", "singularName": "namespace", "namespaced": false, "kind": "Namespace", "verbs": ["get", "list"], "shortNames": ["ns"]}
        ]
    })
}

// ---------------------------------------------------------------- selectors

#[derive(Debug)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

fn split_top_level(selector: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in selector.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
        .into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

fn parse_selector(selector: &str) -> Result<Vec<Requirement>, String> {
    let mut out = Vec::new();
    for term in split_top_level(selector) {
        let list = |rest: &str| -> Result<Vec<String>, String> {
            let rest = rest.trim();
            let inner = rest
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .ok_or_else(|| format!("unable to parse requirement: {term}"))?;
            Ok(inner.split(',').map(|v| v.trim().to_owned()).collect())
        };
        if let Some((k, v)) = term.split_once("!=") {
            out.push(Requirement::NotEquals(k.trim().into(), v.trim().into()));
        } else if let Some((k, v)) = term.split_once("==") {
            out.push(Requirement::Equals(k.trim().into(), v.trim().into()));
        } else if let Some((k, v)) = term.split_once('=') {
            out.push(Requirement::Equals(k.trim().into(), v.trim().into()));
        } else if let Some((k, rest)) = term.split_once(" notin ") {
            out.push(Requirement::NotIn(k.trim().into(), list(rest)?));
        } else if let Some((k, rest)) = term.split_once(" in ") {
            out.push(Requirement::In(k.trim().into(), list(rest)?));
        } else if let Some(k) = term.strip_prefix('!') {
            out.push(Requirement::NotExists(k.trim().into()));
        } else if term
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        {
            out.push(Requirement::Exists(term.clone()));
        } else {
            return Err(format!("unable to parse requirement: {term}"));
        }
    }
    Ok(out)
}

fn matches_labels(reqs: &[Requirement], labels: &BTreeMap<String, String>) -> bool {
    reqs.iter().all(|r| match r {
        Requirement::Equals(k, v) => labels.get(k) == Some(v),
        Requirement::NotEquals(k, v) => labels.get(k) != Some(v),
        Requirement::In(k, vs) => labels.get(k).is_some_and(|l| vs.contains(l)),
        Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|l| !vs.contains(l)),
        Requirement::Exists(k) => labels.contains_key(k),
        Requirement::NotExists(k) => !labels.contains_key(k),
    })
}

fn matches_fields(selector: Option<&str>, pod: &FakePod) -> bool {
    let Some(selector) = selector else {
        return true;
    };
    split_top_level(selector).iter().all(|term| {
        let (key, value, negate) = match term.split_once("!=") {
            Some((k, v)) => (k, v, true),
            None => match term.split_once('=') {
                Some((k, v)) => (k, v.trim_start_matches('='), false),
                None => return false,
            },
        };
        let actual = match key.trim() {
            "metadata.name" => &pod.name,
            "metadata.namespace" => &pod.namespace,
            _ => return false,
        };
        (actual == value.trim()) != negate
    })
}

struct Filter {
    labels: Vec<Requirement>,
    fields: Option<String>,
}

fn filter(params: &[(String, String)]) -> Result<Filter, String> {
    let labels = match param(params, "labelSelector") {
        Some(s) => parse_selector(s)?,
        None => Vec::new(),
    };
    Ok(Filter {
        labels,
        fields: param(params, "fieldSelector").map(str::to_owned),
    })
}

impl Filter {
    fn matches(&self, pod: &FakePod, ns: &str) -> bool {
        pod.namespace == ns
            && matches_labels(&self.labels, &pod.labels)
            && matches_fields(self.fields.as_deref(), pod)
    }
}

fn list_pods(
    state: &State,
    ns: &str,
    params: &[(String, String)],
    accept: Option<&HeaderValue>,
) -> Response<Body> {
    let filter = match filter(params) {
        Ok(f) => f,
        Err(message) => return status(400, "BadRequest", &message, None),
    };
    let items: Vec<usize> = state
        .script
        .pods
        .iter()
        .enumerate()
        .filter(|(_, p)| state.exists(p) && filter.matches(p, ns))
        .map(|(i, _)| i)
        .collect();
    let rv = state.current_rv().to_string();
    let wants_table = accept
        .and_then(|a| a.to_str().ok())
        .is_some_and(|a| a.contains("as=Table"));
    if wants_table {
        let rows: Vec<Value> = items
            .iter()
            .map(|&i| {
                let pod = &state.script.pods[i];
                let object = state.pod_json(i);
                let ready_count = object["status"]["containerStatuses"]
                    .as_array()
                    .map_or(0, |a| a.iter().filter(|c| c["ready"] == json!(true)).count());
                let phase = object["status"]["phase"].as_str().unwrap_or("Unknown").to_owned();
                json!({
                    "cells": [pod.name, format!("{ready_count}/{}", pod.containers.len()), phase, "0", "5m"],
                    "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"]},
                })
            })
            .collect();
        let column = |name: &str, format: &str| json!({"name": name, "type": "string", "format": format, "description": "", "priority": 0});
        let table = json!({
            "kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": rv},
            "columnDefinitions": [column("Name", "name"), column("Ready", ""), column("Status", ""), column("Restarts", ""), column("Age", "")],
            "rows": rows,
        });
        let mut res = json_response(StatusCode::OK, &table);
        res.headers_mut().insert(
            "content-type",
            HeaderValue::from_static("application/json;as=Table;v=v1;g=meta.k8s.io"),
        );
        return res;
    }
    let items: Vec<Value> = items.iter().map(|&i| state.pod_json(i)).collect();
    json_response(
        StatusCode::OK,
        &json!({"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": rv}, "items": items}),
    )
}

fn watch_pods(state: Arc<State>, ns: &str, params: &[(String, String)]) -> Response<Body> {
    let filter = match filter(params) {
        Ok(f) => f,
        Err(message) => return status(400, "BadRequest", &message, None),
    };
    let ns = ns.to_owned();
    let since: u64 = param(params, "resourceVersion")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let send_initial = param(params, "sendInitialEvents") == Some("true");
    let timeout = param(params, "timeoutSeconds")
        .and_then(|t| t.parse().ok())
        .map_or(Duration::from_secs(1800), Duration::from_secs);
    let (mut tx, rx) = futures::channel::mpsc::channel::<Result<Frame<Bytes>, Infallible>>(16);
    tokio::spawn(async move {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut versions = state.version.subscribe();
        let mut cursor = since;
        if since == 0 || send_initial {
            // No version (or a watch-list request): the current state first, as ADDED events.
            cursor = state.current_rv();
            for (index, pod) in state.script.pods.iter().enumerate() {
                if state.exists(pod) && filter.matches(pod, &ns) {
                    let line = json!({"type": "ADDED", "object": state.pod_json(index)})
                        .to_string()
                        + "\n";
                    if tx.send(Ok(Frame::data(Bytes::from(line)))).await.is_err() {
                        return;
                    }
                }
            }
        }
        if send_initial {
            // client-go's watch-list (kubectl wait) waits for this bookmark before trusting the stream.
            let bookmark = json!({"type": "BOOKMARK", "object": {"kind": "Pod", "apiVersion": "v1", "metadata": {
                "resourceVersion": cursor.to_string(),
                "annotations": {"k8s.io/initial-events-end": "true"},
            }}});
            if tx
                .send(Ok(Frame::data(Bytes::from(bookmark.to_string() + "\n"))))
                .await
                .is_err()
            {
                return;
            }
        }
        loop {
            let pending: Vec<LoggedEvent> = {
                let events = state.events.lock().expect("events");
                events.iter().filter(|e| e.rv > cursor).cloned().collect()
            };
            for event in pending {
                cursor = event.rv;
                let pod = &state.script.pods[event.pod];
                if !filter.matches(pod, &ns) {
                    continue;
                }
                let kind = match event.kind {
                    EventKind::Added => "ADDED",
                    EventKind::Modified => "MODIFIED",
                    EventKind::Deleted => "DELETED",
                };
                let line =
                    json!({"type": kind, "object": state.pod_json(event.pod)}).to_string() + "\n";
                if tx.send(Ok(Frame::data(Bytes::from(line)))).await.is_err() {
                    return;
                }
            }
            tokio::select! {
                changed = versions.changed() => if changed.is_err() { return },
                () = tokio::time::sleep_until(deadline) => return,
            }
        }
    });
    let mut res = Response::new(BodyExt::boxed(StreamBody::new(rx)));
    res.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    res
}

// ---------------------------------------------------------------- exec

fn exec(
    state: Arc<State>,
    mut req: Request<Incoming>,
    ns: &str,
    name: &str,
    params: &[(String, String)],
) -> Response<Body> {
    let Some((_, pod)) = state.find(ns, name) else {
        return not_found(name);
    };
    let pod = pod.clone();
    let command: Vec<String> = params
        .iter()
        .filter(|(k, _)| k == "command")
        .map(|(_, v)| v.clone())
        .collect();
    let container = match param(params, "container") {
        Some(c) => c.to_owned(),
        None if pod.containers.len() == 1 => pod.containers[0].clone(),
        None => {
            return status(
                400,
                "BadRequest",
                &format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    pod.containers.join(" ")
                ),
                None,
            );
        }
    };
    if !pod.containers.contains(&container) {
        return status(
            400,
            "BadRequest",
            &format!("container {container} is not valid for pod {name}"),
            None,
        );
    }
    if pod.unscheduled {
        return status(
            400,
            "BadRequest",
            &format!("pod {name} does not have a host assigned"),
            None,
        );
    }
    let sim = if state.has_failed(&pod) {
        ContainerSim::Terminated {
            reason: "Error".into(),
            exit_code: 1,
        }
    } else if container == "scanner" {
        pod.scanner.clone()
    } else {
        ContainerSim::Running
    };
    if sim != ContainerSim::Running {
        return status(
            500,
            "InternalError",
            &format!(
                "Internal error occurred: unable to upgrade connection: container not found (\"{container}\")"
            ),
            None,
        );
    }
    // A copy is `cat`, or a shell script that ends in `exec cat`.
    let is_cat = command.first().map(String::as_str) == Some("cat")
        || (command.first().map(String::as_str) == Some("sh")
            && command.iter().any(|w| w.contains("cat ")));
    let fault = pod
        .exec_fault
        .clone()
        .filter(|_| !pod.fault_on_cat_only || is_cat);
    if let Some(ExecFault::Http {
        code,
        reason,
        message,
    }) = &fault
    {
        return status(*code, reason, message, None);
    }
    // The websocket handshake, with subprotocol negotiation like the API server's.
    let offered: Vec<String> = req
        .headers()
        .get_all("sec-websocket-protocol")
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(',').map(|p| p.trim().to_owned()))
        .collect();
    let is_websocket = req
        .headers()
        .get("upgrade")
        .and_then(|h| h.to_str().ok())
        .is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
    if !is_websocket {
        return status(
            400,
            "BadRequest",
            "upgrade request required (this fake speaks websocket only)",
            None,
        );
    }
    let Some(protocol) = state
        .script
        .protocols
        .iter()
        .find(|p| offered.iter().any(|o| o == *p))
        .copied()
    else {
        return status(
            400,
            "BadRequest",
            &format!("none of the offered subprotocols {offered:?} are supported"),
            None,
        );
    };
    let Some(key) = req.headers().get("sec-websocket-key").cloned() else {
        return status(400, "BadRequest", "missing Sec-WebSocket-Key", None);
    };
    state
        .stats
        .protocols
        .lock()
        .expect("stats")
        .push(protocol.to_owned());
    state
        .stats
        .commands
        .lock()
        .expect("stats")
        .push(command.clone());
    let upgrade = hyper::upgrade::on(&mut req);
    let session_state = state.clone();
    tokio::spawn(async move {
        let Ok(upgraded) = upgrade.await else { return };
        let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        let in_flight = InFlight::start(session_state.stats.clone());
        run_session(&session_state, ws, &pod, &command, fault, in_flight).await;
    });
    let mut res = Response::new(Full::new(Bytes::new()).boxed());
    *res.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = res.headers_mut();
    headers.insert("upgrade", HeaderValue::from_static("websocket"));
    headers.insert("connection", HeaderValue::from_static("Upgrade"));
    headers.insert(
        "sec-websocket-accept",
        HeaderValue::from_str(&derive_accept_key(key.as_bytes())).expect("accept key"),
    );
    headers.insert("sec-websocket-protocol", HeaderValue::from_static(protocol));
    res
}

/// Counts a session as open from the upgrade until its connection is closed: the client has
/// answered the close, or hung up. A client that drops the connection without waiting for the
/// close is counted until the server gets round to noticing, as a real API server does while it
/// tears down its side (`FakePod::close_delay` makes that take a while).
struct InFlight(Option<Arc<Stats>>);

impl InFlight {
    fn start(stats: Arc<Stats>) -> Self {
        let now = stats.exec_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.exec_max_in_flight.fetch_max(now, Ordering::SeqCst);
        stats.exec_total.fetch_add(1, Ordering::SeqCst);
        Self(Some(stats))
    }

    fn end(&mut self) {
        if let Some(stats) = self.0.take() {
            stats.exec_in_flight.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.end();
    }
}

/// The outcome of a command in the fake container.
enum Run {
    Output {
        stdout: Vec<Content>,
        stderr: Vec<u8>,
        code: i32,
    },
    CannotStart(String),
}

fn run_command(state: &State, pod: &FakePod, command: &[String]) -> Run {
    let args: Vec<&str> = command.iter().map(String::as_str).collect();
    let ok = |stdout: Vec<Content>| Run::Output {
        stdout,
        stderr: Vec::new(),
        code: 0,
    };
    match args.as_slice() {
        ["test", "-e", path] => Run::Output {
            stdout: Vec::new(),
            stderr: Vec::new(),
            code: if state.file(pod, path).is_some() || is_dir(pod, path) {
                0
            } else {
                1
            },
        },
        ["ls", paths @ ..] => {
            let mut out = Vec::new();
            let mut err = Vec::new();
            for path in paths {
                if state.file(pod, path).is_some() {
                    out.extend_from_slice(format!("{path}\n").as_bytes());
                } else {
                    err.extend_from_slice(
                        format!("ls: cannot access '{path}': No such file or directory\n")
                            .as_bytes(),
                    );
                }
            }
            let code = if err.is_empty() { 0 } else { 2 };
            Run::Output {
                stdout: vec![Content::Bytes(out.into())],
                stderr: err,
                code,
            }
        }
        ["cat", paths @ ..] => {
            let mut out = Vec::new();
            let mut err = Vec::new();
            for path in paths {
                match state.file(pod, path) {
                    Some(content) => out.push(content),
                    None => err.extend_from_slice(
                        format!("cat: {path}: No such file or directory\n").as_bytes(),
                    ),
                }
            }
            let code = if err.is_empty() { 0 } else { 1 };
            Run::Output {
                stdout: out,
                stderr: err,
                code,
            }
        }
        ["sh", "-c", script, _name, args @ ..] if !pod.no_shell => {
            run_script(state, pod, script, args)
        }
        ["echo", words @ ..] => ok(vec![Content::Bytes(
            format!("{}\n", words.join(" ")).into(),
        )]),
        ["tar", "cf", "-", rest @ ..] => {
            // kubectl cp: `tar cf - PATH` (old) or `tar cf - -C DIR -- NAME` (new).
            let (dir, names): (Option<&str>, Vec<&str>) = match rest {
                ["-C", dir, "--", names @ ..] | ["-C", dir, names @ ..] => {
                    (Some(*dir), names.to_vec())
                }
                ["--", names @ ..] => (None, names.to_vec()),
                names => (None, names.to_vec()),
            };
            let mut builder = tar::Builder::new(Vec::new());
            let mut err = Vec::new();
            for name in names {
                let full = match dir {
                    Some(dir) => format!("{}/{name}", dir.trim_end_matches('/')),
                    None => name.to_owned(),
                };
                match state.file(pod, &full) {
                    Some(Content::Bytes(bytes)) => {
                        let member = name.trim_start_matches('/');
                        if dir.is_none() && name.starts_with('/') {
                            err.extend_from_slice(b"tar: Removing leading `/' from member names\n");
                        }
                        let mut header = tar::Header::new_gnu();
                        header.set_size(bytes.len() as u64);
                        header.set_mode(0o644);
                        header.set_mtime(1_700_000_000);
                        header.set_entry_type(tar::EntryType::Regular);
                        if builder
                            .append_data(&mut header, member, bytes.as_ref())
                            .is_err()
                        {
                            return Run::CannotStart("tar failed".into());
                        }
                    }
                    Some(Content::Endless(_)) => {
                        return Run::CannotStart("tar of an endless file".into());
                    }
                    None => err.extend_from_slice(
                        format!("tar: {name}: Cannot stat: No such file or directory\n").as_bytes(),
                    ),
                }
            }
            let code = if err.windows(12).any(|w| w == b"Cannot stat:") {
                2
            } else {
                0
            };
            let data = builder.into_inner().unwrap_or_default();
            Run::Output {
                stdout: vec![Content::Bytes(data.into())],
                stderr: err,
                code,
            }
        }
        [program, ..] => Run::CannotStart(format!(
            "Internal error occurred: error executing command in container: failed to exec in container: \
             failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: \
             exec: \"{program}\": executable file not found in $PATH: unknown"
        )),
        [] => Run::CannotStart("Internal error occurred: no command given".into()),
    }
}

/// Just enough of `sh -c` for one-line scripts: `;`-separated statements, each a command or
/// `A || B`; `exit N`; `exec CMD` (its outcome is the script's); `"$N"` and `$N` arguments.
fn run_script(state: &State, pod: &FakePod, script: &str, args: &[&str]) -> Run {
    let words = |text: &str| -> Vec<String> {
        text.split_whitespace()
            .map(|w| {
                let w = w.trim_matches('"');
                match w.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) {
                    Some(n) => args
                        .get(n.wrapping_sub(1))
                        .copied()
                        .unwrap_or("")
                        .to_owned(),
                    None => w.to_owned(),
                }
            })
            .collect()
    };
    let mut code = 0;
    for statement in script.split(';') {
        for (i, alternative) in statement.split("||").enumerate() {
            if i > 0 && code == 0 {
                break;
            }
            let command = words(alternative);
            match command
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice()
            {
                [] => {}
                ["exit", n] => {
                    return Run::Output {
                        stdout: Vec::new(),
                        stderr: Vec::new(),
                        code: n.parse().unwrap_or(2),
                    };
                }
                ["exec", rest @ ..] => {
                    let rest: Vec<String> = rest.iter().map(|w| (*w).to_owned()).collect();
                    return run_command(state, pod, &rest);
                }
                _ => match run_command(state, pod, &command) {
                    Run::Output { code: c, .. } => code = c,
                    Run::CannotStart(_) => code = 127,
                },
            }
        }
    }
    Run::Output {
        stdout: Vec::new(),
        stderr: Vec::new(),
        code,
    }
}

fn is_dir(pod: &FakePod, path: &str) -> bool {
    let prefix = format!("{}/", path.trim_end_matches('/'));
    pod.files.keys().any(|p| p.starts_with(&prefix))
}

const FRAME: usize = 64 * 1024;

async fn run_session<S>(
    state: &State,
    ws: WebSocketStream<S>,
    pod: &FakePod,
    command: &[String],
    fault: Option<ExecFault>,
    mut in_flight: InFlight,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sink, mut incoming) = ws.split();
    // Read (and drop) whatever the client sends: pings, v5 close-channel frames. It ends with the
    // client's close (its answer to ours, or its own) or with the connection.
    let mut reader = tokio::spawn(async move {
        // The stream is moved in so the client's close frame is answered.
        while let Some(Ok(message)) = incoming.next().await {
            if let Message::Close(_) = message {
                break;
            }
        }
    });
    let ending = send_output(state, &mut sink, pod, command, fault).await;
    if !matches!(ending, Ok(Ending::Reset)) {
        // Also when the client closed or hung up mid-stream (the sending failed): the server
        // takes its time to notice either way.
        tokio::time::sleep(pod.close_delay).await;
        if matches!(ending, Ok(Ending::Close)) {
            let _ = send_close(&mut sink).await;
        }
        // The session lasts until the client answered the close or hung up (bounded, for a
        // client that does neither).
        let _ = tokio::time::timeout(Duration::from_secs(5), &mut reader).await;
        // Sends the answer to a close the client started, if one is owed.
        let _ = sink.close().await;
    }
    // Counted as closed just before the connection goes, so a client that waits for the end of
    // the connection never sees it go while it is still counted.
    in_flight.end();
    reader.abort();
    drop(sink);
}

/// How the server ends a session.
enum Ending {
    /// With a close handshake.
    Close,
    /// By dropping the connection.
    Reset,
}

async fn send_output<W>(
    state: &State,
    sink: &mut W,
    pod: &FakePod,
    command: &[String],
    fault: Option<ExecFault>,
) -> Result<Ending, tokio_tungstenite::tungstenite::Error>
where
    W: futures::Sink<Message, Error = tokio_tungstenite::tungstenite::Error> + Unpin,
{
    // The kubelet sends an empty frame on the first writable channel when the stream is ready.
    sink.send(Message::Binary(Bytes::from_static(&[1]))).await?;
    if !pod.exec_delay.is_zero() {
        tokio::time::sleep(pod.exec_delay).await;
    }
    if let Some(noise) = &pod.stderr_noise {
        for chunk in noise.chunks(FRAME) {
            sink.send(Message::Binary(channel_frame(2, chunk))).await?;
        }
    }
    let status = match (fault, run_command(state, pod, command)) {
        (Some(ExecFault::InternalError(message)), _) | (_, Run::CannotStart(message)) => {
            json!({"metadata": {}, "status": "Failure", "message": message, "reason": "InternalError",
                   "details": {"causes": [{"message": message}]}, "code": 500})
        }
        (
            fault,
            Run::Output {
                stdout,
                stderr,
                code,
            },
        ) => {
            for content in stdout {
                match content {
                    Content::Bytes(bytes) => {
                        for chunk in bytes.chunks(FRAME) {
                            sink.send(Message::Binary(channel_frame(1, chunk))).await?;
                            if fault == Some(ExecFault::Reset) {
                                return Ok(Ending::Reset);
                            }
                        }
                    }
                    Content::Endless(byte) => {
                        let chunk = vec![byte; FRAME];
                        loop {
                            sink.send(Message::Binary(channel_frame(1, &chunk))).await?;
                        }
                    }
                }
            }
            if !stderr.is_empty() {
                sink.send(Message::Binary(channel_frame(2, &stderr)))
                    .await?;
            }
            if fault == Some(ExecFault::NoStatus) {
                return Ok(Ending::Close);
            }
            if code == 0 {
                json!({"metadata": {}, "status": "Success"})
            } else {
                json!({"metadata": {}, "status": "Failure",
                       "message": format!("command terminated with non-zero exit code: command terminated with exit code {code}"),
                       "reason": "NonZeroExitCode",
                       "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]}})
            }
        }
    };
    sink.send(Message::Binary(channel_frame(
        3,
        status.to_string().as_bytes(),
    )))
    .await?;
    Ok(Ending::Close)
}

/// The API server ends an exec with a 1000 (normal) close; kubectl treats a bare close as an error.
async fn send_close<S>(sink: &mut S) -> Result<(), tokio_tungstenite::tungstenite::Error>
where
    S: futures::Sink<Message, Error = tokio_tungstenite::tungstenite::Error> + Unpin,
{
    use tokio_tungstenite::tungstenite::protocol::CloseFrame;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    sink.send(Message::Close(Some(CloseFrame {
        code: CloseCode::Normal,
        reason: "".into(),
    })))
    .await
}

fn channel_frame(channel: u8, data: &[u8]) -> Bytes {
    let mut frame = Vec::with_capacity(data.len() + 1);
    frame.push(channel);
    frame.extend_from_slice(data);
    Bytes::from(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The label selectors kubectl and scangate send, as the API server reads them.
    #[test]
    fn label_selectors() {
        let labels = BTreeMap::from([
            ("app".to_owned(), "web".to_owned()),
            ("tier".to_owned(), "front".to_owned()),
        ]);
        let matches = |selector: &str| {
            matches_labels(&parse_selector(selector).expect("a selector"), &labels)
        };
        for yes in [
            "app=web",
            "app==web",
            "app=web,tier=front",
            "app!=db",
            "app in (web, db)",
            "tier notin (back)",
            "app",
            "!gone",
        ] {
            assert!(matches(yes), "{yes}");
        }
        for no in [
            "app=db",
            "app=web,tier=back",
            "app notin (web)",
            "gone",
            "!app",
        ] {
            assert!(!matches(no), "{no}");
        }
        assert!(parse_selector("app in web").is_err());
    }
}
