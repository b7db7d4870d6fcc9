//! A partition's debug channel: bounded incoming and outgoing byte rings with exact accounting.

use alloc::boxed::Box;
use alloc::vec::Vec;

use hv_abi::{HvResult, HvStatus};

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
    /// Bytes discarded on arrival because the buffer was full, or on receipt by a host that truncates a
    /// datagram to its receive buffer (incoming only).
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

/// One direction: a ring of a fixed capacity, allocated once, that hands out its free and its pending
/// bytes as (at most two) slices, so that guest memory is copied straight in and out of it.
pub(crate) struct Buffer {
    ring: Box<[u8]>,
    /// Index of the oldest pending byte.
    head: usize,
    /// Pending bytes.
    len: usize,
    written: u64,
    read: u64,
    purged: u64,
    dropped: u64,
    /// One bit per ring byte, set where a host delivery begins (the incoming side only; empty
    /// otherwise): the datagram boundaries a host without buffers of its own hands out.
    starts: Box<[u64]>,
}

/// A zeroed allocation of `n` elements, or `HV_STATUS_INSUFFICIENT_MEMORY`.
fn zeroed<T: Copy + Default>(n: usize) -> HvResult<Box<[T]>> {
    let mut v = Vec::new();
    if v.try_reserve_exact(n).is_err() {
        return crate::fail(HvStatus::INSUFFICIENT_MEMORY);
    }
    v.resize(n, T::default());
    Ok(v.into_boxed_slice())
}

/// The boundary-bitmap words that ring positions `from..from + n` (no wrap) touch: each word's index and
/// the mask of those positions in it.
fn words(from: usize, n: usize) -> impl Iterator<Item = (usize, u64)> {
    let (mut i, end) = (from, from + n);
    core::iter::from_fn(move || {
        (i < end).then(|| {
            let bit = i % 64;
            let take = (64 - bit).min(end - i);
            let mask = if take == 64 {
                u64::MAX
            } else {
                ((1u64 << take) - 1) << bit
            };
            let index = i / 64;
            i += take;
            (index, mask)
        })
    })
}

impl Buffer {
    /// A buffer of `capacity` bytes, allocated now (a hypercall never allocates), with the datagram
    /// boundaries kept when `datagrams`; `HV_STATUS_INSUFFICIENT_MEMORY` when the allocator cannot
    /// provide it.
    pub(crate) fn new(capacity: usize, datagrams: bool) -> HvResult<Self> {
        let starts = if datagrams { capacity.div_ceil(64) } else { 0 };
        Ok(Self {
            ring: zeroed(capacity)?,
            head: 0,
            len: 0,
            written: 0,
            read: 0,
            purged: 0,
            dropped: 0,
            starts: zeroed(starts)?,
        })
    }

    fn set_start(&mut self, i: usize) {
        if let Some(w) = self.starts.get_mut(i / 64) {
            *w |= 1 << (i % 64);
        }
    }

    /// Clears the boundary bits of ring positions `from..from + n` (no wrap), a word at a time.
    fn clear_starts(&mut self, from: usize, n: usize) {
        for (index, mask) in words(from, n) {
            if let Some(w) = self.starts.get_mut(index) {
                *w &= !mask;
            }
        }
    }

    /// The first boundary bit in ring positions `from..from + n` (no wrap), a word at a time.
    fn find_start(&self, from: usize, n: usize) -> Option<usize> {
        words(from, n).find_map(|(index, mask)| {
            let word = self.starts.get(index).copied().unwrap_or(0) & mask;
            (word != 0).then(|| index * 64 + word.trailing_zeros() as usize)
        })
    }

    /// The ring positions of the `n` bytes from pending offset `k`: one or two runs (the ring wraps).
    fn runs(&self, k: usize, n: usize) -> [(usize, usize); 2] {
        let cap = self.ring.len();
        let at = self.wrap(self.head + k);
        let first = n.min(cap - at);
        [(at, first), (0, n - first)]
    }

    /// Forgets the boundaries of the oldest `n` pending bytes, which are leaving.
    fn forget_starts(&mut self, n: usize) {
        if self.starts.is_empty() {
            return;
        }
        for (from, len) in self.runs(0, n) {
            self.clear_starts(from, len);
        }
    }

