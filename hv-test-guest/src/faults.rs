//! The exception catcher of the hostile modes: an IDT whose #UD (6), #GP (13) and #PF (14) handlers record
//! the vector and resume the code under test at a recovery point it armed, and the TSS that gives a fault
//! taken at CPL 3 a ring-0 stack.
//!
//! The protocol: inside the `asm!` block that runs an instruction which may fault, the code stores the
//! address to resume at in [`RECOVERY_RIP`] and the stack pointer to resume with in [`RECOVERY_RSP`], then
//! runs the instruction. A handler stores its vector in `VECTOR`, drops the error code (the #UD entry
//! pushes a dummy one, so all three frames look alike), disarms [`RECOVERY_RIP`] and rewrites the
//! interrupt frame: RIP the recovery address, CS 0x08, RFLAGS 0x2, RSP the recovery stack pointer, SS 0x10.
//! So the IRETQ always resumes at CPL 0 on the stack of the code under test, whether the fault came from
//! CPL 0 (where CS and SS already were those) or from CPL 3 (where the processor had switched to
//! `TSS.RSP0`). The handler changes no general-purpose register: at the recovery point they hold what
//! they held when the instruction faulted. A fault while nothing is armed writes 0xFE to the
//! [`RESULT_PORT`] and halts the VP.
//!
//! Only the three gates are present; any other exception becomes a double fault without a handler, so a
//! shutdown (the VMM sees a triple fault).

use core::arch::{asm, global_asm};
use core::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering};

use hv_guest::Page;

use crate::RESULT_PORT;

/// Where a handler resumes the code under test; 0 when nothing is armed. Set by the code under test
/// (through `sym`), read and cleared by the handlers.
pub(crate) static RECOVERY_RIP: AtomicU64 = AtomicU64::new(0);
/// The stack pointer the code under test resumes with.
pub(crate) static RECOVERY_RSP: AtomicU64 = AtomicU64::new(0);
/// The vector of the last fault caught, 0 after [`Catcher::take_vector`].
static VECTOR: AtomicU8 = AtomicU8::new(0);

/// The selector of the 64-bit ring-0 code segment in the boot GDT and in every GDT these modes load.
pub(crate) const KERNEL_CODE: u16 = 0x08;
/// The selector of the ring-0 data segment, likewise.
pub(crate) const KERNEL_DATA: u16 = 0x10;

/// The interrupt descriptor table: 256 16-byte gates, of which 6, 13 and 14 are present.
#[repr(C, align(16))]
struct Idt([AtomicU64; 512]);

/// The IDT [`install`] fills and loads.
static IDT: Idt = Idt([const { AtomicU64::new(0) }; 512]);

/// A 64-bit TSS (104 bytes) as 32-bit words, then its I/O permission bitmap for ports 0-0x3FF and the
/// all-ones byte that must end it: RSP0 in words 1-2, the I/O map base (104) in the top half of word 25.
/// The processor only reads it (RSP0 on a fault from CPL 3, the bitmap on port I/O from CPL 3).
#[repr(C, align(16))]
struct Tss([AtomicU32; TSS_WORDS]);

/// The 26 words of the TSS proper.
const TSS_HEADER_WORDS: usize = 26;
/// The TSS, the 32-word bitmap of ports 0-0x3FF and the terminating word.
const TSS_WORDS: usize = TSS_HEADER_WORDS + 32 + 1;

/// The TSS of mode 11's GDT ([`Catcher::tss_descriptor`]).
static TSS: Tss = Tss([const { AtomicU32::new(0) }; TSS_WORDS]);

/// The one port ring 3 may use, as a kernel's `ioperm` would grant it: the hypercall page's port.
const USER_PORT: usize = 0x99;

/// The ring-0 stack a fault from CPL 3 switches to (`TSS.RSP0` is its end); the processor writes it.
static mut FAULT_STACK: Page = Page::zeroed();

