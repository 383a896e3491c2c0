//! Why `inject` or `rbac` refused. Each message is one line, the one `scangate sidecar` prints,
//! so options are named by the flags that set them.

use std::fmt;

use crate::inject::Workload;
use crate::scanner;
use crate::yaml;

/// Everything [`inject`](crate::inject) and [`rbac`](crate::rbac) can refuse.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{} must not be empty", Flag::Image)]
    EmptyImage,
    #[error("{flag} must be an absolute path without '..' or ':', not {path:?}")]
    NotAnAbsolutePath { flag: Flag, path: String },
    #[error(
        "{} and {} must be different directories",
        Flag::Profile,
        Flag::ResultsDir
    )]
    SameDirectory,
    #[error("{flag} cannot be {dir}: the scanner mounts its own volume there")]
    ReservedDirectory { flag: Flag, dir: &'static str },
    #[error("{flag} {name:?} is not a valid ConfigMap name (lowercase DNS subdomain)")]
    InvalidConfigMapName { flag: Flag, name: String },
    #[error("{flag} must be a non-root ID (> 0)")]
    RootId { flag: Flag, id: i64 },
    /// One document of the stream cannot be injected. Boxed: it is the largest variant by far.
    #[error("{at}: {problem}")]
    Document {
        at: Box<Location>,
        problem: DocumentError,
    },
    #[error("namespace {0:?} is not a valid namespace name (lowercase DNS label)")]
    InvalidNamespace(String),
    #[error("service account {0:?} is not a valid name (lowercase DNS subdomain)")]
    InvalidServiceAccount(String),
    #[error("name at least one pod, or give a label selector with -l")]
    NoPods,
    #[error("pod {0:?} is not a valid pod name (lowercase DNS subdomain)")]
    InvalidPodName(String),
    #[error("{0:?} is not a label selector")]
    InvalidSelector(String),
    /// Writing the RBAC objects failed (serde-saphyr refused them).
    #[error("{0}")]
    Yaml(YamlError),
}

/// What is wrong with one document, or with the pod spec [`inject_pod`](crate::inject::inject_pod)
/// was given.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    #[error("invalid YAML: {0}")]
    InvalidYaml(YamlError),
    #[error("not a valid {kind}: {error}")]
    NotValid { kind: Workload, error: YamlError },
    #[error(
        "apiVersion {} is not supported for {kind}: use {}",
        .found.as_deref().unwrap_or("(none)"),
        .kind.api_version()
    )]
    UnsupportedApiVersion {
        kind: Workload,
        found: Option<String>,
    },
    /// The typed round trip lost a field: writing the object back would drop it silently.
    #[error("field {path} is not part of the Kubernetes 1.33 {kind} schema; inject would drop it")]
    UnknownField { kind: Workload, path: String },
    /// Rewriting a `List`'s items or writing the injected object back failed.
    #[error("{0}")]
    Yaml(YamlError),
    #[error("{0}")]
    Json(serde_json::Error),
    #[error(
        "hostPID is true: the scanner would see every process of the node; \
         refusing to inject (remove hostPID or leave this workload out)"
    )]
    HostPid,
    #[error(
        "a container named {:?} exists already (not added by scangate); rename it",
        scanner::CONTAINER
    )]
    ContainerExists,
    #[error("a volume named {name:?} exists already (not added by scangate); rename it")]
    VolumeExists { name: String },
    /// The pod's security context sets the UID or GID, and the flag asks for another.
    #[error(
        "the pod runs as {id} {pod} (securityContext.{}) but {} is {requested}: \
         the scanner must share the target's {id}",
        .id.field(),
        .id.flag()
    )]
    IdConflict { id: Id, pod: i64, requested: i64 },
    #[error(
        "the containers run as different UIDs ({}): pass {} with the target's UID",
        comma_separated(.0),
        Flag::RunAsUser
    )]
    DifferentUids(Vec<i64>),
    #[error(
        "the pod runs as root (runAsUser 0): the scanner runs as the target's non-root UID; \
         set a runAsUser > 10000 for the pod"
    )]
    RootUid,
    #[error(
        "the pod runs with GID 0 (runAsGroup 0): the scanner would need the root group; \
         set a non-zero runAsGroup for the pod"
    )]
    RootGid,
}

/// Which of the pod's IDs the scanner shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Id {
    Uid,
    Gid,
}

impl Id {
    /// The field of the security context that sets it.
    fn field(self) -> &'static str {
        match self {
            Self::Uid => "runAsUser",
            Self::Gid => "runAsGroup",
        }
    }

    /// The flag that asks for it.
    fn flag(self) -> Flag {
        match self {
            Self::Uid => Flag::RunAsUser,
            Self::Gid => Flag::RunAsGroup,
        }
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Uid => "UID",
            Self::Gid => "GID",
        })
    }
}

fn comma_separated(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// An option of [`InjectOptions`](crate::inject::InjectOptions), shown as the
/// `scangate sidecar inject` flag that sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Flag {
    Image,
    Profile,
    ResultsDir,
    ProfilesConfigMap,
    ScriptsConfigMap,
    RunAsUser,
    RunAsGroup,
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Flag::Image => "--image",
            Flag::Profile => "--profile",
            Flag::ResultsDir => "--results-dir",
            Flag::ProfilesConfigMap => "--profiles-configmap",
            Flag::ScriptsConfigMap => "--scripts-configmap",
            Flag::RunAsUser => "--run-as-user",
            Flag::RunAsGroup => "--run-as-group",
        })
    }
}

/// Which document an error is about, shown as `document 2 (line 5, List item 1, Deployment web)`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Location {
    /// 1-based position among the stream's non-empty documents.
    pub document: usize,
    /// 1-based line of the stream where the document starts.
    pub line: usize,
    /// 1-based position in a `kind: List`'s items.
    pub list_item: Option<usize>,
    pub kind: Option<String>,
    pub name: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "document {} (line {}", self.document, self.line)?;
        if let Some(i) = self.list_item {
            write!(f, ", List item {i}")?;
        }
        match (&self.kind, &self.name) {
            (Some(k), Some(n)) => write!(f, ", {k} {n})"),
            (Some(k), None) => write!(f, ", {k})"),
            _ => write!(f, ")"),
        }
    }
}

/// serde-saphyr could not read or write a document. Shown as the first line of its message:
/// the messages stay one line, whatever snippet serde-saphyr adds.
#[derive(Debug)]
pub struct YamlError(Box<YamlErrorKind>);

#[derive(Debug)]
enum YamlErrorKind {
    Read(serde_saphyr::Error),
    Write(serde_saphyr::SerializeError),
}

impl From<serde_saphyr::Error> for YamlError {
    fn from(e: serde_saphyr::Error) -> Self {
        YamlError(Box::new(YamlErrorKind::Read(e)))
    }
}

impl From<serde_saphyr::SerializeError> for YamlError {
    fn from(e: serde_saphyr::SerializeError) -> Self {
        YamlError(Box::new(YamlErrorKind::Write(e)))
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let full = match &*self.0 {
            YamlErrorKind::Read(e) => e.to_string(),
            YamlErrorKind::Write(e) => e.to_string(),
        };
        f.write_str(&yaml::one_line(&full))
    }
}

// No `source()`: the message already is serde-saphyr's, and a chain printed in full would
// repeat it with the multi-line snippet that `one_line` leaves out.
impl std::error::Error for YamlError {}
