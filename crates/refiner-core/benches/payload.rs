//! Criterion benches of payload analysis (placeholder, filled below).
fn main() {}
