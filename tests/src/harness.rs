//! Fuzz harness functions. Each takes arbitrary bytes and asserts the invariants of what it drives, not
//! only that nothing panics.

use arbitrary::{Result, Unstructured};
use hv_abi::synic::{Message, MessagePayload};
use hv_abi::{
    CallCode, HvStatus, HypercallInput, HypercallOutput, PartitionId, PartitionPrivileges, PartitionPropertyCode,
    VpIndex,
};
use hv_model::{Accounting, Config, Dispatch, Hypervisor, Registers};
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

/// The statuses a call may return from `dispatch`. The partition and VP are checked before the code.
fn allowed(code: CallCode, status: HvStatus) -> bool {
    let before_the_code = [
        HvStatus::INVALID_PARTITION_STATE,
        HvStatus::INVALID_VP_INDEX,
        HvStatus::INVALID_VP_STATE,
    ];
    let debug_call = [
        HvStatus::SUCCESS,
        HvStatus::INVALID_HYPERCALL_INPUT,
        HvStatus::INVALID_ALIGNMENT,
        HvStatus::INVALID_PARAMETER,
        HvStatus::ACCESS_DENIED,
        HvStatus::OPERATION_DENIED,
        HvStatus::FEATURE_UNAVAILABLE,
    ];
    let own: &[HvStatus] = match code {
        CallCode::POST_DEBUG_DATA => &[HvStatus::INSUFFICIENT_BUFFERS],
        CallCode::RETRIEVE_DEBUG_DATA => &[HvStatus::NO_DATA, HvStatus::INACTIVE],
        CallCode::RESET_DEBUG_SESSION => &[HvStatus::NO_DATA],
        _ => {
            return before_the_code.contains(&status) || status == HvStatus::INVALID_HYPERCALL_CODE;
        }
    };
    before_the_code.contains(&status) || debug_call.contains(&status) || own.contains(&status)
}

const PAGES: [u64; 2] = [0x1000, 0x2000];

fn gpa(u: &mut Unstructured<'_>) -> Result<u64> {
    Ok(match u.int_in_range(0..=3u8)? {
        0 => PAGES[u.choose_index(2)?] + u.int_in_range(0..=511u64)? * 8,
        1 => PAGES[0] + u.int_in_range(0..=4095u64)?,
        2 => PAGES[0] + 0xFF0,
        _ => u.arbitrary()?,
    })
}

fn registers(u: &mut Unstructured<'_>, last_input: u64) -> Result<Registers> {
    let rcx: u64 = if u.ratio(3, 4)? {
        let code = *u.choose(&[
            CallCode::POST_DEBUG_DATA,
            CallCode::RETRIEVE_DEBUG_DATA,
            CallCode::RESET_DEBUG_SESSION,
        ])?;
        let fast = code == CallCode::RESET_DEBUG_SESSION && u.arbitrary()?;
        let input = HypercallInput::new().with_call_code(code).with_fast(fast);
        if u.ratio(1, 8)? {
            input.into_bits() | u.arbitrary::<u64>()? << 16
        } else {
            input.into_bits()
        }
    } else {
        u.arbitrary()?
    };
    let rdx = if u.ratio(3, 4)? { last_input } else { gpa(u)? };
    let r8 = if u.ratio(3, 4)? {
        PAGES[1] + u.int_in_range(0..=3u64)? * 0x400
    } else {
        gpa(u)?
    };
    Ok(Registers { rcx, rdx, r8 })
}

fn accounting(hv: &Hypervisor, p: PartitionId) -> (Accounting, Accounting) {
    let (inc, out) = hv.accounting(p).expect("partition exists");
    assert!(inc.balanced() && out.balanced(), "bytes vanished: {inc:?} {out:?}");
    (inc, out)
}

