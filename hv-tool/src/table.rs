//! Decoded fields as rows: offset or bit range, TLFS name, hex value and meaning, with the intercept
//! header and segment registers opened up in place. `text` renders them as the table people read,
//! `json` as the objects of `--json`.

use std::fmt::Write as _;

use hv_abi::Bitfield;
use hv_abi::layout::{BitfieldLayout, FieldLayout, Layout, TypeLayout};
use hv_abi::synic::{MessageFlags, MessageType};
use hv_x64::{
    ExceptionInfo, GpaAttributeFlags, HypercallInterceptFlags, InstructionLengthCr8, InterceptAccessType,
    InterceptMessageHeader, IoPortAccessInfo, MemoryAccessInfo, RegisterInterceptFlags, SegmentAttributes,
    SegmentRegister, VmgexitFlags, VpExecutionState,
};

/// One decoded field: where it sits, its TLFS name (dotted below a nested struct), its value and what the
/// value means. The text table and the JSON are both drawn from rows.
pub(crate) struct Row {
    place: Place,
    path: String,
    depth: usize,
    value: Value,
    meaning: String,
}

enum Place {
    /// A byte offset in the message.
    Offset(usize),
    /// A bit range, msb and lsb.
    Bits(u8, u8),
}

enum Value {
    /// A struct opened up in place: its TLFS type name; its fields follow.
    Struct(&'static str),
    /// An integer field of `width` bytes (0 for a bit range).
    Int { value: u64, width: usize },
    /// A field too wide for an integer, as bytes.
    Bytes(Vec<u8>),
}

/// Appends one row per field of `layout` read from `bytes` (which start at message offset `base`).
pub(crate) fn struct_rows(
    rows: &mut Vec<Row>,
    layout: &TypeLayout,
    bytes: &[u8],
    base: usize,
    parent: &str,
    depth: usize,
) {
    for field in layout.fields {
        let Some(value) = bytes.get(field.offset..field.offset + field.size) else {
            continue; // parse checked the payload's size; a layout never reaches past it
        };
        let at = base + field.offset;
        let path = if parent.is_empty() {
            field.tlfs_name.to_owned()
        } else {
            format!("{parent}.{}", field.tlfs_name)
        };
        if let Some(inner) = nested(field) {
            struct_row(rows, at, &path, depth, inner.tlfs_name);
            struct_rows(rows, &inner, value, at, &path, depth + 1);
            continue;
        }
        let (value, meaning) = match integer(value) {
            Some(n) => (
                Value::Int {
                    value: n,
                    width: value.len(),
                },
                meaning(layout.tlfs_name, field.tlfs_name, n),
            ),
            None => (Value::Bytes(value.to_vec()), String::new()),
        };
        rows.push(Row {
            place: Place::Offset(at),
            path,
            depth,
            value,
            meaning,
        });
    }
}

/// Appends the row that opens a struct at `at` (its fields follow, one level deeper).
pub(crate) fn struct_row(rows: &mut Vec<Row>, at: usize, path: &str, depth: usize, tlfs: &'static str) {
    rows.push(Row {
        place: Place::Offset(at),
        path: path.to_owned(),
        depth,
        value: Value::Struct(tlfs),
        meaning: String::new(),
    });
}

/// Appends a row of raw bytes at `at`.
pub(crate) fn bytes_row(rows: &mut Vec<Row>, at: usize, path: &str, bytes: &[u8], meaning: String) {
    rows.push(Row {
        place: Place::Offset(at),
        path: path.to_owned(),
        depth: 0,
        value: Value::Bytes(bytes.to_vec()),
        meaning,
    });
}

/// Appends one row per range of `layout` in `bits`; `name_of` names a field's value.
pub(crate) fn bitfield_rows(
    rows: &mut Vec<Row>,
    layout: &BitfieldLayout,
    bits: u64,
    name_of: impl Fn(&str, u64) -> Option<String>,
) {
    for f in layout.fields {
        let v = (bits & f.mask()) >> f.lsb;
        let meaning = match (f.reserved, v) {
            (true, 0) => "(reserved)".to_owned(),
            (true, _) => "(reserved, must be zero)".to_owned(),
            (false, _) => name_of(f.tlfs_name, v).unwrap_or_default(),
        };
        rows.push(Row {
            place: Place::Bits(f.msb, f.lsb),
            path: f.tlfs_name.to_owned(),
            depth: 0,
            value: Value::Int { value: v, width: 0 },
            meaning,
        });
    }
}

/// The rows as a table: place, name (indented below a nested struct), hex value, meaning.
pub(crate) fn text(out: &mut String, rows: &[Row]) {
    for row in rows {
        let place = match row.place {
            Place::Offset(at) => format!("{at:#04x}"),
            Place::Bits(msb, lsb) if msb == lsb => format!("{lsb}"),
            Place::Bits(msb, lsb) => format!("{msb}:{lsb}"),
        };
        let name = row.path.rsplit('.').next().unwrap_or_default();
        let name = format!("{:indent$}{name}", "", indent = 2 * row.depth);
        let line = match &row.value {
            Value::Struct(tlfs) => format!("{place:>5}  {name}  {tlfs}"),
            Value::Int { value, width } => {
                let hex = format!("{value:#0w$x}", w = 2 + 2 * width);
                format!("{place:>5}  {name:<24} {hex:<20}{}", row.meaning)
            }
            Value::Bytes(bytes) => {
                let mut lines = Vec::new();
                for (i, chunk) in bytes.chunks(16).enumerate() {
                    let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
                    let (at, label) = match (row.place.offset(), i) {
                        (Some(at), 0) => (format!("{at:#04x}"), name.as_str()),
                        (Some(at), _) => (format!("{:#04x}", at + 16 * i), ""),
                        (None, _) => (String::new(), ""),
                    };
                    lines.push(format!("{at:>5}  {label:<24} {}", hex.join(" ")));
                }
                lines.join("\n")
            }
        };
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// The rows as JSON objects: `offset` or `bits`, `field` (dotted path), `value` (hex), `meaning`.
pub(crate) fn json(rows: &[Row]) -> serde_json::Value {
    rows.iter()
        .map(|row| {
            let mut object = serde_json::Map::new();
            match row.place {
                Place::Offset(at) => object.insert("offset".into(), at.into()),
                Place::Bits(msb, lsb) => object.insert("bits".into(), format!("{msb}:{lsb}").into()),
            };
            object.insert("field".into(), row.path.clone().into());
            match &row.value {
                Value::Struct(tlfs) => object.insert("struct".into(), (*tlfs).into()),
                Value::Int { value, .. } => object.insert("value".into(), format!("{value:#x}").into()),
                Value::Bytes(bytes) => object.insert(
                    "value".into(),
                    bytes.iter().map(|b| format!("{b:02x}")).collect::<String>().into(),
                ),
            };
            if !row.meaning.is_empty() {
                object.insert("meaning".into(), row.meaning.clone().into());
            }
            serde_json::Value::Object(object)
        })
        .collect()
}

impl Place {
    fn offset(&self) -> Option<usize> {
        match *self {
            Place::Offset(at) => Some(at),
            Place::Bits(..) => None,
        }
    }
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
