//! The Ethernet/IPv4/UDP framing of the hypercall path on QEMU and VirtualBox, with `hv-guest`'s frame
//! codec: a post carries a whole frame whose UDP payload the host sends, and a retrieve returns the payload
//! in a frame the host rebuilds. (A frame that codec refuses counts as not UDP; QEMU's own parser may
//! accept a little more, such as a bad IPv4 checksum.)

use hv_guest::transport::udp;
pub(crate) use hv_guest::transport::udp::{Endpoint, HEADER_LEN};

/// The guest as the hosts' rebuilt frames address it (QEMU's and VirtualBox's NAT guest address).
pub(crate) const GUEST: Endpoint = Endpoint {
    mac: [0; 6],
    ip: [10, 0, 2, 15],
    port: 50000,
};

/// The UDP payload of an Ethernet II / IPv4 / UDP frame, or `None` for any other frame.
pub(super) fn payload(frame: &[u8]) -> Option<&[u8]> {
    udp::parse(frame).ok().map(|f| f.payload)
}

/// Builds the frame carrying `payload` from `host` to the guest into `out`; its length, or `None` when
/// `out` cannot hold it.
pub(super) fn to_guest(host: &Endpoint, payload: &[u8], out: &mut [u8]) -> Option<usize> {
    udp::build(host, &GUEST, payload, out).ok()
}
