//! QEMU's `hv-syndbg` device behind KVM's front end (QEMU 06b40d25: `hw/hyperv/hyperv.c` for the
//! hypercalls, `hw/hyperv/syndbg.c` for the device). The device is a connected, non-blocking UDP socket to
//! the debugger: it has no buffers of its own, so a post is one `sendto` and a retrieve one `recv` of one
//! datagram, and the hypercall path carries raw Ethernet/IPv4/UDP frames (`is_raw`).

use hv_abi::debug::HV_DEBUG_MAXIMUM_DATA_SIZE;
use hv_abi::{CallCode, HvStatus, HypercallInput};
use hv_x64::HypercallRegisters;
use zerocopy::IntoBytes;

use super::{Rule, frame, kvm, span};
use crate::channel::DebugChannel;
use crate::memory::{GuestMemoryAccess, PAGE_SIZE};

const NO_GATE: Rule = Rule {
    name: "qemu.no_privilege_check",
    behaviour: "the device checks no privilege and no channel id: only KVM's front end checks the Debugging privilege, and only under ENFORCE_CPUID, so a partition without it is served",
    source: "hw/hyperv/hyperv.c:747-895 (no check); hyperv.c:2488-2496 (KVM's, ENFORCE_CPUID only)",
};
const UNMAPPED: Rule = Rule {
    name: "qemu.insufficient_memory",
    behaviour: "a parameter block is mapped wherever it lies, with no alignment check; one that is not all guest RAM is INSUFFICIENT_MEMORY (the reference: INVALID_ALIGNMENT)",
    source: "hw/hyperv/hyperv.c:805-816,862-880",
};
const POST_COUNT: Rule = Rule {
    name: "qemu.post_count",
    behaviour: "a post's Count over 4088 is INVALID_PARAMETER; data crossing the input page is read on from the next page; Count 0 is INSUFFICIENT_MEMORY (a map of no bytes fails)",
    source: "hw/hyperv/hyperv.c:869-872; system/physmem.c:3406-3408; hw/hyperv/syndbg.c:112-115",
};
const POST_OPTIONS: Rule = Rule {
    name: "qemu.post_options_ignored",
    behaviour: "a post's Options are never read",
    source: "hw/hyperv/hyperv.c:845-895",
};
const POST_FRAME: Rule = Rule {
    name: "qemu.post_needs_udp_frame",
    behaviour: "posted data must be an Ethernet/IPv4/UDP frame (EtherType and protocol checked, nothing else): the headers are stripped and the UDP payload sent; anything else is dropped with SUCCESS (QEMU's PendingCount then comes from an uninitialised stack variable; the profile reports 0); PendingCount is the whole 4-byte output",
    source: "hw/hyperv/syndbg.c:71-98,100-141; hw/hyperv/hyperv.c:856,885",
};
const POST_SENDS: Rule = Rule {
    name: "qemu.post_sends_at_once",
    behaviour: "a post is one sendto: nothing is buffered, PendingCount is 0 and the status SUCCESS; a datagram the host cannot take is INSUFFICIENT_MEMORY",
    source: "hw/hyperv/syndbg.c:126-133; hw/hyperv/hyperv.c:891-893",
};
const RETRIEVE_DATAGRAM: Rule = Rule {
    name: "qemu.retrieve_one_datagram",
    behaviour: "a retrieve takes one whole datagram (up to 4054 bytes; a longer one is truncated) and writes it after a rebuilt 42-byte Ethernet/IPv4/UDP header, addressed to the sender of the last posted frame (0.0.0.0 before one) at the host's port, whatever Count says; what would run past the output page is counted, not written; a data area that is not RAM is INSUFFICIENT_MEMORY with the datagram gone",
    source: "hw/hyperv/syndbg.c:192-205,219-239; hw/hyperv/hyperv.c:820",
};
const RETRIEVE_REMAINING: Rule = Rule {
    name: "qemu.retrieve_remaining",
    behaviour: "RemainingCount is Count - RetrievedCount in u32 arithmetic (it wraps); NO_DATA writes RetrievedCount 0 and RemainingCount = Count",
    source: "hw/hyperv/hyperv.c:825-835",
};
const RETRIEVE_OPTIONS: Rule = Rule {
    name: "qemu.retrieve_options_ignored",
    behaviour: "a retrieve's Options and Timeout are ignored: no LOOP wait (NO_DATA at once), no TEST_ACTIVITY, no option check",
    source: "hw/hyperv/syndbg.c:197-199",
};
const RESET: Rule = Rule {
    name: "qemu.reset_output",
    behaviour: "a reset reads no input, purges nothing and never says NO_DATA: it writes a 24-byte output (host IP and port, as target too, MACs zero) at R8, in the fast form as well; an R8 that is not RAM is INSUFFICIENT_MEMORY",
    source: "target/i386/kvm/hyperv.c:108-110; hw/hyperv/hyperv.c:747-787; hyperv-proto.h:158-165",
};

