//! Host -> guest wake latency: how soon a VP waiting in `RETRIEVE_LOOP` runs again after the host sends
//! it data, beside the cost of a bare exit.
//!
//! The test guest (boot mode 17) makes N one-byte retrieves that wait, each followed by a write to a
//! marker port the VMM timestamps. Each time the VP starts waiting, the host end's thread lets it sleep
//! in the wait for 200 us, notes the time and sends one byte through a [`HostSender`]. The latency is
//! from that send to the marker: the wake-up, the end of the call, the VP's return to the guest, a few
//! guest instructions and the marker's own exit, so it is an upper bound on "delivery to the VP running
//! again"; the bare exit printed beside it is what the marker's exit alone costs.
//! `cargo bench -p hv-kvm --bench wake [-- N]` (N defaults to 1000).

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod support;

use hv_kvm::{Config, HostEnd, HostSender};
use support::{BENCH_PORT, MARK_PORT};

/// Tells the sending thread each time the VP waits.
struct Waits {
    waiting: Sender<()>,
    sender: Arc<Mutex<Option<HostSender>>>,
}

impl HostEnd for Waits {
    fn attach(&mut self, sender: HostSender) {
        *self.sender.lock().expect("the sender slot") = Some(sender);
    }

    fn on_wait(&mut self) -> Vec<u8> {
        let _ = self.waiting.send(());
        Vec::new()
    }
}

/// Sends one byte 200 us into each wait; returns when each send happened, on the VM's clock.
fn send_on_each_wait(waits: Receiver<()>, sender: Arc<Mutex<Option<HostSender>>>) -> Vec<Duration> {
    let mut sent = Vec::new();
    while waits.recv().is_ok() {
        std::thread::sleep(Duration::from_micros(200));
        let Some(sender) = sender.lock().expect("the sender slot").clone() else {
            break;
        };
        let Some(at) = sender.elapsed() else { break };
        if sender.send(&[sent.len() as u8]).is_err() {
            break;
        }
        sent.push(at);
    }
    sent
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    let Some((guest, n)) = support::setup("wake", 1000) else {
        return;
    };
    let (waiting, waits) = channel();
    let slot = Arc::new(Mutex::new(None));
    let sending = {
        let slot = Arc::clone(&slot);
        std::thread::spawn(move || send_on_each_wait(waits, slot))
    };
    let config = Config {
        boot_word: 17 | u64::from(n) << 32,
        transcript: false,
        transcript_limit: n as usize + 16,
        marker_ports: vec![MARK_PORT],
        ..Config::default()
    };
    let host = Waits {
        waiting,
        sender: Arc::clone(&slot),
    };
    let report = hv_kvm::run(&config, guest, Box::new(host)).expect("the wake guest runs");
    let sent = sending.join().expect("the sending thread");
    let marks = support::markers(&report);
    assert_eq!(
        (sent.len(), marks.len()),
        (n as usize, n as usize),
        "a send and a marker per wake"
    );
    let mut latency: Vec<Duration> = marks.iter().zip(&sent).map(|(mark, sent)| *mark - *sent).collect();
    latency.sort();
    // The bare exit, measured the exit benchmark's way.
    let [_, bare, _] = support::measure(guest, 20_000, vec![BENCH_PORT], 1);
    println!("{n} wakes of a VP waiting in RETRIEVE_LOOP (send -> the VP's next exit)");
    println!(
        "  p50 {:?}  p99 {:?}  max {:?}",
        percentile(&latency, 0.5),
        percentile(&latency, 0.99),
        latency[latency.len() - 1]
    );
    println!("  beside a bare port-I/O exit: {:.1}us", bare / 1000.0);
}
