//! `hvtool simulate`: run a debug session on the reference model from a small script.

use std::fmt::Write as _;

use hv_abi::debug::{
    DebugChannelId, DebugPostOptions, DebugPurgeOptions, DebugRetrieveOptions, MuxPacketHeader, RetrieveDebugDataInput,
    RetrieveDebugDataOutput,
};
use hv_abi::{CallCode, HvResult, HypercallInput, PartitionId, PartitionPrivileges, PartitionPropertyCode, VpIndex};
use hv_guest::ParameterPages;
use hv_guest::debug::DebugCalls;
use hv_model::Dispatch;
use hv_model::engine::{EndSessionFlags, Engine, EngineError, EventInterest, TraceOnly};
use hv_model::guest::GuestVp;
use hv_model::{Config, Hypervisor, PartitionEvent};
use zerocopy::{FromBytes, IntoBytes};

/// The script run when none is given: the end-to-end story of a session.
pub(crate) const DEFAULT_SCRIPT: &str = "\
# A guest posts, the host reads, breaks in, the guest retrieves it,
# the partition reboots, and the engine detaches.
attach
post KD: state change
receive
break-in
retrieve 4088 test-activity
post unsent
deliver unread
reboot
reset both
post after reboot
receive
end detach
";

const HELP: &str = "commands: attach | post TEXT | retrieve COUNT [loop TIMEOUT] [test-activity] | \
reset incoming|outgoing|both | deliver TEXT | receive [MAX] | break-in | advance TICKS | \
reboot | save | complete | terminate | revoke | channel ID | disable-debugging | \
end passive|terminate|detach|reentrant|disconnect";

struct Sim {
    hv: Hypervisor,
    p: PartitionId,
    channel: DebugChannelId,
    guest: GuestVp,
    engine: Engine,
    out: String,
}

fn status_of<T>(r: &HvResult<T>) -> String {
    match r {
        Ok(_) => "HV_STATUS_SUCCESS".to_owned(),
        Err(e) => e.status().to_string(),
    }
}

fn engine_err(r: Result<(), EngineError>) -> String {
    match r {
        Ok(()) => "ok".to_owned(),
        Err(e) => e.to_string(),
    }
}

fn parse_num(word: Option<&str>, what: &str) -> Result<u64, String> {
    let w = word.ok_or_else(|| format!("{what} is missing"))?;
    crate::decode::parse_u64(w)
}

impl Sim {
    fn new() -> Self {
        let mut hv = Hypervisor::new(Config::default()).expect("the default configuration is valid");
        let p = hv
            .create_partition(PartitionPrivileges::DEBUGGING, 1)
            .expect("a small partition");
        let channel = DebugChannelId(2);
        hv.set_property(p, PartitionPropertyCode::DEBUG_CHANNEL_ID, u64::from(channel.0))
            .expect("a 16-bit id");
        let guest = GuestVp::new(&mut hv, p, VpIndex(0), 0x10_000, 0x11_000).expect("partition exists");
        Self {
            hv,
            p,
            channel,
            guest,
            engine: Engine::new(),
            out: String::new(),
        }
    }

    fn event(&mut self, e: HvResult<PartitionEvent>) -> String {
        match e {
            Ok(e) => {
                self.engine.on_event(&self.hv, &e);
                format!("{e:?}")
            }
            Err(e) => e.status().to_string(),
        }
    }

    fn lifecycle(&mut self, change: fn(&mut Hypervisor, PartitionId) -> HvResult<PartitionEvent>) -> String {
        let e = change(&mut self.hv, self.p);
        self.event(e)
    }

    fn property_event(&mut self, code: PartitionPropertyCode, value: u64) -> String {
        match self.hv.set_property(self.p, code, value) {
            Ok(Some(e)) => self.event(Ok(e)),
            Ok(None) => "unchanged".to_owned(),
            Err(e) => e.status().to_string(),
        }
    }

    /// A retrieve issued as the VP issues it, reported as the VP's registers see it at once: a wait
    /// shows as the VP waiting (the script's later lines deliver or advance the clock).
    fn retrieve(&mut self, count: usize, options: DebugRetrieveOptions, timeout: u64) -> String {
        let request = RetrieveDebugDataInput {
            count: u32::try_from(count).unwrap_or(u32::MAX),
            options,
            timeout,
        };
        let mut vp = self.guest.on(&mut self.hv);
        vp.input()[..size_of::<RetrieveDebugDataInput>()].copy_from_slice(request.as_bytes());
        let input = HypercallInput::new().with_call_code(CallCode::RETRIEVE_DEBUG_DATA);
        let (rdx, r8) = (vp.input_gpa(), vp.output_gpa());
        match vp.issue(input, rdx, r8) {
            Dispatch::Suspended { deadline } => format!("VP waits until t={deadline}"),
            Dispatch::Complete(out) => match out.status().result() {
                Err(e) => e.status().to_string(),
                Ok(()) => match RetrieveDebugDataOutput::ref_from_bytes(vp.output()) {
                    Ok(page) => {
                        let data = page.payload().unwrap_or_default();
                        format!(
                            "HV_STATUS_SUCCESS, {} bytes {}, {} remaining",
                            page.retrieved_count,
                            show(data),
                            page.remaining_count
                        )
                    }
                    Err(_) => "the output page is not a retrieve output".to_owned(),
                },
            },
        }
    }

