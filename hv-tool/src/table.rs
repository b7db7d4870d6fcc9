//! Decoded fields as rows: offset or bit range, TLFS name, hex value and meaning, with the intercept
//! header and segment registers opened up in place. `text` renders them as the table people read,
//! `json` as the objects of `--json`.

use std::fmt::Write as _;

use hv_abi::Bitfield;
use hv_abi::PartitionPrivileges;
use hv_abi::layout::{BitfieldLayout, FieldLayout, Layout, TypeLayout};
use hv_abi::registry::FlagTable;
use hv_abi::synic::{MessageFlags, MessageType};
use hv_x64::cpuid::{FeatureFlags, NestedFeatures2, Recommendations};
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
    /// Past the bytes given: `--zero-pad` supplied this field's bytes.
    padded: bool,
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
            None => (Value::Bytes(value.to_vec()), ascii(value).unwrap_or_default()),
        };
        rows.push(Row {
            place: Place::Offset(at),
            path,
            depth,
            value,
            meaning,
            padded: false,
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
        padded: false,
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
        padded: false,
    });
}

/// Appends a row holding an integer of `width` bytes at `at`.
pub(crate) fn int_row(rows: &mut Vec<Row>, at: usize, path: &str, value: u64, width: usize, meaning: String) {
    rows.push(Row {
        place: Place::Offset(at),
        path: path.to_owned(),
        depth: 0,
        value: Value::Int { value, width },
        meaning,
        padded: false,
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
            padded: false,
        });
    }
}

/// Whether text output is coloured: only on a terminal, unless asked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Paint(pub(crate) bool);

impl Paint {
    const BOLD: &str = "\x1b[1m";
    const CYAN: &str = "\x1b[36m";
    const GREEN: &str = "\x1b[32m";
    const RED: &str = "\x1b[31m";
    const RESET: &str = "\x1b[0m";

    fn wrap(self, style: &str, text: &str) -> String {
        if self.0 && !text.trim().is_empty() {
            format!("{style}{text}{}", Self::RESET)
        } else {
            text.to_owned()
        }
    }

    /// A field name or a title.
    pub(crate) fn name(self, text: &str) -> String {
        self.wrap(Self::BOLD, text)
    }

    /// A verdict: green when the hypervisor would accept, red when it would not.
    pub(crate) fn verdict(self, good: bool, text: &str) -> String {
        self.wrap(if good { Self::GREEN } else { Self::RED }, text)
    }

    /// A meaning: red for a value that breaks a rule or was made up by `--zero-pad`.
    fn meaning(self, row: &Row) -> String {
        let mut text = row.meaning.clone();
        if row.padded {
            text = format!("{text} [zero-padded]").trim_start().to_owned();
        }
        let bad = row.padded || text.contains("must be zero") || text.starts_with("not a");
        if bad { self.wrap(Self::RED, &text) } else { text }
    }
}

