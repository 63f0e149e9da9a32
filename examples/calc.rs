//! The calc interpreter (being written).
fn main() {}
