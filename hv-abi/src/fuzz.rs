//! Structure-aware generators for fuzzing (feature `arbitrary`): the `arbitrary` crate's counterparts
//! of the proptest strategies of `hv_abi::strategy`, reading their choices from the fuzzer's bytes. An
//! input value a call accepts, one broken in exactly one named way ([`Violation`]), and each debug
//! call's valid and invalid option flags.
//!
//! ```
//! use arbitrary::Unstructured;
//! use hv_abi::{CallDescriptor, InputRejection, Violation, fuzz};
//!
//! let bytes = [7u8; 64]; // what a fuzzer would hand the target
//! let mut u = Unstructured::new(&bytes);
//! let call = CallDescriptor::POST_DEBUG_DATA;
//! assert_eq!(call.check(fuzz::input(&mut u, &call).unwrap()), Ok(()));
//! let nested = fuzz::invalid_input(&mut u, &call, Violation::Nested).unwrap().unwrap();
//! assert_eq!(call.check(nested), Err(InputRejection::Nested));
//! ```

use arbitrary::{Result, Unstructured};

use crate::call_code::RESERVED_RANGES;
use crate::debug::{DebugPostOptions, DebugPurgeOptions, DebugRetrieveOptions};
use crate::{CallDescriptor, CallKind, HypercallInput, Violation};

/// An input value `call` accepts: its code, a form it allows, reps (start below count) only on a rep
/// call, nothing reserved, no variable header, not nested.
pub fn input(u: &mut Unstructured<'_>, call: &CallDescriptor) -> Result<HypercallInput> {
    let fast = match (call.fast, call.memory) {
        (true, true) => u.arbitrary()?,
        (fast, _) => fast,
    };
    let (count, start) = match call.kind {
        CallKind::Simple => (0, 0),
        CallKind::Rep => {
            let count = u.int_in_range(1..=0xFFFu16)?;
            (count, u.int_in_range(0..=count - 1)?)
        }
    };
    Ok(HypercallInput::new()
        .with_call_code(call.code)
        .with_fast(fast)
        .with_rep_count(count)
        .with_rep_start_index(start))
}

/// An input value for `call` broken in exactly the way `violation` names; `Ok(None)` when the violation
/// cannot apply to the call ([`Violation::applies_to`]).
pub fn invalid_input(
    u: &mut Unstructured<'_>,
    call: &CallDescriptor,
    violation: Violation,
) -> Result<Option<HypercallInput>> {
    if !violation.applies_to(call) {
        return Ok(None);
    }
    let valid = input(u, call)?;
    let broken = match violation {
        Violation::ReservedBit => {
            let (lsb, width) = *u.choose(&RESERVED_RANGES)?;
            let bits = u.int_in_range(1..=(1u64 << width) - 1)?;
            HypercallInput::from_bits(valid.into_bits() | bits << lsb)
        }
        Violation::FastForm => valid.with_fast(true),
        Violation::MemoryForm => valid.with_fast(false),
        Violation::RepsOnSimpleCall => {
            let count = u.int_in_range(0..=0xFFFu16)?;
            let start = u.int_in_range(u16::from(count == 0)..=0xFFF)?;
            valid.with_rep_count(count).with_rep_start_index(start)
        }
        Violation::RepStartNotBelowCount => {
            let count = u.int_in_range(0..=0xFFFu16)?;
            valid
                .with_rep_count(count)
                .with_rep_start_index(u.int_in_range(count..=0xFFF)?)
        }
        Violation::VariableHeader => valid.with_variable_header_size(u.int_in_range(1..=0x3FF)?),
        Violation::Nested => valid.with_nested(true),
    };
    Ok(Some(broken))
}

/// Any 32-bit value with at least one bit outside `defined`.
fn unknown_bits(u: &mut Unstructured<'_>, defined: u32) -> Result<u32> {
    let undefined: u32 = !defined;
    let bit = u.choose_index(undefined.count_ones() as usize)?;
    let chosen = (0..32).filter(|b| undefined & (1 << b) != 0).nth(bit).unwrap_or(31);
    Ok(u.arbitrary::<u32>()? | 1 << chosen)
}

