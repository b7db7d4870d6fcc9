//! A downstream fuzz target: arbitrary ABI values from hv-abi's and hv-x64's public `arbitrary` impls
//! (input values, whole SynIC messages, intercept headers, segment registers), through the checks and
//! parsers a VMM runs on them. Nothing may panic, and raw values round-trip.
#![no_main]

use hv_abi::synic::Message;
use hv_abi::{CallDescriptor, HypercallInput, HypercallOutput};
use hv_x64::{InterceptMessageHeader, SegmentRegister, VpExecutionState};
use libfuzzer_sys::fuzz_target;
use zerocopy::{FromZeros, IntoBytes};

fuzz_target!(|values: (
    HypercallInput,
    HypercallOutput,
    Message,
    InterceptMessageHeader,
    SegmentRegister
)| {
    let (input, output, message, header, segment) = values;
    for call in CallDescriptor::ALL {
        if let Err(rejection) = call.check(input) {
            assert_eq!(rejection.status(), hv_abi::HvStatus::INVALID_HYPERCALL_INPUT);
        }
    }
    assert_eq!(HypercallInput::from_bits(input.into_bits()), input);
    let _ = output.rep_result();
    let mut scratch = Message::new_zeroed();
    if let Ok(parsed) = hv_x64::parse::parse(message.as_bytes(), &mut scratch) {
        assert!(usize::from(parsed.header.payload_size) <= Message::PAYLOAD_SIZE);
    }
    let _ = header.access_type();
    let state: VpExecutionState = header.execution_state;
    assert_eq!(VpExecutionState::from_bits(state.into_bits()), state);
    assert_eq!(segment.as_bytes().len(), 16);
});
