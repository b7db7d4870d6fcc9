//! Sparse guest physical memory: 4 KiB pages, only mapped pages readable or writable.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;

use zerocopy::{FromBytes, FromZeros, Immutable, IntoBytes, KnownLayout};

/// Size of a guest page.
pub const PAGE_SIZE: u64 = 4096;

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

/// A partition's guest physical memory.
#[derive(Default)]
pub struct GuestMemory {
    pages: BTreeMap<u64, Box<Page>>,
}

impl GuestMemory {
    /// Maps the page holding `gpa` (zero-filled). Mapping a mapped page keeps its contents.
    pub fn map(&mut self, gpa: u64) {
        self.pages.entry(gpa / PAGE_SIZE).or_insert_with(|| {
            // An allocation failure aborts, as `Box::new` does.
            Page::new_box_zeroed()
                .unwrap_or_else(|_| alloc::alloc::handle_alloc_error(core::alloc::Layout::new::<Page>()))
        });
    }

    /// Unmaps the page holding `gpa`; its contents are lost.
    pub fn unmap(&mut self, gpa: u64) {
        self.pages.remove(&(gpa / PAGE_SIZE));
    }

    /// `true` when the page holding `gpa` is mapped.
    #[must_use]
    pub fn is_mapped(&self, gpa: u64) -> bool {
        self.pages.contains_key(&(gpa / PAGE_SIZE))
    }

    /// `len` bytes at `gpa`, borrowed, if they lie within one mapped page.
    #[must_use]
    pub fn slice(&self, gpa: u64, len: usize) -> Option<&[u8]> {
        let (page, range) = within_page(gpa, len)?;
        self.pages.get(&page).map(|p| &p.0[range])
    }

    /// `len` bytes at `gpa`, mutably, if they lie within one mapped page.
    pub fn slice_mut(&mut self, gpa: u64, len: usize) -> Option<&mut [u8]> {
        let (page, range) = within_page(gpa, len)?;
        self.pages.get_mut(&page).map(|p| &mut p.0[range])
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

/// The page number and in-page byte range of `[gpa, gpa + len)`, if it stays within one page.
fn within_page(gpa: u64, len: usize) -> Option<(u64, core::ops::Range<usize>)> {
    let offset = (gpa % PAGE_SIZE) as usize;
    let end = offset.checked_add(len)?;
    (end <= PAGE_SIZE as usize).then_some((gpa / PAGE_SIZE, offset..end))
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
}
