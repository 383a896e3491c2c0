//! Tests of `sidecar inject` and `sidecar rbac`. Snapshots named `manifest_*` hold Kubernetes
//! manifests: `.ci/check-deploy.sh` extracts exactly those and runs them through the strict 1.33
//! schemas and checkov.

use std::path::PathBuf;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    Container, Pod, PodSecurityContext, PodSpec, SecurityContext, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use proptest::prelude::*;
use serde_json::Value;

use crate::inject::{InjectOptions, Workload, inject_pod, inject_stream};
use crate::rbac::{self, Pods, RbacOptions};
use crate::scanner;
use crate::yaml;
use crate::{DocumentError, Error, Flag};

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../deploy/tests/inject")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn inject(input: &str) -> String {
    inject_stream(input, &InjectOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// The pod spec of every injected workload in `output`, typed, by kind.
fn pod_specs(output: &str) -> Vec<(String, PodSpec)> {
    let mut specs = Vec::new();
    for doc in yaml::split_documents(output) {
        let v: Value = yaml::parse(&doc.text).unwrap();
        let kind = v["kind"].as_str().unwrap_or_default().to_string();
        let t = &doc.text;
        let spec = match kind.as_str() {
            "Pod" => yaml::parse::<Pod>(t).unwrap().spec,
            "Deployment" => yaml::parse::<Deployment>(t)
                .unwrap()
                .spec
                .and_then(|s| s.template.spec),
            "StatefulSet" => yaml::parse::<StatefulSet>(t)
                .unwrap()
                .spec
                .and_then(|s| s.template.spec),
            "DaemonSet" => yaml::parse::<DaemonSet>(t)
                .unwrap()
                .spec
                .and_then(|s| s.template.spec),
            "ReplicaSet" => yaml::parse::<ReplicaSet>(t)
                .unwrap()
                .spec
                .and_then(|s| s.template.and_then(|t| t.spec)),
            "Job" => yaml::parse::<Job>(t)
                .unwrap()
                .spec
                .and_then(|s| s.template.spec),
            "CronJob" => yaml::parse::<CronJob>(t)
                .unwrap()
                .spec
                .and_then(|s| s.job_template.spec?.template.spec),
            "List" => {
                for item in v["items"].as_array().unwrap() {
                    specs.extend(pod_specs(&yaml::to_yaml(item).unwrap()));
                }
                continue;
            }
            _ => continue,
        };
        specs.push((kind, spec.expect("a pod spec")));
    }
    specs
}

fn scanner_of(spec: &PodSpec) -> &Container {
    spec.containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .find(|c| c.name == "scanner")
        .expect("a scanner container")
}

fn assert_hardened(kind: &str, spec: &PodSpec) {
    assert_eq!(spec.share_process_namespace, Some(true), "{kind}");
    assert_eq!(spec.automount_service_account_token, Some(false), "{kind}");
    let psc = spec.security_context.as_ref().unwrap();
    assert_eq!(psc.run_as_non_root, Some(true), "{kind}");
    assert!(psc.run_as_user.unwrap() > 10000, "{kind}");
    assert!(psc.run_as_group.unwrap() > 10000, "{kind}");
    assert_eq!(
        psc.seccomp_profile.as_ref().unwrap().type_,
        "RuntimeDefault",
        "{kind}"
    );
    let c = scanner_of(spec);
    let sc = c.security_context.as_ref().unwrap();
    assert_eq!(sc.allow_privilege_escalation, Some(false));
    assert_eq!(sc.privileged, Some(false));
    assert_eq!(sc.read_only_root_filesystem, Some(true));
    assert_eq!(sc.run_as_non_root, Some(true));
    assert_eq!(
        sc.run_as_user, psc.run_as_user,
        "scanner and pod share the UID"
    );
    assert_eq!(
        sc.run_as_group, psc.run_as_group,
        "scanner and pod share the GID"
    );
    let caps = sc.capabilities.as_ref().unwrap();
    assert_eq!(caps.drop.as_deref(), Some(&["ALL".to_string()][..]));
    assert_eq!(caps.add, None, "no capability added");
    assert_eq!(sc.seccomp_profile.as_ref().unwrap().type_, "RuntimeDefault");
    let res = c.resources.as_ref().unwrap();
    for key in ["cpu", "memory"] {
        assert!(res.requests.as_ref().unwrap().contains_key(key));
        assert!(res.limits.as_ref().unwrap().contains_key(key));
    }
    let vols = spec.volumes.as_ref().unwrap();
    for name in scanner::VOLUMES {
        let v = vols
            .iter()
            .find(|v| v.name == name)
            .unwrap_or_else(|| panic!("{kind}: volume {name}"));
        if let Some(ed) = &v.empty_dir {
            assert!(ed.size_limit.is_some(), "{kind}: {name} has a sizeLimit");
        }
    }
}

macro_rules! kind_snapshot {
    ($test:ident, $file:literal, $snap:literal, $native:expr) => {
        #[test]
        fn $test() {
            let out = inject(&fixture($file));
            insta::assert_snapshot!($snap, out);
            let specs = pod_specs(&out);
            assert!(!specs.is_empty());
            for (kind, spec) in &specs {
                assert_hardened(kind, spec);
                let in_init = spec
                    .init_containers
                    .iter()
                    .flatten()
                    .any(|c| c.name == "scanner");
                assert_eq!(in_init, $native, "{kind}: native sidecar for jobs only");
                if $native {
                    assert_eq!(scanner_of(spec).restart_policy.as_deref(), Some("Always"));
                }
            }
            assert_eq!(inject(&out), out, "injecting twice equals injecting once");
        }
    };
}

kind_snapshot!(inject_pod_kind, "pod.yaml", "manifest_inject_pod", false);
kind_snapshot!(
    inject_deployment,
    "deployment.yaml",
    "manifest_inject_deployment",
    false
);
kind_snapshot!(
    inject_statefulset,
    "statefulset.yaml",
    "manifest_inject_statefulset",
    false
);
kind_snapshot!(
    inject_daemonset,
    "daemonset.yaml",
    "manifest_inject_daemonset",
    false
);
kind_snapshot!(
    inject_replicaset,
    "replicaset.yaml",
    "manifest_inject_replicaset",
    false
);
kind_snapshot!(inject_job, "job.yaml", "manifest_inject_job", true);
kind_snapshot!(
    inject_cronjob,
    "cronjob.yaml",
    "manifest_inject_cronjob",
    true
);
kind_snapshot!(inject_list, "list.yaml", "manifest_inject_list", false);

#[test]
fn other_documents_pass_through_byte_for_byte() {
    let input = fixture("deployment.yaml");
    let out = inject(&input);
    let netpol_in = &yaml::split_documents(&input)[1].text;
    let netpol_out = &yaml::split_documents(&out)[1].text;
    assert_eq!(netpol_in, netpol_out);
    let odd = "# not a Kubernetes object\n- just\n- a list\n---\nkind: Widget\nspec: {a: [1, 2]}\n";
    assert_eq!(inject(odd), odd);
}

#[test]
fn list_keeps_its_uid_and_other_items() {
    let out = inject(&fixture("list.yaml"));
    let v: Value = yaml::parse(&out).unwrap();
    assert_eq!(v["items"][0]["kind"], "ConfigMap");
    assert_eq!(v["items"][0]["data"]["LOG_LEVEL"], "info");
    let specs = pod_specs(&out);
    let psc = specs[0].1.security_context.as_ref().unwrap();
    assert_eq!(
        psc.run_as_user,
        Some(20001),
        "the pod's own UID is the target's: kept"
    );
}

#[test]
fn options_reach_the_container() {
    let opts = InjectOptions {
        image: "registry.example.com/scanner:1.0@sha256:0123".into(),
        profile: "/profiles/custom/".into(),
        profiles_configmap: "my-profiles".into(),
        scripts_configmap: "my-scripts".into(),
        results_dir: "/out".into(),
        run_as_user: Some(12345),
        run_as_group: Some(23456),
        target_process: Some("^nginx: master".into()),
    };
    let out = inject_stream(&fixture("pod.yaml"), &opts).unwrap();
    let (_, spec) = &pod_specs(&out)[0];
    let c = scanner_of(spec);
    assert_eq!(
        c.image.as_deref(),
        Some("registry.example.com/scanner:1.0@sha256:0123")
    );
    let env: Vec<(String, String)> = c
        .env
        .iter()
        .flatten()
        .map(|e| (e.name.clone(), e.value.clone().unwrap_or_default()))
        .collect();
    assert!(env.contains(&("SCANNER_PROFILES".into(), "/profiles/custom".into())));
    assert!(env.contains(&("SCANNER_RESULTS_DIR".into(), "/out".into())));
    assert!(env.contains(&("SCANNER_TARGET_PROCESS".into(), "^nginx: master".into())));
    let sc = c.security_context.as_ref().unwrap();
    assert_eq!(
        (sc.run_as_user, sc.run_as_group),
        (Some(12345), Some(23456))
    );
    let vols = spec.volumes.as_ref().unwrap();
    assert!(vols.iter().any(|v| {
        v.config_map
            .as_ref()
            .is_some_and(|c| c.name == "my-profiles")
    }));
    assert!(vols.iter().any(|v| {
        v.config_map
            .as_ref()
            .is_some_and(|c| c.name == "my-scripts")
    }));
    let probe = c.liveness_probe.as_ref().unwrap().exec.as_ref().unwrap();
    assert_eq!(probe.command.as_deref().unwrap()[1], "/out/scan-complete");
    assert_eq!(inject_stream(&out, &opts).unwrap(), out);
}

#[test]
fn reinjecting_with_new_options_replaces_the_scanner() {
    let once = inject(&fixture("deployment.yaml"));
    let opts = InjectOptions {
        image: "chef/inspec:5.22.3".into(),
        ..InjectOptions::default()
    };
    let again = inject_stream(&once, &opts).unwrap();
    let (_, spec) = &pod_specs(&again)[0];
    let scanners: Vec<_> = spec
        .containers
        .iter()
        .filter(|c| c.name == "scanner")
        .collect();
    assert_eq!(scanners.len(), 1);
    assert_eq!(scanners[0].image.as_deref(), Some("chef/inspec:5.22.3"));
    assert_eq!(spec.volumes.as_ref().unwrap().len(), scanner::VOLUMES.len());
}

const POD_HEAD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n";

fn err(input: &str, opts: &InjectOptions) -> String {
    match inject_stream(input, opts) {
        Ok(out) => panic!("expected an error, got:\n{out}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn refusals_are_one_line_and_name_the_document() {
    let d = InjectOptions::default();
    let ok_doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n";
    let cases: Vec<(&str, String, InjectOptions)> = vec![
        (
            "hostPID",
            format!("{ok_doc}{POD_HEAD}  hostPID: true\n  containers: [{{name: a, image: a:1}}]\n"),
            d.clone(),
        ),
        (
            "container named scanner",
            format!(
                "{POD_HEAD}  containers: [{{name: a, image: a:1}}, {{name: scanner, image: s:1}}]\n"
            ),
            d.clone(),
        ),
        (
            "init container named scanner",
            format!(
                "{POD_HEAD}  initContainers: [{{name: scanner, image: s:1}}]\n  containers: [{{name: a, image: a:1}}]\n"
            ),
            d.clone(),
        ),
        (
            "volume conflict",
            format!(
                "{POD_HEAD}  containers: [{{name: a, image: a:1}}]\n  volumes: [{{name: scanner-results, emptyDir: {{}}}}]\n"
            ),
            d.clone(),
        ),
        (
            "invalid YAML",
            format!("{ok_doc}{POD_HEAD}  containers: [{{name: a\n"),
            d.clone(),
        ),
        (
            "not a pod",
            format!("{POD_HEAD}  containers: 5\n"),
            d.clone(),
        ),
        (
            "unknown field",
            format!("{POD_HEAD}  containers: [{{name: a, image: a:1, shinyNewField: true}}]\n"),
            d.clone(),
        ),
        (
            "old apiVersion",
            "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: old}\nspec: {}\n"
                .into(),
            d.clone(),
        ),
        (
            "UID conflict",
            format!(
                "{POD_HEAD}  securityContext: {{runAsUser: 2000}}\n  containers: [{{name: a, image: a:1}}]\n"
            ),
            InjectOptions {
                run_as_user: Some(3000),
                ..d.clone()
            },
        ),
        (
            "root pod",
            format!(
                "{POD_HEAD}  securityContext: {{runAsUser: 0}}\n  containers: [{{name: a, image: a:1}}]\n"
            ),
            d.clone(),
        ),
        (
            "containers with different UIDs",
            format!(
                "{POD_HEAD}  containers:\n  - {{name: a, image: a:1, securityContext: {{runAsUser: 2000}}}}\n  \
                 - {{name: b, image: b:1, securityContext: {{runAsUser: 3000}}}}\n"
            ),
            d.clone(),
        ),
        (
            "bad profile path",
            format!("{POD_HEAD}  containers: []\n"),
            InjectOptions {
                profile: "profiles".into(),
                ..d.clone()
            },
        ),
        (
            "bad ConfigMap name",
            format!("{POD_HEAD}  containers: []\n"),
            InjectOptions {
                profiles_configmap: "My_Profiles".into(),
                ..d.clone()
            },
        ),
    ];
    let mut report = String::new();
    for (name, input, opts) in &cases {
        let msg = err(input, opts);
        assert!(!msg.contains('\n'), "{name}: one line: {msg}");
        report.push_str(&format!("{name}:\n  {msg}\n"));
    }
    insta::assert_snapshot!("error_messages", report);
}

#[test]
fn refusals_carry_their_data() {
    let d = InjectOptions::default();
    let uids = format!(
        "{POD_HEAD}  containers:\n  - {{name: a, image: a:1, securityContext: {{runAsUser: 3000}}}}\n  \
         - {{name: b, image: b:1, securityContext: {{runAsUser: 2000}}}}\n"
    );
    match inject_stream(
        &format!("apiVersion: v1\nkind: List\nitems: []\n---\n{uids}"),
        &d,
    ) {
        Err(Error::Document { at, problem }) => {
            assert_eq!((at.document, at.line, at.list_item), (2, 5, None));
            assert_eq!(at.kind.as_deref(), Some("Pod"));
            assert_eq!(at.name.as_deref(), Some("web"));
            assert!(
                matches!(&problem, DocumentError::DifferentUids(ids) if ids == &[2000, 3000]),
                "{problem:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    let old = "apiVersion: apps/v1beta2\nkind: StatefulSet\nmetadata: {name: db}\n";
    assert!(matches!(
        inject_stream(old, &d),
        Err(Error::Document {
            problem: DocumentError::UnsupportedApiVersion {
                kind: Workload::StatefulSet,
                found: Some(found),
            },
            ..
        }) if found == "apps/v1beta2"
    ));
    let opts = InjectOptions {
        scripts_configmap: "Scripts".into(),
        ..d.clone()
    };
    assert!(matches!(
        inject_stream("", &opts),
        Err(Error::InvalidConfigMapName { flag: Flag::ScriptsConfigMap, name }) if name == "Scripts"
    ));
    let opts = InjectOptions {
        run_as_group: Some(-1),
        ..d
    };
    assert!(matches!(
        inject_stream("", &opts),
        Err(Error::RootId {
            flag: Flag::RunAsGroup,
            id: -1
        })
    ));
    let rbac = RbacOptions {
        namespace: "Shop".into(),
        pods: Pods::Named(vec![]),
        service_account: "scangate-fetch".into(),
    };
    assert!(matches!(rbac::render(&rbac), Err(Error::InvalidNamespace(ns)) if ns == "Shop"));
    let rbac = RbacOptions {
        namespace: "shop".into(),
        ..rbac
    };
    assert!(matches!(rbac::render(&rbac), Err(Error::NoPods)));
}

#[test]
fn rbac_named_pods() {
    let out = rbac::render(&RbacOptions {
        namespace: "shop".into(),
        pods: Pods::Named(vec!["web-0".into(), "api-7".into(), "web-0".into()]),
        service_account: "scangate-fetch".into(),
    })
    .unwrap();
    insta::assert_snapshot!("manifest_rbac_named", out);
    let docs = yaml::split_documents(&out);
    let role: k8s_openapi::api::rbac::v1::Role = yaml::parse(&docs[1].text).unwrap();
    for rule in role.rules.unwrap() {
        assert_eq!(
            rule.resource_names,
            Some(vec!["api-7".to_string(), "web-0".to_string()])
        );
    }
    let sa: k8s_openapi::api::core::v1::ServiceAccount = yaml::parse(&docs[0].text).unwrap();
    assert_eq!(sa.automount_service_account_token, Some(false));
    let _: k8s_openapi::api::rbac::v1::RoleBinding = yaml::parse(&docs[2].text).unwrap();
}

#[test]
fn rbac_selector() {
    let out = rbac::render(&RbacOptions {
        namespace: "prod-scanning".into(),
        pods: Pods::Selector("app=target-app".into()),
        service_account: "inspec-scanner".into(),
    })
    .unwrap();
    insta::assert_snapshot!("manifest_rbac_selector", out);
    let role: k8s_openapi::api::rbac::v1::Role =
        yaml::parse(&yaml::split_documents(&out)[1].text).unwrap();
    let rules = role.rules.unwrap();
    assert_eq!(rules.len(), 2, "pods and pods/exec, nothing else");
    assert!(rules.iter().all(|r| r.resource_names.is_none()));
    assert_eq!(rules[0].verbs, ["get", "list", "watch"]);
    assert_eq!(
        rules[1].resources.as_deref(),
        Some(&["pods/exec".to_string()][..])
    );
    // A websocket exec needs both, whatever the cluster version.
    assert_eq!(rules[1].verbs, ["create", "get"]);
}

#[test]
fn rbac_refuses_bad_names() {
    let base = RbacOptions {
        namespace: "shop".into(),
        pods: Pods::Named(vec!["a".into()]),
        service_account: "sa".into(),
    };
    for opts in [
        RbacOptions {
            namespace: "Shop".into(),
            ..base.clone()
        },
        RbacOptions {
            pods: Pods::Named(vec!["Web_1".into()]),
            ..base.clone()
        },
        RbacOptions {
            pods: Pods::Named(vec![]),
            ..base.clone()
        },
        RbacOptions {
            pods: Pods::Selector(" ".into()),
            ..base.clone()
        },
        RbacOptions {
            service_account: "-sa".into(),
            ..base.clone()
        },
    ] {
        assert!(rbac::render(&opts).is_err(), "{opts:?}");
    }
}

#[test]
fn rbac_names_are_kubernetes_names() {
    let render = |namespace: String, pod: String, service_account: String| {
        rbac::render(&RbacOptions {
            namespace,
            pods: Pods::Named(vec![pod]),
            service_account,
        })
    };
    // The longest names Kubernetes takes: a 63-character label, 253-character subdomains.
    let label = "a".repeat(63);
    let subdomain = format!("{label}.{label}.{label}.{}", "b".repeat(61));
    assert_eq!(subdomain.len(), 253);
    assert!(render(label.clone(), subdomain.clone(), subdomain.clone()).is_ok());
    for (ns, pod, sa) in [
        (format!("{label}a"), "p".to_string(), "sa".to_string()),
        ("a.b".to_string(), "p".to_string(), "sa".to_string()),
        ("ns".to_string(), format!("{subdomain}b"), "sa".to_string()),
        ("ns".to_string(), "p-".to_string(), "sa".to_string()),
        ("ns".to_string(), "p".to_string(), "a..b".to_string()),
    ] {
        assert!(
            render(ns.clone(), pod.clone(), sa.clone()).is_err(),
            "{ns} {pod} {sa}"
        );
    }
}

// --- property: injecting twice equals injecting once -------------------------------------------

fn arb_container() -> impl Strategy<Value = Container> {
    (
        prop::sample::select(vec!["app", "web", "worker", "proxy", "log-shipper"]),
        prop::option::of(prop::sample::select(vec![1000_i64, 10001, 65532])),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(name, uid, ro)| Container {
            name: name.into(),
            image: Some(format!("registry.example.com/{name}:1.0")),
            security_context: (uid.is_some() || ro.is_some()).then(|| SecurityContext {
                run_as_user: uid,
                read_only_root_filesystem: ro,
                ..Default::default()
            }),
            ..Default::default()
        })
}

fn arb_pod_spec() -> impl Strategy<Value = PodSpec> {
    (
        prop::collection::vec(arb_container(), 1..4),
        prop::collection::vec(arb_container(), 0..2),
        prop::option::of(prop::option::of(prop::sample::select(vec![
            2000_i64, 10001, 20001,
        ]))),
        prop::option::of(prop::sample::select(vec![2000_i64, 30001])),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        prop::collection::vec(prop::sample::select(vec!["data", "cache", "config"]), 0..3),
    )
        .prop_map(
            |(mut containers, init, pod_uid, pod_gid, share, token, vols)| {
                containers.dedup_by(|a, b| a.name == b.name);
                let mut seen: Vec<String> = containers.iter().map(|c| c.name.clone()).collect();
                let init: Vec<Container> = init
                    .into_iter()
                    .map(|mut c| {
                        c.name = format!("init-{}", c.name);
                        c
                    })
                    .filter(|c| {
                        let fresh = !seen.contains(&c.name);
                        seen.push(c.name.clone());
                        fresh
                    })
                    .collect();
                let mut vols = vols;
                vols.sort_unstable();
                vols.dedup();
                PodSpec {
                    containers,
                    init_containers: (!init.is_empty()).then_some(init),
                    security_context: pod_uid.map(|uid| PodSecurityContext {
                        run_as_user: uid,
                        run_as_group: pod_gid,
                        ..Default::default()
                    }),
                    share_process_namespace: share,
                    automount_service_account_token: token,
                    volumes: (!vols.is_empty()).then(|| {
                        vols.iter()
                            .map(|n| Volume {
                                name: (*n).into(),
                                ..Default::default()
                            })
                            .collect()
                    }),
                    ..Default::default()
                }
            },
        )
}

fn arb_options() -> impl Strategy<Value = InjectOptions> {
    (
        prop::option::of(prop::sample::select(vec![2000_i64, 10001, 40001])),
        any::<bool>(),
    )
        .prop_map(|(uid, pattern)| InjectOptions {
            run_as_user: uid,
            target_process: pattern.then(|| "^nginx".to_string()),
            ..InjectOptions::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn inject_pod_is_idempotent(spec in arb_pod_spec(), native in any::<bool>(), opts in arb_options()) {
        let mut meta = ObjectMeta::default();
        let mut once = spec.clone();
        match inject_pod(&mut meta, &mut once, native, &opts) {
            Err(_) => {
                // A refusal is stable: the same input is refused again, and nothing is half-done.
                let mut again = spec.clone();
                prop_assert!(inject_pod(&mut ObjectMeta::default(), &mut again, native, &opts).is_err());
            }
            Ok(()) => {
                let mut meta2 = meta.clone();
                let mut twice = once.clone();
                prop_assert!(inject_pod(&mut meta2, &mut twice, native, &opts).is_ok());
                prop_assert_eq!(&twice, &once);
                prop_assert_eq!(&meta2, &meta);
                assert_hardened_ids(&once);
            }
        }
    }

    #[test]
    fn inject_stream_is_idempotent_and_typed(spec in arb_pod_spec(), opts in arb_options()) {
        let pod = Pod { metadata: ObjectMeta { name: Some("p".into()), ..Default::default() }, spec: Some(spec), status: None };
        let input = yaml::to_yaml(&pod).unwrap();
        if let Ok(once) = inject_stream(&input, &opts) {
            let typed: Pod = yaml::parse(&once).expect("inject output deserialises into a Pod");
            assert_hardened_ids(typed.spec.as_ref().unwrap());
            prop_assert_eq!(inject_stream(&once, &opts).unwrap(), once);
        }
    }
}

fn assert_hardened_ids(spec: &PodSpec) {
    let psc = spec.security_context.as_ref().unwrap();
    let sc = scanner_of(spec).security_context.as_ref().unwrap();
    assert_eq!(sc.run_as_user, psc.run_as_user);
    assert_eq!(sc.run_as_group, psc.run_as_group);
    assert_ne!(sc.run_as_user, Some(0));
    assert_eq!(spec.share_process_namespace, Some(true));
}
