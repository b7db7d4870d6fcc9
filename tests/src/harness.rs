//! Fuzz harness functions. Each takes arbitrary bytes and asserts the invariants of what it drives, not
//! only that nothing panics.

use arbitrary::{Result, Unstructured};
use hv_abi::synic::{Message, MessagePayload};
use hv_abi::{CallCode, HvStatus, HypercallInput, HypercallOutput};
use hv_model::Registers;

use crate::model::{Lifecycle, MAX, Op, PAGE, PAGES, PARTITIONS, World};
use hv_x64::{
    CpuidInterceptMessage, ExceptionInterceptMessage, InterceptMessageHeader, IoPortInterceptMessage,
    MemoryInterceptMessage, MsrInterceptMessage,
};
use zerocopy::FromBytes;

/// Decodes 8 bytes as a hypercall input value and a result value: every field reads back through its
/// builder, reserved bits are kept, and `validate` fails exactly when a reserved bit is set.
pub fn input_value(data: &[u8]) {
    let mut raw = [0u8; 8];
    let n = data.len().min(8);
    raw[..n].copy_from_slice(&data[..n]);
    let bits = u64::from_le_bytes(raw);

    let v = HypercallInput::from_bits(bits);
    let rebuilt = HypercallInput::from_bits(v.reserved_bits())
        .with_call_code(v.call_code())
        .with_fast(v.fast())
        .with_variable_header_size(v.variable_header_size())
        .with_nested(v.nested())
        .with_rep_count(v.rep_count())
        .with_rep_start_index(v.rep_start_index());
    assert_eq!(rebuilt.into_bits(), bits);
    assert_eq!(v.validate().is_ok(), bits & HypercallInput::RESERVED_MASK == 0);
    assert_eq!(v.call_code().into_bits(), bits as u16);
    let _ = format!("{v:?} {:?}", v.call_code());

    let out = HypercallOutput::from_bits(bits);
    let rebuilt = HypercallOutput::from_bits(out.reserved_bits())
        .with_status(out.status())
        .with_reps_completed(out.reps_completed());
    assert_eq!(rebuilt.into_bits(), bits);
    assert_eq!(out.status().into_bits(), bits as u16);
    if let Some(name) = out.status().name() {
        assert_eq!(HvStatus::from_name(name), Some(out.status()));
    }
}

fn check_payload<T: MessagePayload>(m: &Message) {
    match m.payload::<T>() {
        Ok(_) => {
            assert!(T::MESSAGE_TYPES.contains(&m.header.message_type));
            assert!(usize::from(m.header.payload_size) >= size_of::<T>());
        }
        Err(hv_abi::synic::PayloadError::WrongType { found, .. }) => {
            assert!(!T::MESSAGE_TYPES.contains(&found));
        }
        Err(hv_abi::synic::PayloadError::TooShort { need, have, .. }) => {
            assert!(usize::from(have) < need)
        }
    }
}

/// Parses up to 256 bytes as a SynIC message and reads every x64 payload type from it: a payload is
/// returned exactly when the type matches and `payload_size` covers it.
pub fn message(data: &[u8]) {
    let mut buf = [0u8; 256];
    let n = data.len().min(256);
    buf[..n].copy_from_slice(&data[..n]);
    let m = Message::read_from_bytes(&buf[..]).expect("256 bytes are a message");
    check_payload::<InterceptMessageHeader>(&m);
    check_payload::<IoPortInterceptMessage>(&m);
    check_payload::<MsrInterceptMessage>(&m);
    check_payload::<CpuidInterceptMessage>(&m);
    check_payload::<ExceptionInterceptMessage>(&m);
    check_payload::<MemoryInterceptMessage>(&m);
    if let Ok(h) = m.payload::<InterceptMessageHeader>() {
        assert_eq!(h.access_type().is_ok(), h.intercept_access_type <= 2);
    }
    let _ = format!("{m:?}");
}

fn partition(u: &mut Unstructured<'_>) -> Result<usize> {
    u.choose_index(PARTITIONS)
}

/// A GPA where something interesting happens: a page start, an aligned offset, the last 8 or 16 bytes of a
/// page (the first and last page of the address space included), a misaligned offset, an unmapped page
/// next to a mapped one, or any value at all.
fn gpa(u: &mut Unstructured<'_>) -> Result<u64> {
    let page = *u.choose(&PAGES)?;
    Ok(match u.int_in_range(0..=9u8)? {
        0..=2 => page,
        3 | 4 => page + u.int_in_range(0..=511u64)? * 8,
        5 => page + 0xFF8,
        6 => page + 0xFF0,
        7 => page + u.int_in_range(0..=4095u64)?,
        8 => page.wrapping_add(PAGE) + u.int_in_range(0..=511u64)? * 8,
        _ => u.arbitrary()?,
    })
}

/// A `Count` around the interesting values: 0, small, the room left in the page after `gpa`'s header and
/// one more, 4088 and 4089, or anything.
fn count(u: &mut Unstructured<'_>, gpa: u64) -> Result<u32> {
    let room = (PAGE - gpa % PAGE).saturating_sub(8) as u32;
    Ok(match u.int_in_range(0..=7u8)? {
        0 | 1 => 0,
        2 | 3 => u.int_in_range(1..=64)?,
        4 => room,
        5 => room + 1,
        6 => *u.choose(&[MAX, MAX + 1])?,
        _ => u.arbitrary()?,
    })
}

