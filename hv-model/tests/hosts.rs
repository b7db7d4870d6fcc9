//! One test per rule of each real host's profile (`hv_model::hosts`): each pins the behaviour its rule
//! states, with its citation in the rule, so a profile that loses the rule fails here. The conformance
//! matrix (`conformance::matrix`) says which reference cases each rule makes a profile fail; these say
//! the rule does what its text says.

mod common;

use common::{DEBUGGER, GUEST};
use hv_abi::debug::DebugChannelId;
use hv_abi::{HvStatus, PartitionPrivileges};
use hv_guest::transport::udp::{self, Endpoint};
use hv_model::Registers;
use hv_model::conformance::{INPUT_PAGE, Implementation, Model, OUTPUT_PAGE, Outcome};
use hv_model::hosts::Host;

const POST: u64 = 0x69;
const RETRIEVE: u64 = 0x6A;
const RESET: u64 = 0x6B;
const FAST: u64 = 1 << 16;

fn status(outcome: Outcome) -> HvStatus {
    match outcome {
        Outcome::Complete(out) => out.status(),
        Outcome::Waiting => panic!("the call waits"),
    }
}

fn call(m: &mut Model, rcx: u64, rdx: u64, r8: u64) -> HvStatus {
    status(m.call(Registers { rcx, rdx, r8 }))
}

/// Count, Options and the data at `gpa`, then HvPostDebugData with its output at the output page.
fn post_at(m: &mut Model, gpa: u64, data: &[u8], options: u32) -> HvStatus {
    m.write(gpa, &(data.len() as u32).to_le_bytes());
    m.write(gpa + 4, &options.to_le_bytes());
    m.write(gpa + 8, data);
    call(m, POST, gpa, OUTPUT_PAGE)
}

fn post(m: &mut Model, data: &[u8]) -> HvStatus {
    post_at(m, INPUT_PAGE, data, 0)
}

fn frame(src: &Endpoint, dst: &Endpoint, payload: &[u8]) -> Vec<u8> {
    let mut frame = vec![0u8; udp::HEADER_LEN + payload.len()];
    let n = udp::build(src, dst, payload, &mut frame).unwrap();
    frame.truncate(n);
    frame
}

/// A frame QEMU forwards: any UDP frame.
fn framed(payload: &[u8]) -> Vec<u8> {
    frame(&GUEST, &DEBUGGER, payload)
}

/// A frame VirtualBox forwards: both UDP ports 0.
fn framed_port_0(payload: &[u8]) -> Vec<u8> {
    let (mut from, mut to) = (GUEST, DEBUGGER);
    (from.port, to.port) = (0, 0);
    frame(&from, &to, payload)
}

fn retrieve(m: &mut Model, count: u32, options: u32) -> HvStatus {
    m.write(INPUT_PAGE, &count.to_le_bytes());
    m.write(INPUT_PAGE + 4, &options.to_le_bytes());
    m.write(INPUT_PAGE + 8, &1_000u64.to_le_bytes());
    call(m, RETRIEVE, INPUT_PAGE, OUTPUT_PAGE)
}

/// RetrievedCount and RemainingCount (or PendingCount and its padding).
fn head(m: &mut Model) -> [u32; 2] {
    let mut out = [0u8; 8];
    m.read(OUTPUT_PAGE, &mut out);
    [
        u32::from_le_bytes(out[..4].try_into().unwrap()),
        u32::from_le_bytes(out[4..].try_into().unwrap()),
    ]
}

/// The `n` bytes after the output header.
fn retrieved(m: &mut Model, n: usize) -> Vec<u8> {
    let mut data = vec![0u8; n];
    m.read(OUTPUT_PAGE + 8, &mut data);
    data
}

fn received(m: &mut Model) -> Vec<u8> {
    let mut buf = vec![0u8; 16 * 1024];
    let n = m.receive(&mut buf);
    buf.truncate(n);
    buf
}

// KVM's front end (Host::Kvm; QemuKvm has the same front end).