    fn step(&mut self, line: &str) -> Result<String, String> {
        let (cmd, rest) = line.split_once(' ').unwrap_or((line, ""));
        let mut words = rest.split_whitespace();
        Ok(match cmd {
            "attach" => engine_err(self.engine.attach(&self.hv, self.p)),
            "post" => {
                let r = self
                    .guest
                    .on(&mut self.hv)
                    .post(rest.as_bytes(), DebugPostOptions::empty());
                match r {
                    Ok(pending) => format!("HV_STATUS_SUCCESS, PendingCount {pending}"),
                    Err(_) => status_of(&r),
                }
            }
            "retrieve" => {
                let count = parse_num(words.next(), "COUNT")?;
                let count = usize::try_from(count).map_err(|_| format!("COUNT {count} is too large"))?;
                let (mut options, mut timeout) = (DebugRetrieveOptions::empty(), 0);
                while let Some(w) = words.next() {
                    match w {
                        "loop" => {
                            options |= DebugRetrieveOptions::RETRIEVE_LOOP;
                            timeout = parse_num(words.next(), "TIMEOUT")?;
                        }
                        "test-activity" => options |= DebugRetrieveOptions::RETRIEVE_TEST_ACTIVITY,
                        other => return Err(format!("unknown retrieve option `{other}`")),
                    }
                }
                self.retrieve(count, options, timeout)
            }
            "reset" => {
                let options = match words.next() {
                    Some("incoming") => DebugPurgeOptions::PURGE_INCOMING_DATA,
                    Some("outgoing") => DebugPurgeOptions::PURGE_OUTGOING_DATA,
                    Some("both") => DebugPurgeOptions::all(),
                    other => {
                        return Err(format!("reset takes incoming, outgoing or both, not {other:?}"));
                    }
                };
                status_of(&self.guest.on(&mut self.hv).reset(options))
            }
            "deliver" => match self.engine.send(&mut self.hv, rest.as_bytes()) {
                Ok(dropped) => format!("{} bytes sent, {dropped} dropped", rest.len()),
                Err(e) => e.to_string(),
            },
            "break-in" => match self
                .engine
                .send(&mut self.hv, MuxPacketHeader::break_in(self.channel).as_bytes())
            {
                Ok(_) => "break-in packet sent (16 bytes)".to_owned(),
                Err(e) => e.to_string(),
            },
            "receive" => {
                let max = words
                    .next()
                    .map(|w| parse_num(Some(w), "MAX"))
                    .transpose()?
                    .unwrap_or(4096);
                let mut buf = vec![0u8; usize::try_from(max).unwrap_or(usize::MAX).min(1 << 20)];
                match self.engine.read(&mut self.hv, &mut buf) {
                    Ok(n) => format!("{n} bytes {}", show(&buf[..n])),
                    Err(e) => e.to_string(),
                }
            }
            "advance" => {
                self.hv.advance_clock(parse_num(words.next(), "TICKS")?);
                match self.hv.take_completion(self.p, self.guest.vp) {
                    Ok(Some(out)) => format!("t={}, the waiting retrieve ended: {}", self.hv.now(), out.status()),
                    _ => format!("t={}", self.hv.now()),
                }
            }
            "reboot" => self.lifecycle(Hypervisor::reset),
            "save" => self.lifecycle(Hypervisor::save),
            "complete" => self.lifecycle(Hypervisor::complete),
            "terminate" => self.lifecycle(Hypervisor::terminate),
            "revoke" => self.property_event(PartitionPropertyCode::PRIVILEGE_FLAGS, 0),
            "channel" => {
                let id = parse_num(words.next(), "ID")?;
                self.property_event(PartitionPropertyCode::DEBUG_CHANNEL_ID, id)
            }
            "disable-debugging" => match self.hv.set_debugging_enabled(false) {
                Some(e) => self.event(Ok(e)),
                None => "already disabled".to_owned(),
            },
            "end" => {
                let flags = match words.next() {
                    Some("passive") => EndSessionFlags::Passive,
                    Some("terminate") => EndSessionFlags::ActiveTerminate,
                    Some("detach") => EndSessionFlags::ActiveDetach,
                    Some("reentrant") => EndSessionFlags::Reentrant,
                    Some("disconnect") => EndSessionFlags::Disconnect,
                    other => {
                        return Err(format!(
                            "end takes passive, terminate, detach, reentrant or disconnect, not {other:?}"
                        ));
                    }
                };
                engine_err(self.engine.end_session(&mut self.hv, flags))
            }
            other => return Err(format!("unknown command `{other}`; {HELP}")),
        })
    }

    fn trace(&mut self) {
        for e in self.engine.take_trace() {
            let _ = writeln!(self.out, "    {e}");
        }
    }
}

/// Printable bytes as text, others as hex.
pub(crate) fn show(data: &[u8]) -> String {
    if data.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("{:?}", String::from_utf8_lossy(data))
    } else {
        data.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
    }
}

/// Runs `script` (one command a line, `#` comments). Returns the transcript, and the first bad line's
/// error, if any: the transcript then holds every line before it.
pub(crate) fn run(script: &str) -> (String, Option<String>) {
    let mut sim = Sim::new();
    if let Err(e) = sim.engine.register_callbacks(Box::new(TraceOnly(EventInterest::all()))) {
        return (String::new(), Some(format!("callbacks refused: {e:?}")));
    }
    for (n, line) in script.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match sim.step(line) {
            Ok(result) => {
                let _ = writeln!(sim.out, "{line:<32} {result}");
                sim.trace();
            }
            Err(e) => return (sim.out, Some(format!("line {}: {e}", n + 1))),
        }
    }
    if let Ok((inc, out)) = sim.hv.accounting(sim.p) {
        let _ = writeln!(sim.out, "incoming: {inc:?}\noutgoing: {out:?}");
    }
    (sim.out, None)
}
