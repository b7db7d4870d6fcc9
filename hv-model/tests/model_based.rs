//! Model-based test: random sequences of guest hypercalls (valid and invalid), host deliveries and
//! receives, clock steps, property changes and lifecycle events run against hv-model and against a small
//! specification written straight from DESIGN.md. After every step the statuses, the bytes moved, the
//! waits and the per-direction accounting must agree, and written = read + purged + dropped + pending.

mod common;

use std::collections::VecDeque;

use common::{IN, OUT, VP0, partition, rcx};
use hv_abi::{CallCode, HvStatus, HypercallInput, PartitionPrivileges, PartitionPropertyCode};
use hv_model::{Accounting, Config, Dispatch, Hypervisor, Registers};
use proptest::prelude::*;

const CAP_IN: usize = 64;
const CAP_OUT: usize = 4096 + 32;
const MAX: u32 = 4088;

/// Where a parameter block is placed.
#[derive(Clone, Copy, Debug)]
enum At {
    Start,
    PageEnd,
    Misaligned,
    Unmapped,
}

impl At {
    fn gpa(self, page: u64) -> u64 {
        match self {
            At::Start => page,
            At::PageEnd => page + 0xFF0,
            At::Misaligned => page + 4,
            At::Unmapped => 0x9000,
        }
    }
    /// Offset within the page, for the blocks that are valid.
    fn offset(self) -> u64 {
        if let At::PageEnd = self { 0xFF0 } else { 0 }
    }
    fn block_ok(self) -> bool {
        matches!(self, At::Start | At::PageEnd)
    }
}

#[derive(Clone, Debug)]
enum Op {
    Post {
        p: usize,
        count: u32,
        options: u32,
        in_at: At,
        out_at: At,
    },
    Retrieve {
        p: usize,
        count: u32,
        options: u32,
        timeout: u64,
        in_at: At,
        out_at: At,
    },
    Reset {
        p: usize,
        options: u32,
        fast: bool,
        in_at: At,
    },
    BadInput {
        p: usize,
        code: u16,
        fast: bool,
        reps: u16,
    },
    Deliver {
        p: usize,
        len: usize,
    },
    Receive {
        p: usize,
        len: usize,
    },
    Advance {
        by: u64,
    },
    SetChannel {
        p: usize,
        id: u16,
    },
    SetPrivilege {
        p: usize,
        debugging: bool,
    },
    EnableDebugging(bool),
    Lifecycle {
        p: usize,
        save: bool,
    },
}

fn at() -> impl Strategy<Value = At> {
    prop_oneof![6 => Just(At::Start), 2 => Just(At::PageEnd), 1 => Just(At::Misaligned), 1 => Just(At::Unmapped)]
}

fn count() -> impl Strategy<Value = u32> {
    prop_oneof![6 => 0u32..40, 1 => Just(0), 1 => 4000u32..=MAX, 1 => (MAX + 1)..5000, 1 => any::<u32>()]
}

fn options(valid: u32) -> impl Strategy<Value = u32> {
    prop_oneof![8 => 0..=valid, 1 => any::<u32>()]
}

fn op() -> impl Strategy<Value = Op> {
    let p = 0usize..2;
    prop_oneof![
        6 => (p.clone(), count(), options(1), at(), at())
            .prop_map(|(p, count, options, in_at, out_at)| Op::Post { p, count, options, in_at, out_at }),
        6 => (p.clone(), count(), options(3), prop_oneof![Just(0u64), 1u64..50, Just(u64::MAX)], at(), at())
            .prop_map(|(p, count, options, timeout, in_at, out_at)| Op::Retrieve { p, count, options, timeout, in_at, out_at }),
        3 => (p.clone(), options(3), any::<bool>(), at()).prop_map(|(p, options, fast, in_at)| Op::Reset { p, options, fast, in_at }),
        1 => (p.clone(), prop_oneof![Just(0x69u16), Just(0x6A), Just(0x6B), any::<u16>()], any::<bool>(), 1u16..4)
            .prop_map(|(p, code, fast, reps)| Op::BadInput { p, code, fast, reps }),
        5 => (p.clone(), 0usize..80).prop_map(|(p, len)| Op::Deliver { p, len }),
        3 => (p.clone(), 0usize..5000).prop_map(|(p, len)| Op::Receive { p, len }),
        2 => (0u64..60).prop_map(|by| Op::Advance { by }),
        1 => (p.clone(), 0u16..4).prop_map(|(p, id)| Op::SetChannel { p, id }),
        1 => (p.clone(), prop::bool::weighted(0.8)).prop_map(|(p, debugging)| Op::SetPrivilege { p, debugging }),
        1 => prop::bool::weighted(0.8).prop_map(Op::EnableDebugging),
        1 => (p, any::<bool>()).prop_map(|(p, save)| Op::Lifecycle { p, save }),
    ]
}

