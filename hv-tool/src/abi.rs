//! `hvtool abi`: the registry as JSON or as readable tables.

use std::fmt::Write as _;

use serde_json::{Value, json};

/// The whole registry as one JSON document (see the README of the `abi` command for the shape).
pub(crate) fn json() -> String {
    let reg = hv_x64::registry();
    let types: Vec<Value> = reg
        .types()
        .map(|t| {
            let fields: Vec<Value> = t
                .fields
                .iter()
                .map(|f| json!({"name": f.tlfs_name, "rust_name": f.name, "offset": f.offset, "size": f.size}))
                .collect();
            json!({"name": t.name, "tlfs_name": t.tlfs_name, "size": t.size, "align": t.align, "fields": fields})
        })
        .collect();
    let bitfields: Vec<Value> = reg
        .bitfields()
        .map(|b| {
            let fields: Vec<Value> = b
                .fields
                .iter()
                .map(|f| {
                    json!({"name": f.tlfs_name, "rust_name": f.name, "lsb": f.lsb, "msb": f.msb, "reserved": f.reserved})
                })
                .collect();
            json!({"name": b.name, "tlfs_name": b.tlfs_name, "width": b.width, "fields": fields})
        })
        .collect();
    let codes: serde_json::Map<String, Value> = reg
        .codes()
        .map(|c| {
            let entries: Vec<Value> = c.entries.iter().map(|(n, v)| json!({"name": n, "value": v})).collect();
            (c.name.to_owned(), Value::Array(entries))
        })
        .collect();
    let flags: serde_json::Map<String, Value> = reg
        .flags()
        .map(|t| {
            let entries: Vec<Value> = t
                .entries
                .iter()
                .map(|f| json!({"name": f.tlfs_name, "rust_name": f.name, "value": f.value}))
                .collect();
            (t.name.to_owned(), Value::Array(entries))
        })
        .collect();
    let doc = json!({"types": types, "bitfields": bitfields, "codes": codes, "flags": flags});
    let mut out = serde_json::to_string_pretty(&doc).expect("a JSON value always serializes");
    out.push('\n');
    out
}

/// The registry as aligned, readable tables.
pub(crate) fn text() -> String {
    let reg = hv_x64::registry();
    let mut out = String::new();
    for t in reg.types() {
        let _ = writeln!(out, "{} ({}): {} bytes, align {}", t.tlfs_name, t.name, t.size, t.align);
        for f in t.fields {
            let _ = writeln!(out, "  {:>5}  {:>5}  {:<24} {}", f.offset, f.size, f.tlfs_name, f.name);
        }
    }
    for b in reg.bitfields() {
        let _ = writeln!(out, "{} ({}): {} bits", b.tlfs_name, b.name, b.width);
        for f in b.fields {
            let bits = if f.lsb == f.msb {
                format!("{}", f.lsb)
            } else {
                format!("{}..={}", f.lsb, f.msb)
            };
            let note = if f.reserved { " (reserved)" } else { "" };
            let _ = writeln!(out, "  {bits:>8}  {:<26} {}{note}", f.tlfs_name, f.name);
        }
    }
    for c in reg.codes() {
        let _ = writeln!(out, "{} ({}): {} names", c.tlfs_name, c.name, c.entries.len());
        for (name, value) in c.entries {
            let _ = writeln!(out, "  {value:#010x}  {name}");
        }
    }
    for t in reg.flags() {
        let _ = writeln!(out, "{} flags", t.name);
        for f in t.entries {
            let _ = writeln!(out, "  {:#018x}  {}", f.value, f.tlfs_name);
        }
    }
    out
}
