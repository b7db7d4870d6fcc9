//! A hostile guest on KVM: the test guest's modes 6-16 each do what a kernel may and a VMM must survive,
//! and each test states what the TLFS or KVM gives and asserts it. A guest that could hang the VMM runs on
//! a thread with a bounded wait, which fails the test instead of hanging it.
//!
//! Where KVM is unusable each test prints one line saying it did not run and why.

mod common;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use hv_abi::HvStatus;
use hv_abi::synic::{Message, MessageType};
use hv_kvm::{Answer, Config, Error, Record, Report};
use hv_x64::IoPortInterceptMessage;
use hv_x64::parse::{self, X64Payload};
use zerocopy::FromZeros;

use common::kvm;

const RESULT_PORT: u16 = 0x3F8;
const REPORT_PORT: u16 = 0x3FC;
const IN_PORT: u16 = 0x3FD;
const OUT_PORT: u16 = 0x3FE;
/// Longer than any of these runs takes on an emulating host; a hang fails at this bound.
const BOUND: Duration = Duration::from_secs(60);

/// Runs the bundled guest with `config` on a thread, failing the test if the run takes longer than
/// [`BOUND`]; returns the run's result and how long it took.
fn run(config: Config) -> (Result<Report, Error>, Duration) {
    let guest = hv_kvm::bundled_guest().unwrap_or_else(|e| panic!("KVM is usable but {e}"));
    let (done, result) = mpsc::channel();
    let started = Instant::now();
    std::thread::spawn(move || {
        let _ = done.send(hv_kvm::run(&config, guest, Box::new(Answer::default())));
    });
    match result.recv_timeout(BOUND) {
        Ok(report) => (report, started.elapsed()),
        Err(_) => panic!("the VMM did not finish within {BOUND:?}: a guest hung it"),
    }
}

fn boot(mode: u64, vcpus: u32) -> Report {
    let (report, _) = run(Config {
        boot_word: mode,
        vcpus,
        ..Config::default()
    });
    report.unwrap_or_else(|e| panic!("mode {mode}: {e}"))
}

