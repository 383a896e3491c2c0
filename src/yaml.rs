//! YAML written the way saf's `yaml` library writes it (lists indented under their key), so
//! that files from both tools diff cleanly.

/// Serialises `value` as block YAML with saf's list indentation.
pub fn to_string<T: serde::Serialize>(value: &T) -> std::io::Result<String> {
    let options = serde_saphyr::ser_options! { compact_list_indent: false };
    serde_saphyr::to_string_with_options(value, options).map_err(std::io::Error::other)
}
