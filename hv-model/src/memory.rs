//! Guest physical memory as the dispatcher sees it ([`GuestMemoryAccess`]), and the model's own sparse
//! memory ([`GuestMemory`]), one implementation of it.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use hashbrown::HashMap;
use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout};

/// Size of a guest page.
pub const PAGE_SIZE: u64 = 4096;

/// Why a guest memory access did nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BlockError {
    /// The page holding `gpa` is not mapped (or, for a page handle, no longer is).
    Unmapped {
        /// The first address of the access that is not mapped.
        gpa: u64,
    },
    /// `len` bytes at `offset` do not fit in one page.
    CrossesPage {
        /// Offset of the access within its page.
        offset: usize,
        /// Length of the access.
        len: usize,
    },
}

impl fmt::Display for BlockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Unmapped { gpa } => write!(f, "guest physical address {gpa:#x} is not mapped"),
            Self::CrossesPage { offset, len } => {
                write!(f, "{len} bytes at page offset {offset:#x} cross the end of the page")
            }
        }
    }
}

impl core::error::Error for BlockError {}

/// A guest's physical memory, as the hypercall dispatcher reads and writes it: find a page once, then copy
/// parameter bytes in and out of it.
///
/// # Why copies, and why page handles
///
/// The guest owns its memory and may change it at any moment from another VP. rust-vmm's `vm-memory`
/// (`Bytes::read_slice`, `VolatileSlice`) and OpenVMM's `guestmem` (`read_at`, `read_plain`) therefore
/// hand out copies and volatile views, never a `&[u8]` into guest memory, and this trait does the same: a
/// handler copies each fixed parameter block once into its own memory, so the value it checks is the value
/// it uses (no double fetch), and copies data bytes once, straight between the guest page and the debug
/// buffer, which is the one move a borrow would also cost.
///
/// A handler touches at most two pages, each once per call: [`page`](Self::page) looks a page up and
/// returns a `Copy` handle; [`read_page`](Self::read_page) and [`write_page`](Self::write_page) use the handle without looking
/// anything up again. What a handle is belongs to the implementation: a slot index for the model's memory,
/// the page's guest address for `vm-memory` (which finds the region by a binary search over its few
/// regions, whatever the size of the guest).
///
/// The `*_block` methods are conveniences for callers outside the dispatcher: one look-up and one copy.
pub trait GuestMemoryAccess {
    /// A mapped page, found by [`page`](Self::page).
    type Page: Copy;

    /// The 4 KiB page holding `gpa`, if all of it is mapped.
    fn page(&self, gpa: u64) -> Option<Self::Page>;

    /// Copies `buf.len()` bytes at `offset` of `page` into `buf`.
    ///
    /// # Errors
    /// [`BlockError::CrossesPage`] when `offset + buf.len()` exceeds the page, [`BlockError::Unmapped`]
    /// when the page is no longer mapped; nothing is copied then.
    fn read_page(&self, page: Self::Page, offset: usize, buf: &mut [u8]) -> Result<(), BlockError>;

    /// Copies `data` to `offset` of `page`.
    ///
    /// # Errors
    /// As [`read_page`](Self::read_page); nothing is written then.
    fn write_page(&mut self, page: Self::Page, offset: usize, data: &[u8]) -> Result<(), BlockError>;

    /// Copies the `buf.len()` bytes at `gpa`, which must lie in one mapped page, into `buf`.
    ///
    /// # Errors
    /// [`BlockError::CrossesPage`] or [`BlockError::Unmapped`]; nothing is copied then.
    fn read_block(&self, gpa: u64, buf: &mut [u8]) -> Result<(), BlockError> {
        let offset = in_page(gpa, buf.len())?;
        let page = self.page(gpa).ok_or(BlockError::Unmapped { gpa })?;
        self.read_page(page, offset, buf)
    }

    /// Copies `data` to `gpa`; the bytes must lie in one mapped page.
    ///
    /// # Errors
    /// As [`read_block`](Self::read_block); nothing is written then.
    fn write_block(&mut self, gpa: u64, data: &[u8]) -> Result<(), BlockError> {
        let offset = in_page(gpa, data.len())?;
        let page = self.page(gpa).ok_or(BlockError::Unmapped { gpa })?;
        self.write_page(page, offset, data)
    }
}

