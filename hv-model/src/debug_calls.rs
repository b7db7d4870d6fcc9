//! The reference dispatcher of the debug hypercalls, as a library: HvPostDebugData, HvRetrieveDebugData
//! and HvResetDebugSession as the 2013 WDK reference specifies them (where it is silent, as documented here),
//! over any guest memory.
//!
//! A VMM calls [`dispatch`] with the x64 registers of the call, its partition's [`DebugAccess`]
//! (hypervisor-wide debugging, privileges, channel id and whether another partition shares it), the
//! partition's [`DebugChannel`] and its guest memory (any [`GuestMemoryAccess`]: the model's
//! [`crate::GuestMemory`], or with the `vm-memory` feature rust-vmm's `GuestMemoryMmap`), and gets RAX or
//! "suspended until". A suspended call ([`Dispatch::Suspended`]) is the VMM's to keep with its registers;
//! when the host delivers data or the deadline passes, [`resume`] or [`Dispatch::timed_out`] finishes it.
//! [`crate::Hypervisor::dispatch`] is such a VMM, over the model's partitions.
//!
//! Nothing here allocates, looks up a guest page more than once per call, or costs more with the number
//! of partitions or the size of guest memory; a refused call changes nothing.
//!
//! ```
//! use hv_abi::debug::DebugChannelId;
//! use hv_abi::{CallCode, HvStatus, HypercallInput, PartitionPrivileges};
//! use hv_model::debug_calls::{self, DebugAccess, Dispatch};
//! use hv_model::{DebugChannel, GuestMemory, GuestMemoryAccess, Registers};
//!
//! // What the VMM has: its guest memory, a channel for the partition, and what it knows of it.
//! let mut memory = GuestMemory::default();
//! memory.map(0x1000);
//! memory.map(0x2000);
//! let mut channel = DebugChannel::new(4096, 8192).unwrap();
//! let access = DebugAccess {
//!     debugging_enabled: true,
//!     privileges: PartitionPrivileges::DEBUGGING,
//!     channel_id: DebugChannelId(2),
//!     channel_shared: false,
//! };
//!
//! // The guest posts "hi": Count 2, no options, then the data, at GPA 0x1000; output at 0x2000.
//! memory.write_block(0x1000, &[2, 0, 0, 0, 0, 0, 0, 0, b'h', b'i']).unwrap();
//! let regs = Registers {
//!     rcx: HypercallInput::new().with_call_code(CallCode::POST_DEBUG_DATA).into_bits(),
//!     rdx: 0x1000,
//!     r8: 0x2000,
//! };
//! let rax = debug_calls::dispatch(regs, &access, &mut channel, &mut memory, 0);
//! assert_eq!(rax, Dispatch::Complete(HvStatus::SUCCESS.into()));
//!
//! // The host end of the channel.
//! let mut buf = [0u8; 8];
//! assert_eq!(channel.receive(&mut buf), 2);
//! assert_eq!(&buf[..2], b"hi");
//! ```
//!
//! # Check order
//!
//! The call code (`INVALID_HYPERCALL_CODE`); the input value against the call's descriptor
//! (`INVALID_HYPERCALL_INPUT`: a reserved bit, a rep count or start index on a simple call, a variable
//! header, the nested bit, or a form the call does not allow); then the caller's right to the call,
//! [`DebugAccess::check`] (`FEATURE_UNAVAILABLE`, `ACCESS_DENIED`, `OPERATION_DENIED`, in that order), as
//! every real host checks it first: a caller the gate refuses learns nothing about guest memory, not even
//! which pages are mapped; then, in the memory form, each fixed parameter block 8-byte aligned, within one
//! page and mapped (`INVALID_ALIGNMENT`). A retrieve then tests activity (`INACTIVE`, "before all other
//! processing" of the call in the reference). Each handler then checks its parameters
//! (`INVALID_PARAMETER`) before producing its own result, and writes output only on success; a refused
//! call changes nothing.
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
//! Other implementations ([`crate::hosts`] models each, rule by rule): KVM answers the fast form with
//! `INVALID_PARAMETER` (here `INVALID_HYPERCALL_INPUT`, as for any call used in a form it does not allow).
//! No real host buffers a post: QEMU sends each as one UDP datagram and VirtualBox writes it whole to its
//! debug stream, both with `PendingCount` 0; neither reads the options. On the hypercall path both carry
//! Ethernet/IPv4/UDP frames, sending the UDP payload and dropping any other frame; QEMU answers Count 0
//! and a block that is not RAM with `INSUFFICIENT_MEMORY`.
//!
//! # HvRetrieveDebugData (0x6A)
//!
//! Moves up to `Count` bytes from the incoming buffer to the output page.
//!
//! With `TEST_ACTIVITY`, first `INACTIVE` when no byte arrived since this partition's last retrieve
//! attempt; then the parameter checks (`Count > 4088`, data crossing the output page, an option other
//! than `RETRIEVE_LOOP | RETRIEVE_TEST_ACTIVITY`); an attempt that passes them refreshes that mark. With
//! nothing pending: `RETRIEVE_LOOP` and a nonzero `Timeout` suspend the VP until data
//! arrives or the timeout passes (then `NO_DATA`); otherwise `NO_DATA`. `Count = 0` with data pending
//! is `SUCCESS` with no bytes. `RemainingCount` is the bytes still pending after the call.
//!
//! Other implementations: QEMU and VirtualBox return one whole datagram per retrieve after a rebuilt
//! 42-byte Ethernet/IPv4/UDP header, whatever Count says (it can run past the output page), and set
//! `RemainingCount` to `Count - RetrievedCount` (wrapping). Both ignore `RETRIEVE_LOOP` and the timeout;
//! QEMU ignores `TEST_ACTIVITY`, VirtualBox answers it `SUCCESS` with no bytes. VirtualBox writes the output
//! on failure too.
//!
//! # HvResetDebugSession (0x6B)
//!
//! Purges the selected buffers; pending data is lost.
//!
//! `INVALID_PARAMETER` for an unknown flag or for neither purge flag; `NO_DATA` when nothing was
//! purged. The `Padding` half of the input is ignored. No output.
//!
//! Other implementations: no real host purges anything or answers `NO_DATA`. QEMU ignores the input and
//! writes a 24-byte output (the debugger's address) at R8, in the fast form too; the 2013 reference has no
//! output, as here. VirtualBox refuses Options 0 and accepts anything else.

