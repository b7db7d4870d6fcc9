//! `hvtool decode`: raw values and messages to named fields.

use std::fmt::Write as _;

use clap::Subcommand;
use hv_abi::layout::Layout;
use hv_abi::synic::{Message, MessageHeader};
use hv_abi::{Bitfield, CallCode, CallDescriptor, CallKind, HvStatus, HypercallInput, HypercallOutput, InputRejection};
use hv_x64::parse;

use crate::table::{self, Paint};
use zerocopy::{FromZeros, IntoBytes};

/// How decodes are printed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Tables people read, coloured or not.
    Text(Paint),
    /// One JSON object per value or message (JSON Lines).
    Json,
}

impl Format {
    fn is_text(self) -> bool {
        matches!(self, Self::Text(_))
    }
}

/// Where the values come from when the arguments do not give them.
pub(crate) struct Source<'a> {
    /// `--file FILE`: the values, one a line, or the dump.
    pub(crate) file: Option<&'a std::path::Path>,
}

/// What to decode.
#[derive(Subcommand)]
pub(crate) enum What {
    /// A 64-bit hypercall input value (RCX), e.g. 0x1006b.
    Input {
        /// The value: hex with 0x, or decimal; several decode in turn. None, or `-`, reads them from standard input, one a line
        /// (`#` comments and blank lines skipped).
        values: Vec<String>,
    },
    /// A 64-bit hypercall result value (RAX).
    Output {
        /// The value: hex with 0x, or decimal; several decode in turn. None, or `-`, reads them from standard input, one a line
        /// (`#` comments and blank lines skipped).
        values: Vec<String>,
    },
    /// An HV_STATUS, by number or by TLFS name.
    Status {
        /// A number (0x1b, 27) or a name (HV_STATUS_NO_DATA); several decode in turn. None, or `-`, reads them from standard input, one a line
        /// (`#` comments and blank lines skipped).
        values: Vec<String>,
    },
    /// A SynIC message (HV_MESSAGE) as hex bytes in memory order: the 16-byte header and the payload_size
    /// bytes it counts (up to 256 in all). Plain or spaced hex, `xxd`, `od -tx1`, `hexdump -C` or a C
    /// array; `#` starts a comment.
    Message {
        /// Hex digits; spaces between bytes or groups are allowed. None, or `-`, reads standard input.
        #[arg(conflicts_with = "binary")]
        hex: Vec<String>,
        /// Read raw messages from FILE instead: 256 bytes each, as a SynIC message page or a trace holds
        /// them, decoded in order (the last may be shorter, down to 16 + its payload_size).
        #[arg(long, value_name = "FILE")]
        binary: Option<std::path::PathBuf>,
        /// Decode a message shorter than 16 + its payload_size by padding it with zero bytes; every field
        /// the padding supplied is marked `[zero-padded]`.
        #[arg(long)]
        zero_pad: bool,
    },
    /// A VP execution state (HV_X64_VP_EXECUTION_STATE, 16 bits), as an intercept header holds it.
    ExecutionState {
        /// The value: hex with 0x, or decimal; several decode in turn. None, or `-`, reads them from
        /// standard input, one a line.
        values: Vec<String>,
    },
    /// A segment register (HV_X64_SEGMENT_REGISTER): its 16 bytes in memory order (Base, Limit,
    /// Selector, Attributes), in any hex form `message` takes.
    Segment {
        /// Hex digits. None, or `-`, reads standard input.
        hex: Vec<String>,
    },
    /// A synthetic MSR (HV_X64_MSR_*) by number or name, and the value read or written.
    Msr {
        /// The MSR: a number (0x40000001) or a name in any case, with or without HV_X64_MSR_ (hypercall).
        msr: String,
        /// The MSR's value, decoded by its fields where it has them.
        value: Option<String>,
    },
    /// A VP register (HV_REGISTER_NAME) by number or name, and its value.
    Register {
        /// The register: a number (0x00090002) or a name in any case, with or without its prefix
        /// (HV_X64_REGISTER_ or HV_REGISTER_).
        name: String,
        /// The value: a number, or for a segment register its 16 bytes as hex.
        value: Vec<String>,
    },
    /// The four registers a hypervisor CPUID leaf returned, decoded by the leaf's layout.
    Cpuid {
        /// The leaf: a number (0x40000003) or a name (features, HV_CPUID_FUNCTION_MS_HV_FEATURES).
        leaf: String,
        /// EAX EBX ECX EDX, as the leaf returned them.
        #[arg(num_args = 4, value_names = ["EAX", "EBX", "ECX", "EDX"])]
        registers: Vec<String>,
    },
}

