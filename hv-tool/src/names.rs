//! Names people type for the ABI's open code spaces (statuses, MSRs, registers, CPUID leaves): any case,
//! with or without the type's prefix, a number instead, and a "did you mean" for a near miss.

/// Looks `value` up among `named` (TLFS name, value) in any case, with or without one of `prefixes`;
/// otherwise reads it as a number (`0x` hex or decimal) that `from_number` accepts. The error names what
/// `value` was expected to be (`what`) and, when a published name is close, suggests it.
pub(crate) fn lookup<T: Copy>(
    value: &str,
    what: &str,
    named: &[(&'static str, T)],
    prefixes: &[&str],
    from_number: impl Fn(u64) -> Result<T, String>,
) -> Result<T, String> {
    let wanted = key(value, prefixes);
    if let Some(&(_, found)) = named.iter().find(|(name, _)| key(name, prefixes) == wanted) {
        return Ok(found);
    }
    match crate::decode::parse_u64(value) {
        Ok(n) => from_number(n),
        Err(_) => Err(match nearest(&wanted, named, prefixes) {
            Some(near) => format!("`{value}` is neither {what} name nor a number; did you mean {near}?"),
            None => format!("`{value}` is neither {what} name nor a number"),
        }),
    }
}

/// The name without its prefix, upper case.
fn key(name: &str, prefixes: &[&str]) -> String {
    let upper = name.trim().to_ascii_uppercase();
    prefixes
        .iter()
        .find_map(|p| upper.strip_prefix(p))
        .unwrap_or(&upper)
        .to_owned()
}

/// The published name closest to `wanted`, when one is close enough to be what was meant.
fn nearest<T>(wanted: &str, named: &[(&'static str, T)], prefixes: &[&str]) -> Option<&'static str> {
    named
        .iter()
        .map(|&(name, _)| (strsim::jaro_winkler(wanted, &key(name, prefixes)), name))
        .filter(|&(score, _)| score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMED: &[(&str, u32)] = &[("HV_X64_MSR_HYPERCALL", 1), ("HV_X64_MSR_GUEST_OS_ID", 0)];

    fn find(value: &str) -> Result<u32, String> {
        lookup(value, "an MSR", NAMED, &["HV_X64_MSR_"], |n| {
            u32::try_from(n).map_err(|_| "too wide".to_owned())
        })
    }

    #[test]
    fn names_in_any_case_with_or_without_the_prefix_numbers_and_near_misses() {
        assert_eq!(find("hypercall"), Ok(1));
        assert_eq!(find("HV_X64_MSR_GUEST_OS_ID"), Ok(0));
        assert_eq!(find("0x40000001"), Ok(0x4000_0001));
        assert_eq!(find("0x1_0000_0000"), Err("too wide".to_owned()));
        assert_eq!(
            find("hypercal"),
            Err("`hypercal` is neither an MSR name nor a number; did you mean HV_X64_MSR_HYPERCALL?".to_owned())
        );
        assert_eq!(find("zz"), Err("`zz` is neither an MSR name nor a number".to_owned()));
    }
}
