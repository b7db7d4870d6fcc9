//! The guest side of a debug channel: one VP issuing the three debug hypercalls through the x64
//! registers and its own parameter pages, as a guest debug transport (kdnet over hypercalls) would.

use hv_abi::debug::{
    DebugPostOptions, DebugPurgeOptions, DebugRetrieveOptions, HV_DEBUG_MAXIMUM_DATA_SIZE, RetrieveDebugDataOutput,
};
use hv_abi::{CallCode, HvResult, HvStatus, HypercallInput, PartitionId, VpIndex};
use zerocopy::IntoBytes;

use crate::fail;
use crate::hypervisor::Hypervisor;
use crate::memory::PAGE_SIZE;
use crate::{Dispatch, Registers};

/// What a retrieve did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retrieved {
    /// `retrieved` bytes were copied out; `remaining` are still pending.
    Data {
        /// `RetrievedCount`.
        retrieved: u32,
        /// `RemainingCount`.
        remaining: u32,
    },
    /// The VP waits (`RETRIEVE_LOOP`) until data arrives or the clock reaches `deadline`.
    Waiting {
        /// When the wait ends with `HV_STATUS_NO_DATA`.
        deadline: u64,
    },
}

/// One VP of a partition with two mapped parameter pages.
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

fn rcx(code: CallCode, fast: bool) -> u64 {
    HypercallInput::new().with_call_code(code).with_fast(fast).into_bits()
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
        if input_gpa % PAGE_SIZE != 0 || output_gpa % PAGE_SIZE != 0 {
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

    fn write_input(&self, hv: &mut Hypervisor, parts: &[&[u8]]) -> HvResult<()> {
        let memory = &mut hv.partition_mut(self.partition)?.memory;
        let mut at = self.input_gpa;
        for part in parts {
            memory.write(at, part).or_else(|_| fail(HvStatus::INVALID_ALIGNMENT))?;
            at += part.len() as u64;
        }
        Ok(())
    }

    fn call(&self, hv: &mut Hypervisor, regs: Registers) -> HvResult<Option<u64>> {
        match hv.dispatch(self.partition, self.vp, regs) {
            Dispatch::Complete(out) => out.status().result().map(|()| None),
            Dispatch::Suspended { deadline } => Ok(Some(deadline)),
        }
    }

    /// HvPostDebugData: posts `data`; returns `PendingCount`.
    ///
    /// `Count` is `data.len()` (saturated to `u32::MAX`), and only what fits the input page after the
    /// header is written: more than 4088 bytes is the hypervisor's `HV_STATUS_INVALID_PARAMETER` to give,
    /// and nothing is written outside the page.
    pub fn post(&self, hv: &mut Hypervisor, data: &[u8], options: DebugPostOptions) -> HvResult<u32> {
        let count = u32::try_from(data.len()).unwrap_or(u32::MAX);
        let in_page = &data[..data.len().min(HV_DEBUG_MAXIMUM_DATA_SIZE)];
        self.write_input(hv, &[count.as_bytes(), options.as_bytes(), in_page])?;
        let regs = Registers {
            rcx: rcx(CallCode::POST_DEBUG_DATA, false),
            rdx: self.input_gpa,
            r8: self.output_gpa,
        };
        self.call(hv, regs)?;
        let mut pending = [0u8; 4];
        hv.partition(self.partition)?
            .memory
            .read(self.output_gpa, &mut pending)
            .or_else(|_| fail(HvStatus::INVALID_ALIGNMENT))?;
        Ok(u32::from_le_bytes(pending))
    }

    /// HvRetrieveDebugData for up to `out.len()` bytes (at most 4088); the data lands in `out`.
    pub fn retrieve(
        &self,
        hv: &mut Hypervisor,
        out: &mut [u8],
        options: DebugRetrieveOptions,
        timeout: u64,
    ) -> HvResult<Retrieved> {
        let count = u32::try_from(out.len()).or_else(|_| fail(HvStatus::INVALID_PARAMETER))?;
        self.write_input(hv, &[count.as_bytes(), options.as_bytes(), timeout.as_bytes()])?;
        let regs = Registers {
            rcx: rcx(CallCode::RETRIEVE_DEBUG_DATA, false),
            rdx: self.input_gpa,
            r8: self.output_gpa,
        };
        if let Some(deadline) = self.call(hv, regs)? {
            return Ok(Retrieved::Waiting { deadline });
        }
        self.read_output(hv, out)
    }

    /// The output page of the last successful retrieve (also after a wait completed): its data into
    /// `out`, and the counts.
    pub fn read_output(&self, hv: &Hypervisor, out: &mut [u8]) -> HvResult<Retrieved> {
        let memory = &hv.partition(self.partition)?.memory;
        let mut head = [0u32; 2];
        memory
            .read(self.output_gpa, head.as_mut_bytes())
            .or_else(|_| fail(HvStatus::INVALID_ALIGNMENT))?;
        let [retrieved, remaining] = head;
        let n = (retrieved as usize).min(out.len());
        let data_gpa = self.output_gpa + RetrieveDebugDataOutput::HEADER_SIZE as u64;
        memory
            .read(data_gpa, &mut out[..n])
            .or_else(|_| fail(HvStatus::INVALID_ALIGNMENT))?;
        Ok(Retrieved::Data { retrieved, remaining })
    }

    /// HvResetDebugSession, fast form.
    pub fn reset(&self, hv: &mut Hypervisor, options: DebugPurgeOptions) -> HvResult<()> {
        let regs = Registers {
            rcx: rcx(CallCode::RESET_DEBUG_SESSION, true),
            rdx: u64::from(options.bits()),
            r8: 0,
        };
        self.call(hv, regs).map(|_| ())
    }
}
