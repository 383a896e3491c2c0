//! Fetch scan results from scanner sidecars through the Kubernetes API.
//!
//! For each pod: wait until it is Ready (a watch; `get`/`list` polling if `watch` is not
//! granted), wait for the scanner's marker file (`test -e` over exec, with backoff), then copy
//! each file with `cat` over exec (the marker check and the first copy share one `sh -c` exec
//! where the container has a shell) into `DIR/<namespace>/<pod>/<file name>`: held in memory
//! (or, past 8 MiB, streamed to a temporary file), cut past a byte limit, checked by the
//! caller's validator, written to a temporary file and renamed into place. Pods are worked on
//! concurrently; one pod's failure never stops the others.
//!
//! The pod is untrusted: it can send any bytes, any amount, and (through a selector) any pod
//! name. It cannot choose a local path, write outside the output directory, leave a partial
//! file behind, or put terminal escapes into messages.
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//! use scangate_kube::{Cluster, FetchOptions, Source, Targets};
//!
//! # async fn example() -> Result<(), scangate_kube::Error> {
//! let cluster = Cluster::connect(&Source::Infer { kubeconfig: None, context: None }).await?;
//! let options = FetchOptions {
//!     namespace: "scans".into(),
//!     targets: Targets::Selector("app=web".into()),
//!     validator: Arc::new(|bytes: &[u8]| {
//!         if bytes.starts_with(b"{") { Ok(()) } else { Err("not a JSON object".into()) }
//!     }),
//!     ..FetchOptions::new("scans", "./scan-results")
//! };
//! let reports = scangate_kube::fetch(&cluster, &options, &|event| eprintln!("{event:?}")).await?;
//! for report in &reports {
//!     match &report.outcome {
//!         Ok(fetched) => println!("{}: {}", report.pod, fetched.results.display()),
//!         Err(failure) => println!("{}: {}", report.pod, failure.error),
//!     }
//! }
//! # Ok(())
//! # }
//! ```

/// Items of the Kubernetes client, which exist only with the `client` feature.
macro_rules! client_only {
    ($($item:item)*) => { $(#[cfg(feature = "client")] $item)* };
}

client_only! {
    mod api;
    mod connect;
    mod copy;
    mod diagnose;
    mod error;
    mod exec;
    mod options;
    mod outcome;
    mod pod;
    mod run;
    mod track;

    pub use connect::{Cluster, InCluster, Source};
    pub use error::{Access, Error, ErrorKind, human_duration};
    pub use options::{FetchOptions, InvalidOption, PathOption, Targets, Validator};
    pub use outcome::{Diagnosis, Event, Fetched, Logs, PodFailure, PodRef, PodReport, Stage};
    pub use run::fetch;
}

// Always built: scangate-sidecar checks names with it in builds without the client too;
// `quoted` serves only the client.
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub mod names;
