//! What scangate reads from a results file, borrowed from the input buffer.
//!
//! The types mirror the InSpec exec-JSON schema that inspecjs (and so SAF CLI) checks: a
//! field saf requires is required here, with the same types, so a file saf rejects is
//! rejected here too, with a precise message instead of saf's "possible errors". Fields
//! nobody reads (the control's `code`, `resource_id`, group lists) are validated or skipped
//! without allocating.

use serde::Deserialize;
use serde_json::value::RawValue;

pub use crate::de::{AttestationStatus, BoolOrText, RefValue, TagValue, Tags};
use crate::de::{Groups, ObjectList, Supports};
use crate::text::Text;

/// Which reporter produced the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `inspec exec --reporter json`, CINC Auditor, or HDF (the same with extra fields).
    Exec,
    /// `inspec exec --reporter json-min`: one flat entry per test, no impact or tags.
    JsonMin,
}

/// A parsed results file.
#[derive(Debug)]
pub struct Results<'a> {
    /// The reporter format the file was in.
    pub format: Format,
    /// The scanned platform (absent in json-min).
    pub platform: Option<Platform<'a>>,
    /// Every profile in file order; which ones count is decided by [`Summary::new`](crate::Summary::new).
    pub profiles: Vec<Profile<'a>>,
    /// The InSpec version that wrote the file.
    pub version: Text<'a>,
    /// What reading the file found worth telling but not fatal; [`crate::Summary`] adds them
    /// to its own.
    pub warnings: Vec<crate::Warning>,
}

/// The scanned target.
#[derive(Debug, Deserialize)]
pub struct Platform<'a> {
    #[serde(borrow)]
    pub name: Text<'a>,
    #[serde(borrow)]
    pub release: Text<'a>,
    #[serde(borrow, default)]
    pub target_id: Option<Text<'a>>,
}

/// One profile of the run: the scanned one, or an overlay's dependency.
#[derive(Debug, Deserialize)]
pub struct Profile<'a> {
    #[serde(borrow)]
    pub name: Text<'a>,
    #[serde(borrow, default)]
    pub version: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub title: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub maintainer: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub summary: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub license: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub copyright: Option<Text<'a>>,
    #[serde(borrow)]
    pub sha256: Text<'a>,
    /// The profile this one is a dependency of (InSpec 4+ overlays).
    #[serde(borrow, default)]
    pub parent_profile: Option<Text<'a>>,
    #[serde(borrow, default, deserialize_with = "crate::de::null_as_empty")]
    pub depends: Vec<Dependency<'a>>,
    #[serde(borrow, default)]
    pub status: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub status_message: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub skip_message: Option<Text<'a>>,
    /// The controls, each as a small head plus its JSON (parsed in full on demand).
    #[serde(skip)]
    pub controls: Vec<ControlHead<'a>>,
    /// The controls' JSON as the first pass saw it; turned into `controls`, then dropped.
    #[serde(borrow, rename = "controls")]
    pub(crate) raw_controls: Vec<&'a RawValue>,
    #[serde(rename = "attributes")]
    pub(crate) _attributes: ObjectList,
    #[serde(rename = "groups")]
    pub(crate) _groups: Groups,
    #[serde(rename = "supports")]
    pub(crate) _supports: Supports,
}

/// An entry of a profile's `depends`.
#[derive(Debug, Clone, Deserialize)]
pub struct Dependency<'a> {
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub path: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub url: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub git: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub branch: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub supermarket: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub compliance: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub status: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub status_message: Option<Text<'a>>,
}

