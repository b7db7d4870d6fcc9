//! A partition's debug channel: bounded incoming and outgoing byte buffers with exact accounting.

use alloc::collections::{TryReserveError, VecDeque};

/// What happened to the bytes of one direction. The model keeps
/// `written == read + purged + dropped + pending` at every step; [`Accounting::balanced`] checks it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accounting {
    /// Bytes that entered the direction (posted by the guest, or delivered by the host).
    pub written: u64,
    /// Bytes taken out by the other end (received by the host, or retrieved by the guest).
    pub read: u64,
    /// Bytes discarded by HvResetDebugSession or a partition reset, save or termination.
    pub purged: u64,
    /// Bytes discarded on arrival because the buffer was full (incoming only).
    pub dropped: u64,
    /// Bytes in the buffer now.
    pub pending: u64,
}

impl Accounting {
    /// `true` when every written byte is read, purged, dropped or pending.
    #[must_use]
    pub const fn balanced(&self) -> bool {
        self.written == self.read + self.purged + self.dropped + self.pending
    }
}

/// One direction: a byte queue with a fixed capacity, allocated once.
pub(crate) struct Buffer {
    bytes: VecDeque<u8>,
    capacity: usize,
    written: u64,
    read: u64,
    purged: u64,
    dropped: u64,
}

impl Buffer {
    /// A buffer of `capacity` bytes, allocated now (a hypercall never allocates); an error when the
    /// allocator cannot provide it.
    pub(crate) fn new(capacity: usize) -> Result<Self, TryReserveError> {
        let mut bytes = VecDeque::new();
        bytes.try_reserve_exact(capacity)?;
        Ok(Self {
            bytes,
            capacity,
            written: 0,
            read: 0,
            purged: 0,
            dropped: 0,
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    pub(crate) fn free(&self) -> usize {
        self.capacity - self.bytes.len()
    }

    /// Appends all of `data`, or nothing when it does not fit (HvPostDebugData).
    pub(crate) fn push_all(&mut self, data: &[u8]) -> bool {
        if data.len() > self.free() {
            return false;
        }
        self.bytes.extend(data);
        self.written += data.len() as u64;
        true
    }

    /// Appends what fits and drops the rest (host delivery); returns the bytes dropped.
    pub(crate) fn push_dropping(&mut self, data: &[u8]) -> usize {
        let fit = data.len().min(self.free());
        self.bytes.extend(&data[..fit]);
        self.written += data.len() as u64;
        self.dropped += (data.len() - fit) as u64;
        data.len() - fit
    }

    /// Moves up to `out.len()` bytes into `out`; returns how many.
    pub(crate) fn take_into(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.bytes.len());
        let (a, b) = self.bytes.as_slices();
        let from_a = n.min(a.len());
        out[..from_a].copy_from_slice(&a[..from_a]);
        out[from_a..n].copy_from_slice(&b[..n - from_a]);
        self.bytes.drain(..n);
        self.read += n as u64;
        n
    }

    /// Discards everything pending; returns how many bytes.
    pub(crate) fn purge(&mut self) -> usize {
        let n = self.bytes.len();
        self.bytes.clear();
        self.purged += n as u64;
        n
    }

    pub(crate) fn accounting(&self) -> Accounting {
        Accounting {
            written: self.written,
            read: self.read,
            purged: self.purged,
            dropped: self.dropped,
            pending: self.bytes.len() as u64,
        }
    }
}

/// The debug channel of one partition.
pub struct DebugChannel {
    pub(crate) incoming: Buffer,
    pub(crate) outgoing: Buffer,
    /// Bytes that have arrived from the host, ever (the hypervisor's receive-activity counter).
    pub(crate) arrived: u64,
    /// `arrived` as of this partition's last retrieve attempt (its session copy of the counter).
    pub(crate) arrived_at_last_retrieve: u64,
}

impl DebugChannel {
    pub(crate) fn new(incoming_capacity: usize, outgoing_capacity: usize) -> Result<Self, TryReserveError> {
        Ok(Self {
            incoming: Buffer::new(incoming_capacity)?,
            outgoing: Buffer::new(outgoing_capacity)?,
            arrived: 0,
            arrived_at_last_retrieve: 0,
        })
    }

    /// Host-to-guest accounting.
    #[must_use]
    pub fn incoming(&self) -> Accounting {
        self.incoming.accounting()
    }

    /// Guest-to-host accounting.
    #[must_use]
    pub fn outgoing(&self) -> Accounting {
        self.outgoing.accounting()
    }

    /// The TEST_ACTIVITY mark: `true` when bytes arrived from the host since this partition's last
    /// retrieve attempt, so that a retrieve with `RETRIEVE_TEST_ACTIVITY` would not be `HV_STATUS_INACTIVE`.
    #[must_use]
    pub fn activity(&self) -> bool {
        self.arrived != self.arrived_at_last_retrieve
    }

    /// Discards both directions (partition reset, save, termination).
    pub(crate) fn purge_all(&mut self) {
        self.incoming.purge();
        self.outgoing.purge();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffer_accounts_for_every_byte() {
        let mut b = Buffer::new(4).unwrap();
        assert!(b.push_all(b"abc"));
        assert!(!b.push_all(b"de"), "all or nothing");
        assert_eq!(b.push_dropping(b"xyz"), 2);
        let mut out = [0u8; 2];
        assert_eq!(b.take_into(&mut out), 2);
        assert_eq!(&out, b"ab");
        assert_eq!(b.purge(), 2);
        let a = b.accounting();
        assert_eq!(
            a,
            Accounting {
                written: 6,
                read: 2,
                purged: 2,
                dropped: 2,
                pending: 0
            }
        );
        assert!(a.balanced());
    }

    #[test]
    fn take_reads_across_the_ring_seam() {
        let mut b = Buffer::new(4).unwrap();
        assert!(b.push_all(b"abcd"));
        let mut out = [0u8; 3];
        b.take_into(&mut out);
        assert!(b.push_all(b"efg"));
        let mut out = [0u8; 4];
        assert_eq!(b.take_into(&mut out), 4);
        assert_eq!(&out, b"defg");
    }
}
