//! The hostile modes (6-16): a guest that does what a kernel may but the polite modes do not: bad MSR
//! writes, string and prefixed port I/O, an instruction split across pages, resets while other VPs spin
//! or wait, hypercalls from compatibility mode and from ring 3, dirty state across a reset, storms of
//! exits and resets, hypercalls from several VPs at once, and two port exits one byte apart. main.rs's
//! module docs give each mode's protocol; the checks write their bytes to [`REPORT_PORT`].

use core::arch::asm;
use core::hint::black_box;
use core::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};

use hv_abi::debug::{DebugPurgeOptions, DebugRetrieveOptions};
use hv_abi::{CallCode, HypercallInput};
use hv_guest::debug::DebugCalls;
use hv_guest::x86_64::{HypercallPage, Msr, cpuid};
use hv_guest::{Hypercall, Msrs, OwnedPages, Page, Required, Vp, detect};
use hv_x64::msr::SyntheticMsr;

use crate::faults::{self, Catcher, DescriptorTablePointer, KERNEL_CODE, KERNEL_DATA, RECOVERY_RIP, RECOVERY_RSP};
use crate::guest::{GuestVp, halt, hypercall_page_gpa, out, random_hypercalls, set_up_or_halt};
use crate::{IN_PORT, OUT_PORT, REPORT_PORT, RESET_CONTROL_PORT, RESULT_PORT};

/// The boot page tables hv-kvm writes (its `layout.rs`): the PML4, the PDPT and the first page directory.
const PML4: u64 = 0x1000;
/// The page-directory-pointer table.
const PDPT: u64 = 0x2000;
/// The page directory of the first GiB (2 MiB pages).
const PD: u64 = 0x3000;
/// Present and writable: what the boot tables set, and what the tables built here set.
const PRESENT_WRITABLE: u64 = 0b11;
/// The user/supervisor bit of a paging entry.
const USER: u64 = 1 << 2;

/// [`GDT`]'s 32-bit ring-0 code (compatibility mode); 0x08 and 0x10 are the boot GDT's, copied.
const CODE32: u16 = 0x18;
/// Ring-3 data, RPL 3.
const USER_DATA: u16 = 0x20 | 3;
/// Ring-3 64-bit code, RPL 3.
const USER_CODE: u16 = 0x28 | 3;
/// The catcher's TSS.
const TSS_SELECTOR: u16 = 0x30;

/// Set by VP 0 once it has enabled the hypercall page (modes 9 and 15).
static PAGE_READY: AtomicBool = AtomicBool::new(false);
/// Set by VP 1 just before it starts its waiting retrieve (mode 9).
static WAITING: AtomicBool = AtomicBool::new(false);

/// The parameter pages of VPs 1 to 3 (VP 0 has the set-up's): an input and an output page each.
static mut VP_PAGES: [[Page; 2]; 3] = [const { [Page::zeroed(), Page::zeroed()] }; 3];

/// The GDT of modes 10 and 11: the boot GDT's three entries, then [`CODE32`], [`USER_DATA`],
/// [`USER_CODE`] and the 16-byte TSS descriptor at [`TSS_SELECTOR`].
#[repr(C, align(16))]
struct Gdt([AtomicU64; 8]);

/// The GDT modes 10 and 11 load; its entries are written before each load.
static GDT: Gdt = Gdt([const { AtomicU64::new(0) }; 8]);

/// A page of code or data the processor reads through the mapping mode 7 builds.
#[repr(C, align(4096))]
struct BytePage([AtomicU8; 4096]);

/// The two pages mode 7's straddling instruction is split over: VA 0x60_0000 maps `[1]` (A) and VA
/// 0x60_1000 maps `[0]` (B), so the second page of the instruction is the physical page *below* the first.
static STRADDLE: [BytePage; 2] = [const { BytePage([const { AtomicU8::new(0) }; 4096]) }; 2];

/// A page table (4 KiB pages): mode 7's for the 2 MiB at VA 0x60_0000.
#[repr(C, align(4096))]
struct PageTable([AtomicU64; 512]);