#[test]
fn kvm_access_denied_first_only_under_enforce_cpuid() {
    for host in [Host::Kvm, Host::QemuKvm] {
        let mut m = Model::of(host);
        m.set_privileges(PartitionPrivileges::empty());
        let reserved = POST | 1 << 31;
        assert_eq!(
            call(&mut m, reserved, INPUT_PAGE, OUTPUT_PAGE),
            HvStatus::INVALID_HYPERCALL_INPUT
        );
        m.set_enforce_cpuid(true);
        assert_eq!(
            call(&mut m, reserved, INPUT_PAGE, OUTPUT_PAGE),
            HvStatus::ACCESS_DENIED,
            "{host}"
        );
    }
}

#[test]
fn kvm_reserved_bits_refused_and_rep_counts_passed_on() {
    let mut m = Model::of(Host::Kvm);
    for bit in [27, 31, 44, 47, 60, 63] {
        assert_eq!(
            call(&mut m, RESET | FAST | 1 << bit, 3, 0),
            HvStatus::INVALID_HYPERCALL_INPUT
        );
    }
    // A rep count passes KVM; QEMU then serves it (the reference, behind KVM, refuses it itself).
    let mut q = Model::of(Host::QemuKvm);
    assert_eq!(call(&mut q, RESET | FAST | 1 << 32, 3, OUTPUT_PAGE), HvStatus::SUCCESS);
}

#[test]
fn kvm_fast_post_retrieve_invalid_parameter() {
    let mut m = Model::of(Host::Kvm);
    assert_eq!(call(&mut m, POST | FAST, 0, 0), HvStatus::INVALID_PARAMETER);
    assert_eq!(call(&mut m, RETRIEVE | FAST, 0, 0), HvStatus::INVALID_PARAMETER);
    assert_eq!(
        call(&mut m, RESET | FAST, 3, 0),
        HvStatus::NO_DATA,
        "a fast reset reaches the VMM"
    );
}

#[test]
fn kvm_debugger_off_is_invalid_hypercall_code() {
    let mut m = Model::of(Host::Kvm);
    m.set_debugging(false);
    assert_eq!(post(&mut m, b"x"), HvStatus::INVALID_HYPERCALL_CODE);
}

#[test]
fn kvm_use_hcalls_off_is_operation_denied() {
    for host in [Host::Kvm, Host::QemuKvm] {
        let mut m = Model::of(host);
        m.set_use_hcalls(false);
        assert_eq!(post(&mut m, b"x"), HvStatus::OPERATION_DENIED, "{host}");
    }
}

// QEMU's device behind KVM (Host::QemuKvm).

#[test]
fn qemu_no_privilege_check() {
    let mut m = Model::of(Host::QemuKvm);
    m.set_privileges(PartitionPrivileges::empty());
    m.set_channel_id(DebugChannelId(0));
    assert_eq!(post(&mut m, &framed(b"hi")), HvStatus::SUCCESS);
    assert_eq!(received(&mut m), b"hi");
}

#[test]
fn qemu_insufficient_memory_for_a_block_not_in_ram_and_no_alignment_check() {
    let mut m = Model::of(Host::QemuKvm);
    assert_eq!(
        call(&mut m, RETRIEVE, 0x10_0000, OUTPUT_PAGE),
        HvStatus::INSUFFICIENT_MEMORY
    );
    assert_eq!(
        call(&mut m, RETRIEVE, INPUT_PAGE, 0x10_0000),
        HvStatus::INSUFFICIENT_MEMORY
    );
    // Misaligned, and the output header across the input and output pages: served.
    assert_eq!(
        call(&mut m, RETRIEVE, INPUT_PAGE + 4, OUTPUT_PAGE - 4),
        HvStatus::NO_DATA
    );
}

