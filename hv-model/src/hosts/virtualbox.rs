//! VirtualBox's GIM Hyper-V provider (`GIMAllHv.cpp` r99208, `GIMHv.cpp` r98103, `GIMHvInternal.h`). The calls
//! are handled in ring 3 and their data goes to a GIM debug stream; with the vendor "Microsoft Hv" (without
//! it the partition has no Debugging flag and every debug call is ACCESS_DENIED) VirtualBox does the
//! Ethernet/UDP framing itself.

use hv_abi::debug::{DebugRetrieveOptions, HV_DEBUG_MAXIMUM_DATA_SIZE};
use hv_abi::{CallCode, HvStatus, HypercallInput, PartitionPrivileges};
use hv_x64::HypercallRegisters;
use zerocopy::IntoBytes;

use super::{Rule, frame, span};
use crate::channel::DebugChannel;
use crate::debug_calls::DebugAccess;
use crate::memory::{GuestMemoryAccess, PAGE_SIZE};

const NO_INPUT_CHECKS: Rule = Rule {
    name: "vbox.no_input_checks",
    behaviour: "reserved bits, the nested bit, a rep count, start index or variable header are never refused: the reserved-bit macros shift left into 0, so the check is dead code",
    source: "GIMHvInternal.h:630-639; GIMAllHv.cpp:199-200,394-395",
};
const ACCESS: Rule = Rule {
    name: "vbox.access_denied",
    behaviour: "debugging off or the Debugging privilege clear is ACCESS_DENIED (the partition flag), before the parameters; the channel id is not consulted, so never OPERATION_DENIED",
    source: "GIMAllHv.cpp:217-233,236-252,255-290; GIMHv.cpp:316-322",
};
const FAST_IGNORED: Rule = Rule {
    name: "vbox.fast_ignored",
    behaviour: "the fast bit of a post or retrieve is ignored: RDX and R8 are read as GPAs",
    source: "GIMAllHv.cpp:216-252",
};
const PARAMETERS: Rule = Rule {
    name: "vbox.parameter_pages",
    behaviour: "a parameter GPA, input or output, must be 8-byte aligned (INVALID_ALIGNMENT) and normal RAM (INVALID_PARAMETER); 4 KiB are read from it, across pages, and data crossing the input page is not refused (a read that runs into non-RAM fails the VMCALL without a status, which the profile also answers INVALID_PARAMETER)",
    source: "GIMAllHv.cpp:87-112",
};
const POST: Rule = Rule {
    name: "vbox.post_writes_at_once",
    behaviour: "a post's Options are ignored; Count 0 is SUCCESS; otherwise the block is written whole to the debug stream at once, PendingCount 0; a stream that cannot take it is INSUFFICIENT_BUFFER (0x33, not the reference's INSUFFICIENT_BUFFERS 0x13) and PendingCount keeps its old value",
    source: "GIMHv.cpp:2038-2064; GIMHvInternal.h (GIM_HV_STATUS_INSUFFICIENT_BUFFER 0x33)",
};
const FRAMES: Rule = Rule {
    name: "vbox.udp_frames",
    behaviour: "with the Hyper-V vendor, posted data is parsed as Ethernet/IPv4/UDP and only the payload of a frame whose UDP ports are both 0 is sent; any other frame is dropped but reported as written; retrieved data gets a rebuilt 42-byte header from IP 0 (not modelled: the DHCP and ARP answers VirtualBox gives itself)",
    source: "GIMHv.cpp:1602-1800,1807-2005",
};
const OUTPUT_ON_FAILURE: Rule = Rule {
    name: "vbox.retrieve_output_always",
    behaviour: "a retrieve writes its output whatever happens: RetrievedCount 0 and RemainingCount = Count on NO_DATA and on a Count over 4088 (INVALID_PARAMETER, checked before TEST_ACTIVITY)",
    source: "GIMHv.cpp:2118-2126,2143-2157",
};
const RETRIEVE_CHUNK: Rule = Rule {
    name: "vbox.retrieve_one_chunk",
    behaviour: "a retrieve takes one buffered chunk of at most a page, not limited by Count (what would run past the output page is counted, not written); a chunk whose rebuilt frame overflows the receive buffer (over 4054 bytes) is lost: NO_DATA with its length as RetrievedCount; Count 0 is SUCCESS with 0/0; RemainingCount is Count - RetrievedCount (wrapping)",
    source: "GIM.cpp:493-515; GIMHv.cpp:2129-2139",
};
const TEST_ACTIVITY: Rule = Rule {
    name: "vbox.test_activity_success",
    behaviour: "TEST_ACTIVITY is always SUCCESS with 0 bytes and RemainingCount = Count, without reading",
    source: "GIMHv.cpp:2127-2128",
};
const NO_WAIT: Rule = Rule {
    name: "vbox.no_loop_wait",
    behaviour: "RETRIEVE_LOOP and Timeout are ignored: NO_DATA at once; unknown retrieve options are ignored",
    source: "GIMHv.cpp:1605,2107,2120-2124",
};
const RESET: Rule = Rule {
    name: "vbox.reset_purges_nothing",
    behaviour: "a reset with Options 0 is INVALID_PARAMETER; any other value (unknown flags too) is SUCCESS, with nothing purged, never NO_DATA, and no output; the options are 32 bits (EDX's low half, or the input's first 4 bytes)",
    source: "GIMAllHv.cpp:255-290",
};

