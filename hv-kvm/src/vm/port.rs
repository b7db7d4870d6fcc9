//! Port-I/O exits: the hypercall page's stub, the reset-control register, the quiet and marker ports of a
//! benchmark, and an intercept message for every other access.

use hv_x64::IoPortAccessInfo;

use super::hypercall;
use super::partition::Stop;
use super::sys;
use super::vcpu::{Next, Vp, code_size};
use crate::hyperv::HYPERCALL_PORT;
use crate::instruction::{Found, Located, PortExit, RipConvention, locate_port_io};
use crate::intercept;
use crate::{Error, Record};

/// The PC reset-control register: a write with bit 2 (reset the CPU) set resets the machine.
const RESET_PORT: u16 = 0xCF9;
const RESET_CPU: u8 = 0b100;

/// Serves a port-I/O exit of `count` elements of `size` bytes.
pub(super) fn exit(vp: &mut Vp<'_>, port: u16, size: u8, count: u32, write: bool) -> Result<Next, Error> {
    if write {
        if vp.config.quiet_ports.contains(&port) {
            return Ok(Next::Run);
        }
        if vp.config.marker_ports.contains(&port) {
            let value = sys::io_data(vp.vcpu).first().copied().unwrap_or(0);
            let at = vp.partition.elapsed();
            let record = Record::Marker {
                vp: vp.index,
                port,
                value,
                at,
            };
            vp.partition.lock()?.transcript.push(record);
            return Ok(Next::Run);
        }
        // Each element of a string OUT is a write of its own; of a wider write, the first byte is 0xCF9's
        // (the others are the ports after it).
        let elements = sys::io_data(vp.vcpu).chunks(usize::from(size.max(1)));
        if port == RESET_PORT && elements.into_iter().any(|e| e[0] & RESET_CPU != 0) {
            let mut s = vp.partition.lock()?;
            vp.partition.stop(&mut s, Stop::Reboot);
            return Ok(Next::Stop);
        }
    } else {
        // Nothing answers: every byte an IN or INS reads is all-ones, as from a bus with nothing behind it.
        sys::io_data(vp.vcpu).fill(0xFF);
    }
    let page = if write && port == HYPERCALL_PORT && size == 1 && count == 1 {
        vp.partition.lock()?.msrs.hypercall_page()
    } else {
        None
    };
    if let Some(page) = page {
        let sync = vp.vcpu.sync_regs();
        if let Some((rip, convention)) = hypercall::stub_call(page, vp.convention, &sync, &vp.memory) {
            vp.convention = Some(convention);
            return hypercall::serve(vp, rip);
        }
    }
    let exit = PortExit {
        port,
        size,
        write,
        count,
        dx: vp.vcpu.sync_regs().regs.rdx as u16,
        rcx: vp.vcpu.sync_regs().regs.rcx,
    };
    let found = locate(vp, &exit)?;
    if let (Some(page), Some(found)) = (page, found) {
        if hypercall::is_stub(page, &found, &vp.vcpu.sync_regs(), &vp.memory) {
            return hypercall::serve(vp, found.rip);
        }
    }
    let state = vp.state(found)?;
    let access = IoPortAccessInfo::new()
        .with_access_size(size)
        .with_string_op(found.is_some_and(|f| f.string))
        .with_rep_prefix(found.is_some_and(|f| f.rep));
    vp.intercept(intercept::io_port(&state, port, access, write), state)?;
    Ok(Next::Run)
}

/// The exit's instruction. The first fast `IN`/`OUT` that shows where this host's KVM leaves RIP teaches
/// the VP; where two readings fit before that, the exit is completed to see whether KVM moves RIP.
fn locate(vp: &mut Vp<'_>, exit: &PortExit) -> Result<Option<Found>, Error> {
    let sync = vp.vcpu.sync_regs();
    let located = locate_port_io(
        sync.regs.rip,
        exit,
        code_size(&sync.sregs),
        vp.convention,
        vp.fetch(&sync.sregs),
    );
    if let Some((found, convention)) = located.resolve(vp.convention) {
        vp.convention = vp.convention.or(convention);
        return Ok(Some(found));
    }
    let Located::Ambiguous { at, past } = located else {
        return Ok(None);
    };
    // A host that defers the skip to the completion moves RIP now; one that skipped before the exit
    // leaves it. Either way the exit is complete, and the registers are read anew.
    sys::complete_exit(vp.vcpu)?;
    let regs = vp.vcpu.get_regs().map_err(|e| Error::kvm("KVM_GET_REGS", e))?;
    vp.vcpu.sync_regs_mut().regs = regs;
    let (found, convention) = if regs.rip == sync.regs.rip {
        (past, RipConvention::PastInstruction)
    } else {
        (at, RipConvention::AtInstruction)
    };
    vp.convention = Some(convention);
    Ok(Some(found))
}
