//! The debug hypercalls from the guest's side: HvPostDebugData and HvRetrieveDebugData in the memory form
//! over the VP's [`ParameterPages`], HvResetDebugSession in the fast form (2013 WDK reference ff539094,
//! ff539134, ff539121).
//!
//! Each call writes its input, issues the hypercall and reads its output only on success. Nothing here
//! panics: data longer than a page can carry is refused before any hypercall, and output counts are
//! bounded by the page before they index it.
//!
//! ```
//! use hv_abi::debug::DebugPostOptions;
//! use hv_abi::{HvStatus, HypercallInput, HypercallOutput};
//! use hv_guest::debug::DebugCalls;
//! use hv_guest::{Hypercall, OwnedPages, Page, Vp};
//!
//! // A hypervisor that takes every post and reports 5 bytes pending.
//! struct Accepting;
//! impl Hypercall for Accepting {
//!     fn hypercall(&mut self, _: HypercallInput, _: u64, _: u64) -> HypercallOutput {
//!         HvStatus::SUCCESS.into()
//!     }
//! }
//! let (mut input, mut output) = (Page::zeroed(), Page::zeroed());
//! output.0[0] = 5;
//! let pages = OwnedPages { input: &mut input, input_gpa: 0x1000, output: &mut output, output_gpa: 0x2000 };
//! let mut vp = Vp { hypercall: Accepting, pages };
//! assert_eq!(vp.post(b"hello", DebugPostOptions::empty()), Ok(5));
//! assert_eq!(&input.0[..13], b"\x05\0\0\0\0\0\0\0hello");
//! ```

use hv_abi::debug::{
    DebugPostOptions, DebugPurgeOptions, DebugRetrieveOptions, HV_DEBUG_MAXIMUM_DATA_SIZE, PostDebugDataInput,
    RetrieveDebugDataOutput,
};
use hv_abi::{CallCode, HvError, HvResult, HvStatus, HypercallInput};
use zerocopy::IntoBytes;

use crate::{Hypercall, ParameterPages};

/// What a successful retrieve returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retrieved {
    /// `RetrievedCount`: the bytes copied into the caller's buffer.
    pub retrieved: u32,
    /// `RemainingCount`: the bytes still pending in the incoming buffer.
    pub remaining: u32,
}

/// `HV_STATUS_INVALID_PARAMETER`, for data longer than a page carries (checked when this compiles).
const TOO_LONG: HvError = match HvStatus::INVALID_PARAMETER.result() {
    Err(e) => e,
    Ok(()) => panic!("HV_STATUS_INVALID_PARAMETER is a failing status"),
};

/// The three debug calls, for any VP that can issue hypercalls and has parameter pages.
pub trait DebugCalls: Hypercall + ParameterPages {
    /// HvPostDebugData: posts `data` (at most 4088 bytes) and returns `PendingCount`, the bytes pending
    /// in the outgoing buffer including these. Longer data is `HV_STATUS_INVALID_PARAMETER` from the
    /// guest side, without a hypercall (the hypervisor would answer the same).
    fn post(&mut self, data: &[u8], options: DebugPostOptions) -> HvResult<u32> {
        if data.len() > HV_DEBUG_MAXIMUM_DATA_SIZE {
            return Err(TOO_LONG);
        }
        let input = self.input();
        let header = PostDebugDataInput::HEADER_SIZE;
        input[..4].copy_from_slice((data.len() as u32).as_bytes());
        input[4..header].copy_from_slice(options.as_bytes());
        input[header..header + data.len()].copy_from_slice(data);
        self.memory_call(CallCode::POST_DEBUG_DATA)?;
        let out = self.output();
        Ok(u32::from_le_bytes([out[0], out[1], out[2], out[3]]))
    }

    /// HvRetrieveDebugData: retrieves up to `buf.len()` bytes (at most 4088) into `buf`. With
    /// `RETRIEVE_LOOP` the hypervisor may hold the VP for up to `timeout` (100 ns units) when nothing is
    /// pending; the call returns when the wait ends.
    fn retrieve(&mut self, buf: &mut [u8], options: DebugRetrieveOptions, timeout: u64) -> HvResult<Retrieved> {
        if buf.len() > HV_DEBUG_MAXIMUM_DATA_SIZE {
            return Err(TOO_LONG);
        }
        let input = self.input();
        input[..4].copy_from_slice((buf.len() as u32).as_bytes());
        input[4..8].copy_from_slice(options.as_bytes());
        input[8..16].copy_from_slice(timeout.as_bytes());
        self.memory_call(CallCode::RETRIEVE_DEBUG_DATA)?;
        let out = self.output();
        let retrieved = u32::from_le_bytes([out[0], out[1], out[2], out[3]]);
        let remaining = u32::from_le_bytes([out[4], out[5], out[6], out[7]]);
        // A hypervisor that reports more than was asked for gets no more than fits `buf`.
        let n = (retrieved as usize).min(buf.len());
        let header = RetrieveDebugDataOutput::HEADER_SIZE;
        buf[..n].copy_from_slice(&out[header..header + n]);
        Ok(Retrieved { retrieved, remaining })
    }

    /// HvResetDebugSession, fast form: purges the buffers `options` names. `HV_STATUS_NO_DATA` when there
    /// was nothing to purge (2013 reference). R8 is the output page: the reference ignores it, and QEMU
    /// writes a 24-byte answer there even in the fast form (at GPA 0, had R8 been 0).
    fn reset(&mut self, options: DebugPurgeOptions) -> HvResult<()> {
        let input = HypercallInput::new()
            .with_call_code(CallCode::RESET_DEBUG_SESSION)
            .with_fast(true);
        let output = self.output_gpa();
        self.hypercall(input, u64::from(options.bits()), output)
            .status()
            .result()
    }

