//! Timing shared by the benches that compare arenakit with its peers.

use std::time::Instant;

/// One contestant of [`report_interleaved`]: its name in the report and a
/// pass of its workload, which returns the seconds the timed part took.
pub type Run<'a> = (&'a str, Box<dyn FnMut() -> f64 + 'a>);

/// The seconds `pass` takes.
pub fn seconds(pass: impl FnOnce()) -> f64 {
    let start = Instant::now();
    pass();
    start.elapsed().as_secs_f64()
}

/// Runs `runs` in turn, one pass each per round, for `rounds` rounds, and
/// prints under `title`, for every run after the first, the median and the
/// range of the per-round ratios of its time to the first run's.
///
/// A shared machine's speed drifts over minutes, longer than a criterion
/// benchmark lasts, so two benchmarks run one after the other can land
/// 20% or more apart with no change in the code. Taking turns puts a slow
/// phase on every contestant alike, and the per-round ratio cancels it.
pub fn report_interleaved(title: &str, rounds: usize, runs: &mut [Run<'_>]) {
    assert!(rounds > 0 && runs.len() > 1, "nothing to compare");
    let mut times = vec![Vec::with_capacity(rounds); runs.len()];
    for _ in 0..rounds {
        for (seconds, (_, pass)) in times.iter_mut().zip(runs.iter_mut()) {
            seconds.push(pass());
        }
    }
    println!("{title}, {rounds} interleaved rounds: peer time / arenakit time, median [range]");
    for ((name, _), peer) in runs.iter().zip(&times).skip(1) {
        let mut ratios: Vec<f64> = peer.iter().zip(&times[0]).map(|(p, o)| p / o).collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "  {name:<24} {:.2} [{:.2}..{:.2}]",
            ratios[rounds / 2],
            ratios[0],
            ratios[rounds - 1]
        );
    }
}