#[test]
fn qemu_post_count() {
    let mut m = Model::of(Host::QemuKvm);
    m.write(INPUT_PAGE, &4089u32.to_le_bytes());
    assert_eq!(call(&mut m, POST, INPUT_PAGE, OUTPUT_PAGE), HvStatus::INVALID_PARAMETER);
    assert_eq!(post(&mut m, b""), HvStatus::INSUFFICIENT_MEMORY, "Count 0");
    // Data crossing the input page is read on from the next page (here the output page).
    let frame = framed(b"across");
    let at = OUTPUT_PAGE - 8 - 20;
    assert_eq!(post_at(&mut m, at, &frame, 0), HvStatus::SUCCESS);
    assert_eq!(received(&mut m), b"across");
    // ... and a next page that is not RAM is INSUFFICIENT_MEMORY.
    m.write(OUTPUT_PAGE + 0xFF8, &(frame.len() as u32).to_le_bytes());
    assert_eq!(
        call(&mut m, POST, OUTPUT_PAGE + 0xFF8, OUTPUT_PAGE),
        HvStatus::INSUFFICIENT_MEMORY
    );
}

#[test]
fn qemu_post_options_ignored() {
    let mut m = Model::of(Host::QemuKvm);
    assert_eq!(post_at(&mut m, INPUT_PAGE, &framed(b"x"), u32::MAX), HvStatus::SUCCESS);
    assert_eq!(received(&mut m), b"x");
}

#[test]
fn qemu_post_needs_udp_frame() {
    let mut m = Model::of(Host::QemuKvm);
    m.write(OUTPUT_PAGE, &[0xAB; 8]);
    assert_eq!(post(&mut m, b"not a frame"), HvStatus::SUCCESS);
    assert_eq!(
        head(&mut m),
        [0, 0xABAB_ABAB],
        "PendingCount 0 (the profile's), 4 bytes of output"
    );
    assert_eq!(received(&mut m), b"", "nothing sent");
    assert_eq!(post(&mut m, &framed(b"payload")), HvStatus::SUCCESS);
    assert_eq!(received(&mut m), b"payload", "the 42 header bytes stripped");
    // QEMU checks the EtherType and the protocol only: a bad IPv4 checksum still sends.
    let mut bad = framed(b"sum");
    bad[24] ^= 0xFF;
    assert_eq!(post(&mut m, &bad), HvStatus::SUCCESS);
    assert_eq!(received(&mut m), b"sum");
}

#[test]
fn qemu_post_sends_at_once() {
    let mut m = Model::of(Host::QemuKvm);
    let chunk = framed(&[7u8; 4000]);
    assert_eq!(post(&mut m, &chunk), HvStatus::SUCCESS);
    assert_eq!(head(&mut m)[0], 0, "PendingCount 0: nothing is buffered");
    assert_eq!(post(&mut m, &chunk), HvStatus::SUCCESS);
    // The host has not read: a third datagram it cannot take is INSUFFICIENT_MEMORY, not a partial post.
    assert_eq!(post(&mut m, &chunk), HvStatus::INSUFFICIENT_MEMORY);
    assert_eq!(received(&mut m).len(), 8000);
}

#[test]
fn qemu_retrieve_one_datagram_whatever_count_says() {
    let mut m = Model::of(Host::QemuKvm);
    m.deliver(b"abc");
    m.deliver(b"defg");
    assert_eq!(retrieve(&mut m, 1, 0), HvStatus::SUCCESS);
    let [got, _] = head(&mut m);
    assert_eq!(got, 45, "one datagram after a rebuilt 42-byte header, Count 1 or not");
    let frame = retrieved(&mut m, 45);
    let parsed = udp::parse(&frame).expect("a well-formed Ethernet/IPv4/UDP frame");
    assert_eq!(parsed.payload, b"abc");
    assert_eq!(parsed.src.port, 50000, "from QEMU's default host port");
    assert_eq!(parsed.dst.ip, [0; 4], "no frame posted yet: to 0.0.0.0");
    // After a post, rebuilt frames go to its sender.
    assert_eq!(post(&mut m, &framed(b"hi")), HvStatus::SUCCESS);
    assert_eq!(retrieve(&mut m, 4088, 0), HvStatus::SUCCESS);
    let frame = retrieved(&mut m, 46);
    let parsed = udp::parse(&frame).unwrap();
    assert_eq!((parsed.payload, parsed.dst.ip), (&b"defg"[..], GUEST.ip));
    // A datagram too long for the page: truncated to 4054 bytes, and what would run past the output page
    // is counted, not written.
    m.deliver(&[9u8; 5000]);
    assert_eq!(retrieve(&mut m, 16, 0), HvStatus::SUCCESS);
    assert_eq!(head(&mut m)[0], 4096);
    assert_eq!(m.bytes_past_output_page(), 8);
}