use hv_abi::debug::{
    DebugChannelId, DebugPostOptions, DebugPurgeOptions, DebugRetrieveOptions, HV_DEBUG_MAXIMUM_DATA_SIZE,
    PostDebugDataInput, PostDebugDataOutput, RetrieveDebugDataInput, RetrieveDebugDataOutput,
};
use hv_abi::{CallCode, CallDescriptor, HvResult, HvStatus, HypercallInput, HypercallOutput, PartitionPrivileges};
use hv_x64::HypercallRegisters;
use zerocopy::{FromBytes, IntoBytes};

use crate::channel::DebugChannel;
use crate::fail;
use crate::memory::{GuestMemoryAccess, PAGE_SIZE, in_page};

/// The outcome of a hypercall.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum Dispatch {
    /// The call finished; this is RAX.
    Complete(HypercallOutput),
    /// The VP waits (HvRetrieveDebugData with `RETRIEVE_LOOP` and no data). A delivery or the clock
    /// reaching `deadline` (100 ns units) ends the wait: [`resume`], or [`Dispatch::timed_out`].
    Suspended {
        /// Virtual time at which the wait ends with `HV_STATUS_NO_DATA`.
        deadline: u64,
    },
}

impl Dispatch {
    /// RAX of a suspended call whose deadline passed with no data: `HV_STATUS_NO_DATA`.
    pub const fn timed_out() -> HypercallOutput {
        HypercallOutput::from_status(HvStatus::NO_DATA)
    }

