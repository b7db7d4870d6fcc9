//! A model-based oracle for the reference hypervisor.
//!
//! [`Spec`] is a small specification of the debug hypercalls written straight from the project's design
//! notes ("Chosen semantics"): plain arithmetic on the register values, page and offset, a map of guest pages, and two
//! byte queues per partition. [`World`] runs the same [`Op`]s on `hv_model::Hypervisor` and on the
//! specification and, after every step, compares everything a guest or host can observe: each call's
//! result value or wait, every byte of every mapped guest page, both buffers' contents and accounting, the
//! TEST_ACTIVITY mark, and every VP's wait and completion. A call that the hypervisor rejects (any status
//! but SUCCESS, NO_DATA and INACTIVE, whose semantics refresh the activity mark) must leave all of it as
//! it was: [`World::step`] also compares the model's buffers, accounting, mark and waits with their state
//! before such a call, and its memory with the specification's, which a refused call does not write.
//!
//! The model-based proptest (`tests/model_based.rs`) and the `dispatcher` fuzz target drive it.

use std::collections::{BTreeMap, VecDeque};

use hv_abi::{HvStatus, HypercallOutput, PartitionId, PartitionPrivileges, PartitionPropertyCode, VpIndex};
use hv_model::{Accounting, Config, Dispatch, Hypervisor, PartitionState, Registers};

/// Size of a guest page.
pub const PAGE: u64 = 4096;
/// `HV_DEBUG_MAXIMUM_DATA_SIZE`.
pub const MAX: u32 = 4088;
/// The last page of the 64-bit guest physical address space.
pub const LAST_PAGE: u64 = 0xFFFF_FFFF_FFFF_F000;
/// The pages mapped in every partition: the first and the last of the address space, two neighbours, and
/// one whose neighbours are both unmapped.
pub const PAGES: [u64; 5] = [0, 0x1000, 0x2000, 0x7000, LAST_PAGE];
/// Partitions in a world.
pub const PARTITIONS: usize = 2;
/// VPs per partition.
pub const VPS: u32 = 2;
/// Incoming buffer capacity: small, so that deliveries overflow.
pub const CAP_IN: usize = 64;
/// Outgoing buffer capacity: one maximal post and a little more, so that posts are refused.
pub const CAP_OUT: usize = 4096 + 32;

/// A lifecycle change of a partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lifecycle {
    /// `Hypervisor::reset`.
    Reset,
    /// `Hypervisor::save`.
    Save,
    /// `Hypervisor::complete`.
    Complete,
    /// `Hypervisor::terminate`.
    Terminate,
}

/// One step of a world.
#[derive(Clone, Debug)]
pub enum Op {
    /// The guest writes bytes (all or nothing: every page mapped).
    Write {
        /// Partition index.
        p: usize,
        /// Where.
        gpa: u64,
        /// What.
        bytes: Vec<u8>,
    },
    /// A VP issues a hypercall.
    Call {
        /// Partition index.
        p: usize,
        /// VP index (may be out of range).
        vp: u32,
        /// RCX, RDX, R8.
        regs: Registers,
    },
    /// The host delivers `len` bytes (a running pattern) to the guest.
    Deliver {
        /// Partition index.
        p: usize,
        /// Bytes.
        len: usize,
    },
    /// The host receives up to `len` bytes.
    Receive {
        /// Partition index.
        p: usize,
        /// Buffer size.
        len: usize,
    },
    /// The virtual clock moves on.
    Advance {
        /// 100 ns units.
        by: u64,
    },
    /// The DebugChannelId property is set.
    SetChannel {
        /// Partition index.
        p: usize,
        /// The id.
        id: u16,
    },
    /// The Debugging privilege is granted or revoked.
    SetPrivilege {
        /// Partition index.
        p: usize,
        /// Granted.
        debugging: bool,
    },
    /// Guest debugging is turned on or off hypervisor-wide.
    EnableDebugging(bool),
    /// A lifecycle change.
    Lifecycle {
        /// Partition index.
        p: usize,
        /// Which.
        change: Lifecycle,
    },
}

/// The result of a call: RAX, or a wait until a deadline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The call finished with this status.
    Done(HvStatus),
    /// The VP waits until the deadline.
    Wait(u64),
}

// ---------------------------------------------------------------- the specification