fn run_dispatcher(u: &mut Unstructured<'_>) -> Result<()> {
    let config = Config {
        debugging_supported: u.ratio(15, 16)?,
        debugging_enabled: u.ratio(15, 16)?,
        incoming_capacity: u.int_in_range(0..=9000)?,
        outgoing_capacity: u.int_in_range(4088..=9000)?,
    };
    let mut hv = Hypervisor::new(config).expect("outgoing capacity holds one maximal post");
    let mut ids = [PartitionId(0); 2];
    for id in &mut ids {
        let privileges = if u.ratio(7, 8)? {
            PartitionPrivileges::DEBUGGING
        } else {
            PartitionPrivileges::from_bits_retain(u.arbitrary()?)
        };
        *id = hv
            .create_partition(privileges, u.int_in_range(1..=2)?)
            .expect("small buffers");
        hv.set_property(*id, PartitionPropertyCode::DEBUG_CHANNEL_ID, u.int_in_range(0..=3)?)
            .expect("16-bit id");
        let memory = &mut hv.partition_mut(*id).expect("created").memory;
        for page in PAGES {
            memory.map(page);
            let len = u.int_in_range(0..=64)?;
            let fill = u.bytes(len)?;
            memory.write(page, fill).expect("mapped");
        }
    }
    let mut last_input = PAGES[0];
    for _ in 0..128 {
        if u.is_empty() {
            break;
        }
        let p = ids[u.choose_index(2)?];
        match u.int_in_range(0..=7u8)? {
            7 => {
                // A well-formed debug-call input (Count, Options, Timeout) where a call may read it, so
                // that the handlers' own checks are reached, not only the parameter checks.
                let at = PAGES[0] + u.int_in_range(0..=511u64)? * 8;
                last_input = at;
                let count: u32 = if u.ratio(7, 8)? {
                    u.int_in_range(0..=64)?
                } else {
                    u.arbitrary()?
                };
                let options: u32 = if u.ratio(7, 8)? {
                    u.int_in_range(0..=7)?
                } else {
                    u.arbitrary()?
                };
                let timeout: u64 = u.int_in_range(0..=100)?;
                let mut input = [0u8; 16];
                input[..4].copy_from_slice(&count.to_le_bytes());
                input[4..8].copy_from_slice(&options.to_le_bytes());
                input[8..].copy_from_slice(&timeout.to_le_bytes());
                let _ = hv.partition_mut(p).expect("created").memory.write(at, &input);
            }
            0..=2 => {
                let regs = registers(u, last_input)?;
                let vp = VpIndex(if u.ratio(15, 16)? { 0 } else { u.int_in_range(1..=2)? });
                let before = accounting(&hv, p);
                let code = HypercallInput::from_bits(regs.rcx).call_code();
                match hv.dispatch(p, vp, regs) {
                    Dispatch::Complete(out) => {
                        let status = out.status();
                        assert!(allowed(code, status), "{code:?} returned {status:?}");
                        assert_eq!(out.reserved_bits(), 0);
                        if status != HvStatus::SUCCESS {
                            assert_eq!(accounting(&hv, p), before, "a failed {code:?} ({status:?}) moved bytes");
                        }
                    }
                    Dispatch::Suspended { deadline } => {
                        assert_eq!(code, CallCode::RETRIEVE_DEBUG_DATA);
                        assert!(deadline > hv.now());
                        assert_eq!(accounting(&hv, p), before);
                    }
                }
            }
            3 => {
                let len = u.int_in_range(0..=512)?;
                let data = u.bytes(len)?;
                let _ = hv.deliver(p, data);
            }
            4 => {
                let mut buf = vec![0u8; u.int_in_range(0..=5000)?];
                let _ = hv.receive(p, &mut buf);
            }
            5 => hv.advance_clock(u.int_in_range(0..=1000)?),
            _ => {
                // Completion and termination are final, so they are rare.
                let _ = match u.int_in_range(0..=31u8)? {
                    0 => hv.complete(p).map(Some),
                    1 => hv.terminate(p).map(Some),
                    2..=7 => hv.reset(p).map(Some),
                    8..=11 => hv.save(p).map(Some),
                    12..=19 => hv.set_property(p, PartitionPropertyCode::DEBUG_CHANNEL_ID, u.int_in_range(0..=3)?),
                    20..=25 => {
                        let bits = if u.ratio(3, 4)? {
                            PartitionPrivileges::DEBUGGING.bits()
                        } else {
                            u.arbitrary()?
                        };
                        hv.set_property(p, PartitionPropertyCode::PRIVILEGE_FLAGS, bits)
                    }
                    _ => Ok(hv.set_debugging_enabled(u.ratio(3, 4)?)),
                };
            }
        }
        for id in ids {
            accounting(&hv, id);
        }
    }
    Ok(())
}

/// Drives the reference model with arbitrary configuration, privileges, channel ids, guest pages,
/// register values, host I/O, clock steps and lifecycle events. After every step: each status is one the
/// call may return, a failed or suspended call moved no byte, and every byte is read, purged, dropped
/// or pending.
pub fn dispatcher(data: &[u8]) {
    // Running out of input ends the run; that is not a failure.
    let _ = run_dispatcher(&mut Unstructured::new(data));
}
