//! The bundled test guest on KVM, checked from the transcript: bytes both ways, every status, each
//! intercept message against the vCPU state the VMM read, and the engine's SessionStatus order.
//!
//! Where KVM is unusable each test prints one line saying it did not run and why (and `.ci/run` says so
//! in its summary); where it is usable, a failure fails.

use hv_abi::synic::MessageType;
use hv_abi::{CallCode, HvStatus};
use hv_kvm::{Answer, Config, HostEnd, Record, Report};
use hv_model::engine::{Event, SessionStatus};
use hv_x64::InterceptAccessType;
use hv_x64::parse::{self, X64Payload};
use zerocopy::{FromZeros, IntoBytes};

mod common;
use common::kvm;

const HOST_REPLY: &[u8] = b"hello from the host, and more";

fn boot(config: &Config, host: Box<dyn HostEnd>) -> Report {
    let guest = hv_kvm::bundled_guest().unwrap_or_else(|e| panic!("KVM is usable but {e}"));
    hv_kvm::run(config, guest, host).unwrap_or_else(|e| panic!("{e}"))
}

fn statuses(report: &Report) -> Vec<SessionStatus> {
    report
        .engine
        .iter()
        .filter_map(|e| match e {
            Event::SessionStatus { status, .. } => Some(*status),
            _ => None,
        })
        .collect()
}

fn hypercalls(report: &Report) -> Vec<(CallCode, bool, HvStatus, bool)> {
    report
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Hypercall {
                input, output, waited, ..
            } => Some((input.call_code(), input.fast(), output.status(), waited.is_some())),
            _ => None,
        })
        .collect()
}

fn bytes(report: &Report, to_host: bool) -> Vec<Vec<u8>> {
    report
        .records
        .iter()
        .filter_map(|r| match (r, to_host) {
            (Record::GuestToHost(b), true) | (Record::HostToGuest(b), false) => Some(b.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn the_test_guests_session_on_kvm() {
    if !kvm("the_test_guests_session_on_kvm") {
        return;
    }
    let report = boot(&Config::default(), Box::new(Answer::new(HOST_REPLY)));

    // Enabling: the guest OS id, then the hypercall page, both accepted.
    let msr_writes: Vec<_> = report
        .records
        .iter()
        .filter_map(|r| match r {
            Record::SyntheticMsrWrite {
                msr, value, accepted, ..
            } => Some((*msr, *value, *accepted)),
            _ => None,
        })
        .collect();
    assert_eq!(msr_writes.len(), 2, "{msr_writes:x?}");
    assert_eq!(msr_writes[0], (0x4000_0000, 0x8100_0006_0800_0000, true));
    assert_eq!(
        (msr_writes[1].0, msr_writes[1].1 & 0xFFF, msr_writes[1].2),
        (0x4000_0001, 1, true)
    );

    // Every hypercall and its status: the first retrieve waited for the host's answer.
    assert_eq!(
        hypercalls(&report),
        [
            (CallCode::POST_DEBUG_DATA, false, HvStatus::SUCCESS, false),
            (CallCode::RETRIEVE_DEBUG_DATA, false, HvStatus::SUCCESS, true),
            (CallCode::RESET_DEBUG_SESSION, true, HvStatus::SUCCESS, false),
            (CallCode::RETRIEVE_DEBUG_DATA, false, HvStatus::NO_DATA, false),
        ]
    );
    // Bytes both ways, and where each went: 19 retrieved, the rest purged by the reset.
    assert_eq!(bytes(&report, true), [b"hello from the guest".to_vec()]);
    assert_eq!(bytes(&report, false), [HOST_REPLY.to_vec()]);
    let (incoming, outgoing) = (report.incoming, report.outgoing);
    assert_eq!((incoming.written, incoming.read, incoming.purged), (29, 19, 10));
    assert_eq!((outgoing.written, outgoing.read, outgoing.pending), (20, 20, 0));
    assert!(incoming.balanced() && outgoing.balanced());

    // The intercepts, in order: the result port write, the IA32_PAT read, the halt.
    let intercepts: Vec<_> = report
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Intercept { message, state } => Some((message, state)),
            _ => None,
        })
        .collect();
    let types: Vec<_> = intercepts.iter().map(|(m, _)| m.header.message_type).collect();
    assert_eq!(
        types,
        [
            MessageType::X64_IO_PORT_INTERCEPT,
            MessageType::X64_MSR_INTERCEPT,
            MessageType::X64_HALT
        ]
    );
    for (message, state) in &intercepts {
        let mut scratch = hv_abi::synic::Message::new_zeroed();
        let parsed = parse::parse(message.as_bytes(), &mut scratch).expect("a whole message");
        let header = match parsed.payload {
            X64Payload::IoPort(io) => {
                assert_eq!((io.port_number, io.access_info.access_size()), (0x3F8, 1));
                assert_eq!(io.rax & 0xFF, 0, "the guest's own checks all passed (RESULT_PORT = 0)");
                assert_eq!(io.rax, state.rax);
                assert_eq!(
                    (io.instruction_byte_count, io.instruction_bytes[0]),
                    (1, 0xEE),
                    "out dx, al"
                );
                assert_eq!((io.ds_segment, io.es_segment), (state.ds, state.es));
                assert_eq!((io.rcx, io.rsi, io.rdi), (state.rcx, state.rsi, state.rdi));
                assert_eq!(io.header.access_type(), Ok(InterceptAccessType::Write));
                io.header
            }
            X64Payload::Msr(msr) => {
                assert_eq!(msr.msr_number, 0x277, "IA32_PAT");
                assert_eq!((msr.rax, msr.rdx), (state.rax, state.rdx));
                assert_eq!(msr.header.access_type(), Ok(InterceptAccessType::Read));
                assert_eq!(&state.instruction[..2], &[0x0F, 0x32], "rdmsr");
                msr.header
            }
            X64Payload::Halt(h) => {
                assert_eq!(state.instruction[0], 0xF4, "hlt");
                *h
            }
            other => panic!(
                "an unexpected intercept: {:?}",
                other.layout_and_bytes().map(|l| l.0.name)
            ),
        };
        assert_eq!(header.rip, state.rip);
        assert_eq!(header.rflags, state.rflags);
        assert_eq!(header.cs_segment, state.cs);
        assert_eq!(header.cs_segment.attributes.into_bits(), 0xA09B, "64-bit code, DPL 0");
        assert_eq!(header.vp_index.0, 0);
        assert_eq!(header.instruction_length.instruction_length(), state.instruction_length);
        let es = header.execution_state;
        assert_eq!((es.cpl(), es.cr0_pe(), es.efer_lma()), (0, true, true));
        assert!((0x10_0000..0x20_0000).contains(&header.rip), "in the guest image");
    }

    // The engine: attached (ACTIVE), then the guest ran to completion (END).
    assert_eq!(statuses(&report), [SessionStatus::Active, SessionStatus::End]);
    assert!(matches!(report.records.last(), Some(Record::Halted { vp: 0 })));
}

#[test]
fn every_vp_runs_and_the_session_ends_when_all_have_halted() {
    if !kvm("every_vp_runs_and_the_session_ends_when_all_have_halted") {
        return;
    }
    let config = Config {
        vcpus: 3,
        ..Config::default()
    };
    let report = boot(&config, Box::new(Answer::new(HOST_REPLY)));
    let mut halted: Vec<u32> = report
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Halted { vp } => Some(*vp),
            _ => None,
        })
        .collect();
    halted.sort_unstable();
    assert_eq!(halted, [0, 1, 2]);
    assert_eq!(
        hypercalls(&report).len(),
        4,
        "VP 0 runs the session; the others stop after reading VP_INDEX"
    );
    assert_eq!(statuses(&report), [SessionStatus::Active, SessionStatus::End]);
}