    /// The length of the oldest pending datagram: up to the next boundary, or everything pending.
    pub(crate) fn first_datagram(&self) -> usize {
        if self.len < 2 {
            return self.len;
        }
        let [(a, a_len), (b, b_len)] = self.runs(1, self.len - 1);
        let next = match self.find_start(a, a_len) {
            Some(i) => Some(i - a),
            None => self.find_start(b, b_len).map(|i| a_len + i - b),
        };
        next.map_or(self.len, |k| k + 1)
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn free(&self) -> usize {
        self.ring.len() - self.len
    }

    /// Room for `n` more bytes (`n <= free()`), in order, as two slices.
    #[inline]
    fn spare(&mut self, n: usize) -> (&mut [u8], &mut [u8]) {
        let cap = self.ring.len();
        let tail = self.wrap(self.head + self.len);
        let first = n.min(cap - tail);
        let (wrapped, from_tail) = self.ring.split_at_mut(tail);
        (&mut from_tail[..first], &mut wrapped[..n - first])
    }

    /// The oldest `n` pending bytes (`n <= len()`), in order, as two slices.
    #[inline]
    fn oldest(&self, n: usize) -> (&[u8], &[u8]) {
        let first = n.min(self.ring.len() - self.head);
        (&self.ring[self.head..self.head + first], &self.ring[..n - first])
    }

    #[inline]
    fn consume(&mut self, n: usize) {
        self.forget_starts(n);
        self.len -= n;
        self.head = if self.len == 0 { 0 } else { self.wrap(self.head + n) };
        self.read += n as u64;
    }

    /// An index below twice the capacity (head < cap, and what is added to it is at most cap) wrapped
    /// into the ring with one subtraction: no division on the exit path.
    #[inline]
    fn wrap(&self, i: usize) -> usize {
        let cap = self.ring.len();
        if i >= cap { i - cap } else { i }
    }

    /// Appends `n` bytes that `fill` copies into the ring's free space (one or two pieces, with the
    /// offset of each piece in the block), all or nothing: `Ok(false)` when they do not fit, `Err` when
    /// `fill` fails; in both cases nothing is appended (HvPostDebugData).
    #[inline]
    pub(crate) fn append_with<E>(
        &mut self,
        n: usize,
        mut fill: impl FnMut(usize, &mut [u8]) -> Result<(), E>,
    ) -> Result<bool, E> {
        if n > self.free() {
            return Ok(false);
        }
        let (a, b) = self.spare(n);
        let a_len = a.len();
        fill(0, a)?;
        if !b.is_empty() {
            fill(a_len, b)?;
        }
        self.len += n;
        self.written += n as u64;
        Ok(true)
    }

    /// Hands the oldest `n` pending bytes (`n <= len()`) to `drain` (one or two pieces, with the offset
    /// of each), then removes them; when `drain` fails nothing is removed (HvRetrieveDebugData).
    #[inline]
    pub(crate) fn take_with<E>(
        &mut self,
        n: usize,
        mut drain: impl FnMut(usize, &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let (a, b) = self.oldest(n);
        drain(0, a)?;
        if !b.is_empty() {
            drain(a.len(), b)?;
        }
        self.consume(n);
        Ok(())
    }

    /// Appends what fits and drops the rest (host delivery); returns the bytes dropped.
    #[inline]
    pub(crate) fn push_dropping(&mut self, data: &[u8]) -> usize {
        let fit = data.len().min(self.free());
        if fit > 0 {
            let tail = self.wrap(self.head + self.len);
            self.set_start(tail);
        }
        let (a, b) = self.spare(fit);
        let a_len = a.len();
        a.copy_from_slice(&data[..a_len]);
        b.copy_from_slice(&data[a_len..fit]);
        self.len += fit;
        self.written += data.len() as u64;
        self.dropped += (data.len() - fit) as u64;
        data.len() - fit
    }

    /// Moves up to `out.len()` bytes into `out`; returns how many (host receive).
    #[inline]
    pub(crate) fn take_into(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.len);
        let (a, b) = self.oldest(n);
        out[..a.len()].copy_from_slice(a);
        out[a.len()..n].copy_from_slice(b);
        self.consume(n);
        n
    }

    /// Discards the oldest `n` pending bytes (`n <= len()`) as dropped: a datagram's rest that a host's
    /// receive buffer had no room for.
    pub(crate) fn discard(&mut self, n: usize) {
        let n = n.min(self.len);
        self.forget_starts(n);
        self.len -= n;
        self.head = if self.len == 0 { 0 } else { self.wrap(self.head + n) };
        self.dropped += n as u64;
    }

    /// Discards everything pending; returns how many bytes.
    pub(crate) fn purge(&mut self) -> usize {
        let n = self.len;
        self.starts.fill(0);
        self.len = 0;
        self.head = 0;
        self.purged += n as u64;
        n
    }

    pub(crate) fn accounting(&self) -> Accounting {
        Accounting {
            written: self.written,
            read: self.read,
            purged: self.purged,
            dropped: self.dropped,
            pending: self.len as u64,
        }
    }
}

/// The debug channel of one partition: its incoming (host-to-guest) and outgoing (guest-to-host) buffers
/// and the TEST_ACTIVITY mark. A VMM creates one per partition and hands it to
/// [`crate::debug_calls::dispatch`]; its host end is [`deliver`](Self::deliver) and
/// [`receive`](Self::receive).
pub struct DebugChannel {
    pub(crate) incoming: Buffer,
    pub(crate) outgoing: Buffer,
    /// Bytes that have arrived from the host, ever (the hypervisor's receive-activity counter).
    pub(crate) arrived: u64,
    /// `arrived` as of this partition's last retrieve attempt (its session copy of the counter).
    pub(crate) arrived_at_last_retrieve: u64,
    /// Bytes a modelled host would have written past an output page, which the model does not write.
    pub(crate) past_output_page: u64,
    /// Where a modelled host without buffers sends its rebuilt frames: the sender of the last posted one.
    pub(crate) peer: crate::hosts::frame::Peer,
}

impl core::fmt::Debug for DebugChannel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DebugChannel")
            .field("incoming", &self.incoming())
            .field("outgoing", &self.outgoing())
            .field("activity", &self.activity())
            .finish()
    }
}

