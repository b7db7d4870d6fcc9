//! The parsers on a VM-exit path: the hypercall input value and a SynIC intercept message.

#![allow(missing_docs)] // criterion_group! generates an undocumented pub fn

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hv_abi::synic::{Message, MessageType};
use hv_abi::{CallCode, HypercallInput};
use zerocopy::{FromBytes, FromZeros};

fn input_value(c: &mut Criterion) {
    let values: Vec<u64> = (0..1024u64).map(|i| 0x0001_006B ^ (i << 17) ^ (i << 32)).collect();
    c.bench_function("input_value/decode_validate_1024", |b| {
        b.iter(|| {
            let mut acc = 0u32;
            for &v in black_box(&values) {
                let input = HypercallInput::from_bits(v);
                if input.validate().is_ok() && input.call_code() == CallCode::RESET_DEBUG_SESSION {
                    acc += u32::from(input.rep_count()) + u32::from(input.fast());
                }
            }
            acc
        });
    });
}

fn message_payload(c: &mut Criterion) {
    let mut m = Message::new_zeroed();
    m.header.message_type = MessageType::X64_IO_PORT_INTERCEPT;
    m.header.payload_size = 128;
    let bytes: Vec<u8> = zerocopy::IntoBytes::as_bytes(&m).to_vec();
    // A page-aligned copy, as a SynIC message page is.
    let page = Box::new(PageAligned(bytes.try_into().unwrap()));
    c.bench_function("message/ref_and_typed_payload", |b| {
        b.iter(|| {
            let m = Message::ref_from_bytes(black_box(&page.0[..])).unwrap();
            let header = m.payload::<hv_abi_bench_payload::Header>().unwrap();
            header.bytes[0]
        });
    });
}

#[repr(C, align(4096))]
struct PageAligned([u8; 256]);

/// A 40-byte payload type defined here, so that this bench depends on hv-abi alone.
mod hv_abi_bench_payload {
    use hv_abi::synic::{MessagePayload, MessageType};
    use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

    #[derive(FromBytes, IntoBytes, KnownLayout, Immutable, hv_abi::Layout)]
    #[hv(tlfs = "BENCH_HEADER", size = 40)]
    #[repr(C)]
    pub(crate) struct Header {
        #[hv(offset = 0)]
        pub(crate) bytes: [u8; 40],
    }

    impl MessagePayload for Header {
        const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::X64_IO_PORT_INTERCEPT];
    }
}

criterion_group!(benches, input_value, message_payload);
criterion_main!(benches);