/// Sends its reply at once, so bytes are pending when the guest resets the VM.
struct AtOnce;

impl HostEnd for AtOnce {
    fn on_receive(&mut self, _: &[u8]) -> Vec<u8> {
        b"unread".to_vec()
    }
}

#[test]
fn a_triple_fault_reboots_the_guest_with_its_buffers_purged() {
    if !kvm("a_triple_fault_reboots_the_guest_with_its_buffers_purged") {
        return;
    }
    reboots_with_buffers_purged(2);
}

#[test]
fn a_reset_through_port_0xcf9_reboots_the_guest_with_its_buffers_purged() {
    if !kvm("a_reset_through_port_0xcf9_reboots_the_guest_with_its_buffers_purged") {
        return;
    }
    reboots_with_buffers_purged(4);
}

fn reboots_with_buffers_purged(mode: u64) {
    let config = Config {
        boot_word: mode,
        ..Config::default()
    };
    let report = boot(&config, Box::new(AtOnce));
    let reboot = report
        .records
        .iter()
        .position(|r| matches!(r, Record::Reboot))
        .expect("the guest reset the VM");
    assert_eq!(
        bytes(&report, true),
        [b"before reboot".to_vec(), b"after reboot".to_vec()]
    );
    let posted_after = report.records[reboot..]
        .iter()
        .any(|r| matches!(r, Record::GuestToHost(b) if b == b"after reboot"));
    assert!(posted_after, "the guest booted again and ran");
    assert_eq!(report.incoming.purged, 6, "`unread` was purged by the reboot");
    assert!(report.incoming.balanced() && report.outgoing.balanced());
    assert_eq!(
        statuses(&report),
        [
            SessionStatus::Active,
            SessionStatus::Reboot,
            SessionStatus::Active,
            SessionStatus::End
        ]
    );
}

#[test]
fn kvm_that_cannot_run_hv_kvm_is_one_line_saying_why() {
    match hv_kvm::kvm_usable() {
        Ok(()) => eprintln!("KVM is usable here; nothing to check about its absence"),
        Err(e) => {
            let text = e.to_string();
            assert!(text.starts_with("KVM is not usable here: "), "{text}");
            assert!(!text.contains('\n'), "{text}");
        }
    }
}
