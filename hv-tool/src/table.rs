//! A wire struct as a table people read: offset, TLFS name, hex value and meaning, one field a row,
//! with the intercept header and segment registers opened up in place.

use std::fmt::Write as _;

use hv_abi::Bitfield;
use hv_abi::layout::{BitfieldLayout, FieldLayout, Layout, TypeLayout};
use hv_abi::synic::{MessageFlags, MessageType};
use hv_x64::{
    ExceptionInfo, GpaAttributeFlags, HypercallInterceptFlags, InstructionLengthCr8, InterceptAccessType,
    InterceptMessageHeader, IoPortAccessInfo, MemoryAccessInfo, RegisterInterceptFlags, SegmentAttributes,
    SegmentRegister, VmgexitFlags, VpExecutionState,
};

/// Appends one row per field of `layout` read from `bytes` (which start at message offset `base`).
pub(crate) fn rows(out: &mut String, layout: &TypeLayout, bytes: &[u8], base: usize, depth: usize) {
    for field in layout.fields {
        let Some(value) = bytes.get(field.offset..field.offset + field.size) else {
            let _ = writeln!(
                out,
                "{:>5}  {}  (beyond the bytes given)",
                offset(base + field.offset),
                field.tlfs_name
            );
            continue;
        };
        let at = base + field.offset;
        if let Some(inner) = nested(field) {
            let _ = writeln!(
                out,
                "{:>5}  {:indent$}{}  {}",
                offset(at),
                "",
                field.tlfs_name,
                inner.tlfs_name,
                indent = 2 * depth
            );
            rows(out, &inner, value, at, depth + 1);
            continue;
        }
        let name = format!("{:indent$}{}", "", field.tlfs_name, indent = 2 * depth);
        match integer(value) {
            Some(n) => {
                let hex = format!("{n:#0w$x}", w = 2 + 2 * value.len());
                let meaning = meaning(layout.tlfs_name, field.tlfs_name, n);
                let line = format!("{:>5}  {name:<24} {hex:<20}{meaning}", offset(at));
                let _ = writeln!(out, "{}", line.trim_end());
            }
            None => {
                for (i, chunk) in value.chunks(16).enumerate() {
                    let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
                    let label = if i == 0 { name.as_str() } else { "" };
                    let _ = writeln!(out, "{:>5}  {label:<24} {}", offset(at + 16 * i), hex.join(" "));
                }
            }
        }
    }
}

fn offset(at: usize) -> String {
    format!("{at:#04x}")
}

/// The structs opened up in place: the intercept header and the segment registers.
fn nested(field: &FieldLayout) -> Option<TypeLayout> {
    let header = InterceptMessageHeader::TYPE_LAYOUT;
    let segment = SegmentRegister::TYPE_LAYOUT;
    match field.tlfs_name {
        "Header" if field.size == header.size => Some(header),
        name if name.ends_with("Segment") && field.size == segment.size => Some(segment),
        _ => None,
    }
}

/// A field of at most eight bytes as its little-endian integer.
fn integer(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > 8 {
        return None;
    }
    let mut le = [0u8; 8];
    le[..bytes.len()].copy_from_slice(bytes);
    Some(u64::from_le_bytes(le))
}

/// What a field of the struct `parent` means, where the ABI says: a code's name, a bitfield's set fields.
fn meaning(parent: &str, field: &str, value: u64) -> String {
    let bitfield: Option<BitfieldLayout> = match (parent, field) {
        (_, "ExecutionState") => Some(VpExecutionState::BITFIELD),
        ("HV_X64_SEGMENT_REGISTER", "Attributes") => Some(SegmentAttributes::BITFIELD),
        ("HV_X64_GPA_ATTRIBUTE_INTERCEPT_MESSAGE", "Attributes") => Some(GpaAttributeFlags::BITFIELD),
        (_, "InstructionLength") => Some(InstructionLengthCr8::BITFIELD),
        ("HV_X64_IO_PORT_INTERCEPT_MESSAGE", "AccessInfo") => Some(IoPortAccessInfo::BITFIELD),
        (_, "ExceptionInfo") => Some(ExceptionInfo::BITFIELD),
        (_, "MemoryAccessInfo") => Some(MemoryAccessInfo::BITFIELD),
        ("HV_X64_HYPERCALL_INTERCEPT_MESSAGE", "Flags") => Some(HypercallInterceptFlags::BITFIELD),
        ("HV_X64_REGISTER_INTERCEPT_MESSAGE", "Flags") => Some(RegisterInterceptFlags::BITFIELD),
        ("HV_X64_VMGEXIT_INTERCEPT_MESSAGE", "Flags") => Some(VmgexitFlags::BITFIELD),
        (_, "MessageFlags") => Some(MessageFlags::BITFIELD),
        _ => None,
    };
    if let Some(layout) = bitfield {
        return set_fields(&layout, value);
    }
    match field {
        "InterceptAccessType" => match u8::try_from(value)
            .ok()
            .and_then(|v| InterceptAccessType::try_from(v).ok())
        {
            Some(InterceptAccessType::Read) => "READ".to_owned(),
            Some(InterceptAccessType::Write) => "WRITE".to_owned(),
            Some(InterceptAccessType::Execute) => "EXECUTE".to_owned(),
            None => "not an access type".to_owned(),
        },
        "MessageType" => format!("{:?}", MessageType::from_bits(value as u32)),
        "Rip" | "Rflags" | "GuestPhysicalAddress" | "GuestVirtualAddress" | "Base" | "Limit" => String::new(),
        _ if value > 9 => format!("{value}"),
        _ => String::new(),
    }
}

/// The named ranges of `layout` that are not zero, in bit order: `Cpl=3 Cr0Pe EferLma`.
fn set_fields(layout: &BitfieldLayout, value: u64) -> String {
    let mut parts = Vec::new();
    for f in layout.fields {
        let v = (value & f.mask()) >> f.lsb;
        match (f.reserved, v, f.lsb == f.msb) {
            (_, 0, _) => {}
            (true, _, _) => parts.push(format!("{}={v:#x} (reserved, must be zero)", f.tlfs_name)),
            (false, _, true) => parts.push(f.tlfs_name.to_owned()),
            (false, _, false) => parts.push(format!("{}={v}", f.tlfs_name)),
        }
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitfields_show_their_set_fields_by_name() {
        assert_eq!(set_fields(&VpExecutionState::BITFIELD, 0b1_0101), "Cpl=1 Cr0Pe EferLma");
        let header = "HV_X64_INTERCEPT_MESSAGE_HEADER";
        assert_eq!(meaning(header, "InterceptAccessType", 1), "WRITE");
        assert_eq!(meaning(header, "InterceptAccessType", 7), "not an access type");
        assert_eq!(meaning("HV_X64_IO_PORT_INTERCEPT_MESSAGE", "PortNumber", 0x3F8), "1016");
        assert_eq!(
            meaning("HV_X64_IO_PORT_INTERCEPT_MESSAGE", "AccessInfo", 0x11),
            "AccessSize=1 RepPrefix"
        );
    }
}
