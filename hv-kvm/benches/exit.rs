//! Hypercalls per second through the KVM path against bare port-I/O exits per second: the floor a
//! userspace VMM cannot beat, so the crates' own share of a real exit shows.
//!
//! The test guest (boot mode 1) makes N fast HvResetDebugSession calls through its hypercall page, then
//! N inline `out dx, al` writes to a port the VMM drops at once, then N fast calls of the unknown call
//! code 0xFFFF, marking each phase with a write the VMM timestamps. A second run drops the hypercall port
//! too: the same instructions as a hypercall (call into the page, the port write, return) with no VMM
//! work, the floor for a hypercall on this host. The unknown call code is everything a served hypercall
//! costs the VMM (the stub check and page walk, the lock, the register write-back) with next to no
//! dispatch: the dispatcher answers from the input value alone. So the table separates the VMM's exit
//! handling from the crates' dispatch.
//! `cargo bench -p hv-kvm --bench exit [-- N]` (N defaults to 200000); the best of 5 runs each.
//!
//! Read the floor for what it is: on a host whose KVM emulates a guest that is not built for it (this
//! project's CI machine runs KVM-PVM, which executes such a guest at about 1 us an instruction), the
//! hypercall page's call, port write and return are themselves several microseconds more than an
//! inline port write, whatever the VMM does.

mod support;

use hv_kvm::hyperv::HYPERCALL_PORT;
use support::{BENCH_PORT, measure};

fn main() {
    let Some((guest, n)) = support::setup("exit", 200_000) else {
        return;
    };
    let [hypercall, bare, unknown] = measure(guest, n, vec![BENCH_PORT], 5);
    let [_, _, stub] = measure(guest, n, vec![BENCH_PORT, HYPERCALL_PORT], 5);
    let line = |what: &str, ns: f64| println!("{what:<66} {ns:8.0} ns  ({:>7.0}/s)", 1e9 / ns);
    println!("{n} iterations, best of 5 runs each");
    line("bare port-I/O exit (inline out dx, al; dropped)", bare);
    line("the same exit through the hypercall page (dropped)", stub);
    line("hypercall served, unknown call code (the VMM's exit handling)", unknown);
    line("hypercall served, fast reset (the VMM + the dispatch)", hypercall);
    let share = |a: f64, b: f64| format!("{:.0} ns, {:+.1}%", a - b, 100.0 * (a - b) / b);
    println!(
        "the VMM's exit handling over the hypercall page's exit: {}",
        share(unknown, stub)
    );
    println!("the dispatch of a fast reset over that: {}", share(hypercall, unknown));
    println!(
        "the served fast reset over the hypercall page's exit: {}",
        share(hypercall, stub)
    );
}