/// Mode 7's page table: entries 0 and 1 map the two [`STRADDLE`] pages, the rest are not present.
static STRADDLE_TABLE: PageTable = PageTable([const { AtomicU64::new(0) }; 512]);

/// The ring-3 stack of mode 11; the processor writes it.
static mut USER_STACK: Page = Page::zeroed();

/// The bytes mode 7's `rep outsb` writes.
static OUTS_DATA: [u8; 8] = *b"ABCDEFGH";

/// Writes one check's byte to [`REPORT_PORT`].
fn report(byte: u8) {
    out(REPORT_PORT, byte);
}

/// Writes 0x06 (system reset, CPU reset) to the reset-control port; halts if the VM goes on.
fn reset() -> ! {
    out(RESET_CONTROL_PORT, 0x06);
    halt()
}

/// Spins without exits for good: `cli; 2: jmp 2b` (no HLT).
fn spin_forever() -> ! {
    // SAFETY: CLI and a jump to itself touch no memory and never end, as the signature says.
    unsafe { asm!("cli", "2: jmp 2b", options(nomem, nostack, noreturn)) }
}

/// About 200,000 PAUSE iterations: long enough for the other VPs to be where the mode wants them.
fn pause_a_while() {
    for _ in 0..200_000 {
        core::hint::spin_loop();
    }
}

/// Spins until `flag` is set (acquiring what its setter published).
fn wait_for(flag: &AtomicBool) {
    while !flag.load(Ordering::Acquire) {
        core::hint::spin_loop();
    }
}

/// This VP's index (`HV_X64_MSR_VP_INDEX`), after detecting Hyper-V; a VP on a hypervisor without it
/// writes 1 (the set-up's first step) to [`RESULT_PORT`] and halts.
fn vp_index() -> u32 {
    if detect(cpuid, Required::DEBUG_TRANSPORT).is_err() {
        out(RESULT_PORT, 1);
        halt();
    }
    // SAFETY: CPL 0 and detect found the synthetic MSRs; this VP only reads its index with them.
    let mut msrs = unsafe { Msr::new() };
    msrs.read(SyntheticMsr::VP_INDEX) as u32
}

/// VP `index`'s hypercall interface once VP 0 has published [`PAGE_READY`] (this waits for it): the page
/// VP 0 enabled and the VP's own parameter pages from [`VP_PAGES`]. `None` for VP 0 and VPs past 3.
fn other_vp(index: u32) -> Option<GuestVp> {
    let slot = (index as usize).checked_sub(1).filter(|&slot| slot < 3)?;
    wait_for(&PAGE_READY);
    let all = &raw mut VP_PAGES;
    // SAFETY: each VP takes only the element of its own index, once a boot, so this is the only reference
    // to it.
    let [input, output] = unsafe { &mut (*all)[slot] };
    let (input_gpa, output_gpa) = ((&raw const *input) as u64, (&raw const *output) as u64);
    // SAFETY: VP 0 enabled the hypercall page at this address (identity mapping) before it published
    // PAGE_READY, acquired above, and nothing in this program unmaps or rewrites it.
    let hypercall = unsafe { HypercallPage::new(hypercall_page_gpa() as usize) };
    let pages = OwnedPages {
        input,
        input_gpa,
        output,
        output_gpa,
    };
    Some(Vp { hypercall, pages })
}

/// A fast HvResetDebugSession purging both buffers (RCX 0x1006B, RDX 3): the low byte of its status.
fn fast_reset(vp: &mut GuestVp) -> u8 {
    let input = HypercallInput::new()
        .with_call_code(CallCode::RESET_DEBUG_SESSION)
        .with_fast(true);
    let purge = u64::from(DebugPurgeOptions::all().bits());
    vp.hypercall(input, purge, 0).status().into_bits() as u8
}

