//! The instruction behind an exit, found in the guest's memory: what an intercept message reports (its
//! RIP, length, bytes, and for port I/O whether it is a string or REP instruction) and where the VMM
//! resumes the VP.
//!
//! # Where RIP is at a port-I/O exit
//!
//! KVM reports a port-I/O exit in one of two ways, and a VMM must be right on both:
//! - **At the instruction** ([`RipConvention::AtInstruction`]): stock VMX and SVM KVM since Linux 5.4
//!   (commit 45def77ebf79) exit with RIP still at the `IN`/`OUT` and skip it when userspace re-enters
//!   `KVM_RUN` (`complete_fast_pio_out`), unless userspace moved RIP meanwhile.
//! - **Past the instruction** ([`RipConvention::PastInstruction`]): older KVM and KVM-PVM skip it before
//!   the exit.
//!
//! That is for the fast forms (`IN`/`OUT`). A string instruction is emulated element by element, and
//! there the hosts agree: an `INS` exits with RIP at it (the emulator finishes the element when userspace
//! re-enters), and so does an `OUTS` with a REP prefix and elements still to go; the last element of an
//! `OUTS`, or one without REP, is written back before the exit, with RIP past it (stock KVM's
//! `x86_emulate_instruction`; KVM-PVM leaves RIP at it, and both readings are accepted).
//!
//! [`locate_port_io`] decides from the exit itself: the instruction at RIP, and the fast I/O instructions
//! that end at RIP, are decoded and compared with what the exit says (direction, port, size, count).
//! Exactly one fitting reading settles it, and a fast one shows the host's convention. Both fit only when
//! two matching I/O instructions stand back to back; then the convention an earlier exit of the same host
//! showed decides, and before any has, the caller completes the exit and sees whether KVM moved RIP
//! ([`Located::Ambiguous`]).
//!
//! Decoding backwards is not exact: bytes that end an earlier instruction can read as prefixes. A fast
//! form takes the shortest fitting reading (its operand-size prefix is part of what fits the exit; other
//! prefixes mean nothing to IN/OUT), an `OUTS` the longest (its REP, size and segment prefixes matter).
//! At-instruction hosts never need it for the fast forms.

use iced_x86::{Code, Decoder, DecoderOptions, Instruction, Mnemonic, OpKind, Register};

/// Where KVM leaves RIP at a port-I/O exit (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RipConvention {
    /// RIP is the I/O instruction's address; KVM skips it when the VP runs again.
    AtInstruction,
    /// RIP is the address after the I/O instruction.
    PastInstruction,
}

/// The processor mode code is decoded in, from CS and EFER.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeSize {
    /// 64-bit mode: EFER.LMA and CS.L.
    Bits64,
    /// 32-bit protected or compatibility mode: CS.D set.
    Bits32,
    /// 16-bit protected, compatibility or real mode.
    Bits16,
}

impl CodeSize {
    /// The code size of a VP with `efer` whose CS has the L (`long`) and D (`default_big`) bits given.
    pub const fn of(efer: u64, long: bool, default_big: bool) -> Self {
        if efer & (1 << 10) != 0 && long {
            Self::Bits64
        } else if default_big {
            Self::Bits32
        } else {
            Self::Bits16
        }
    }

    const fn bitness(self) -> u32 {
        match self {
            Self::Bits64 => 64,
            Self::Bits32 => 32,
            Self::Bits16 => 16,
        }
    }

    /// `ip` as the processor keeps it in this mode (EIP and IP wrap).
    const fn wrap(self, ip: u64) -> u64 {
        match self {
            Self::Bits64 => ip,
            Self::Bits32 => ip & 0xFFFF_FFFF,
            Self::Bits16 => ip & 0xFFFF,
        }
    }
}

/// Up to 16 bytes of guest code at an instruction pointer: the bytes and how many of them are readable
/// (fewer where a page is not mapped or not guest memory).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CodeBytes {
    /// The bytes; those past `valid` are zero.
    pub bytes: [u8; 16],
    /// How many bytes could be read.
    pub valid: u8,
}

