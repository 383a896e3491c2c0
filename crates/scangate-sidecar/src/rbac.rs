//! `scangate sidecar rbac`: the ServiceAccount, Role and RoleBinding that `scangate fetch` needs,
//! and nothing more.

use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use scangate_kube::names;

use crate::error::Error;
use crate::yaml;

/// Which pods `scangate fetch` will read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pods {
    /// Named pods: every rule is restricted to them with `resourceNames`.
    Named(Vec<String>),
    /// A label selector, resolved at fetch time: needs `list` on every pod of the namespace.
    Selector(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RbacOptions {
    pub namespace: String,
    pub pods: Pods,
    pub service_account: String,
}

/// Renders the three objects as one YAML stream, with a comment header explaining the scope.
pub fn render(opts: &RbacOptions) -> Result<String, Error> {
    if !names::is_valid_namespace(&opts.namespace) {
        return Err(Error::InvalidNamespace(opts.namespace.clone()));
    }
    // ServiceAccount names are DNS-1123 subdomains, as pod names are.
    if !names::is_valid_pod_name(&opts.service_account) {
        return Err(Error::InvalidServiceAccount(opts.service_account.clone()));
    }
    let names = match &opts.pods {
        Pods::Named(pods) => {
            if pods.is_empty() {
                return Err(Error::NoPods);
            }
            if let Some(bad) = pods.iter().find(|p| !names::is_valid_pod_name(p)) {
                return Err(Error::InvalidPodName(bad.clone()));
            }
            let mut names = pods.clone();
            names.sort();
            names.dedup();
            Some(names)
        }
        Pods::Selector(sel) => {
            if sel.trim().is_empty() || sel.chars().any(char::is_control) {
                return Err(Error::InvalidSelector(sel.clone()));
            }
            None
        }
    };
    let ns = &opts.namespace;
    let name = &opts.service_account;
    let labels = Some(
        [
            ("app.kubernetes.io/name".to_string(), "scangate".to_string()),
            (
                "app.kubernetes.io/component".to_string(),
                "fetch".to_string(),
            ),
        ]
        .into(),
    );
    let meta = || ObjectMeta {
        name: Some(name.clone()),
        namespace: Some(ns.clone()),
        labels: labels.clone(),
        ..Default::default()
    };
    let account = ServiceAccount {
        metadata: meta(),
        // Its tokens are minted for `scangate fetch` (kubectl create token); no pod mounts one.
        automount_service_account_token: Some(false),
        ..Default::default()
    };
    let rule = |resource: &str, verbs: &[&str]| PolicyRule {
        api_groups: Some(vec![String::new()]),
        resources: Some(vec![resource.into()]),
        verbs: verbs.iter().map(|v| (*v).to_string()).collect(),
        resource_names: names.clone(),
        non_resource_urls: None,
    };
    let role = Role {
        metadata: meta(),
        rules: Some(vec![
            rule("pods", &["get", "list", "watch"]),
            // Both on any cluster: RBAC sees a websocket exec as `get`, and from 1.35 the API
            // server also checks `create` (KEP-4006).
            rule("pods/exec", &["create", "get"]),
        ]),
    };
    let binding = RoleBinding {
        metadata: meta(),
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "Role".into(),
            name: name.clone(),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".into(),
            name: name.clone(),
            namespace: Some(ns.clone()),
            api_group: None,
        }]),
    };
    let (command, scope) = match (&opts.pods, &names) {
        (_, Some(names)) => (
            format!("scangate fetch -n {ns} {}", names.join(" ")),
            "restricted to these pods by resourceNames".to_string(),
        ),
        (Pods::Selector(sel), None) => (
            format!("scangate fetch -n {ns} -l {sel}"),
            format!("on every pod of namespace {ns}: RBAC cannot filter by label"),
        ),
        (Pods::Named(_), None) => unreachable!("named pods always have names"),
    };
    let header = format!(
        "# RBAC for `{command}`, and nothing more: get/list/watch pods (find them, wait\n\
         # until Ready) and exec `cat` in the scanner container (pods/exec: get and create, on any\n\
         # cluster version: exec over WebSocket is an HTTP GET, and from 1.35 create is checked\n\
         # too), {scope}.\n"
    );
    let docs = [
        yaml::to_yaml(&account).map_err(Error::Yaml)?,
        yaml::to_yaml(&role).map_err(Error::Yaml)?,
        yaml::to_yaml(&binding).map_err(Error::Yaml)?,
    ];
    Ok(format!("{header}{}", yaml::join_documents(&docs)))
}