/// A word of the structures hv-kvm writes before the boot (page tables, GDT), by its GPA.
fn vmm_word(gpa: u64) -> &'static AtomicU64 {
    // SAFETY: `gpa` is an 8-byte-aligned word of the boot tables or GDT (hv-kvm's `layout.rs`), identity
    // mapped, below the image and the stacks: no Rust object lives there. Besides this program, which
    // writes it only through such references and from the one VP that runs a mode doing so, only the
    // processor touches it (reads, and locked updates of accessed and dirty bits), which atomics allow.
    unsafe { AtomicU64::from_ptr(gpa as *mut u64) }
}

/// Writes CR3 back: flushes this VP's TLB after a paging-entry change (CR4.PGE is clear: nothing global).
fn reload_cr3() {
    // SAFETY: CR3 gets its own value back; that changes no mapping, only drops the cached ones. No
    // `nomem`: the entries written before must be in memory first.
    unsafe { asm!("mov {0}, cr3", "mov cr3, {0}", out(reg) _, options(nostack, preserves_flags)) };
}

/// Loads [`GDT`] (the boot GDT's three entries copied, then the hostile ones) and returns the GDTR it
/// replaced, for [`restore_gdt`].
fn load_gdt(catcher: &Catcher) -> DescriptorTablePointer {
    let mut old = DescriptorTablePointer { limit: 0, base: 0 };
    // SAFETY: SGDT writes the 10-byte pointer `old`, a local, and nothing else.
    unsafe { asm!("sgdt [{0}]", in(reg) &raw mut old, options(nostack, preserves_flags)) };
    let base = old.base;
    let [tss_low, tss_high] = catcher.tss_descriptor();
    let entries = [
        vmm_word(base).load(Ordering::Relaxed),
        vmm_word(base + 8).load(Ordering::Relaxed),
        vmm_word(base + 16).load(Ordering::Relaxed),
        0x00cf_9b00_0000_ffff, // 32-bit code, DPL 0
        0x00cf_f300_0000_ffff, // data, DPL 3
        0x00af_fb00_0000_ffff, // 64-bit code, DPL 3
        tss_low,
        tss_high,
    ];
    for (slot, entry) in GDT.0.iter().zip(entries) {
        slot.store(entry, Ordering::Relaxed);
    }
    let new = DescriptorTablePointer {
        limit: (size_of::<Gdt>() - 1) as u16,
        base: (&raw const GDT) as u64,
    };
    // SAFETY: the new GDT is a static that lives for the program and holds the boot GDT's entries at
    // 0x08 and 0x10, so CS, SS and the data segments loaded from them stay what they are.
    unsafe { asm!("lgdt [{0}]", in(reg) &raw const new, options(readonly, nostack, preserves_flags)) };
    old
}

/// Loads the GDTR [`load_gdt`] replaced.
fn restore_gdt(old: &DescriptorTablePointer) {
    // SAFETY: `old` is the GDTR this boot started with (hv-kvm's GDT); CS and SS hold 0x08 and 0x10 again,
    // which it describes the same way.
    unsafe { asm!("lgdt [{0}]", in(reg) old, options(readonly, nostack, preserves_flags)) };
}

/// Mode 6: refused and read-only MSR writes, an unknown MSR, and the hypercall page still working.
pub(crate) fn msr_checks(vp: &mut GuestVp) {
    let catcher = faults::install();
    let hypercall = SyntheticMsr::HYPERCALL.into_bits();
    let (_, before) = catcher.rdmsr_vector(hypercall);
    for value in [0x0200_0001, 0xFFFF_FFFF_FFFF_F001] {
        // SAFETY: the hypervisor must refuse both (no guest memory there). Had it taken one, it would
        // have moved the hypercall page outside this program's memory; nothing else changes.
        report(unsafe { catcher.wrmsr_vector(hypercall, value) });
        report(u8::from(catcher.rdmsr_vector(hypercall) == (0, before)));
    }
    report(fast_reset(vp));
    // SAFETY: IA32_ARCH_CAPABILITIES is read-only; clearing IA32_PERF_CAPABILITIES only drops
    // performance-monitoring features this program does not use.
    report(unsafe { catcher.wrmsr_vector(0x10A, 0) });
    // SAFETY: as above.
    report(unsafe { catcher.wrmsr_vector(0x345, 0) });
    report(catcher.rdmsr_vector(0x1234_5678).0);
    // SAFETY: no processor has this MSR; the write faults or does nothing.
    report(unsafe { catcher.wrmsr_vector(0x1234_5678, 0) });
}

