//! `hvtool decode` for x64 processor state: the VP execution state, segment registers, synthetic MSRs,
//! VP registers and the hypervisor CPUID leaves.

use hv_abi::layout::{Bitfield, Layout};
use hv_x64::cpuid::{CpuidLeaf, CpuidResult};
use hv_x64::msr::SyntheticMsr;
use hv_x64::{RegisterName, SegmentRegister, VpExecutionState};
use serde_json::json;
use zerocopy::IntoBytes;

use crate::decode::{Format, parse_u64, record};
use crate::names::lookup;
use crate::table;

/// `HV_X64_VP_EXECUTION_STATE`: each range by name.
pub(crate) fn execution_state(value: &str, format: Format) -> Result<String, String> {
    let bits = parse_u64(value)?;
    let bits =
        u16::try_from(bits).map_err(|_| format!("{bits:#x} does not fit HV_X64_VP_EXECUTION_STATE (16 bits)"))?;
    let mut rows = Vec::new();
    table::bitfield_rows(&mut rows, &VpExecutionState::BITFIELD, bits.into(), |field, v| {
        match (field, v) {
            ("Cpl", _) => Some(format!("ring {v}")),
            ("Vtl", _) => Some(format!("VTL {v}")),
            (_, 1) => Some("yes".to_owned()),
            _ => None,
        }
    });
    Ok(record(
        format,
        &format!("HV_X64_VP_EXECUTION_STATE {bits:#06x}"),
        &rows,
        &[],
        json!({"type": "HV_X64_VP_EXECUTION_STATE", "value": format!("{bits:#x}")}),
    ))
}

/// `HV_X64_SEGMENT_REGISTER` from its 16 bytes; the attributes read as a descriptor table reads them.
pub(crate) fn segment(bytes: &[u8], format: Format) -> Result<String, String> {
    Ok(record(
        format,
        "HV_X64_SEGMENT_REGISTER",
        &segment_rows(bytes)?,
        &[],
        json!({"type": "HV_X64_SEGMENT_REGISTER"}),
    ))
}

fn segment_rows(bytes: &[u8]) -> Result<Vec<table::Row>, String> {
    let size = SegmentRegister::TYPE_LAYOUT.size;
    if bytes.len() != size {
        return Err(format!(
            "{} bytes given; HV_X64_SEGMENT_REGISTER is {size} (Base 8, Limit 4, Selector 2, Attributes 2)",
            bytes.len()
        ));
    }
    let mut rows = Vec::new();
    table::struct_rows(&mut rows, &SegmentRegister::TYPE_LAYOUT, bytes, 0, "", 0);
    Ok(rows)
}

/// A synthetic MSR's name and, with a value, its contents by field.
pub(crate) fn msr(msr: &str, value: Option<&str>, format: Format) -> Result<String, String> {
    let msr = lookup(msr, "a synthetic MSR", SyntheticMsr::NAMED, &["HV_X64_MSR_"], |n| {
        u32::try_from(n)
            .map(SyntheticMsr::from_bits)
            .map_err(|_| format!("{n:#x} is not an MSR number (32 bits)"))
    })?;
    let number = msr.into_bits();
    let what = match msr.name() {
        Some(name) => name.to_owned(),
        None if msr.in_synthetic_range() => "in Hyper-V's synthetic range, but no source names it".to_owned(),
        None => "not a synthetic MSR: the processor defines it, and a VMM presenting Hyper-V passes it on".to_owned(),
    };
    let value = value.map(parse_u64).transpose()?;
    let layout = value.and_then(|v| msr.value_layout(v));
    let rows = contents(value, layout.as_ref());
    Ok(record(
        format,
        &format!("MSR {number:#010x}  {what}"),
        &rows,
        &[],
        json!({
            "type": "HV_X64_MSR",
            "msr": format!("{number:#x}"),
            "name": msr.name(),
            "value": value.map(|v| format!("{v:#x}")),
            "layout": layout.map(|l| l.tlfs_name),
        }),
    ))
}

/// A value's rows: by the fields of `layout`, or as one number.
fn contents(value: Option<u64>, layout: Option<&hv_abi::layout::BitfieldLayout>) -> Vec<table::Row> {
    let mut rows = Vec::new();
    match (value, layout) {
        (Some(v), Some(layout)) => table::bitfield_rows(&mut rows, layout, v, |field, gpfn| {
            // The page-frame fields (`HypercallGpfn`, `pfn`): the page's guest physical address.
            field
                .to_ascii_lowercase()
                .ends_with("pfn")
                .then(|| format!("GPA {:#x}", gpfn << 12))
        }),
        (Some(v), None) => table::int_row(&mut rows, 0, "Value", v, 8, format!("{v}")),
        (None, _) => {}
    }
    rows
}

