//! The dispatcher on a VM-exit path, each measurement beside its floor:
//!
//! - `fast_reset`: a fast HvResetDebugSession with 1, 16, 256 and 4096 partitions (the cost must not grow
//!   with them), beside a hand-written `match` dispatcher that makes the same checks on the same state.
//! - `round_trip`: HvPostDebugData of N bytes, the host's receive and delivery of N bytes, and
//!   HvRetrieveDebugData of N bytes, for N = 8, 64, 512 and 4088, beside `copy_from_slice` moving the same
//!   N bytes the same four times (guest page to ring, ring to host, host to ring, ring to guest page).
//! - `guest_pages`: a 64-byte round trip with 2 and with 65,538 mapped guest pages (the cost must not grow
//!   with them).
//! - `reject_reserved_bit`: a call refused for a reserved bit in its input value.
//!
//! Each benchmark checks once, before it is timed, that what it times does what it claims.

#![allow(missing_docs)] // criterion_group! generates an undocumented pub fn

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hv_abi::{CallCode, HvStatus, HypercallInput, PartitionId, PartitionPrivileges, PartitionPropertyCode, VpIndex};
use hv_model::{Config, Dispatch, Hypervisor, Registers};

const IN: u64 = 0x1000;
const OUT: u64 = 0x2000;
const VP0: VpIndex = VpIndex(0);

fn rcx(code: CallCode, fast: bool) -> u64 {
    HypercallInput::new().with_call_code(code).with_fast(fast).into_bits()
}

fn regs(code: CallCode, fast: bool, rdx: u64, r8: u64) -> Registers {
    Registers {
        rcx: rcx(code, fast),
        rdx,
        r8,
    }
}

/// A hypervisor with `n` partitions, each with the Debugging privilege, a channel id of its own and the
/// two parameter pages mapped; returns the last one.
fn hypervisor(n: u16) -> (Hypervisor, PartitionId) {
    let mut hv = Hypervisor::new(Config::default()).unwrap();
    let mut last = PartitionId(0);
    for i in 0..n {
        last = hv.create_partition(PartitionPrivileges::DEBUGGING, 1).unwrap();
        hv.set_property(last, PartitionPropertyCode::DEBUG_CHANNEL_ID, u64::from(i) + 2)
            .unwrap();
        let mem = &mut hv.partition_mut(last).unwrap().memory;
        mem.map(IN);
        mem.map(OUT);
    }
    (hv, last)
}

/// A guest page.
#[repr(C, align(4096))]
struct Page([u8; 4096]);

/// The state a hand-written dispatcher of HvResetDebugSession needs, and nothing else.
struct Bare {
    running: Vec<bool>,
    vp_waiting: Vec<bool>,
    debugging_enabled: bool,
    privileges: Vec<u64>,
    channel_ids: Vec<u16>,
    channel_users: Vec<u32>,
    pending: Vec<(usize, usize)>,
}