    /// A memory-form call of `code` with the VP's parameter pages.
    #[doc(hidden)]
    fn memory_call(&mut self, code: CallCode) -> HvResult<()> {
        let (rdx, r8) = (self.input_gpa(), self.output_gpa());
        let input = HypercallInput::new().with_call_code(code);
        self.hypercall(input, rdx, r8).status().result()
    }
}

impl<V: Hypercall + ParameterPages + ?Sized> DebugCalls for V {}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::boxed::Box;
    use std::vec::Vec;

    use super::*;
    use crate::{PAGE_SIZE, Page};
    use hv_abi::HypercallOutput;

    /// A VP whose hypervisor records each call and answers with `status`, writing `answer` to the output
    /// page first, as a hypervisor writes guest memory.
    struct Fake {
        calls: Vec<(u64, u64, u64)>,
        status: HvStatus,
        answer: Vec<u8>,
        input: Box<Page>,
        output: Box<Page>,
    }

    impl Fake {
        fn new(status: HvStatus, answer: &[u8]) -> Self {
            Self {
                calls: Vec::new(),
                status,
                answer: answer.to_vec(),
                input: Box::default(),
                output: Box::default(),
            }
        }
    }

    impl Hypercall for Fake {
        fn hypercall(&mut self, input: HypercallInput, rdx: u64, r8: u64) -> HypercallOutput {
            self.calls.push((input.into_bits(), rdx, r8));
            self.output.0[..self.answer.len()].copy_from_slice(&self.answer);
            self.status.into()
        }
    }

    impl ParameterPages for Fake {
        fn input_gpa(&self) -> u64 {
            0x1000
        }
        fn output_gpa(&self) -> u64 {
            0x2000
        }
        fn input(&mut self) -> &mut [u8; PAGE_SIZE] {
            &mut self.input.0
        }
        fn output(&self) -> &[u8; PAGE_SIZE] {
            &self.output.0
        }
    }

    #[test]
    fn post_writes_the_input_page_and_reads_pending_count() {
        let mut vp = Fake::new(HvStatus::SUCCESS, &[9, 0, 0, 0]);
        assert_eq!(vp.post(b"hi", DebugPostOptions::POST_LOOP), Ok(9));
        assert_eq!(vp.calls, [(0x69, 0x1000, 0x2000)]);
        assert_eq!(&vp.input.0[..10], b"\x02\0\0\0\x01\0\0\0hi");
    }

    #[test]
    fn a_failed_call_returns_its_status_and_reads_nothing() {
        let mut vp = Fake::new(HvStatus::INSUFFICIENT_BUFFERS, &[9]);
        let got = vp.post(b"x", DebugPostOptions::empty());
        assert_eq!(got.unwrap_err().status(), HvStatus::INSUFFICIENT_BUFFERS);
        let mut vp = Fake::new(HvStatus::NO_DATA, &[1, 0, 0, 0, 0, 0, 0, 0, b'z']);
        let mut buf = [0u8; 4];
        let got = vp.retrieve(&mut buf, DebugRetrieveOptions::empty(), 0);
        assert_eq!(got.unwrap_err().status(), HvStatus::NO_DATA);
        assert_eq!(buf, [0; 4], "nothing is copied from a failed retrieve's page");
    }

    #[test]
    fn oversized_requests_are_refused_without_a_hypercall() {
        let mut vp = Fake::new(HvStatus::SUCCESS, &[]);
        let got = vp.post(&[0; 4089], DebugPostOptions::empty());
        assert_eq!(got.unwrap_err().status(), HvStatus::INVALID_PARAMETER);
        let mut big = [0u8; 4089];
        let got = vp.retrieve(&mut big, DebugRetrieveOptions::empty(), 0);
        assert_eq!(got.unwrap_err().status(), HvStatus::INVALID_PARAMETER);
        assert!(vp.calls.is_empty());
        assert_eq!(
            vp.post(&[7; 4088], DebugPostOptions::empty()),
            Ok(0),
            "4088 bytes fill the page"
        );
        assert_eq!(vp.input.0[4095], 7);
    }

    #[test]
    fn retrieve_copies_no_more_than_the_buffer_whatever_the_count_says() {
        let mut vp = Fake::new(HvStatus::SUCCESS, &[200, 0, 0, 0, 7, 0, 0, 0, b'a', b'b', b'c', b'd']);
        let mut buf = [0u8; 3];
        let got = vp.retrieve(&mut buf, DebugRetrieveOptions::RETRIEVE_LOOP, 10_000);
        assert_eq!(
            got,
            Ok(Retrieved {
                retrieved: 200,
                remaining: 7
            })
        );
        assert_eq!(&buf, b"abc");
        assert_eq!(vp.calls, [(0x6a, 0x1000, 0x2000)]);
        assert_eq!(
            &vp.input.0[..16],
            &[3, 0, 0, 0, 1, 0, 0, 0, 0x10, 0x27, 0, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn reset_is_a_fast_call_with_the_options_in_rdx() {
        let mut vp = Fake::new(HvStatus::SUCCESS, &[]);
        assert_eq!(vp.reset(DebugPurgeOptions::all()), Ok(()));
        assert_eq!(
            vp.calls,
            [(0x1006b, 3, 0x2000)],
            "R8 the output page, where QEMU writes its answer"
        );
    }
}