/// VirtualBox's rules.
pub(super) const RULES: &[Rule] = &[
    NO_INPUT_CHECKS,
    ACCESS,
    FAST_IGNORED,
    PARAMETERS,
    POST,
    FRAMES,
    OUTPUT_ON_FAILURE,
    RETRIEVE_CHUNK,
    TEST_ACTIVITY,
    NO_WAIT,
    RESET,
];

/// Where VirtualBox departs from the reference, case by case.
pub(super) const DIVERGENCES: &[super::Divergence] = &[
    (
        "input_value_checked",
        FAST_IGNORED.name,
        "fast post: expected HV_STATUS_INVALID_HYPERCALL_INPUT, got HV_STATUS_INVALID_PARAMETER",
    ),
    (
        "parameter_alignment",
        PARAMETERS.name,
        "unmapped input: expected HV_STATUS_INVALID_ALIGNMENT, got HV_STATUS_INVALID_PARAMETER",
    ),
    ("access_check_order", ACCESS.name, "got HV_STATUS_ACCESS_DENIED"),
    ("post_success", POST.name, "PendingCount: expected 11, got 0"),
    (
        "post_options",
        POST.name,
        "option 0x2: expected HV_STATUS_INVALID_PARAMETER, got HV_STATUS_SUCCESS",
    ),
    (
        "post_all_or_nothing",
        FRAMES.name,
        "no room: expected HV_STATUS_INSUFFICIENT_BUFFERS, got HV_STATUS_SUCCESS",
    ),
    (
        "retrieve_success",
        RETRIEVE_CHUNK.name,
        "RetrievedCount: expected 4, got 48",
    ),
    (
        "retrieve_remaining_count",
        RETRIEVE_CHUNK.name,
        "expected 0, got 4294967264",
    ),
    (
        "retrieve_test_activity",
        TEST_ACTIVITY.name,
        "expected HV_STATUS_INACTIVE, got HV_STATUS_SUCCESS",
    ),
    (
        "test_activity_before_parameters",
        OUTPUT_ON_FAILURE.name,
        "expected HV_STATUS_INACTIVE, got HV_STATUS_INVALID_PARAMETER",
    ),
    (
        "retrieve_loop_waits",
        NO_WAIT.name,
        "expected the VP waiting, got HV_STATUS_NO_DATA",
    ),
    (
        "reset_purges",
        RESET.name,
        "nothing to retrieve: expected HV_STATUS_NO_DATA, got HV_STATUS_SUCCESS",
    ),
    (
        "reset_purges_only_what_it_names",
        FRAMES.name,
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
        "option 0x4: expected HV_STATUS_INVALID_PARAMETER, got HV_STATUS_SUCCESS",
    ),
    (
        "accounting_balances",
        RETRIEVE_CHUNK.name,
        "bytes retrieved: expected 8192, got 0",
    ),
    (
        "failed_call_changes_nothing",
        OUTPUT_ON_FAILURE.name,
        "got [00, 00, 00, 00, f9, 0f, 00, 00, ee",
    ),
];

/// VirtualBox's debugger end as its rebuilt frames name it: source IP 0, and the ports of the last post
/// swapped (both 0, the only frames it forwards).
pub(crate) const HOST: frame::Endpoint = frame::Endpoint {
    mac: [0; 6],
    ip: [0; 4],
    port: 0,
};

/// VirtualBox's receive buffer (`cbDbgRecvBuf`): one chunk is at most a page.
const CHUNK: usize = PAGE_SIZE as usize;

/// A call as VirtualBox handles it.
pub(super) fn dispatch<M: GuestMemoryAccess + ?Sized>(
    regs: HypercallRegisters,
    access: &DebugAccess,
    channel: &mut DebugChannel,
    memory: &mut M,
) -> HvStatus {
    let input = HypercallInput::from_bits(regs.rcx);
    let code = input.call_code();
    if !matches!(
        code,
        CallCode::POST_DEBUG_DATA | CallCode::RETRIEVE_DEBUG_DATA | CallCode::RESET_DEBUG_SESSION
    ) {
        return HvStatus::INVALID_HYPERCALL_CODE;
    }
    if !access.debugging_enabled || !access.privileges.contains(PartitionPrivileges::DEBUGGING) {
        return HvStatus::ACCESS_DENIED;
    }
    match code {
        CallCode::POST_DEBUG_DATA => post(regs.rdx, regs.r8, channel, memory),
        CallCode::RETRIEVE_DEBUG_DATA => retrieve(regs.rdx, regs.r8, channel, memory),
        _ => reset(input.fast(), regs.rdx, memory),
    }
}

