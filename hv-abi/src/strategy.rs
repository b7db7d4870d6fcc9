//! Structure-aware proptest strategies (feature `proptest`): input values a call accepts, input values
//! with exactly one named kind of violation, and each debug call's valid and invalid option flags. Every
//! ABI type also implements `proptest::arbitrary::Arbitrary` (any bits) under the same feature.
//!
//! ```
//! use hv_abi::strategy::{self, Violation};
//! use hv_abi::{CallDescriptor, InputRejection};
//! use proptest::prelude::*;
//! use proptest::test_runner::TestRunner;
//!
//! let call = CallDescriptor::RETRIEVE_DEBUG_DATA;
//! let mut runner = TestRunner::default();
//! // Every input value the strategy makes is one the hypervisor accepts for the call...
//! runner.run(&strategy::input(&call), |input| {
//!     prop_assert_eq!(call.check(input), Ok(()));
//!     Ok(())
//! }).unwrap();
//! // ...and each violation strategy makes only values refused for exactly that reason.
//! let nested = strategy::invalid_input(&call, Violation::Nested).unwrap();
//! runner.run(&nested, |input| {
//!     prop_assert_eq!(call.check(input), Err(InputRejection::Nested));
//!     Ok(())
//! }).unwrap();
//! ```

use std::vec::Vec;

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;

use crate::debug::{DebugPostOptions, DebugPurgeOptions, DebugRetrieveOptions};
use crate::{CallDescriptor, CallKind, HypercallInput};

pub use crate::call_code::Violation;

use crate::call_code::RESERVED_RANGES as RESERVED;

/// Input values `call` accepts: its code, a form it allows, reps (start below count) only on a rep call,
/// nothing reserved, no variable header, not nested.
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
/// use hv_abi::CallDescriptor;
///
/// let call = CallDescriptor::RESET_DEBUG_SESSION;
/// let value = hv_abi::strategy::input(&call).new_tree(&mut TestRunner::default()).unwrap().current();
/// assert_eq!(call.check(value), Ok(()));
/// ```
pub fn input(call: &CallDescriptor) -> BoxedStrategy<HypercallInput> {
    let forms: Vec<bool> = [(true, call.fast), (false, call.memory)]
        .into_iter()
        .filter_map(|(fast, allowed)| allowed.then_some(fast))
        .collect();
    let reps: BoxedStrategy<(u16, u16)> = match call.kind {
        CallKind::Simple => Just((0, 0)).boxed(),
        CallKind::Rep => (1u16..=0xFFF).prop_flat_map(|count| (Just(count), 0..count)).boxed(),
    };
    let code = call.code;
    (proptest::sample::select(forms), reps)
        .prop_map(move |(fast, (count, start))| {
            HypercallInput::new()
                .with_call_code(code)
                .with_fast(fast)
                .with_rep_count(count)
                .with_rep_start_index(start)
        })
        .boxed()
}

/// Input values for `call` broken in exactly the way `violation` names, and no other; `None` when the
/// violation cannot apply to the call ([`Violation::applies_to`]).
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
/// use hv_abi::{CallDescriptor, InputRejection, Violation};
///
/// let call = CallDescriptor::POST_DEBUG_DATA;
/// let fast = hv_abi::strategy::invalid_input(&call, Violation::FastForm).unwrap();
/// let value = fast.new_tree(&mut TestRunner::default()).unwrap().current();
/// assert_eq!(call.check(value), Err(InputRejection::FastFormNotAllowed));
/// assert!(hv_abi::strategy::invalid_input(&call, Violation::MemoryForm).is_none(), "post has a memory form");
/// ```
pub fn invalid_input(call: &CallDescriptor, violation: Violation) -> Option<BoxedStrategy<HypercallInput>> {
    if !violation.applies_to(call) {
        return None;
    }
    let valid = input(call);
    let strategy = match violation {
        Violation::ReservedBit => (valid, proptest::sample::select(&RESERVED[..]), any::<u8>())
            .prop_map(|(input, (lsb, width), bits)| {
                let mask = ((1u64 << width) - 1) << lsb;
                let set = (u64::from(bits.max(1)) << lsb) & mask;
                HypercallInput::from_bits(input.into_bits() | if set == 0 { 1 << lsb } else { set })
            })
            .boxed(),
        Violation::FastForm => valid.prop_map(|input| input.with_fast(true)).boxed(),
        Violation::MemoryForm => valid.prop_map(|input| input.with_fast(false)).boxed(),
        Violation::RepsOnSimpleCall => (valid, 0u16..=0xFFF, 0u16..=0xFFF)
            .prop_filter("a rep count or start index", |(_, count, start)| {
                *count != 0 || *start != 0
            })
            .prop_map(|(input, count, start)| input.with_rep_count(count).with_rep_start_index(start))
            .boxed(),
        Violation::RepStartNotBelowCount => (valid, 0u16..=0xFFF)
            .prop_flat_map(|(input, count)| (Just(input), Just(count), count..=0xFFF))
            .prop_map(|(input, count, start)| input.with_rep_count(count).with_rep_start_index(start))
            .boxed(),
        Violation::VariableHeader => (valid, 1u16..=0x3FF)
            .prop_map(|(input, size)| input.with_variable_header_size(size))
            .boxed(),
        Violation::Nested => valid.prop_map(|input| input.with_nested(true)).boxed(),
    };
    Some(strategy)
}

/// `HV_DEBUG_OPTIONS` of HvPostDebugData the call accepts: none, or `POST_LOOP`.
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
/// let options = hv_abi::strategy::post_options().new_tree(&mut TestRunner::default()).unwrap().current();
/// assert_eq!(options.unknown_bits(), 0);
/// ```
pub fn post_options() -> impl Strategy<Value = DebugPostOptions> {
    proptest::sample::select(std::vec![DebugPostOptions::empty(), DebugPostOptions::POST_LOOP])
}