#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
struct Counts {
    written: u64,
    read: u64,
    purged: u64,
    dropped: u64,
}

#[derive(Clone, Copy, Default, Debug)]
struct SpecVp {
    /// The registers and deadline of a suspended retrieve.
    waiting: Option<(Registers, u64)>,
    completion: Option<HvStatus>,
}

#[derive(Clone, Debug)]
struct SpecPartition {
    state: PartitionState,
    memory: BTreeMap<u64, Box<[u8; PAGE as usize]>>,
    incoming: VecDeque<u8>,
    outgoing: VecDeque<u8>,
    inc: Counts,
    out: Counts,
    channel: u16,
    debugging: bool,
    arrived: u64,
    seen: u64,
    vps: [SpecVp; VPS as usize],
}

/// The specification: what the design notes say the hypervisor does, with nothing shared with hv-model.
#[derive(Clone, Debug)]
pub struct Spec {
    enabled: bool,
    now: u64,
    parts: Vec<SpecPartition>,
}

/// What a handler asks for after its checks.
enum Handled {
    Done,
    Wait(u64),
}

type Checked<T> = Result<T, HvStatus>;

impl Spec {
    fn new() -> Self {
        let part = SpecPartition {
            state: PartitionState::Running,
            memory: PAGES.iter().map(|&p| (p, Box::new([0u8; PAGE as usize]))).collect(),
            incoming: VecDeque::new(),
            outgoing: VecDeque::new(),
            inc: Counts::default(),
            out: Counts::default(),
            channel: 0,
            debugging: true,
            arrived: 0,
            seen: 0,
            vps: Default::default(),
        };
        let mut parts = vec![part; PARTITIONS];
        for (i, p) in parts.iter_mut().enumerate() {
            p.channel = 2 + i as u16;
        }
        Self {
            enabled: true,
            now: 0,
            parts,
        }
    }

    /// `len` bytes at `gpa` if they lie in one mapped page (page and offset arithmetic: no GPA sum).
    fn bytes(&self, p: usize, gpa: u64, len: usize) -> Option<&[u8]> {
        let off = (gpa % PAGE) as usize;
        let page = self.parts[p].memory.get(&(gpa - gpa % PAGE))?;
        page.get(off..off + len)
    }

    fn bytes_mut(&mut self, p: usize, gpa: u64, len: usize) -> Option<&mut [u8]> {
        let off = (gpa % PAGE) as usize;
        let page = self.parts[p].memory.get_mut(&(gpa - gpa % PAGE))?;
        page.get_mut(off..off + len)
    }

    fn u32_at(&self, p: usize, gpa: u64, at: usize) -> u32 {
        let b = self.bytes(p, gpa, at + 4).expect("a checked block");
        u32::from_le_bytes(b[at..].try_into().unwrap())
    }

    /// A guest write: every byte's page mapped, or nothing.
    fn write(&mut self, p: usize, gpa: u64, bytes: &[u8]) {
        let Some(last) = gpa.checked_add(bytes.len().saturating_sub(1) as u64) else {
            return;
        };
        let mapped = |a: u64| self.parts[p].memory.contains_key(&(a - a % PAGE));
        if bytes.is_empty() || !mapped(gpa) || !mapped(last) {
            return;
        }
        // Spans at most two pages (the harness writes less than a page).
        for (i, &b) in bytes.iter().enumerate() {
            let a = gpa + i as u64;
            self.parts[p].memory.get_mut(&(a - a % PAGE)).unwrap()[(a % PAGE) as usize] = b;
        }
    }

    fn gate(&self, p: usize) -> Checked<()> {
        let me = &self.parts[p];
        let shared = self
            .parts
            .iter()
            .enumerate()
            .any(|(q, other)| q != p && other.state != PartitionState::Terminated && other.channel == me.channel);
        if !self.enabled {
            Err(HvStatus::FEATURE_UNAVAILABLE)
        } else if !me.debugging {
            Err(HvStatus::ACCESS_DENIED)
        } else if me.channel == 0 || shared {
            Err(HvStatus::OPERATION_DENIED)
        } else {
            Ok(())
        }
    }

