//! Guest virtual to guest physical addresses, by walking the guest's own page tables in its memory: what
//! the VMM needs on every hypercall exit (is RIP the hypercall page's stub?) without a `KVM_TRANSLATE`
//! ioctl, which on a nested host costs more than the exit itself.

/// Reads an 8-byte page-table entry at a guest physical address; `None` outside guest memory.
pub trait ReadEntry {
    /// The entry at `gpa`.
    fn entry(&self, gpa: u64) -> Option<u64>;
}

#[cfg(target_os = "linux")]
impl<M: vm_memory::GuestMemoryBackend> ReadEntry for M {
    fn entry(&self, gpa: u64) -> Option<u64> {
        vm_memory::Bytes::read_obj(self, vm_memory::GuestAddress(gpa)).ok()
    }
}

const PRESENT: u64 = 1;
const LARGE: u64 = 1 << 7;
/// Bits 51:12 of an entry: the next table's or the page's frame.
const FRAME: u64 = 0x000F_FFFF_FFFF_F000;

/// The paging state a translation depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Paging {
    /// CR0 (bit 31 PG).
    pub cr0: u64,
    /// CR3: the top table.
    pub cr3: u64,
    /// CR4 (bit 5 PAE, bit 12 LA57).
    pub cr4: u64,
    /// EFER (bit 10 LMA).
    pub efer: u64,
}

impl Paging {
    /// The guest physical address of `gva` in long mode (4- or 5-level paging, 4 KiB, 2 MiB and 1 GiB
    /// pages), or `gva` itself with paging off. `None` when a level is not present or outside guest
    /// memory, or for the 32-bit paging modes, which hv-kvm's guests do not use.
    pub fn translate(&self, memory: &impl ReadEntry, gva: u64) -> Option<u64> {
        if self.cr0 & (1 << 31) == 0 {
            return Some(gva);
        }
        if self.efer & (1 << 10) == 0 || self.cr4 & (1 << 5) == 0 {
            return None;
        }
        let levels: u32 = if self.cr4 & (1 << 12) != 0 { 5 } else { 4 };
        let mut table = self.cr3 & FRAME;
        for level in (1..=levels).rev() {
            let shift = 12 + 9 * (level - 1);
            let index = (gva >> shift) & 0x1FF;
            let entry = memory.entry(table + 8 * index)?;
            if entry & PRESENT == 0 {
                return None;
            }
            // A large page ends the walk at the PDPT (1 GiB) or the page directory (2 MiB).
            if level == 1 || (matches!(level, 2 | 3) && entry & LARGE != 0) {
                let page_mask = (1u64 << shift) - 1;
                return Some((entry & FRAME & !page_mask) | (gva & page_mask));
            }
            table = entry & FRAME;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    struct Tables(HashMap<u64, u64>);

    impl ReadEntry for Tables {
        fn entry(&self, gpa: u64) -> Option<u64> {
            self.0.get(&gpa).copied().or(Some(0))
        }
    }

    const LONG_MODE: Paging = Paging {
        cr0: 1 << 31 | 1,
        cr3: 0x1000,
        cr4: 1 << 5,
        efer: 1 << 10,
    };

    #[test]
    fn walks_4k_2m_and_1g_pages() {
        let mut t = HashMap::new();
        t.insert(0x1000, 0x2000 | 3); // PML4[0] -> PDPT
        t.insert(0x2000, 0x3000 | 3); // PDPT[0] -> PD
        t.insert(0x2008, 0x4000_0000 | 0x83); // PDPT[1]: 1 GiB page at 1 GiB
        t.insert(0x3000, 0x20_0000 | 0x83); // PD[0]: 2 MiB page at 2 MiB
        t.insert(0x3008, 0x5000 | 3); // PD[1] -> PT
        t.insert(0x5000 + 8 * 3, 0x7_7000 | 3); // PT[3]: the 4 KiB page at 0x77000
        let memory = Tables(t);
        assert_eq!(LONG_MODE.translate(&memory, 0x1234), Some(0x20_1234));
        assert_eq!(LONG_MODE.translate(&memory, 0x20_3456), Some(0x7_7456));
        assert_eq!(LONG_MODE.translate(&memory, 0x4123_4567), Some(0x4123_4567));
        assert_eq!(LONG_MODE.translate(&memory, 0x20_4000), None, "PT[4] not present");
        assert_eq!(LONG_MODE.translate(&memory, 1 << 39), None, "PML4[1] not present");
        let off = Paging { cr0: 1, ..LONG_MODE };
        assert_eq!(off.translate(&memory, 0xABC), Some(0xABC));
        let legacy = Paging { efer: 0, ..LONG_MODE };
        assert_eq!(legacy.translate(&memory, 0x1234), None);
    }

    #[test]
    fn a_page_table_that_points_at_itself_ends_the_walk() {
        // A hostile guest's loop: every entry of the table at 0x1000 points back at that table, so each
        // level reads the same page. The walk still takes one step per level and stops.
        struct Loop;
        impl ReadEntry for Loop {
            fn entry(&self, gpa: u64) -> Option<u64> {
                (gpa & !0xFFF == 0x1000).then_some(0x1000 | 3)
            }
        }
        for gva in [0, 0x1234_5678, u64::MAX, 1 << 47] {
            assert_eq!(LONG_MODE.translate(&Loop, gva), Some(0x1000 | (gva & 0xFFF)));
            let la57 = Paging {
                cr4: LONG_MODE.cr4 | 1 << 12,
                ..LONG_MODE
            };
            assert_eq!(la57.translate(&Loop, gva), Some(0x1000 | (gva & 0xFFF)));
        }
    }

    #[test]
    fn hv_kvms_own_identity_map_translates_to_itself() {
        let memory = Tables(crate::layout::boot_tables(16 << 20).unwrap().collect());
        for gva in [0, 0x10_0477, 0xFF_FFFF, 0x3FFF_FFFF] {
            assert_eq!(LONG_MODE.translate(&memory, gva), Some(gva));
        }
    }
}