/// HvPostDebugData options with at least one bit the call does not define.
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
/// let options = hv_abi::strategy::invalid_post_options().new_tree(&mut TestRunner::default()).unwrap().current();
/// assert!(options.validate().is_err());
/// ```
pub fn invalid_post_options() -> impl Strategy<Value = DebugPostOptions> {
    unknown_bits(DebugPostOptions::all().bits()).prop_map(DebugPostOptions::from_bits_retain)
}

/// HvRetrieveDebugData options the call accepts: any set of `RETRIEVE_LOOP` and `RETRIEVE_TEST_ACTIVITY`.
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
/// let options = hv_abi::strategy::retrieve_options().new_tree(&mut TestRunner::default()).unwrap().current();
/// assert!(options.validate().is_ok());
/// ```
pub fn retrieve_options() -> impl Strategy<Value = DebugRetrieveOptions> {
    (0..=DebugRetrieveOptions::all().bits()).prop_map(DebugRetrieveOptions::from_bits_truncate)
}

/// HvRetrieveDebugData options with at least one bit the call does not define.
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
/// let options = hv_abi::strategy::invalid_retrieve_options().new_tree(&mut TestRunner::default()).unwrap().current();
/// assert_ne!(options.unknown_bits(), 0);
/// ```
pub fn invalid_retrieve_options() -> impl Strategy<Value = DebugRetrieveOptions> {
    unknown_bits(DebugRetrieveOptions::all().bits()).prop_map(DebugRetrieveOptions::from_bits_retain)
}

/// HvResetDebugSession options the call accepts: one or both purge flags.
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
/// let options = hv_abi::strategy::purge_options().new_tree(&mut TestRunner::default()).unwrap().current();
/// assert!(!options.is_empty() && options.unknown_bits() == 0);
/// ```
pub fn purge_options() -> impl Strategy<Value = DebugPurgeOptions> {
    (1..=DebugPurgeOptions::all().bits()).prop_map(DebugPurgeOptions::from_bits_truncate)
}

/// HvResetDebugSession options it refuses: no flag, or a bit it does not define.
///
/// ```
/// use proptest::strategy::{Strategy, ValueTree};
/// use proptest::test_runner::TestRunner;
/// let options = hv_abi::strategy::invalid_purge_options().new_tree(&mut TestRunner::default()).unwrap().current();
/// assert!(options.is_empty() || options.unknown_bits() != 0);
/// ```
pub fn invalid_purge_options() -> impl Strategy<Value = DebugPurgeOptions> {
    prop_oneof![
        Just(DebugPurgeOptions::empty()),
        unknown_bits(DebugPurgeOptions::all().bits()).prop_map(DebugPurgeOptions::from_bits_retain),
    ]
}

/// Any 32-bit value with at least one bit outside `defined`.
fn unknown_bits(defined: u32) -> impl Strategy<Value = u32> {
    (any::<u32>(), 0u32..32)
        .prop_filter("an undefined bit", move |(_, bit)| defined & (1 << bit) == 0)
        .prop_map(|(bits, bit)| bits | 1 << bit)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rep call, so the rep strategies have a call to run on.
    const REP_CALL: CallDescriptor = CallDescriptor {
        code: crate::CallCode::from_bits(0x0003),
        kind: CallKind::Rep,
        fast: false,
        memory: true,
        input_size: 8,
        output_size: 0,
    };

    fn calls() -> impl Strategy<Value = CallDescriptor> {
        let mut all = Vec::from(CallDescriptor::ALL);
        all.push(REP_CALL);
        proptest::sample::select(all)
    }

    /// A call, and each violation that applies to it with a value broken that way.
    fn violations() -> impl Strategy<Value = (CallDescriptor, Violation, HypercallInput)> {
        (calls(), proptest::sample::select(&Violation::ALL[..]))
            .prop_filter("a violation the call can have", |(call, v)| v.applies_to(call))
            .prop_flat_map(|(call, v)| {
                let values = invalid_input(&call, v).expect("it applies");
                (Just(call), Just(v), values)
            })
    }

    proptest! {
        #[test]
        fn valid_inputs_are_accepted((call, value) in calls().prop_flat_map(|c| (Just(c), input(&c)))) {
            prop_assert_eq!(call.check(value), Ok(()), "{:?}", value);
        }

        #[test]
        fn each_violation_is_refused_for_exactly_that_reason((call, violation, value) in violations()) {
            let rejection = call.check(value).expect_err("refused");
            prop_assert!(violation.matches(rejection), "{:?} gave {:?} for {:?}", violation, rejection, value);
        }

        #[test]
        fn violations_that_cannot_apply_give_no_strategy(call in calls()) {
            for v in Violation::ALL {
                prop_assert_eq!(invalid_input(&call, v).is_some(), v.applies_to(&call));
            }
        }

        #[test]
        fn option_strategies_split_defined_from_undefined(
            post in post_options(),
            bad_post in invalid_post_options(),
            retrieve in retrieve_options(),
            bad_retrieve in invalid_retrieve_options(),
            purge in purge_options(),
            bad_purge in invalid_purge_options(),
        ) {
            prop_assert_eq!(post.unknown_bits(), 0);
            prop_assert_ne!(bad_post.unknown_bits(), 0);
            prop_assert_eq!(retrieve.unknown_bits(), 0);
            prop_assert_ne!(bad_retrieve.unknown_bits(), 0);
            prop_assert!(purge.unknown_bits() == 0 && !purge.is_empty());
            prop_assert!(bad_purge.unknown_bits() != 0 || bad_purge.is_empty());
        }
    }
}
