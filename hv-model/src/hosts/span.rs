//! Guest memory as the real hosts touch it: QEMU maps a range whatever its alignment
//! (`cpu_physical_memory_map`), VirtualBox reads a whole 4 KiB from a parameter GPA; both may cross pages.

use crate::memory::{GuestMemoryAccess, PAGE_SIZE};

/// The pages of `len` bytes at `gpa`: `(page-aligned GPA, offset, length)`; empty when the range wraps.
fn pieces(gpa: u64, len: usize) -> impl Iterator<Item = (u64, usize, usize)> {
    let page = PAGE_SIZE;
    let fits = gpa.checked_add(len as u64).is_some();
    let mut at = gpa;
    let mut left = if fits { len } else { 0 };
    core::iter::from_fn(move || {
        if left == 0 {
            return None;
        }
        let offset = (at % page) as usize;
        let n = left.min(page as usize - offset);
        let piece = (at - offset as u64, offset, n);
        at += n as u64;
        left -= n;
        Some(piece)
    })
}

/// Whether all `len` bytes at `gpa` are mapped (a range that wraps the address space is not).
pub(super) fn mapped<M: GuestMemoryAccess + ?Sized>(memory: &M, gpa: u64, len: usize) -> bool {
    gpa.checked_add(len as u64).is_some() && pieces(gpa, len).all(|(page, _, _)| memory.page(page).is_some())
}

/// Reads `buf.len()` bytes at `gpa`, page by page; `false`, with `buf` partly filled, when a page is not
/// mapped.
pub(super) fn read<M: GuestMemoryAccess + ?Sized>(memory: &M, gpa: u64, buf: &mut [u8]) -> bool {
    if !mapped(memory, gpa, buf.len()) {
        return false;
    }
    let mut done = 0;
    for (page, offset, n) in pieces(gpa, buf.len()) {
        let Some(p) = memory.page(page) else { return false };
        if memory.read_page(p, offset, &mut buf[done..done + n]).is_err() {
            return false;
        }
        done += n;
    }
    true
}

/// Writes `data` at `gpa` as far as the end of its page; returns how many bytes would have run past the
/// page (a host writing them would write guest memory the call does not own), or `None` when the page
/// is not mapped. Only the page of `gpa` is written.
pub(super) fn write_in_page<M: GuestMemoryAccess + ?Sized>(memory: &mut M, gpa: u64, data: &[u8]) -> Option<usize> {
    let offset = (gpa % PAGE_SIZE) as usize;
    let room = PAGE_SIZE as usize - offset;
    let n = data.len().min(room);
    let page = memory.page(gpa)?;
    memory.write_page(page, offset, &data[..n]).ok()?;
    Some(data.len() - n)
}

/// Writes `data` at `gpa`, across pages; `false`, with nothing written, when a page is not mapped.
pub(super) fn write<M: GuestMemoryAccess + ?Sized>(memory: &mut M, gpa: u64, data: &[u8]) -> bool {
    if !mapped(memory, gpa, data.len()) {
        return false;
    }
    let mut done = 0;
    for (page, offset, n) in pieces(gpa, data.len()) {
        let Some(p) = memory.page(page) else { return false };
        if memory.write_page(p, offset, &data[done..done + n]).is_err() {
            return false;
        }
        done += n;
    }
    true
}