    /// A fixed parameter block: 8-byte aligned, within one page, mapped.
    fn block_ok(&self, p: usize, gpa: u64, len: u64) -> bool {
        len == 0 || (gpa % 8 == 0 && gpa % PAGE + len <= PAGE && self.bytes(p, gpa, 0).is_some())
    }

    /// The data area after an 8-byte header at `gpa`: at most 4088 bytes, within the header's page.
    fn data_ok(gpa: u64, count: u32) -> bool {
        count <= MAX && gpa % PAGE + 8 + u64::from(count) <= PAGE
    }

    fn call(&mut self, p: usize, vp: u32, regs: Registers) -> Outcome {
        if self.parts[p].state != PartitionState::Running {
            return Outcome::Done(HvStatus::INVALID_PARTITION_STATE);
        }
        if vp >= VPS {
            return Outcome::Done(HvStatus::INVALID_VP_INDEX);
        }
        if self.parts[p].vps[vp as usize].waiting.is_some() {
            return Outcome::Done(HvStatus::INVALID_VP_STATE);
        }
        match self.execute(p, regs, None) {
            Ok(Handled::Done) => Outcome::Done(HvStatus::SUCCESS),
            Ok(Handled::Wait(deadline)) => {
                self.parts[p].vps[vp as usize].waiting = Some((regs, deadline));
                Outcome::Wait(deadline)
            }
            Err(status) => Outcome::Done(status),
        }
    }

    fn execute(&mut self, p: usize, regs: Registers, resumed: Option<u64>) -> Checked<Handled> {
        let rcx = regs.rcx;
        let (in_len, out_len, fast_allowed) = match rcx & 0xFFFF {
            0x69 => (8, 8, false),
            0x6A => (16, 8, false),
            0x6B => (8, 0, true),
            _ => return Err(HvStatus::INVALID_HYPERCALL_CODE),
        };
        let fast = rcx >> 16 & 1 == 1;
        let reserved = rcx & 0xF000_F000_7800_0000 != 0;
        let variable_header = rcx >> 17 & 0x3FF != 0;
        let nested = rcx >> 31 & 1 == 1;
        let reps = rcx >> 32 & 0xFFF != 0 || rcx >> 48 & 0xFFF != 0;
        if reserved || variable_header || nested || reps || (fast && !fast_allowed) {
            return Err(HvStatus::INVALID_HYPERCALL_INPUT);
        }
        // The caller's right first: a refused caller learns nothing about guest memory.
        self.gate(p)?;
        let blocks_ok = self.block_ok(p, regs.rdx, in_len) && self.block_ok(p, regs.r8, out_len);
        if !fast && !blocks_ok {
            return Err(HvStatus::INVALID_ALIGNMENT);
        }
        match rcx & 0xFFFF {
            0x69 => self.post(p, regs),
            0x6A => self.retrieve(p, regs, resumed),
            _ => self.reset(p, regs, fast),
        }
    }

    fn post(&mut self, p: usize, regs: Registers) -> Checked<Handled> {
        let (count, options) = (self.u32_at(p, regs.rdx, 0), self.u32_at(p, regs.rdx, 4));
        if !Self::data_ok(regs.rdx, count) || options & !1 != 0 {
            return Err(HvStatus::INVALID_PARAMETER);
        }
        let data = self.bytes(p, regs.rdx, 8 + count as usize).unwrap()[8..].to_vec();
        let me = &mut self.parts[p];
        if me.outgoing.len() + data.len() > CAP_OUT {
            return Err(HvStatus::INSUFFICIENT_BUFFERS);
        }
        me.outgoing.extend(&data);
        me.out.written += data.len() as u64;
        let pending = me.outgoing.len() as u32;
        let out = self.bytes_mut(p, regs.r8, 8).unwrap();
        out[..4].copy_from_slice(&pending.to_le_bytes());
        out[4..].copy_from_slice(&[0; 4]);
        Ok(Handled::Done)
    }

