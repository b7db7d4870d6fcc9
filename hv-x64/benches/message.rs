//! A SynIC message page on a VM-exit path: raw 256 bytes -> typed I/O-port intercept -> RIP, port and
//! access type, beside the same reads with no type or size check (the floor, as OpenVMM's unchecked
//! `as_message` reads it). The messages vary: types, payload sizes and access types differ, a few are not
//! I/O-port intercepts or are too short, so the checks cannot be folded away. Each slot goes through
//! `black_box`, so both loops handle one message at a time as a VM exit does, rather than letting the
//! compiler vectorize the unchecked loop across 64 unrelated messages.

#![allow(missing_docs)] // criterion_group! generates an undocumented pub fn

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hv_abi::synic::{Message, MessageType};
use hv_x64::IoPortInterceptMessage;
use hv_x64::parse::{self, X64Payload};
use zerocopy::{FromBytes, FromZeros, IntoBytes};

/// 64 page-aligned message slots, as a SynIC message page holds them (16 per page).
#[repr(C, align(4096))]
struct Slots([[u8; 256]; 64]);

fn slots() -> Box<Slots> {
    let mut slots = Box::new(Slots([[0; 256]; 64]));
    for (i, slot) in slots.0.iter_mut().enumerate() {
        let mut m = Message::new_zeroed();
        m.header.message_type = match i % 16 {
            0 => MessageType::X64_MSR_INTERCEPT,
            _ => MessageType::X64_IO_PORT_INTERCEPT,
        };
        m.header.payload_size = if i % 16 == 1 { 100 } else { 128 };
        let mut io = IoPortInterceptMessage::new_zeroed();
        io.header.rip = 0xFFFF_F800_0000_0000 + i as u64 * 3;
        io.header.intercept_access_type = (i % 3) as u8;
        io.port_number = 0x3F8 + i as u16;
        m.payload[..128].copy_from_slice(io.as_bytes());
        slot.copy_from_slice(m.as_bytes());
    }
    slots
}

/// Reads every slot through `read`, then decodes the access type, as a checked VM-exit handler does.
fn checked_with(
    slots: &Slots,
    read: impl for<'a> Fn(&'a [u8], &'a mut Message) -> Option<&'a IoPortInterceptMessage>,
) -> (u64, usize) {
    let mut sum = 0u64;
    let mut read_count = 0;
    let mut scratch = Message::new_zeroed();
    for slot in &slots.0 {
        let Some(io) = read(black_box(slot), &mut scratch) else {
            continue;
        };
        let Ok(access) = io.header.access_type() else { continue };
        sum = sum.wrapping_add(io.header.rip ^ u64::from(io.port_number) ^ access as u64);
        read_count += 1;
    }
    (sum, read_count)
}

/// Checked: `parse` verifies the length, the payload size and the message type, and the access type is
/// decoded, before anything is read.
fn checked(slots: &Slots) -> (u64, usize) {
    checked_with(slots, |bytes, scratch| {
        match parse::parse(bytes, scratch).ok()?.payload {
            X64Payload::IoPort(io) => Some(io),
            _ => None,
        }
    })
}

/// Checked through the fast path for a known payload type.
fn checked_known_type(slots: &Slots) -> (u64, usize) {
    checked_with(slots, |bytes, scratch| {
        parse::payload::<IoPortInterceptMessage>(bytes, scratch).ok()
    })
}

/// Unchecked: the payload is read wherever it is, whatever the header says.
fn unchecked(slots: &Slots) -> (u64, usize) {
    let mut sum = 0u64;
    let mut read = 0;
    for slot in &slots.0 {
        let Ok((io, _)) = IoPortInterceptMessage::ref_from_prefix(&black_box(slot)[16..]) else {
            continue;
        };
        sum = sum.wrapping_add(io.header.rip ^ u64::from(io.port_number) ^ u64::from(io.header.intercept_access_type));
        read += 1;
    }
    (sum, read)
}

fn io_port_intercept(c: &mut Criterion) {
    let slots = slots();
    // 4 MSR messages and 4 short payloads are refused by the checked path; the rest read the same values.
    let (checked_sum, checked_read) = checked(&slots);
    assert_eq!(checked_read, 56);
    assert_eq!(checked_known_type(&slots), (checked_sum, checked_read));
    assert_eq!(unchecked(&slots).1, 64);
    let expected = (0..64u64).filter(|i| i % 16 > 1).fold(0u64, |acc, i| {
        acc.wrapping_add((0xFFFF_F800_0000_0000 + i * 3) ^ (0x3F8 + i) ^ (i % 3))
    });
    assert_eq!(checked_sum, expected);

    let mut group = c.benchmark_group("message");
    group.throughput(Throughput::Elements(64));
    group.bench_function("io_port_intercept_parse_64", |b| b.iter(|| checked(black_box(&slots))));
    group.bench_function("io_port_intercept_payload_64", |b| {
        b.iter(|| checked_known_type(black_box(&slots)))
    });
    group.bench_function("io_port_intercept_unchecked_floor_64", |b| {
        b.iter(|| unchecked(black_box(&slots)))
    });
    group.finish();
}

criterion_group!(benches, io_port_intercept);
criterion_main!(benches);
