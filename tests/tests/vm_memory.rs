//! The dispatcher over rust-vmm's `GuestMemoryMmap` behaves exactly as over the model's memory: the same
//! scripted debug session runs on both and gives the same results, guest bytes and accounting.

use hv_abi::debug::DebugChannelId;
use hv_abi::{CallCode, HvStatus, HypercallInput, PartitionPrivileges};
use hv_model::debug_calls::{self, DebugAccess};
use hv_model::{Accounting, DebugChannel, Dispatch, GuestMemory, GuestMemoryAccess, Registers};
use vm_memory::{GuestAddress, GuestMemoryMmap};

/// Guest RAM: 0x1000..0x4000 (three pages); 0x4000 and up are not mapped.
const RAM: (u64, usize) = (0x1000, 0x3000);
const IN: u64 = 0x1000;
const OUT: u64 = 0x2000;
const LAST: u64 = 0x3000;

fn rcx(code: CallCode, fast: bool) -> u64 {
    HypercallInput::new().with_call_code(code).with_fast(fast).into_bits()
}

/// One line of a session's transcript: what was done, what came back, and what the output page then held.
type Line = (&'static str, Dispatch, Vec<u8>);

struct Session<'m, M> {
    memory: &'m mut M,
    channel: DebugChannel,
    access: DebugAccess,
    lines: Vec<Line>,
}

impl<M: GuestMemoryAccess> Session<'_, M> {
    fn write(&mut self, gpa: u64, parts: &[&[u8]]) {
        self.memory.write_block(gpa, &parts.concat()).unwrap();
    }

    fn record(&mut self, what: &'static str, result: Dispatch) {
        let mut page = vec![0u8; 32];
        self.memory.read_block(OUT, &mut page).unwrap();
        self.lines.push((what, result, page));
    }

    fn call(&mut self, what: &'static str, regs: Registers, now: u64) {
        let result = debug_calls::dispatch(regs, &self.access, &mut self.channel, self.memory, now);
        self.record(what, result);
    }
}

fn post(at: u64) -> Registers {
    Registers {
        rcx: rcx(CallCode::POST_DEBUG_DATA, false),
        rdx: at,
        r8: OUT,
    }
}

fn retrieve(at: u64) -> Registers {
    Registers {
        rcx: rcx(CallCode::RETRIEVE_DEBUG_DATA, false),
        rdx: at,
        r8: OUT,
    }
}

/// Runs the session over `memory`; returns the transcript and both directions' accounting.
fn session<M: GuestMemoryAccess>(memory: &mut M) -> (Vec<Line>, (Accounting, Accounting)) {
    let mut s = Session {
        memory,
        channel: DebugChannel::new(64, 8192).unwrap(),
        access: DebugAccess {
            debugging_enabled: true,
            privileges: PartitionPrivileges::DEBUGGING,
            channel_id: DebugChannelId(2),
            channel_shared: false,
        },
        lines: Vec::new(),
    };
    s.write(IN, &[&5u32.to_le_bytes(), &[0; 4], b"hello"]);
    s.call("post hello", post(IN), 0);
    let mut host = [0u8; 16];
    let n = s.channel.receive(&mut host);
    assert_eq!(&host[..n], b"hello");
    s.channel.deliver(b"world");
    s.write(
        IN + 0x100,
        &[&16u32.to_le_bytes(), &0u32.to_le_bytes(), &0u64.to_le_bytes()],
    );
    s.call("retrieve 16", retrieve(IN + 0x100), 0);
    // RETRIEVE_LOOP with a timeout of 50 waits; a delivery resumes it.
    s.write(
        IN + 0x200,
        &[&16u32.to_le_bytes(), &1u32.to_le_bytes(), &50u64.to_le_bytes()],
    );
    s.call("retrieve loop", retrieve(IN + 0x200), 10);
    assert_eq!(s.lines.last().unwrap().1, Dispatch::Suspended { deadline: 60 });
    s.channel.deliver(b"again");
    let resumed = debug_calls::resume(retrieve(IN + 0x200), 60, &s.access, &mut s.channel, s.memory, 20);
    s.record("resumed", resumed);
    // A Count-0 probe whose header ends the last mapped page, and one whose data would leave it.
    s.write(LAST + 0xFF8, &[&[0u8; 8]]);
    s.call("post probe at the end of RAM", post(LAST + 0xFF8), 20);
    s.write(LAST + 0xFF8, &[&1u32.to_le_bytes(), &[0; 4]]);
    s.call("post leaving RAM", post(LAST + 0xFF8), 20);
    s.call("post misaligned", post(IN + 4), 20);
    s.call("post unmapped", post(0x4000), 20);
    s.write(IN, &[&4089u32.to_le_bytes(), &[0; 4]]);
    s.call("post too much", post(IN), 20);
    let reset = Registers {
        rcx: rcx(CallCode::RESET_DEBUG_SESSION, true),
        rdx: 3,
        r8: 0,
    };
    s.call("reset both", reset, 20);
    (s.lines, (s.channel.incoming(), s.channel.outgoing()))
}