/// Mode 7: `rep insb`, `out dx, ax`, `rep outsb`, and an `out dx, ax` split across two pages whose
/// physical pages are not adjacent.
pub(crate) fn port_io() {
    let mut buffer = [0x5Au8; 64];
    // SAFETY: `rep insb` writes RCX = 64 bytes from the port to RDI upwards (DF is clear, as the ABI
    // guarantees), which is exactly `buffer`.
    unsafe {
        asm!(
            "rep insb",
            inout("rcx") buffer.len() => _,
            inout("rdi") buffer.as_mut_ptr() => _,
            in("dx") IN_PORT,
            options(nostack, preserves_flags),
        );
    }
    report(buffer.iter().filter(|&&b| b == 0xFF).count() as u8);
    // SAFETY: a 16-bit port write (66 EF) touches no memory.
    unsafe { asm!("out dx, ax", in("dx") OUT_PORT, in("ax") 0x1234u16, options(nomem, nostack, preserves_flags)) };
    // SAFETY: `rep outsb` reads RCX = 8 bytes from RSI upwards (DF clear), exactly `OUTS_DATA`.
    unsafe {
        asm!(
            "rep outsb",
            inout("rcx") OUTS_DATA.len() => _,
            inout("rsi") OUTS_DATA.as_ptr() => _,
            in("dx") OUT_PORT,
            options(readonly, nostack, preserves_flags),
        );
    }
    straddling_out();
    report(0);
}

/// Mode 7's fourth step: maps VA 0x60_0000 to page A and VA 0x60_1000 to page B = A - 0x1000 through a
/// page table of its own (PD entry 3, a 2 MiB region nothing else uses), puts `66` at A + 0xFFF and
/// `EF C3` at B, calls VA 0x60_0FFF with DX = [`OUT_PORT`] and AX = 0x5678, then puts the 2 MiB page back.
fn straddling_out() {
    let [b, a] = &STRADDLE;
    a.0[0xFFF].store(0x66, Ordering::Relaxed); // operand-size prefix: out dx, ax
    b.0[0].store(0xEF, Ordering::Relaxed); // out dx, ax
    b.0[1].store(0xC3, Ordering::Relaxed); // ret
    STRADDLE_TABLE.0[0].store((&raw const *a) as u64 | PRESENT_WRITABLE, Ordering::Relaxed);
    STRADDLE_TABLE.0[1].store((&raw const *b) as u64 | PRESENT_WRITABLE, Ordering::Relaxed);
    let entry = vmm_word(PD + 3 * 8);
    let original = entry.load(Ordering::Relaxed);
    entry.store((&raw const STRADDLE_TABLE) as u64 | PRESENT_WRITABLE, Ordering::Relaxed);
    reload_cr3();
    // SAFETY: VA 0x60_0FFF now holds `out dx, ax` (66 on one page, EF on the next) and then `ret`: the call
    // makes one port write and returns, changing no register and no memory but the return address it
    // pushes and pops.
    unsafe {
        asm!("call {0}", in(reg) 0x60_0FFFu64, in("dx") OUT_PORT, in("ax") 0x5678u16, options(preserves_flags));
    }
    entry.store(original, Ordering::Relaxed);
    reload_cr3();
}

/// Mode 8: every VP but 0 spins without exits while VP 0 resets the VM; after the reboot VP 0 reports
/// 0x42.
pub(crate) fn spin_while_another_resets(rebooted: bool) -> ! {
    let index = vp_index();
    if rebooted {
        if index == 0 {
            report(0x42);
        }
        halt();
    }
    if index != 0 {
        spin_forever();
    }
    set_up_or_halt();
    pause_a_while();
    reset()
}

