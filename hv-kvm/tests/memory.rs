//! Host memory per exit is O(1): 100,000 exits (50,000 intercepted port writes and 50,000 hypercalls,
//! with the transcript on) grow the process's peak RSS (VmHWM) by less than 4 MiB. A test binary of its
//! own, so no other test's memory moves the high-water mark.

mod common;

use common::kvm;
use hv_kvm::{Answer, Config, Report};

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc/self/status")
}

fn storm(n: u64) -> Report {
    let guest = hv_kvm::bundled_guest().unwrap_or_else(|e| panic!("KVM is usable but {e}"));
    let config = Config {
        boot_word: 13 | n << 32,
        ..Config::default()
    };
    hv_kvm::run(&config, guest, Box::new(Answer::default())).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn host_memory_stays_flat_over_100000_exits() {
    if !kvm("host_memory_stays_flat_over_100000_exits") {
        return;
    }
    // The same guest, briefly: its pages, the VM's and the first records are the floor.
    let small = storm(2_000);
    let before = peak_rss_kib();
    let report = storm(50_000);
    let grown = peak_rss_kib().saturating_sub(before);
    assert!(report.counts.exits >= 100_000, "{:?}", report.counts);
    assert_eq!(report.counts.hypercalls, 50_000);
    assert!(report.counts.intercepts >= 50_000);
    assert_eq!(report.records.len(), Config::default().transcript_limit);
    assert!(report.counts.records_dropped > small.counts.records_dropped);
    eprintln!("{:?}: peak RSS grew {grown} KiB", report.counts);
    assert!(grown < 4 * 1024, "peak RSS grew {grown} KiB over 100,000 exits");
}
