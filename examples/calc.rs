//! The calc interpreter: `cargo run --example calc -- FILE`, `-e 'PROGRAM'`,
//! a program on stdin, or an interactive prompt on a terminal.
//!
//! Everything lives in the library ([`arenakit::calc::cli`]); this is the
//! thin front end that gives it a binary.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    arenakit::calc::cli::main()
}
