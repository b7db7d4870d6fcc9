//! hv-abi's structure-aware strategies against the reference dispatcher: each violation strategy makes
//! only input values the dispatcher refuses with `HV_STATUS_INVALID_HYPERCALL_INPUT`, and each valid one
//! only values it gets past that check with (whatever its parameters then earn).

use hv_abi::debug::DebugChannelId;
use hv_abi::strategy::{self, Violation};
use hv_abi::{CallDescriptor, HvStatus, PartitionPrivileges};
use hv_model::debug_calls::{self, DebugAccess, Dispatch};
use hv_model::{DebugChannel, GuestMemory, Registers};
use proptest::prelude::*;

fn dispatch(rcx: u64, rdx: u64) -> HvStatus {
    let mut memory = GuestMemory::default();
    memory.map(0x1000);
    memory.map(0x2000);
    let mut channel = DebugChannel::new(64, 64).expect("small buffers");
    let access = DebugAccess {
        debugging_enabled: true,
        privileges: PartitionPrivileges::DEBUGGING,
        channel_id: DebugChannelId(2),
        channel_shared: false,
    };
    let regs = Registers { rcx, rdx, r8: 0x2000 };
    match debug_calls::dispatch(regs, &access, &mut channel, &mut memory, 0) {
        Dispatch::Complete(out) => out.status(),
        Dispatch::Suspended { .. } => HvStatus::SUCCESS,
    }
}

fn call() -> impl Strategy<Value = CallDescriptor> {
    proptest::sample::select(CallDescriptor::ALL)
}

proptest! {
    #[test]
    fn valid_inputs_pass_the_input_check(input in call().prop_flat_map(|c| strategy::input(&c))) {
        // Fast calls carry their options in RDX: 1 is a defined purge option.
        let rdx = if input.fast() { 1 } else { 0x1000 };
        prop_assert_ne!(dispatch(input.into_bits(), rdx), HvStatus::INVALID_HYPERCALL_INPUT, "{:?}", input);
    }

    #[test]
    fn each_violation_is_the_dispatchers_invalid_hypercall_input(
        (call, violation, input) in (call(), proptest::sample::select(&Violation::ALL[..]))
            .prop_filter("applies", |(c, v)| v.applies_to(c))
            .prop_flat_map(|(c, v)| (Just(c), Just(v), strategy::invalid_input(&c, v).expect("applies"))),
    ) {
        prop_assert_eq!(
            dispatch(input.into_bits(), 0x1000),
            HvStatus::INVALID_HYPERCALL_INPUT,
            "{:?} on {:?}: {:?}", violation, call.code, input
        );
    }
}