/// A control and its test results.
#[derive(Debug, Clone, Deserialize)]
pub struct Control<'a> {
    #[serde(borrow)]
    pub id: Text<'a>,
    #[serde(borrow, default)]
    pub title: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub desc: Option<Text<'a>>,
    #[serde(borrow, default, deserialize_with = "crate::de::null_as_empty")]
    pub descriptions: Vec<Description<'a>>,
    pub impact: f64,
    #[serde(borrow)]
    pub refs: Vec<Reference<'a>>,
    #[serde(borrow)]
    pub tags: Tags<'a>,
    #[serde(borrow)]
    pub source_location: SourceLocation<'a>,
    /// `None` only in profile JSON; results files always carry the key.
    #[serde(borrow, default)]
    pub results: Option<Vec<TestResult<'a>>>,
    #[serde(borrow, default)]
    pub waiver_data: Option<Box<Waiver<'a>>>,
    #[serde(borrow, default)]
    pub attestation_data: Option<Box<Attestation<'a>>>,
}

impl<'a> Control<'a> {
    /// A control with nothing but an id, a title and an impact (json-min builds on these).
    pub(crate) fn stub(id: Text<'a>, title: Option<Text<'a>>, impact: f64) -> Self {
        Control {
            id,
            title,
            desc: None,
            descriptions: Vec::new(),
            impact,
            refs: Vec::new(),
            tags: Tags::default(),
            source_location: SourceLocation {
                line: None,
                file: None,
            },
            results: Some(Vec::new()),
            waiver_data: None,
            attestation_data: None,
        }
    }

    /// The control's test results (empty for a profile-only control).
    pub fn results(&self) -> &[TestResult<'a>] {
        self.results.as_deref().unwrap_or_default()
    }

    /// The text of the description with this label (`default`, `check`, `fix`, ...).
    pub fn description(&self, label: &str) -> Option<&str> {
        self.descriptions
            .iter()
            .find(|d| d.label.as_str() == label)
            .map(|d| d.data.as_str())
    }
}

/// One of a control's labelled descriptions.
#[derive(Debug, Clone, Deserialize)]
pub struct Description<'a> {
    #[serde(borrow)]
    pub label: Text<'a>,
    #[serde(borrow)]
    pub data: Text<'a>,
}

/// A control reference (`refs`).
#[derive(Debug, Clone, Deserialize)]
pub struct Reference<'a> {
    #[serde(borrow, default, rename = "ref")]
    pub reference: Option<RefValue<'a>>,
    #[serde(borrow, default)]
    pub url: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub uri: Option<Text<'a>>,
}

/// Where the control is defined in its profile.
#[derive(Debug, Clone, Deserialize)]
pub struct SourceLocation<'a> {
    #[serde(default)]
    pub line: Option<f64>,
    #[serde(borrow, default, rename = "ref")]
    pub file: Option<Text<'a>>,
}

/// The status InSpec gave one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResultStatus {
    Passed,
    Failed,
    Skipped,
    Error,
}

/// One `describe`/`it` block's outcome.
#[derive(Debug, Clone, Deserialize)]
pub struct TestResult<'a> {
    #[serde(default)]
    pub status: Option<ResultStatus>,
    #[serde(borrow)]
    pub code_desc: Text<'a>,
    #[serde(borrow, default)]
    pub message: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub skip_message: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub exception: Option<Text<'a>>,
    /// Present (even empty) only when the test raised: that makes the control a Profile Error.
    #[serde(borrow, default)]
    pub backtrace: Option<Vec<Text<'a>>>,
    #[serde(default)]
    pub run_time: Option<f64>,
    #[serde(borrow)]
    pub start_time: Text<'a>,
    #[serde(borrow, default)]
    pub resource: Option<Text<'a>>,
}

impl TestResult<'_> {
    /// saf's notion of an erroring test: a non-null `backtrace`, or status `error`.
    pub fn is_error(&self) -> bool {
        self.backtrace.is_some() || self.status == Some(ResultStatus::Error)
    }
}

/// A waiver applied to the control.
#[derive(Debug, Clone, Deserialize)]
pub struct Waiver<'a> {
    #[serde(borrow, default)]
    pub justification: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub expiration_date: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub message: Option<Text<'a>>,
    #[serde(default)]
    pub run: Option<bool>,
    #[serde(borrow, default)]
    pub skipped_due_to_waiver: Option<BoolOrText<'a>>,
}

