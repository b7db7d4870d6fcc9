//! The C cross-check: every struct and bitfield in the Rust layout registry against the published C
//! definitions in c/hv_layout.c, compiled by the system C compiler. A mismatch names the field.

use std::collections::BTreeMap;

use hv_abi::layout::{BitfieldLayout, TypeLayout};

const C_LAYOUT: &str = include_str!(concat!(env!("OUT_DIR"), "/c_layout.txt"));

#[derive(Default)]
struct CType {
    size: usize,
    align: usize,
    fields: BTreeMap<String, (usize, usize)>,
}

struct CLayout {
    types: BTreeMap<String, CType>,
    bits: BTreeMap<String, BTreeMap<String, u64>>,
}

fn parse() -> CLayout {
    let mut c = CLayout {
        types: BTreeMap::new(),
        bits: BTreeMap::new(),
    };
    for line in C_LAYOUT.lines() {
        let w: Vec<&str> = line.split_whitespace().collect();
        let num = |s: &str| {
            s.parse::<usize>()
                .unwrap_or_else(|e| panic!("bad number in {line:?}: {e}"))
        };
        match w.as_slice() {
            ["type", name, size, align] => {
                let t = c.types.entry((*name).to_owned()).or_default();
                (t.size, t.align) = (num(size), num(align));
            }
            ["field", ty, field, offset, size] => {
                c.types
                    .entry((*ty).to_owned())
                    .or_default()
                    .fields
                    .insert((*field).to_owned(), (num(offset), num(size)));
            }
            ["bits", ty, field, mask] => {
                let mask = u64::from_str_radix(mask, 16).unwrap_or_else(|e| panic!("bad mask in {line:?}: {e}"));
                c.bits
                    .entry((*ty).to_owned())
                    .or_default()
                    .insert((*field).to_owned(), mask);
            }
            _ => panic!("unexpected line from hv_layout.c: {line:?}"),
        }
    }
    c
}

fn rust_types() -> Vec<&'static TypeLayout> {
    hv_x64::registry().types().collect()
}

fn rust_bitfields() -> Vec<&'static BitfieldLayout> {
    hv_x64::registry().bitfields().collect()
}

#[test]
fn every_struct_matches_its_c_definition() {
    let c = parse();
    let mut mismatches = Vec::new();
    for t in rust_types() {
        let Some(ct) = c.types.get(t.tlfs_name) else {
            mismatches.push(format!("{} ({}) has no C definition", t.tlfs_name, t.name));
            continue;
        };
        if (ct.size, ct.align) != (t.size, t.align) {
            mismatches.push(format!(
                "{}: C size/align {}/{}, Rust {}/{}",
                t.tlfs_name, ct.size, ct.align, t.size, t.align
            ));
        }
        for f in t.fields {
            match ct.fields.get(f.tlfs_name) {
                None => mismatches.push(format!("{}.{}: not in the C definition", t.tlfs_name, f.tlfs_name)),
                Some(&(offset, size)) if (offset, size) != (f.offset, f.size) => mismatches.push(format!(
                    "{}.{} (`{}`): C offset {offset} size {size}, Rust offset {} size {}",
                    t.tlfs_name, f.tlfs_name, f.name, f.offset, f.size
                )),
                Some(_) => {}
            }
        }
        if ct.fields.len() != t.fields.len() {
            let rust: Vec<_> = t.fields.iter().map(|f| f.tlfs_name).collect();
            let missing: Vec<_> = ct.fields.keys().filter(|k| !rust.contains(&k.as_str())).collect();
            mismatches.push(format!("{}: C fields missing in Rust: {missing:?}", t.tlfs_name));
        }
    }
    assert!(mismatches.is_empty(), "layout mismatches:\n{}", mismatches.join("\n"));
}

#[test]
fn every_c_struct_has_a_rust_layout() {
    let c = parse();
    let rust: Vec<&str> = rust_types().iter().map(|t| t.tlfs_name).collect();
    let missing: Vec<&String> = c.types.keys().filter(|k| !rust.contains(&k.as_str())).collect();
    assert!(missing.is_empty(), "C types with no Rust layout: {missing:?}");
    assert_eq!(c.types.len(), 37, "the C file defines 37 structs");
}

#[test]
fn every_bitfield_matches_its_c_definition() {
    let c = parse();
    let mut mismatches = Vec::new();
    for b in rust_bitfields() {
        let Some(cb) = c.bits.get(b.tlfs_name) else {
            mismatches.push(format!("{} ({}) has no C definition", b.tlfs_name, b.name));
            continue;
        };
        let named: Vec<_> = b.fields.iter().filter(|f| !f.reserved).collect();
        for f in &named {
            let mask = f.mask();
            match cb.get(f.tlfs_name) {
                None => mismatches.push(format!("{}.{}: not in the C definition", b.tlfs_name, f.tlfs_name)),
                Some(&cmask) if cmask != mask => mismatches.push(format!(
                    "{}.{} (`{}`): C bits {cmask:#x}, Rust bits {}..={} = {mask:#x}",
                    b.tlfs_name, f.tlfs_name, f.name, f.lsb, f.msb
                )),
                Some(_) => {}
            }
        }
        if cb.len() != named.len() {
            mismatches.push(format!(
                "{}: C has {} named members, Rust {}",
                b.tlfs_name,
                cb.len(),
                named.len()
            ));
        }
    }
    let rust: Vec<&str> = rust_bitfields().iter().map(|b| b.tlfs_name).collect();
    for name in c.bits.keys().filter(|k| !rust.contains(&k.as_str())) {
        mismatches.push(format!("C bitfield {name} has no Rust bitfield"));
    }
    assert!(mismatches.is_empty(), "bitfield mismatches:\n{}", mismatches.join("\n"));
}