// ---------------------------------------------------------------- the specification

#[derive(Default, Clone, Copy, Debug)]
struct Counts {
    written: u64,
    read: u64,
    purged: u64,
    dropped: u64,
}

#[derive(Clone, Debug)]
struct Wait {
    count: u32,
    options: u32,
    out_at: At,
    deadline: u64,
}

/// Bytes a retrieve returned, and the `RemainingCount` it reported.
type Returned = (Vec<u8>, u32);

/// A finished wait: status, the output block, and on success what it returned.
type Completion = (HvStatus, At, Option<Returned>);

#[derive(Default)]
struct SpecPartition {
    incoming: VecDeque<u8>,
    outgoing: VecDeque<u8>,
    inc: Counts,
    out: Counts,
    channel: u16,
    debugging: bool,
    arrived: u64,
    seen: u64,
    waiting: Option<Wait>,
    /// A finished wait: its status, its output block, and on success the bytes and what remained.
    completion: Option<Completion>,
}

struct Spec {
    enabled: bool,
    now: u64,
    parts: [SpecPartition; 2],
}

/// What the spec says a retrieve does: fail, wait, or return bytes.
enum Retrieve {
    Fail(HvStatus),
    Wait(u64),
    Data(Vec<u8>, u32),
}

impl Spec {
    fn gate(&self, p: usize) -> Option<HvStatus> {
        let me = &self.parts[p];
        if !self.enabled {
            Some(HvStatus::FEATURE_UNAVAILABLE)
        } else if !me.debugging {
            Some(HvStatus::ACCESS_DENIED)
        } else if me.channel == 0 || self.parts[1 - p].channel == me.channel {
            Some(HvStatus::OPERATION_DENIED)
        } else {
            None
        }
    }

    fn data_area_ok(at: At, count: u32) -> bool {
        count <= MAX && at.offset() + 8 + u64::from(count) <= 4096
    }

    fn post(&mut self, p: usize, count: u32, options: u32, in_at: At, out_at: At, data: &[u8]) -> HvStatus {
        if !in_at.block_ok() || !out_at.block_ok() {
            return HvStatus::INVALID_ALIGNMENT;
        }
        if let Some(s) = self.gate(p) {
            return s;
        }
        if !Self::data_area_ok(in_at, count) || options & !1 != 0 {
            return HvStatus::INVALID_PARAMETER;
        }
        let me = &mut self.parts[p];
        if me.outgoing.len() + data.len() > CAP_OUT {
            return HvStatus::INSUFFICIENT_BUFFERS;
        }
        me.outgoing.extend(data);
        me.out.written += data.len() as u64;
        HvStatus::SUCCESS
    }

    fn retrieve(&mut self, p: usize, w: &Wait, in_at: At) -> Retrieve {
        if !in_at.block_ok() || !w.out_at.block_ok() {
            return Retrieve::Fail(HvStatus::INVALID_ALIGNMENT);
        }
        if let Some(s) = self.gate(p) {
            return Retrieve::Fail(s);
        }
        if !Self::data_area_ok(w.out_at, w.count) || w.options & !3 != 0 {
            return Retrieve::Fail(HvStatus::INVALID_PARAMETER);
        }
        let now = self.now;
        let me = &mut self.parts[p];
        let active = me.arrived != me.seen;
        me.seen = me.arrived;
        if w.options & 2 != 0 && !active {
            return Retrieve::Fail(HvStatus::INACTIVE);
        }
        if me.incoming.is_empty() {
            return if w.options & 1 != 0 && w.deadline > now {
                Retrieve::Wait(w.deadline)
            } else {
                Retrieve::Fail(HvStatus::NO_DATA)
            };
        }
        let n = (w.count as usize).min(me.incoming.len());
        let bytes: Vec<u8> = me.incoming.drain(..n).collect();
        me.inc.read += n as u64;
        Retrieve::Data(bytes, me.incoming.len() as u32)
    }

