//! What a downstream crate does with the testing kit: property-tests its own decoder using only the
//! public strategies and `Arbitrary` impls of hv-abi and hv-x64 (feature `proptest`). The decoder here
//! is a toy a VMM might hand-write: it reads an input value's fields and an I/O-port intercept's port and
//! access from raw bytes, and refuses what the hypervisor refuses.

use hv_abi::strategy::{self, Violation};
use hv_abi::synic::{Message, MessageType};
use hv_abi::{CallDescriptor, HypercallInput};
use proptest::prelude::*;
use zerocopy::IntoBytes;

/// The toy's reading of an input value: (call code, fast, rep count), or `None` for a value it refuses.
fn toy_input(rcx: u64) -> Option<(u16, bool, u16)> {
    const RESERVED: u64 = 0xF000_F000_7800_0000;
    const VARIABLE_HEADER: u64 = 0x3FF << 17;
    const NESTED: u64 = 1 << 31;
    if rcx & (RESERVED | VARIABLE_HEADER | NESTED) != 0 {
        return None;
    }
    let (code, fast, reps, start) = (
        rcx as u16,
        rcx >> 16 & 1 == 1,
        (rcx >> 32) as u16 & 0xFFF,
        (rcx >> 48) as u16 & 0xFFF,
    );
    let call = CallDescriptor::ALL.iter().find(|c| c.code.into_bits() == code)?;
    let reps_ok = match call.kind {
        hv_abi::CallKind::Simple => reps == 0 && start == 0,
        hv_abi::CallKind::Rep => start < reps,
    };
    let form_ok = if fast { call.fast } else { call.memory };
    (reps_ok && form_ok).then_some((code, fast, reps))
}

/// The toy's reading of an I/O-port intercept: (port, write, access size).
fn toy_io_port(message: &[u8]) -> Option<(u16, bool, u8)> {
    let le32 = |at: usize| Some(u32::from_le_bytes(message.get(at..at + 4)?.try_into().ok()?));
    if le32(0)? != 0x8001_0000 || *message.get(4)? < 128 {
        return None;
    }
    let port = u16::from_le_bytes(message.get(16 + 40..16 + 42)?.try_into().ok()?);
    Some((port, *message.get(16 + 5)? == 1, message.get(16 + 42)? & 7))
}

fn calls() -> impl Strategy<Value = CallDescriptor> {
    proptest::sample::select(CallDescriptor::ALL)
}

proptest! {
    #[test]
    fn the_toy_accepts_every_valid_input_and_reads_it_as_hv_abi_does(
        input in calls().prop_flat_map(|c| strategy::input(&c)),
    ) {
        let read = toy_input(input.into_bits());
        prop_assert_eq!(read, Some((input.call_code().into_bits(), input.fast(), input.rep_count())));
    }

    #[test]
    fn the_toy_refuses_every_kind_of_invalid_input(
        input in (calls(), proptest::sample::select(&Violation::ALL[..]))
            .prop_filter("applies", |(c, v)| v.applies_to(c))
            .prop_flat_map(|(c, v)| strategy::invalid_input(&c, v).expect("applies")),
    ) {
        prop_assert_eq!(toy_input(input.into_bits()), None, "{:?}", input);
    }

    #[test]
    fn the_toy_agrees_with_the_typed_io_port_message(
        m in hv_x64::strategy::message(MessageType::X64_IO_PORT_INTERCEPT).expect("typed"),
    ) {
        let mut scratch = <Message as zerocopy::FromZeros>::new_zeroed();
        let parsed = hv_x64::parse::parse(m.as_bytes(), &mut scratch).expect("well formed");
        let hv_x64::parse::X64Payload::IoPort(io) = parsed.payload else { panic!("typed as I/O port") };
        let write = io.header.access_type() == Ok(hv_x64::InterceptAccessType::Write);
        prop_assert_eq!(toy_io_port(m.as_bytes()), Some((io.port_number, write, io.access_info.access_size())));
    }

    #[test]
    fn the_toy_never_panics_on_any_input_value(input in any::<HypercallInput>()) {
        let _ = toy_input(input.into_bits());
    }
}