impl Waiver<'_> {
    /// JavaScript truthiness, as saf tests it: `true` or a non-empty string.
    pub fn skipped(&self) -> bool {
        match &self.skipped_due_to_waiver {
            Some(BoolOrText::Bool(b)) => *b,
            Some(BoolOrText::Text(t)) => !t.is_empty(),
            None => false,
        }
    }
}

/// A manual attestation (read and shown; it does not change the status, as in saf).
#[derive(Debug, Clone, Deserialize)]
pub struct Attestation<'a> {
    #[serde(borrow)]
    pub control_id: Text<'a>,
    #[serde(borrow)]
    pub explanation: Text<'a>,
    #[serde(borrow)]
    pub frequency: Text<'a>,
    pub status: AttestationStatus,
    #[serde(borrow)]
    pub updated: Text<'a>,
    #[serde(borrow)]
    pub updated_by: Text<'a>,
}

/// A tag value kept verbatim for display, checked at parse time to be renderable.
pub type RawTag<'a> = crate::opaque::OpaqueJson<'a>;

/// What scangate keeps of a control for counting and gating: a few fields, its status and
/// severity, and its JSON text, from which [`ControlHead::full`] parses the whole control
/// when a report needs it. Keeping heads instead of full controls is what holds a 250 MB scan
/// to a few megabytes beyond its own bytes.
#[derive(Debug, Clone)]
pub struct ControlHead<'a> {
    pub id: Text<'a>,
    pub title: Option<Text<'a>>,
    pub impact: f64,
    /// The status saf gives this control's own results (compat:saf-status).
    pub status: crate::Status,
    /// Its severity (compat:saf-severity, compat:severity-any-case).
    pub severity: crate::Severity,
    /// Set when a severity tag was not a string and the impact decided (compat:severity-any-case).
    pub severity_warning: Option<crate::SeverityWarning>,
    /// At least one result: overlay linking prefers such controls.
    pub has_results: bool,
    body: Body<'a>,
}

#[derive(Debug, Clone)]
enum Body<'a> {
    /// The control's JSON in the input buffer, already validated as a [`Control`].
    Json(&'a RawValue),
    /// A control built by scangate (json-min has no control objects to point at).
    Built(Box<Control<'a>>),
}

impl<'a> ControlHead<'a> {
    /// The head of a parsed control whose JSON is `json`.
    pub(crate) fn from_json(control: Control<'a>, json: &'a RawValue) -> Self {
        Self::new(control, Body::Json(json))
    }

    /// The head of a control scangate built itself.
    pub(crate) fn from_built(control: Control<'a>) -> Self {
        let body = Body::Built(Box::new(control.clone()));
        Self::new(control, body)
    }

    fn new(control: Control<'a>, body: Body<'a>) -> Self {
        let status = crate::control_status(&control);
        let (severity, severity_warning) = crate::control_severity(&control);
        ControlHead {
            has_results: !control.results().is_empty(),
            id: control.id,
            title: control.title,
            impact: control.impact,
            status,
            severity,
            severity_warning,
            body,
        }
    }

    /// The whole control, parsed again from its JSON. Costs a parse: call it once per
    /// control and render, rather than in a loop.
    pub fn full(&self) -> Control<'a> {
        match &self.body {
            Body::Built(control) => (**control).clone(),
            // The same bytes already parsed as this type when the file was read, so this
            // cannot fail; were it ever to, the head's own fields still describe the control.
            // Debug builds (the tests, the fuzzers) say so loudly instead.
            Body::Json(json) => serde_json::from_str(json.get()).unwrap_or_else(|e| {
                debug_assert!(false, "control {:?} no longer parses: {e}", self.id);
                self.placeholder()
            }),
        }
    }

    /// The control's JSON as it appears in the input (None for json-min).
    pub fn json(&self) -> Option<&'a str> {
        match &self.body {
            Body::Json(json) => Some(json.get()),
            Body::Built(_) => None,
        }
    }

    fn placeholder(&self) -> Control<'a> {
        Control::stub(self.id.clone(), self.title.clone(), self.impact)
    }
}