impl CodeBytes {
    fn slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.valid).min(16)]
    }
}

/// What a port-I/O exit says about the access (`kvm_run.io`, and DX from the registers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortExit {
    /// The port.
    pub port: u16,
    /// Bytes per element: 1, 2 or 4.
    pub size: u8,
    /// `OUT`/`OUTS` (`true`) or `IN`/`INS`.
    pub write: bool,
    /// Elements in this exit; more than one only for a REP string instruction.
    pub count: u32,
    /// DX at the exit: the port of the DX forms.
    pub dx: u16,
    /// RCX at the exit: a REP string instruction's elements still to go.
    pub rcx: u64,
}

/// An instruction found in guest memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// Its address (RIP, not linear).
    pub rip: u64,
    /// Its bytes; those past `length` are zero.
    pub bytes: [u8; 16],
    /// Its length in bytes (1 to 15).
    pub length: u8,
    /// `INS`/`OUTS`.
    pub string: bool,
    /// With a REP prefix.
    pub rep: bool,
}

impl Found {
    /// The address of the instruction after it.
    pub const fn next_rip(&self) -> u64 {
        self.rip.wrapping_add(self.length as u64)
    }
}

/// Where a port-I/O exit's instruction is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Located {
    /// One reading fits, and the host's convention it shows (`None` for a string instruction, which is
    /// at RIP on every host).
    Found(Found, Option<RipConvention>),
    /// A fast I/O instruction at RIP and one ending at RIP both fit the exit, and no earlier exit settled
    /// the convention: the caller finds out by completing the exit.
    Ambiguous {
        /// The reading with RIP at the instruction.
        at: Found,
        /// The reading with RIP past the instruction.
        past: Found,
    },
    /// No I/O instruction that fits is at or before RIP (the guest changed its code, or it is not
    /// readable).
    NotFound,
}

impl Located {
    /// The instruction, with `known` settling an ambiguity, and the host's convention it shows; `None` when
    /// not found or still ambiguous.
    pub fn resolve(self, known: Option<RipConvention>) -> Option<(Found, Option<RipConvention>)> {
        match (self, known) {
            (Self::Found(found, convention), _) => Some((found, convention)),
            (Self::Ambiguous { at, .. }, Some(RipConvention::AtInstruction)) => {
                Some((at, Some(RipConvention::AtInstruction)))
            }
            (Self::Ambiguous { past, .. }, Some(RipConvention::PastInstruction)) => {
                Some((past, Some(RipConvention::PastInstruction)))
            }
            (Self::Ambiguous { .. } | Self::NotFound, _) => None,
        }
    }
}

fn decode(code: &CodeBytes, rip: u64, size: CodeSize) -> Option<Instruction> {
    let mut decoder = Decoder::with_ip(size.bitness(), code.slice(), rip, DecoderOptions::NONE);
    let instruction = decoder.decode();
    (!instruction.is_invalid()).then_some(instruction)
}

fn found(code: &CodeBytes, rip: u64, instruction: &Instruction) -> Found {
    let length = instruction.len() as u8;
    let mut bytes = code.bytes;
    bytes[usize::from(length).min(16)..].fill(0);
    Found {
        rip,
        bytes,
        length,
        string: matches!(
            instruction.mnemonic(),
            Mnemonic::Outsb | Mnemonic::Outsw | Mnemonic::Outsd | Mnemonic::Insb | Mnemonic::Insw | Mnemonic::Insd
        ),
        rep: instruction.has_rep_prefix() || instruction.has_repne_prefix(),
    }
}