// The handlers. Frame after the vector push: [rsp] vector, +8 error code, +16 RIP, +24 CS, +32 RFLAGS,
// +40 RSP, +48 SS; RAX is saved below that while the handler runs, so the offsets are 8 more there.
global_asm!(
    ".pushsection .text.hv_test_guest_faults, \"ax\"",
    ".balign 16",
    ".global hv_test_guest_catch_ud",
    "hv_test_guest_catch_ud:",
    "    push 0",
    "    push 6",
    "    jmp 2f",
    ".balign 16",
    ".global hv_test_guest_catch_gp",
    "hv_test_guest_catch_gp:",
    "    push 13",
    "    jmp 2f",
    ".balign 16",
    ".global hv_test_guest_catch_pf",
    "hv_test_guest_catch_pf:",
    "    push 14",
    "2:  push rax",
    "    mov rax, qword ptr [rsp + 8]",
    "    mov byte ptr [rip + {vector}], al",
    "    mov rax, qword ptr [rip + {recovery_rip}]",
    "    test rax, rax",
    "    jz 3f",
    "    mov qword ptr [rsp + 24], rax",
    "    mov qword ptr [rip + {recovery_rip}], 0",
    "    mov qword ptr [rsp + 32], {code}",
    "    mov qword ptr [rsp + 40], 0x2",
    "    mov rax, qword ptr [rip + {recovery_rsp}]",
    "    mov qword ptr [rsp + 48], rax",
    "    mov qword ptr [rsp + 56], {data}",
    "    pop rax",
    "    add rsp, 16",
    "    iretq",
    "3:  mov dx, {result_port}",
    "    mov al, 0xFE",
    "    out dx, al",
    "4:  cli",
    "    hlt",
    "    jmp 4b",
    ".popsection",
    vector = sym VECTOR,
    recovery_rip = sym RECOVERY_RIP,
    recovery_rsp = sym RECOVERY_RSP,
    code = const KERNEL_CODE,
    data = const KERNEL_DATA,
    result_port = const RESULT_PORT,
);

// SAFETY: these are the entry points defined in the `global_asm!` above. They are never called: only
// their addresses go into the IDT, and the processor enters them with an interrupt frame.
unsafe extern "C" {
    fn hv_test_guest_catch_ud();
    fn hv_test_guest_catch_gp();
    fn hv_test_guest_catch_pf();
}

/// The catcher, installed on this VP: running code that may fault through it is sound.
pub(crate) struct Catcher(());

/// Fills the IDT and the TSS and loads the IDT (LIDT). The IDT stays loaded for the rest of the boot.
pub(crate) fn install() -> Catcher {
    let gates = [
        (6, hv_test_guest_catch_ud as *const () as u64),
        (13, hv_test_guest_catch_gp as *const () as u64),
        (14, hv_test_guest_catch_pf as *const () as u64),
    ];
    for (vector, handler) in gates {
        // Offset 15:0, selector, IST 0, type 0xE (64-bit interrupt gate), DPL 0, present, offset 31:16;
        // then offset 63:32.
        let low =
            (handler & 0xFFFF) | (u64::from(KERNEL_CODE) << 16) | (0x8E << 40) | (((handler >> 16) & 0xFFFF) << 48);
        IDT.0[2 * vector].store(low, Ordering::Relaxed);
        IDT.0[2 * vector + 1].store(handler >> 32, Ordering::Relaxed);
    }
    let rsp0 = (&raw mut FAULT_STACK) as u64 + size_of::<Page>() as u64;
    TSS.0[1].store(rsp0 as u32, Ordering::Relaxed);
    TSS.0[2].store((rsp0 >> 32) as u32, Ordering::Relaxed);
    // The I/O map base right after the TSS proper; the bitmap denies every port but USER_PORT (a set bit
    // denies), and ends with all-ones.
    TSS.0[25].store(((TSS_HEADER_WORDS * 4) as u32) << 16, Ordering::Relaxed);
    for word in &TSS.0[TSS_HEADER_WORDS..] {
        word.store(u32::MAX, Ordering::Relaxed);
    }
    TSS.0[TSS_HEADER_WORDS + USER_PORT / 32].store(!(1 << (USER_PORT % 32)), Ordering::Relaxed);
    let pointer = DescriptorTablePointer {
        limit: (size_of::<Idt>() - 1) as u16,
        base: (&raw const IDT) as u64,
    };
    // SAFETY: the pointer names the IDT above, a static that lives for the program, whose present gates
    // enter the handlers above through the 64-bit code segment every GDT of this guest has at 0x08. LIDT
    // reads the 10-byte pointer and nothing else.
    unsafe { asm!("lidt [{0}]", in(reg) &raw const pointer, options(readonly, nostack, preserves_flags)) };
    Catcher(())
}

