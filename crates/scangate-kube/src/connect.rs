//! Where the credentials come from: a kubeconfig, or the pod's service account.
//!
//! Error messages here never include kubeconfig contents: a YAML parse error can quote the
//! line it failed on, and that line may be a token, so such errors are reduced to what kind of
//! problem it is and which file.

use std::path::{Path, PathBuf};

use kube::config::{
    AuthInfo, Cluster as KubeCluster, Context, KubeConfigOptions, Kubeconfig, KubeconfigError,
    NamedAuthInfo, NamedCluster, NamedContext,
};

use crate::error::{Error, ErrorKind};

/// How to find the API server and credentials.
#[derive(Debug, Clone)]
pub enum Source {
    /// Like kubectl: `kubeconfig` if given, else `$KUBECONFIG`, else `~/.kube/config`, else the
    /// in-cluster service account (when `KUBERNETES_SERVICE_HOST` is set).
    Infer {
        /// An explicit kubeconfig file (`--kubeconfig`).
        kubeconfig: Option<PathBuf>,
        /// The context to use instead of the current one (`--context`).
        context: Option<String>,
    },
    /// A service account's mounted files.
    InCluster(InCluster),
}

/// An in-cluster service account: the API server address and the directory holding `token`,
/// `ca.crt` and `namespace`.
#[derive(Debug, Clone)]
pub struct InCluster {
    /// Host of the API server (an IP address or a DNS name).
    pub host: String,
    /// Port of the API server.
    pub port: u16,
    /// Directory with the service-account files; [`InCluster::ACCOUNT_DIR`] in a real pod.
    pub account_dir: PathBuf,
}

impl InCluster {
    /// Where Kubernetes mounts the service account in every pod.
    pub const ACCOUNT_DIR: &'static str = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// The in-cluster account as kube-rs and client-go find it: `KUBERNETES_SERVICE_HOST` and
    /// `KUBERNETES_SERVICE_PORT`, and the standard mount. `None` outside a cluster.
    pub fn from_env() -> Option<Self> {
        let host = std::env::var("KUBERNETES_SERVICE_HOST")
            .ok()
            .filter(|h| !h.is_empty())?;
        let port = std::env::var("KUBERNETES_SERVICE_PORT")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(443);
        Some(Self {
            host,
            port,
            account_dir: PathBuf::from(Self::ACCOUNT_DIR),
        })
    }

    /// A kubeconfig equivalent to the mounted account, so that kube-rs does the TLS and token
    /// handling (including re-reading a rotated token) exactly as for any kubeconfig.
    fn to_kubeconfig(&self) -> Result<Kubeconfig, Error> {
        let dir = &self.account_dir;
        let token = dir.join("token");
        let ca = dir.join("ca.crt");
        for file in [&token, &ca] {
            if !file.is_file() {
                return Err(config_error(format!(
                    "in-cluster service account incomplete: {} is missing",
                    file.display()
                )));
            }
        }
        let namespace = std::fs::read_to_string(dir.join("namespace"))
            .ok()
            .map(|ns| ns.trim().to_owned());
        let host = if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let name = "in-cluster".to_owned();
        let config = Kubeconfig {
            clusters: vec![NamedCluster {
                name: name.clone(),
                cluster: Some(KubeCluster {
                    server: Some(format!("https://{host}:{}", self.port)),
                    certificate_authority: Some(ca.display().to_string()),
                    ..KubeCluster::default()
                }),
                ..NamedCluster::default()
            }],
            auth_infos: vec![NamedAuthInfo {
                name: name.clone(),
                auth_info: Some(AuthInfo {
                    token_file: Some(token.display().to_string()),
                    ..AuthInfo::default()
                }),
                ..NamedAuthInfo::default()
            }],
            contexts: vec![NamedContext {
                name: name.clone(),
                context: Some(Context {
                    cluster: name.clone(),
                    user: Some(name.clone()),
                    namespace,
                    ..Context::default()
                }),
                ..NamedContext::default()
            }],
            current_context: Some(name),
            ..Kubeconfig::default()
        };
        Ok(config)
    }
}

/// A connected client and the namespace to use when none is given.
#[derive(Clone)]
pub struct Cluster {
    pub(crate) client: kube::Client,
    default_namespace: String,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("default_namespace", &self.default_namespace)
            .finish_non_exhaustive()
    }
}