    fn from_result(result: HvResult<CallResult>) -> Self {
        match result {
            Ok(CallResult::Done) => Self::Complete(HypercallOutput::from_status(HvStatus::SUCCESS)),
            Ok(CallResult::Wait { deadline }) => Self::Suspended { deadline },
            Err(e) => Self::Complete(HypercallOutput::from_status(e.status())),
        }
    }
}

/// What every debug call checks, in this order, before its parameter blocks: the partition's access to
/// its debug channel. The VMM knows these facts about its partitions; the dispatcher knows nothing else
/// about them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DebugAccess {
    /// Guest debugging is supported (CPUID 0x40000003 EDX bit 1) and enabled in the hypervisor.
    pub debugging_enabled: bool,
    /// The partition's privileges; the calls need `Debugging` (bit 43).
    pub privileges: PartitionPrivileges,
    /// The partition's DebugChannelId property.
    pub channel_id: DebugChannelId,
    /// Another (not terminated) partition has the same DebugChannelId.
    pub channel_shared: bool,
}

impl DebugAccess {
    /// `HV_STATUS_FEATURE_UNAVAILABLE` (debugging off), then `HV_STATUS_ACCESS_DENIED` (no Debugging
    /// privilege), then `HV_STATUS_OPERATION_DENIED` (channel id 0, or shared): the project's chosen order.
    pub const fn check(&self) -> HvResult<()> {
        if !self.debugging_enabled {
            HvStatus::FEATURE_UNAVAILABLE.result()
        } else if !self.privileges.contains(PartitionPrivileges::DEBUGGING) {
            HvStatus::ACCESS_DENIED.result()
        } else if !self.channel_id.is_assigned() || self.channel_shared {
            HvStatus::OPERATION_DENIED.result()
        } else {
            Ok(())
        }
    }
}

/// What a handler asks the dispatcher to do after it succeeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallResult {
    /// Finished with `HV_STATUS_SUCCESS`.
    Done,
    /// The VP waits until data arrives or the clock reaches `deadline`.
    Wait { deadline: u64 },
}

/// A checked fixed parameter block: its page, found once, and its offset in the page.
#[derive(Clone, Copy)]
struct Block<P> {
    page: P,
    offset: usize,
}

/// Runs one debug hypercall from its x64 registers at virtual time `now` (100 ns units).
///
/// See the [module documentation](self) for the check order and each call's semantics. The VP's own
/// state (running, waiting) is the caller's: a VP waiting in a suspended call issues no other.
#[inline]
pub fn dispatch<M: GuestMemoryAccess + ?Sized>(
    regs: HypercallRegisters,
    access: &DebugAccess,
    channel: &mut DebugChannel,
    memory: &mut M,
    now: u64,
) -> Dispatch {
    Dispatch::from_result(execute(regs, access, channel, memory, now, None))
}

/// Runs a suspended call again (the registers it was issued with, and its deadline) after the host
/// delivered data: it completes, or stays suspended with the same deadline. Every check runs again, so
/// a channel lost meanwhile is the status it now gets.
#[inline]
pub fn resume<M: GuestMemoryAccess + ?Sized>(
    regs: HypercallRegisters,
    deadline: u64,
    access: &DebugAccess,
    channel: &mut DebugChannel,
    memory: &mut M,
    now: u64,
) -> Dispatch {
    Dispatch::from_result(execute(regs, access, channel, memory, now, Some(deadline)))
}

