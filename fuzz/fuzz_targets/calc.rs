//! Arbitrary bytes through the whole calc pipeline: lex, parse, compile,
//! evaluate and render every error. Whatever the input, nothing panics and
//! nothing overflows the stack.
#![no_main]

use arenakit::calc::eval::Limits;
use arenakit::calc::session::{Echo, Session};
use arenakit::calc::stack::{run_with_stack, stack_size_for};
use libfuzzer_sys::fuzz_target;

/// Small limits keep each input fast: a shallow recursion limit and a small
/// memo cache still exercise eviction and the depth check.
const LIMITS: Limits = Limits { memo_capacity: 16, max_depth: 200 };

fuzz_target!(|data: &[u8]| {
    let source = String::from_utf8_lossy(data);
    run_with_stack(stack_size_for(LIMITS.max_depth), || {
        let mut session = Session::new(LIMITS);
        let mut out = Vec::new();
        if let Err(failure) = session.run("<fuzz>", &source, Echo::Quiet, &mut out) {
            let rendered = session.render(&failure, "<fuzz>", &source, false);
            assert!(rendered.starts_with("error: "), "{rendered}");
        }
        // Dumping the tree walks it too.
        let _ = session.dump_ast(&source);
    });
});