/// The same checks as the reference dispatcher makes for a fast reset, written out as one `match`:
/// partition, VP, call code, input value, access, options, then the purge.
fn bare_reset(s: &mut Bare, partition: usize, vp: usize, rcx: u64, rdx: u64) -> u64 {
    const RESERVED: u64 = 0xF000_F000_7800_0000;
    let status = (|| {
        if !*s.running.get(partition)? {
            return Some(HvStatus::INVALID_PARTITION_STATE);
        }
        if *s.vp_waiting.get(vp)? {
            return Some(HvStatus::INVALID_VP_STATE);
        }
        match rcx & 0xFFFF {
            0x6B => {}
            0x69 | 0x6A => return Some(HvStatus::INVALID_HYPERCALL_INPUT),
            _ => return Some(HvStatus::INVALID_HYPERCALL_CODE),
        }
        let nested = rcx >> 31 & 1 != 0;
        let fast = rcx >> 16 & 1 != 0;
        if rcx & RESERVED != 0 || rcx >> 17 & 0x3FF != 0 || nested || rcx >> 32 & 0xFFF != 0 || rcx >> 48 & 0xFFF != 0 {
            return Some(HvStatus::INVALID_HYPERCALL_INPUT);
        }
        if !fast {
            return Some(HvStatus::INVALID_HYPERCALL_INPUT);
        }
        if !s.debugging_enabled {
            return Some(HvStatus::FEATURE_UNAVAILABLE);
        }
        if s.privileges[partition] & 1 << 43 == 0 {
            return Some(HvStatus::ACCESS_DENIED);
        }
        let id = s.channel_ids[partition];
        if id == 0 || s.channel_users[usize::from(id)] > 1 {
            return Some(HvStatus::OPERATION_DENIED);
        }
        let options = rdx as u32;
        if options == 0 || options & !3 != 0 {
            return Some(HvStatus::INVALID_PARAMETER);
        }
        let (incoming, outgoing) = &mut s.pending[partition];
        let mut purged = 0;
        if options & 1 != 0 {
            purged += std::mem::take(incoming);
        }
        if options & 2 != 0 {
            purged += std::mem::take(outgoing);
        }
        Some(if purged == 0 {
            HvStatus::NO_DATA
        } else {
            HvStatus::SUCCESS
        })
    })()
    .unwrap_or(HvStatus::INVALID_VP_INDEX);
    u64::from(status.into_bits())
}

fn fast_reset(c: &mut Criterion) {
    let reset = regs(CallCode::RESET_DEBUG_SESSION, true, 3, 0);
    let no_data = Dispatch::Complete(HvStatus::NO_DATA.into());
    let mut group = c.benchmark_group("fast_reset");
    for n in [1u16, 16, 256, 4096] {
        let (mut hv, p) = hypervisor(n);
        assert_eq!(
            hv.dispatch(p, VP0, reset),
            no_data,
            "every check passed; nothing to purge"
        );
        group.bench_with_input(BenchmarkId::new("partitions", n), &n, |b, _| {
            b.iter(|| hv.dispatch(black_box(p), VP0, black_box(reset)));
        });
    }
    let n = 4096;
    let mut bare = Bare {
        running: vec![true; n],
        vp_waiting: vec![false; 1],
        debugging_enabled: true,
        privileges: vec![1 << 43; n],
        channel_ids: (0..n).map(|i| i as u16 + 2).collect(),
        channel_users: vec![1; 1 << 16],
        pending: vec![(0, 0); n],
    };
    assert_eq!(
        bare_reset(&mut bare, n - 1, 0, reset.rcx, reset.rdx),
        0x1B,
        "HV_STATUS_NO_DATA"
    );
    group.bench_function("hand_written_match", |b| {
        b.iter(|| {
            bare_reset(
                &mut bare,
                black_box(n - 1),
                0,
                black_box(reset.rcx),
                black_box(reset.rdx),
            )
        });
    });
    group.finish();
}

