//! The test guest: a bare-metal x86_64 program that uses `hv-guest` as a guest debug transport would,
//! booted by `hv-kvm` (its tests, its benchmark and `hvtool run`).
//!
//! hv-kvm enters `_start` in 64-bit mode at CPL 0 with memory identity-mapped (2 MiB pages; PML4 at
//! 0x1000, PDPT at 0x2000, page directories from 0x3000), the flat GDT at 0x500 (0x08 64-bit code, 0x10
//! data), no IDT, RSP set (VP n's stack ends at 0x80000 - 0x8000 × n), interrupts off, and RDI holding the
//! boot word: the mode in bits 7:0 (below), bit 8 set after a reboot, and the mode's parameters in bits
//! 63:16 where a mode says so. The image is linked at 1 MiB and stays below 4 MiB.
//!
//! Unless a mode says otherwise, every VP first runs the set-up: detect Hyper-V, then VPs other than 0
//! halt, and VP 0 writes the guest OS id and enables the hypercall page at its own page in this image; a
//! failed step writes its number (1 detect, 2 enable) to [`RESULT_PORT`] and halts. A panic writes 0xFF
//! there.
//!
//! - Session (mode 0, and any mode not listed): post "hello from the guest", retrieve what the host sent
//!   (waiting for it with `RETRIEVE_LOOP`), reset with `PURGE_INCOMING_DATA`, retrieve again
//!   (`HV_STATUS_NO_DATA`), write the outcome to [`RESULT_PORT`], run CPUID 0x40000000, read IA32_PAT,
//!   halt.
//! - Benchmark (mode 1): N (bits 63:32) fast HvResetDebugSession calls, then N bare writes to
//!   [`BENCH_PORT`], then N fast calls of the unknown call code 0xFFFF, the phases separated by writes to
//!   [`MARK_PORT`] (1 to 4); halt.
//! - Wake (mode 17): N (bits 63:32) times, an HvRetrieveDebugData of one byte that waits
//!   (`RETRIEVE_LOOP`, timeout 10 s) for the host to send it, then at once a write to [`MARK_PORT`];
//!   halt.
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
//! The hostile modes (6-16) do what a kernel may but the modes above do not. Each check writes one byte
//! to [`REPORT_PORT`], in the order listed; the host reads them as a sequence. Modes 6, 10, 11 and 12
//! load an IDT that catches #UD, #GP and #PF: a "vector" check reports the vector the instruction raised,
//! 0 when it raised none; a fault no check expects writes 0xFE to [`RESULT_PORT`] and halts the VP; any
//! other exception shuts the VM down (a triple fault).
//!
//! - MSR checks (mode 6), after the set-up; reports, in order:
//!   1. the vector of WRMSR `HV_X64_MSR_HYPERCALL` (0x40000001) ← 0x0200_0001 (enable at GPA 0x2000000,
//!      no RAM there) (expect 13);
//!   2. 1 if RDMSR 0x40000001 still reads what it read just before step 1, else 0;
//!   3. the vector of WRMSR 0x40000001 ← 0xFFFF_FFFF_FFFF_F001, the highest GPFN (expect 13);
//!   4. 1 if RDMSR 0x40000001 still reads that earlier value, else 0;
//!   5. the low byte of the status of a fast HvResetDebugSession (RCX 0x1006B, RDX 3 = purge both)
//!      through the page: hypercalls still work;
//!   6. the vector of WRMSR IA32_ARCH_CAPABILITIES (0x10A, read-only) ← 0;
//!   7. the vector of WRMSR IA32_PERF_CAPABILITIES (0x345) ← 0;
//!   8. the vector of RDMSR 0x1234_5678 (no such MSR);
//!   9. the vector of WRMSR 0x1234_5678 ← 0;
//!
//!   then halts.
//! - String and prefixed port I/O (mode 7), after the set-up:
//!   1. `rep insb` (F3 6C) of 64 bytes from [`IN_PORT`] into a buffer filled with 0x5A; reports how
//!      many bytes are now 0xFF;
//!   2. `out dx, ax` (66 EF) to [`OUT_PORT`] with AX = 0x1234;
//!   3. `rep outsb` (F3 6E) of the 8 bytes "ABCDEFGH" to [`OUT_PORT`];
//!   4. `out dx, ax` to [`OUT_PORT`] with AX = 0x5678 from an instruction that straddles a page boundary
//!      onto a non-adjacent GPA: PD entry 3 (VA 0x60_0000-0x7F_FFFF) is pointed at a page table of the
//!      guest's that maps VA 0x60_0000 to a page A and VA 0x60_1000 to the page B = A - 0x1000 (both in
//!      the image); 0x66 is at A + 0xFFF, `EF C3` (`out dx, ax; ret`) at B, and the guest calls VA
//!      0x60_0FFF, so the intercept's RIP is 0x60_0FFF and the instruction's two bytes are at GPAs
//!      A + 0xFFF and B. The 2 MiB page is put back afterwards;
//!   5. reports 0 (done); halts.
//! - Spin while another VP resets (mode 8, 2+ VPs): every VP reads its VP index (RDMSR 0x40000002,
//!   after detecting Hyper-V) before anything else. First boot: VPs other than 0 run `cli; 2: jmp 2b`
//!   for good (no HLT, no exit); VP 0 runs the set-up, about 200,000 PAUSEs, then writes 0x06 to port
//!   0xCF9. After the reboot: VP 0 reports 0x42, and every VP halts.
//! - Wait while another VP resets (mode 9, 2+ VPs): as mode 8, every VP reads its index first. First
//!   boot: VP 0 runs the set-up and sets a flag; VP 1 waits for it, sets a second flag, then makes an
//!   HvRetrieveDebugData call with `RETRIEVE_LOOP` (Count 64, Options 1, Timeout u64::MAX) through the
//!   page with its own parameter pages; VP 0 waits for the second flag, about 200,000 PAUSEs, then writes
//!   0x06 to port 0xCF9. Other VPs halt. After the reboot: VP 0 reports 0x43, and every VP halts.
//! - Hypercall from compatibility mode (mode 10), after the set-up: the guest loads its own GDT (the
//!   boot GDT's three entries, then 32-bit code at 0x18, ring-3 data at 0x20, ring-3 64-bit code at 0x28,
//!   a TSS at 0x30), far-returns into 32-bit compatibility mode and there calls the hypercall page with
//!   EDX:EAX = 0:0xFFFF (call code 0xFFFF), EBX:ECX = 0:0x0001_006B, EDI:ESI = 0:0. Back in 64-bit mode
//!   (a far return to 0x08) it reports EAX's low byte (expect 2, `HV_STATUS_INVALID_HYPERCALL_CODE`),
//!   then EDX's (expect 0), puts the boot GDT back and halts.
//! - Hypercall from CPL 3 (mode 11), after the set-up: the guest loads the GDT of mode 10 and its TSS
//!   (LTR; RSP0 a ring-0 stack of the guest's; its I/O permission bitmap grants port 0x99 alone, as
//!   Linux's `ioperm` grants a port), sets the USER bit on PML4\[0\], PDPT\[0\] and the PD entries of
//!   0-8 MiB (the image, the stacks, the hypercall page), and IRETQs to ring 3 with IOPL 0 and a ring-3
//!   stack. There it calls the hypercall page with RCX = 0x1006B, RDX = 3, R8 = 0 (a fast reset);
//!   if the call returns, it reads VA 0x80_0000 (a supervisor page). Reports the vector the catcher saw,
//!   back at CPL 0: 6 when the hypervisor answered with #UD (expected), 14 when the call returned to ring
//!   3, 13 when the port write itself was refused. Then it puts the paging entries, the boot GDT and the data segment registers back (TR keeps the
//!   guest's TSS: a null TR cannot be loaded), reports the low byte of the status of the same fast reset
//!   made from CPL 0 (the page still works), and halts.
//! - Power-on state after a reset (mode 12): first boot, after the set-up: WRMSR IA32_PAT ←
//!   0x0606_0606_0606_0606, IA32_KERNEL_GS_BASE ← 0x1234_5000, LSTAR ← 0x1000, STAR ←
//!   0x0023_0010_0000_0000, TSC_AUX ← 7 (its #GP caught where RDTSCP is absent), SYSENTER_CS ← 0x10,
//!   DR0 ← 0x1000, DR7 ← 0x1; then 0x06 to port 0xCF9. After the reboot (set-up again), one byte each, 1
//!   when the register holds its power-on value and 0 otherwise: PAT = 0x0007_0406_0007_0406;
//!   KERNEL_GS_BASE = 0; LSTAR = 0; STAR = 0; TSC_AUX = 0 (or its RDMSR faults); SYSENTER_CS = 0; DR0 =
//!   0; DR7 = 0x400. Halts. (No SSE state: KVM-PVM, this project's CI host, fails to emulate any SSE
//!   instruction of a guest, an internal error that ends the run.)
//! - Exit storm (mode 13), after the set-up: N (bits 63:32) writes of 0 (`out dx, al`) to [`OUT_PORT`],
//!   then N fast HvResetDebugSession calls (RDX 3) through the page, then halt.
//! - Reset storm (mode 14, any VP count): VP 0 runs the set-up and writes 0x06 to port 0xCF9 at every
//!   boot, before and after a reboot alike; the other VPs (index read first, as in mode 8) spin
//!   `cli; 2: jmp 2b`.
//! - Concurrent random hypercalls (mode 15, up to 4 VPs): mode 3's generator and parameters (count in
//!   bits 31:16, seed in bits 63:32) on every VP at once, each with its own pair of parameter pages
//!   (VP 0 the set-up's, VPs 1-3 their own statics) and the seed XOR (VP index + 1). Every VP reads its
//!   index first; VP 0 runs the set-up and then sets a flag, the others wait for it before their first
//!   call. Each VP then writes 0 to [`RESULT_PORT`] and halts; VPs from index 4 on halt at once.
//! - Ambiguous first port exit (mode 16): before any other port I/O, CPUID or MSR access, two
//!   back-to-back `out dx, al` (EE EE) to [`OUT_PORT`], both with AL = 0x11 (`out` leaves AL as it is, so
//!   adjacent EE bytes cannot carry two values); the two intercepts' RIPs are one byte apart. Then halt.
//!   With bit 16 of the boot word set, the guest jumps over the first `out` to the second (one exit),
//!   then reports the low byte of the second's address.
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
/// The hostile modes' checks: one byte each (`out dx, al`), in the order the mode lists them.
pub const REPORT_PORT: u16 = 0x3FC;
/// An unused port, read by mode 7's `rep insb`.
pub const IN_PORT: u16 = 0x3FD;
/// The port of mode 7's prefixed and string writes, mode 13's storm and mode 16's pair.
pub const OUT_PORT: u16 = 0x3FE;

