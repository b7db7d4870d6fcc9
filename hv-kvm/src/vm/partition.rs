//! What the vCPUs of a VM share across its boots: the debug channel and its host end, the synthetic MSRs,
//! the debugger engine, the bounded transcript, and why the VM stops. One lock guards it; a condition
//! variable wakes a VP waiting in `RETRIEVE_LOOP` when data arrives or the VM stops.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use hv_abi::{HvResult, HvStatus, PartitionId};
use hv_model::debug_calls::DebugAccess;
use hv_model::engine::{DebugHost, Engine};
use hv_model::{DebugChannel, PartitionEvent};

use super::sys::Kick;
use crate::hyperv::SyntheticMsrs;
use crate::{Counts, Deliver, Error, HostEnd, HostSender, Record};

/// The one partition this VMM runs.
pub(crate) const PARTITION: PartitionId = PartitionId(1);

/// Why the VPs of a boot stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The guest reset the VM (port 0xCF9 or a triple fault).
    Reboot,
    /// A VP failed; the run ends with its error.
    Failed,
    /// The host ended the run ([`HostSender::stop`]).
    Host,
}

/// The partition's side of the debug channel, as the engine sees it ([`DebugHost`]).
pub(crate) struct DebugEnd {
    pub(crate) channel: DebugChannel,
    pub(crate) access: DebugAccess,
    pub(crate) terminated: bool,
}

impl DebugHost for DebugEnd {
    fn channel_usable(&self, partition: PartitionId) -> HvResult<()> {
        if partition != PARTITION {
            return HvStatus::INVALID_PARTITION_ID.result();
        }
        if self.terminated {
            return HvStatus::INVALID_PARTITION_STATE.result();
        }
        self.access.check()
    }

    fn deliver(&mut self, partition: PartitionId, data: &[u8]) -> HvResult<usize> {
        self.channel_usable(partition)?;
        // The bytes dropped for want of room, as DebugHost::deliver says (0.2 returned those taken).
        Ok(self.channel.deliver(data))
    }

    fn receive(&mut self, partition: PartitionId, buf: &mut [u8]) -> HvResult<usize> {
        if partition != PARTITION {
            return HvStatus::INVALID_PARTITION_ID.result().map(|()| 0);
        }
        Ok(self.channel.receive(buf))
    }

    fn terminate(&mut self, partition: PartitionId) -> HvResult<PartitionEvent> {
        self.channel_usable(partition).or_else(|e| {
            if e.status() == HvStatus::INVALID_PARTITION_ID {
                Err(e)
            } else {
                Ok(())
            }
        })?;
        self.terminated = true;
        Ok(PartitionEvent::Terminated(PARTITION))
    }
}

/// The last `limit` records, and how many older ones were let go: a run's memory does not grow with its
/// exits.
pub(crate) struct Transcript {
    records: VecDeque<Record>,
    limit: usize,
    /// Whether per-exit records (hypercalls, intercepts, channel bytes) are kept at all.
    pub(crate) detailed: bool,
    pub(crate) counts: Counts,
}

impl Transcript {
    pub(crate) fn new(limit: usize, detailed: bool) -> Self {
        Self {
            records: VecDeque::with_capacity(limit.min(1024)),
            limit,
            detailed,
            counts: Counts::default(),
        }
    }

    /// Keeps `record`, letting the oldest go when the transcript is full.
    pub(crate) fn push(&mut self, record: Record) {
        if self.limit == 0 {
            self.counts.records_dropped += 1;
            return;
        }
        if self.records.len() == self.limit {
            self.records.pop_front();
            self.counts.records_dropped += 1;
        }
        self.records.push_back(record);
    }

    /// Keeps a per-exit record when the transcript is detailed.
    pub(crate) fn detail(&mut self, record: impl FnOnce() -> Record) {
        if self.detailed {
            self.push(record());
        }
    }

    pub(crate) fn take(&mut self) -> Vec<Record> {
        self.records.drain(..).collect()
    }
}

/// Everything behind the partition's lock.
pub(crate) struct State {
    pub(crate) debug: DebugEnd,
    pub(crate) msrs: SyntheticMsrs,
    pub(crate) engine: Engine,
    pub(crate) transcript: Transcript,
    /// Set once per boot, by the first reason to stop.
    pub(crate) stop: Option<Stop>,
}