impl Cluster {
    /// Loads the configuration and builds a client. Nothing is sent to the API server yet.
    pub async fn connect(source: &Source) -> Result<Self, Error> {
        let (kubeconfig, context, account) = match source {
            Source::Infer {
                kubeconfig: Some(path),
                context,
            } => (read_kubeconfig(path)?, context.clone(), None),
            Source::Infer {
                kubeconfig: None,
                context,
            } => {
                if let Some(config) = Kubeconfig::from_env().map_err(kubeconfig_error)? {
                    (config, context.clone(), None)
                } else if let Some(path) = default_kubeconfig_path().filter(|p| p.is_file()) {
                    (read_kubeconfig(&path)?, context.clone(), None)
                } else if let Some(account) = InCluster::from_env() {
                    if context.is_some() {
                        return Err(config_error(
                            "a context was given but there is no kubeconfig ($KUBECONFIG, ~/.kube/config)".into(),
                        ));
                    }
                    (account.to_kubeconfig()?, None, Some(account))
                } else {
                    return Err(config_error(
                        "no kubeconfig found ($KUBECONFIG, ~/.kube/config) and not running in a cluster \
                         (KUBERNETES_SERVICE_HOST is not set)"
                            .into(),
                    ));
                }
            }
            Source::InCluster(account) => (account.to_kubeconfig()?, None, Some(account.clone())),
        };
        let options = KubeConfigOptions {
            context,
            cluster: None,
            user: None,
        };
        let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .map_err(kubeconfig_error)?;
        if let Some(account) = account {
            // As kube-rs does in a pod: re-read the CA bundle so a rotated CA keeps working.
            config.root_cert_file = Some(account.account_dir.join("ca.crt"));
        }
        let default_namespace = config.default_namespace.clone();
        let client = kube::Client::try_from(config).map_err(|e| {
            config_error(format!(
                "cannot build the client: {}",
                crate::api::describe_kube_error(&e)
            ))
        })?;
        Ok(Self {
            client,
            default_namespace,
        })
    }

    /// The namespace of the kubeconfig context or service account, else `default`.
    pub fn default_namespace(&self) -> &str {
        &self.default_namespace
    }
}

fn default_kubeconfig_path() -> Option<PathBuf> {
    std::env::home_dir().map(|home| home.join(".kube").join("config"))
}

fn read_kubeconfig(path: &Path) -> Result<Kubeconfig, Error> {
    Kubeconfig::read_from(path).map_err(kubeconfig_error)
}

fn config_error(message: String) -> Error {
    Error::new(ErrorKind::Config(message))
}

/// Kubeconfig errors without anything that could quote the file's contents.
fn kubeconfig_error(err: KubeconfigError) -> Error {
    let message = match &err {
        KubeconfigError::ReadConfig(io, path) => {
            format!("cannot read kubeconfig {}: {io}", path.display())
        }
        // The YAML error quotes the offending text, which may be a credential.
        KubeconfigError::Parse(_) => "cannot parse the kubeconfig: it is not valid YAML".to_owned(),
        KubeconfigError::LoadClientCertificate(_) => {
            "cannot load the client certificate of the kubeconfig user".into()
        }
        KubeconfigError::LoadClientKey(_) => {
            "cannot load the client key of the kubeconfig user".into()
        }
        KubeconfigError::LoadCertificateAuthority(_) | KubeconfigError::ParseCertificates(_) => {
            "cannot load the certificate authority of the kubeconfig cluster".into()
        }
        KubeconfigError::LoadContext(name) => {
            format!("kubeconfig has no context {}", crate::names::quoted(name))
        }
        KubeconfigError::LoadClusterOfContext(name) => {
            format!("kubeconfig has no cluster {}", crate::names::quoted(name))
        }
        KubeconfigError::CurrentContextNotSet => {
            "kubeconfig has no current-context (use --context)".into()
        }
        KubeconfigError::MissingClusterUrl => "kubeconfig cluster has no server url".into(),
        KubeconfigError::ParseClusterUrl(_) => {
            "kubeconfig cluster server is not a valid url".into()
        }
        other => format!("cannot load the kubeconfig: {other}"),
    };
    config_error(message)
}