/// An input value for `code`, valid most of the time, otherwise with one violation or random bits.
fn rcx_for(u: &mut Unstructured<'_>, code: CallCode, fast: bool) -> Result<u64> {
    let valid = HypercallInput::new().with_call_code(code).with_fast(fast);
    // Exhausted input reads as zeros, so 0 is the common case.
    Ok(match u.int_in_range(0..=31u8)? {
        1 => valid.into_bits() | 1 << *u.choose(&[27u32, 28, 29, 30, 44, 45, 46, 47, 60, 61, 62, 63])?,
        2 => valid.with_rep_count(u.int_in_range(1..=0xFFF)?).into_bits(),
        3 => valid.with_variable_header_size(u.int_in_range(1..=0x3FF)?).into_bits(),
        4 => valid.with_nested(true).into_bits(),
        5 => valid.with_fast(!fast).into_bits(),
        6 => u.arbitrary()?,
        _ => valid.into_bits(),
    })
}

/// The guest's writes of a call's input, then the call, as a guest debug transport issues it.
fn debug_call(u: &mut Unstructured<'_>, ops: &mut Vec<Op>) -> Result<()> {
    let p = partition(u)?;
    let vp = if u.ratio(15, 16)? { 0 } else { u.int_in_range(1..=2)? };
    let (in_gpa, out_gpa) = (gpa(u)?, gpa(u)?);
    let write = |gpa: u64, bytes: Vec<u8>| Op::Write { p, gpa, bytes };
    let code = *u.choose(&[
        CallCode::POST_DEBUG_DATA,
        CallCode::RETRIEVE_DEBUG_DATA,
        CallCode::RESET_DEBUG_SESSION,
    ])?;
    let options: u32 = if u.ratio(7, 8)? {
        u.int_in_range(0..=3)?
    } else {
        u.arbitrary()?
    };
    let mut fast = false;
    let mut rdx = in_gpa;
    match code {
        CallCode::POST_DEBUG_DATA => {
            let count = count(u, in_gpa)?;
            let mut input = [count.to_le_bytes(), options.to_le_bytes()].concat();
            let room = (PAGE - in_gpa % PAGE).saturating_sub(8) as usize;
            let len = (count as usize).min(room).min(u.len());
            input.extend_from_slice(u.bytes(len)?);
            ops.push(write(in_gpa, input));
        }
        CallCode::RETRIEVE_DEBUG_DATA => {
            let count = count(u, out_gpa)?;
            let timeout: u64 = if u.ratio(7, 8)? {
                u.int_in_range(0..=100)?
            } else {
                u.arbitrary()?
            };
            ops.push(write(
                in_gpa,
                [&count.to_le_bytes()[..], &options.to_le_bytes(), &timeout.to_le_bytes()].concat(),
            ));
        }
        _ => {
            fast = u.arbitrary()?;
            if fast {
                rdx = if u.ratio(7, 8)? {
                    u64::from(options)
                } else {
                    u.arbitrary()?
                };
            } else {
                ops.push(write(in_gpa, u64::from(options).to_le_bytes().to_vec()));
            }
        }
    }
    let rcx = rcx_for(u, code, fast)?;
    ops.push(Op::Call {
        p,
        vp,
        regs: Registers { rcx, rdx, r8: out_gpa },
    });
    Ok(())
}

/// One to three ops: mostly debug calls, then host I/O, the clock, raw registers, guest writes, property
/// and lifecycle changes (completion and termination rarely: they are final).
fn ops(u: &mut Unstructured<'_>, ops: &mut Vec<Op>) -> Result<()> {
    match u.int_in_range(0..=31u8)? {
        0..=13 => debug_call(u, ops)?,
        14..=17 => ops.push(Op::Deliver {
            p: partition(u)?,
            len: u.int_in_range(0..=80)?,
        }),
        18..=20 => ops.push(Op::Receive {
            p: partition(u)?,
            len: u.int_in_range(0..=5000)?,
        }),
        21 | 22 => ops.push(Op::Advance {
            by: u.int_in_range(0..=60)?,
        }),
        23 => ops.push(Op::Call {
            p: partition(u)?,
            vp: u.int_in_range(0..=2)?,
            regs: Registers {
                rcx: u.arbitrary()?,
                rdx: gpa(u)?,
                r8: gpa(u)?,
            },
        }),
        24 => {
            let len = u.int_in_range(0..=64)?;
            ops.push(Op::Write {
                p: partition(u)?,
                gpa: gpa(u)?,
                bytes: u.bytes(len)?.to_vec(),
            });
        }
        25 | 26 => ops.push(Op::SetChannel {
            p: partition(u)?,
            id: u.int_in_range(0..=3)?,
        }),
        27 => ops.push(Op::SetPrivilege {
            p: partition(u)?,
            debugging: u.ratio(4, 5)?,
        }),
        28 => ops.push(Op::EnableDebugging(u.ratio(4, 5)?)),
        _ => {
            let change = match u.int_in_range(0..=63u8)? {
                62 => Lifecycle::Complete,
                63 => Lifecycle::Terminate,
                0..=31 => Lifecycle::Reset,
                _ => Lifecycle::Save,
            };
            ops.push(Op::Lifecycle {
                p: partition(u)?,
                change,
            });
        }
    }
    Ok(())
}

/// Drives the reference model and its specification ([`crate::model`]) side by side with up to 256
/// steps: debug calls whose parameter blocks sit anywhere (page ends, the first and last page of the
/// address space, unmapped and misaligned places), input values with one violation at a time, raw
/// registers, guest writes, host I/O, clock steps, property and lifecycle changes. After every step the
/// two agree on each result, every byte of guest memory, the buffers, the accounting, the activity mark
/// and the VP waits; a refused call changes nothing.
pub fn dispatcher(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let mut world = World::new();
    let mut batch = Vec::new();
    for _ in 0..256 {
        batch.clear();
        // Running out of input ends the run; that is not a failure.
        if u.is_empty() || ops(&mut u, &mut batch).is_err() {
            break;
        }
        for op in &batch {
            world.step(op);
        }
    }
}
