//! `hvtool conformance`: the suite on the reference, on one real host's profile, on hv-kvm's exit path,
//! or every case against every profile (`--matrix`). An expected divergence (a case a profile fails for
//! one of its named rules) is not a failure; the exit status is 1 only when something does not behave as
//! its rules say.

use std::fmt::Write as _;

use hv_model::conformance::{self, Cell, Implementation, Model};
use hv_model::hosts::Host;

/// What to run the suite on.
pub(crate) enum Target<'a> {
    /// A profile of the model (the reference included).
    Host(&'a str),
    /// hv-kvm's exit path.
    Kvm,
    /// Every profile, side by side.
    Matrix,
}

/// The table, and the error when anything failed.
pub(crate) fn run(target: Target<'_>) -> (String, Option<String>) {
    match target {
        Target::Matrix => matrix(),
        Target::Host(name) => match Host::from_name(name) {
            Some(host) => one(&format!("the {host} profile"), host, &mut Model::of(host)),
            None => {
                let names: Vec<&str> = Host::ALL.iter().map(|h| h.name()).collect();
                (
                    String::new(),
                    Some(format!(
                        "no host profile `{name}`; the profiles are {}",
                        names.join(", ")
                    )),
                )
            }
        },
        Target::Kvm => kvm(),
    }
}

#[cfg(target_os = "linux")]
fn kvm() -> (String, Option<String>) {
    match hv_kvm::bundled_guest().and_then(hv_kvm::session::KvmSession::new) {
        Ok(mut session) => one("hv-kvm's exit path", Host::Reference, &mut session),
        Err(e) => (String::new(), Some(e.to_string())),
    }
}

#[cfg(not(target_os = "linux"))]
fn kvm() -> (String, Option<String>) {
    (
        String::new(),
        Some("KVM is not usable here: KVM exists only on Linux".to_owned()),
    )
}

/// The suite on one implementation, judged by `host`'s rules.
fn one(name: &str, host: Host, imp: &mut dyn Implementation) -> (String, Option<String>) {
    let results = conformance::run(imp);
    let mut out = format!("conformance of {name}\n");
    let mut failed = 0;
    for (case, result) in &results {
        let verdict = match (conformance::judge(host, case, result), result) {
            (Cell::Pass, _) => "pass".to_owned(),
            (Cell::Diverges(rule), Err(why)) => format!("diverges: {} ({why})", rule.name),
            (Cell::Diverges(rule), Ok(())) => format!("diverges: {}", rule.name),
            (Cell::Fail(why), _) => {
                failed += 1;
                format!("FAIL  {why}")
            }
            (_, _) => {
                failed += 1;
                "FAIL  a verdict this version of hvtool does not know".to_owned()
            }
        };
        let _ = writeln!(out, "  {:<32} {verdict}", case.name);
    }
    let _ = writeln!(
        out,
        "{} cases: {} as expected, {failed} failed",
        results.len(),
        results.len() - failed
    );
    let error = (failed > 0).then(|| format!("{failed} conformance cases failed on {name}"));
    (out, error)
}

/// Every case against every profile: `pass`, or the rule a divergence follows, or FAIL.
fn matrix() -> (String, Option<String>) {
    let rows = conformance::matrix();
    let mut out = format!("{:<32}", "case");
    for host in Host::ALL {
        let _ = write!(out, " {:<30}", host.name());
    }
    out.push('\n');
    let mut failed = Vec::new();
    for (case, cells) in &rows {
        let _ = write!(out, "{:<32}", case.name);
        for (host, cell) in Host::ALL.iter().zip(cells) {
            let text = match cell {
                Cell::Pass => "pass".to_owned(),
                Cell::Diverges(rule) => rule.name.to_owned(),
                Cell::Fail(why) => {
                    failed.push(format!("{} on {host}: {why}", case.name));
                    "FAIL".to_owned()
                }
                _ => {
                    failed.push(format!(
                        "{} on {host}: a verdict this version of hvtool does not know",
                        case.name
                    ));
                    "FAIL".to_owned()
                }
            };
            let _ = write!(out, " {text:<30}");
        }
        out.push('\n');
    }
    out.push_str("rules:\n");
    let mut listed: Vec<&str> = Vec::new();
    for rule in Host::ALL.iter().flat_map(|h| h.rules()) {
        if !listed.contains(&rule.name) {
            listed.push(rule.name);
            let _ = writeln!(out, "  {:<30} {} [{}]", rule.name, rule.behaviour, rule.source);
        }
    }
    for why in &failed {
        let _ = writeln!(out, "FAIL {why}");
    }
    let error =
        (!failed.is_empty()).then(|| format!("{} cells do not behave as their profile's rules say", failed.len()));
    (out, error)
}
