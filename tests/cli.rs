//! End-to-end tests of the `calc` example binary.
//!
//! Golden programs live in `tests/programs/`: each `NAME.calc` sits beside
//! `NAME.out` (the exact stdout), `NAME.status` (the exit status), optionally
//! `NAME.err` (phrases, one per line, that must each appear in stderr; without
//! it stderr must be empty) and optionally `NAME.args` (extra flags, one per
//! line). `BLESS=1 cargo test --test cli` rewrites `.out`, `.status` and
//! `.err` from the current binary; every blessed file is checked by hand
//! against the spec and python3 before it is committed.
//!
//! The binary is the real example, built by the same profile as this test.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The path of `target/<profile>/examples/calc`, building it if it is
/// missing or older than this test binary.
fn calc() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test binary has a path");
        // target/<profile>/deps/cli-<hash>
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("the test binary lives in target/<profile>/deps");
        let binary = profile_dir
            .join("examples")
            .join(format!("calc{}", std::env::consts::EXE_SUFFIX));
        let stale = match (binary.metadata(), exe.metadata()) {
            (Ok(b), Ok(e)) => match (b.modified(), e.modified()) {
                (Ok(b), Ok(e)) => b < e,
                _ => true,
            },
            _ => true,
        };
        if stale {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
            let target_dir = profile_dir.parent().expect("target/<profile> has a parent");
            let mut cmd = Command::new(cargo);
            cmd.args(["build", "--example", "calc", "--target-dir"])
                .arg(target_dir)
                .current_dir(env!("CARGO_MANIFEST_DIR"));
            if profile_dir.file_name().is_some_and(|n| n == "release") {
                cmd.arg("--release");
            }
            let status = cmd.status().expect("cargo runs");
            assert!(status.success(), "building the calc example failed");
        }
        assert!(binary.exists(), "{} is missing", binary.display());
        binary
    })
}

fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("programs")
}