/// The offset of `gpa` in its page, when `len` bytes from there stay in the page.
pub(crate) fn in_page(gpa: u64, len: usize) -> Result<usize, BlockError> {
    let offset = (gpa % PAGE_SIZE) as usize;
    match offset.checked_add(len) {
        Some(end) if end <= PAGE_SIZE as usize => Ok(offset),
        _ => Err(BlockError::CrossesPage { offset, len }),
    }
}

/// One guest page, page-aligned so that 8-aligned offsets into it can be borrowed as ABI structs.
#[derive(FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C, align(4096))]
struct Page([u8; PAGE_SIZE as usize]);

/// A range of guest memory is not entirely mapped, or wraps the address space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unmapped {
    /// The first guest physical address of the range that is not mapped.
    pub gpa: u64,
}

/// No page number: page numbers are `gpa / 4096`, at most 2^52 - 1.
const FREE: u64 = u64::MAX;

struct Slot {
    /// The page number this slot holds, or [`FREE`].
    gpn: u64,
    page: Box<Page>,
}

/// The model's handle on one of its pages: the slot it sits in, and the page number that the slot must
/// still hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModelPage {
    slot: u32,
    gpn: u64,
}

/// Pages below 4 GiB (where a guest's RAM usually is) are found by their number in a table; the others
/// by a hash of it.
const LOW_PAGES: u64 = 1 << 20;

/// No slot, in the table of low pages.
const NO_SLOT: u32 = u32::MAX;

/// A partition's guest physical memory: sparse 4 KiB pages, found in constant time however many are
/// mapped (below 4 GiB by index into a table that grows to the highest page mapped there, above by a hash
/// of the page number); only mapped pages are readable or writable.
#[derive(Default)]
pub struct GuestMemory {
    low: Vec<u32>,
    high: HashMap<u64, u32>,
    slots: Vec<Slot>,
    free: Vec<u32>,
}

impl fmt::Debug for GuestMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GuestMemory")
            .field("mapped_pages", &(self.slots.len() - self.free.len()))
            .finish()
    }
}

impl GuestMemory {
    /// The slot of page number `gpn`, if it is mapped.
    #[inline]
    fn slot_of(&self, gpn: u64) -> Option<u32> {
        if gpn < LOW_PAGES {
            self.low.get(gpn as usize).copied().filter(|&slot| slot != NO_SLOT)
        } else {
            self.high.get(&gpn).copied()
        }
    }

    /// Maps the page holding `gpa` (zero-filled). Mapping a mapped page keeps its contents.
    pub fn map(&mut self, gpa: u64) {
        let gpn = gpa / PAGE_SIZE;
        if self.slot_of(gpn).is_some() {
            return;
        }
        let slot = match self.free.pop() {
            Some(slot) => {
                let s = &mut self.slots[slot as usize];
                s.gpn = gpn;
                s.page.0.fill(0);
                slot
            }
            None => {
                // An allocation failure aborts, as `Box::new` does.
                let page = Page::new_box_zeroed()
                    .unwrap_or_else(|_| alloc::alloc::handle_alloc_error(core::alloc::Layout::new::<Page>()));
                self.slots.push(Slot { gpn, page });
                (self.slots.len() - 1) as u32
            }
        };
        if gpn < LOW_PAGES {
            let at = gpn as usize;
            if self.low.len() <= at {
                self.low.resize(at + 1, NO_SLOT);
            }
            self.low[at] = slot;
        } else {
            self.high.insert(gpn, slot);
        }
    }

    /// Unmaps the page holding `gpa`; its contents are lost.
    pub fn unmap(&mut self, gpa: u64) {
        let gpn = gpa / PAGE_SIZE;
        let slot = if gpn < LOW_PAGES {
            self.low
                .get_mut(gpn as usize)
                .map(|s| core::mem::replace(s, NO_SLOT))
                .filter(|&s| s != NO_SLOT)
        } else {
            self.high.remove(&gpn)
        };
        if let Some(slot) = slot {
            self.slots[slot as usize].gpn = FREE;
            self.free.push(slot);
        }
    }

    /// `true` when the page holding `gpa` is mapped.
    #[must_use]
    pub fn is_mapped(&self, gpa: u64) -> bool {
        self.slot_of(gpa / PAGE_SIZE).is_some()
    }