/// The I/O-port intercept messages, in order.
fn io_messages(report: &Report) -> Vec<IoPortInterceptMessage> {
    report
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Intercept { message, .. } => {
                let mut scratch = Message::new_zeroed();
                match parse::parse(zerocopy::IntoBytes::as_bytes(&**message), &mut scratch)
                    .ok()?
                    .payload
                {
                    X64Payload::IoPort(io) => Some(*io),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

/// The bytes the guest wrote to `port` (RAX's low byte of each write's message), in order.
fn writes(report: &Report, port: u16) -> Vec<u8> {
    io_messages(report)
        .iter()
        .filter(|m| m.port_number == port && m.header.access_type() == Ok(hv_x64::InterceptAccessType::Write))
        .map(|m| m.rax as u8)
        .collect()
}

fn msr_messages(report: &Report) -> Vec<u32> {
    report
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Intercept { message, .. } if message.header.message_type == MessageType::X64_MSR_INTERCEPT => {
                let mut scratch = Message::new_zeroed();
                match parse::parse(zerocopy::IntoBytes::as_bytes(&**message), &mut scratch)
                    .ok()?
                    .payload
                {
                    X64Payload::Msr(m) => Some(m.msr_number),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

fn reboots(report: &Report) -> usize {
    report.records.iter().filter(|r| matches!(r, Record::Reboot)).count()
}

/// Defects 1 and 2: enabling the hypercall page where there is no RAM is KVM's #GP with the MSR kept
/// (`kvm_hv_set_msr_pw`), and the VM goes on; MSRs KVM refuses (read-only, unknown) get KVM's #GP, with
/// no intercept message and no host-initiated write.
#[test]
fn msr_writes_kvm_refuses_are_a_gp_and_change_nothing() {
    if !kvm("msr_writes_kvm_refuses_are_a_gp_and_change_nothing") {
        return;
    }
    let report = boot(6, 1);
    let no_data = HvStatus::NO_DATA.into_bits() as u8;
    assert_eq!(writes(&report, REPORT_PORT), [13, 1, 13, 1, no_data, 13, 13, 13, 13]);
    let refused: Vec<_> = report
        .records
        .iter()
        .filter_map(|r| match r {
            Record::SyntheticMsrWrite {
                value, accepted: false, ..
            } => Some(*value),
            _ => None,
        })
        .collect();
    assert_eq!(refused, [0x0200_0001, 0xFFFF_FFFF_FFFF_F001]);
    assert_eq!(
        msr_messages(&report),
        [] as [u32; 0],
        "no message for an MSR nobody intercepts"
    );
}

/// Defects 3 and 9: a string IN reads all-ones in every byte; prefixed and string port I/O is reported
/// with its real RIP, length, bytes, size and StringOp/RepPrefix; an instruction straddling two pages
/// that are not adjacent in guest memory is read from both.
#[test]
fn string_and_prefixed_port_io_is_reported_as_it_was() {
    if !kvm("string_and_prefixed_port_io_is_reported_as_it_was") {
        return;
    }
    let report = boot(7, 1);
    assert_eq!(writes(&report, REPORT_PORT), [64, 0], "64 bytes of 0xFF, then done");
    let messages = io_messages(&report);
    let ins: Vec<_> = messages.iter().filter(|m| m.port_number == IN_PORT).collect();
    assert!(!ins.is_empty());
    for m in &ins {
        let info = m.access_info;
        assert_eq!(
            (info.access_size(), info.string_op(), info.rep_prefix()),
            (1, true, true)
        );
        assert_eq!(
            &m.instruction_bytes[..usize::from(m.instruction_byte_count)],
            [0xF3, 0x6C]
        );
    }
    let outs: Vec<_> = messages.iter().filter(|m| m.port_number == OUT_PORT).collect();
    let (word, rest) = outs.split_first().expect("the messages of OUT_PORT");
    assert_eq!(word.access_info.access_size(), 2);
    assert!(!word.access_info.string_op());
    assert_eq!(
        &word.instruction_bytes[..usize::from(word.instruction_byte_count)],
        [0x66, 0xEF]
    );
    assert_eq!(word.header.instruction_length.instruction_length(), 2);
    assert_eq!(word.rax as u16, 0x1234);
    let (straddling, string) = rest.split_last().expect("the straddling OUT");
    assert!(!string.is_empty());
    for m in string {
        let info = m.access_info;
        assert_eq!(
            (info.access_size(), info.string_op(), info.rep_prefix()),
            (1, true, true)
        );
        assert_eq!(
            &m.instruction_bytes[..usize::from(m.instruction_byte_count)],
            [0xF3, 0x6E]
        );
    }
    assert_eq!(straddling.header.rip, 0x60_0FFF);
    assert_eq!(
        &straddling.instruction_bytes[..usize::from(straddling.instruction_byte_count)],
        [0x66, 0xEF]
    );
    assert_eq!(straddling.rax as u16, 0x5678);
}

/// Defect 5: a reset stops a VP that spins in guest code (it is kicked out of `KVM_RUN`), and the VM
/// reboots at once.
#[test]
fn a_vp_spinning_in_guest_code_does_not_hold_up_a_reset() {
    if !kvm("a_vp_spinning_in_guest_code_does_not_hold_up_a_reset") {
        return;
    }
    let report = boot(8, 2);
    assert_eq!(reboots(&report), 1);
    assert_eq!(writes(&report, REPORT_PORT), [0x42]);
}

/// Defect 6: a reset ends another VP's `RETRIEVE_LOOP` wait whose timeout is u64::MAX × 100 ns.
#[test]
fn a_reset_ends_another_vps_endless_retrieve_wait() {
    if !kvm("a_reset_ends_another_vps_endless_retrieve_wait") {
        return;
    }
    let report = boot(9, 2);
    assert_eq!(reboots(&report), 1);
    assert_eq!(writes(&report, REPORT_PORT), [0x43]);
}

/// Defect 7: from 32-bit compatibility mode the input value is EDX:EAX (here call code 0xFFFF:
/// `INVALID_HYPERCALL_CODE`), not RCX (which holds a fast reset), and the result is EDX:EAX.
#[test]
fn a_32_bit_caller_passes_edx_eax_and_gets_edx_eax() {
    if !kvm("a_32_bit_caller_passes_edx_eax_and_gets_edx_eax") {
        return;
    }
    let report = boot(10, 1);
    let invalid_code = HvStatus::INVALID_HYPERCALL_CODE.into_bits() as u8;
    assert_eq!(writes(&report, REPORT_PORT), [invalid_code, 0]);
}

/// Defect 7: a hypercall from CPL 3 (the TSS's I/O permission bitmap lets ring 3 reach the stub's port
/// write, as Linux's `ioperm` does) is #UD, as the TLFS and KVM say, and is not served; the page works
/// again from CPL 0.
#[test]
fn a_hypercall_from_ring_3_is_ud_and_not_served() {
    if !kvm("a_hypercall_from_ring_3_is_ud_and_not_served") {
        return;
    }
    let report = boot(11, 1);
    let no_data = HvStatus::NO_DATA.into_bits() as u8;
    assert_eq!(writes(&report, REPORT_PORT), [6, no_data]);
    assert_eq!(report.counts.hypercalls, 1, "only the call from CPL 0 was served");
}

/// Defect 8: after a reset through port 0xCF9 the registers the guest changed are at their power-on
/// values (SDM "Initial state"): IA32_PAT 0x0007040600070406, KERNEL_GS_BASE, LSTAR, STAR, TSC_AUX and
/// SYSENTER_CS 0, DR0 0 and DR7 0x400. (No SSE state: KVM-PVM cannot emulate a guest's SSE instructions.)
#[test]
fn a_reset_puts_back_the_power_on_state() {
    if !kvm("a_reset_puts_back_the_power_on_state") {
        return;
    }
    let report = boot(12, 1);
    assert_eq!(reboots(&report), 1);
    assert_eq!(writes(&report, REPORT_PORT), [1; 8]);
}

/// A reboot storm ends at the configured limit, with an error that says so, in bounded time.
#[test]
fn a_reset_storm_ends_at_the_reboot_limit() {
    if !kvm("a_reset_storm_ends_at_the_reboot_limit") {
        return;
    }
    let (result, took) = run(Config {
        boot_word: 14,
        vcpus: 2,
        max_reboots: 20,
        ..Config::default()
    });
    let error = result.expect_err("the storm never halts");
    assert!(error.to_string().contains("after 20 reboots"), "{error}");
    eprintln!("20 reboots with a spinning VP each took {took:?}");
}

/// Concurrent VPs hammering the dispatcher with random calls: every VP finishes, and the channel loses
/// no byte (written = read + purged + dropped + pending, each way).
#[test]
fn concurrent_vps_make_random_hypercalls_and_lose_nothing() {
    if !kvm("concurrent_vps_make_random_hypercalls_and_lose_nothing") {
        return;
    }
    let report = boot(15 | 300 << 16 | 0x5EED << 32, 4);
    assert_eq!(writes(&report, RESULT_PORT), [0; 4]);
    for a in [report.incoming, report.outgoing] {
        assert_eq!(a.written, a.read + a.purged + a.dropped + a.pending, "{a:?}");
    }
    assert!(report.counts.hypercalls >= 4 * 300);
}

/// Defect 10 on this host: two back-to-back `out dx, al` before any other exit fit both RIP conventions;
/// the VMM completes the exit to learn which one KVM uses, and reports each write at its own RIP.
#[test]
fn an_ambiguous_first_exit_is_located_exactly() {
    if !kvm("an_ambiguous_first_exit_is_located_exactly") {
        return;
    }
    let report = boot(16, 1);
    let outs: Vec<_> = io_messages(&report)
        .into_iter()
        .filter(|m| m.port_number == OUT_PORT)
        .collect();
    assert_eq!(outs.len(), 2);
    assert_eq!(outs[1].header.rip, outs[0].header.rip + 1);
    for m in &outs {
        assert_eq!(&m.instruction_bytes[..usize::from(m.instruction_byte_count)], [0xEE]);
    }
}

/// Parameter blocks at and past the end of guest RAM: a block in the last page works; a header that runs
/// past the end, a block past it, and the last GPA of the address space are `INVALID_ALIGNMENT` (not
/// mapped), for input and output alike, and post nothing.
#[test]
fn parameter_blocks_at_and_past_the_end_of_ram() {
    use hv_kvm::session::KvmSession;
    use hv_model::Registers;
    use hv_model::conformance::{Implementation, Outcome};
    if !kvm("parameter_blocks_at_and_past_the_end_of_ram") {
        return;
    }
    let guest = hv_kvm::bundled_guest().unwrap_or_else(|e| panic!("KVM is usable but {e}"));
    let mut session = KvmSession::new(guest).unwrap_or_else(|e| panic!("{e}"));
    let end = Config::default().memory_size;
    let (last_page, output) = (end - 0x1000, end - 0x800);
    let post = |session: &mut KvmSession, input: u64, output: u64| match session.call(Registers {
        rcx: 0x69,
        rdx: input,
        r8: output,
    }) {
        Outcome::Complete(out) => out.status(),
        Outcome::Waiting => panic!("a post does not wait"),
    };
    // The 8-byte header in the last 8 bytes of RAM: a Count-0 post is a legal probe; Count 4 runs past
    // the page (and the end of RAM): INVALID_PARAMETER.
    assert_eq!(post(&mut session, end - 8, output), HvStatus::SUCCESS);
    session.write(end - 8, &[4, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(post(&mut session, end - 8, output), HvStatus::INVALID_PARAMETER);
    for (input, output) in [
        (end - 4, output),
        (end, output),
        (!7u64, output),
        (last_page, end),
        (last_page, !7u64),
    ] {
        assert_eq!(
            post(&mut session, input, output),
            HvStatus::INVALID_ALIGNMENT,
            "input {input:#x}, output {output:#x}"
        );
    }
    session.write(last_page, &[4, 0, 0, 0, 0, 0, 0, 0, b'a', b'b', b'c', b'd']);
    assert_eq!(post(&mut session, last_page, output), HvStatus::SUCCESS);
    let mut posted = [0u8; 16];
    assert_eq!(session.receive(&mut posted), 4);
    assert_eq!(&posted[..4], b"abcd", "only the good post's bytes arrived");
}

/// Defect 10 the other way round: the guest jumps over the first `out` to the second, so on stock KVM
/// (RIP at the `out`) the first exit is the ambiguous one, and on KVM-PVM (RIP past it) it is not. Either
/// way the intercept is at the second `out`, whose address the guest reports.
#[test]
fn a_jump_to_the_second_of_two_outs_is_located_exactly() {
    if !kvm("a_jump_to_the_second_of_two_outs_is_located_exactly") {
        return;
    }
    let report = boot(16 | 1 << 16, 1);
    let outs: Vec<_> = io_messages(&report)
        .into_iter()
        .filter(|m| m.port_number == OUT_PORT)
        .collect();
    assert_eq!(outs.len(), 1);
    assert_eq!(writes(&report, REPORT_PORT), [outs[0].header.rip as u8]);
    assert_eq!(
        &outs[0].instruction_bytes[..usize::from(outs[0].instruction_byte_count)],
        [0xEE]
    );
}

/// The host can end a run whatever the guest does: the guest waits in `RETRIEVE_LOOP` for an answer that
/// never comes, and `HostSender::stop` from another thread ends the run at once, the partition terminated
/// (`FAILURE`).
#[test]
fn the_host_stops_a_run_whose_guest_waits() {
    use hv_kvm::{HostEnd, HostSender};
    use hv_model::engine::{Event, SessionStatus};
    struct StopWhenWaiting(Option<HostSender>);
    impl HostEnd for StopWhenWaiting {
        fn attach(&mut self, sender: HostSender) {
            self.0 = Some(sender);
        }
        fn on_wait(&mut self) -> Vec<u8> {
            if let Some(sender) = self.0.clone() {
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(20));
                    sender.stop().expect("the run is live");
                });
            }
            Vec::new()
        }
    }
    if !kvm("the_host_stops_a_run_whose_guest_waits") {
        return;
    }
    let guest = hv_kvm::bundled_guest().unwrap_or_else(|e| panic!("KVM is usable but {e}"));
    let started = Instant::now();
    let report = hv_kvm::run(&Config::default(), guest, Box::new(StopWhenWaiting(None))).expect("stopped, not failed");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the guest waits 10 s; the stop ended it first"
    );
    assert!(report.stopped_by_host);
    let last = report.engine.iter().rev().find_map(|e| match e {
        Event::SessionStatus { status, .. } => Some(*status),
        _ => None,
    });
    assert_eq!(last, Some(SessionStatus::Failure));
}

/// A host end may send from inside its own callback (its methods run without the partition's lock): the
/// guest's session gets the answer sent from `on_receive` and passes.
#[test]
fn a_host_end_sends_from_its_own_callback() {
    use hv_kvm::{HostEnd, HostSender};
    struct SendsItself(Option<HostSender>);
    impl HostEnd for SendsItself {
        fn attach(&mut self, sender: HostSender) {
            self.0 = Some(sender);
        }
        fn on_receive(&mut self, _: &[u8]) -> Vec<u8> {
            let sender = self.0.as_ref().expect("attached before the guest ran");
            assert_eq!(sender.send(b"hello from the host, and more"), Ok(29));
            Vec::new()
        }
    }
    if !kvm("a_host_end_sends_from_its_own_callback") {
        return;
    }
    let guest = hv_kvm::bundled_guest().unwrap_or_else(|e| panic!("KVM is usable but {e}"));
    let (done, result) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(hv_kvm::run(&Config::default(), guest, Box::new(SendsItself(None))));
    });
    let report = result
        .recv_timeout(BOUND)
        .expect("no deadlock")
        .expect("the session runs");
    assert_eq!(writes(&report, RESULT_PORT), [0], "the session's every step passed");
}

/// `Config::profile` picks whose debug calls the guest gets: behind KVM's front end with `USE_HCALLS`
/// clear, the test guest's first post is `OPERATION_DENIED`, and its session stops at that step (3).
#[test]
fn the_configured_host_profile_serves_the_guests_calls() {
    use hv_model::hosts::{Host, HostSettings, Profile};
    if !kvm("the_configured_host_profile_serves_the_guests_calls") {
        return;
    }
    let profile = |use_hcalls| Profile {
        host: Host::Kvm,
        settings: HostSettings::new(false, use_hcalls),
    };
    let guest = hv_kvm::bundled_guest().unwrap_or_else(|e| panic!("KVM is usable but {e}"));
    for (use_hcalls, outcome) in [(true, 0), (false, 3)] {
        let config = Config {
            profile: profile(use_hcalls),
            ..Config::default()
        };
        let answer = Box::new(Answer::new(b"hello from the host, and more"));
        let report = hv_kvm::run(&config, guest, answer).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(writes(&report, RESULT_PORT), [outcome], "USE_HCALLS {use_hcalls}");
    }
}
