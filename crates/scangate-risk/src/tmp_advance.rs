// TEMPORARY until the loaders land.
impl crate::Frequency {
    pub fn advance(&self, start: &jiff::Zoned) -> jiff::Zoned {
        start.clone()
    }
}

// TEMPORARY until the loaders land.
pub mod waivers {
    pub fn load_file(path: &std::path::Path) -> Result<crate::Waivers, String> {
        Err(format!("{}: not yet", path.display()))
    }
}
pub mod attestations {
    pub fn load_file(path: &std::path::Path) -> Result<crate::Attestations, String> {
        Err(format!("{}: not yet", path.display()))
    }
}
pub mod schema {
    pub fn waivers_schema() -> serde_json::Value {
        serde_json::Value::Null
    }
    pub fn attestations_schema() -> serde_json::Value {
        serde_json::Value::Null
    }
}