/// The operand of LGDT, LIDT, SGDT and SIDT.
#[repr(C, packed)]
pub(crate) struct DescriptorTablePointer {
    /// The table's size in bytes less one.
    pub(crate) limit: u16,
    /// The table's linear address.
    pub(crate) base: u64,
}

impl Catcher {
    /// The vector the last fault raised, 0 when none was caught since the last call; clears it.
    pub(crate) fn take_vector(&self) -> u8 {
        VECTOR.swap(0, Ordering::Relaxed)
    }

    /// The 16-byte GDT descriptor of the catcher's TSS (available 64-bit TSS, DPL 0), whose RSP0 is the
    /// catcher's own ring-0 stack.
    pub(crate) fn tss_descriptor(&self) -> [u64; 2] {
        let base = (&raw const TSS) as u64;
        let limit = size_of::<Tss>() as u64 - 1;
        let low = limit | ((base & 0xFF_FFFF) << 16) | (0x89 << 40) | (((base >> 24) & 0xFF) << 56);
        [low, base >> 32]
    }

    /// RDMSR of `msr`: the vector it raised (0 for none) and the value read (0 when it faulted).
    pub(crate) fn rdmsr_vector(&self, msr: u32) -> (u8, u64) {
        self.take_vector();
        let (lo, hi): (u32, u32);
        // SAFETY: CPL 0 and the catcher is installed (`self`): RDMSR either reads the MSR into EDX:EAX or
        // faults, and the handler resumes at label 2 with the stack pointer stored here and every
        // register as it was (EAX and EDX zeroed first). RDMSR touches no memory of this program; the
        // two stores are to the catcher's own statics.
        unsafe {
            asm!(
                "xor eax, eax",
                "xor edx, edx",
                "lea {tmp}, [rip + 2f]",
                "mov qword ptr [rip + {recovery_rip}], {tmp}",
                "mov qword ptr [rip + {recovery_rsp}], rsp",
                "rdmsr",
                "2:",
                tmp = out(reg) _,
                recovery_rip = sym RECOVERY_RIP,
                recovery_rsp = sym RECOVERY_RSP,
                in("ecx") msr,
                out("eax") lo,
                out("edx") hi,
            );
        }
        RECOVERY_RIP.store(0, Ordering::Relaxed);
        (self.take_vector(), u64::from(hi) << 32 | u64::from(lo))
    }

    /// WRMSR of `value` to `msr`: the vector it raised, 0 for none.
    ///
    /// # Safety
    ///
    /// The write, if the processor or the hypervisor takes it, must not break what this program relies
    /// on: its memory, its page tables, segments and stack, and the mode it runs in.
    pub(crate) unsafe fn wrmsr_vector(&self, msr: u32, value: u64) -> u8 {
        self.take_vector();
        // SAFETY: CPL 0 and the catcher is installed (`self`): WRMSR either takes the value or faults,
        // and the handler resumes at label 2 with the stack pointer stored here and every register as
        // it was. The caller vouches for what the write changes; the two stores are to the catcher's
        // own statics.
        unsafe {
            asm!(
                "lea {tmp}, [rip + 2f]",
                "mov qword ptr [rip + {recovery_rip}], {tmp}",
                "mov qword ptr [rip + {recovery_rsp}], rsp",
                "wrmsr",
                "2:",
                tmp = out(reg) _,
                recovery_rip = sym RECOVERY_RIP,
                recovery_rsp = sym RECOVERY_RSP,
                in("ecx") msr,
                in("eax") value as u32,
                in("edx") (value >> 32) as u32,
            );
        }
        RECOVERY_RIP.store(0, Ordering::Relaxed);
        self.take_vector()
    }
}
