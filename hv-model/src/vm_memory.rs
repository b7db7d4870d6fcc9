//! [`GuestMemoryAccess`] for rust-vmm's `vm-memory` (the `vm-memory` feature): the dispatcher runs over
//! the guest memory a Rust VMM on KVM or mshv already has, `GuestMemoryMmap` or any other
//! `GuestMemoryBackend`.
//!
//! A thread that owns its memory value passes it as is (`&mut memory`). vCPU threads that share one
//! memory (`&GuestMemoryMmap`, or an `Arc` of it) pass [`Shared`]: `vm-memory` writes through `&self`,
//! so no thread needs its own clone.

use vm_memory::{Bytes, GuestAddress, GuestMemoryBackend};

use crate::memory::{BlockError, GuestMemoryAccess, PAGE_SIZE};

/// A page handle is the page's guest address: `vm-memory` finds the region again on each access, by a
/// binary search over its regions (a handful), whatever the size of the guest. The bytes are copied with
/// `Bytes::read_slice` / `write_slice`, which treat guest memory as volatile.
impl<M: GuestMemoryBackend> GuestMemoryAccess for M {
    type Page = GuestAddress;

    fn page(&self, gpa: u64) -> Option<GuestAddress> {
        let base = GuestAddress(gpa - gpa % PAGE_SIZE);
        GuestMemoryBackend::check_range(self, base, PAGE_SIZE as usize).then_some(base)
    }

    fn read_page(&self, page: GuestAddress, offset: usize, buf: &mut [u8]) -> Result<(), BlockError> {
        let at = address(page, offset, buf.len())?;
        self.read_slice(buf, at).map_err(|_| BlockError::Unmapped { gpa: at.0 })
    }

    fn write_page(&mut self, page: GuestAddress, offset: usize, data: &[u8]) -> Result<(), BlockError> {
        let at = address(page, offset, data.len())?;
        self.write_slice(data, at)
            .map_err(|_| BlockError::Unmapped { gpa: at.0 })
    }
}

/// The address `offset` bytes into `page`, when `len` bytes from there stay in the page.
fn address(page: GuestAddress, offset: usize, len: usize) -> Result<GuestAddress, BlockError> {
    match offset.checked_add(len) {
        Some(end) if end <= PAGE_SIZE as usize => Ok(GuestAddress(page.0 + offset as u64)),
        _ => Err(BlockError::CrossesPage { offset, len }),
    }
}

/// Guest memory shared between vCPU threads: `Shared(&memory)` dispatches over one `GuestMemoryBackend`
/// from any number of threads at once (it writes through `&self`), where a thread that owns its memory
/// passes the memory itself.
#[derive(Clone, Copy)]
pub struct Shared<'a, M>(pub &'a M);

impl<M> core::fmt::Debug for Shared<'_, M> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Shared(..)")
    }
}

impl<M: GuestMemoryBackend> GuestMemoryAccess for Shared<'_, M> {
    type Page = GuestAddress;

    fn page(&self, gpa: u64) -> Option<GuestAddress> {
        GuestMemoryAccess::page(self.0, gpa)
    }

    fn read_page(&self, page: GuestAddress, offset: usize, buf: &mut [u8]) -> Result<(), BlockError> {
        GuestMemoryAccess::read_page(self.0, page, offset, buf)
    }

    fn write_page(&mut self, page: GuestAddress, offset: usize, data: &[u8]) -> Result<(), BlockError> {
        let at = address(page, offset, data.len())?;
        self.0
            .write_slice(data, at)
            .map_err(|_| BlockError::Unmapped { gpa: at.0 })
    }
}