/// The rows as a table: place, name (indented below a nested struct), hex value, meaning.
pub(crate) fn text(out: &mut String, rows: &[Row], paint: Paint) {
    for row in rows {
        let place = match row.place {
            Place::Offset(at) => format!("{at:#04x}"),
            Place::Bits(msb, lsb) if msb == lsb => format!("{lsb}"),
            Place::Bits(msb, lsb) => format!("{msb}:{lsb}"),
        };
        let name = row.path.rsplit('.').next().unwrap_or_default();
        let name = format!("{:indent$}{name}", "", indent = 2 * row.depth);
        let line = match &row.value {
            Value::Struct(tlfs) => format!("{place:>5}  {}  {tlfs}", paint.name(&name)),
            Value::Int { value, width } => {
                let hex = format!("{value:#0w$x}", w = 2 + 2 * width);
                format!(
                    "{place:>5}  {} {}{}",
                    paint.name(&format!("{name:<24}")),
                    paint.wrap(Paint::CYAN, &format!("{hex:<20}")),
                    paint.meaning(row)
                )
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
                    lines.push(format!(
                        "{at:>5}  {} {}",
                        paint.name(&format!("{label:<24}")),
                        paint.wrap(Paint::CYAN, &hex.join(" "))
                    ));
                }
                // The meaning follows a one-line value, or gets a line of its own below a longer one.
                let meaning = paint.meaning(row);
                match lines.as_mut_slice() {
                    _ if meaning.is_empty() => {}
                    [only] => *only = format!("{only}  {meaning}"),
                    _ => lines.push(format!("{:>5}  {:<24} {meaning}", "", "")),
                }
                lines.join("\n")
            }
        };
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

/// Marks every row that reaches past the first `given` bytes: `--zero-pad` supplied its bytes.
pub(crate) fn mark_padded(rows: &mut [Row], given: usize) {
    for row in rows {
        let size = match &row.value {
            Value::Int { width, .. } => *width,
            Value::Bytes(bytes) => bytes.len(),
            Value::Struct(_) => 0,
        };
        if let Place::Offset(at) = row.place {
            row.padded = size > 0 && at + size > given;
        }
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
            if row.padded {
                object.insert("padded".into(), true.into());
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
    if (parent, field) == ("HV_X64_SEGMENT_REGISTER", "Attributes") {
        return segment_attributes(value as u16);
    }
    let bitfield: Option<BitfieldLayout> = match (parent, field) {
        (_, "ExecutionState") => Some(VpExecutionState::BITFIELD),
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
    let flags: Option<FlagTable> = match (parent, field) {
        (_, "PartitionPrivileges") => Some(PartitionPrivileges::FLAG_TABLE),
        ("HV_X64_HYPERVISOR_FEATURES", "Edx") => Some(FeatureFlags::FLAG_TABLE),
        ("HV_X64_ENLIGHTENMENT_INFORMATION", "Eax") => Some(Recommendations::FLAG_TABLE),
        ("HYPERV_CPUID_NESTED_FEATURES", "Ebx") => Some(NestedFeatures2::FLAG_TABLE),
        _ => None,
    };
    if let Some(table) = flags {
        return set_flags(&table, value);
    }
    // A register of a CPUID leaf whose bitfield is named after it (`HV_X64_HYPERVISOR_FEATURES.Ecx`).
    let registered = hv_x64::registry().bitfields().find(|b| {
        b.tlfs_name
            .split_once('.')
            .is_some_and(|(p, f)| p == parent && f.eq_ignore_ascii_case(field))
    });
    if let Some(layout) = registered {
        return set_fields(layout, value);
    }
    match field {
        "Interface" => ascii(&(value as u32).to_le_bytes()).unwrap_or_default(),
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
        "Selector" => format!(
            "{}[{}], RPL {}",
            if value & 0b100 == 0 { "GDT" } else { "LDT" },
            value >> 3,
            value & 0b11
        ),
        "MaxFunction" => format!("{:?}", hv_x64::cpuid::CpuidLeaf::from_bits(value as u32)),
        "MsrNumber" => hv_x64::msr::SyntheticMsr::from_bits(value as u32)
            .name()
            .unwrap_or_default()
            .to_owned(),
        // Registers, addresses and limits read as hex; a decimal would be noise.
        "Rip"
        | "Rflags"
        | "Rax"
        | "Rbx"
        | "Rcx"
        | "Rdx"
        | "Rsi"
        | "Rdi"
        | "Rsp"
        | "Rbp"
        | "GuestPhysicalAddress"
        | "GuestVirtualAddress"
        | "Base"
        | "Limit" => String::new(),
        _ if value > 9 => format!("{value}"),
        _ => String::new(),
    }
}

/// The flags of `table` set in `value`, then any bits no flag names: `DEBUGGING ACCESS_HYPERCALL_MSRS`.
fn set_flags(table: &FlagTable, value: u64) -> String {
    let mut parts: Vec<String> = table
        .entries
        .iter()
        .filter(|f| f.value != 0 && value & f.value == f.value)
        .map(|f| f.name.to_owned())
        .collect();
    let unknown = table.entries.iter().fold(value, |rest, f| rest & !f.value);
    if unknown != 0 {
        parts.push(format!("unknown bits {unknown:#x}"));
    }
    parts.join(" ")
}

/// Bytes that are printable ASCII (a vendor signature, "Hv#1"), quoted; `None` for any other bytes.
fn ascii(bytes: &[u8]) -> Option<String> {
    let text = bytes.strip_suffix(&[0]).unwrap_or(bytes);
    (!text.is_empty() && text.iter().all(|b| b.is_ascii_graphic() || *b == b' '))
        .then(|| format!("\"{}\"", String::from_utf8_lossy(text)))
}

/// A segment's attributes in one line, as a descriptor table reads: `code, execute/read, accessed; DPL 0;
/// present; 64-bit; 4 KiB granularity`.
pub(crate) fn segment_attributes(bits: u16) -> String {
    if bits == 0 {
        return "none: a null or unusable segment".to_owned();
    }
    let a = SegmentAttributes::from_bits(bits);
    let kind = a.segment_type();
    let mut parts = vec![if a.non_system_segment() {
        let (class, second, third) = if kind & 0b1000 != 0 {
            ("code", ["execute-only", "execute/read"], "conforming")
        } else {
            ("data", ["read-only", "read/write"], "expand-down")
        };
        let mut words = vec![class, second[usize::from(kind & 0b10 != 0)]];
        if kind & 0b100 != 0 {
            words.push(third);
        }
        if kind & 1 != 0 {
            words.push("accessed");
        }
        words.join(", ")
    } else {
        match kind {
            0x2 => "LDT".to_owned(),
            0x9 => "64-bit TSS (available)".to_owned(),
            0xB => "64-bit TSS (busy)".to_owned(),
            0xC => "call gate".to_owned(),
            0xE => "interrupt gate".to_owned(),
            0xF => "trap gate".to_owned(),
            other => format!("system type {other:#x}"),
        }
    }];
    parts.push(format!("DPL {}", a.descriptor_privilege_level()));
    parts.push(if a.present() { "present" } else { "not present" }.to_owned());
    if a.non_system_segment() && kind & 0b1000 != 0 {
        parts.push(
            match (a.long(), a.default()) {
                (true, false) => "64-bit",
                (true, true) => "L and D both set (invalid for a code segment)",
                (false, true) => "32-bit",
                (false, false) => "16-bit",
            }
            .to_owned(),
        );
    }
    if a.granularity() {
        parts.push("4 KiB granularity".to_owned());
    }
    if a.available() {
        parts.push("AVL".to_owned());
    }
    if a.reserved_bits() != 0 {
        parts.push(format!(
            "bits 11:8 = {:#x} (reserved, must be zero)",
            a.reserved_bits() >> 8
        ));
    }
    parts.join("; ")
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

    #[test]
    fn segment_attributes_read_as_a_descriptor_table_reads_them() {
        let read = segment_attributes;
        assert_eq!(
            read(0xA09B),
            "code, execute/read, accessed; DPL 0; present; 64-bit; 4 KiB granularity"
        );
        assert_eq!(
            read(0xC0F3),
            "data, read/write, accessed; DPL 3; present; 4 KiB granularity"
        );
        assert_eq!(read(0x409B), "code, execute/read, accessed; DPL 0; present; 32-bit");
        assert_eq!(read(0x008B), "64-bit TSS (busy); DPL 0; present");
        assert_eq!(
            read(0x0F82),
            "LDT; DPL 0; present; bits 11:8 = 0xf (reserved, must be zero)"
        );
        assert_eq!(read(0), "none: a null or unusable segment");
    }

    #[test]
    fn cpuid_registers_read_by_their_flags_bitfields_and_signatures() {
        let features = "HV_X64_HYPERVISOR_FEATURES";
        assert_eq!(
            meaning(features, "PartitionPrivileges", 1 << 43 | 1 << 5),
            "ACCESS_HYPERCALL_MSRS DEBUGGING"
        );
        assert_eq!(
            meaning(features, "Edx", 1 << 1 | 1 << 31),
            "GUEST_DEBUGGING_AVAILABLE APIC_EOI_INTERCEPT_AVAILABLE"
        );
        assert_eq!(
            meaning(features, "Ecx", 2),
            "MaxSupportedCState=2",
            "HV_X64_HYPERVISOR_FEATURES.Ecx"
        );
        assert_eq!(
            meaning("HV_HYPERVISOR_INTERFACE_INFO", "Interface", 0x3123_7648),
            "\"Hv#1\""
        );
        assert_eq!(ascii(b"Microsoft Hv").as_deref(), Some("\"Microsoft Hv\""));
        assert_eq!(ascii(&[0, 1, 2]), None);
    }
}
