//! The test guest: a bare-metal x86_64 program that uses `hv-guest` as a guest debug transport would,
//! booted by `hv-kvm` (its tests, its benchmark and `hvtool run`).
//!
//! hv-kvm enters `_start` in 64-bit mode with memory identity-mapped, RSP set, interrupts off, and RDI
//! holding the boot word: the mode in bits 7:0 (below), bit 8 set after a reboot, and the iteration count
//! of the benchmark in bits 63:32.
//!
//! - Session (mode 0): detect Hyper-V, enable the hypercall page, post "hello from the guest", retrieve
//!   what the host sent (waiting for it with `RETRIEVE_LOOP`), reset with `PURGE_INCOMING_DATA`,
//!   retrieve again (`HV_STATUS_NO_DATA`), write the outcome to [`RESULT_PORT`], run CPUID 0x40000000,
//!   read IA32_PAT, halt.
//! - Benchmark (mode 1): after the same set-up, N fast HvResetDebugSession calls, then N bare writes to
//!   [`BENCH_PORT`], each phase opened by a write to [`MARK_PORT`]; halt.
//! - Reboot (mode 2): post "before reboot" and triple-fault; after the reboot, post "after reboot" and
//!   halt. Mode 4 is the same with a reset through port 0xCF9 instead of the triple fault.
//! - Mailbox (mode 5): the hypercalls of a conformance run. After the set-up the guest writes to
//!   [`MAILBOX_PORT`]; then, each time it runs again, it issues the hypercall whose RCX, RDX and R8 the
//!   host left at [`MAILBOX`], stores RAX after them, and writes to the port again.
//! - Random hypercalls (mode 3): N hypercalls (N in bits 31:16 of the boot word) with random RCX, RDX
//!   and R8 and random input-page contents from a generator seeded with bits 63:32, then a write to
//!   [`RESULT_PORT`] and halt. Output GPAs stay clear of this image (the hypervisor would write over
//!   it); timeouts are short, so the run is too.
//!
//! Built for the host, this is a program that says what it is and exits.
#![cfg_attr(target_os = "none", no_std, no_main)]

/// The port whose one-byte write reports the session's outcome: 0 when every check passed, otherwise
/// the number of the first step that failed.
pub const RESULT_PORT: u16 = 0x3F8;
/// Written once before each benchmark phase.
pub const MARK_PORT: u16 = 0x3F9;
/// Written when the guest is ready for the next mailbox command, and when it has stored a result.
pub const MAILBOX_PORT: u16 = 0x3FB;
/// The GPA of the mailbox: RCX, RDX, R8 from the host, then RAX from the guest (four quadwords).
pub const MAILBOX: u64 = 0x30_0000;

/// The PC reset-control register: writing 0x06 resets the machine.
pub const RESET_CONTROL_PORT: u16 = 0xCF9;
/// Written N times in the benchmark's bare-exit phase.
pub const BENCH_PORT: u16 = 0x3FA;

#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("hv-test-guest runs inside a VM: `hvtool run` boots it (build it for x86_64-unknown-none)");
    std::process::exit(2);
}

// A bare-metal program needs its own entry, port I/O and HLT; each `unsafe` block says why it is sound.
#[cfg(target_os = "none")]
#[allow(unsafe_code)]
mod guest {
    use core::arch::{asm, global_asm};

    use hv_abi::debug::{DebugPostOptions, DebugPurgeOptions, DebugRetrieveOptions};
    use hv_abi::{CallCode, HvStatus, HypercallInput};
    use hv_guest::debug::{DebugCalls, Retrieved};
    use hv_guest::x86_64::{HypercallPage, Msr, cpuid};
    use hv_guest::{Hypercall, Msrs, OwnedPages, Page, Required, Vp, detect, enable_hypercalls};
    use hv_x64::msr::{GuestOsId, GuestOsIdOpenSource, SyntheticMsr};

    use super::{BENCH_PORT, MAILBOX, MAILBOX_PORT, MARK_PORT, RESET_CONTROL_PORT, RESULT_PORT};

    /// The pages this guest gives the hypervisor; identity mapping makes their addresses their GPAs.
    #[repr(C)]
    struct Pages {
        hypercall: Page,
        input: Page,
        output: Page,
    }

    static mut PAGES: Pages = Pages {
        hypercall: Page::zeroed(),
        input: Page::zeroed(),
        output: Page::zeroed(),
    };

    // The entry: RSP was set by the VMM; call `main` with the boot word in RDI, as a function call would.
    global_asm!(
        ".section .text._start, \"ax\"",
        ".global _start",
        "_start:",
        "    call {main}",
        "2:  cli",
        "    hlt",
        "    jmp 2b",
        main = sym main,
    );