/// Whether `instruction` is an I/O instruction that makes exactly this exit.
fn fits(instruction: &Instruction, exit: &PortExit) -> bool {
    let (write, string_size) = match instruction.mnemonic() {
        Mnemonic::Out => (true, None),
        Mnemonic::In => (false, None),
        Mnemonic::Outsb => (true, Some(1)),
        Mnemonic::Outsw => (true, Some(2)),
        Mnemonic::Outsd => (true, Some(4)),
        Mnemonic::Insb => (false, Some(1)),
        Mnemonic::Insw => (false, Some(2)),
        Mnemonic::Insd => (false, Some(4)),
        _ => return false,
    };
    if write != exit.write {
        return false;
    }
    let (size, port) = match string_size {
        Some(size) => (size, exit.dx),
        None => {
            // OUT port, reg / IN reg, port: the accumulator gives the size, the other operand the port.
            let (data, port) = if write { (1, 0) } else { (0, 1) };
            let size = register_size(instruction.op_register(data));
            let port = match instruction.op_kind(port) {
                OpKind::Immediate8 => u16::from(instruction.immediate8()),
                _ => exit.dx,
            };
            (size, port)
        }
    };
    let rep = instruction.has_rep_prefix() || instruction.has_repne_prefix();
    size == exit.size && port == exit.port && (exit.count <= 1 || (string_size.is_some() && rep))
}

fn register_size(register: Register) -> u8 {
    match register {
        Register::AL => 1,
        Register::AX => 2,
        Register::EAX => 4,
        _ => 0,
    }
}

/// The I/O instruction behind a port-I/O exit at `rip`, read with `fetch` (guest code at an instruction
/// pointer), under either convention; `known` is the convention an earlier exit of this host showed.
pub fn locate_port_io(
    rip: u64,
    exit: &PortExit,
    size: CodeSize,
    known: Option<RipConvention>,
    fetch: impl Fn(u64) -> CodeBytes,
) -> Located {
    let rip = size.wrap(rip);
    let at = {
        let code = fetch(rip);
        decode(&code, rip, size)
            .filter(|i| fits(i, exit))
            .map(|i| (found(&code, rip, &i), rep_done(&i, exit.rcx)))
    };
    // The readings that end at RIP. Reading backwards cannot tell a prefix from the end of an earlier
    // instruction: a fast form takes the shortest reading (the prefixes that matter to it, 66, are part of
    // what fits the exit's size; any other is meaningless on IN/OUT), an OUTS whose last element this was
    // the longest (REP, operand- and address-size and segment prefixes all matter to it).
    let readings = (1..=15u64).filter_map(|n| {
        let start = size.wrap(rip.wrapping_sub(n));
        let code = fetch(start);
        decode(&code, start, size)
            .filter(|i| i.len() as u64 == n && fits(i, exit))
            .map(|i| (found(&code, start, &i), rep_done(&i, exit.rcx)))
    });
    let (mut behind_fast, mut behind_outs) = (None, None);
    for (reading, done) in readings {
        if !reading.string {
            behind_fast = behind_fast.or(Some(reading));
        } else if exit.write && done {
            behind_outs = Some(reading);
        }
    }
    // Where two kinds of reading fit, the first of these decides.
    // 1. An INS, or an OUTS with elements to go: every host leaves RIP at it.
    if let Some((at, _)) = at.filter(|(f, done)| f.string && (!exit.write || !done)) {
        return Located::Found(at, None);
    }
    // 2. An OUTS that ended at RIP: its last element was written back before the exit.
    if let Some(behind) = behind_outs {
        return Located::Found(behind, None);
    }
    // 3. The fast forms, where the host's convention puts RIP.
    let fast_at = at
        .map(|(f, _)| f)
        .filter(|f| !f.string && known != Some(RipConvention::PastInstruction));
    let fast_past = behind_fast.filter(|_| known != Some(RipConvention::AtInstruction));
    match (fast_at, fast_past) {
        (Some(at), Some(past)) if known.is_none() => return Located::Ambiguous { at, past },
        (_, Some(past)) => return Located::Found(past, Some(RipConvention::PastInstruction)),
        (Some(at), None) => return Located::Found(at, Some(RipConvention::AtInstruction)),
        (None, None) => {}
    }
    // 4. A finished OUTS still at RIP (KVM-PVM reports it so).
    match at {
        Some((at, _)) if at.string => Located::Found(at, None),
        _ => Located::NotFound,
    }
}