    fn retrieve(&mut self, p: usize, regs: Registers, resumed: Option<u64>) -> Checked<Handled> {
        let (count, options) = (self.u32_at(p, regs.rdx, 0), self.u32_at(p, regs.rdx, 4));
        let timeout = u64::from(self.u32_at(p, regs.rdx, 8)) | u64::from(self.u32_at(p, regs.rdx, 12)) << 32;
        // TEST_ACTIVITY before the parameters, "before all other processing".
        if options & 2 != 0 && self.parts[p].arrived == self.parts[p].seen {
            return Err(HvStatus::INACTIVE);
        }
        if !Self::data_ok(regs.r8, count) || options & !3 != 0 {
            return Err(HvStatus::INVALID_PARAMETER);
        }
        let now = self.now;
        let me = &mut self.parts[p];
        me.seen = me.arrived;
        if me.incoming.is_empty() {
            let deadline = resumed.unwrap_or_else(|| now.saturating_add(timeout));
            return if options & 1 != 0 && deadline > now {
                Ok(Handled::Wait(deadline))
            } else {
                Err(HvStatus::NO_DATA)
            };
        }
        let n = (count as usize).min(me.incoming.len());
        let data: Vec<u8> = me.incoming.drain(..n).collect();
        me.inc.read += n as u64;
        let remaining = me.incoming.len() as u32;
        let out = self.bytes_mut(p, regs.r8, 8 + n).unwrap();
        out[..4].copy_from_slice(&(n as u32).to_le_bytes());
        out[4..8].copy_from_slice(&remaining.to_le_bytes());
        out[8..].copy_from_slice(&data);
        Ok(Handled::Done)
    }

    fn reset(&mut self, p: usize, regs: Registers, fast: bool) -> Checked<Handled> {
        let options = if fast {
            regs.rdx as u32
        } else {
            self.u32_at(p, regs.rdx, 0)
        };
        if options == 0 || options & !3 != 0 {
            return Err(HvStatus::INVALID_PARAMETER);
        }
        let me = &mut self.parts[p];
        let mut purged = 0;
        if options & 1 != 0 {
            purged += me.incoming.len();
            me.inc.purged += me.incoming.len() as u64;
            me.incoming.clear();
        }
        if options & 2 != 0 {
            purged += me.outgoing.len();
            me.out.purged += me.outgoing.len() as u64;
            me.outgoing.clear();
        }
        if purged == 0 {
            Err(HvStatus::NO_DATA)
        } else {
            Ok(Handled::Done)
        }
    }

    fn deliver(&mut self, p: usize, data: &[u8]) -> Checked<usize> {
        if self.parts[p].state != PartitionState::Running {
            return Err(HvStatus::INVALID_PARTITION_STATE);
        }
        self.gate(p)?;
        let me = &mut self.parts[p];
        let fit = data.len().min(CAP_IN - me.incoming.len());
        me.incoming.extend(&data[..fit]);
        me.inc.written += data.len() as u64;
        me.inc.dropped += (data.len() - fit) as u64;
        me.arrived += data.len() as u64;
        if !data.is_empty() {
            for vp in 0..VPS as usize {
                let Some((regs, deadline)) = self.parts[p].vps[vp].waiting else {
                    continue;
                };
                let result = self.execute(p, regs, Some(deadline));
                if !matches!(result, Ok(Handled::Wait(_))) {
                    let status = result.err().unwrap_or(HvStatus::SUCCESS);
                    self.parts[p].vps[vp] = SpecVp {
                        waiting: None,
                        completion: Some(status),
                    };
                }
            }
        }
        Ok(data.len() - fit)
    }

    fn receive(&mut self, p: usize, len: usize) -> Checked<Vec<u8>> {
        let me = &mut self.parts[p];
        if me.state == PartitionState::Terminated {
            return Err(HvStatus::INVALID_PARTITION_STATE);
        }
        let data: Vec<u8> = me.outgoing.drain(..len.min(me.outgoing.len())).collect();
        me.out.read += data.len() as u64;
        Ok(data)
    }

    fn advance(&mut self, by: u64) {
        self.now = self.now.saturating_add(by);
        for part in &mut self.parts {
            for vp in &mut part.vps {
                if vp.waiting.is_some_and(|(_, deadline)| deadline <= self.now) {
                    *vp = SpecVp {
                        waiting: None,
                        completion: Some(HvStatus::NO_DATA),
                    };
                }
            }
        }
    }