    fn out(port: u16, value: u8) {
        // SAFETY: a port write touches no memory; on this VM it exits to the VMM.
        unsafe { asm!("out dx, al", in("dx") port, in("al") value, options(nomem, nostack, preserves_flags)) };
    }

    fn rdmsr(msr: u32) -> u64 {
        let (lo, hi): (u32, u32);
        // SAFETY: CPL 0; IA32_PAT exists on every x86_64 processor; RDMSR touches no memory.
        unsafe { asm!("rdmsr", in("ecx") msr, out("eax") lo, out("edx") hi, options(nomem, nostack, preserves_flags)) };
        u64::from(hi) << 32 | u64::from(lo)
    }

    fn halt() -> ! {
        loop {
            // SAFETY: with interrupts off HLT stops this VP for good, which is what the VMM waits for.
            unsafe { asm!("cli", "hlt", options(nomem, nostack)) };
        }
    }

    /// Loads an empty IDT and raises #UD: no handler, so a triple fault, which resets the VM.
    fn triple_fault() -> ! {
        let idt = [0u16; 5];
        // SAFETY: LIDT reads the 10-byte descriptor on this stack; the #UD that follows cannot be
        // delivered, so the processor shuts down and the VMM resets the VM. Nothing returns.
        unsafe { asm!("lidt [{0}]", "ud2", in(reg) idt.as_ptr(), options(nostack)) };
        halt()
    }