/// Runs calc with `args` and `stdin`, from the programs directory.
fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(calc())
        .args(args)
        .current_dir(programs_dir())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("calc starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    input
        .write_all(stdin.as_bytes())
        .expect("stdin accepts the program");
    drop(input);
    child.wait_with_output().expect("calc finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn golden_programs() {
    let bless = std::env::var_os("BLESS").is_some();
    let mut names: Vec<PathBuf> = std::fs::read_dir(programs_dir())
        .expect("tests/programs exists")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "calc"))
        .collect();
    names.sort();
    assert!(names.len() > 40, "the golden programs are there");
    let mut failures = Vec::new();
    for path in &names {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("UTF-8 name");
        let sibling = |ext: &str| programs_dir().join(format!("{stem}.{ext}"));
        let mut args: Vec<String> = std::fs::read_to_string(sibling("args"))
            .map(|a| a.lines().map(str::to_string).collect())
            .unwrap_or_default();
        args.push(format!("{stem}.calc"));
        let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = run(&arg_refs, "");
        let stdout = text(&output.stdout);
        let stderr = text(&output.stderr);
        let status = output.status.code().unwrap_or(-1);
        if bless {
            std::fs::write(sibling("out"), &stdout).expect("write .out");
            std::fs::write(sibling("status"), format!("{status}\n")).expect("write .status");
            let first_error = stderr
                .lines()
                .find_map(|l| l.strip_prefix("error: "))
                .map(str::to_string);
            match first_error {
                Some(message) => {
                    std::fs::write(sibling("err"), format!("{message}\n")).expect("write .err")
                }
                None => {
                    let _ = std::fs::remove_file(sibling("err"));
                }
            }
            continue;
        }
        let expected_out = std::fs::read_to_string(sibling("out")).unwrap_or_default();
        let expected_status: i32 = std::fs::read_to_string(sibling("status"))
            .expect(".status exists")
            .trim()
            .parse()
            .expect(".status is a number");
        if stdout != expected_out {
            failures.push(format!(
                "{stem}: stdout\n--- expected\n{expected_out}--- got\n{stdout}"
            ));
        }
        if status != expected_status {
            failures.push(format!(
                "{stem}: status {status}, expected {expected_status}\n{stderr}"
            ));
        }
        match std::fs::read_to_string(sibling("err")) {
            Ok(phrases) => {
                for phrase in phrases.lines().filter(|l| !l.is_empty()) {
                    if !stderr.contains(phrase) {
                        failures.push(format!("{stem}: stderr lacks {phrase:?}:\n{stderr}"));
                    }
                }
                if !stderr.contains(&format!("{stem}.calc:")) {
                    failures.push(format!("{stem}: stderr does not name the file:\n{stderr}"));
                }
            }
            Err(_) => {
                if !stderr.is_empty() {
                    failures.push(format!("{stem}: unexpected stderr:\n{stderr}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn inline_program_with_dash_e() {
    let out = run(&["-e", "let x = 6\nx * 7; x / 4"], "");
    assert_eq!(text(&out.stdout), "42\n1.5\n");
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty());
}

#[test]
fn inline_program_may_start_with_a_minus_sign() {
    // `-2 ** 2` is a program, not a flag.
    let out = run(&["-e", "-2 ** 2"], "");
    assert_eq!(text(&out.stdout), "-4\n");
    assert_eq!(out.status.code(), Some(0));
    let out = run(&["--eval", "-7 // 2", "--memo-cap", "0"], "");
    assert_eq!(text(&out.stdout), "-4\n");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn program_from_stdin_when_piped() {
    let out = run(&[], "fn sq(x) = x * x\nsq(12)\n");
    assert_eq!(text(&out.stdout), "144\n");
    assert_eq!(out.status.code(), Some(0));
    let dash = run(&["-"], "1 + 1\n");
    assert_eq!(text(&dash.stdout), "2\n");
}

#[test]
fn errors_name_the_input() {
    let e = run(&["-e", "1\nx"], "");
    assert_eq!(text(&e.stdout), "1\n");
    assert_eq!(e.status.code(), Some(1));
    let stderr = text(&e.stderr);
    assert!(
        stderr.starts_with("error: undefined variable 'x'\n"),
        "{stderr}"
    );
    assert!(stderr.contains("<command line>:2:1"), "{stderr}");
    let s = run(&[], "1 +\n");
    assert_eq!(s.status.code(), Some(1));
    assert!(
        text(&s.stderr).contains("<stdin>:1:"),
        "{}",
        text(&s.stderr)
    );
}

/// The whole layout of a runtime error, byte for byte: the message, the
/// location, and the source line with the operation underlined.
#[test]
fn runtime_error_layout_is_exact() {
    let out = run(&["-e", "1 + true"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        text(&out.stderr),
        concat!(
            "error: type error: cannot apply '+' to int and bool\n",
            " --> <command line>:1:1\n",
            "  |\n",
            "1 | 1 + true\n",
            "  | ^^^^^^^^\n",
        )
    );
}

#[test]
fn syntax_errors_are_all_reported_and_nothing_runs() {
    let out = run(&["-e", "1 + 1\n2 $ 3\n4 < 5 < 6\n7 +"], "");
    assert_eq!(text(&out.stdout), "");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("unexpected character"), "{stderr}");
    assert!(
        stderr.contains("comparison operators cannot be chained"),
        "{stderr}"
    );
    assert!(stderr.matches("error: ").count() >= 3, "{stderr}");
}

#[test]
fn unreadable_file_is_a_clear_error() {
    let out = run(&["no-such-file.calc"], "");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: cannot read 'no-such-file.calc': "),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_arguments_exit_with_1_and_help_with_0() {
    let bad = run(&["--no-such-flag"], "");
    assert_eq!(bad.status.code(), Some(1));
    assert!(text(&bad.stderr).contains("--no-such-flag"));
    for (flag, value) in [
        ("--memo-cap", "lots"),
        ("--memo-cap", "-1"),
        ("--memo-cap", "+"),
        ("--max-depth", "1.5"),
        ("--max-depth", ""),
        ("--max-depth", "++5"),
    ] {
        let not_a_count = run(&[flag, value, "-e", "1"], "");
        assert_eq!(not_a_count.status.code(), Some(1), "{flag} {value:?}");
        let stderr = text(&not_a_count.stderr);
        // The message quotes the value it refuses.
        assert!(
            stderr.contains(&format!("'{value}'")),
            "{flag} {value:?}: {stderr}"
        );
        assert!(not_a_count.stdout.is_empty());
    }
    let both = run(&["-e", "1", "file.calc"], "");
    assert_eq!(both.status.code(), Some(1));
    // The usage shown names both ways of giving the program.
    let both = text(&both.stderr);
    assert!(both.contains("cannot be used with"), "{both}");
    for usage in ["calc [OPTIONS] [FILE]", "calc [OPTIONS] -e <PROGRAM>"] {
        assert!(both.contains(usage), "{usage} in:\n{both}");
    }
    // Each flag may be given once.
    for args in [
        &["-e", "1", "-e", "2"][..],
        &["--ast", "--ast", "-e", "1"],
        &["--memo-cap", "1", "--memo-cap", "2", "-e", "1"],
    ] {
        let repeated = run(args, "");
        assert_eq!(repeated.status.code(), Some(1), "{args:?}");
        let stderr = text(&repeated.stderr);
        assert!(stderr.contains("cannot be used multiple times"), "{stderr}");
        assert!(repeated.stdout.is_empty(), "{args:?}");
    }
    let help = run(&["--help"], "");
    assert_eq!(help.status.code(), Some(0));
    let help = text(&help.stdout);
    for flag in ["--ast", "--stats", "--memo-cap", "--max-depth", "-e"] {
        assert!(help.contains(flag), "help mentions {flag}:\n{help}");
    }
    assert!(
        !help.contains("assert"),
        "no doc example in the help:\n{help}"
    );
}

/// A standard stream that is not open at all, as opposed to one open on
/// `/dev/null`, reads as an empty program (stdin) or drops what is written
/// to it (stdout), as Rust's standard library treats such streams.
#[cfg(unix)]
#[test]
fn streams_that_are_not_open_read_empty_or_drop_output() {
    let sh = |script: &str| {
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(calc())
            .env("NO_COLOR", "1")
            .output()
            .expect("sh runs")
    };
    let no_stdin = sh(r#"exec "$0" <&-"#);
    assert_eq!(no_stdin.status.code(), Some(0));
    assert!(no_stdin.stdout.is_empty());
    assert!(no_stdin.stderr.is_empty(), "{}", text(&no_stdin.stderr));
    let no_stdout = sh(r#"exec "$0" -e '1 + 1' >&-"#);
    assert_eq!(no_stdout.status.code(), Some(0));
    assert!(no_stdout.stderr.is_empty(), "{}", text(&no_stdout.stderr));
    // Errors still reach stderr and set the status.
    let failing = sh(r#"exec "$0" -e '1; 1 / 0' >&-"#);
    assert_eq!(failing.status.code(), Some(1));
    assert!(text(&failing.stderr).contains("division by zero"));
}

#[test]
fn ast_flag_prints_the_tree_and_runs_nothing() {
    let out = run(&["--ast", "-e", "1 / 0"], "");
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(!stdout.is_empty());
    assert!(!stdout.contains("division by zero"));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    let bad = run(&["--ast", "-e", "1 +"], "");
    assert_eq!(bad.status.code(), Some(1));
    // A program read from stdin is dumped the same way.
    let piped = run(&["--ast"], "1+1\n");
    assert_eq!(text(&piped.stdout), "(+ 1 1)\n");
    assert_eq!(piped.status.code(), Some(0));
    // With `--stats`, the statistics describe the parse: nothing was called.
    let stats = run(&["--ast", "--stats", "-e", "fn f(x) = x\nf(1) + f(1)"], "");
    assert_eq!(stats.status.code(), Some(0));
    assert_eq!(memo_stats(&text(&stats.stderr)), (0, 0, 0, 0));
}

/// The memo counters, parsed from `--stats` output.
fn memo_stats(stderr: &str) -> (u64, u64, u64, u64) {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("stats: memo:"))
        .unwrap_or_else(|| panic!("no memo line in {stderr}"));
    let number_before = |word: &str| -> u64 {
        let words: Vec<&str> = line.split([' ', ',']).filter(|w| !w.is_empty()).collect();
        let i = words
            .iter()
            .position(|w| *w == word)
            .expect("counter present");
        words[i - 1].parse().expect("a number")
    };
    (
        number_before("hits"),
        number_before("misses"),
        number_before("entries"),
        number_before("evictions"),
    )
}

#[test]
fn stats_report_arena_interner_and_memo() {
    let out = run(
        &[
            "--stats",
            "-e",
            "fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)\nfib(30)",
        ],
        "",
    );
    assert_eq!(text(&out.stdout), "832040\n");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("stats: arena:"), "{stderr}");
    assert!(stderr.contains("stats: interner:"), "{stderr}");
    let (hits, misses, entries, evictions) = memo_stats(&stderr);
    // fib(30) memoised: 31 distinct calls miss once each, the rest hit.
    assert_eq!(misses, 31, "{stderr}");
    assert_eq!(entries, 31, "{stderr}");
    assert_eq!(hits, 28, "{stderr}");
    assert_eq!(evictions, 0);
}

/// The statistics are printed even when the program does not run.
#[test]
fn stats_are_printed_after_a_syntax_error() {
    let out = run(&["--stats", "-e", "1 +"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("error: "), "{stderr}");
    for line in ["stats: arena:", "stats: interner:", "stats: memo:"] {
        assert!(stderr.contains(line), "{line} in:\n{stderr}");
    }
}

#[test]
fn the_memo_cache_never_holds_an_error() {
    let out = run(&["--stats", "-e", "fn f(x) = 1 // x\nf(0)"], "");
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("division by zero"), "{stderr}");
    let (_, _, entries, _) = memo_stats(&stderr);
    assert_eq!(entries, 0, "{stderr}");
}

#[test]
fn memo_cap_bounds_the_cache_and_zero_turns_it_off() {
    let default = run(&["--stats", "-e", "1"], "");
    assert!(
        text(&default.stderr).contains("stats: memo: capacity 10000,"),
        "{}",
        text(&default.stderr)
    );
    let program = "fn fib(n) = if n < 2 then n else fib(n - 1) + fib(n - 2)\nfib(20)";
    let small = run(&["--stats", "--memo-cap", "5", "-e", program], "");
    assert_eq!(text(&small.stdout), "6765\n");
    let (_, _, entries, evictions) = memo_stats(&text(&small.stderr));
    assert_eq!(entries, 5);
    assert!(evictions > 0);
    let off = run(&["--stats", "--memo-cap", "0", "-e", program], "");
    assert_eq!(text(&off.stdout), "6765\n");
    let (hits, misses, entries, _) = memo_stats(&text(&off.stderr));
    assert_eq!((hits, misses, entries), (0, 0, 0));
    // A capacity past what the cache can index is taken as its largest,
    // also one past what any integer type holds.
    for cap in ["99999999999", "99999999999999999999999999"] {
        let huge = run(&["--stats", "--memo-cap", cap, "-e", program], "");
        assert_eq!(text(&huge.stdout), "6765\n", "memo-cap {cap}");
        assert!(
            text(&huge.stderr).contains("capacity 4294967295,"),
            "memo-cap {cap}: {}",
            text(&huge.stderr)
        );
    }
}

#[test]
fn definitions_clear_the_memo_cache() {
    let out = run(
        &[
            "--stats",
            "-e",
            "fn sq(x) = x * x\nsq(3)\nsq(3)\nlet unrelated = 1\nsq(3)",
        ],
        "",
    );
    assert_eq!(text(&out.stdout), "9\n9\n9\n");
    let (hits, misses, entries, _) = memo_stats(&text(&out.stderr));
    // The second call hits; the `let` empties the cache so the third misses.
    assert_eq!((hits, misses, entries), (1, 2, 1));
}

#[test]
fn max_depth_flag_sets_the_recursion_limit() {
    let program = "fn down(n) = if n == 0 then 0 else 1 + down(n - 1)\ndown(50)";
    let ok = run(&["--max-depth", "51", "-e", program], "");
    assert_eq!(text(&ok.stdout), "50\n");
    let too_deep = run(&["--max-depth", "50", "-e", program], "");
    assert_eq!(too_deep.status.code(), Some(1));
    assert!(text(&too_deep.stderr).contains("recursion limit exceeded"));
    // A huge limit is bounded by the native stack guard, never a crash.
    let huge = run(
        &[
            "--max-depth",
            "100000000000",
            "--memo-cap",
            "0",
            "-e",
            "fn down(n) = if n == 0 then 0 else 1 + down(n - 1)\ndown(10000000000)",
        ],
        "",
    );
    assert_eq!(huge.status.code(), Some(1));
    assert!(
        text(&huge.stderr).contains("recursion limit exceeded"),
        "{}",
        text(&huge.stderr)
    );
    // A limit past what any integer type holds is taken as the largest.
    let past_usize = run(
        &["--max-depth", "99999999999999999999999", "-e", program],
        "",
    );
    assert_eq!(
        text(&past_usize.stdout),
        "50\n",
        "{}",
        text(&past_usize.stderr)
    );
}

/// A count may carry a leading `+`, as a number may in Rust and Python.
#[test]
fn count_flags_accept_a_leading_plus() {
    let program = "fn down(n) = if n == 0 then 0 else 1 + down(n - 1)\ndown(50)";
    let ok = run(&["--max-depth", "+51", "-e", program], "");
    assert_eq!(text(&ok.stdout), "50\n", "{}", text(&ok.stderr));
    let too_deep = run(&["--max-depth", "+50", "-e", program], "");
    assert!(text(&too_deep.stderr).contains("recursion limit exceeded"));
    let cap = run(&["--stats", "--memo-cap", "+5", "-e", program], "");
    assert_eq!(text(&cap.stdout), "50\n");
    assert!(
        text(&cap.stderr).contains("stats: memo: capacity 5,"),
        "{}",
        text(&cap.stderr)
    );
}

#[test]
fn memoisation_never_changes_a_result() {
    // Without memoisation, down(150) needs 151 levels and fails under a limit
    // of 120. With it, down(100) is cached, but using it from level 51 would
    // need 101 more levels, so the result must still be the error.
    let program = "fn down(n) = if n == 0 then 0 else 1 + down(n - 1)\ndown(100)\ndown(150)";
    for cap in ["0", "10000"] {
        let out = run(
            &["--max-depth", "120", "--memo-cap", cap, "-e", program],
            "",
        );
        assert_eq!(text(&out.stdout), "100\n", "memo-cap {cap}");
        assert!(
            text(&out.stderr).contains("recursion limit exceeded"),
            "memo-cap {cap}"
        );
        assert_eq!(out.status.code(), Some(1));
    }
    // And where the cached depth fits, the memoised run gives the same value.
    let program = "fn down(n) = if n == 0 then 0 else 1 + down(n - 1)\ndown(60)\ndown(110)";
    for cap in ["0", "10000"] {
        let out = run(
            &["--max-depth", "120", "--memo-cap", cap, "-e", program],
            "",
        );
        assert_eq!(text(&out.stdout), "60\n110\n", "memo-cap {cap}");
    }
}

/// A function whose body nests operators, builtin calls and `if`s around
/// its recursive call still recurses to the default limit of 10,000 calls.
/// (The calc crate is built with optimisation even in the dev profile: an
/// unoptimised build needs about 5 KiB of native stack per level of nesting
/// in a body, and stopped these at `recursion limit exceeded` below 12.)
#[test]
fn bodies_nested_a_hundred_deep_recurse_to_the_limit() {
    let depth = 100;
    let bodies = [
        format!("{}f(n - 1)", "- ".repeat(depth)),
        format!("{}f(n - 1){}", "1 + (".repeat(depth), ")".repeat(depth)),
        format!("{}f(n - 1){}", "abs(".repeat(depth), ")".repeat(depth)),
        format!(
            "{}f(n - 1){}",
            "if true then ".repeat(depth),
            " else 0".repeat(depth)
        ),
    ];
    let expected = [
        "0
",
        &format!(
            "{}
",
            depth * 9999
        ),
        "0
",
        "0
",
    ];
    for (body, expected) in bodies.iter().zip(expected) {
        let program = format!("fn f(n) = if n == 0 then 0 else {body}\nf(9999)\n");
        let out = run(&["--memo-cap", "0"], &program);
        assert_eq!(text(&out.stdout), expected, "{}", text(&out.stderr));
        assert_eq!(out.status.code(), Some(0));
    }
}

#[test]
fn deep_nesting_is_an_error_or_a_value_never_a_crash() {
    let depth = 1_000;
    let nested = format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
    let out = run(&["-e", &nested], "");
    assert_eq!(text(&out.stdout), "1\n");
    // On stdin: `-e ---1` would read as a flag.
    let negs = format!("{}1", "-".repeat(depth - 1));
    let out = run(&[], &negs);
    assert_eq!(text(&out.stdout), "-1\n");
    let very = format!("{}1{}", "(".repeat(200_000), ")".repeat(200_000));
    let out = run(&[], &very);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("nesting too deep"));
}

/// `first op term op term …` with `n` operators.
fn chain(first: &str, op: &str, term: &str, n: usize) -> String {
    format!("{first}{}", format!(" {op} {term}").repeat(n))
}

/// A flat chain is not nesting: `1 + 1 + … + 1` with any number of terms
/// runs (the specification's nesting limit is about parentheses, prefix
/// operators and `if`), with the values and errors a short chain gives.
#[test]
fn long_flat_chains_run() {
    let n = 100_000;
    // Each `+ 7 * 3 // 2 % 5 - 4` adds 7 * 3 // 2 % 5 - 4 = 10 % 5 - 4 =
    // -4 to the 5 it starts from: operators of both precedence levels in
    // one chain of 5n operators. (The calc crate's chain tests check random
    // mixes against values computed in Rust.)
    let mixed = chain("5", "+", "7 * 3 // 2 % 5 - 4", n);
    let mixed_value = 5 - 4 * n as i64;
    let body = chain("n", "*", "1 + n - n // 1", 1_000);
    let calls = chain("f(1)", "+", "f(2) - f(1)", 1_000);
    // (extra flags, program on stdin, expected stdout)
    let cases: Vec<(&[&str], String, String)> = vec![
        (&[], chain("0", "+", "1", n), format!("{n}\n")),
        (&[], mixed, format!("{mixed_value}\n")),
        (
            &[],
            chain("false", "and", "(1 / 0 == 1)", n),
            "false\n".to_string(),
        ),
        (
            &[],
            chain("true", "or", "(1 / 0 == 1)", n),
            "true\n".to_string(),
        ),
        (
            &[],
            chain("true", "and", "true", n) + " and (1 < 2) or 1 // 0 > 0",
            "true\n".to_string(),
        ),
        // f(n) = n * 1 + n - n // 1 * 1 + n - … - n // 1 = n, a chain of
        // 2,000 additive operators; the calls add up to 1 + 1,000 * (2 - 1).
        (
            &[],
            format!("fn f(n) = {body}\n{calls}"),
            "1001\n".to_string(),
        ),
        (
            &["--memo-cap", "0"],
            format!("fn f(n) = {body}\n{calls}"),
            "1001\n".to_string(),
        ),
    ];
    for (flags, program, expected) in cases {
        let out = run(flags, &program);
        let head: String = program.chars().take(60).collect();
        assert_eq!(text(&out.stdout), expected, "{head}… {flags:?}");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
    }
}

/// A runtime error in a long chain is reported as in a short one: the same
/// message, underlining the same part of the chain.
#[test]
fn errors_in_long_flat_chains_point_where_short_ones_do() {
    for n in [3, 100_000] {
        let trues = chain("true", "and", "true", n);
        let ones = chain("1", "+", "1", n);
        // (program, message, 1-based column of the error's start)
        let cases = [
            (
                format!("{trues} and 7 and true"),
                "cannot apply 'and' to int",
                trues.len() + 6,
            ),
            (
                format!("{ones} and true{}", chain("", "and", "true", n)),
                "cannot apply 'and' to int",
                1,
            ),
            (
                format!("{ones} + false{}", chain("", "+", "1", n)),
                "cannot apply '+' to int and bool",
                1,
            ),
            (
                format!("{ones} - 2 % 0{}", chain("", "-", "1", n)),
                "division by zero",
                ones.len() + 4,
            ),
        ];
        for (program, message, column) in cases {
            let out = run(&[], &program);
            let stderr = text(&out.stderr);
            let short: String = stderr.chars().take(300).collect();
            assert_eq!(out.status.code(), Some(1), "{short}");
            assert!(stderr.contains(message), "{message}: {short}");
            let location = format!("<stdin>:1:{column}\n");
            assert!(stderr.contains(&location), "{location}: {short}");
        }
    }
}

#[test]
fn ast_flag_prints_long_flat_chains() {
    let n = 100_000;
    let out = run(&["--ast"], &chain("x", "-", "1", n));
    let expected = format!("{}x{}\n", "(- ".repeat(n), " 1)".repeat(n));
    assert!(text(&out.stdout) == expected, "{:.80}", text(&out.stdout));
    assert_eq!(out.status.code(), Some(0));
}

/// Runs calc on a program file that `make` creates, in a temporary
/// directory of its own named after `name`.
fn run_file(name: &str, make: impl FnOnce(&Path) -> std::io::Result<()>) -> Output {
    let dir = std::env::temp_dir().join(format!("calc-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join(format!("{name}.calc"));
    make(&file).expect("the program file is made");
    let out = Command::new(calc()).arg(&file).output().expect("calc runs");
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[test]
fn a_file_too_large_to_lex_is_refused_unread() {
    // A sparse file of 4 GiB: refused from its size, in no time and memory.
    let out = run_file("huge", |file| std::fs::File::create(file)?.set_len(1 << 32));
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("source too large: calc reads programs smaller than 4 GiB"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn invalid_utf8_in_a_comment_is_skipped_with_it() {
    let out = run_file("comment", |file| {
        std::fs::write(file, b"1 # caf\xe9 \xff\n2\n")
    });
    assert_eq!(text(&out.stdout), "1\n2\n", "{}", text(&out.stderr));
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn invalid_utf8_is_reported_not_a_crash() {
    let out = run_file("bad", |file| std::fs::write(file, b"1 + 2\n\xff\n"));
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("unexpected character"));
    assert!(out.stdout.is_empty());

    // The same in a program given with `-e`.
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let program = std::ffi::OsStr::from_bytes(b"1 + \xff");
        let out = Command::new(calc())
            .arg("-e")
            .arg(program)
            .env("NO_COLOR", "1")
            .output()
            .expect("calc runs");
        assert_eq!(out.status.code(), Some(1));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("unexpected character"), "{stderr}");
        assert!(stderr.contains("<command line>:1:5"), "{stderr}");
    }
}