    fn lifecycle(&mut self, p: usize, change: Lifecycle) -> Checked<()> {
        let me = &mut self.parts[p];
        let allowed = match change {
            Lifecycle::Terminate => me.state != PartitionState::Terminated,
            _ => me.state == PartitionState::Running,
        };
        if !allowed {
            return Err(HvStatus::INVALID_PARTITION_STATE);
        }
        for vp in &mut me.vps {
            vp.waiting = None;
        }
        if change != Lifecycle::Complete {
            me.inc.purged += me.incoming.len() as u64;
            me.out.purged += me.outgoing.len() as u64;
            me.incoming.clear();
            me.outgoing.clear();
        }
        me.state = match change {
            Lifecycle::Complete => PartitionState::Completed,
            Lifecycle::Terminate => PartitionState::Terminated,
            _ => PartitionState::Running,
        };
        Ok(())
    }

    fn accounting(&self, p: usize) -> (Accounting, Accounting) {
        let me = &self.parts[p];
        let acct = |c: Counts, pending: usize| Accounting {
            written: c.written,
            read: c.read,
            purged: c.purged,
            dropped: c.dropped,
            pending: pending as u64,
        };
        (acct(me.inc, me.incoming.len()), acct(me.out, me.outgoing.len()))
    }
}

// ---------------------------------------------------------------- driving both

/// What a guest and the host can observe of one partition, guest memory aside (compared page by page).
#[derive(Debug, PartialEq, Eq)]
struct Observed {
    accounting: (Accounting, Accounting),
    activity: bool,
    waiting: Vec<bool>,
}

/// The reference model and the specification, run side by side.
pub struct World {
    hv: Hypervisor,
    ids: [PartitionId; PARTITIONS],
    spec: Spec,
    seq: u8,
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

impl World {
    /// Two partitions with the Debugging privilege, channel ids 2 and 3, two VPs each, and [`PAGES`]
    /// mapped (zero-filled).
    #[must_use]
    pub fn new() -> Self {
        let config = Config {
            incoming_capacity: CAP_IN,
            outgoing_capacity: CAP_OUT,
            ..Config::default()
        };
        let mut hv = Hypervisor::new(config).expect("a valid configuration");
        let spec = Spec::new();
        let ids = std::array::from_fn(|i| {
            let id = hv
                .create_partition(PartitionPrivileges::DEBUGGING, VPS)
                .expect("small buffers");
            hv.set_property(
                id,
                PartitionPropertyCode::DEBUG_CHANNEL_ID,
                u64::from(spec.parts[i].channel),
            )
            .expect("a 16-bit id");
            let memory = &mut hv.partition_mut(id).expect("created").memory;
            for page in PAGES {
                memory.map(page);
            }
            id
        });
        Self { hv, ids, spec, seq: 0 }
    }

    /// The reference model.
    #[must_use]
    pub fn hypervisor(&self) -> &Hypervisor {
        &self.hv
    }

