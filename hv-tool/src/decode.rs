//! `hvtool decode`: raw values and messages to named fields.

use std::fmt::Write as _;

use clap::Subcommand;
use hv_abi::layout::Layout;
use hv_abi::synic::{Message, MessageHeader};
use hv_abi::{Bitfield, CallCode, CallDescriptor, CallKind, HvStatus, HypercallInput, HypercallOutput, InputRejection};
use hv_x64::parse;

use crate::table;
use zerocopy::{FromZeros, IntoBytes};

/// How decodes are printed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Tables people read.
    Text,
    /// One JSON object per value or message (JSON Lines).
    Json,
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
    },
}

/// The decoded text, and the error that makes the run fail (a value the hypervisor would refuse still
/// prints its fields first).
pub(crate) fn run(what: &What, format: Format) -> (String, Option<String>) {
    let result = match what {
        What::Input { values } => {
            return each_value(values, "input value", format, |v| match parse_u64(v) {
                Ok(bits) => input(bits, format),
                Err(e) => (String::new(), Some(e)),
            });
        }
        What::Output { values } => {
            return each_value(values, "result value", format, |v| {
                ok_or_fail(parse_u64(v).map(|bits| output(bits, format)))
            });
        }
        What::Status { values } => return each_value(values, "status", format, |v| ok_or_fail(status(v, format))),
        What::Message { binary: Some(path), .. } => return binary_messages(path, format),
        What::Message { hex, .. } => message_text(hex).and_then(|text| message(&parse_hex(&text)?, format)),
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
    what: &str,
    format: Format,
    decode: impl Fn(&str) -> (String, Option<String>),
) -> (String, Option<String>) {
    let values: Vec<(String, String)> = match stdin_when_asked(args, what) {
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
        if many && !text.is_empty() && format == Format::Text {
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
fn binary_messages(path: &std::path::Path, format: Format) -> (String, Option<String>) {
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
        if count > 1 && format == Format::Text {
            let _ = writeln!(
                out,
                "{}# message {index} at byte {:#x}",
                if index > 0 { "\n" } else { "" },
                index * size
            );
        }
        match message(chunk, format) {
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

/// The message's hex: the arguments, or standard input for none or `-`.
fn message_text(hex: &[String]) -> Result<String, String> {
    stdin_when_asked(hex, "message").unwrap_or_else(|| Ok(hex.join(" ")))
}

/// Standard input's text when `args` are none (input piped in) or `-`; `None` when they are the input.
fn stdin_when_asked(args: &[String], what: &str) -> Option<Result<String, String>> {
    match args {
        [] => Some(crate::read_stdin(what, false)),
        [dash] if dash == "-" => Some(crate::read_stdin(what, true)),
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
    let out = match format {
        Format::Text => {
            let mut out = format!("HV_X64_HYPERCALL_INPUT {bits:#018x}\n");
            table::text(&mut out, &rows);
            let _ = writeln!(out, "{line}");
            out
        }
        Format::Json => json_line(&serde_json::json!({
            "type": "HV_X64_HYPERCALL_INPUT",
            "value": format!("{bits:#x}"),
            "fields": table::json(&rows),
            "verdict": line,
            "error": error,
        })),
    };
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
    match format {
        Format::Text => {
            let mut out = format!("HV_X64_HYPERCALL_OUTPUT {bits:#018x}\n");
            table::text(&mut out, &rows);
            out
        }
        Format::Json => json_line(&serde_json::json!({
            "type": "HV_X64_HYPERCALL_OUTPUT",
            "value": format!("{bits:#x}"),
            "fields": table::json(&rows),
        })),
    }
}

/// One JSON Lines record.
fn json_line(value: &serde_json::Value) -> String {
    format!("{value}\n")
}

fn status(value: &str, format: Format) -> Result<String, String> {
    let s = match status_by_name(value) {
        Some(s) => s,
        None => {
            let n = parse_u64(value).map_err(|_| match nearest_status_name(value) {
                Some(near) => format!("`{value}` is neither an HV_STATUS name nor a number; did you mean {near}?"),
                None => format!("`{value}` is neither an HV_STATUS name nor a number"),
            })?;
            let n = u16::try_from(n).map_err(|_| format!("{n:#x} does not fit HV_STATUS (16 bits)"))?;
            HvStatus::from_bits(n)
        }
    };
    Ok(match format {
        Format::Text => format!("{:#06x}  {}\n", s.into_bits(), status_name(u64::from(s.into_bits()))),
        Format::Json => json_line(&serde_json::json!({
            "type": "HV_STATUS",
            "value": format!("{:#06x}", s.into_bits()),
            "name": s.name(),
            "meaning": s.description(),
        })),
    })
}

/// A status name in any case, with or without the `HV_STATUS_` prefix: `no_data`, `HV_STATUS_NO_DATA`.
fn status_by_name(value: &str) -> Option<HvStatus> {
    let wanted = status_key(value);
    HvStatus::NAMED
        .iter()
        .find(|(name, _)| status_key(name) == wanted)
        .map(|&(_, status)| status)
}

/// The name without its prefix, upper case.
fn status_key(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    upper.strip_prefix("HV_STATUS_").unwrap_or(&upper).to_owned()
}

/// The published status name closest to `value`, when one is close enough to be what was meant.
fn nearest_status_name(value: &str) -> Option<&'static str> {
    let wanted = status_key(value);
    HvStatus::NAMED
        .iter()
        .map(|&(name, _)| (strsim::jaro_winkler(&wanted, &status_key(name)), name))
        .filter(|&(score, _)| score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name)
}

fn message(bytes: &[u8], format: Format) -> Result<String, String> {
    // The checks a VMM's parse makes: the header is there, payload_size is at most 240 and every byte it
    // counts was given, and the payload is as large as its type. Nothing is made up.
    let mut scratch = Message::new_zeroed();
    let m = parse::parse(bytes, &mut scratch).map_err(|e| format!("not a whole message: {e}"))?;
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
    Ok(match format {
        Format::Text => {
            let mut out = String::from("HV_MESSAGE\n");
            table::text(&mut out, &rows);
            if let (Some(tlfs), 1..) = (payload_type, unused) {
                let _ = writeln!(out, "      ({unused} more payload bytes, not part of {tlfs})");
            }
            out
        }
        Format::Json => json_line(&serde_json::json!({
            "type": "HV_MESSAGE",
            "message_type": format!("{t:?}"),
            "payload_type": payload_type,
            "unused_payload_bytes": unused,
            "fields": table::json(&rows),
        })),
    })
}
