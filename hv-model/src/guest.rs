//! The guest side of the model: a VP of a model partition as `hv-guest` sees a VP, so guest code (a debug
//! transport, a driver) runs against the reference model without a hypervisor.
//!
//! [`GuestVp`] names a VP and its two parameter pages; [`GuestVp::on`] borrows the hypervisor for a
//! while and gives a [`ModelVp`], which implements [`hv_guest::Hypercall`] and
//! [`hv_guest::ParameterPages`], and so every call of [`hv_guest::debug::DebugCalls`].
//!
//! ```
//! use hv_abi::debug::DebugPostOptions;
//! use hv_abi::{PartitionPrivileges, PartitionPropertyCode, VpIndex};
//! use hv_guest::debug::DebugCalls;
//! use hv_model::guest::GuestVp;
//! use hv_model::{Config, Hypervisor};
//!
//! let mut hv = Hypervisor::new(Config::default()).unwrap();
//! let p = hv.create_partition(PartitionPrivileges::DEBUGGING, 1).unwrap();
//! hv.set_property(p, PartitionPropertyCode::DEBUG_CHANNEL_ID, 2).unwrap();
//! let guest = GuestVp::new(&mut hv, p, VpIndex(0), 0x1000, 0x2000).unwrap();
//! assert_eq!(guest.on(&mut hv).post(b"hello", DebugPostOptions::empty()), Ok(5));
//! ```

use hv_abi::{HvResult, HvStatus, HypercallInput, HypercallOutput, PartitionId, VpIndex};
use hv_guest::{Hypercall, Msrs, PAGE_SIZE, ParameterPages};
use hv_x64::cpuid::CpuidResult;
use hv_x64::msr::SyntheticMsr;

use crate::fail;
use crate::hypervisor::Hypervisor;
use crate::{Dispatch, Registers};

/// One VP of a model partition with two mapped parameter pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuestVp {
    /// The partition.
    pub partition: PartitionId,
    /// The VP that issues the calls.
    pub vp: VpIndex,
    /// Page-aligned GPA of the input parameter page.
    pub input_gpa: u64,
    /// Page-aligned GPA of the output parameter page.
    pub output_gpa: u64,
}

impl GuestVp {
    /// Maps the two parameter pages of `vp` in `partition`; `HV_STATUS_INVALID_ALIGNMENT` when either GPA
    /// is not page-aligned.
    pub fn new(
        hv: &mut Hypervisor,
        partition: PartitionId,
        vp: VpIndex,
        input_gpa: u64,
        output_gpa: u64,
    ) -> HvResult<Self> {
        if input_gpa % PAGE_SIZE as u64 != 0 || output_gpa % PAGE_SIZE as u64 != 0 {
            return fail(HvStatus::INVALID_ALIGNMENT);
        }
        let memory = &mut hv.partition_mut(partition)?.memory;
        memory.map(input_gpa);
        memory.map(output_gpa);
        Ok(Self {
            partition,
            vp,
            input_gpa,
            output_gpa,
        })
    }

    /// The VP running on `hv` until the borrow ends.
    pub fn on(self, hv: &mut Hypervisor) -> ModelVp<'_> {
        ModelVp {
            hv,
            guest: self,
            unmapped: [0; PAGE_SIZE],
        }
    }
}

/// A [`GuestVp`] running on the model: issues hypercalls through [`Hypervisor::dispatch`], and sees its
/// parameter pages in the partition's memory.
pub struct ModelVp<'h> {
    hv: &'h mut Hypervisor,
    guest: GuestVp,
    /// What a page reads as, and where writes go, when the partition no longer has it mapped (it was
    /// unmapped or the partition is gone); the hypervisor then refuses the call.
    unmapped: [u8; PAGE_SIZE],
}

impl ModelVp<'_> {
    /// CPUID as this VP sees it ([`Hypervisor::cpuid`]), for `hv_guest::detect`.
    pub fn cpuid(&self, leaf: u32) -> CpuidResult {
        self.hv.cpuid(self.guest.partition, leaf).unwrap_or_default()
    }

    /// The hypervisor the VP runs on: its host end ([`Hypervisor::deliver`], [`Hypervisor::receive`])
    /// between the VP's calls.
    pub fn hypervisor(&mut self) -> &mut Hypervisor {
        self.hv
    }

    /// Issues one hypercall and returns at once, a suspended call included: what the VP's registers
    /// would see if the hypervisor returned to it now. [`Hypercall::hypercall`] waits instead.
    pub fn issue(&mut self, input: HypercallInput, rdx: u64, r8: u64) -> Dispatch {
        let regs = Registers {
            rcx: input.into_bits(),
            rdx,
            r8,
        };
        self.hv.dispatch(self.guest.partition, self.guest.vp, regs)
    }

    fn page(&mut self, gpa: u64) -> &mut [u8; PAGE_SIZE] {
        let page = self
            .hv
            .partition_mut(self.guest.partition)
            .ok()
            .and_then(|p| p.memory.slice_mut(gpa, PAGE_SIZE))
            .and_then(|s| <&mut [u8; PAGE_SIZE]>::try_from(s).ok());
        match page {
            Some(page) => page,
            None => {
                self.unmapped = [0; PAGE_SIZE];
                &mut self.unmapped
            }
        }
    }
}

/// The partition's synthetic MSRs through [`Hypervisor::read_msr`] and [`Hypervisor::write_msr`]; a #GP
/// reads as 0 and writes nothing (the trait has no fault to report).
impl Msrs for ModelVp<'_> {
    fn read(&mut self, msr: SyntheticMsr) -> u64 {
        let GuestVp { partition, vp, .. } = self.guest;
        self.hv.read_msr(partition, vp, msr).ok().flatten().unwrap_or(0)
    }

    fn write(&mut self, msr: SyntheticMsr, value: u64) {
        let _ = self.hv.write_msr(self.guest.partition, msr, value);
    }
}

impl Hypercall for ModelVp<'_> {
    /// Issues the call; a call that suspends the VP (a `RETRIEVE_LOOP` retrieve with nothing pending)
    /// waits until its deadline, as nothing else runs in the model meanwhile, and returns its result.
    fn hypercall(&mut self, input: HypercallInput, rdx: u64, r8: u64) -> HypercallOutput {
        match self.issue(input, rdx, r8) {
            Dispatch::Complete(out) => out,
            Dispatch::Suspended { deadline } => {
                self.hv.advance_clock(deadline.saturating_sub(self.hv.now()));
                match self.hv.take_completion(self.guest.partition, self.guest.vp) {
                    Ok(Some(out)) => out,
                    Ok(None) => Dispatch::timed_out(),
                    Err(e) => HypercallOutput::from_status(e.status()),
                }
            }
        }
    }
}

impl ParameterPages for ModelVp<'_> {
    fn input_gpa(&self) -> u64 {
        self.guest.input_gpa
    }

    fn output_gpa(&self) -> u64 {
        self.guest.output_gpa
    }

    fn input(&mut self) -> &mut [u8; PAGE_SIZE] {
        self.page(self.guest.input_gpa)
    }

    fn output(&self) -> &[u8; PAGE_SIZE] {
        self.hv
            .partition(self.guest.partition)
            .ok()
            .and_then(|p| p.memory.slice(self.guest.output_gpa, PAGE_SIZE))
            .and_then(|s| <&[u8; PAGE_SIZE]>::try_from(s).ok())
            .unwrap_or(&self.unmapped)
    }
}