/// The 4 KiB VirtualBox reads from a parameter GPA.
fn parameters<M: GuestMemoryAccess + ?Sized>(
    memory: &M,
    gpa: u64,
    page: &mut [u8; PAGE_SIZE as usize],
) -> Result<(), HvStatus> {
    if gpa % 8 != 0 {
        return Err(HvStatus::INVALID_ALIGNMENT);
    }
    if span::read(memory, gpa, page) {
        Ok(())
    } else {
        Err(HvStatus::INVALID_PARAMETER)
    }
}

/// The 4 KiB VirtualBox reads from a memory-form call's input GPA, after the 4 KiB it reads from its
/// output GPA (only the input's first bytes matter here).
fn blocks<M: GuestMemoryAccess + ?Sized>(
    memory: &M,
    input: u64,
    output: u64,
) -> Result<[u8; PAGE_SIZE as usize], HvStatus> {
    let mut page = [0u8; PAGE_SIZE as usize];
    parameters(memory, input, &mut page)?;
    parameters(memory, output, &mut [0u8; PAGE_SIZE as usize])?;
    Ok(page)
}

fn post<M: GuestMemoryAccess + ?Sized>(
    input: u64,
    output: u64,
    channel: &mut DebugChannel,
    memory: &mut M,
) -> HvStatus {
    let page = match blocks(memory, input, output) {
        Ok(page) => page,
        Err(status) => return status,
    };
    let count = u32::from_le_bytes([page[0], page[1], page[2], page[3]]) as usize;
    if count > HV_DEBUG_MAXIMUM_DATA_SIZE {
        return HvStatus::INVALID_PARAMETER;
    }
    if count > 0 {
        if let Some(payload) = frame::virtualbox_payload(&page[8..8 + count]) {
            if !channel.send_datagram(payload) {
                return HvStatus::INSUFFICIENT_BUFFER;
            }
        }
    }
    // PendingCount 0; the padding after it is written back as the guest left it.
    let _ = span::write(memory, output, 0u32.as_bytes());
    HvStatus::SUCCESS
}

fn retrieve<M: GuestMemoryAccess + ?Sized>(
    input: u64,
    output: u64,
    channel: &mut DebugChannel,
    memory: &mut M,
) -> HvStatus {
    let page = match blocks(memory, input, output) {
        Ok(page) => page,
        Err(status) => return status,
    };
    let count = u32::from_le_bytes([page[0], page[1], page[2], page[3]]);
    let options = DebugRetrieveOptions::from_bits_retain(u32::from_le_bytes([page[4], page[5], page[6], page[7]]));
    let head = |memory: &mut M, retrieved: u32, remaining: u32| {
        let _ = span::write(memory, output, [retrieved, remaining].as_bytes());
    };
    if count as usize > HV_DEBUG_MAXIMUM_DATA_SIZE {
        head(memory, 0, count);
        return HvStatus::INVALID_PARAMETER;
    }
    if options.contains(DebugRetrieveOptions::RETRIEVE_TEST_ACTIVITY) {
        head(memory, 0, count);
        return HvStatus::SUCCESS;
    }
    if count == 0 {
        head(memory, 0, 0);
        return HvStatus::SUCCESS;
    }
    let mut payload = [0u8; CHUNK];
    let Some(n) = channel.receive_chunk(&mut payload) else {
        head(memory, 0, count);
        return HvStatus::NO_DATA;
    };
    // The chunk and its rebuilt header must fit the receive buffer; otherwise the chunk is lost, its
    // length written as RetrievedCount, and the call says NO_DATA.
    let mut chunk = [0u8; CHUNK];
    let Some(retrieved) = frame::to_guest(&HOST, channel.peer, &payload[..n], &mut chunk) else {
        head(memory, n as u32, count);
        return HvStatus::NO_DATA;
    };
    if let Some(past) = output
        .checked_add(8)
        .and_then(|at| span::write_in_page(memory, at, &chunk[..retrieved]))
    {
        channel.past_output_page += past as u64;
    }
    head(memory, retrieved as u32, count.wrapping_sub(retrieved as u32));
    HvStatus::SUCCESS
}

fn reset<M: GuestMemoryAccess + ?Sized>(fast: bool, rdx: u64, memory: &M) -> HvStatus {
    // `GIMHVDEBUGRESETIN { uint32_t fFlags; uint32_t uPadding; }`: the options are 32 bits.
    let options = if fast {
        rdx as u32
    } else {
        let mut page = [0u8; PAGE_SIZE as usize];
        if let Err(status) = parameters(memory, rdx, &mut page) {
            return status;
        }
        u32::from_le_bytes([page[0], page[1], page[2], page[3]])
    };
    if options == 0 {
        HvStatus::INVALID_PARAMETER
    } else {
        HvStatus::SUCCESS
    }
}