#[inline(always)]
fn execute<M: GuestMemoryAccess + ?Sized>(
    regs: HypercallRegisters,
    access: &DebugAccess,
    channel: &mut DebugChannel,
    memory: &mut M,
    now: u64,
    resumed: Option<u64>,
) -> HvResult<CallResult> {
    let input = HypercallInput::from_bits(regs.rcx);
    // One match on the call code; within each arm the descriptor is a constant.
    match input.call_code() {
        CallCode::POST_DEBUG_DATA => {
            let (input_block, output) = memory_form(input, &CallDescriptor::POST_DEBUG_DATA, access, regs, memory)?;
            post(memory, channel, input_block, output)
        }
        CallCode::RETRIEVE_DEBUG_DATA => {
            let desc = &CallDescriptor::RETRIEVE_DEBUG_DATA;
            let (input_block, output) = memory_form(input, desc, access, regs, memory)?;
            retrieve(memory, channel, input_block, output, now, resumed)
        }
        CallCode::RESET_DEBUG_SESSION => {
            check_input(input, &CallDescriptor::RESET_DEBUG_SESSION)?;
            access.check()?;
            let options = if input.fast() {
                regs.rdx as u32
            } else {
                let input_block = block(memory, regs.rdx, CallDescriptor::RESET_DEBUG_SESSION.input_size)?;
                let mut options = [0u8; 4];
                read(memory, input_block, 0, &mut options)?;
                u32::from_le_bytes(options)
            };
            reset(channel, options)
        }
        _ => fail(HvStatus::INVALID_HYPERCALL_CODE),
    }
}

/// A memory-form call's input and output blocks.
type Blocks<P> = (Block<P>, Block<P>);

/// The input-value checks of a call that only has a memory form, the caller's right to the call, then its
/// two fixed parameter blocks: a caller the gate refuses learns nothing about guest memory.
#[inline(always)]
fn memory_form<M: GuestMemoryAccess + ?Sized>(
    input: HypercallInput,
    desc: &CallDescriptor,
    access: &DebugAccess,
    regs: HypercallRegisters,
    memory: &M,
) -> HvResult<Blocks<M::Page>> {
    check_input(input, desc)?;
    access.check()?;
    Ok((
        block(memory, regs.rdx, desc.input_size)?,
        block(memory, regs.r8, desc.output_size)?,
    ))
}

/// The call-independent input-value checks against the call's descriptor.
#[inline(always)]
fn check_input(input: HypercallInput, desc: &CallDescriptor) -> HvResult<()> {
    desc.check(input).or_else(|rejection| fail(rejection.status()))
}

/// A memory-form parameter block of `len` bytes at `gpa`: 8-byte aligned, within one page, mapped
/// (`INVALID_ALIGNMENT` otherwise; an unmapped block counts as outside the GPA space). Its page is looked
/// up here, once.
#[inline(always)]
fn block<M: GuestMemoryAccess + ?Sized>(memory: &M, gpa: u64, len: usize) -> HvResult<Block<M::Page>> {
    let offset = in_page(gpa, len).or_else(|_| fail(HvStatus::INVALID_ALIGNMENT))?;
    match memory.page(gpa) {
        Some(page) if gpa % 8 == 0 => Ok(Block { page, offset }),
        _ => fail(HvStatus::INVALID_ALIGNMENT),
    }
}

fn read<M: GuestMemoryAccess + ?Sized>(memory: &M, block: Block<M::Page>, at: usize, buf: &mut [u8]) -> HvResult<()> {
    // Within the block the dispatcher checked; a failure means the memory changed under the call.
    memory
        .read_page(block.page, block.offset + at, buf)
        .or_else(|_| fail(HvStatus::INVALID_ALIGNMENT))
}

fn write<M: GuestMemoryAccess + ?Sized>(memory: &mut M, block: Block<M::Page>, at: usize, data: &[u8]) -> HvResult<()> {
    memory
        .write_page(block.page, block.offset + at, data)
        .or_else(|_| fail(HvStatus::INVALID_ALIGNMENT))
}