/// Whether a string instruction has no elements left after this exit: no REP prefix, or the count
/// register, at the instruction's address size, at 0. `true` for the fast forms.
fn rep_done(instruction: &Instruction, rcx: u64) -> bool {
    if !(instruction.has_rep_prefix() || instruction.has_repne_prefix()) {
        return true;
    }
    let counter = (0..instruction.op_count()).find_map(|i| match instruction.op_kind(i) {
        OpKind::MemorySegSI | OpKind::MemoryESDI => Some(0xFFFF),
        OpKind::MemorySegESI | OpKind::MemoryESEDI => Some(0xFFFF_FFFF),
        OpKind::MemorySegRSI | OpKind::MemoryESRDI => Some(u64::MAX),
        _ => None,
    });
    counter.is_none_or(|mask| rcx & mask == 0)
}

/// The `RDMSR`/`WRMSR` at `rip` (MSR exits leave RIP at the instruction on every KVM); `None` when the
/// bytes there are something else.
pub fn locate_msr(rip: u64, write: bool, size: CodeSize, fetch: impl Fn(u64) -> CodeBytes) -> Option<Found> {
    let rip = size.wrap(rip);
    let code = fetch(rip);
    let want = if write { Code::Wrmsr } else { Code::Rdmsr };
    decode(&code, rip, size)
        .filter(|i| i.code() == want)
        .map(|i| found(&code, rip, &i))
}

