//! The scanner sidecar as Kubernetes manifests, typed with k8s-openapi and written as YAML:
//!
//! - [`inject`] adds the hardened scanner container, its volumes and the pod-level hardening to
//!   every workload of a YAML stream, and passes everything else through byte for byte;
//! - [`rbac`] renders the least-privilege ServiceAccount, Role and RoleBinding that
//!   `scangate fetch` needs;
//! - [`scanner`] is the container itself, the same one the Helm chart's test pod runs.
//!
//! Nothing here talks to a cluster, so it builds without kube-rs or an async runtime.
//!
//! ```
//! use scangate_sidecar::rbac::{self, Pods, RbacOptions};
//!
//! let yaml = rbac::render(&RbacOptions {
//!     namespace: "shop".into(),
//!     pods: Pods::Named(vec!["web-0".into()]),
//!     service_account: "scangate-fetch".into(),
//! })?;
//! // Named pods: every rule of the Role is limited to them.
//! assert!(yaml.contains("kind: Role\n"));
//! assert_eq!(yaml.matches("resourceNames:\n  - web-0\n").count(), 2);
//! # Ok::<(), scangate_sidecar::Error>(())
//! ```

mod error;
pub mod inject;
pub mod rbac;
pub mod scanner;
mod yaml;

pub use error::{DocumentError, Error, Flag, Id, Location, YamlError};

#[cfg(test)]
mod tests;