#[test]
fn qemu_retrieve_remaining_wraps_and_no_data_writes_output() {
    let mut m = Model::of(Host::QemuKvm);
    m.deliver(b"abc");
    assert_eq!(retrieve(&mut m, 1, 0), HvStatus::SUCCESS);
    assert_eq!(head(&mut m), [45, 1u32.wrapping_sub(45)]);
    assert_eq!(retrieve(&mut m, 77, 0), HvStatus::NO_DATA);
    assert_eq!(head(&mut m), [0, 77]);
}

#[test]
fn qemu_retrieve_options_ignored() {
    let mut m = Model::of(Host::QemuKvm);
    assert_eq!(retrieve(&mut m, 8, 0x1), HvStatus::NO_DATA, "LOOP: no wait");
    assert_eq!(
        retrieve(&mut m, 8, 0x2),
        HvStatus::NO_DATA,
        "TEST_ACTIVITY: no INACTIVE"
    );
    m.deliver(b"x");
    assert_eq!(retrieve(&mut m, 8, 0xFF00), HvStatus::SUCCESS, "unknown options");
}

#[test]
fn qemu_reset_output() {
    let mut m = Model::of(Host::QemuKvm);
    m.deliver(b"kept");
    // The fast form too writes 24 bytes at R8; R8 0 is not RAM here.
    assert_eq!(call(&mut m, RESET | FAST, 1, 0), HvStatus::INSUFFICIENT_MEMORY);
    assert_eq!(
        call(&mut m, RESET | FAST, 0, OUTPUT_PAGE),
        HvStatus::SUCCESS,
        "options never read"
    );
    let mut out = [0u8; 24];
    m.read(OUTPUT_PAGE, &mut out);
    assert_eq!(out[..4], u32::from_be_bytes([127, 0, 0, 1]).to_le_bytes(), "host IP");
    assert_eq!(out[8..12], [0x50, 0xC3, 0x50, 0xC3], "host port 50000, twice");
    assert_eq!(out[12..], [0; 12], "MACs zero");
    // Nothing purged: the datagram is still there; and never NO_DATA.
    assert_eq!(retrieve(&mut m, 8, 0), HvStatus::SUCCESS);
    assert_eq!(call(&mut m, RESET | FAST, 3, OUTPUT_PAGE), HvStatus::SUCCESS);
}

// VirtualBox (Host::VirtualBox).

#[test]
fn vbox_no_input_checks() {
    let mut m = Model::of(Host::VirtualBox);
    let frame = framed_port_0(b"x");
    m.write(INPUT_PAGE, &(frame.len() as u32).to_le_bytes());
    m.write(INPUT_PAGE + 8, &frame);
    let anything = POST | 1 << 31 | 1 << 44 | 5 << 32 | 3 << 17;
    assert_eq!(call(&mut m, anything, INPUT_PAGE, OUTPUT_PAGE), HvStatus::SUCCESS);
}

#[test]
fn vbox_access_denied_and_no_channel_check() {
    let mut m = Model::of(Host::VirtualBox);
    m.set_channel_id(DebugChannelId(0));
    assert_eq!(
        post(&mut m, &framed_port_0(b"x")),
        HvStatus::SUCCESS,
        "no OPERATION_DENIED"
    );
    m.set_debugging(false);
    assert_eq!(post(&mut m, &framed_port_0(b"x")), HvStatus::ACCESS_DENIED);
    let mut m = Model::of(Host::VirtualBox);
    m.set_privileges(PartitionPrivileges::empty());
    assert_eq!(
        call(&mut m, POST, 0x10_0000, OUTPUT_PAGE),
        HvStatus::ACCESS_DENIED,
        "before the pages"
    );
}