#[test]
fn vm_memory_and_the_model_run_the_same_session() {
    let mut model = GuestMemory::default();
    for page in (RAM.0..RAM.0 + RAM.1 as u64).step_by(0x1000) {
        model.map(page);
    }
    let mut mmap = GuestMemoryMmap::<()>::from_ranges(&[(GuestAddress(RAM.0), RAM.1)]).unwrap();

    let (on_model, model_accounting) = session(&mut model);
    let (on_mmap, mmap_accounting) = session(&mut mmap);
    assert_eq!(on_model, on_mmap);
    assert_eq!(model_accounting, mmap_accounting);

    // And the session is the one intended, not two identical failures.
    let status = |what: &str| match on_model.iter().find(|l| l.0 == what).unwrap().1 {
        Dispatch::Complete(out) => out.status(),
        Dispatch::Suspended { .. } => panic!("{what} waits"),
    };
    assert_eq!(status("post hello"), HvStatus::SUCCESS);
    assert_eq!(status("retrieve 16"), HvStatus::SUCCESS);
    assert_eq!(
        &on_model[1].2[..13],
        &[5, 0, 0, 0, 0, 0, 0, 0, b'w', b'o', b'r', b'l', b'd']
    );
    assert_eq!(status("resumed"), HvStatus::SUCCESS);
    assert_eq!(status("post probe at the end of RAM"), HvStatus::SUCCESS);
    assert_eq!(status("post leaving RAM"), HvStatus::INVALID_PARAMETER);
    assert_eq!(status("post misaligned"), HvStatus::INVALID_ALIGNMENT);
    assert_eq!(status("post unmapped"), HvStatus::INVALID_ALIGNMENT);
    assert_eq!(status("post too much"), HvStatus::INVALID_PARAMETER);
    assert_eq!(status("reset both"), HvStatus::NO_DATA);
    assert_eq!(
        model_accounting,
        (
            Accounting {
                written: 10,
                read: 10,
                purged: 0,
                dropped: 0,
                pending: 0
            },
            Accounting {
                written: 5,
                read: 5,
                purged: 0,
                dropped: 0,
                pending: 0
            }
        )
    );
}

/// vCPU threads share one `GuestMemoryMmap` through `hv_model::Shared`, with no clone: each dispatches over
/// the same memory at once, and each sees the others' writes.
#[test]
fn threads_dispatch_over_one_shared_memory() {
    use hv_model::Shared;
    let memory = GuestMemoryMmap::<()>::from_ranges(&[(GuestAddress(RAM.0), RAM.1)]).unwrap();
    let access = DebugAccess {
        debugging_enabled: true,
        privileges: PartitionPrivileges::DEBUGGING,
        channel_id: DebugChannelId(2),
        channel_shared: false,
    };
    std::thread::scope(|s| {
        for (i, page) in [IN, OUT].into_iter().enumerate() {
            let memory = &memory;
            s.spawn(move || {
                let mut channel = DebugChannel::new(4096, 8192).unwrap();
                let data = [i as u8 + 1; 16];
                let mut input = vec![16, 0, 0, 0, 0, 0, 0, 0];
                input.extend_from_slice(&data);
                // Each thread's input block in its own page, its output in the last page.
                let out = LAST + 8 * i as u64;
                Shared(memory).write_block(page + 0x100, &input).unwrap();
                let regs = Registers {
                    rcx: rcx(CallCode::POST_DEBUG_DATA, false),
                    rdx: page + 0x100,
                    r8: out,
                };
                let rax = debug_calls::dispatch(regs, &access, &mut channel, &mut Shared(memory), 0);
                assert_eq!(rax, Dispatch::Complete(HvStatus::SUCCESS.into()));
                let mut got = [0u8; 16];
                assert_eq!(channel.receive(&mut got), 16);
                assert_eq!(got, data);
            });
        }
    });
    // Both outputs landed in the one memory.
    let mut pending = [0u8; 16];
    Shared(&memory).read_block(LAST, &mut pending).unwrap();
    assert_eq!((pending[0], pending[8]), (16, 16));
}
