//! Shared test support: the fake Kubernetes API server.

pub mod fake_kube;
