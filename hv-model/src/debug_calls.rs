//! HvPostDebugData, HvRetrieveDebugData and HvResetDebugSession, as the 2013 WDK reference specifies
//! them (the chosen semantics of DESIGN.md).
//!
//! The dispatcher has already checked the input value, the fixed parameter blocks, and, in this
//! order, `FEATURE_UNAVAILABLE`, `ACCESS_DENIED` and `OPERATION_DENIED`. Each handler then checks its
//! parameters (`INVALID_PARAMETER`) before producing its own result, and writes output only on success.
//!
//! # HvPostDebugData (0x69)
//!
//! Appends `Count` bytes to the outgoing buffer, all or nothing.
//!
//! `INVALID_PARAMETER` for `Count > 4088`, data crossing the input page, or an option other than
//! `POST_LOOP`; `INSUFFICIENT_BUFFERS` (nothing posted) when the outgoing buffer lacks room for the
//! whole block. `Count = 0` is a legal probe. On success `PendingCount` is the bytes pending in the
//! outgoing buffer, these included. `POST_LOOP` is a hint the model answers at once.
//!
//! Other implementations: QEMU sends part of the block and returns `INSUFFICIENT_BUFFERS` with the
//! remainder as `PendingCount`; KVM answers the fast form with `INVALID_PARAMETER` (here
//! `INVALID_HYPERCALL_INPUT`, as for any call used in a form it does not allow).
//!
//! # HvRetrieveDebugData (0x6A)
//!
//! Moves up to `Count` bytes from the incoming buffer to the output page.
//!
//! After the parameter checks (`Count > 4088`, data crossing the output page, an option other than
//! `RETRIEVE_LOOP | RETRIEVE_TEST_ACTIVITY`): with `TEST_ACTIVITY`, `INACTIVE` when no byte arrived
//! since this partition's last retrieve attempt (every attempt that gets this far refreshes that
//! mark). With nothing pending: `RETRIEVE_LOOP` and a nonzero `Timeout` suspend the VP until data
//! arrives or the timeout passes (then `NO_DATA`); otherwise `NO_DATA`. `Count = 0` with data pending
//! is `SUCCESS` with no bytes. `RemainingCount` is the bytes still pending after the call.
//!
//! Other implementations: QEMU ignores the options and timeout and sets `RemainingCount` to
//! `Count - RetrievedCount`.
//!
//! # HvResetDebugSession (0x6B)
//!
//! Purges the selected buffers; pending data is lost.
//!
//! `INVALID_PARAMETER` for an unknown flag or for neither purge flag; `NO_DATA` when nothing was
//! purged. The `Padding` half of the input is ignored. No output.
//!
//! Other implementations: QEMU ignores the options and writes a 24-byte `HV_DEBUG_NET_DATA` output,
//! as newer Windows headers define; the 2013 reference has no output, as here.

use hv_abi::debug::{
    DebugPostOptions, DebugPurgeOptions, DebugRetrieveOptions, HV_DEBUG_MAXIMUM_DATA_SIZE, PostDebugDataInput,
    PostDebugDataOutput, ResetDebugSessionInput, RetrieveDebugDataInput, RetrieveDebugDataOutput,
};
use hv_abi::{HvResult, HvStatus};
use zerocopy::{FromBytes, IntoBytes};

use crate::channel::DebugChannel;
use crate::fail;
use crate::memory::{GuestMemory, PAGE_SIZE};

/// What a handler asks the dispatcher to do after it succeeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallResult {
    /// Finished with `HV_STATUS_SUCCESS`.
    Done,
    /// The VP waits until data arrives or the clock reaches `deadline`.
    Wait { deadline: u64 },
}

/// `INVALID_PARAMETER` when `count` exceeds 4088 or `[gpa + 8, gpa + 8 + count)` leaves `gpa`'s page.
fn check_data_area(gpa: u64, count: u32) -> HvResult<usize> {
    let count = count as usize;
    let end = gpa % PAGE_SIZE + 8 + count as u64;
    if count > HV_DEBUG_MAXIMUM_DATA_SIZE || end > PAGE_SIZE {
        return fail(HvStatus::INVALID_PARAMETER);
    }
    Ok(count)
}

fn unknown_flags_are_invalid(unknown: u32) -> HvResult<()> {
    if unknown != 0 {
        fail(HvStatus::INVALID_PARAMETER)
    } else {
        Ok(())
    }
}

/// The fixed 8 bytes of `HV_INPUT_POST_DEBUG_DATA`, `Count` and `Options`, borrowed from guest memory.
fn post_header(memory: &GuestMemory, gpa: u64) -> HvResult<(u32, DebugPostOptions)> {
    let bytes = memory.slice(gpa, PostDebugDataInput::HEADER_SIZE);
    match bytes.and_then(|b| <[u32; 2]>::ref_from_bytes(b).ok()) {
        Some(&[count, options]) => Ok((count, DebugPostOptions::from_bits_retain(options))),
        None => fail(HvStatus::INVALID_ALIGNMENT),
    }
}