/// Mode 9: VP 1 waits in a `RETRIEVE_LOOP` retrieve with no timeout while VP 0 resets the VM; after the
/// reboot VP 0 reports 0x43.
pub(crate) fn wait_while_another_resets(rebooted: bool) -> ! {
    let index = vp_index();
    if rebooted {
        if index == 0 {
            report(0x43);
        }
        halt();
    }
    match index {
        0 => {
            set_up_or_halt();
            PAGE_READY.store(true, Ordering::Release);
            wait_for(&WAITING);
            pause_a_while();
            reset()
        }
        1 => {
            if let Some(mut vp) = other_vp(1) {
                WAITING.store(true, Ordering::Release);
                let mut buf = [0u8; 64];
                let _ = vp.retrieve(&mut buf, DebugRetrieveOptions::RETRIEVE_LOOP, u64::MAX);
            }
            halt()
        }
        _ => halt(),
    }
}

/// Mode 10: a hypercall from 32-bit compatibility mode. Returns the low bytes of EAX and EDX after it.
fn compat_hypercall() -> (u8, u8) {
    let catcher = faults::install();
    let old = load_gdt(&catcher);
    // The image is linked at 1 MiB, so the page is far below 4 GiB: its low 32 bits are its address.
    let page = hypercall_page_gpa() as u32;
    let (eax, edx): (u32, u32);
    // SAFETY: the far return enters compatibility mode at label 3 through the 32-bit code segment of the
    // GDT just loaded; SS and DS keep their flat 4 GiB descriptors and RSP is below 4 GiB, so the stack
    // and the page work there. The hypercall page's stub (`ret` pops a 4-byte return there) comes back;
    // the 32-bit far return pops the EIP:CS pair built in 64-bit mode and lands at label 4 in 64-bit mode.
    // The upper halves of the registers are undefined after the round trip: RSP is zero-extended from
    // ESP (it was below 4 GiB), RBX and RBP are popped from the stack, R12-R15 are declared clobbered
    // and `clobber_abi("C")` covers the rest; EAX and EDX are read as 32-bit values.
    unsafe {
        asm!(
            "push rbx",
            "push rbp",
            "mov ebp, {page:e}",
            // The frame of the 32-bit far return: EIP = label 4, CS = 0x08.
            "sub rsp, 8",
            "lea rax, [rip + 4f]",
            "mov dword ptr [rsp], eax",
            "mov dword ptr [rsp + 4], {code64}",
            "push {code32}",
            "lea rax, [rip + 3f]",
            "push rax",
            "retfq",
            ".code32",
            "3:",
            "mov eax, 0xFFFF",
            "xor edx, edx",
            "mov ecx, 0x1006B",
            "xor ebx, ebx",
            "xor esi, esi",
            "xor edi, edi",
            "call ebp",
            "retf",
            ".code64",
            "4:",
            "mov esp, esp",
            "pop rbp",
            "pop rbx",
            page = in(reg) page,
            code64 = const KERNEL_CODE,
            code32 = const CODE32,
            lateout("eax") eax,
            lateout("edx") edx,
            out("r12") _,
            out("r13") _,
            out("r14") _,
            out("r15") _,
            clobber_abi("C"),
        );
    }
    restore_gdt(&old);
    (eax as u8, edx as u8)
}