    #[inline]
    fn frame(&self, page: ModelPage) -> Result<&Page, BlockError> {
        match self.slots.get(page.slot as usize) {
            Some(s) if s.gpn == page.gpn => Ok(&s.page),
            _ => Err(BlockError::Unmapped {
                gpa: page.gpn.wrapping_mul(PAGE_SIZE),
            }),
        }
    }

    #[inline]
    fn frame_mut(&mut self, page: ModelPage) -> Result<&mut Page, BlockError> {
        match self.slots.get_mut(page.slot as usize) {
            Some(s) if s.gpn == page.gpn => Ok(&mut s.page),
            _ => Err(BlockError::Unmapped {
                gpa: page.gpn.wrapping_mul(PAGE_SIZE),
            }),
        }
    }

    /// `len` bytes at `gpa`, borrowed, if they lie within one mapped page.
    #[must_use]
    pub fn slice(&self, gpa: u64, len: usize) -> Option<&[u8]> {
        let offset = in_page(gpa, len).ok()?;
        let page = self.frame(self.page(gpa)?).ok()?;
        Some(&page.0[offset..offset + len])
    }

    /// `len` bytes at `gpa`, mutably, if they lie within one mapped page.
    pub fn slice_mut(&mut self, gpa: u64, len: usize) -> Option<&mut [u8]> {
        let offset = in_page(gpa, len).ok()?;
        let handle = self.page(gpa)?;
        let page = self.frame_mut(handle).ok()?;
        Some(&mut page.0[offset..offset + len])
    }

    /// Copies `buf.len()` bytes from `gpa` (across pages if need be); nothing is copied unless every
    /// page is mapped.
    pub fn read(&self, gpa: u64, buf: &mut [u8]) -> Result<(), Unmapped> {
        self.check(gpa, buf.len())?;
        for (at, chunk) in chunks(gpa, buf.len()) {
            let src = self.slice(at, chunk.len()).ok_or(Unmapped { gpa: at })?;
            buf[chunk].copy_from_slice(src);
        }
        Ok(())
    }

    /// Copies `data` to `gpa` (across pages if need be); nothing is written unless every page is mapped.
    pub fn write(&mut self, gpa: u64, data: &[u8]) -> Result<(), Unmapped> {
        self.check(gpa, data.len())?;
        for (at, chunk) in chunks(gpa, data.len()) {
            let dst = self.slice_mut(at, chunk.len()).ok_or(Unmapped { gpa: at })?;
            dst.copy_from_slice(&data[chunk]);
        }
        Ok(())
    }

    fn check(&self, gpa: u64, len: usize) -> Result<(), Unmapped> {
        for (at, _) in chunks(gpa, len) {
            if !self.is_mapped(at) {
                return Err(Unmapped { gpa: at });
            }
        }
        if len > 0 && gpa.checked_add(len as u64 - 1).is_none() {
            return Err(Unmapped { gpa: u64::MAX });
        }
        Ok(())
    }
}

impl GuestMemoryAccess for GuestMemory {
    type Page = ModelPage;

    #[inline]
    fn page(&self, gpa: u64) -> Option<ModelPage> {
        let gpn = gpa / PAGE_SIZE;
        self.slot_of(gpn).map(|slot| ModelPage { slot, gpn })
    }

    #[inline]
    fn read_page(&self, page: ModelPage, offset: usize, buf: &mut [u8]) -> Result<(), BlockError> {
        let frame = self.frame(page)?;
        let src = frame
            .0
            .get(offset..offset.saturating_add(buf.len()))
            .ok_or(BlockError::CrossesPage { offset, len: buf.len() })?;
        buf.copy_from_slice(src);
        Ok(())
    }

    #[inline]
    fn write_page(&mut self, page: ModelPage, offset: usize, data: &[u8]) -> Result<(), BlockError> {
        let frame = self.frame_mut(page)?;
        let dst = frame
            .0
            .get_mut(offset..offset.saturating_add(data.len()))
            .ok_or(BlockError::CrossesPage {
                offset,
                len: data.len(),
            })?;
        dst.copy_from_slice(data);
        Ok(())
    }
}

