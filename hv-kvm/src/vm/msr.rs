//! MSR exits. Only the MSR filter's denials reach the VMM: the synthetic MSRs, served by
//! [`SyntheticMsrs`], and the architectural MSRs of [`crate::Config::intercepted_msrs`], which get an
//! intercept message and then go to KVM. Every other MSR stays KVM's, with KVM's #GP for one it does
//! not know or refuses.

use hv_abi::PartitionPrivileges;
use hv_x64::msr::SyntheticMsr;
use kvm_bindings::{Msrs, kvm_msr_entry};
use vm_memory::{Bytes, GuestAddress, GuestMemoryBackend, GuestMemoryMmap};

use super::sys;
use super::vcpu::{Next, Vp, code_size};
use crate::hyperv::{HYPERCALL_STUB, MsrWrite, SyntheticMsrs};
use crate::instruction::locate_msr;
use crate::intercept;
use crate::{Error, Record};

/// RDMSR of a filtered MSR.
pub(super) fn read(vp: &mut Vp<'_>, msr: u32, filtered: bool) -> Result<Next, Error> {
    let (value, fault) = match kind(vp, msr, filtered) {
        Kind::Synthetic(synthetic) => {
            let s = vp.partition.lock()?;
            let value = s.msrs.read(synthetic, vp.index, s.debug.access.privileges);
            (value.unwrap_or(0), value.is_none())
        }
        Kind::Intercepted => {
            intercept(vp, msr, false)?;
            let mut msrs = msr_list(msr, 0)?;
            let read = vp.vcpu.get_msrs(&mut msrs).map_err(|e| Error::kvm("KVM_GET_MSRS", e))?;
            match (read, msrs.as_slice().first()) {
                (1, Some(entry)) => (entry.data, false),
                _ => (0, true),
            }
        }
        Kind::Refused => (0, true),
    };
    sys::reply_msr(vp.vcpu, value, fault);
    Ok(Next::Run)
}

/// WRMSR of a filtered MSR.
pub(super) fn write(vp: &mut Vp<'_>, msr: u32, value: u64, filtered: bool) -> Result<Next, Error> {
    let fault = match kind(vp, msr, filtered) {
        Kind::Synthetic(synthetic) => {
            let mut s = vp.partition.lock()?;
            let privileges = s.debug.access.privileges;
            let accepted = write_synthetic_msr(&mut s.msrs, &vp.memory, synthetic, value, privileges).is_some();
            s.transcript.detail(|| Record::SyntheticMsrWrite {
                vp: vp.index,
                msr,
                value,
                accepted,
            });
            !accepted
        }
        Kind::Intercepted => {
            intercept(vp, msr, true)?;
            // KVM_SET_MSRS is a host write: KVM skips the checks it makes of a guest's WRMSR (a read-only
            // MSR takes the value). That is why only the MSRs a configuration names come here.
            let written = vp
                .vcpu
                .set_msrs(&msr_list(msr, value)?)
                .map_err(|e| Error::kvm("KVM_SET_MSRS", e))?;
            written != 1
        }
        Kind::Refused => true,
    };
    sys::reply_msr(vp.vcpu, 0, fault);
    Ok(Next::Run)
}

enum Kind {
    Synthetic(SyntheticMsr),
    Intercepted,
    /// Not an exit hv-kvm asked for: #GP, as KVM would give.
    Refused,
}

fn kind(vp: &Vp<'_>, msr: u32, filtered: bool) -> Kind {
    let synthetic = SyntheticMsr::from_bits(msr);
    if !filtered {
        Kind::Refused
    } else if synthetic.in_synthetic_range() {
        Kind::Synthetic(synthetic)
    } else if vp.config.intercepted_msrs.contains(&msr) {
        Kind::Intercepted
    } else {
        Kind::Refused
    }
}

fn intercept(vp: &Vp<'_>, msr: u32, write: bool) -> Result<(), Error> {
    let sync = vp.vcpu.sync_regs();
    let found = locate_msr(sync.regs.rip, write, code_size(&sync.sregs), vp.fetch(&sync.sregs));
    let state = vp.state(found)?;
    vp.intercept(intercept::msr(&state, msr, write), state)
}

fn msr_list(msr: u32, value: u64) -> Result<Msrs, Error> {
    Msrs::from_entries(&[kvm_msr_entry {
        index: msr,
        data: value,
        ..Default::default()
    }])
    .map_err(|e| Error::Host(format!("an MSR list: {e:?}")))
}

/// WRMSR of a synthetic MSR: the TLFS rules of [`SyntheticMsrs::write`], and the hypercall page's stub
/// written where the guest enabled it. `None` is a #GP, and then nothing changed: a page that is not
/// guest memory fails the write and the MSR keeps its value, as in KVM (`kvm_hv_set_msr_pw`).
pub(crate) fn write_synthetic_msr(
    msrs: &mut SyntheticMsrs,
    memory: &GuestMemoryMmap,
    msr: SyntheticMsr,
    value: u64,
    privileges: PartitionPrivileges,
) -> Option<MsrWrite> {
    let mut next = *msrs;
    let outcome = next.write(msr, value, privileges)?;
    if let MsrWrite::FillHypercallPage(gpa) = outcome {
        let page = GuestAddress(gpa);
        if !memory.check_range(page, 0x1000) || memory.write_slice(&HYPERCALL_STUB, page).is_err() {
            return None;
        }
    }
    *msrs = next;
    Some(outcome)
}