/// HvPostDebugData options the call accepts: none, or `POST_LOOP`.
pub fn post_options(u: &mut Unstructured<'_>) -> Result<DebugPostOptions> {
    Ok(DebugPostOptions::from_bits_truncate(u.arbitrary()?))
}

/// HvPostDebugData options with at least one bit the call does not define.
pub fn invalid_post_options(u: &mut Unstructured<'_>) -> Result<DebugPostOptions> {
    unknown_bits(u, DebugPostOptions::all().bits()).map(DebugPostOptions::from_bits_retain)
}

/// HvRetrieveDebugData options the call accepts.
pub fn retrieve_options(u: &mut Unstructured<'_>) -> Result<DebugRetrieveOptions> {
    Ok(DebugRetrieveOptions::from_bits_truncate(u.arbitrary()?))
}

/// HvRetrieveDebugData options with at least one bit the call does not define.
pub fn invalid_retrieve_options(u: &mut Unstructured<'_>) -> Result<DebugRetrieveOptions> {
    unknown_bits(u, DebugRetrieveOptions::all().bits()).map(DebugRetrieveOptions::from_bits_retain)
}

/// HvResetDebugSession options it accepts: one or both purge flags.
pub fn purge_options(u: &mut Unstructured<'_>) -> Result<DebugPurgeOptions> {
    let bits = u.int_in_range(1..=DebugPurgeOptions::all().bits())?;
    Ok(DebugPurgeOptions::from_bits_truncate(bits))
}

/// HvResetDebugSession options it refuses: no flag, or a bit it does not define.
pub fn invalid_purge_options(u: &mut Unstructured<'_>) -> Result<DebugPurgeOptions> {
    if u.arbitrary()? {
        return Ok(DebugPurgeOptions::empty());
    }
    unknown_bits(u, DebugPurgeOptions::all().bits()).map(DebugPurgeOptions::from_bits_retain)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many fuzzer-like byte strings from a fixed generator.
    fn inputs() -> impl Iterator<Item = std::vec::Vec<u8>> {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        (0..2000).map(move |i| {
            (0..(i % 97 + 1))
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect()
        })
    }

    const REP_CALL: CallDescriptor = CallDescriptor {
        code: crate::CallCode::from_bits(3),
        kind: CallKind::Rep,
        fast: false,
        memory: true,
        input_size: 8,
        output_size: 0,
    };

    #[test]
    fn generated_values_are_what_they_claim_to_be() {
        let calls = [
            CallDescriptor::POST_DEBUG_DATA,
            CallDescriptor::RETRIEVE_DEBUG_DATA,
            CallDescriptor::RESET_DEBUG_SESSION,
            REP_CALL,
        ];
        let mut broken = 0;
        for bytes in inputs() {
            let mut u = Unstructured::new(&bytes);
            for call in &calls {
                if let Ok(v) = input(&mut u, call) {
                    assert_eq!(call.check(v), Ok(()), "{v:?}");
                }
                for violation in Violation::ALL {
                    let Ok(Some(v)) = invalid_input(&mut u, call, violation) else {
                        continue;
                    };
                    broken += 1;
                    let rejection = call.check(v).expect_err("refused");
                    assert!(violation.matches(rejection), "{violation:?} gave {rejection:?}");
                }
            }
            if let (Ok(p), Ok(bad)) = (post_options(&mut u), invalid_post_options(&mut u)) {
                assert!(p.unknown_bits() == 0 && bad.unknown_bits() != 0);
            }
            if let (Ok(r), Ok(bad)) = (retrieve_options(&mut u), invalid_retrieve_options(&mut u)) {
                assert!(r.unknown_bits() == 0 && bad.unknown_bits() != 0);
            }
            if let (Ok(p), Ok(bad)) = (purge_options(&mut u), invalid_purge_options(&mut u)) {
                assert!(p.unknown_bits() == 0 && !p.is_empty());
                assert!(bad.unknown_bits() != 0 || bad.is_empty());
            }
        }
        assert!(broken > 1000, "the generators made {broken} broken values");
    }
}