fn round_trip(c: &mut Criterion) {
    let mut group = c.benchmark_group("round_trip");
    for size in [8usize, 64, 512, 4088] {
        group.throughput(Throughput::Bytes(size as u64));
        let (mut hv, p) = hypervisor(1);
        let data: Vec<u8> = (0..size).map(|i| i as u8).collect();
        let mem = &mut hv.partition_mut(p).unwrap().memory;
        mem.write(IN, &[&(size as u32).to_le_bytes()[..], &[0; 4], &data].concat())
            .unwrap();
        // The retrieve input gets a page of its own.
        mem.map(0x3000);
        mem.write(0x3000, &[&(size as u32).to_le_bytes()[..], &[0; 12]].concat())
            .unwrap();
        let post = regs(CallCode::POST_DEBUG_DATA, false, IN, OUT);
        let retrieve = regs(CallCode::RETRIEVE_DEBUG_DATA, false, 0x3000, OUT);
        let mut host = vec![0u8; size];
        let run = |hv: &mut Hypervisor, host: &mut [u8]| {
            let posted = hv.dispatch(p, VP0, black_box(post));
            let received = hv.receive(p, host).unwrap();
            hv.deliver(p, host).unwrap();
            let retrieved = hv.dispatch(p, VP0, black_box(retrieve));
            (posted, received, retrieved)
        };
        let success = Dispatch::Complete(HvStatus::SUCCESS.into());
        assert_eq!(run(&mut hv, &mut host), (success, size, success));
        let mut got = vec![0u8; size];
        hv.partition(p).unwrap().memory.read(OUT + 8, &mut got).unwrap();
        assert_eq!(got, data, "the bytes went round");
        group.bench_function(BenchmarkId::new("model", size), |b| b.iter(|| run(&mut hv, &mut host)));

        // The floor: the same four moves of the same bytes, from and to the same places (the guest's data
        // sits 8 bytes into its page-aligned page, after the header), and nothing else.
        let mut guest_in = Box::new(Page([0; 4096]));
        guest_in.0[8..8 + size].copy_from_slice(&data);
        let mut guest_out = Box::new(Page([0; 4096]));
        let (mut ring_out, mut host_buf, mut ring_in) = (vec![0u8; size], vec![0u8; size], vec![0u8; size]);
        group.bench_function(BenchmarkId::new("copy_floor", size), |b| {
            b.iter(|| {
                ring_out.copy_from_slice(black_box(&guest_in.0[8..8 + size]));
                host_buf.copy_from_slice(black_box(&ring_out));
                ring_in.copy_from_slice(black_box(&host_buf));
                guest_out.0[8..8 + size].copy_from_slice(black_box(&ring_in));
                black_box(&guest_out);
            });
        });
    }
    group.finish();
}

/// A 64-byte round trip in a partition with 1 and with 65,536 other mapped pages (256 MiB, zero-filled
/// lazily by the allocator): finding a page must not cost more in a larger guest.
fn guest_pages(c: &mut Criterion) {
    let mut group = c.benchmark_group("guest_pages");
    for extra in [0u64, 65_536] {
        let (mut hv, p) = hypervisor(1);
        let mem = &mut hv.partition_mut(p).unwrap().memory;
        for page in 0..extra {
            mem.map(0x1_0000_0000 + page * 0x1000);
        }
        mem.write(IN, &[&64u32.to_le_bytes()[..], &[0; 4], &[0x5A; 64]].concat())
            .unwrap();
        mem.write(IN + 0x800, &[&64u32.to_le_bytes()[..], &[0; 12]].concat())
            .unwrap();
        let post = regs(CallCode::POST_DEBUG_DATA, false, IN, OUT);
        let retrieve = regs(CallCode::RETRIEVE_DEBUG_DATA, false, IN + 0x800, OUT);
        let mut host = [0u8; 64];
        let mut run = |hv: &mut Hypervisor| {
            let posted = hv.dispatch(p, VP0, black_box(post));
            let received = hv.receive(p, &mut host).unwrap();
            hv.deliver(p, &host).unwrap();
            (posted, received, hv.dispatch(p, VP0, black_box(retrieve)))
        };
        let success = Dispatch::Complete(HvStatus::SUCCESS.into());
        assert_eq!(run(&mut hv), (success, 64, success));
        group.bench_function(BenchmarkId::new("round_trip_64B", extra + 2), |b| {
            b.iter(|| run(&mut hv))
        });
    }
    group.finish();
}

fn reject(c: &mut Criterion) {
    let (mut hv, p) = hypervisor(1);
    let bad = Registers {
        rcx: rcx(CallCode::POST_DEBUG_DATA, false) | 1 << 27,
        rdx: IN,
        r8: OUT,
    };
    assert_eq!(
        hv.dispatch(p, VP0, bad),
        Dispatch::Complete(HvStatus::INVALID_HYPERCALL_INPUT.into())
    );
    c.bench_function("reject_reserved_bit", |b| {
        b.iter(|| hv.dispatch(p, VP0, black_box(bad)))
    });
}

criterion_group!(benches, fast_reset, round_trip, guest_pages, reject);
criterion_main!(benches);