    /// The VP's hypercall interface, or the number of the set-up step that failed.
    fn set_up(pages: &'static mut Pages) -> Result<Vp<HypercallPage, OwnedPages<'static>>, u8> {
        detect(cpuid, Required::DEBUG_TRANSPORT).map_err(|_| 1)?;
        // SAFETY: this guest runs at CPL 0, detect found the synthetic MSRs, and it owns its VP.
        let mut msrs = unsafe { Msr::new() };
        if msrs.read(SyntheticMsr::VP_INDEX) != 0 {
            halt(); // one VP runs the session; the others stop
        }
        let id = GuestOsId(u64::from(GuestOsIdOpenSource::linux(0x0006_0800)));
        let page = core::ptr::addr_of!(pages.hypercall) as u64;
        enable_hypercalls(&mut msrs, id, page).map_err(|_| 2)?;
        // SAFETY: the page was enabled at its own address (identity mapping) and this guest never unmaps
        // or rewrites it.
        let hypercall = unsafe { HypercallPage::new(page as usize) };
        let input_gpa = core::ptr::addr_of!(pages.input) as u64;
        let output_gpa = core::ptr::addr_of!(pages.output) as u64;
        let pages = OwnedPages {
            input: &mut pages.input,
            input_gpa,
            output: &mut pages.output,
            output_gpa,
        };
        Ok(Vp { hypercall, pages })
    }

    /// The session; `Err` is the number of the step that failed.
    fn session(vp: &mut Vp<HypercallPage, OwnedPages<'static>>) -> Result<(), u8> {
        let hello = b"hello from the guest";
        if vp.post(hello, DebugPostOptions::empty()) != Ok(hello.len() as u32) {
            return Err(3);
        }
        let mut buf = [0u8; 19];
        let got = vp.retrieve(&mut buf, DebugRetrieveOptions::RETRIEVE_LOOP, 100_000_000);
        match got {
            Ok(Retrieved {
                retrieved: 19,
                remaining,
            }) if remaining > 0 && &buf == b"hello from the host" => {}
            _ => return Err(4),
        }
        vp.reset(DebugPurgeOptions::PURGE_INCOMING_DATA).map_err(|_| 5)?;
        match vp.retrieve(&mut buf, DebugRetrieveOptions::empty(), 0) {
            Err(e) if e.status() == HvStatus::NO_DATA => Ok(()),
            _ => Err(6),
        }
    }

    fn bench(vp: &mut Vp<HypercallPage, OwnedPages<'static>>, iterations: u32) {
        let reset = HypercallInput::new()
            .with_call_code(CallCode::RESET_DEBUG_SESSION)
            .with_fast(true);
        out(MARK_PORT, 1);
        for _ in 0..iterations {
            let _ = core::hint::black_box(vp.hypercall(reset, u64::from(DebugPurgeOptions::all().bits()), 0));
        }
        out(MARK_PORT, 2);
        for _ in 0..iterations {
            out(BENCH_PORT, 0);
        }
        out(MARK_PORT, 3);
    }

    /// xorshift64*: the random hypercalls' generator.
    struct Random(u64);

    impl Random {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        /// A GPA: the VP's own page, or anywhere from 4 MiB up (inside, across and past the end of a
        /// 16 MiB guest), page-aligned or not.
        fn gpa(&mut self, own: u64) -> u64 {
            match self.next() % 4 {
                0 => own,
                1 => 0x40_0000 + ((self.next() % 0xC0_0000) & !0xFFF),
                2 => 0x40_0000 + self.next() % 0xC1_0000,
                _ => self.next() | 0x40_0000,
            }
        }
    }

    fn random_hypercalls(vp: &mut Vp<HypercallPage, OwnedPages<'static>>, seed: u32, count: u16) {
        let mut random = Random(u64::from(seed) | 1 << 63);
        for _ in 0..count {
            let code = match random.next() % 5 {
                0 => 0x69,
                1 => 0x6A,
                2 => 0x6B,
                3 => random.next() & 0xFFFF,
                _ => random.next(),
            };
            // Mostly well-formed input values, sometimes any bits above the call code.
            let high = if random.next().is_multiple_of(4) {
                random.next() & !0xFFFF
            } else {
                (random.next() & 1) << 16
            };
            let input = HypercallInput::from_bits(code & 0xFFFF | high);
            let input_page = vp.pages.input_gpa;
            let output_page = vp.pages.output_gpa;
            let (rdx, r8) = (random.gpa(input_page), random.gpa(output_page));
            // The header and the first data bytes anew each call, and one more quadword anywhere: on an
            // emulating host a whole page each call would take most of the run.
            let page = &mut vp.pages.input.0;
            for chunk in page[..64].chunks_exact_mut(8) {
                chunk.copy_from_slice(&random.next().to_le_bytes());
            }
            let at = (random.next() % 512) as usize * 8;
            page[at..at + 8].copy_from_slice(&random.next().to_le_bytes());
            // Count: small, or anything; options: the low bits, or anything; timeout under 6.6 ms.
            let count = if random.next().is_multiple_of(2) {
                random.next() % 64
            } else {
                random.next() & 0xFFFF_FFFF
            };
            page[..4].copy_from_slice(&(count as u32).to_le_bytes());
            if random.next().is_multiple_of(2) {
                page[4..8].copy_from_slice(&((random.next() % 4) as u32).to_le_bytes());
            }
            page[8..16].copy_from_slice(&(random.next() & 0xFFFF).to_le_bytes());
            let _ = core::hint::black_box(vp.hypercall(input, rdx, r8));
        }
    }

    /// Serves the host's mailbox forever: a hypercall per command.
    fn mailbox(vp: &mut Vp<HypercallPage, OwnedPages<'static>>) -> ! {
        let mailbox = MAILBOX as *mut u64;
        loop {
            out(MAILBOX_PORT, 0);
            // SAFETY: the mailbox is four quadwords of guest memory that only the host (between this VP's
            // exits) and this loop touch; volatile, as the host writes them behind the compiler's back.
            let (rcx, rdx, r8) = unsafe {
                (
                    mailbox.read_volatile(),
                    mailbox.add(1).read_volatile(),
                    mailbox.add(2).read_volatile(),
                )
            };
            let rax = vp.hypercall(HypercallInput::from_bits(rcx), rdx, r8);
            // SAFETY: as above.
            unsafe { mailbox.add(3).write_volatile(rax.into_bits()) };
        }
    }

    extern "C" fn main(boot: u64) -> ! {
        // SAFETY: `main` runs once per VP and only VP 0 gets past `set_up`, so this is the only reference.
        let pages = unsafe { &mut *core::ptr::addr_of_mut!(PAGES) };
        let mut vp = match set_up(pages) {
            Ok(vp) => vp,
            Err(step) => {
                out(RESULT_PORT, step);
                halt();
            }
        };
        match (boot & 0xFF, boot & 0x100 != 0) {
            (1, _) => bench(&mut vp, (boot >> 32) as u32),
            (2, false) => {
                let _ = vp.post(b"before reboot", DebugPostOptions::empty());
                triple_fault();
            }
            (4, false) => {
                let _ = vp.post(b"before reboot", DebugPostOptions::empty());
                out(RESET_CONTROL_PORT, 0x06); // system reset, CPU reset
                halt();
            }
            (2 | 4, true) => {
                let _ = vp.post(b"after reboot", DebugPostOptions::empty());
            }
            (5, _) => mailbox(&mut vp),
            (3, _) => {
                random_hypercalls(&mut vp, (boot >> 32) as u32, (boot >> 16) as u16);
                out(RESULT_PORT, 0);
            }
            _ => {
                let outcome = session(&mut vp).err().unwrap_or(0);
                out(RESULT_PORT, outcome);
                core::hint::black_box(cpuid(0x4000_0000));
                core::hint::black_box(rdmsr(0x277));
            }
        }
        halt()
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        out(RESULT_PORT, 0xFF);
        halt()
    }
}