/// The partition: its state, the host end, the wake-up for waiting VPs, the kick for running ones, and
/// the clock. The host end has a lock of its own, and its methods run holding that lock only: one may
/// block, or send through a [`HostSender`], without stopping the other VPs' exits.
pub(crate) struct Partition {
    state: Mutex<State>,
    host: Mutex<Box<dyn HostEnd>>,
    wake: Condvar,
    pub(crate) kick: Kick,
    clock: Instant,
}

impl Partition {
    pub(crate) fn new(state: State, host: Box<dyn HostEnd>) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(state),
            host: Mutex::new(host),
            wake: Condvar::new(),
            kick: Kick::default(),
            clock: Instant::now(),
        })
    }

    /// The host end; never taken while the state's lock is held.
    pub(crate) fn host(&self) -> Result<MutexGuard<'_, Box<dyn HostEnd>>, Error> {
        self.host
            .lock()
            .map_err(|_| Error::Host("the host end panicked".to_owned()))
    }

    /// The state; a VP thread that panicked holding the lock made it unusable.
    pub(crate) fn lock(&self) -> Result<MutexGuard<'_, State>, Error> {
        self.state
            .lock()
            .map_err(|_| Error::Guest("a vCPU thread panicked".to_owned()))
    }

    /// Time since the VM started.
    pub(crate) fn elapsed(&self) -> Duration {
        self.clock.elapsed()
    }

    /// The partition clock in the model's 100 ns ticks.
    pub(crate) fn now(&self) -> u64 {
        u64::try_from(self.clock.elapsed().as_nanos() / 100).unwrap_or(u64::MAX)
    }

    /// Stops every VP of this boot for `why` (the first reason wins): running VPs are kicked out of
    /// `KVM_RUN`, waiting ones woken.
    pub(crate) fn stop(&self, state: &mut State, why: Stop) {
        state.stop.get_or_insert(why);
        self.kick.kick_all();
        self.wake.notify_all();
    }

    /// Stops the boot because a VP failed, even from a thread unwinding from a panic (the lock may be
    /// poisoned).
    pub(crate) fn stop_failed(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        self.stop(&mut state, Stop::Failed);
    }

    /// Waits until woken or `timeout` passes, whichever is first.
    pub(crate) fn wait<'a>(
        &self,
        guard: MutexGuard<'a, State>,
        timeout: Duration,
    ) -> Result<MutexGuard<'a, State>, Error> {
        self.wake
            .wait_timeout(guard, timeout)
            .map(|(guard, _)| guard)
            .map_err(|_| Error::Guest("a vCPU thread panicked".to_owned()))
    }

    /// The engine sends `data` to the guest; the transcript keeps it, and a waiting VP wakes.
    pub(crate) fn send(&self, state: &mut State, data: Vec<u8>) -> usize {
        if data.is_empty() {
            return 0;
        }
        let State {
            engine,
            debug,
            transcript,
            ..
        } = state;
        // A channel the guest cannot use takes nothing; the transcript shows what was offered.
        let taken = engine.send(debug, &data).map_or(0, |dropped| data.len() - dropped);
        transcript.detail(|| Record::HostToGuest(data));
        self.wake.notify_all();
        taken
    }

    /// A handle that sends from any thread while the VM lives.
    pub(crate) fn sender(self: &Arc<Self>) -> HostSender {
        let weak: Weak<Self> = Arc::downgrade(self);
        HostSender::new(weak)
    }
}

impl Deliver for Partition {
    fn deliver(&self, data: &[u8]) -> Result<usize, Error> {
        let mut state = self.lock()?;
        state.debug.channel_usable(PARTITION).map_err(Error::Model)?;
        Ok(self.send(&mut state, data.to_vec()))
    }

    fn elapsed(&self) -> Duration {
        Partition::elapsed(self)
    }

    fn stop(&self) -> Result<(), Error> {
        let mut state = self.lock()?;
        Partition::stop(self, &mut state, Stop::Host);
        Ok(())
    }
}
