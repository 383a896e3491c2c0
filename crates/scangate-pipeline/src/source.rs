//! Where an input comes from, and how it is named to the user.

use std::path::{Path, PathBuf};

/// Where an input came from: a file named on the command line, or a file fetched from a
/// scanner container (then `path` is the local copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    File,
    Pod {
        namespace: String,
        pod: String,
        container: String,
    },
}

/// One input of a [`Batch`](crate::Batch): its file, where it came from, and its name in
/// messages and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    path: PathBuf,
    /// The path as text, once: every report names it.
    path_text: String,
    name: String,
    origin: Origin,
}

impl Source {
    /// A results file, named by its path.
    pub fn file(path: impl Into<PathBuf>) -> Source {
        let path = path.into();
        let path_text = path.display().to_string();
        Source {
            path,
            name: path_text.clone(),
            path_text,
            origin: Origin::File,
        }
    }

    /// A file fetched from `container` of `namespace/pod`, named `namespace/pod`: the pod is
    /// what a reader of the verdict knows, not where this run happened to store its copy.
    pub fn pod(
        namespace: impl Into<String>,
        pod: impl Into<String>,
        container: impl Into<String>,
        path: impl Into<PathBuf>,
    ) -> Source {
        let (namespace, pod) = (namespace.into(), pod.into());
        let path = path.into();
        Source {
            path_text: path.display().to_string(),
            path,
            name: format!("{namespace}/{pod}"),
            origin: Origin::Pod {
                namespace,
                pod,
                container: container.into(),
            },
        }
    }

    /// The same source under another name.
    #[must_use]
    pub fn named(self, name: impl Into<String>) -> Source {
        Source {
            name: name.into(),
            ..self
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The renderers' view of where the input came from.
    pub(crate) fn report_origin(&self) -> scangate_report::Origin<'_> {
        match &self.origin {
            Origin::File => scangate_report::Origin::File {
                path: &self.path_text,
            },
            Origin::Pod {
                namespace,
                pod,
                container,
            } => scangate_report::Origin::Pod {
                namespace,
                pod,
                container,
                path: &self.path_text,
            },
        }
    }
}