/// KVM's front end, then QEMU's device.
pub(super) const RULES: &[Rule] = &[
    kvm::ENFORCE_CPUID,
    kvm::RESERVED_BITS,
    kvm::FAST_POST_RETRIEVE,
    kvm::DEBUGGER_OFF,
    kvm::USE_HCALLS,
    NO_GATE,
    UNMAPPED,
    POST_COUNT,
    POST_OPTIONS,
    POST_FRAME,
    POST_SENDS,
    RETRIEVE_DATAGRAM,
    RETRIEVE_REMAINING,
    RETRIEVE_OPTIONS,
    RESET,
];

/// Where QEMU under KVM departs from the reference, case by case.
pub(super) const DIVERGENCES: &[super::Divergence] = &[
    (
        "input_value_checked",
        kvm::FAST_POST_RETRIEVE.name,
        "got HV_STATUS_INVALID_PARAMETER",
    ),
    (
        "parameter_alignment",
        UNMAPPED.name,
        "input at +4: expected HV_STATUS_INVALID_ALIGNMENT, got HV_STATUS_NO_DATA",
    ),
    (
        "gate_before_parameter_pages",
        NO_GATE.name,
        "expected HV_STATUS_ACCESS_DENIED, got HV_STATUS_NO_DATA",
    ),
    (
        "access_check_order",
        kvm::DEBUGGER_OFF.name,
        "got HV_STATUS_INVALID_HYPERCALL_CODE",
    ),
    ("post_success", POST_FRAME.name, "PendingCount: expected 11, got 0"),
    (
        "post_count_limits",
        POST_COUNT.name,
        "Count 0: expected HV_STATUS_SUCCESS, got HV_STATUS_INSUFFICIENT_MEMORY",
    ),
    (
        "post_options",
        POST_OPTIONS.name,
        "option 0x2: expected HV_STATUS_INVALID_PARAMETER, got HV_STATUS_SUCCESS",
    ),
    (
        "post_all_or_nothing",
        POST_FRAME.name,
        "no room: expected HV_STATUS_INSUFFICIENT_BUFFERS, got HV_STATUS_SUCCESS",
    ),
    (
        "retrieve_success",
        RETRIEVE_DATAGRAM.name,
        "RetrievedCount: expected 4, got 48",
    ),
    (
        "retrieve_remaining_count",
        RETRIEVE_REMAINING.name,
        "expected 0, got 4294967264",
    ),
    (
        "retrieve_test_activity",
        RETRIEVE_OPTIONS.name,
        "expected HV_STATUS_INACTIVE, got HV_STATUS_NO_DATA",
    ),
    (
        "test_activity_before_parameters",
        RETRIEVE_OPTIONS.name,
        "expected HV_STATUS_INACTIVE, got HV_STATUS_NO_DATA",
    ),
    (
        "retrieve_loop_waits",
        RETRIEVE_OPTIONS.name,
        "expected the VP waiting, got HV_STATUS_NO_DATA",
    ),
    (
        "reset_purges",
        RESET.name,
        "nothing to retrieve: expected HV_STATUS_NO_DATA, got HV_STATUS_SUCCESS",
    ),
    (
        "reset_purges_only_what_it_names",
        POST_FRAME.name,
        "outgoing kept: expected [6b, 65, 65, 70], got []",
    ),
    (
        "reset_nothing_to_purge",
        RESET.name,
        "expected HV_STATUS_NO_DATA, got HV_STATUS_SUCCESS",
    ),
    (
        "reset_validates_options",
        RESET.name,
        "expected HV_STATUS_INVALID_PARAMETER, got HV_STATUS_SUCCESS",
    ),
    (
        "reset_writes_no_output",
        RESET.name,
        "got [01, 00, 00, 7f, 01, 00, 00, 7f, 50, c3, 50, c3",
    ),
    ("accounting_balances", RETRIEVE_DATAGRAM.name, "expected 8192, got 4238"),
    (
        "failed_call_changes_nothing",
        RETRIEVE_DATAGRAM.name,
        "Count 4089: expected HV_STATUS_INVALID_PARAMETER, got HV_STATUS_SUCCESS",
    ),
];

/// The debugger's address as the device knows it (its `host_ip` and `host_port` properties; 50000 is
/// QEMU's default port): the source of every rebuilt frame and the reset output.
pub(crate) const HOST: frame::Endpoint = frame::Endpoint {
    mac: [0; 6],
    ip: [127, 0, 0, 1],
    port: 50000,
};

/// The largest payload the device receives into one retrieve: the output page after its 8-byte header
/// and the 42 rebuilt header bytes.
const MAX_RECEIVED: usize = PAGE_SIZE as usize - frame::HEADER_LEN;

