//! `hvtool run`: boots a guest on KVM with hv-kvm and prints what happened: the synthetic MSR writes,
//! each hypercall and its status, the bytes both ways on the debug channel, each intercept message as
//! `hvtool decode message` prints it, and the debugger engine's SessionStatus notifications in order.

use std::fmt::Write as _;

use hv_kvm::{Answer, Config, Record, Report};
use hv_model::engine::Event;
use hv_x64::msr::SyntheticMsr;
use zerocopy::IntoBytes;

use crate::decode::Format;
use crate::simulate::show;

/// The options of `hvtool run`.
pub(crate) struct Options<'a> {
    /// A guest ELF, or the bundled test guest.
    pub(crate) guest: Option<&'a std::path::Path>,
    /// vCPUs.
    pub(crate) vcpus: u32,
    /// What the host answers each post with.
    pub(crate) reply: &'a str,
    /// RDI at entry.
    pub(crate) boot_word: u64,
}

/// The transcript, or the one line that says why nothing ran.
pub(crate) fn run(options: &Options<'_>, format: Format) -> (String, Option<String>) {
    let elf = match options.guest {
        Some(path) => match std::fs::read(path) {
            Ok(elf) => elf,
            Err(e) => return (String::new(), Some(format!("{}: {e}", path.display()))),
        },
        None => match hv_kvm::bundled_guest() {
            Ok(elf) => elf.to_vec(),
            Err(e) => return (String::new(), Some(format!("{e}; pass a guest ELF"))),
        },
    };
    let config = Config {
        vcpus: options.vcpus,
        boot_word: options.boot_word,
        ..Config::default()
    };
    match hv_kvm::run(&config, &elf, Box::new(Answer::new(options.reply.as_bytes()))) {
        Ok(report) => (transcript(&report, format), None),
        Err(e) => (String::new(), Some(e.to_string())),
    }
}

fn transcript(report: &Report, format: Format) -> String {
    let mut out = String::new();
    let counts = report.counts;
    if counts.records_dropped > 0 {
        let _ = writeln!(
            out,
            "({} earlier records not kept: the transcript keeps the latest {})",
            counts.records_dropped,
            report.records.len()
        );
    }
    for record in &report.records {
        match record {
            Record::SyntheticMsrWrite {
                vp,
                msr,
                value,
                accepted,
            } => {
                let name = SyntheticMsr::from_bits(*msr)
                    .name()
                    .unwrap_or("an unnamed synthetic MSR");
                let verdict = if *accepted { "" } else { " -> #GP" };
                let _ = writeln!(out, "VP {vp}  WRMSR {name} {value:#x}{verdict}");
            }
            Record::Hypercall {
                vp,
                input,
                rdx,
                r8,
                output,
                waited,
            } => {
                let form = if input.fast() {
                    format!("fast, RDX {rdx:#x} R8 {r8:#x}")
                } else {
                    format!("input page {rdx:#x}, output page {r8:#x}")
                };
                // How long is in the record; the transcript stays the same from run to run.
                let wait = if waited.is_some() {
                    ", after waiting for data"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "VP {vp}  {:?} ({form}) -> {}{wait}",
                    input.call_code(),
                    output.status()
                );
            }
            Record::GuestToHost(data) => {
                let _ = writeln!(out, "      guest -> host  {} bytes {}", data.len(), show(data));
            }
            Record::HostToGuest(data) => {
                let _ = writeln!(out, "      host -> guest  {} bytes {}", data.len(), show(data));
            }
            Record::Intercept { message, state } => {
                let _ = writeln!(out, "VP {}  intercept at RIP {:#x}:", state.vp_index, state.rip);
                match crate::decode::message(message.as_bytes(), format, false) {
                    Ok(table) => out.push_str(&table),
                    Err(e) => {
                        let _ = writeln!(out, "      (does not decode: {e})");
                    }
                }
            }
            Record::Halted { vp } => {
                let _ = writeln!(out, "VP {vp}  halted for good");
            }
            Record::Marker { vp, port, value, at } => {
                let _ = writeln!(out, "VP {vp}  marker {value:#04x} on port {port:#x} at {at:?}");
            }
            Record::Reboot => out.push_str("the guest reset the VM: REBOOT, debug buffers purged, booted again\n"),
        }
    }
    out.push_str("engine SessionStatus notifications, in order:\n");
    for event in &report.engine {
        if let Event::SessionStatus { status, .. } = event {
            let _ = writeln!(out, "  {}", status.name());
        }
    }
    let _ = writeln!(
        out,
        "{} hypercalls, {} intercept messages",
        counts.hypercalls, counts.intercepts
    );
    let (i, o) = (report.incoming, report.outgoing);
    let _ = writeln!(
        out,
        "channel: host -> guest {} written, {} read, {} purged, {} dropped, {} pending; guest -> host {} written, {} read, {} pending",
        i.written, i.read, i.purged, i.dropped, i.pending, o.written, o.read, o.pending
    );
    out
}
