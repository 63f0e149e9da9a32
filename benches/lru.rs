//! Placeholder until this suite is written.
fn main() {}