    fn reset(&mut self, p: usize, options: u32, fast: bool, in_at: At) -> HvStatus {
        if !fast && !in_at.block_ok() {
            return HvStatus::INVALID_ALIGNMENT;
        }
        if let Some(s) = self.gate(p) {
            return s;
        }
        if options == 0 || options & !3 != 0 {
            return HvStatus::INVALID_PARAMETER;
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
            HvStatus::NO_DATA
        } else {
            HvStatus::SUCCESS
        }
    }

    fn deliver(&mut self, p: usize, data: &[u8]) {
        let me = &mut self.parts[p];
        let fit = data.len().min(CAP_IN - me.incoming.len());
        me.incoming.extend(&data[..fit]);
        me.inc.written += data.len() as u64;
        me.inc.dropped += (data.len() - fit) as u64;
        me.arrived += data.len() as u64;
        if data.is_empty() {
            return;
        }
        if let Some(w) = self.parts[p].waiting.clone() {
            // The input block was valid when the call began and is left as it was.
            match self.retrieve(p, &w, At::Start) {
                Retrieve::Wait(_) => {}
                Retrieve::Fail(s) => self.finish(p, s, None),
                Retrieve::Data(bytes, remaining) => self.finish(p, HvStatus::SUCCESS, Some((bytes, remaining))),
            }
        }
    }

    fn finish(&mut self, p: usize, s: HvStatus, data: Option<Returned>) {
        if let Some(w) = self.parts[p].waiting.take() {
            self.parts[p].completion = Some((s, w.out_at, data));
        }
    }

    fn advance(&mut self, by: u64) {
        self.now = self.now.saturating_add(by);
        for p in 0..2 {
            if self.parts[p].waiting.as_ref().is_some_and(|w| w.deadline <= self.now) {
                self.finish(p, HvStatus::NO_DATA, None);
            }
        }
    }

    fn purge_all(&mut self, p: usize) {
        let me = &mut self.parts[p];
        me.inc.purged += me.incoming.len() as u64;
        me.out.purged += me.outgoing.len() as u64;
        me.incoming.clear();
        me.outgoing.clear();
        me.waiting = None;
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

struct World {
    hv: Hypervisor,
    ids: [hv_abi::PartitionId; 2],
    spec: Spec,
    seq: u8,
}

impl World {
    fn new() -> Self {
        let config = Config {
            incoming_capacity: CAP_IN,
            outgoing_capacity: CAP_OUT,
            ..Config::default()
        };
        let mut hv = Hypervisor::new(config).unwrap();
        let ids = [partition(&mut hv, 2), partition(&mut hv, 3)];
        let mut spec = Spec {
            enabled: true,
            now: 0,
            parts: Default::default(),
        };
        spec.parts[0].channel = 2;
        spec.parts[1].channel = 3;
        for s in &mut spec.parts {
            s.debugging = true;
        }
        Self { hv, ids, spec, seq: 0 }
    }

    fn pattern(&mut self, len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                self.seq = self.seq.wrapping_add(1);
                self.seq
            })
            .collect()
    }

    fn write(&mut self, p: usize, gpa: u64, bytes: &[u8]) {
        let _ = self.hv.partition_mut(self.ids[p]).unwrap().memory.write(gpa, bytes);
    }

    fn read(&self, p: usize, gpa: u64, len: usize) -> Vec<u8> {
        let mut buf = vec![0u8; len];
        self.hv
            .partition(self.ids[p])
            .unwrap()
            .memory
            .read(gpa, &mut buf)
            .unwrap();
        buf
    }

    /// The status of a call, and whether the real model suspended it.
    fn call(&mut self, p: usize, regs: Registers) -> Result<HvStatus, u64> {
        match self.hv.dispatch(self.ids[p], VP0, regs) {
            Dispatch::Complete(out) => {
                assert_eq!(out.reps_completed(), 0);
                Ok(out.status())
            }
            Dispatch::Suspended { deadline } => Err(deadline),
        }
    }

    fn retrieved(&self, p: usize, out_at: At) -> (Vec<u8>, u32) {
        let head = self.read(p, out_at.gpa(OUT), 8);
        let n = u32::from_le_bytes(head[..4].try_into().unwrap());
        let remaining = u32::from_le_bytes(head[4..].try_into().unwrap());
        (self.read(p, out_at.gpa(OUT) + 8, n as usize), remaining)
    }