    fn pattern(&mut self, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                self.seq = self.seq.wrapping_add(1);
                self.seq
            })
            .collect()
    }

    fn observe(&self, p: usize) -> Observed {
        let part = self.hv.partition(self.ids[p]).expect("created");
        Observed {
            accounting: self.hv.accounting(self.ids[p]).expect("created"),
            activity: part.channel().activity(),
            waiting: (0..VPS)
                .map(|vp| self.hv.is_waiting(self.ids[p], VpIndex(vp)).expect("created"))
                .collect(),
        }
    }

    fn spec_observed(&self, p: usize) -> Observed {
        let me = &self.spec.parts[p];
        Observed {
            accounting: self.spec.accounting(p),
            activity: me.arrived != me.seen,
            waiting: me.vps.iter().map(|vp| vp.waiting.is_some()).collect(),
        }
    }

    /// Runs `op` on the model and the specification and panics, naming the op, at the first difference.
    pub fn step(&mut self, op: &Op) {
        match *op {
            Op::Write { p, gpa, ref bytes } => {
                let _ = self
                    .hv
                    .partition_mut(self.ids[p])
                    .expect("created")
                    .memory
                    .write(gpa, bytes);
                self.spec.write(p, gpa, bytes);
            }
            Op::Call { p, vp, regs } => {
                let before = self.observe(p);
                let got = match self.hv.dispatch(self.ids[p], VpIndex(vp), regs) {
                    Dispatch::Complete(out) => {
                        let status = out.status();
                        assert_eq!(out, HypercallOutput::from_status(status), "RAX of {op:?}");
                        Outcome::Done(status)
                    }
                    Dispatch::Suspended { deadline } => Outcome::Wait(deadline),
                };
                let want = self.spec.call(p, vp, regs);
                assert_eq!(got, want, "{op:?}");
                if let Outcome::Done(status) = got {
                    let refused = ![HvStatus::SUCCESS, HvStatus::NO_DATA, HvStatus::INACTIVE].contains(&status);
                    if refused {
                        assert_eq!(
                            self.observe(p),
                            before,
                            "a refused call ({status:?}) changed state: {op:?}"
                        );
                    }
                }
            }
            Op::Deliver { p, len } => {
                let data = self.pattern(len);
                let got = self.hv.deliver(self.ids[p], &data).map_err(|e| e.status());
                assert_eq!(got, self.spec.deliver(p, &data), "{op:?}");
            }
            Op::Receive { p, len } => {
                let mut buf = vec![0u8; len];
                let got = self.hv.receive(self.ids[p], &mut buf).map_err(|e| e.status());
                let want = self.spec.receive(p, len);
                assert_eq!(got.map(|n| buf[..n].to_vec()), want, "{op:?}");
            }
            Op::Advance { by } => {
                self.hv.advance_clock(by);
                self.spec.advance(by);
            }
            Op::SetChannel { p, id } => {
                let _ = self
                    .hv
                    .set_property(self.ids[p], PartitionPropertyCode::DEBUG_CHANNEL_ID, u64::from(id))
                    .expect("a 16-bit id");
                self.spec.parts[p].channel = id;
            }
            Op::SetPrivilege { p, debugging } => {
                let bits = if debugging {
                    PartitionPrivileges::DEBUGGING.bits()
                } else {
                    0
                };
                let _ = self
                    .hv
                    .set_property(self.ids[p], PartitionPropertyCode::PRIVILEGE_FLAGS, bits)
                    .expect("any privilege bits");
                self.spec.parts[p].debugging = debugging;
            }
            Op::EnableDebugging(on) => {
                self.hv.set_debugging_enabled(on);
                self.spec.enabled = on;
            }
            Op::Lifecycle { p, change } => {
                let id = self.ids[p];
                let got = match change {
                    Lifecycle::Reset => self.hv.reset(id),
                    Lifecycle::Save => self.hv.save(id),
                    Lifecycle::Complete => self.hv.complete(id),
                    Lifecycle::Terminate => self.hv.terminate(id),
                };
                assert_eq!(
                    got.map(|_| ()).map_err(|e| e.status()),
                    self.spec.lifecycle(p, change),
                    "{op:?}"
                );
            }
        }
        self.check(op);
    }

    /// Every mapped page of partition `p` is byte for byte the specification's.
    fn check_memory(&self, p: usize, op: &Op) {
        let model = &self.hv.partition(self.ids[p]).expect("created").memory;
        for page in PAGES {
            let got = model.slice(page, PAGE as usize).expect("mapped");
            let want = &self.spec.parts[p].memory[&page][..];
            if let Some(at) = got.iter().zip(want).position(|(a, b)| a != b) {
                panic!(
                    "partition {p}: guest memory differs at GPA {:#x} after {op:?}: model {:#04x}, spec {:#04x}",
                    page + at as u64,
                    got[at],
                    want[at]
                );
            }
        }
    }

    fn check(&mut self, op: &Op) {
        // Only a guest write, a call, or a delivery that resumes a waiting retrieve writes guest memory.
        if let Op::Write { p, .. } | Op::Call { p, .. } | Op::Deliver { p, .. } = *op {
            self.check_memory(p, op);
        }
        for p in 0..PARTITIONS {
            let got = self.observe(p);
            let (inc, out) = got.accounting;
            assert!(
                inc.balanced() && out.balanced(),
                "bytes vanished after {op:?}: {inc:?} {out:?}"
            );
            assert_eq!(got, self.spec_observed(p), "partition {p} after {op:?}");
            for vp in 0..VPS {
                let completion = self.hv.take_completion(self.ids[p], VpIndex(vp)).expect("created");
                let want = self.spec.parts[p].vps[vp as usize].completion.take();
                assert_eq!(
                    completion.map(|o| o.status()),
                    want,
                    "completion of VP {vp} after {op:?}"
                );
            }
        }
    }
}
