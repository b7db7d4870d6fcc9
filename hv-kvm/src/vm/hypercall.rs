//! Hypercall exits: the call through the hypercall page's stub, checked as the TLFS and KVM check a caller
//! (#UD outside CPL 0 protected mode), its registers read in the caller's mode, served with the reference
//! dispatcher, and a `RETRIEVE_LOOP` wait that a delivery or a stop ends at once.

use std::time::Duration;

use hv_abi::{HypercallInput, HypercallOutput};
use hv_model::Registers;
use hv_model::debug_calls::{self, Dispatch};
use hv_model::hosts;
use hv_x64::result_32bit;
use kvm_bindings::kvm_sync_regs;
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

use super::partition::State;
use super::sys;
use super::vcpu::{Next, Vp, code_size, linear, paging};
use crate::hyperv::{HYPERCALL_STUB, STUB_RETURN};
use crate::instruction::{CodeSize, Found, RipConvention};
use crate::{Error, Record};

/// The stub's port write: `out 0x99, al`.
const STUB_OUT: [u8; 2] = [HYPERCALL_STUB[0], HYPERCALL_STUB[1]];
/// `#UD`, the exception a hypercall from the wrong mode gets.
const INVALID_OPCODE: u32 = 6;
/// RFLAGS.VM: virtual-8086 mode.
const RFLAGS_VM: u64 = 1 << 17;

/// Whether the port write of this exit is the enabled hypercall page's stub, and the stub's RIP (its
/// `out`), read from the registers KVM synced at the exit, under `known`, the convention this host
/// showed. With the convention not known yet, RIP at the stub's `ret` can only be past the `out`, and
/// RIP at the `out` only at it, unless the guest wrote another `out 0x99, al` that makes the other reading
/// fit too (then `None`: the caller locates the instruction, completing the exit to decide).
pub(crate) fn stub_call(
    page: u64,
    known: Option<RipConvention>,
    sync: &kvm_sync_regs,
    memory: &GuestMemoryMmap,
) -> Option<(u64, RipConvention)> {
    let (rip, sregs) = (sync.regs.rip, &sync.sregs);
    let paging = paging(sregs);
    let gpa = paging.translate(memory, linear(sregs, rip))?;
    if memory.read_obj::<[u8; 2]>(GuestAddress(page)).ok()? != STUB_OUT {
        return None;
    }
    // An `out 0x99, al` at `ip`: the guest may have written one anywhere, even into the page.
    let out_at = |ip: u64| {
        paging
            .translate(memory, linear(sregs, ip))
            .and_then(|gpa| memory.read_obj::<[u8; 2]>(GuestAddress(gpa)).ok())
            == Some(STUB_OUT)
    };
    let past = gpa == page + STUB_RETURN;
    let at = gpa == page;
    match known {
        Some(RipConvention::PastInstruction) if past => Some((rip.wrapping_sub(2), RipConvention::PastInstruction)),
        Some(RipConvention::AtInstruction) if at => Some((rip, RipConvention::AtInstruction)),
        None if past && !out_at(rip) => Some((rip.wrapping_sub(2), RipConvention::PastInstruction)),
        None if at && !out_at(rip.wrapping_sub(2)) => Some((rip, RipConvention::AtInstruction)),
        _ => None,
    }
}

/// Whether `found`, the instruction of a port write to the hypercall port, is the stub's `out`.
pub(super) fn is_stub(page: u64, found: &Found, sync: &kvm_sync_regs, memory: &GuestMemoryMmap) -> bool {
    found.length == 2
        && found.bytes[..2] == STUB_OUT
        && paging(&sync.sregs).translate(memory, linear(&sync.sregs, found.rip)) == Some(page)
}