#[test]
fn vbox_fast_ignored() {
    let mut m = Model::of(Host::VirtualBox);
    let frame = framed_port_0(b"fast");
    m.write(INPUT_PAGE, &(frame.len() as u32).to_le_bytes());
    m.write(INPUT_PAGE + 8, &frame);
    assert_eq!(call(&mut m, POST | FAST, INPUT_PAGE, OUTPUT_PAGE), HvStatus::SUCCESS);
    assert_eq!(received(&mut m), b"fast");
}

#[test]
fn vbox_parameter_pages() {
    let mut m = Model::of(Host::VirtualBox);
    assert_eq!(
        call(&mut m, RETRIEVE, INPUT_PAGE + 4, OUTPUT_PAGE),
        HvStatus::INVALID_ALIGNMENT
    );
    assert_eq!(
        call(&mut m, RETRIEVE, 0x10_0000, OUTPUT_PAGE),
        HvStatus::INVALID_PARAMETER
    );
    // 4 KiB read from the GPA: from the input page into the output page is RAM, from the output page on
    // it is not (VirtualBox fails that VMCALL without a status; the profile says INVALID_PARAMETER).
    assert_eq!(
        call(&mut m, RETRIEVE, INPUT_PAGE + 8, OUTPUT_PAGE),
        HvStatus::SUCCESS,
        "Count 0 there"
    );
    assert_eq!(
        call(&mut m, RETRIEVE, OUTPUT_PAGE + 8, OUTPUT_PAGE),
        HvStatus::INVALID_PARAMETER
    );
    // The output GPA gets the same 4 KiB read.
    assert_eq!(
        call(&mut m, RETRIEVE, INPUT_PAGE, OUTPUT_PAGE + 8),
        HvStatus::INVALID_PARAMETER
    );
    assert_eq!(
        call(&mut m, RETRIEVE, INPUT_PAGE, OUTPUT_PAGE + 4),
        HvStatus::INVALID_ALIGNMENT
    );
}

#[test]
fn vbox_post_writes_at_once() {
    let mut m = Model::of(Host::VirtualBox);
    assert_eq!(post(&mut m, b""), HvStatus::SUCCESS, "Count 0");
    m.write(OUTPUT_PAGE, &[0xAB; 8]);
    assert_eq!(
        post_at(&mut m, INPUT_PAGE, &framed_port_0(b"opts"), u32::MAX),
        HvStatus::SUCCESS
    );
    assert_eq!(
        head(&mut m),
        [0, 0xABAB_ABAB],
        "PendingCount 0, the padding as the guest left it"
    );
    let chunk = framed_port_0(&[5u8; 4000]);
    assert_eq!(post(&mut m, &chunk), HvStatus::SUCCESS);
    // The stream is full: INSUFFICIENT_BUFFER (0x33), and PendingCount keeps its old value.
    assert_eq!(post(&mut m, &chunk), HvStatus::SUCCESS);
    m.write(OUTPUT_PAGE, &[0xAB; 8]);
    assert_eq!(post(&mut m, &chunk), HvStatus::INSUFFICIENT_BUFFER);
    assert_eq!(head(&mut m), [0xABAB_ABAB; 2]);
}

#[test]
fn vbox_udp_frames() {
    let mut m = Model::of(Host::VirtualBox);
    assert_eq!(post(&mut m, b"not a frame"), HvStatus::SUCCESS, "reported as written");
    assert_eq!(
        post(&mut m, &framed(b"ports")),
        HvStatus::SUCCESS,
        "a UDP frame not on port 0"
    );
    assert_eq!(received(&mut m), b"", "neither sent");
    assert_eq!(post(&mut m, &framed_port_0(b"sent")), HvStatus::SUCCESS);
    assert_eq!(received(&mut m), b"sent");
    m.deliver(b"back");
    assert_eq!(retrieve(&mut m, 4088, 0), HvStatus::SUCCESS);
    let frame = retrieved(&mut m, 46);
    let parsed = udp::parse(&frame).unwrap();
    assert_eq!((parsed.payload, parsed.src.ip), (&b"back"[..], [0; 4]));
}

