//! Arbitrary bytes through the whole calc pipeline: lex, parse, compile,
//! evaluate and render every error. Whatever the input, nothing panics and
//! nothing overflows the stack, and memoisation never changes a result:
//! every input runs with the memo cache on and off, and the two runs print
//! the same output and stop with the same error.
#![no_main]

use arenakit::calc::eval::Limits;
use arenakit::calc::session::{Echo, Session};
use arenakit::calc::stack::{run_with_stack, stack_size_for};
use libfuzzer_sys::fuzz_target;

/// Small limits keep each input fast: a shallow recursion limit and a small
/// memo cache still exercise eviction and the depth check.
const LIMITS: Limits = Limits {
    memo_capacity: 16,
    max_depth: 200,
};

/// Runs `source` in a new session: what it printed, and its error rendered.
fn run(limits: Limits, source: &str) -> (Vec<u8>, Option<String>) {
    run_with_stack(stack_size_for(limits.max_depth), || {
        let mut session = Session::new(limits);
        let mut out = Vec::new();
        let error = session
            .run("<fuzz>", source, Echo::Quiet, &mut out)
            .err()
            .map(|failure| session.render(&failure, "<fuzz>", source, false));
        if let Some(rendered) = &error {
            assert!(rendered.starts_with("error: "), "{rendered}");
        }
        // Dumping the tree walks it too.
        let _ = session.dump_ast(source);
        (out, error)
    })
}

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    let memoised = run(LIMITS, &source);
    let unmemoised = run(
        Limits {
            memo_capacity: 0,
            ..LIMITS
        },
        &source,
    );
    assert_eq!(memoised, unmemoised, "memoisation changed the result");
});
