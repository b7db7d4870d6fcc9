//! The Ethernet/IPv4/UDP framing of the hypercall path on QEMU and VirtualBox: a post carries a whole frame
//! whose UDP payload the host sends, and a retrieve returns the payload in a frame the host rebuilds. Each
//! host parses posted frames its own way (QEMU loosely, VirtualBox strictly and only for port 0); the
//! rebuilt frames use `hv-guest`'s codec.

use hv_guest::transport::udp;
pub(crate) use hv_guest::transport::udp::{Endpoint, HEADER_LEN};

const ETHERTYPE_IPV4: [u8; 2] = [0x08, 0x00];
const PROTOCOL_UDP: u8 = 17;

/// What a host learned of the guest from its last posted UDP frame: where rebuilt frames go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Peer {
    /// The guest's IPv4 address (0.0.0.0 before any post).
    pub(crate) ip: [u8; 4],
    /// The guest's UDP port.
    pub(crate) port: u16,
}

/// QEMU's `get_udb_pkt_data`: an IPv4 EtherType and protocol UDP, the IPv4 header length taken from the
/// packet; the payload is everything after the UDP header (no length or checksum is checked). The
/// sender's address and port, and the payload.
pub(super) fn qemu_payload(frame: &[u8]) -> Option<(Peer, &[u8])> {
    if frame.get(12..14)? != ETHERTYPE_IPV4 || *frame.get(23)? != PROTOCOL_UDP {
        return None;
    }
    let udp = 14 + usize::from(frame.get(14)? & 0xF) * 4;
    let peer = Peer {
        ip: frame.get(26..30)?.try_into().ok()?,
        port: u16::from_be_bytes(frame.get(udp..udp + 2)?.try_into().ok()?),
    };
    Some((peer, frame.get(udp + 8..)?))
}

/// VirtualBox's `gimR3HvDebugWrite`: a valid IPv4 header and UDP length, and only a frame whose UDP
/// ports are both 0 is forwarded (the DHCP exchange it answers itself is not modelled).
pub(super) fn virtualbox_payload(frame: &[u8]) -> Option<&[u8]> {
    let parsed = udp::parse(frame).ok()?;
    (parsed.src.port == 0 && parsed.dst.port == 0).then_some(parsed.payload)
}

/// Builds the frame carrying `payload` from `host` to `to` into `out`; its length, or `None` when `out`
/// cannot hold it. (QEMU also fills in the UDP checksum, VirtualBox sets TTL 255; the codec writes TTL 64
/// and checksum 0, which no guest parser here checks.)
pub(super) fn to_guest(host: &Endpoint, to: Peer, payload: &[u8], out: &mut [u8]) -> Option<usize> {
    let guest = Endpoint {
        mac: [0; 6],
        ip: to.ip,
        port: to.port,
    };
    udp::build(host, &guest, payload, out).ok()
}