impl DebugChannel {
    /// A channel whose buffers hold `incoming_capacity` and `outgoing_capacity` bytes, allocated now so
    /// that no hypercall allocates; `HV_STATUS_INSUFFICIENT_MEMORY` when they cannot be.
    ///
    /// The outgoing capacity should hold one maximal post (4088 bytes), or a post of that size can never
    /// succeed.
    pub fn new(incoming_capacity: usize, outgoing_capacity: usize) -> HvResult<Self> {
        Ok(Self {
            incoming: Buffer::new(incoming_capacity, true)?,
            outgoing: Buffer::new(outgoing_capacity, false)?,
            arrived: 0,
            arrived_at_last_retrieve: 0,
            past_output_page: 0,
            peer: crate::hosts::frame::Peer::default(),
        })
    }

    /// Bytes a modelled host (QEMU, VirtualBox) would have written past the output page, which the model
    /// counts and does not write: a datagram longer than the output page has room for after its header.
    #[must_use]
    pub fn bytes_past_output_page(&self) -> u64 {
        self.past_output_page
    }

    /// The guest sends one datagram (a post on a host without buffers): all of it, or nothing when the
    /// outgoing side has no room.
    pub(crate) fn send_datagram(&mut self, payload: &[u8]) -> bool {
        self.outgoing
            .append_with(payload.len(), |at, dst: &mut [u8]| {
                dst.copy_from_slice(&payload[at..at + dst.len()]);
                Ok::<(), ()>(())
            })
            .unwrap_or(false)
    }

    /// The guest receives the oldest datagram, or its first `buf.len()` bytes, into `buf` (a host whose
    /// receive buffer is smaller keeps the rest pending as the next chunk). `None` when nothing is pending.
    pub(crate) fn receive_chunk(&mut self, buf: &mut [u8]) -> Option<usize> {
        if self.incoming.len() == 0 {
            return None;
        }
        let room = self.incoming.first_datagram().min(buf.len());
        Some(self.incoming.take_into(&mut buf[..room]))
    }