    fn step(&mut self, op: &Op) {
        let guest_call = match *op {
            Op::Post { p, .. } | Op::Retrieve { p, .. } | Op::Reset { p, .. } | Op::BadInput { p, .. } => Some(p),
            _ => None,
        };
        if let Some(p) = guest_call.filter(|&p| self.spec.parts[p].waiting.is_some()) {
            // A waiting VP runs nothing, and its suspended call's input stays as it was.
            let regs = Registers {
                rcx: rcx(CallCode::POST_DEBUG_DATA, false),
                rdx: IN,
                r8: OUT,
            };
            assert_eq!(self.call(p, regs), Ok(HvStatus::INVALID_VP_STATE), "{op:?}");
            return self.check(op);
        }
        match *op {
            Op::Post {
                p,
                count,
                options,
                in_at,
                out_at,
            } => {
                let gpa = in_at.gpa(IN);
                let fits = in_at.block_ok() && Spec::data_area_ok(in_at, count);
                let data = if fits { self.pattern(count as usize) } else { vec![] };
                self.write(p, gpa, &count.to_le_bytes());
                self.write(p, gpa + 4, &options.to_le_bytes());
                self.write(p, gpa + 8, &data);
                let regs = Registers {
                    rcx: rcx(CallCode::POST_DEBUG_DATA, false),
                    rdx: gpa,
                    r8: out_at.gpa(OUT),
                };
                let got = self.call(p, regs);
                let want = self.spec.post(p, count, options, in_at, out_at, &data);
                assert_eq!(got, Ok(want), "{op:?}");
                if want == HvStatus::SUCCESS {
                    let pending = self.read(p, out_at.gpa(OUT), 4);
                    assert_eq!(
                        u32::from_le_bytes(pending.try_into().unwrap()) as usize,
                        self.spec.parts[p].outgoing.len()
                    );
                }
            }
            Op::Retrieve {
                p,
                count,
                options,
                timeout,
                in_at,
                out_at,
            } => {
                let gpa = in_at.gpa(IN);
                self.write(p, gpa, &count.to_le_bytes());
                self.write(p, gpa + 4, &options.to_le_bytes());
                self.write(p, gpa + 8, &timeout.to_le_bytes());
                let regs = Registers {
                    rcx: rcx(CallCode::RETRIEVE_DEBUG_DATA, false),
                    rdx: gpa,
                    r8: out_at.gpa(OUT),
                };
                let got = self.call(p, regs);
                let w = Wait {
                    count,
                    options,
                    out_at,
                    deadline: self.spec.now.saturating_add(timeout),
                };
                match self.spec.retrieve(p, &w, in_at) {
                    Retrieve::Fail(s) => assert_eq!(got, Ok(s), "{op:?}"),
                    Retrieve::Wait(deadline) => {
                        assert_eq!(got, Err(deadline), "{op:?}");
                        self.spec.parts[p].waiting = Some(w);
                    }
                    Retrieve::Data(bytes, remaining) => {
                        assert_eq!(got, Ok(HvStatus::SUCCESS), "{op:?}");
                        assert_eq!(self.retrieved(p, out_at), (bytes, remaining), "{op:?}");
                    }
                }
            }
            Op::Reset {
                p,
                options,
                fast,
                in_at,
            } => {
                let rdx = if fast { u64::from(options) } else { in_at.gpa(IN) };
                if !fast {
                    self.write(p, rdx, &u64::from(options).to_le_bytes());
                }
                let got = self.call(
                    p,
                    Registers {
                        rcx: rcx(CallCode::RESET_DEBUG_SESSION, fast),
                        rdx,
                        r8: 0,
                    },
                );
                let want = self.spec.reset(p, options, fast, in_at);
                assert_eq!(got, Ok(want), "{op:?}");
            }
            Op::BadInput { p, code, fast, reps } => {
                let input = HypercallInput::from_bits(rcx(CallCode::from_bits(code), fast)).with_rep_count(reps);
                let got = self.call(
                    p,
                    Registers {
                        rcx: input.into_bits(),
                        rdx: IN,
                        r8: OUT,
                    },
                );
                let want = if !(0x69..=0x6B).contains(&code) {
                    HvStatus::INVALID_HYPERCALL_CODE
                } else {
                    HvStatus::INVALID_HYPERCALL_INPUT
                };
                assert_eq!(got, Ok(want), "{op:?}");
            }
            Op::Deliver { p, len } => {
                let data = self.pattern(len);
                let got = self.hv.deliver(self.ids[p], &data).map_err(|e| e.status());
                if let Some(status) = self.spec.gate(p) {
                    // A channel the guest cannot use takes nothing.
                    assert_eq!(got, Err(status), "{op:?}");
                } else {
                    let before = self.spec.parts[p].inc.dropped;
                    self.spec.deliver(p, &data);
                    assert_eq!(got, Ok((self.spec.parts[p].inc.dropped - before) as usize), "{op:?}");
                }
            }
            Op::Receive { p, len } => {
                let mut buf = vec![0u8; len];
                let n = self.hv.receive(self.ids[p], &mut buf).unwrap();
                let me = &mut self.spec.parts[p];
                let want: Vec<u8> = me.outgoing.drain(..len.min(me.outgoing.len())).collect();
                me.out.read += want.len() as u64;
                assert_eq!(&buf[..n], &want[..]);
            }
            Op::Advance { by } => {
                self.hv.advance_clock(by);
                self.spec.advance(by);
            }
            Op::SetChannel { p, id } => {
                self.hv
                    .set_property(self.ids[p], PartitionPropertyCode::DEBUG_CHANNEL_ID, u64::from(id))
                    .unwrap();
                self.spec.parts[p].channel = id;
            }
            Op::SetPrivilege { p, debugging } => {
                let bits = if debugging {
                    PartitionPrivileges::DEBUGGING.bits()
                } else {
                    0
                };
                self.hv
                    .set_property(self.ids[p], PartitionPropertyCode::PRIVILEGE_FLAGS, bits)
                    .unwrap();
                self.spec.parts[p].debugging = debugging;
            }
            Op::EnableDebugging(on) => {
                self.hv.set_debugging_enabled(on);
                self.spec.enabled = on;
            }
            Op::Lifecycle { p, save } => {
                if save {
                    self.hv.save(self.ids[p])
                } else {
                    self.hv.reset(self.ids[p])
                }
                .unwrap();
                self.spec.purge_all(p);
            }
        }
        self.check(op);
    }