// The hostile modes and their exception catcher: bare-metal code like `guest`, each `unsafe` block with
// its SAFETY argument.
#[cfg(target_os = "none")]
#[allow(unsafe_code)]
mod faults;
#[cfg(target_os = "none")]
#[allow(unsafe_code)]
mod hostile;

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

    use super::{BENCH_PORT, MAILBOX, MAILBOX_PORT, MARK_PORT, RESET_CONTROL_PORT, RESULT_PORT, hostile};

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

    /// Writes `value` to `port` (`out dx, al`).
    pub(crate) fn out(port: u16, value: u8) {
        // SAFETY: a port write touches no memory; on this VM it exits to the VMM.
        unsafe { asm!("out dx, al", in("dx") port, in("al") value, options(nomem, nostack, preserves_flags)) };
    }

    fn rdmsr(msr: u32) -> u64 {
        let (lo, hi): (u32, u32);
        // SAFETY: CPL 0; IA32_PAT exists on every x86_64 processor; RDMSR touches no memory.
        unsafe { asm!("rdmsr", in("ecx") msr, out("eax") lo, out("edx") hi, options(nomem, nostack, preserves_flags)) };
        u64::from(hi) << 32 | u64::from(lo)
    }

    /// Stops this VP for good.
    pub(crate) fn halt() -> ! {
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

    /// A VP's hypercall interface: the hypercall page and a pair of parameter pages of its own.
    pub(crate) type GuestVp = Vp<HypercallPage, OwnedPages<'static>>;

    /// The GPA (and, identity-mapped, the address) of the hypercall page VP 0's set-up enables.
    pub(crate) fn hypercall_page_gpa() -> u64 {
        (&raw const PAGES) as u64 + core::mem::offset_of!(Pages, hypercall) as u64
    }

    /// The VP's hypercall interface, or the number of the set-up step that failed.
    fn set_up(pages: &'static mut Pages) -> Result<GuestVp, u8> {
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
        // Call code 0xFFFF: the dispatcher answers INVALID_HYPERCALL_CODE from the input value alone, so
        // this phase is the VMM's whole exit handling with next to no dispatch.
        let unknown = HypercallInput::new()
            .with_call_code(CallCode::from_bits(0xFFFF))
            .with_fast(true);
        for _ in 0..iterations {
            let _ = core::hint::black_box(vp.hypercall(unknown, 0, 0));
        }
        out(MARK_PORT, 4);
    }

    /// N retrieves that wait (`RETRIEVE_LOOP`, up to 10 s) for the host's next byte, each followed at once
    /// by a write to [`MARK_PORT`]: how fast a delivery wakes a waiting VP. The input block is written
    /// once and the call made bare, so few guest instructions stand between the wake and the marker.
    fn wake(vp: &mut Vp<HypercallPage, OwnedPages<'static>>, iterations: u32) {
        let input = &mut vp.pages.input.0;
        input[..4].copy_from_slice(&1u32.to_le_bytes());
        input[4..8].copy_from_slice(&DebugRetrieveOptions::RETRIEVE_LOOP.bits().to_le_bytes());
        input[8..16].copy_from_slice(&100_000_000u64.to_le_bytes());
        let retrieve = HypercallInput::new().with_call_code(CallCode::RETRIEVE_DEBUG_DATA);
        let (rdx, r8) = (vp.pages.input_gpa, vp.pages.output_gpa);
        for _ in 0..iterations {
            let _ = core::hint::black_box(vp.hypercall(retrieve, rdx, r8));
            out(MARK_PORT, 0);
        }
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

    /// Mode 3's run: `count` random hypercalls from the generator seeded with `seed`.
    pub(crate) fn random_hypercalls(vp: &mut GuestVp, seed: u32, count: u16) {
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

    /// The set-up, once a boot on each VP that runs it: VP 0's hypercall interface. VPs other than 0
    /// halt in it, and a failed step is written to [`RESULT_PORT`] before the VP halts.
    pub(crate) fn set_up_or_halt() -> GuestVp {
        let pages = &raw mut PAGES;
        // SAFETY: each boot runs this once per VP and only VP 0 gets past `set_up`, so this is the only
        // reference.
        let pages = unsafe { &mut *pages };
        match set_up(pages) {
            Ok(vp) => vp,
            Err(step) => {
                out(RESULT_PORT, step);
                halt();
            }
        }
    }

    /// What `_start` calls with the boot word: dispatches on its mode (the module docs).
    extern "C" fn main(boot: u64) -> ! {
        let (mode, rebooted) = (boot & 0xFF, boot & 0x100 != 0);
        // The modes in which every VP has a part, or which must start with their own port I/O.
        match mode {
            8 => hostile::spin_while_another_resets(rebooted),
            9 => hostile::wait_while_another_resets(rebooted),
            14 => hostile::reset_storm(),
            15 => hostile::concurrent_random_hypercalls(boot),
            16 => hostile::ambiguous_first_exit(boot & 1 << 16 != 0),
            _ => {}
        }
        let mut vp = set_up_or_halt();
        match (mode, rebooted) {
            (1, _) => bench(&mut vp, (boot >> 32) as u32),
            (17, _) => wake(&mut vp, (boot >> 32) as u32),
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
            (6, _) => hostile::msr_checks(&mut vp),
            (7, _) => hostile::port_io(),
            (10, _) => hostile::compat_checks(),
            (11, _) => hostile::ring3_checks(&mut vp),
            (12, false) => hostile::dirty_state_and_reset(),
            (12, true) => hostile::check_power_on_state(),
            (13, _) => hostile::exit_storm(&mut vp, (boot >> 32) as u32),
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
