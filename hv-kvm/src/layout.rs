//! The guest physical memory map hv-kvm boots a guest in, and the structures it writes there: identity
//! page tables and a flat GDT, so the guest starts in 64-bit mode.
//!
//! | GPA | what |
//! |---|---|
//! | `0x500` | GDT: null, 64-bit code (selector 0x08), data (0x10) |
//! | `0x1000` | PML4, then the PDPT at `0x2000` and page directories from `0x3000` (2 MiB pages) |
//! | below `0x80000` | one 32 KiB stack per VP, the first ending at `0x80000` |
//! | `0x100000` | the guest ELF's load address (its program headers decide) |

/// Where the GDT is.
pub const GDT: u64 = 0x500;
/// The 64-bit code segment's selector.
pub const CODE_SELECTOR: u16 = 0x08;
/// The data segment's selector.
pub const DATA_SELECTOR: u16 = 0x10;
/// The PML4 (CR3).
pub const PML4: u64 = 0x1000;
/// The page-directory-pointer table.
pub const PDPT: u64 = 0x2000;
/// The first page directory; one per GiB of identity mapping follows.
pub const PD: u64 = 0x3000;
/// The top of VP 0's stack; VP n's is [`STACK_SIZE`] × n below.
pub const STACK_TOP: u64 = 0x8_0000;
/// Each VP's stack.
pub const STACK_SIZE: u64 = 0x8000;
/// The most vCPUs a VM has: their stacks stay above the page tables.
pub const MAX_VCPUS: u32 = 8;
/// The lowest address a guest image may use.
pub const IMAGE_START: u64 = 0x10_0000;
/// The most guest memory hv-kvm gives a guest: 3 GiB, below the top gigabyte of the 32-bit address space,
/// where KVM's TSS pages (`KVM_SET_TSS_ADDR`, [`TSS`]) and a PC's device window live.
pub const MAX_MEMORY: u64 = 3 << 30;
/// The three pages `KVM_SET_TSS_ADDR` gives KVM (for real-mode emulation on VMX), above guest RAM.
pub const TSS: u64 = 0xFFFB_D000;

/// The GDT entries: null, 64-bit code (`0x00af9b000000ffff`: present, DPL 0, L), data
/// (`0x00cf93000000ffff`).
pub const GDT_ENTRIES: [u64; 3] = [0, 0x00af_9b00_0000_ffff, 0x00cf_9300_0000_ffff];

/// The 8-byte words to write, as `(gpa, value)`, for page tables that identity-map `memory_size`
/// bytes (rounded up to 1 GiB) with 2 MiB pages, and the GDT. `None` when `memory_size` exceeds
/// [`MAX_MEMORY`].
pub fn boot_tables(memory_size: u64) -> Option<impl Iterator<Item = (u64, u64)>> {
    if memory_size > MAX_MEMORY {
        return None;
    }
    const PRESENT_WRITABLE: u64 = 0b11;
    const LARGE: u64 = 1 << 7;
    let gibs = memory_size.div_ceil(1 << 30).max(1);
    let pml4 = core::iter::once((PML4, PDPT | PRESENT_WRITABLE));
    let pdpt = (0..gibs).map(|g| (PDPT + 8 * g, (PD + 0x1000 * g) | PRESENT_WRITABLE));
    let pds = (0..gibs * 512).map(|i| (PD + 8 * i, (i << 21) | PRESENT_WRITABLE | LARGE));
    let gdt = GDT_ENTRIES
        .into_iter()
        .enumerate()
        .map(|(i, e)| (GDT + 8 * i as u64, e));
    Some(pml4.chain(pdpt).chain(pds).chain(gdt))
}

/// The top of VP `index`'s stack, less the 8 bytes a call would have pushed (the guest's entry sees the
/// stack as a called function does).
pub const fn stack_pointer(index: u32) -> u64 {
    STACK_TOP - STACK_SIZE * index as u64 - 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_map_every_gib_with_2_mib_pages_and_stay_below_the_image() {
        let words: Vec<_> = boot_tables(3 << 30).unwrap().collect();
        assert_eq!(words[0], (PML4, PDPT | 3));
        assert_eq!(words[3], (PDPT + 16, (PD + 0x2000) | 3));
        let last_pd = words.iter().rfind(|(gpa, _)| (PD..PD + 0x3000).contains(gpa)).unwrap();
        assert_eq!(*last_pd, (PD + 8 * 1535, (1535 << 21) | 0x83));
        assert!(
            words
                .iter()
                .all(|(gpa, _)| gpa + 8 <= IMAGE_START && gpa + 8 <= stack_pointer(MAX_VCPUS - 1) - STACK_SIZE)
        );
        assert!(boot_tables(MAX_MEMORY + 1).is_none());
        assert_eq!(stack_pointer(1), 0x7_7FF8);
    }
}
