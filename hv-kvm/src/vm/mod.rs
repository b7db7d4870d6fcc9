//! The VMM: boots the guest on a new KVM machine, runs a thread per vCPU, and reboots on a reset until the
//! guest halts for good or fails.
//!
//! - [`machine`]: one boot's VM, memory and vCPUs in their power-on state.
//! - [`partition`]: what the vCPUs share across boots, and how a boot stops.
//! - [`vcpu`]: a vCPU's exit loop and the VP state an intercept message is built from.
//! - [`port`], [`msr`], [`hypercall`]: the exits, one module per kind.
//! - [`sys`]: every unsafe operation (the `kvm_run` page, the memory region, the kick).

pub(crate) mod hypercall;
pub(crate) mod machine;
pub(crate) mod msr;
mod partition;
mod port;
pub(crate) mod sys;
mod vcpu;

use hv_model::DebugChannel;
use hv_model::PartitionEvent;
use hv_model::debug_calls::DebugAccess;
use hv_model::engine::{Engine, EventInterest, TraceOnly};
use kvm_bindings::{KVM_CAP_SYNC_REGS, KVM_CAP_X86_MSR_FILTER, KVM_CAP_X86_USER_SPACE_MSR};
use kvm_ioctls::Kvm;

use self::machine::Machine;
use self::partition::{DebugEnd, PARTITION, Partition, State, Stop, Transcript};
use crate::hyperv::SyntheticMsrs;
use crate::{Config, Error, HostEnd, Record, Report};

/// Runs `elf` on a new KVM VM until every VP halts for good, or a VP fails, or the guest resets it more
/// than `config.max_reboots` times; the report holds the transcript and the engine's notifications.
pub(crate) fn run(config: &Config, elf: &[u8], host: Box<dyn HostEnd>) -> Result<Report, Error> {
    let kvm = crate::open_kvm()?;
    let cpuid = machine::cpuid(&kvm, config)?;
    let access = DebugAccess {
        debugging_enabled: true,
        privileges: config.privileges,
        channel_id: config.channel_id,
        channel_shared: false,
    };
    let channel = DebugChannel::new(config.buffer_size, config.buffer_size).map_err(Error::Model)?;
    let mut engine = Engine::new();
    engine
        .register_callbacks(Box::new(TraceOnly(EventInterest::SESSION_STATUS)))
        .map_err(|e| Error::Engine(format!("{e:?}")))?;
    let debug = DebugEnd {
        channel,
        access,
        terminated: false,
    };
    engine
        .attach(&debug, PARTITION)
        .map_err(|e| Error::Engine(e.to_string()))?;
    let partition = Partition::new(
        State {
            debug,
            msrs: SyntheticMsrs::default(),
            engine,
            transcript: Transcript::new(config.transcript_limit, config.transcript),
            stop: None,
        },
        host,
    );
    partition.host()?.attach(partition.sender());
    let mut exits = 0;
    let mut boots = 0;
    loop {
        let reboot_flag = if boots > 0 { 0x100 } else { 0 };
        let mut machine = Machine::new(&kvm, config, &cpuid, elf, config.boot_word | reboot_flag)?;
        let results = run_boot(&mut machine, &partition, config);
        drop(machine);
        let mut s = partition.lock()?;
        let mut failure = None;
        for result in results {
            match result {
                Ok(n) => exits += n,
                Err(e) => {
                    failure.get_or_insert(e);
                }
            }
        }
        match (s.stop.take(), failure) {
            (_, Some(e)) => return Err(e),
            (Some(Stop::Reboot), None) if boots < config.max_reboots => {
                boots += 1;
                s.debug.channel.purge();
                s.msrs = SyntheticMsrs::default();
                s.transcript.push(Record::Reboot);
                let State { engine, debug, .. } = &mut *s;
                engine.on_event(debug, &PartitionEvent::Reset(PARTITION));
            }
            (Some(Stop::Reboot), None) => {
                return Err(Error::Guest(format!(
                    "the guest reset the VM again after {boots} reboots (the limit)"
                )));
            }
            (Some(Stop::Failed), None) => return Err(Error::Guest("a VP failed".to_owned())),
            (stop @ (Some(Stop::Host) | None), None) => {
                let stopped_by_host = stop == Some(Stop::Host);
                let event = if stopped_by_host {
                    PartitionEvent::Terminated(PARTITION)
                } else {
                    PartitionEvent::RanToCompletion(PARTITION)
                };
                let State { engine, debug, .. } = &mut *s;
                engine.on_event(debug, &event);
                let mut counts = s.transcript.counts;
                counts.exits = exits;
                return Ok(Report {
                    records: s.transcript.take(),
                    stopped_by_host,
                    counts,
                    engine: s.engine.trace().to_vec(),
                    incoming: s.debug.channel.incoming(),
                    outgoing: s.debug.channel.outgoing(),
                });
            }
        }
    }
}

/// Runs one boot: a thread per vCPU, supervised until every one has ended; each thread's exits, or its
/// error.
fn run_boot(machine: &mut Machine, partition: &Partition, config: &Config) -> Vec<Result<u64, Error>> {
    let Machine { vcpus, memory, .. } = machine;
    partition.kick.start(vcpus.len());
    std::thread::scope(|scope| {
        let mut handles = Vec::new();
        let mut results = Vec::new();
        for (i, vcpu) in vcpus.iter_mut().enumerate() {
            let memory = memory.clone();
            let thread = std::thread::Builder::new()
                .name(format!("hv-kvm vCPU {i}"))
                .spawn_scoped(scope, move || vcpu::run(i as u32, vcpu, memory, partition, config));
            match thread {
                Ok(handle) => handles.push(handle),
                Err(e) => {
                    // The threads already running stop; this one is not waited for.
                    partition.kick.gone();
                    if let Ok(mut s) = partition.lock() {
                        partition.stop(&mut s, Stop::Failed);
                    }
                    results.push(Err(Error::Host(format!("cannot start a vCPU thread: {e}"))));
                }
            }
        }
        partition.kick.supervise();
        results.extend(handles.into_iter().map(|h| {
            h.join()
                .unwrap_or_else(|_| Err(Error::Guest("a vCPU thread panicked".to_owned())))
        }));
        results
    })
}

/// Whether this KVM can run hv-kvm: the capabilities it needs.
pub(crate) fn check(kvm: &Kvm) -> Result<(), String> {
    for (cap, name) in [
        (KVM_CAP_X86_USER_SPACE_MSR, "KVM_CAP_X86_USER_SPACE_MSR"),
        (KVM_CAP_X86_MSR_FILTER, "KVM_CAP_X86_MSR_FILTER"),
        (KVM_CAP_SYNC_REGS, "KVM_CAP_SYNC_REGS"),
    ] {
        if kvm.check_extension_raw(u64::from(cap)) == 0 {
            return Err(format!(
                "this KVM lacks {name}, which hv-kvm needs (MSR exits to userspace, an MSR filter, and registers synced at each exit)"
            ));
        }
    }
    Ok(())
}

impl Error {
    pub(crate) fn kvm(what: &'static str, e: kvm_ioctls::Error) -> Self {
        Self::Kvm {
            ioctl: what,
            error: e.to_string(),
        }
    }
}