/// The `HLT` that ends at `rip` (KVM reports a HLT exit with RIP past it on every host); `None` when the
/// byte before RIP is not one.
pub fn locate_halt(rip: u64, size: CodeSize, fetch: impl Fn(u64) -> CodeBytes) -> Option<Found> {
    let start = size.wrap(rip.wrapping_sub(1));
    let code = fetch(start);
    decode(&code, start, size)
        .filter(|i| i.code() == Code::Hlt && i.len() == 1)
        .map(|i| found(&code, start, &i))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Guest code: `bytes` at `base`.
    fn memory(base: u64, bytes: &[u8]) -> impl Fn(u64) -> CodeBytes + '_ {
        move |ip| {
            let mut code = CodeBytes::default();
            let Some(offset) = ip.checked_sub(base) else {
                return code;
            };
            for (i, b) in bytes.iter().skip(offset as usize).take(16).enumerate() {
                code.bytes[i] = *b;
                code.valid = i as u8 + 1;
            }
            code
        }
    }

    const OUT_DX_AX: PortExit = PortExit {
        port: 0x3FE,
        size: 2,
        write: true,
        count: 1,
        dx: 0x3FE,
        rcx: 0,
    };

    #[test]
    fn an_operand_size_prefix_belongs_to_the_out() {
        // nop; out dx, ax; nop
        let code = [0x90, 0x66, 0xEF, 0x90];
        let fetch = memory(0x1000, &code);
        let past = locate_port_io(0x1003, &OUT_DX_AX, CodeSize::Bits64, None, &fetch);
        let Located::Found(found, Some(RipConvention::PastInstruction)) = past else {
            panic!("{past:?}")
        };
        assert_eq!(
            (found.rip, found.length, &found.bytes[..3]),
            (0x1001, 2, &[0x66, 0xEF, 0][..])
        );
        let at = locate_port_io(0x1001, &OUT_DX_AX, CodeSize::Bits64, None, &fetch);
        assert_eq!(at, Located::Found(found, Some(RipConvention::AtInstruction)));
    }

    #[test]
    fn a_rep_outsb_is_at_rip_until_its_last_element_and_past_it_after() {
        let code = [0xF3, 0x6E, 0xC3];
        let exit = |rcx| PortExit {
            port: 0x3FE,
            size: 1,
            write: true,
            count: 1,
            dx: 0x3FE,
            rcx,
        };
        // Elements to go: RIP at it. The last one written back: RIP past it (stock KVM), or still at it
        // (KVM-PVM). None of this shows the host's convention for the fast forms.
        for (rip, rcx) in [(0x2000, 5), (0x2002, 0), (0x2000, 0)] {
            for known in [
                None,
                Some(RipConvention::AtInstruction),
                Some(RipConvention::PastInstruction),
            ] {
                let located = locate_port_io(rip, &exit(rcx), CodeSize::Bits64, known, memory(0x2000, &code));
                let Located::Found(found, None) = located else {
                    panic!("RIP {rip:#x}, RCX {rcx}: {located:?}")
                };
                assert_eq!(
                    (found.rip, found.length, found.string, found.rep),
                    (0x2000, 2, true, true)
                );
            }
        }
        // With elements to go, RIP past it can only be a plain OUTS ending there: reading backwards, the
        // REP prefix is taken for the end of an earlier instruction.
        let located = locate_port_io(0x2002, &exit(5), CodeSize::Bits64, None, memory(0x2000, &code));
        let Located::Found(plain, None) = located else {
            panic!("{located:?}")
        };
        assert_eq!((plain.rip, plain.length, plain.rep), (0x2001, 1, false));
    }

    #[test]
    fn an_ins_is_at_rip_on_every_host() {
        let code = [0x6C, 0x6C]; // insb; insb
        let exit = PortExit {
            port: 0x3FD,
            size: 1,
            write: false,
            count: 1,
            dx: 0x3FD,
            rcx: 0,
        };
        let located = locate_port_io(0x3001, &exit, CodeSize::Bits64, None, memory(0x3000, &code));
        assert!(
            matches!(located, Located::Found(Found { rip: 0x3001, .. }, None)),
            "{located:?}"
        );
    }

    #[test]
    fn two_outs_back_to_back_are_ambiguous_until_the_host_is_known() {
        let code = [0xEE, 0xEE];
        let exit = PortExit {
            port: 0x3FE,
            size: 1,
            write: true,
            count: 1,
            dx: 0x3FE,
            rcx: 0,
        };
        let fetch = memory(0x3000, &code);
        let located = locate_port_io(0x3001, &exit, CodeSize::Bits64, None, &fetch);
        let Located::Ambiguous { at, past } = located else {
            panic!("{located:?}")
        };
        assert_eq!((at.rip, past.rip), (0x3001, 0x3000));
        assert_eq!(
            located.resolve(Some(RipConvention::PastInstruction)).unwrap().0.rip,
            0x3000
        );
        assert_eq!(
            located.resolve(Some(RipConvention::AtInstruction)).unwrap().0.rip,
            0x3001
        );
        assert_eq!(located.resolve(None), None);
    }

    #[test]
    fn the_port_direction_and_size_must_match_the_exit() {
        let code = [0xE6, 0x99, 0xC3]; // out 0x99, al; ret
        let mut exit = PortExit {
            port: 0x99,
            size: 1,
            write: true,
            count: 1,
            dx: 0,
            rcx: 0,
        };
        let fetch = memory(0x4000, &code);
        assert!(matches!(
            locate_port_io(0x4002, &exit, CodeSize::Bits64, None, &fetch),
            Located::Found(_, Some(RipConvention::PastInstruction))
        ));
        exit.port = 0x98;
        assert_eq!(
            locate_port_io(0x4002, &exit, CodeSize::Bits64, None, &fetch),
            Located::NotFound
        );
        exit = PortExit {
            write: false,
            port: 0x99,
            ..exit
        };
        assert_eq!(
            locate_port_io(0x4002, &exit, CodeSize::Bits64, None, &fetch),
            Located::NotFound
        );
    }

    #[test]
    fn msr_and_halt_instructions_are_found_where_kvm_leaves_rip() {
        let code = [0x0F, 0x30, 0xF4, 0x0F, 0x32];
        let fetch = memory(0x5000, &code);
        assert_eq!(
            locate_msr(0x5000, true, CodeSize::Bits64, &fetch).map(|f| f.length),
            Some(2)
        );
        assert_eq!(locate_msr(0x5000, false, CodeSize::Bits64, &fetch), None);
        assert_eq!(
            locate_msr(0x5003, false, CodeSize::Bits32, &fetch).map(|f| f.rip),
            Some(0x5003)
        );
        assert_eq!(
            locate_halt(0x5003, CodeSize::Bits64, &fetch).map(|f| f.rip),
            Some(0x5002)
        );
        assert_eq!(locate_halt(0x5002, CodeSize::Bits64, &fetch), None);
    }
}