/// A VP register's name and, with a value, the value: a segment register's 16 bytes by field, a register
/// that mirrors a synthetic MSR by that MSR's fields, any other as a number.
pub(crate) fn register(name: &str, value: &[String], format: Format) -> Result<String, String> {
    let reg = lookup(
        name,
        "a register",
        RegisterName::NAMED,
        &["HV_X64_REGISTER_", "HV_REGISTER_", "HV_ARM64_REGISTER_"],
        |n| {
            u32::try_from(n)
                .map(RegisterName::from_bits)
                .map_err(|_| format!("{n:#x} is not a register name (32 bits)"))
        },
    )?;
    let number = reg.into_bits();
    let tlfs = reg.name().unwrap_or("no source names this register");
    let title = format!("HV_REGISTER_NAME {number:#010x}  {tlfs}");
    let object = json!({"type": "HV_REGISTER_NAME", "register": format!("{number:#x}"), "name": reg.name()});
    if value.is_empty() {
        return Ok(record(format, &title, &[], &[], object));
    }
    let mut object = object;
    if is_segment(tlfs) {
        let rows = segment_rows(&crate::hexdump::parse(&value.join(" "))?)?;
        object["layout"] = "HV_X64_SEGMENT_REGISTER".into();
        return Ok(record(format, &title, &rows, &[], object));
    }
    let [v] = value else {
        return Err(format!("{tlfs} takes one value; {} given", value.len()));
    };
    let v = parse_u64(v)?;
    let layout = mirrored_msr(tlfs).and_then(|msr| msr.value_layout(v));
    object["value"] = format!("{v:#x}").into();
    object["layout"] = layout.map(|l| l.tlfs_name).into();
    Ok(record(format, &title, &contents(Some(v), layout.as_ref()), &[], object))
}

/// The segment registers: their values are `HV_X64_SEGMENT_REGISTER`.
fn is_segment(tlfs: &str) -> bool {
    let short = tlfs.strip_prefix("HV_X64_REGISTER_").unwrap_or_default();
    matches!(short, "ES" | "CS" | "SS" | "DS" | "FS" | "GS" | "LDTR" | "TR")
}

/// The synthetic MSR a register mirrors: the same name after the prefix (`HV_REGISTER_SINT0` is
/// `HV_X64_MSR_SINT0`, `HV_X64_REGISTER_HYPERCALL` is `HV_X64_MSR_HYPERCALL`).
fn mirrored_msr(tlfs: &str) -> Option<SyntheticMsr> {
    let short = tlfs
        .strip_prefix("HV_X64_REGISTER_")
        .or_else(|| tlfs.strip_prefix("HV_REGISTER_"))?;
    SyntheticMsr::from_name(&format!("HV_X64_MSR_{short}"))
}

/// A hypervisor CPUID leaf's four registers, by the leaf's layout where hv-x64 types it.
pub(crate) fn cpuid(leaf: &str, registers: &[String], format: Format) -> Result<String, String> {
    let leaf = lookup(
        leaf,
        "a CPUID leaf",
        CpuidLeaf::NAMED,
        &[
            "HV_CPUID_FUNCTION_MS_HV_",
            "HV_CPUID_FUNCTION_HV_",
            "HV_CPUID_FUNCTION_",
            "HYPERV_CPUID_",
        ],
        |n| {
            u32::try_from(n)
                .map(CpuidLeaf::from_bits)
                .map_err(|_| format!("{n:#x} is not a CPUID leaf (32 bits)"))
        },
    )?;
    let mut regs = [0u32; 4];
    for ((slot, text), name) in regs.iter_mut().zip(registers).zip(["EAX", "EBX", "ECX", "EDX"]) {
        let v = parse_u64(text)?;
        *slot = u32::try_from(v).map_err(|_| format!("{name} {v:#x} does not fit 32 bits"))?;
    }
    if registers.len() != 4 {
        return Err(format!("CPUID takes EAX EBX ECX EDX; {} given", registers.len()));
    }
    let [eax, ebx, ecx, edx] = regs;
    let result = CpuidResult { eax, ebx, ecx, edx };
    let number = leaf.into_bits();
    let name = leaf.name().unwrap_or("no source names this leaf");
    let mut rows = Vec::new();
    let typed = leaf.layout();
    match &typed {
        Some(layout) => table::struct_rows(&mut rows, layout, result.as_bytes(), 0, "", 0),
        None => {
            for (i, (reg, v)) in ["Eax", "Ebx", "Ecx", "Edx"].iter().zip(regs).enumerate() {
                table::int_row(&mut rows, 4 * i, reg, v.into(), 4, String::new());
            }
        }
    }
    let notes = match (&typed, format) {
        (None, Format::Text(_)) => vec![format!("      (hv-x64 has no layout for leaf {number:#x})")],
        _ => Vec::new(),
    };
    Ok(record(
        format,
        &format!("CPUID {number:#010x}  {name}"),
        &rows,
        &notes,
        json!({
            "type": "CPUID",
            "leaf": format!("{number:#x}"),
            "name": leaf.name(),
            "layout": typed.map(|l| l.tlfs_name),
        }),
    ))
}
