//! A guest that issues the debug hypercalls through real register values and guest pages.
#![allow(dead_code, unreachable_pub)] // each test binary uses part of the harness

use hv_abi::debug::DebugChannelId;
use hv_abi::{CallCode, HvStatus, HypercallInput, PartitionId, PartitionPrivileges, PartitionPropertyCode, VpIndex};
use hv_guest::transport::udp::Endpoint;
use hv_model::{Accounting, Config, Dispatch, Hypervisor, Registers};

/// Input page and output page of every test partition.
pub const IN: u64 = 0x1000;
pub const OUT: u64 = 0x2000;
pub const VP0: VpIndex = VpIndex(0);

pub struct Guest {
    pub hv: Hypervisor,
    pub p: PartitionId,
}

/// A partition with the Debugging privilege, channel id `channel`, and the two parameter pages mapped.
pub fn partition(hv: &mut Hypervisor, channel: u16) -> PartitionId {
    let p = hv.create_partition(PartitionPrivileges::DEBUGGING, 2).unwrap();
    hv.set_property(p, PartitionPropertyCode::DEBUG_CHANNEL_ID, u64::from(channel))
        .unwrap();
    let part = hv.partition_mut(p).unwrap();
    part.memory.map(IN);
    part.memory.map(OUT);
    p
}

pub fn guest_with(config: Config) -> Guest {
    let mut hv = Hypervisor::new(config).unwrap();
    let p = partition(&mut hv, 2);
    Guest { hv, p }
}

pub fn guest() -> Guest {
    guest_with(Config::default())
}

pub fn rcx(code: CallCode, fast: bool) -> u64 {
    HypercallInput::new().with_call_code(code).with_fast(fast).into_bits()
}

/// The registers of a call: its input value, then RDX and R8.
pub fn regs(code: CallCode, fast: bool, rdx: u64, r8: u64) -> Registers {
    Registers {
        rcx: rcx(code, fast),
        rdx,
        r8,
    }
}

/// What a retrieve returned: status, and on success (RetrievedCount, RemainingCount, data).
pub type Retrieved = (HvStatus, Option<(u32, u32, Vec<u8>)>);

impl Guest {
    pub fn call(&mut self, regs: Registers) -> HvStatus {
        match self.hv.dispatch(self.p, VP0, regs) {
            Dispatch::Complete(out) => out.status(),
            Dispatch::Suspended { .. } => panic!("unexpected wait"),
        }
    }

    /// Writes a post input (count, options, data) at `gpa` and calls HvPostDebugData.
    pub fn post_at(&mut self, gpa: u64, count: u32, options: u32, data: &[u8]) -> HvStatus {
        let mem = &mut self.hv.partition_mut(self.p).unwrap().memory;
        let _ = mem.write(gpa, &count.to_le_bytes());
        let _ = mem.write(gpa + 4, &options.to_le_bytes());
        let _ = mem.write(gpa + 8, data);
        let _ = mem.write(OUT, &[0xEE; 8]);
        self.call(Registers {
            rcx: rcx(CallCode::POST_DEBUG_DATA, false),
            rdx: gpa,
            r8: OUT,
        })
    }

    pub fn post(&mut self, data: &[u8]) -> HvStatus {
        self.post_at(IN, data.len() as u32, 0, data)
    }

    /// The PendingCount written by the last successful post.
    pub fn pending_count(&self) -> u32 {
        let mut b = [0u8; 4];
        self.hv.partition(self.p).unwrap().memory.read(OUT, &mut b).unwrap();
        u32::from_le_bytes(b)
    }

    pub fn write_retrieve_input(&mut self, count: u32, options: u32, timeout: u64) {
        let mem = &mut self.hv.partition_mut(self.p).unwrap().memory;
        mem.write(IN, &count.to_le_bytes()).unwrap();
        mem.write(IN + 4, &options.to_le_bytes()).unwrap();
        mem.write(IN + 8, &timeout.to_le_bytes()).unwrap();
        mem.write(OUT, &[0xEE; 16]).unwrap();
    }

    pub fn retrieve_regs() -> Registers {
        Registers {
            rcx: rcx(CallCode::RETRIEVE_DEBUG_DATA, false),
            rdx: IN,
            r8: OUT,
        }
    }

    /// The output page as a retrieve result, if the header was written.
    pub fn read_retrieved(&self, status: HvStatus) -> Retrieved {
        let mem = &self.hv.partition(self.p).unwrap().memory;
        let mut head = [0u8; 8];
        mem.read(OUT, &mut head).unwrap();
        if status != HvStatus::SUCCESS {
            assert_eq!(head, [0xEE; 8], "no output is written on failure");
            return (status, None);
        }
        let got = u32::from_le_bytes(head[..4].try_into().unwrap());
        let remaining = u32::from_le_bytes(head[4..].try_into().unwrap());
        let mut data = vec![0u8; got as usize];
        mem.read(OUT + 8, &mut data).unwrap();
        (status, Some((got, remaining, data)))
    }

    pub fn retrieve_with(&mut self, count: u32, options: u32, timeout: u64) -> Retrieved {
        self.write_retrieve_input(count, options, timeout);
        let status = self.call(Self::retrieve_regs());
        self.read_retrieved(status)
    }

    pub fn retrieve(&mut self, count: u32) -> Retrieved {
        self.retrieve_with(count, 0, 0)
    }

    /// HvResetDebugSession, fast form.
    pub fn reset(&mut self, options: u32) -> HvStatus {
        self.call(Registers {
            rcx: rcx(CallCode::RESET_DEBUG_SESSION, true),
            rdx: u64::from(options),
            r8: 0,
        })
    }

    pub fn deliver(&mut self, data: &[u8]) -> usize {
        self.hv.deliver(self.p, data).unwrap()
    }

    pub fn receive(&mut self, max: usize) -> Vec<u8> {
        let mut buf = vec![0u8; max];
        let n = self.hv.receive(self.p, &mut buf).unwrap();
        buf.truncate(n);
        buf
    }

    /// (incoming, outgoing) accounting, checked to balance.
    pub fn accounting(&self) -> (Accounting, Accounting) {
        let (i, o) = self.hv.accounting(self.p).unwrap();
        assert!(i.balanced() && o.balanced(), "accounting out of balance: {i:?} {o:?}");
        (i, o)
    }

    /// Bytes pending (incoming, outgoing).
    pub fn pending(&self) -> (u64, u64) {
        let (i, o) = self.accounting();
        (i.pending, o.pending)
    }

    pub fn revoke_debugging(&mut self) {
        self.hv
            .set_property(self.p, PartitionPropertyCode::PRIVILEGE_FLAGS, 0)
            .unwrap();
    }

    pub fn set_channel(&mut self, id: u16) {
        self.hv
            .set_property(self.p, PartitionPropertyCode::DEBUG_CHANNEL_ID, u64::from(id))
            .unwrap();
        assert_eq!(self.hv.partition(self.p).unwrap().channel_id(), DebugChannelId(id));
    }
}

/// The guest's end of the UDP debug transport in the host-profile tests.
pub const GUEST: Endpoint = Endpoint {
    mac: [2, 0, 0, 0, 0, 1],
    ip: [10, 0, 2, 15],
    port: 50001,
};
/// The debugger's end of the UDP debug transport in the host-profile tests.
pub const DEBUGGER: Endpoint = Endpoint {
    mac: [2, 0, 0, 0, 0, 2],
    ip: [10, 0, 2, 2],
    port: 50000,
};
