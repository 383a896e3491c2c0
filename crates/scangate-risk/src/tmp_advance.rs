// TEMPORARY until the loaders land.
impl crate::Frequency {
    pub fn advance(&self, start: &jiff::Zoned) -> jiff::Zoned {
        start.clone()
    }
}