    /// The guest receives the oldest whole datagram into `buf` (a retrieve on a host without buffers);
    /// what does not fit is lost, counted as dropped. `None` when nothing is pending.
    pub(crate) fn receive_datagram(&mut self, buf: &mut [u8]) -> Option<usize> {
        if self.incoming.len() == 0 {
            return None;
        }
        let len = self.incoming.first_datagram();
        let room = len.min(buf.len());
        let n = self.incoming.take_into(&mut buf[..room]);
        self.incoming.discard(len - n);
        Some(n)
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

    /// The host end: appends `data` to the incoming buffer; bytes beyond its free space are dropped and
    /// counted. Returns how many were dropped. Every byte counts as activity.
    ///
    /// This is the channel alone: whether the guest may use it (and resuming a VP waiting in
    /// `RETRIEVE_LOOP`) is the caller's, as [`crate::Hypervisor::deliver`] does it.
    #[inline]
    pub fn deliver(&mut self, data: &[u8]) -> usize {
        self.arrived += data.len() as u64;
        self.incoming.push_dropping(data)
    }

    /// The host end: moves up to `buf.len()` posted bytes into `buf`; returns how many.
    #[inline]
    pub fn receive(&mut self, buf: &mut [u8]) -> usize {
        self.outgoing.take_into(buf)
    }

    /// Discards both directions (partition reset, save, termination); the bytes count as purged.
    pub fn purge(&mut self) {
        self.incoming.purge();
        self.outgoing.purge();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn append(b: &mut Buffer, data: &[u8]) -> bool {
        b.append_with(data.len(), |at, dst: &mut [u8]| {
            dst.copy_from_slice(&data[at..at + dst.len()]);
            Ok::<(), ()>(())
        })
        .unwrap()
    }

    #[test]
    fn buffer_accounts_for_every_byte() {
        let mut b = Buffer::new(4, true).unwrap();
        assert!(append(&mut b, b"abc"));
        assert!(!append(&mut b, b"de"), "all or nothing");
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
    fn appends_and_takes_across_the_ring_seam() {
        let mut b = Buffer::new(4, true).unwrap();
        assert!(append(&mut b, b"abcd"));
        let mut out = [0u8; 3];
        b.take_into(&mut out);
        assert!(append(&mut b, b"efg"), "wraps: one byte at the end, two at the start");
        let mut pieces = Vec::new();
        b.take_with(4, |at, src: &[u8]| {
            pieces.push((at, src.to_vec()));
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(pieces, [(0, b"d".to_vec()), (1, b"efg".to_vec())]);
        assert_eq!(b.len(), 0);
    }

    #[test]
    fn a_failed_fill_or_drain_changes_nothing() {
        let mut b = Buffer::new(8, true).unwrap();
        assert_eq!(b.append_with(4, |_, _| Err("guest page gone")), Err("guest page gone"));
        assert_eq!(b.accounting(), Accounting::default());
        assert!(append(&mut b, b"abcd"));
        assert_eq!(b.take_with(4, |_, _| Err("output page gone")), Err("output page gone"));
        assert_eq!(b.len(), 4);
        let mut out = [0u8; 4];
        assert_eq!(b.take_into(&mut out), 4);
        assert_eq!(&out, b"abcd");
    }

    #[test]
    fn a_zero_capacity_buffer_takes_nothing_and_drops_everything() {
        let mut b = Buffer::new(0, true).unwrap();
        assert!(!append(&mut b, b"a"));
        assert!(append(&mut b, b""), "an empty post fits");
        assert_eq!(b.push_dropping(b"xy"), 2);
        assert_eq!(b.take_into(&mut [0; 4]), 0);
        assert!(b.accounting().balanced());
    }

    #[test]
    fn deliveries_keep_their_boundaries_across_the_ring_end() {
        let mut c = DebugChannel::new(8, 8).unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(c.deliver(b"abcde"), 0);
        assert_eq!(c.receive_datagram(&mut buf), Some(5));
        // These two wrap around the end of the 8-byte ring.
        assert_eq!(c.deliver(b"fgh"), 0);
        assert_eq!(c.deliver(b"ijkl"), 0);
        assert_eq!(c.receive_datagram(&mut buf), Some(3));
        assert_eq!(&buf[..3], b"fgh");
        // A receive buffer too small for the datagram: the rest is dropped, not handed out later.
        assert_eq!(c.receive_datagram(&mut buf[..2]), Some(2));
        assert_eq!(&buf[..2], b"ij");
        assert_eq!(c.receive_datagram(&mut buf), None);
        let incoming = c.incoming();
        assert_eq!((incoming.read, incoming.dropped, incoming.pending), (10, 2, 0));
        assert!(incoming.balanced());
    }

    /// Datagram boundaries against a list of deliveries, through wrap-around, partial takes (the
    /// reference's retrieve), drops and purges.
    #[test]
    fn datagram_boundaries_follow_the_deliveries() {
        let mut c = DebugChannel::new(50, 8).unwrap();
        let mut pending: alloc::collections::VecDeque<usize> = alloc::collections::VecDeque::new();
        let mut seed = 12345u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..5000 {
            match next(4) {
                0 => {
                    let len = next(30) as usize;
                    let free = 50 - c.incoming.len();
                    c.deliver(&alloc::vec![7u8; len]);
                    if len.min(free) > 0 {
                        pending.push_back(len.min(free));
                    }
                }
                1 => {
                    let mut buf = [0u8; 64];
                    assert_eq!(c.receive_datagram(&mut buf), pending.pop_front());
                }
                2 => {
                    // A partial take from the front, as the reference's retrieve does.
                    let n = (next(10) as usize).min(c.incoming.len());
                    let mut buf = [0u8; 10];
                    c.incoming.take_into(&mut buf[..n]);
                    let mut left = n;
                    while left > 0 {
                        let front = pending.front_mut().unwrap();
                        let k = left.min(*front);
                        *front -= k;
                        left -= k;
                        if *front == 0 {
                            pending.pop_front();
                        }
                    }
                }
                _ if next(20) == 0 => {
                    c.purge();
                    pending.clear();
                }
                _ => {}
            }
            assert_eq!(c.incoming.len(), pending.iter().sum::<usize>());
            assert_eq!(c.incoming.first_datagram(), pending.front().copied().unwrap_or(0));
        }
    }
}