/// HvPostDebugData (0x69): appends `Count` bytes to the outgoing buffer, all or nothing. See the module documentation.
pub(crate) fn post(
    memory: &mut GuestMemory,
    channel: &mut DebugChannel,
    in_gpa: u64,
    out_gpa: u64,
) -> HvResult<CallResult> {
    let (count, options) = post_header(memory, in_gpa)?;
    let count = check_data_area(in_gpa, count)?;
    unknown_flags_are_invalid(options.unknown_bits())?;
    // Header and data in one borrow of one page: no address is computed, and an empty data area at the
    // end of a page (or of the address space) touches nothing beyond it.
    let block = memory
        .slice(in_gpa, PostDebugDataInput::HEADER_SIZE + count)
        .map_or_else(|| fail(HvStatus::INVALID_PARAMETER), Ok)?;
    if !channel.outgoing.push_all(&block[PostDebugDataInput::HEADER_SIZE..]) {
        return fail(HvStatus::INSUFFICIENT_BUFFERS);
    }
    let output = PostDebugDataOutput {
        pending_count: channel.outgoing.len() as u32,
        padding: 0,
    };
    write_output(memory, out_gpa, output.as_bytes())?;
    Ok(CallResult::Done)
}

/// HvRetrieveDebugData (0x6A): moves up to `Count` bytes from the incoming buffer to the output page. See the module documentation.
pub(crate) fn retrieve(
    memory: &mut GuestMemory,
    channel: &mut DebugChannel,
    in_gpa: u64,
    out_gpa: u64,
    now: u64,
    resumed_deadline: Option<u64>,
) -> HvResult<CallResult> {
    let input = memory
        .slice(in_gpa, size_of::<RetrieveDebugDataInput>())
        .and_then(|b| RetrieveDebugDataInput::read_from_bytes(b).ok())
        .map_or_else(|| fail(HvStatus::INVALID_ALIGNMENT), Ok)?;
    let count = check_data_area(out_gpa, input.count)?;
    unknown_flags_are_invalid(input.options.unknown_bits())?;
    // The whole output area, header and data, in one page: borrowed before anything changes, so that no
    // later step can fail after the activity mark moved.
    let out = memory
        .slice_mut(out_gpa, RetrieveDebugDataOutput::HEADER_SIZE + count)
        .map_or_else(|| fail(HvStatus::INVALID_PARAMETER), Ok)?;

    let active = channel.activity();
    channel.arrived_at_last_retrieve = channel.arrived;
    if input.options.contains(DebugRetrieveOptions::RETRIEVE_TEST_ACTIVITY) && !active {
        return fail(HvStatus::INACTIVE);
    }
    if channel.incoming.len() == 0 {
        let deadline = resumed_deadline.unwrap_or_else(|| now.saturating_add(input.timeout));
        if input.options.contains(DebugRetrieveOptions::RETRIEVE_LOOP) && deadline > now {
            return Ok(CallResult::Wait { deadline });
        }
        return fail(HvStatus::NO_DATA);
    }
    let (head, data) = out.split_at_mut(RetrieveDebugDataOutput::HEADER_SIZE);
    let retrieved = channel.incoming.take_into(data);
    head.copy_from_slice([retrieved as u32, channel.incoming.len() as u32].as_bytes());
    Ok(CallResult::Done)
}

/// The `Options` of a memory-form HvResetDebugSession.
pub(crate) fn reset_options(memory: &GuestMemory, in_gpa: u64) -> HvResult<u32> {
    memory
        .slice(in_gpa, size_of::<ResetDebugSessionInput>())
        .and_then(|b| ResetDebugSessionInput::read_from_bytes(b).ok())
        .map(|input| input.options.bits())
        .map_or_else(|| fail(HvStatus::INVALID_ALIGNMENT), Ok)
}

/// HvResetDebugSession (0x6B): purges the selected buffers; pending data is lost. See the module documentation.
pub(crate) fn reset(channel: &mut DebugChannel, options: u32) -> HvResult<CallResult> {
    let options = DebugPurgeOptions::from_bits_retain(options);
    unknown_flags_are_invalid(options.unknown_bits())?;
    if options.is_empty() {
        return fail(HvStatus::INVALID_PARAMETER);
    }
    let mut purged = 0;
    if options.contains(DebugPurgeOptions::PURGE_INCOMING_DATA) {
        purged += channel.incoming.purge();
    }
    if options.contains(DebugPurgeOptions::PURGE_OUTGOING_DATA) {
        purged += channel.outgoing.purge();
    }
    if purged == 0 {
        fail(HvStatus::NO_DATA)
    } else {
        Ok(CallResult::Done)
    }
}

/// Writes a call's output; the dispatcher checked that the fixed block is mapped and in one page.
fn write_output(memory: &mut GuestMemory, gpa: u64, bytes: &[u8]) -> HvResult<()> {
    match memory.slice_mut(gpa, bytes.len()) {
        Some(dst) => {
            dst.copy_from_slice(bytes);
            Ok(())
        }
        None => fail(HvStatus::INVALID_ALIGNMENT),
    }
}
