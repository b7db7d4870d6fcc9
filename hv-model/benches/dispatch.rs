//! The dispatcher on a VM-exit path: one post and one retrieve of 64 bytes, through the x64 registers,
//! with the host draining and refilling the channel; and a rejected call (reserved input bit).

#![allow(missing_docs)] // criterion_group! generates an undocumented pub fn

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hv_abi::{CallCode, HvStatus, HypercallInput, PartitionPrivileges, PartitionPropertyCode, VpIndex};
use hv_model::{Config, Dispatch, Hypervisor, Registers};

const IN: u64 = 0x1000;
const OUT: u64 = 0x2000;

fn rcx(code: CallCode) -> u64 {
    HypercallInput::new().with_call_code(code).into_bits()
}

fn setup() -> (Hypervisor, hv_abi::PartitionId) {
    let mut hv = Hypervisor::new(Config::default()).unwrap();
    let p = hv.create_partition(PartitionPrivileges::DEBUGGING, 1).unwrap();
    hv.set_property(p, PartitionPropertyCode::DEBUG_CHANNEL_ID, 2).unwrap();
    let mem = &mut hv.partition_mut(p).unwrap().memory;
    mem.map(IN);
    mem.map(OUT);
    (hv, p)
}

fn dispatch(c: &mut Criterion) {
    let (mut hv, p) = setup();
    let mut post_input = [0u8; 8 + 64];
    post_input[..4].copy_from_slice(&64u32.to_le_bytes());
    let mut retrieve_input = [0u8; 16];
    retrieve_input[..4].copy_from_slice(&64u32.to_le_bytes());
    let mem = &mut hv.partition_mut(p).unwrap().memory;
    mem.write(IN, &post_input).unwrap();
    mem.write(IN + 0x800, &retrieve_input).unwrap();
    let post = Registers {
        rcx: rcx(CallCode::POST_DEBUG_DATA),
        rdx: IN,
        r8: OUT,
    };
    let retrieve = Registers {
        rcx: rcx(CallCode::RETRIEVE_DEBUG_DATA),
        rdx: IN + 0x800,
        r8: OUT,
    };
    let data = [0x5Au8; 64];
    let mut host = [0u8; 64];
    let mut round_trip = |hv: &mut Hypervisor| {
        let a = hv.dispatch(p, VpIndex(0), black_box(post));
        let received = hv.receive(p, &mut host).unwrap();
        hv.deliver(p, &data).unwrap();
        let r = hv.dispatch(p, VpIndex(0), black_box(retrieve));
        (a, received, r)
    };
    // What is timed is a successful round trip that moves 64 bytes each way.
    let success = Dispatch::Complete(HvStatus::SUCCESS.into());
    assert_eq!(round_trip(&mut hv), (success, 64, success));
    let mut got = [0u8; 64];
    hv.partition(p).unwrap().memory.read(OUT + 8, &mut got).unwrap();
    assert_eq!(got, data);
    c.bench_function("dispatch/post_and_retrieve_64B", |b| {
        b.iter(|| round_trip(&mut hv));
    });
    let bad = Registers {
        rcx: rcx(CallCode::POST_DEBUG_DATA) | 1 << 27,
        rdx: IN,
        r8: OUT,
    };
    assert_eq!(
        hv.dispatch(p, VpIndex(0), bad),
        Dispatch::Complete(HvStatus::INVALID_HYPERCALL_INPUT.into())
    );
    c.bench_function("dispatch/reject_reserved_bit", |b| {
        b.iter(|| matches!(hv.dispatch(p, VpIndex(0), black_box(bad)), Dispatch::Complete(_)));
    });
}

criterion_group!(benches, dispatch);
criterion_main!(benches);