/// The decoded text, and the error that makes the run fail (a value the hypervisor would refuse still
/// prints its fields first).
pub(crate) fn run(what: &What, format: Format, source: &Source<'_>) -> (String, Option<String>) {
    let result = match what {
        What::Input { values } => {
            return each_value(values, source, "input value", format, |v| match parse_u64(v) {
                Ok(bits) => input(bits, format),
                Err(e) => (String::new(), Some(e)),
            });
        }
        What::Output { values } => {
            return each_value(values, source, "result value", format, |v| {
                ok_or_fail(parse_u64(v).map(|bits| output(bits, format)))
            });
        }
        What::Status { values } => {
            return each_value(values, source, "status", format, |v| ok_or_fail(status(v, format)));
        }
        What::ExecutionState { values } => {
            return each_value(values, source, "execution state", format, |v| {
                ok_or_fail(crate::state::execution_state(v, format))
            });
        }
        What::Message {
            binary: Some(path),
            zero_pad,
            ..
        } => return binary_messages(path, format, *zero_pad),
        What::Message { hex, zero_pad, .. } => {
            dump_text(hex, source, "message").and_then(|text| message(&parse_hex(&text)?, format, *zero_pad))
        }
        What::Segment { hex } => dump_text(hex, source, "segment register")
            .and_then(|text| crate::state::segment(&crate::hexdump::parse(&text)?, format)),
        What::Msr { msr, value } => crate::state::msr(msr, value.as_deref(), format),
        What::Register { name, value } => crate::state::register(name, value, format),
        What::Cpuid { leaf, registers } => crate::state::cpuid(leaf, registers, format),
    };
    ok_or_fail(result)
}

fn ok_or_fail(result: Result<String, String>) -> (String, Option<String>) {
    match result {
        Ok(out) => (out, None),
        Err(e) => (String::new(), Some(e)),
    }
}

/// Decodes each value of the arguments, or of standard input's lines for none or `-`. Every value is
/// decoded; those that fail are named (by argument or line number) and fail the run.
fn each_value(
    args: &[String],
    source: &Source<'_>,
    what: &str,
    format: Format,
    decode: impl Fn(&str) -> (String, Option<String>),
) -> (String, Option<String>) {
    let values: Vec<(String, String)> = match text_when_asked(args, source, what) {
        Some(Err(e)) => return (String::new(), Some(e)),
        Some(Ok(text)) => text
            .lines()
            .enumerate()
            .map(|(i, line)| {
                (
                    format!("line {}", i + 1),
                    line.split('#').next().unwrap_or_default().trim().to_owned(),
                )
            })
            .filter(|(_, v)| !v.is_empty())
            .collect(),
        None => args
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("argument {}", i + 1), v.clone()))
            .collect(),
    };
    let many = values.len() > 1;
    let mut out = String::new();
    let mut errors = Vec::new();
    for (place, value) in &values {
        let (text, error) = decode(value);
        if many && !text.is_empty() && format.is_text() {
            let _ = writeln!(out, "{}# {value}", if out.is_empty() { "" } else { "\n" });
        }
        out.push_str(&text);
        if let Some(e) = error {
            errors.push(if many { format!("{place}: {e}") } else { e });
        }
    }
    (out, (!errors.is_empty()).then(|| errors.join("\n")))
}

/// Every 256-byte message of a raw file, in order; one that does not decode is named by its index and
/// byte offset, the others still decode, and the run fails.
fn binary_messages(path: &std::path::Path, format: Format, zero_pad: bool) -> (String, Option<String>) {
    let bytes = match std::fs::read(path) {
        Ok(bytes) if bytes.is_empty() => {
            return (String::new(), Some(format!("{}: the file is empty", path.display())));
        }
        Ok(bytes) => bytes,
        Err(e) => return (String::new(), Some(format!("{}: {e}", path.display()))),
    };
    let size = size_of::<Message>();
    let count = bytes.len().div_ceil(size);
    let mut out = String::new();
    let mut errors = Vec::new();
    for (index, chunk) in bytes.chunks(size).enumerate() {
        if count > 1 && format.is_text() {
            let _ = writeln!(
                out,
                "{}# message {index} at byte {:#x}",
                if index > 0 { "\n" } else { "" },
                index * size
            );
        }
        match message(chunk, format, zero_pad) {
            Ok(text) => out.push_str(&text),
            Err(e) => errors.push(format!(
                "{}: message {index} at byte {:#x}: {e}",
                path.display(),
                index * size
            )),
        }
    }
    (out, (!errors.is_empty()).then(|| errors.join("\n")))
}