    fn check(&mut self, op: &Op) {
        for p in 0..2 {
            let (inc, out) = self.hv.accounting(self.ids[p]).unwrap();
            assert!(inc.balanced() && out.balanced(), "after {op:?}: {inc:?} {out:?}");
            assert_eq!(
                (inc, out),
                self.spec.accounting(p),
                "accounting of partition {p} after {op:?}"
            );
            assert_eq!(
                self.hv.is_waiting(self.ids[p], VP0).unwrap(),
                self.spec.parts[p].waiting.is_some(),
                "{op:?}"
            );
            let got = self.hv.take_completion(self.ids[p], VP0).unwrap();
            let want = self.spec.parts[p].completion.take();
            assert_eq!(
                got.map(|o| o.status()),
                want.as_ref().map(|w| w.0),
                "completion after {op:?}"
            );
            if let Some((HvStatus::SUCCESS, out_at, Some(expected))) = want {
                assert_eq!(self.retrieved(p, out_at), expected, "data of a resumed retrieve");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn model_agrees_with_the_specification(ops in proptest::collection::vec(op(), 1..80)) {
        let mut world = World::new();
        for op in &ops {
            world.step(op);
        }
    }

    /// Arbitrary register values and guest memory never panic, and nothing is ever lost.
    #[test]
    fn arbitrary_registers_and_memory_never_panic(
        calls in proptest::collection::vec((any::<u64>(), any::<u64>(), any::<u64>(), any::<u16>()), 1..40),
        page in proptest::collection::vec(any::<u8>(), 4096),
    ) {
        let mut world = World::new();
        world.write(0, IN, &page);
        world.write(0, OUT, &page);
        for (rcx, rdx, r8, code) in calls {
            // Half the calls keep a debug call code so that the handlers see the random pages.
            let rcx = if code % 2 == 0 { (rcx & !0xFFFF) | u64::from(0x69 + code % 3) } else { rcx };
            for (rdx, r8) in [(rdx, r8), (IN | (rdx & 0xFF8), OUT | (r8 & 0xFF8))] {
                let _ = world.hv.dispatch(world.ids[0], VP0, Registers { rcx, rdx, r8 });
                world.hv.advance_clock(rdx & 0xF);
                let _ = world.hv.deliver(world.ids[0], &page[..(r8 & 0x3F) as usize]);
                let (inc, out) = world.hv.accounting(world.ids[0]).unwrap();
                prop_assert!(inc.balanced() && out.balanced());
            }
        }
    }
}