/// The device's answer to a call KVM passed on.
pub(super) fn device<M: GuestMemoryAccess + ?Sized>(
    regs: HypercallRegisters,
    channel: &mut DebugChannel,
    memory: &mut M,
) -> HvStatus {
    match HypercallInput::from_bits(regs.rcx).call_code() {
        CallCode::POST_DEBUG_DATA => post(regs.rdx, regs.r8, channel, memory),
        CallCode::RETRIEVE_DEBUG_DATA => retrieve(regs.rdx, regs.r8, channel, memory),
        CallCode::RESET_DEBUG_SESSION => reset(regs.r8, memory),
        _ => HvStatus::INVALID_HYPERCALL_CODE,
    }
}

fn post<M: GuestMemoryAccess + ?Sized>(
    input: u64,
    output: u64,
    channel: &mut DebugChannel,
    memory: &mut M,
) -> HvStatus {
    let mut header = [0u8; 8];
    if !span::read(memory, input, &mut header) {
        return HvStatus::INSUFFICIENT_MEMORY;
    }
    let count = u32::from_le_bytes([header[0], header[1], header[2], header[3]]) as usize;
    if count > HV_DEBUG_MAXIMUM_DATA_SIZE {
        return HvStatus::INVALID_PARAMETER;
    }
    // `hyperv_post_debug_data_output` is PendingCount alone: 4 bytes.
    if !span::mapped(memory, output, 4) {
        return HvStatus::INSUFFICIENT_MEMORY;
    }
    let mut data = [0u8; HV_DEBUG_MAXIMUM_DATA_SIZE];
    let data = &mut data[..count];
    let Some(at) = input.checked_add(8) else {
        return HvStatus::INSUFFICIENT_MEMORY;
    };
    if count == 0 || !span::read(memory, at, data) {
        return HvStatus::INSUFFICIENT_MEMORY;
    }
    if let Some((peer, payload)) = frame::qemu_payload(data) {
        if !channel.send_datagram(payload) {
            return HvStatus::INSUFFICIENT_MEMORY;
        }
        // The device answers the last sender: its rebuilt frames go there.
        channel.peer = peer;
    }
    // PendingCount = Count - (sent + 42): 0 for a sent frame, and the profile's 0 for a dropped one.
    if !span::write(memory, output, 0u32.as_bytes()) {
        return HvStatus::INSUFFICIENT_MEMORY;
    }
    HvStatus::SUCCESS
}

fn retrieve<M: GuestMemoryAccess + ?Sized>(
    input: u64,
    output: u64,
    channel: &mut DebugChannel,
    memory: &mut M,
) -> HvStatus {
    let mut block = [0u8; 16];
    if !span::read(memory, input, &mut block) {
        return HvStatus::INSUFFICIENT_MEMORY;
    }
    let count = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
    if !span::mapped(memory, output, 8) {
        return HvStatus::INSUFFICIENT_MEMORY;
    }
    let Some(at) = output.checked_add(8) else {
        return HvStatus::INSUFFICIENT_MEMORY;
    };
    let mut payload = [0u8; MAX_RECEIVED];
    let Some(n) = channel.receive_datagram(&mut payload) else {
        let _ = span::write(memory, output, [0, count].as_bytes());
        return HvStatus::NO_DATA;
    };
    let mut received = [0u8; PAGE_SIZE as usize];
    let to = frame::Peer {
        port: HOST.port,
        ..channel.peer
    };
    let retrieved = frame::to_guest(&HOST, to, &payload[..n], &mut received).unwrap_or(0);
    // The datagram is gone from the socket whether or not the page takes it.
    let Some(past) = span::write_in_page(memory, at, &received[..retrieved]) else {
        return HvStatus::INSUFFICIENT_MEMORY;
    };
    channel.past_output_page += past as u64;
    let head = [retrieved as u32, count.wrapping_sub(retrieved as u32)];
    let _ = span::write(memory, output, head.as_bytes());
    HvStatus::SUCCESS
}

/// `hyperv_reset_debug_session_output` (QEMU `hyperv-proto.h`): host IP, target IP, host port, target
/// port, host MAC, target MAC; the target is the host, the MACs zero.
fn reset<M: GuestMemoryAccess + ?Sized>(output: u64, memory: &mut M) -> HvStatus {
    let mut out = [0u8; 24];
    out[0..4].copy_from_slice(&u32::from_be_bytes(HOST.ip).to_le_bytes());
    out[4..8].copy_from_slice(&u32::from_be_bytes(HOST.ip).to_le_bytes());
    out[8..10].copy_from_slice(&HOST.port.to_le_bytes());
    out[10..12].copy_from_slice(&HOST.port.to_le_bytes());
    if !span::write(memory, output, &out) {
        return HvStatus::INSUFFICIENT_MEMORY;
    }
    HvStatus::SUCCESS
}