/// `INVALID_PARAMETER` when `count` exceeds 4088 or the data after an 8-byte header at `offset` leaves
/// the page.
fn check_data_area(offset: usize, count: u32) -> HvResult<usize> {
    let count = count as usize;
    if count > HV_DEBUG_MAXIMUM_DATA_SIZE || offset + 8 + count > PAGE_SIZE as usize {
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

/// HvPostDebugData (0x69): appends `Count` bytes to the outgoing buffer, all or nothing. See the module
/// documentation.
#[inline]
fn post<M: GuestMemoryAccess + ?Sized>(
    memory: &mut M,
    channel: &mut DebugChannel,
    input: Block<M::Page>,
    output: Block<M::Page>,
) -> HvResult<CallResult> {
    let mut header = [0u8; PostDebugDataInput::HEADER_SIZE];
    read(memory, input, 0, &mut header)?;
    let [count, options] =
        <[u32; 2]>::read_from_bytes(&header).map_or_else(|_| fail(HvStatus::INVALID_ALIGNMENT), Ok)?;
    let count = check_data_area(input.offset, count)?;
    unknown_flags_are_invalid(DebugPostOptions::from_bits_retain(options).unknown_bits())?;
    // The data goes from the guest page straight into the ring: one copy, no further look-up.
    let data_at = PostDebugDataInput::HEADER_SIZE;
    let appended = channel
        .outgoing
        .append_with(count, |at, dst| read(memory, input, data_at + at, dst))?;
    if !appended {
        return fail(HvStatus::INSUFFICIENT_BUFFERS);
    }
    let out = PostDebugDataOutput {
        pending_count: channel.outgoing.len() as u32,
        padding: 0,
    };
    write(memory, output, 0, out.as_bytes())?;
    Ok(CallResult::Done)
}

/// HvRetrieveDebugData (0x6A): moves up to `Count` bytes from the incoming buffer to the output page. See
/// the module documentation.
#[inline]
fn retrieve<M: GuestMemoryAccess + ?Sized>(
    memory: &mut M,
    channel: &mut DebugChannel,
    input: Block<M::Page>,
    output: Block<M::Page>,
    now: u64,
    resumed_deadline: Option<u64>,
) -> HvResult<CallResult> {
    let mut raw = [0u8; size_of::<RetrieveDebugDataInput>()];
    read(memory, input, 0, &mut raw)?;
    let input = RetrieveDebugDataInput::read_from_bytes(&raw).map_or_else(|_| fail(HvStatus::INVALID_ALIGNMENT), Ok)?;
    // TEST_ACTIVITY comes "before all other processing" of the call (ff539134): before its parameters.
    // INACTIVE changes nothing: no byte arrived since the last attempt, so the mark stands where it is.
    if input.options.contains(DebugRetrieveOptions::RETRIEVE_TEST_ACTIVITY) && !channel.activity() {
        return fail(HvStatus::INACTIVE);
    }
    let count = check_data_area(output.offset, input.count)?;
    unknown_flags_are_invalid(input.options.unknown_bits())?;
    // An attempt that got this far moves the mark.
    channel.arrived_at_last_retrieve = channel.arrived;
    if channel.incoming.len() == 0 {
        let deadline = resumed_deadline.unwrap_or_else(|| now.saturating_add(input.timeout));
        if input.options.contains(DebugRetrieveOptions::RETRIEVE_LOOP) && deadline > now {
            return Ok(CallResult::Wait { deadline });
        }
        return fail(HvStatus::NO_DATA);
    }
    // The data goes from the ring straight to the guest page (one copy); the bytes leave the ring only
    // once written.
    let n = count.min(channel.incoming.len());
    let data_at = RetrieveDebugDataOutput::HEADER_SIZE;
    channel
        .incoming
        .take_with(n, |at, src| write(memory, output, data_at + at, src))?;
    let head = [n as u32, channel.incoming.len() as u32];
    write(memory, output, 0, head.as_bytes())?;
    Ok(CallResult::Done)
}

/// HvResetDebugSession (0x6B): purges the selected buffers; pending data is lost. See the module
/// documentation.
#[inline(always)]
fn reset(channel: &mut DebugChannel, options: u32) -> HvResult<CallResult> {
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
