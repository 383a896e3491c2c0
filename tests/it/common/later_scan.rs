//! Later scans made from real ones: the same results with some controls' outcome flipped, the
//! way a rescan after a change looks. The root's tests and the report crate's (which include
//! this file by path) both build their "later" scans here, so no flipped file is ever written
//! by hand.

use scangate_results::{Input, Status, Summary};
use serde_json::{Value, json};

/// A later scan of `doc` (InSpec exec JSON, as parsed) and the ids of what changed.
pub struct LaterScan {
    pub doc: Value,
    /// Controls passing in `doc`, failing here.
    pub newly_failing: Vec<String>,
    /// Controls failing in `doc`, passing here.
    pub fixed: Vec<String>,
}

/// Flips `new` passing controls to failed and `fixed` failed controls to passed, taking every
/// `stride`-th candidate from the start so that the flips spread over the profile. Panics
/// when the scan has too few candidates: the test asked for something the fixture lacks.
pub fn later_scan(doc: &Value, new: usize, fixed: usize, stride: usize) -> LaterScan {
    let bytes = serde_json::to_vec(doc).unwrap();
    let input = Input::from_bytes("earlier.json", bytes);
    let results = input.parse().unwrap();
    let summary = Summary::new(&results);
    let ids = |status: Status, count: usize| -> Vec<String> {
        let picked: Vec<String> = summary
            .controls
            .iter()
            .filter(|c| c.status == status)
            .step_by(stride.max(1))
            .take(count)
            .map(|c| c.control.id.to_string())
            .collect();
        assert_eq!(picked.len(), count, "too few {status:?} controls to flip");
        picked
    };
    let newly_failing = ids(Status::Passed, new);
    let fixed_ids = ids(Status::Failed, fixed);
    let mut doc = doc.clone();
    for profile in doc["profiles"].as_array_mut().unwrap() {
        let Some(controls) = profile["controls"].as_array_mut() else {
            continue;
        };
        for control in controls {
            let id = control["id"].as_str().unwrap_or_default().to_owned();
            let Some(results) = control["results"].as_array_mut() else {
                continue;
            };
            if newly_failing.contains(&id) {
                results[0]["status"] = json!("failed");
                results[0]["message"] = json!("flipped to failed by the later-scan generator");
            } else if fixed_ids.contains(&id) {
                for result in results.iter_mut() {
                    if let Some(object) = result.as_object_mut() {
                        object.insert("status".into(), json!("passed"));
                        object.remove("message");
                        object.remove("exception");
                        object.remove("backtrace");
                    }
                }
            }
        }
    }
    LaterScan {
        doc,
        newly_failing,
        fixed: fixed_ids,
    }
}
