//! Model-based test: random sequences of guest hypercalls (valid and invalid, with parameter blocks at page
//! starts, page ends, the last bytes of the address space, misaligned and unmapped places), guest writes,
//! host deliveries and receives, clock steps, property and lifecycle changes run on hv-model and on the
//! specification of `hv_tests::model`. After every step the results, guest memory, buffers, accounting,
//! the activity mark and the waits agree, and a refused call changes nothing. Proptest shrinks a failure
//! to a minimal sequence of ops.

use hv_abi::{CallCode, HypercallInput};
use hv_model::Registers;
use hv_tests::model::{LAST_PAGE, Lifecycle, MAX, Op, World};
use proptest::prelude::*;

const IN: u64 = 0x1000;
const OUT: u64 = 0x2000;

/// Where a parameter block goes, relative to a mapped page `page`.
fn gpa(page: u64) -> impl Strategy<Value = u64> {
    prop_oneof![
        6 => Just(page),
        2 => Just(page + 0xFF0),
        1 => Just(page + 0xFF8),
        1 => Just(page + 4),
        1 => Just(0x9000),
        1 => Just(LAST_PAGE + 0xFF8),
    ]
}

fn count() -> impl Strategy<Value = u32> {
    prop_oneof![6 => 0u32..40, 2 => Just(0), 1 => 4000u32..=MAX, 1 => (MAX + 1)..5000, 1 => any::<u32>()]
}

fn options(valid: u32) -> impl Strategy<Value = u32> {
    prop_oneof![8 => 0..=valid, 1 => any::<u32>()]
}

fn rcx(code: CallCode, fast: bool) -> u64 {
    HypercallInput::new().with_call_code(code).with_fast(fast).into_bits()
}

fn call(p: usize, code: CallCode, fast: bool, rdx: u64, r8: u64) -> Op {
    let regs = Registers {
        rcx: rcx(code, fast),
        rdx,
        r8,
    };
    Op::Call { p, vp: 0, regs }
}

/// One guest-visible action: a debug call with its input written first, or something else.
fn op() -> impl Strategy<Value = Vec<Op>> {
    let p = 0usize..2;
    prop_oneof![
        6 => (p.clone(), count(), options(1), gpa(IN), gpa(OUT)).prop_map(|(p, count, options, at, out)| {
            let data: Vec<u8> = (0..count.min(MAX) as usize).map(|i| i as u8 ^ 0x5A).collect();
            let input = [&count.to_le_bytes()[..], &options.to_le_bytes(), &data].concat();
            // The write, like a guest's, happens only where the whole input is mapped.
            let input = input[..input.len().min((0x1000 - at % 0x1000) as usize)].to_vec();
            vec![Op::Write { p, gpa: at, bytes: input }, call(p, CallCode::POST_DEBUG_DATA, false, at, out)]
        }),
        6 => (p.clone(), count(), options(3), prop_oneof![Just(0u64), 1u64..50, Just(u64::MAX)], gpa(IN), gpa(OUT))
            .prop_map(|(p, count, options, timeout, at, out)| {
                let input = [&count.to_le_bytes()[..], &options.to_le_bytes(), &timeout.to_le_bytes()].concat();
                vec![Op::Write { p, gpa: at, bytes: input }, call(p, CallCode::RETRIEVE_DEBUG_DATA, false, at, out)]
            }),
        3 => (p.clone(), options(3), any::<bool>(), gpa(IN)).prop_map(|(p, options, fast, at)| {
            if fast {
                vec![call(p, CallCode::RESET_DEBUG_SESSION, true, u64::from(options), 0)]
            } else {
                let input = u64::from(options).to_le_bytes().to_vec();
                vec![Op::Write { p, gpa: at, bytes: input }, call(p, CallCode::RESET_DEBUG_SESSION, false, at, 0)]
            }
        }),
        1 => (p.clone(), prop_oneof![Just(0x69u16), Just(0x6A), Just(0x6B), any::<u16>()], any::<bool>(), 1u16..4)
            .prop_map(|(p, code, fast, reps)| {
                let rcx = HypercallInput::from_bits(rcx(CallCode::from_bits(code), fast)).with_rep_count(reps);
                vec![Op::Call { p, vp: 0, regs: Registers { rcx: rcx.into_bits(), rdx: IN, r8: OUT } }]
            }),
        1 => (p.clone(), 0u32..3, any::<u64>(), any::<u64>(), any::<u64>())
            .prop_map(|(p, vp, rcx, rdx, r8)| vec![Op::Call { p, vp, regs: Registers { rcx, rdx, r8 } }]),
        5 => (p.clone(), 0usize..80).prop_map(|(p, len)| vec![Op::Deliver { p, len }]),
        3 => (p.clone(), 0usize..5000).prop_map(|(p, len)| vec![Op::Receive { p, len }]),
        2 => (0u64..60).prop_map(|by| vec![Op::Advance { by }]),
        1 => (p.clone(), 0u16..4).prop_map(|(p, id)| vec![Op::SetChannel { p, id }]),
        1 => (p.clone(), prop::bool::weighted(0.8)).prop_map(|(p, debugging)| vec![Op::SetPrivilege { p, debugging }]),
        1 => prop::bool::weighted(0.8).prop_map(|on| vec![Op::EnableDebugging(on)]),
        1 => (p, prop_oneof![4 => Just(Lifecycle::Reset), 4 => Just(Lifecycle::Save), 1 => Just(Lifecycle::Complete)])
            .prop_map(|(p, change)| vec![Op::Lifecycle { p, change }]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn model_agrees_with_the_specification(ops in proptest::collection::vec(op(), 1..80)) {
        let mut world = World::new();
        for op in ops.iter().flatten() {
            world.step(op);
        }
    }
}
