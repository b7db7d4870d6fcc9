//! After set-up, hypercalls allocate nothing: a counting global allocator watches every call kind,
//! success and failure alike, a suspended retrieve and its wake-up, and the host end of the channel.
#![allow(unsafe_code)] // the counting allocator below, and nothing else

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::{IN, OUT, VP0, guest, regs};
use hv_abi::{CallCode, HvStatus};
use hv_model::{Dispatch, Registers};

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// The system allocator, counting allocations made on the current thread.
struct Counting;

fn count() {
    ALLOCATIONS.with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn counting_allocator_sees_allocations() {
    assert!(allocations_during(|| drop(std::hint::black_box(vec![1u8; 16]))) >= 1);
}

#[test]
fn hypercalls_allocate_nothing_after_setup() {
    let mut g = guest();
    let p = g.p;
    let post = regs(CallCode::POST_DEBUG_DATA, false, IN, OUT);
    let retrieve = regs(CallCode::RETRIEVE_DEBUG_DATA, false, IN + 0x100, OUT);
    let reset = regs(CallCode::RESET_DEBUG_SESSION, true, 3, 0);
    let bad = regs(CallCode::POST_DEBUG_DATA, true, 0, 0);
    let unknown = Registers {
        rcx: 0xFFFF,
        rdx: 0,
        r8: 0,
    };
    let mut post_input = [0u8; 8 + 1000];
    post_input[..4].copy_from_slice(&1000u32.to_le_bytes());
    let mut retrieve_input = [0u8; 16];
    retrieve_input[..4].copy_from_slice(&600u32.to_le_bytes());
    retrieve_input[4..8].copy_from_slice(&1u32.to_le_bytes()); // RETRIEVE_LOOP
    retrieve_input[8..].copy_from_slice(&100u64.to_le_bytes()); // timeout
    let mut host_buf = [0u8; 4096];
    let delivery = [0x5Au8; 700];

    let n = allocations_during(|| {
        for _ in 0..200 {
            let mem = &mut g.hv.partition_mut(p).unwrap().memory;
            mem.write(IN, &post_input).unwrap();
            mem.write(IN + 0x100, &retrieve_input).unwrap();
            assert!(matches!(g.hv.dispatch(p, VP0, post), Dispatch::Complete(_)));
            g.hv.receive(p, &mut host_buf).unwrap();
            g.hv.deliver(p, &delivery).unwrap();
            assert!(matches!(g.hv.dispatch(p, VP0, retrieve), Dispatch::Complete(_)));
            assert!(matches!(g.hv.dispatch(p, VP0, retrieve), Dispatch::Complete(_)));
            assert!(
                matches!(g.hv.dispatch(p, VP0, retrieve), Dispatch::Suspended { .. }),
                "buffer empty: waits"
            );
            g.hv.deliver(p, &delivery[..10]).unwrap();
            assert_eq!(
                g.hv.take_completion(p, VP0).unwrap().unwrap().status(),
                HvStatus::SUCCESS
            );
            assert!(matches!(g.hv.dispatch(p, VP0, retrieve), Dispatch::Suspended { .. }));
            g.hv.advance_clock(1_000);
            assert_eq!(
                g.hv.take_completion(p, VP0).unwrap().unwrap().status(),
                HvStatus::NO_DATA
            );
            assert_eq!(
                g.hv.dispatch(p, VP0, reset),
                Dispatch::Complete(HvStatus::NO_DATA.into())
            );
            assert_eq!(
                g.hv.dispatch(p, VP0, bad),
                Dispatch::Complete(HvStatus::INVALID_HYPERCALL_INPUT.into())
            );
            assert_eq!(
                g.hv.dispatch(p, VP0, unknown),
                Dispatch::Complete(HvStatus::INVALID_HYPERCALL_CODE.into())
            );
        }
    });
    assert_eq!(n, 0, "hypercalls allocated {n} times");
    let (inc, out) = g.accounting();
    assert_eq!(
        (inc.written, out.written),
        (200 * 710, 200 * 1000),
        "the loop really moved data"
    );
}

#[test]
fn the_library_entry_point_allocates_nothing() {
    use hv_abi::PartitionPrivileges;
    use hv_abi::debug::DebugChannelId;
    use hv_model::debug_calls::{self, DebugAccess};
    use hv_model::{DebugChannel, GuestMemory};

    let mut memory = GuestMemory::default();
    memory.map(IN);
    memory.map(OUT);
    let mut channel = DebugChannel::new(4096, 8192).unwrap();
    let access = DebugAccess {
        debugging_enabled: true,
        privileges: PartitionPrivileges::DEBUGGING,
        channel_id: DebugChannelId(2),
        channel_shared: false,
    };
    let post = regs(CallCode::POST_DEBUG_DATA, false, IN, OUT);
    let retrieve = regs(CallCode::RETRIEVE_DEBUG_DATA, false, IN + 0x100, OUT);
    let mut post_input = [0u8; 8 + 1000];
    post_input[..4].copy_from_slice(&1000u32.to_le_bytes());
    memory.write(IN, &post_input).unwrap();
    let mut retrieve_input = [0u8; 16];
    retrieve_input[..4].copy_from_slice(&800u32.to_le_bytes());
    retrieve_input[4..8].copy_from_slice(&1u32.to_le_bytes()); // RETRIEVE_LOOP
    retrieve_input[8..].copy_from_slice(&100u64.to_le_bytes());
    memory.write(IN + 0x100, &retrieve_input).unwrap();
    let mut host_buf = [0u8; 4096];
    let success = Dispatch::Complete(HvStatus::SUCCESS.into());

    let n = allocations_during(|| {
        for _ in 0..200 {
            assert_eq!(
                debug_calls::dispatch(post, &access, &mut channel, &mut memory, 0),
                success
            );
            assert_eq!(channel.receive(&mut host_buf), 1000);
            assert_eq!(channel.deliver(&host_buf[..700]), 0);
            assert_eq!(
                debug_calls::dispatch(retrieve, &access, &mut channel, &mut memory, 0),
                success
            );
            let waits = debug_calls::dispatch(retrieve, &access, &mut channel, &mut memory, 0);
            assert_eq!(waits, Dispatch::Suspended { deadline: 100 });
            channel.deliver(&host_buf[..10]);
            let resumed = debug_calls::resume(retrieve, 100, &access, &mut channel, &mut memory, 5);
            assert_eq!(resumed, success);
        }
    });
    assert_eq!(n, 0, "the library dispatcher allocated {n} times");
    assert_eq!(channel.incoming().read, 200 * 710, "the loop really moved data");
}

/// The real hosts' profiles allocate nothing per call either: posts, retrieves, deliveries and resets on
/// each, with frames where the host wants them.
#[test]
fn every_host_profile_allocates_nothing_per_call() {
    use hv_guest::transport::udp::{self, Endpoint};
    use hv_model::debug_calls::DebugAccess;
    use hv_model::hosts::{self, Host, Profile};
    use hv_model::{DebugChannel, GuestMemory};

    let ports_0 = Endpoint::default();
    let mut frame = [0u8; 42 + 100];
    let framed = udp::build(&ports_0, &ports_0, &[5u8; 100], &mut frame).unwrap();
    for &host in Host::ALL {
        let mut memory = GuestMemory::default();
        memory.map(IN);
        memory.map(OUT);
        let mut channel = DebugChannel::new(8192, 8192).unwrap();
        let access = DebugAccess {
            debugging_enabled: true,
            privileges: hv_abi::PartitionPrivileges::DEBUGGING,
            channel_id: hv_abi::debug::DebugChannelId(2),
            channel_shared: false,
        };
        let profile = Profile::of(host);
        let data: &[u8] = if matches!(host, Host::QemuKvm | Host::VirtualBox) {
            &frame[..framed]
        } else {
            &[5u8; 100]
        };
        let mut input = [0u8; 8 + 142];
        input[..4].copy_from_slice(&(data.len() as u32).to_le_bytes());
        input[8..8 + data.len()].copy_from_slice(data);
        memory.write(IN, &input).unwrap();
        let mut retrieve_input = [0u8; 16];
        retrieve_input[..4].copy_from_slice(&4088u32.to_le_bytes());
        memory.write(IN + 0x200, &retrieve_input).unwrap();
        let post = regs(CallCode::POST_DEBUG_DATA, false, IN, OUT);
        let retrieve = regs(CallCode::RETRIEVE_DEBUG_DATA, false, IN + 0x200, OUT);
        let reset = regs(CallCode::RESET_DEBUG_SESSION, true, 3, OUT);
        let mut host_buf = [0u8; 256];
        let success = Dispatch::Complete(HvStatus::SUCCESS.into());
        let n = allocations_during(|| {
            for _ in 0..100 {
                assert_eq!(
                    hosts::dispatch(&profile, post, &access, &mut channel, &mut memory, 0),
                    success,
                    "{host}"
                );
                assert_eq!(channel.receive(&mut host_buf), 100, "{host}");
                channel.deliver(&host_buf[..60]);
                assert_eq!(
                    hosts::dispatch(&profile, retrieve, &access, &mut channel, &mut memory, 0),
                    success,
                    "{host}"
                );
                let _ = hosts::dispatch(&profile, reset, &access, &mut channel, &mut memory, 0);
            }
        });
        assert_eq!(n, 0, "the {host} profile allocated {n} times");
    }
}
