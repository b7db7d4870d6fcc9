//! The dispatcher as a library: over a VMM's own guest memory, each guest page is looked up once per call,
//! and the partition's debug access is exactly what the VMM says it is.

mod common;

use std::cell::Cell;

use common::regs;

use hv_abi::debug::DebugChannelId;
use hv_abi::{CallCode, HvStatus, PartitionPrivileges};
use hv_model::debug_calls::{self, DebugAccess};
use hv_model::{BlockError, DebugChannel, Dispatch, GuestMemory, GuestMemoryAccess, ModelPage, Registers};

/// The model's memory, counting page look-ups.
#[derive(Default)]
struct Counting {
    inner: GuestMemory,
    lookups: Cell<usize>,
}

impl GuestMemoryAccess for Counting {
    type Page = ModelPage;

    fn page(&self, gpa: u64) -> Option<ModelPage> {
        self.lookups.set(self.lookups.get() + 1);
        self.inner.page(gpa)
    }

    fn read_page(&self, page: ModelPage, offset: usize, buf: &mut [u8]) -> Result<(), BlockError> {
        self.inner.read_page(page, offset, buf)
    }

    fn write_page(&mut self, page: ModelPage, offset: usize, data: &[u8]) -> Result<(), BlockError> {
        self.inner.write_page(page, offset, data)
    }
}

const ACCESS: DebugAccess = DebugAccess {
    debugging_enabled: true,
    privileges: PartitionPrivileges::DEBUGGING,
    channel_id: DebugChannelId(2),
    channel_shared: false,
};

fn status(d: Dispatch) -> HvStatus {
    match d {
        Dispatch::Complete(out) => out.status(),
        Dispatch::Suspended { .. } => panic!("suspended"),
    }
}

#[test]
fn each_guest_page_is_looked_up_once_per_call() {
    let mut memory = Counting::default();
    memory.inner.map(0x1000);
    memory.inner.map(0x2000);
    let mut channel = DebugChannel::new(4096, 8192).unwrap();
    // RETRIEVE finds 200 bytes from the host.
    channel.deliver(&[1; 200]);
    let mut call = |memory: &mut Counting, regs: Registers| {
        memory.lookups.set(0);
        let s = status(debug_calls::dispatch(regs, &ACCESS, &mut channel, memory, 0));
        (s, memory.lookups.get())
    };
    // Post: the input page (header and data) and the output page, once each.
    memory
        .inner
        .write(0x1000, &[&100u32.to_le_bytes()[..], &[0; 4], &[7; 100]].concat())
        .unwrap();
    let post = regs(CallCode::POST_DEBUG_DATA, false, 0x1000, 0x2000);
    assert_eq!(call(&mut memory, post), (HvStatus::SUCCESS, 2));
    // Both blocks in one page: still one look-up per block.
    let same_page = regs(CallCode::POST_DEBUG_DATA, false, 0x1000, 0x1800);
    assert_eq!(call(&mut memory, same_page), (HvStatus::SUCCESS, 2));
    // Retrieve: input page and output page (header and data).
    memory
        .inner
        .write(0x1800, &[&150u32.to_le_bytes()[..], &[0; 12]].concat())
        .unwrap();
    let retrieve = regs(CallCode::RETRIEVE_DEBUG_DATA, false, 0x1800, 0x2000);
    assert_eq!(call(&mut memory, retrieve), (HvStatus::SUCCESS, 2));
    // Reset: the memory form reads its input page; the fast form none.
    memory.inner.write(0x1000, &3u64.to_le_bytes()).unwrap();
    assert_eq!(
        call(&mut memory, regs(CallCode::RESET_DEBUG_SESSION, false, 0x1000, 0)),
        (HvStatus::SUCCESS, 1)
    );
    assert_eq!(
        call(&mut memory, regs(CallCode::RESET_DEBUG_SESSION, true, 3, 0)),
        (HvStatus::NO_DATA, 0)
    );
    // A call refused before its blocks are checked looks nothing up.
    let bad = Registers {
        rcx: post.rcx | 1 << 27,
        ..post
    };
    assert_eq!(call(&mut memory, bad), (HvStatus::INVALID_HYPERCALL_INPUT, 0));
}

#[test]
fn debug_access_is_checked_in_the_documented_order() {
    let cases = [
        (
            DebugAccess {
                debugging_enabled: false,
                privileges: PartitionPrivileges::empty(),
                channel_id: DebugChannelId(0),
                channel_shared: true,
            },
            HvStatus::FEATURE_UNAVAILABLE,
        ),
        (
            DebugAccess {
                privileges: PartitionPrivileges::empty(),
                channel_id: DebugChannelId(0),
                ..ACCESS
            },
            HvStatus::ACCESS_DENIED,
        ),
        (
            DebugAccess {
                channel_id: DebugChannelId(0),
                ..ACCESS
            },
            HvStatus::OPERATION_DENIED,
        ),
        (
            DebugAccess {
                channel_shared: true,
                ..ACCESS
            },
            HvStatus::OPERATION_DENIED,
        ),
    ];
    let mut memory = GuestMemory::default();
    let mut channel = DebugChannel::new(16, 8192).unwrap();
    channel.deliver(b"kept");
    for (access, want) in cases {
        assert_eq!(access.check().unwrap_err().status(), want, "{access:?}");
        let reset = regs(CallCode::RESET_DEBUG_SESSION, true, 3, 0);
        assert_eq!(
            status(debug_calls::dispatch(reset, &access, &mut channel, &mut memory, 0)),
            want
        );
    }
    assert_eq!(channel.incoming().pending, 4, "no refused call purged anything");
    assert_eq!(ACCESS.check(), Ok(()));
}

#[test]
fn a_resumed_retrieve_waits_again_or_completes() {
    let mut memory = GuestMemory::default();
    memory.map(0x1000);
    let mut channel = DebugChannel::new(16, 8192).unwrap();
    // RETRIEVE_LOOP, timeout 100, at 0x1000; output at 0x1800.
    memory
        .write(
            0x1000,
            &[&8u32.to_le_bytes()[..], &1u32.to_le_bytes(), &100u64.to_le_bytes()].concat(),
        )
        .unwrap();
    let retrieve = regs(CallCode::RETRIEVE_DEBUG_DATA, false, 0x1000, 0x1800);
    assert_eq!(
        debug_calls::dispatch(retrieve, &ACCESS, &mut channel, &mut memory, 10),
        Dispatch::Suspended { deadline: 110 }
    );
    assert_eq!(
        debug_calls::resume(retrieve, 110, &ACCESS, &mut channel, &mut memory, 50),
        Dispatch::Suspended { deadline: 110 }
    );
    channel.deliver(b"go");
    assert_eq!(
        status(debug_calls::resume(
            retrieve,
            110,
            &ACCESS,
            &mut channel,
            &mut memory,
            60
        )),
        HvStatus::SUCCESS
    );
    assert_eq!(
        memory.slice(0x1800, 10),
        Some(&[2, 0, 0, 0, 0, 0, 0, 0, b'g', b'o'][..])
    );
    assert_eq!(Dispatch::timed_out().status(), HvStatus::NO_DATA);
}
