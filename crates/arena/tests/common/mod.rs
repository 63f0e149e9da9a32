//! What the property tests of this crate share.

use proptest::test_runner::Config as ProptestConfig;

/// The property tests' configuration: 256 cases, or 8 under Miri, which
/// runs them far more slowly; no failure files.
pub fn config() -> ProptestConfig {
    ProptestConfig {
        cases: if cfg!(miri) { 8 } else { 256 },
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}