/// Splits `[gpa, gpa + len)` at page boundaries: `(gpa of the piece, range within the buffer)`.
fn chunks(gpa: u64, len: usize) -> impl Iterator<Item = (u64, core::ops::Range<usize>)> {
    let mut done = 0usize;
    core::iter::from_fn(move || {
        if done >= len {
            return None;
        }
        let at = gpa.checked_add(done as u64)?;
        let room = (PAGE_SIZE - at % PAGE_SIZE) as usize;
        let take = room.min(len - done);
        let piece = (at, done..done + take);
        done += take;
        Some(piece)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_only_mapped_pages() {
        let mut m = GuestMemory::default();
        m.map(0x1000);
        m.map(0x2000);
        m.write(0x1FFE, b"abcd").unwrap();
        let mut buf = [0u8; 4];
        m.read(0x1FFE, &mut buf).unwrap();
        assert_eq!(&buf, b"abcd");
        assert_eq!(m.slice(0x1FFE, 2), Some(&b"ab"[..]));
        assert_eq!(m.slice(0x1FFE, 3), None, "crosses a page");
        assert_eq!(m.write(0x2FFE, b"abcd"), Err(Unmapped { gpa: 0x3000 }));
        assert_eq!(
            m.slice(0x2FFE, 2),
            Some(&[0u8, 0][..]),
            "nothing written when a page is missing"
        );
        assert_eq!(m.read(u64::MAX, &mut buf), Err(Unmapped { gpa: u64::MAX }));
        m.unmap(0x1000);
        assert!(!m.is_mapped(0x1FFF));
    }

    #[test]
    fn block_access_names_what_is_wrong() {
        let mut m = GuestMemory::default();
        m.map(0x1000);
        m.write_block(0x1FF8, b"12345678").unwrap();
        let mut buf = [0u8; 8];
        m.read_block(0x1FF8, &mut buf).unwrap();
        assert_eq!(&buf, b"12345678");
        assert_eq!(
            m.read_block(0x1FF9, &mut buf),
            Err(BlockError::CrossesPage { offset: 0xFF9, len: 8 })
        );
        assert_eq!(m.write_block(0x5000, b"x"), Err(BlockError::Unmapped { gpa: 0x5000 }));
        assert_eq!(
            m.read_block(u64::MAX, &mut []),
            Err(BlockError::Unmapped { gpa: u64::MAX })
        );
    }

    #[test]
    fn low_and_high_pages_map_and_unmap_alike() {
        let mut m = GuestMemory::default();
        let (low, high) = ((LOW_PAGES - 1) * PAGE_SIZE, LOW_PAGES * PAGE_SIZE);
        for gpa in [low, high, u64::MAX - 4095] {
            assert!(!m.is_mapped(gpa));
            m.map(gpa);
            m.write_block(gpa, b"page").unwrap();
        }
        for gpa in [low, high, u64::MAX - 4095] {
            assert_eq!(m.slice(gpa, 4), Some(&b"page"[..]), "{gpa:#x}");
            m.unmap(gpa);
            assert!(!m.is_mapped(gpa) && m.page(gpa).is_none(), "{gpa:#x}");
        }
        m.unmap(0x5000);
        assert!(!m.is_mapped(0x5000), "unmapping an unmapped page does nothing");
    }

    #[test]
    fn a_handle_of_an_unmapped_page_is_refused_even_when_its_slot_is_reused() {
        let mut m = GuestMemory::default();
        m.map(0x1000);
        let old = m.page(0x1000).unwrap();
        m.unmap(0x1000);
        m.map(0x7000);
        let new = m.page(0x7000).unwrap();
        assert_eq!(old.slot, new.slot, "the slot is reused");
        let mut buf = [0u8; 1];
        assert_eq!(m.read_page(old, 0, &mut buf), Err(BlockError::Unmapped { gpa: 0x1000 }));
        assert_eq!(m.write_page(old, 0, b"x"), Err(BlockError::Unmapped { gpa: 0x1000 }));
        m.write_page(new, 4095, b"y").unwrap();
        assert_eq!(m.slice(0x7FFF, 1), Some(&b"y"[..]));
        assert_eq!(
            m.read_page(new, 4095, &mut [0; 2]),
            Err(BlockError::CrossesPage { offset: 4095, len: 2 })
        );
        m.map(0x1000);
        assert_eq!(
            m.slice(0x1000, 4),
            Some(&[0u8; 4][..]),
            "a remapped page is zero-filled"
        );
    }
}
