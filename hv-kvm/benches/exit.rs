//! Hypercalls per second through the KVM path against bare port-I/O exits per second: the floor a
//! userspace VMM cannot beat, so the crates' own share of a real exit shows.
//!
//! The test guest (boot mode 1) makes N fast HvResetDebugSession calls through its hypercall page, then
//! N inline `out dx, al` writes to a port the VMM drops at once, marking each phase with a write the VMM
//! timestamps. A second run drops the hypercall port too: the same instructions as a hypercall (call
//! into the page, the port write, return) with no VMM work, the floor for a hypercall on this host.
//! `cargo bench -p hv-kvm --bench exit [-- N]` (N defaults to 200000); the best of 5 runs each.
//!
//! Read the floor for what it is: on a host whose KVM emulates a guest that is not built for it (this
//! project's CI machine runs KVM-PVM, which executes such a guest at about 1 us an instruction), the
//! hypercall page's call, port write and return are themselves several microseconds more than an
//! inline port write, whatever the VMM does.

use std::time::Duration;

use hv_kvm::hyperv::HYPERCALL_PORT;
use hv_kvm::{Answer, Config, Record};

const MARK_PORT: u16 = 0x3F9;
const BENCH_PORT: u16 = 0x3FA;

/// The per-iteration time of the hypercall phase and of the bare-exit phase, best of `runs`.
fn measure(guest: &[u8], n: u32, quiet: Vec<u16>, runs: usize) -> (f64, f64) {
    let config = Config {
        boot_word: 1 | u64::from(n) << 32,
        transcript: false,
        quiet_ports: quiet,
        marker_ports: vec![MARK_PORT],
        ..Config::default()
    };
    let mut best = (Duration::MAX, Duration::MAX);
    for _ in 0..runs {
        let report = hv_kvm::run(&config, guest, Box::new(Answer::default())).expect("the benchmark guest runs");
        let marks: Vec<Duration> = report
            .records
            .iter()
            .filter_map(|r| match r {
                Record::Marker { at, .. } => Some(*at),
                _ => None,
            })
            .collect();
        let [start, calls_done, exits_done] = marks[..] else {
            panic!("three markers expected, got {}", marks.len());
        };
        best = (best.0.min(calls_done - start), best.1.min(exits_done - calls_done));
    }
    let per = |d: Duration| d.as_nanos() as f64 / f64::from(n);
    (per(best.0), per(best.1))
}

fn main() {
    if let Err(e) = hv_kvm::kvm_usable() {
        println!("exit benchmark did not run: {e}");
        return;
    }
    let n: u32 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(200_000);
    let guest = match hv_kvm::bundled_guest() {
        Ok(guest) => guest,
        Err(e) => {
            println!("exit benchmark did not run: {e}");
            std::process::exit(1);
        }
    };
    let (hypercall, bare) = measure(guest, n, vec![BENCH_PORT], 5);
    let (stub, _) = measure(guest, n, vec![BENCH_PORT, HYPERCALL_PORT], 5);
    let line = |what: &str, ns: f64| println!("{what:<58} {ns:8.0} ns  ({:>7.0}/s)", 1e9 / ns);
    println!("{n} iterations, best of 5 runs each");
    line("bare port-I/O exit (inline out dx, al; dropped)", bare);
    line("the same exit through the hypercall page (dropped)", stub);
    line("hypercall served by hv-kvm + hv-model (fast reset)", hypercall);
    println!(
        "the crates' share: {:.0} ns, {:+.1}% on the hypercall page's exit; {:+.1}% on a bare exit",
        hypercall - stub,
        100.0 * (hypercall - stub) / stub,
        100.0 * (hypercall - bare) / bare
    );
}
