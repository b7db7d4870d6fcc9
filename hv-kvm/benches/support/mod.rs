//! What the KVM benchmarks share: the guest and N, the times of the guest's marker writes, and the exit
//! benchmark's phases (the wake benchmark prints the bare exit beside its latencies).

use std::time::Duration;

use hv_kvm::{Answer, Config, Record, Report};

/// The port whose writes the VMM timestamps ([`Record::Marker`]).
pub(crate) const MARK_PORT: u16 = 0x3F9;
/// The port the benchmark's bare exits write, which the VMM drops.
pub(crate) const BENCH_PORT: u16 = 0x3FA;

/// The bundled guest and N (the first number on the command line, else `default`); `None` when KVM is
/// not usable here, after saying so. A missing guest where KVM works is a failure.
pub(crate) fn setup(bench: &str, default: u32) -> Option<(&'static [u8], u32)> {
    if let Err(e) = hv_kvm::kvm_usable() {
        println!("{bench} benchmark did not run: {e}");
        return None;
    }
    let n = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(default);
    match hv_kvm::bundled_guest() {
        Ok(guest) => Some((guest, n)),
        Err(e) => {
            println!("{bench} benchmark did not run: {e}");
            std::process::exit(1);
        }
    }
}

/// When each marker write happened, in order.
pub(crate) fn markers(report: &Report) -> Vec<Duration> {
    report
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Marker { at, .. } => Some(*at),
            _ => None,
        })
        .collect()
}

/// The per-iteration time of the test guest's benchmark phases (mode 1: served fast resets, bare exits,
/// served unknown calls), best of `runs`, with the writes to `quiet` dropped.
pub(crate) fn measure(guest: &[u8], n: u32, quiet: Vec<u16>, runs: usize) -> [f64; 3] {
    let config = Config {
        boot_word: 1 | u64::from(n) << 32,
        transcript: false,
        quiet_ports: quiet,
        marker_ports: vec![MARK_PORT],
        ..Config::default()
    };
    let mut best = [Duration::MAX; 3];
    for _ in 0..runs {
        let report = hv_kvm::run(&config, guest, Box::new(Answer::default())).expect("the benchmark guest runs");
        let [start, calls_done, exits_done, unknown_done] = markers(&report)[..] else {
            panic!("four markers expected");
        };
        let phases = [calls_done - start, exits_done - calls_done, unknown_done - exits_done];
        for (best, phase) in best.iter_mut().zip(phases) {
            *best = (*best).min(phase);
        }
    }
    best.map(|d| d.as_nanos() as f64 / f64::from(n))
}