/// Serves the hypercall whose stub `out` is at `stub`: RAX (EDX:EAX from 32-bit mode) gets the result and
/// the VP resumes at the stub's `ret`. A suspended retrieve waits here until data arrives, its deadline
/// passes or the boot stops.
pub(super) fn serve(vp: &mut Vp<'_>, stub: u64) -> Result<Next, Error> {
    let mut regs = vp.vcpu.sync_regs().regs;
    let sregs = vp.vcpu.sync_regs().sregs;
    // TLFS: a hypercall from CPL > 0, or from real or virtual-8086 mode, is #UD (KVM:
    // `get_cpl() != 0 || !is_protmode()`).
    if sregs.ss.dpl != 0 || sregs.cr0 & 1 == 0 || regs.rflags & RFLAGS_VM != 0 {
        return raise(vp, stub, INVALID_OPCODE);
    }
    let long = code_size(&sregs) == CodeSize::Bits64;
    let call = if long {
        Registers {
            rcx: regs.rcx,
            rdx: regs.rdx,
            r8: regs.r8,
        }
    } else {
        let low = |r: u64| r as u32;
        Registers::from_32bit(
            low(regs.rax),
            low(regs.rbx),
            low(regs.rcx),
            low(regs.rdx),
            low(regs.rsi),
            low(regs.rdi),
        )
    };
    let Some(output) = dispatch(vp, call)? else {
        return Ok(Next::Stop);
    };
    if long {
        regs.rax = output.into_bits();
    } else {
        let (eax, edx) = result_32bit(output.into_bits());
        (regs.rax, regs.rdx) = (u64::from(eax), u64::from(edx));
    }
    vp.vcpu.sync_regs_mut().regs = regs;
    vp.vcpu.set_sync_dirty_reg(kvm_ioctls::SyncReg::Register);
    Ok(Next::Run)
}

/// Raises exception `vector` at the stub's `out`, as the hypercall instruction would: the exit is
/// completed first (so KVM skips nothing later), then RIP goes back to `stub` and the exception is
/// injected.
fn raise(vp: &mut Vp<'_>, stub: u64, vector: u32) -> Result<Next, Error> {
    sys::complete_exit(vp.vcpu)?;
    let mut regs = vp.vcpu.get_regs().map_err(|e| Error::kvm("KVM_GET_REGS", e))?;
    regs.rip = stub;
    vp.vcpu.set_regs(&regs).map_err(|e| Error::kvm("KVM_SET_REGS", e))?;
    let mut events = vp
        .vcpu
        .get_vcpu_events()
        .map_err(|e| Error::kvm("KVM_GET_VCPU_EVENTS", e))?;
    events.exception.injected = 1;
    events.exception.pending = 0;
    events.exception.nr = vector as u8;
    events.exception.has_error_code = 0;
    events.exception.error_code = 0;
    vp.vcpu
        .set_vcpu_events(&events)
        .map_err(|e| Error::kvm("KVM_SET_VCPU_EVENTS", e))?;
    Ok(Next::Run)
}

/// The call's result, after any wait; `None` when the boot stopped while the VP waited.
fn dispatch(vp: &mut Vp<'_>, call: Registers) -> Result<Option<HypercallOutput>, Error> {
    let partition = vp.partition;
    let mut s = partition.lock()?;
    let State { debug, .. } = &mut *s;
    let profile = &vp.config.profile;
    let now = partition.now();
    let mut result = hosts::dispatch(profile, call, &debug.access, &mut debug.channel, &mut vp.memory, now);
    let mut waited = None;
    if let Dispatch::Suspended { deadline } = result {
        let started = std::time::Instant::now();
        // The host may answer while the guest waits; it is asked without the partition's lock.
        drop(s);
        let reply = partition.host()?.on_wait();
        s = partition.lock()?;
        partition.send(&mut s, reply);
        loop {
            let State { debug, .. } = &mut *s;
            let now = partition.now();
            // Only the profiles whose VMM is the reference suspend; KVM's front end filtered the call once.
            result = debug_calls::resume(call, deadline, &debug.access, &mut debug.channel, &mut vp.memory, now);
            if !matches!(result, Dispatch::Suspended { .. }) {
                break;
            }
            if now >= deadline {
                result = Dispatch::Complete(Dispatch::timed_out());
                break;
            }
            if s.stop.is_some() {
                return Ok(None);
            }
            // A delivery or a stop wakes the VP at once; otherwise the deadline does.
            let left = Duration::from_nanos((deadline - now).saturating_mul(100));
            s = partition.wait(s, left)?;
        }
        waited = Some(started.elapsed());
    }
    let output = match result {
        Dispatch::Complete(out) => out,
        Dispatch::Suspended { .. } => Dispatch::timed_out(),
    };
    s.transcript.counts.hypercalls += 1;
    s.transcript.detail(|| Record::Hypercall {
        vp: vp.index,
        input: HypercallInput::from_bits(call.rcx),
        rdx: call.rdx,
        r8: call.r8,
        output,
        waited,
    });
    // The engine reads what the guest posted, and the host end may answer. Most calls post nothing:
    // they skip the read and its buffer.
    if s.debug.channel.outgoing().pending > 0 {
        let mut posted = [0u8; 4096];
        let State { engine, debug, .. } = &mut *s;
        let n = engine.read(debug, &mut posted).unwrap_or(0);
        if n > 0 {
            let data = &posted[..n];
            s.transcript.detail(|| Record::GuestToHost(data.to_vec()));
            drop(s);
            let answer = partition.host()?.on_receive(data);
            partition.send(&mut *partition.lock()?, answer);
        }
    }
    Ok(Some(output))
}

