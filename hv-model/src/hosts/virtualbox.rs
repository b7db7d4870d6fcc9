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
    behaviour: "a parameter GPA must be 8-byte aligned (INVALID_ALIGNMENT); 4 KiB are read from it, across pages, and a range that is not RAM is INVALID_PARAMETER; data crossing the input page is not refused",
    source: "GIMAllHv.cpp:87-112",
};
const POST: Rule = Rule {
    name: "vbox.post_writes_at_once",
    behaviour: "a post's Options are ignored; Count 0 is SUCCESS; otherwise the block is written whole to the debug stream at once, PendingCount 0; a stream that cannot take it is INSUFFICIENT_BUFFER (0x33, not the reference's INSUFFICIENT_BUFFERS 0x13) and PendingCount keeps its old value",
    source: "GIMHv.cpp:2038-2064; GIMHvInternal.h (GIM_HV_STATUS_INSUFFICIENT_BUFFER 0x33)",
};
const FRAMES: Rule = Rule {
    name: "vbox.udp_frames",
    behaviour: "with the Hyper-V vendor, posted data is parsed as Ethernet/IPv4/UDP: the payload of a UDP frame is sent, any other frame is dropped but reported as written; retrieved data gets a rebuilt 42-byte header (not modelled: VirtualBox's own DHCP and ARP answers, and its filter on the frame's ports)",
    source: "GIMHv.cpp:1602-1800,1807-2005",
};
const OUTPUT_ON_FAILURE: Rule = Rule {
    name: "vbox.retrieve_output_always",
    behaviour: "a retrieve writes its output whatever happens: RetrievedCount 0 and RemainingCount = Count on NO_DATA and on a Count over 4088 (INVALID_PARAMETER)",
    source: "GIMHv.cpp:2118-2126,2143-2157",
};
const RETRIEVE_CHUNK: Rule = Rule {
    name: "vbox.retrieve_one_chunk",
    behaviour: "a retrieve takes one whole buffered chunk, not limited by Count (what would run past the output page is counted, not written); Count 0 is SUCCESS with 0/0; RemainingCount is Count - RetrievedCount (wrapping)",
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
    behaviour: "a reset with Options 0 is INVALID_PARAMETER; any other value (unknown flags too) is SUCCESS, with nothing purged, never NO_DATA, and no output; the fast form reads all of RDX",
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
pub(super) const DIVERGENCES: &[(&str, &str)] = &[
    ("input_value_checked", FAST_IGNORED.name),
    ("parameter_alignment", PARAMETERS.name),
    ("access_check_order", ACCESS.name),
    ("post_success", POST.name),
    ("post_options", POST.name),
    ("post_all_or_nothing", FRAMES.name),
    ("retrieve_success", RETRIEVE_CHUNK.name),
    ("retrieve_remaining_count", RETRIEVE_CHUNK.name),
    ("retrieve_test_activity", TEST_ACTIVITY.name),
    ("test_activity_before_parameters", TEST_ACTIVITY.name),
    ("retrieve_loop_waits", NO_WAIT.name),
    ("reset_purges", RESET.name),
    ("reset_purges_only_what_it_names", RESET.name),
    ("reset_nothing_to_purge", RESET.name),
    ("reset_validates_options", RESET.name),
    ("accounting_balances", FRAMES.name),
    ("failed_call_changes_nothing", OUTPUT_ON_FAILURE.name),
];

/// VirtualBox's debugger end as its rebuilt frames name it.
pub(crate) const HOST: frame::Endpoint = frame::Endpoint {
    mac: [0; 6],
    ip: [10, 0, 5, 2],
    port: 50000,
};

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

/// The output block: 8-byte aligned, RAM.
fn output_block<M: GuestMemoryAccess + ?Sized>(memory: &M, gpa: u64) -> Result<(), HvStatus> {
    if gpa % 8 != 0 {
        return Err(HvStatus::INVALID_ALIGNMENT);
    }
    if span::mapped(memory, gpa, 8) {
        Ok(())
    } else {
        Err(HvStatus::INVALID_PARAMETER)
    }
}

/// The 4 KiB of a memory-form call's input and its checked output block.
fn blocks<M: GuestMemoryAccess + ?Sized>(
    memory: &M,
    input: u64,
    output: u64,
) -> Result<[u8; PAGE_SIZE as usize], HvStatus> {
    let mut page = [0u8; PAGE_SIZE as usize];
    parameters(memory, input, &mut page)?;
    output_block(memory, output)?;
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
        if let Some(payload) = frame::payload(&page[8..8 + count]) {
            if !channel.send_datagram(payload) {
                return HvStatus::INSUFFICIENT_BUFFER;
            }
        }
    }
    let _ = span::write(memory, output, [0u32, 0u32].as_bytes());
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
    if options.contains(DebugRetrieveOptions::RETRIEVE_TEST_ACTIVITY) {
        head(memory, 0, count);
        return HvStatus::SUCCESS;
    }
    if count as usize > HV_DEBUG_MAXIMUM_DATA_SIZE {
        head(memory, 0, count);
        return HvStatus::INVALID_PARAMETER;
    }
    if count == 0 {
        head(memory, 0, 0);
        return HvStatus::SUCCESS;
    }
    let mut payload = [0u8; 2 * PAGE_SIZE as usize];
    let Some(n) = channel.receive_datagram(&mut payload) else {
        head(memory, 0, count);
        return HvStatus::NO_DATA;
    };
    let mut chunk = [0u8; 2 * PAGE_SIZE as usize + frame::HEADER_LEN];
    let retrieved = frame::to_guest(&HOST, &payload[..n], &mut chunk).unwrap_or(0);
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
    let options = if fast {
        rdx
    } else {
        let mut page = [0u8; PAGE_SIZE as usize];
        if let Err(status) = parameters(memory, rdx, &mut page) {
            return status;
        }
        u64::from_le_bytes([page[0], page[1], page[2], page[3], page[4], page[5], page[6], page[7]])
    };
    if options == 0 {
        HvStatus::INVALID_PARAMETER
    } else {
        HvStatus::SUCCESS
    }
}