/// Mode 11: a fast reset from CPL 3, whose port the TSS's I/O permission bitmap grants (IOPL stays 0),
/// which the hypervisor must answer with #UD. Returns the
/// vector the catcher saw: 6 for #UD, 14 when the call returned to ring 3 (the read of VA 0x80_0000
/// that follows it, a supervisor page, faults), anything else as it came.
fn ring3_hypercall() -> u8 {
    let catcher = faults::install();
    let old = load_gdt(&catcher);
    // SAFETY: the TSS descriptor at TSS_SELECTOR was just written as an available 64-bit TSS; LTR marks it
    // busy and makes its RSP0 the stack a fault from CPL 3 switches to.
    unsafe { asm!("ltr {0:x}", in(reg) TSS_SELECTOR, options(nomem, nostack, preserves_flags)) };
    // The USER bit on PML4[0], PDPT[0] and the PD entries of the first 8 MiB (the image, the stacks and
    // the hypercall page); 8 MiB and up stay supervisor-only.
    let entries = [PML4, PDPT, PD, PD + 8, PD + 16, PD + 24];
    let originals = entries.map(|gpa| vmm_word(gpa).fetch_or(USER, Ordering::Relaxed));
    reload_cr3();
    let user_stack = (&raw mut USER_STACK) as u64 + size_of::<Page>() as u64;
    catcher.take_vector();
    // SAFETY: IRETQ enters ring 3 at label 3 with IOPL 0 and interrupts off, on USER_STACK, through the
    // ring-3 segments of the GDT loaded above; the code, its stack and the hypercall page are on pages
    // with the USER bit. There the call into the page faults (#UD, as the TLFS has it), or returns and the
    // read of the supervisor page at 0x80_0000 faults (#PF). Either way the catcher, armed here, takes
    // the fault on TSS.RSP0 and resumes at label 2 at CPL 0 with this stack pointer, CS 0x08, SS 0x10 and
    // RFLAGS 0x2 (IOPL 0); DS, ES, FS and GS, which the return to ring 3 may have nulled, get 0x10 back.
    // The hypercall may change the registers `clobber_abi("C")` lists; the handler changes none.
    unsafe {
        asm!(
            "lea rax, [rip + 2f]",
            "mov qword ptr [rip + {recovery_rip}], rax",
            "mov qword ptr [rip + {recovery_rsp}], rsp",
            "push {user_data}",
            "push rdi",
            "push {rflags}",
            "push {user_code}",
            "lea rax, [rip + 3f]",
            "push rax",
            "iretq",
            "3:",
            "call rsi",
            "mov al, byte ptr [{supervisor}]",
            "2:",
            "mov eax, {kernel_data}",
            "mov ds, ax",
            "mov es, ax",
            "mov fs, ax",
            "mov gs, ax",
            recovery_rip = sym RECOVERY_RIP,
            recovery_rsp = sym RECOVERY_RSP,
            user_data = const USER_DATA,
            user_code = const USER_CODE,
            kernel_data = const KERNEL_DATA,
            rflags = const 0x0002,
            supervisor = const 0x80_0000,
            in("rdi") user_stack,
            in("rsi") hypercall_page_gpa(),
            inout("rcx") 0x1_006Bu64 => _,
            inout("rdx") 3u64 => _,
            inout("r8") 0u64 => _,
            clobber_abi("C"),
        );
    }
    let vector = catcher.take_vector();
    for (gpa, original) in entries.into_iter().zip(originals) {
        vmm_word(gpa).store(original, Ordering::Relaxed);
    }
    reload_cr3();
    restore_gdt(&old);
    vector
}

/// Mode 11 in full: the ring-3 hypercall's vector, then the same fast reset from CPL 0.
pub(crate) fn ring3_checks(vp: &mut GuestVp) {
    report(ring3_hypercall());
    report(fast_reset(vp));
}

/// Mode 10 in full: EAX's low byte, then EDX's.
pub(crate) fn compat_checks() {
    let (eax, edx) = compat_hypercall();
    report(eax);
    report(edx);
}

/// The MSRs mode 12 dirties and checks: IA32_PAT, IA32_KERNEL_GS_BASE, LSTAR, STAR and TSC_AUX, with the
/// value written before the reset and the power-on value.
const DIRTY_MSRS: [(u32, u64, u64); 6] = [
    (0x277, 0x0606_0606_0606_0606, 0x0007_0406_0007_0406),
    (0xC000_0102, 0x1234_5000, 0),
    (0xC000_0082, 0x1000, 0),
    (0xC000_0081, 0x0023_0010_0000_0000, 0),
    (0xC000_0103, 7, 0),
    (0x174, 0x10, 0),
];