/// A hex dump: the arguments, or the file or standard input when they do not give it.
fn dump_text(hex: &[String], source: &Source<'_>, what: &str) -> Result<String, String> {
    text_when_asked(hex, source, what).unwrap_or_else(|| Ok(hex.join(" ")))
}

/// The text of `--file`, or standard input's when `args` are none (input piped in) or `-`; `None` when
/// the arguments are the input.
fn text_when_asked(args: &[String], source: &Source<'_>, what: &str) -> Option<Result<String, String>> {
    match (args, source.file) {
        ([], Some(path)) => Some(
            std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
                .and_then(|text| {
                    if text.trim().is_empty() {
                        Err(format!("{}: no {what} in the file", path.display()))
                    } else {
                        Ok(text)
                    }
                }),
        ),
        (_, Some(path)) => Some(Err(format!(
            "give the {what} as arguments or with --file {}, not both",
            path.display()
        ))),
        ([], None) => Some(crate::read_stdin(what, false)),
        ([dash], None) if dash == "-" => Some(crate::read_stdin(what, true)),
        _ => None,
    }
}

/// Parses `0x`-prefixed hex or decimal, with `_` separators allowed.
pub(crate) fn parse_u64(s: &str) -> Result<u64, String> {
    let clean = s.trim().replace('_', "");
    let parsed = match clean.strip_prefix("0x").or_else(|| clean.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => clean.parse(),
    };
    parsed.map_err(|e| format!("`{s}` is not a 64-bit number ({e}); write hex as 0x1006b or decimal as 65643"))
}

fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let bytes = crate::hexdump::parse(s)?;
    if bytes.len() > size_of::<Message>() {
        return Err(format!(
            "{} bytes given; an HV_MESSAGE is {} bytes",
            bytes.len(),
            size_of::<Message>()
        ));
    }
    Ok(bytes)
}

fn status_name(v: u64) -> String {
    let s = HvStatus::from_bits(v as u16);
    match s.description() {
        Some(d) => format!("{s} ({d})"),
        None => format!("{s} (no source names this status)"),
    }
}

/// One decoded value: in text, its title line, its table and any notes below; in JSON, `object` (which
/// names its type and value) with the rows as `fields`.
pub(crate) fn record(
    format: Format,
    title: &str,
    rows: &[table::Row],
    notes: &[String],
    mut object: serde_json::Value,
) -> String {
    match format {
        Format::Text(paint) => {
            let mut out = format!("{}\n", paint.name(title));
            table::text(&mut out, rows, paint);
            for note in notes {
                let _ = writeln!(out, "{note}");
            }
            out
        }
        Format::Json => {
            object["fields"] = table::json(rows);
            format!("{object}\n")
        }
    }
}

/// The input value's fields, then what the hypervisor would answer: checked against the call's
/// descriptor where hv-abi has one, for reserved bits alone otherwise. A refused value is the error.
fn input(bits: u64, format: Format) -> (String, Option<String>) {
    let v = HypercallInput::from_bits(bits);
    let mut rows = Vec::new();
    table::bitfield_rows(&mut rows, &HypercallInput::BITFIELD, bits, |field, value| match field {
        "CallCode" => Some(format!("{:?}", CallCode::from_bits(value as u16))),
        _ => None,
    });
    let code = v.call_code();
    let verdict = match code.descriptor() {
        Some(desc) => desc.check(v).map(|()| format!("valid for {code:?} ({})", form(desc))),
        None if v.reserved_bits() != 0 => Err(InputRejection::ReservedBits(v.reserved_bits())),
        None => Ok(format!(
            "no reserved bit set; {code:?} has no descriptor in hv-abi, so its form and reps are not checked"
        )),
    };
    let (line, error) = match verdict {
        Ok(line) => (line, None),
        Err(e) => (
            format!("invalid: {}", e.status()),
            Some(format!("the hypervisor answers {} to {code:?}: {e}", e.status())),
        ),
    };
    let note = match format {
        Format::Text(paint) => paint.verdict(error.is_none(), &line),
        Format::Json => String::new(),
    };
    let out = record(
        format,
        &format!("HV_X64_HYPERCALL_INPUT {bits:#018x}"),
        &rows,
        &[note],
        serde_json::json!({
            "type": "HV_X64_HYPERCALL_INPUT",
            "value": format!("{bits:#x}"),
            "verdict": line,
            "error": error,
        }),
    );
    (out, error)
}

