//! The hypercall input value on a VM-exit path: decode every field and validate, over values that vary
//! (reserved bits, nested, variable header, rep fields and the fast bit included), so that neither the
//! decode nor the check can be folded into a constant filter.

#![allow(missing_docs)] // criterion_group! generates an undocumented pub fn

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hv_abi::HypercallInput;

/// 1024 input values: a fast HvResetDebugSession with every field and reserved range varied by a cheap
/// generator (xorshift), one value in eight left valid.
fn inputs() -> Vec<u64> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    (0..1024)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if i % 8 == 0 { 0x0001_006B } else { x }
        })
        .collect()
}

/// Reads every field of each value and validates it; returns a checksum of all of them.
fn decode_all(values: &[u64]) -> (u64, usize) {
    let mut sum = 0u64;
    let mut valid = 0;
    for &v in values {
        let input = HypercallInput::from_bits(v);
        sum = sum
            .wrapping_mul(31)
            .wrapping_add(u64::from(input.call_code().into_bits()))
            .wrapping_add(u64::from(input.fast()))
            .wrapping_add(u64::from(input.variable_header_size()) << 1)
            .wrapping_add(u64::from(input.nested()) << 11)
            .wrapping_add(u64::from(input.rep_count()) << 12)
            .wrapping_add(u64::from(input.rep_start_index()) << 24);
        valid += usize::from(input.validate().is_ok());
    }
    (sum, valid)
}

fn input_value(c: &mut Criterion) {
    let values = inputs();
    // The decode is right before it is timed: the checksum equals one computed with plain shifts.
    let (sum, valid) = decode_all(&values);
    let by_hand = values.iter().fold(0u64, |acc, &v| {
        acc.wrapping_mul(31)
            .wrapping_add(v & 0xFFFF)
            .wrapping_add(v >> 16 & 1)
            .wrapping_add((v >> 17 & 0x3FF) << 1)
            .wrapping_add((v >> 31 & 1) << 11)
            .wrapping_add((v >> 32 & 0xFFF) << 12)
            .wrapping_add((v >> 48 & 0xFFF) << 24)
    });
    assert_eq!(sum, by_hand);
    assert_eq!(
        valid,
        values
            .iter()
            .filter(|&&v| v & HypercallInput::RESERVED_MASK == 0)
            .count()
    );
    assert!((128..1024).contains(&valid), "both outcomes are measured");

    let mut group = c.benchmark_group("input_value");
    group.throughput(Throughput::Elements(values.len() as u64));
    group.bench_function("decode_every_field_and_validate_1024", |b| {
        b.iter(|| decode_all(black_box(&values)));
    });
    group.finish();
}

criterion_group!(benches, input_value);
criterion_main!(benches);