/// Mode 12 before the reset: dirties the MSRs, DR0 and DR7, then resets the VM.
pub(crate) fn dirty_state_and_reset() -> ! {
    let catcher = faults::install();
    for (msr, dirty, _) in DIRTY_MSRS {
        // SAFETY: PAT = write-back everywhere, which RAM already is; the others only matter to SWAPGS,
        // SYSCALL, SYSENTER and RDTSCP, which this program never runs. TSC_AUX may #GP where RDTSCP is absent.
        let _ = unsafe { catcher.wrmsr_vector(msr, dirty) };
    }
    // SAFETY: DR7 = 1 arms an execution breakpoint at DR0 = 0x1000, the PML4, which is never executed.
    unsafe {
        asm!(
            "mov dr0, {0}",
            "mov dr7, {1}",
            in(reg) 0x1000u64,
            in(reg) 1u64,
            options(nomem, nostack, preserves_flags),
        );
    }
    reset()
}

/// Mode 12 after the reset: a byte per register, 1 when it holds its power-on value.
pub(crate) fn check_power_on_state() {
    let catcher = faults::install();
    for (msr, _, power_on) in DIRTY_MSRS {
        let (vector, value) = catcher.rdmsr_vector(msr);
        // TSC_AUX may not exist (RDTSCP absent): a fault then is the power-on state too.
        let absent = msr == 0xC000_0103 && vector != 0;
        report(u8::from(absent || (vector == 0 && value == power_on)));
    }
    let (dr0, dr7): (u64, u64);
    // SAFETY: reading debug registers at CPL 0 changes nothing.
    unsafe {
        asm!("mov {0}, dr0", "mov {1}, dr7", out(reg) dr0, out(reg) dr7, options(nomem, nostack, preserves_flags))
    };
    report(u8::from(dr0 == 0));
    report(u8::from(dr7 == 0x400));
}

/// Mode 13: `count` bare exits to [`OUT_PORT`], then `count` fast resets through the page.
pub(crate) fn exit_storm(vp: &mut GuestVp, count: u32) {
    for _ in 0..count {
        out(OUT_PORT, 0);
    }
    for _ in 0..count {
        black_box(fast_reset(vp));
    }
}

/// Mode 14: VP 0 resets the VM at every boot; the other VPs spin.
pub(crate) fn reset_storm() -> ! {
    if vp_index() != 0 {
        spin_forever();
    }
    set_up_or_halt();
    reset()
}

/// Mode 15: mode 3's random hypercalls on every VP (up to 4) at once, each with its own parameter pages
/// and the seed XOR (VP index + 1); then 0 to [`RESULT_PORT`]. VPs past 3 halt at once.
pub(crate) fn concurrent_random_hypercalls(boot: u64) -> ! {
    let index = vp_index();
    let vp = if index == 0 {
        let vp = set_up_or_halt();
        PAGE_READY.store(true, Ordering::Release);
        Some(vp)
    } else {
        other_vp(index)
    };
    if let Some(mut vp) = vp {
        let seed = (boot >> 32) as u32 ^ index.wrapping_add(1);
        random_hypercalls(&mut vp, seed, (boot >> 16) as u16);
        out(RESULT_PORT, 0);
    }
    halt()
}

/// Mode 16: two port writes back to back (`EE EE`), the guest's first port I/O, then halt. With
/// `jump_in`, the guest jumps to the second one instead, so the first exit has RIP at it (stock KVM) or
/// past it (KVM-PVM) with the first one right before, and then reports the low byte of its address.
pub(crate) fn ambiguous_first_exit(jump_in: bool) -> ! {
    if jump_in {
        let second: u64;
        // SAFETY: the jump skips one port write and lands on the next; port writes touch no memory.
        unsafe {
            asm!(
                "lea {second}, [rip + 2f]",
                "jmp 2f",
                "out dx, al",
                "2:",
                "out dx, al",
                second = out(reg) second,
                in("dx") OUT_PORT,
                in("al") 0x11u8,
                options(nomem, nostack, preserves_flags),
            );
        }
        report(second as u8);
    } else {
        // SAFETY: two port writes touch no memory.
        unsafe {
            asm!(
                "out dx, al",
                "out dx, al",
                in("dx") OUT_PORT,
                in("al") 0x11u8,
                options(nomem, nostack, preserves_flags),
            );
        }
    }
    halt()
}
