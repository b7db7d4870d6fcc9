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
    let partition = Partition::new(State {
        debug,
        msrs: SyntheticMsrs::default(),
        engine,
        host,
        transcript: Transcript::new(config.transcript_limit, config.transcript),
        stop: None,
    });
    let sender = partition.sender();
    partition.lock()?.host.attach(sender);
    let mut exits = 0;
    let mut boots = 0;
    loop {
        let reboot_flag = if boots > 0 { 0x100 } else { 0 };
        let mut machine = Machine::new(&kvm, config, &cpuid, elf, config.boot_word | reboot_flag)?;
        let results: Vec<Result<u64, Error>> = std::thread::scope(|scope| {
            let Machine { vcpus, memory, .. } = &mut machine;
            let handles: Vec<_> = vcpus
                .iter_mut()
                .enumerate()
                .map(|(i, vcpu)| {
                    let (partition, memory) = (&*partition, memory.clone());
                    scope.spawn(move || vcpu::run(i as u32, vcpu, memory, partition, config))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(Error::Guest("a vCPU thread panicked".to_owned())))
                })
                .collect()
        });
        drop(machine);
        partition.kick.rearm();
        for result in results {
            exits += result?;
        }
        let mut s = partition.lock()?;
        match s.stop.take() {
            Some(Stop::Reboot) if boots < config.max_reboots => {
                boots += 1;
                s.debug.channel.purge();
                s.msrs = SyntheticMsrs::default();
                s.transcript.push(Record::Reboot);
                let State { engine, debug, .. } = &mut *s;
                engine.on_event(debug, &PartitionEvent::Reset(PARTITION));
            }
            Some(Stop::Reboot) => {
                return Err(Error::Guest(format!(
                    "the guest reset the VM again after {boots} reboots (the limit)"
                )));
            }
            Some(Stop::Failed) => return Err(Error::Guest("a VP failed".to_owned())),
            None => {
                let State { engine, debug, .. } = &mut *s;
                engine.on_event(debug, &PartitionEvent::RanToCompletion(PARTITION));
                let mut counts = s.transcript.counts;
                counts.exits = exits;
                return Ok(Report {
                    records: s.transcript.take(),
                    counts,
                    engine: s.engine.trace().to_vec(),
                    incoming: s.debug.channel.incoming(),
                    outgoing: s.debug.channel.outgoing(),
                });
            }
        }
    }
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
                "this KVM lacks {name}, which hv-kvm needs to take the synthetic MSRs"
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