/// A descriptor's encoding in words.
fn form(desc: &CallDescriptor) -> String {
    let kind = match desc.kind {
        CallKind::Simple => "simple",
        CallKind::Rep => "rep",
    };
    let forms = match (desc.fast, desc.memory) {
        (true, true) => "fast or memory form",
        (true, false) => "fast form only",
        (false, _) => "memory form only",
    };
    format!("{kind}, {forms}")
}

fn output(bits: u64, format: Format) -> String {
    let mut rows = Vec::new();
    table::bitfield_rows(
        &mut rows,
        &HypercallOutput::BITFIELD,
        bits,
        |field, value| match field {
            "CallStatus" => Some(status_name(value)),
            _ => None,
        },
    );
    record(
        format,
        &format!("HV_X64_HYPERCALL_OUTPUT {bits:#018x}"),
        &rows,
        &[],
        serde_json::json!({"type": "HV_X64_HYPERCALL_OUTPUT", "value": format!("{bits:#x}")}),
    )
}

fn status(value: &str, format: Format) -> Result<String, String> {
    let s = crate::names::lookup(value, "an HV_STATUS", HvStatus::NAMED, &["HV_STATUS_"], |n| {
        u16::try_from(n)
            .map(HvStatus::from_bits)
            .map_err(|_| format!("{n:#x} does not fit HV_STATUS (16 bits)"))
    })?;
    Ok(match format {
        Format::Text(_) => format!("{:#06x}  {}\n", s.into_bits(), status_name(u64::from(s.into_bits()))),
        Format::Json => format!(
            "{}\n",
            serde_json::json!({
                "type": "HV_STATUS",
                "value": format!("{:#06x}", s.into_bits()),
                "name": s.name(),
                "meaning": s.description(),
            })
        ),
    })
}

/// A message's header and typed payload. With `zero_pad`, a message shorter than 16 + its payload_size
/// is padded with zeros to 256 bytes and every field the padding supplied is marked.
pub(crate) fn message(bytes: &[u8], format: Format, zero_pad: bool) -> Result<String, String> {
    let size = size_of::<Message>();
    let mut padded = Vec::new();
    let given = bytes.len();
    let bytes = if zero_pad && given < size {
        padded.extend_from_slice(bytes);
        padded.resize(size, 0);
        &padded[..]
    } else {
        bytes
    };
    // The checks a VMM's parse makes: the header is there, payload_size is at most 240 and every byte it
    // counts was given, and the payload is as large as its type. Nothing is made up unless asked.
    let mut scratch = Message::new_zeroed();
    let m = parse::parse(bytes, &mut scratch).map_err(|e| {
        let short = matches!(
            e,
            parse::ParseError::NoHeader { .. } | parse::ParseError::Truncated { .. }
        );
        let hint = if short {
            "; --zero-pad decodes it with zeros for the missing bytes"
        } else {
            ""
        };
        format!("not a whole message: {e}{hint}")
    })?;
    let t = m.header.message_type;
    let mut rows = Vec::new();
    table::struct_rows(&mut rows, &MessageHeader::TYPE_LAYOUT, m.header.as_bytes(), 0, "", 0);
    let (payload_type, unused) = match m.payload.layout_and_bytes() {
        Some((layout, payload)) => {
            table::struct_row(&mut rows, 16, "Payload", 0, layout.tlfs_name);
            table::struct_rows(&mut rows, &layout, payload, 16, "Payload", 1);
            (
                Some(layout.tlfs_name),
                usize::from(m.header.payload_size).saturating_sub(layout.size),
            )
        }
        None => {
            let payload = bytes
                .get(16..16 + usize::from(m.header.payload_size))
                .unwrap_or_default();
            table::bytes_row(&mut rows, 16, "Payload", payload, format!("no typed decoder for {t:?}"));
            (None, 0)
        }
    };
    let needed = 16 + usize::from(m.header.payload_size);
    let pad = (zero_pad && given < needed).then(|| needed - given);
    if pad.is_some() {
        table::mark_padded(&mut rows, given);
    }
    let mut notes = Vec::new();
    if let (Some(tlfs), 1..) = (payload_type, unused) {
        notes.push(format!("      ({unused} more payload bytes, not part of {tlfs})"));
    }
    if let Some(missing) = pad {
        notes.push(format!(
            "      ({given} bytes given, {needed} needed: the last {missing} are zero padding)"
        ));
    }
    Ok(record(
        format,
        "HV_MESSAGE",
        &rows,
        &notes,
        serde_json::json!({
            "type": "HV_MESSAGE",
            "message_type": format!("{t:?}"),
            "payload_type": payload_type,
            "unused_payload_bytes": unused,
            "zero_padded_bytes": pad.unwrap_or(0),
        }),
    ))
}