#[test]
fn vbox_retrieve_output_always() {
    let mut m = Model::of(Host::VirtualBox);
    assert_eq!(retrieve(&mut m, 4089, 0), HvStatus::INVALID_PARAMETER);
    assert_eq!(head(&mut m), [0, 4089]);
    // Count is checked before TEST_ACTIVITY.
    assert_eq!(retrieve(&mut m, 4089, 0x2), HvStatus::INVALID_PARAMETER);
    assert_eq!(retrieve(&mut m, 12, 0), HvStatus::NO_DATA);
    assert_eq!(head(&mut m), [0, 12]);
}

#[test]
fn vbox_retrieve_one_chunk() {
    let mut m = Model::of(Host::VirtualBox);
    m.deliver(b"abc");
    assert_eq!(retrieve(&mut m, 0, 0), HvStatus::SUCCESS);
    assert_eq!(head(&mut m), [0, 0], "Count 0");
    assert_eq!(retrieve(&mut m, 1, 0), HvStatus::SUCCESS);
    assert_eq!(
        head(&mut m),
        [45, 1u32.wrapping_sub(45)],
        "the whole chunk, Count 1 or not"
    );
    // A chunk is at most a page; one whose frame does not fit the page is lost, with NO_DATA.
    m.deliver(&[1u8; 5000]);
    assert_eq!(retrieve(&mut m, 8, 0), HvStatus::NO_DATA);
    assert_eq!(head(&mut m), [4096, 8]);
    assert_eq!(retrieve(&mut m, 8, 0), HvStatus::SUCCESS, "the rest, the next chunk");
    assert_eq!(head(&mut m)[0], 42 + 904);
}

#[test]
fn vbox_test_activity_success() {
    let mut m = Model::of(Host::VirtualBox);
    m.deliver(b"abc");
    assert_eq!(retrieve(&mut m, 9, 0x2), HvStatus::SUCCESS);
    assert_eq!(head(&mut m), [0, 9]);
    assert_eq!(retrieve(&mut m, 9, 0), HvStatus::SUCCESS, "nothing was read");
    assert_eq!(head(&mut m)[0], 45);
}

#[test]
fn vbox_no_loop_wait() {
    let mut m = Model::of(Host::VirtualBox);
    assert_eq!(retrieve(&mut m, 8, 0x1), HvStatus::NO_DATA);
    m.deliver(b"x");
    assert_eq!(retrieve(&mut m, 8, 0xFF00), HvStatus::SUCCESS, "unknown options");
}

#[test]
fn vbox_reset_purges_nothing() {
    let mut m = Model::of(Host::VirtualBox);
    m.deliver(b"kept");
    assert_eq!(call(&mut m, RESET | FAST, 0, 0), HvStatus::INVALID_PARAMETER);
    assert_eq!(
        call(&mut m, RESET | FAST, 1 << 40, 0),
        HvStatus::INVALID_PARAMETER,
        "32-bit options"
    );
    assert_eq!(
        call(&mut m, RESET | FAST, 0x80, 0),
        HvStatus::SUCCESS,
        "unknown flags too"
    );
    m.write(INPUT_PAGE, &(1u64 << 32).to_le_bytes());
    assert_eq!(
        call(&mut m, RESET, INPUT_PAGE, 0),
        HvStatus::INVALID_PARAMETER,
        "the input's first 4 bytes"
    );
    assert_eq!(retrieve(&mut m, 8, 0), HvStatus::SUCCESS, "nothing purged");
    assert_eq!(call(&mut m, RESET | FAST, 3, 0), HvStatus::SUCCESS, "never NO_DATA");
}

#[test]
fn every_rule_has_a_test_here() {
    let source = include_str!("hosts.rs");
    for host in Host::ALL {
        for rule in host.rules() {
            let test = format!("fn {}", rule.name.replace('.', "_"));
            assert!(
                source.contains(&test),
                "no test for {} (a fn starting `{test}`)",
                rule.name
            );
        }
    }
}