#[cfg(test)]
mod tests {
    use kvm_bindings::kvm_sync_regs;
    use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

    use super::*;

    const PAGE: u64 = 0x5000;

    /// Memory with the stub at PAGE, and a VP in 64-bit mode (paging off: linear is physical) at `rip`.
    fn exit_at(rip: u64) -> (GuestMemoryMmap, kvm_sync_regs) {
        let memory = GuestMemoryMmap::from_ranges(&[(GuestAddress(0), 0x10_0000)]).unwrap();
        memory.write_slice(&HYPERCALL_STUB, GuestAddress(PAGE)).unwrap();
        let mut sync = kvm_sync_regs::default();
        sync.regs.rip = rip;
        sync.sregs.cr0 = 1;
        sync.sregs.efer = 1 << 10;
        sync.sregs.cs.l = 1;
        (memory, sync)
    }

    #[test]
    fn the_stub_is_recognised_under_either_convention() {
        use RipConvention::{AtInstruction as At, PastInstruction as Past};
        // KVM-PVM: RIP at the `ret`; stock KVM: RIP at the `out`.
        let (memory, sync) = exit_at(PAGE + 2);
        assert_eq!(stub_call(PAGE, None, &sync, &memory), Some((PAGE, Past)));
        assert_eq!(stub_call(PAGE, Some(Past), &sync, &memory), Some((PAGE, Past)));
        assert_eq!(
            stub_call(PAGE, Some(At), &sync, &memory),
            None,
            "an `out` at the `ret` is not there"
        );
        let (memory, sync) = exit_at(PAGE);
        assert_eq!(stub_call(PAGE, None, &sync, &memory), Some((PAGE, At)));
        assert_eq!(stub_call(PAGE, Some(At), &sync, &memory), Some((PAGE, At)));
        assert_eq!(
            stub_call(PAGE, Some(Past), &sync, &memory),
            None,
            "no `out` ends at the page"
        );
    }

    #[test]
    fn a_guest_written_out_before_or_in_the_page_leaves_the_decision_to_the_exit() {
        // `out 0x99, al` ending exactly at the page: at the page start, either reading fits.
        let (memory, sync) = exit_at(PAGE);
        memory.write_slice(&STUB_OUT, GuestAddress(PAGE - 2)).unwrap();
        assert_eq!(stub_call(PAGE, None, &sync, &memory), None);
        assert_eq!(
            stub_call(PAGE, Some(RipConvention::AtInstruction), &sync, &memory).map(|s| s.0),
            Some(PAGE)
        );
        // An `out 0x99, al` written over the `ret`: at RIP page + 2, either reading fits too.
        let (memory, sync) = exit_at(PAGE + 2);
        memory.write_slice(&STUB_OUT, GuestAddress(PAGE + 2)).unwrap();
        assert_eq!(stub_call(PAGE, None, &sync, &memory), None);
        // A page whose stub the guest overwrote is not the stub.
        let (memory, sync) = exit_at(PAGE + 2);
        memory.write_slice(&[0x90, 0x90], GuestAddress(PAGE)).unwrap();
        assert_eq!(stub_call(PAGE, None, &sync, &memory), None);
    }

    #[test]
    fn a_32_bit_caller_is_found_through_its_code_segment_base() {
        let (memory, mut sync) = exit_at(0x4002);
        (sync.sregs.cs.l, sync.sregs.cs.db, sync.sregs.cs.base) = (0, 1, 0x1000);
        assert_eq!(
            stub_call(PAGE, None, &sync, &memory),
            Some((0x4000, RipConvention::PastInstruction)),
            "RIP 0x4002 + CS base 0x1000 is the stub's `ret`"
        );
        let found = Found {
            rip: 0x4000,
            bytes: [0xE6, 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            length: 2,
            string: false,
            rep: false,
        };
        assert!(is_stub(PAGE, &found, &sync, &memory));
        assert!(!is_stub(PAGE + 0x1000, &found, &sync, &memory));
    }
}
