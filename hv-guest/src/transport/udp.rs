//! Ethernet II / IPv4 / UDP framing, as QEMU's `hv-syndbg` device wants it on the hypercall path: a post
//! carries one whole frame, and a retrieve returns one (real-hosts.md rows 18 and 20).
//!
//! A frame here is exactly [`HEADER_LEN`] = 42 header bytes and the payload:
//!
//! | bytes | field | written by [`build`] |
//! |---|---|---|
//! | 0-5, 6-11 | Ethernet II destination, source MAC (IEEE 802.3) | the endpoints' MACs |
//! | 12-13 | EtherType | 0x0800, IPv4 (RFC 894) |
//! | 14 | IPv4 version and IHL (RFC 791) | 4 and 5: no options |
//! | 15 | type of service | 0 |
//! | 16-17 | total length | 28 + payload length |
//! | 18-19, 20-21 | identification, flags and fragment offset | 0, 0: not a fragment |
//! | 22 | time to live | 64 (RFC 1122's recommended default) |
//! | 23 | protocol | 17, UDP |
//! | 24-25 | header checksum (RFC 1071) | over bytes 14-33 |
//! | 26-29, 30-33 | source, destination address | the endpoints' addresses |
//! | 34-35, 36-37 | UDP source, destination port (RFC 768) | the endpoints' ports |
//! | 38-39 | UDP length | 8 + payload length |
//! | 40-41 | UDP checksum | 0: "no checksum", which RFC 768 allows over IPv4 |
//!
//! [`build`] adds no Ethernet padding up to the 60-byte minimum: QEMU sends `Count − 42` bytes of a post
//! as the datagram, whatever the IPv4 lengths say (`syndbg.c:71-98,118-123`), so padding would reach the
//! debugger as payload.
//!
//! [`parse`] accepts exactly what a well-formed IHL-5 frame is and refuses everything else with a
//! [`FrameError`] that names the field: IPv4 options (IHL ≠ 5) are refused rather than skipped, because
//! no host on this path sends them (QEMU and VirtualBox rebuild IHL-5 headers) and a fixed 42-byte header
//! keeps the payload where the transport expects it. A frame longer than its IPv4 total length is accepted
//! only as Ethernet padding of a frame of at most 60 bytes. A nonzero UDP checksum is verified (QEMU
//! computes one, `net/checksum.c`); zero means none.
//!
//! ```
//! use hv_guest::transport::udp::{self, Endpoint};
//!
//! let guest = Endpoint { mac: [2, 0, 0, 0, 0, 1], ip: [10, 0, 2, 15], port: 50001 };
//! let debugger = Endpoint { mac: [0; 6], ip: [10, 0, 2, 2], port: 50000 };
//! let mut out = [0u8; 64];
//! let len = udp::build(&guest, &debugger, b"hello", &mut out)?;
//! assert_eq!(len, udp::HEADER_LEN + 5);
//! let frame = udp::parse(&out[..len])?;
//! assert_eq!((frame.src, frame.dst, frame.payload), (guest, debugger, &b"hello"[..]));
//! # Ok::<(), udp::FrameError>(())
//! ```

use core::fmt;

/// The header bytes before the payload: Ethernet II (14), IPv4 without options (20), UDP (8).
pub const HEADER_LEN: usize = ETHERNET_LEN + IPV4_LEN + UDP_LEN;

/// The largest UDP payload an IPv4 datagram carries: a 65535-byte total length less the IPv4 and UDP
/// headers (RFC 791, RFC 768).
pub const MAX_UDP_PAYLOAD: usize = u16::MAX as usize - IPV4_LEN - UDP_LEN;

/// The Ethernet II header: destination MAC, source MAC, EtherType.
const ETHERNET_LEN: usize = 14;
/// The IPv4 header without options (IHL 5).
const IPV4_LEN: usize = 20;
/// The UDP header.
const UDP_LEN: usize = 8;
/// The shortest Ethernet frame without its FCS (IEEE 802.3); shorter frames are padded to it.
const ETHERNET_MIN_FRAME: usize = 60;
/// EtherType IPv4 (RFC 894).
const ETHERTYPE_IPV4: u16 = 0x0800;
/// IPv4 protocol number of UDP (RFC 768).
const PROTOCOL_UDP: u8 = 17;
/// Time to live of a built frame (RFC 1122 §3.2.1.7 recommends 64).
const TTL: u8 = 64;
/// The IPv4 "more fragments" flag and the 13-bit fragment offset.
const MORE_FRAGMENTS_OR_OFFSET: u16 = 0x3FFF;

// Offsets into the frame.
const ETHERTYPE: usize = 12;
const IP: usize = ETHERNET_LEN;
const IP_TOTAL_LENGTH: usize = IP + 2;
const IP_FRAGMENT: usize = IP + 6;
const IP_TTL: usize = IP + 8;
const IP_PROTOCOL: usize = IP + 9;
const IP_CHECKSUM: usize = IP + 10;
const IP_SRC: usize = IP + 12;
const IP_DST: usize = IP + 16;
const UDP: usize = IP + IPV4_LEN;
const UDP_LENGTH: usize = UDP + 4;
const UDP_CHECKSUM: usize = UDP + 6;

/// One end of a UDP conversation: an Ethernet MAC address (IEEE 802), an IPv4 address (RFC 791) and a
/// UDP port (RFC 768, host byte order here; big-endian on the wire).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// The MAC address.
    pub mac: [u8; 6],
    /// The IPv4 address, in wire order (`[10, 0, 2, 15]` is 10.0.2.15).
    pub ip: [u8; 4],
    /// The UDP port.
    pub port: u16,
}

/// A frame [`parse`] accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The sender: Ethernet source MAC, IPv4 source address, UDP source port.
    pub src: Endpoint,
    /// The receiver: Ethernet destination MAC, IPv4 destination address, UDP destination port.
    pub dst: Endpoint,
    /// The UDP payload.
    pub payload: &'a [u8],
}

/// Why a frame could not be built or was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// [`build`]: the payload is longer than one IPv4 datagram carries ([`MAX_UDP_PAYLOAD`]).
    PayloadTooLong {
        /// The payload's length.
        len: usize,
    },
    /// [`build`]: the output buffer cannot hold the frame.
    BufferTooSmall {
        /// The frame's length.
        needed: usize,
        /// The buffer's length.
        len: usize,
    },
    /// The frame is shorter than the 42 header bytes.
    TooShort {
        /// The frame's length.
        len: usize,
    },
    /// The EtherType is not IPv4 (0x0800).
    NotIpv4 {
        /// The EtherType found.
        ethertype: u16,
    },
    /// The IP version field is not 4.
    IpVersion {
        /// The version found.
        version: u8,
    },
    /// The IPv4 header has options (IHL is not 5), which this framing does not carry.
    Ipv4Options {
        /// The IHL found, in 32-bit words.
        ihl: u8,
    },
    /// The IPv4 header checksum is wrong.
    Ipv4Checksum {
        /// The checksum in the header.
        found: u16,
        /// The checksum of the header's contents.
        expected: u16,
    },
    /// The IPv4 total length disagrees with the frame: shorter than the IPv4 and UDP headers, longer
    /// than the frame, or shorter than the frame by more than Ethernet padding.
    Ipv4Length {
        /// The IPv4 total length.
        total_length: u16,
        /// The frame's length (Ethernet header included).
        frame_len: usize,
    },
    /// The datagram is a fragment (more-fragments flag or a fragment offset), which cannot be
    /// reassembled here.
    Fragment {
        /// The flags and fragment offset field.
        flags_and_offset: u16,
    },
    /// The IPv4 protocol is not UDP (17).
    NotUdp {
        /// The protocol number found.
        protocol: u8,
    },
    /// The UDP length disagrees with the IPv4 payload length.
    UdpLength {
        /// The UDP length field.
        udp_length: u16,
        /// The IPv4 total length less the IPv4 header.
        ip_payload_length: u16,
    },
    /// The UDP checksum is nonzero and wrong.
    UdpChecksum {
        /// The checksum in the header.
        found: u16,
        /// The checksum of the pseudo-header, UDP header and payload.
        expected: u16,
    },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::PayloadTooLong { len } => {
                write!(
                    f,
                    "a {len}-byte payload exceeds the {MAX_UDP_PAYLOAD} bytes a UDP/IPv4 datagram carries"
                )
            }
            Self::BufferTooSmall { needed, len } => {
                write!(f, "the frame needs {needed} bytes, the buffer has {len}")
            }
            Self::TooShort { len } => write!(f, "a {len}-byte frame is shorter than the {HEADER_LEN} header bytes"),
            Self::NotIpv4 { ethertype } => write!(f, "EtherType {ethertype:#06x} is not IPv4 (0x0800)"),
            Self::IpVersion { version } => write!(f, "IP version {version} is not 4"),
            Self::Ipv4Options { ihl } => write!(f, "IPv4 IHL {ihl} is not 5 (options are not carried)"),
            Self::Ipv4Checksum { found, expected } => {
                write!(f, "IPv4 header checksum {found:#06x}, expected {expected:#06x}")
            }
            Self::Ipv4Length {
                total_length,
                frame_len,
            } => {
                write!(
                    f,
                    "IPv4 total length {total_length} does not fit a {frame_len}-byte frame"
                )
            }
            Self::Fragment { flags_and_offset } => {
                write!(f, "an IPv4 fragment (flags and offset {flags_and_offset:#06x})")
            }
            Self::NotUdp { protocol } => write!(f, "IPv4 protocol {protocol} is not UDP (17)"),
            Self::UdpLength {
                udp_length,
                ip_payload_length,
            } => write!(f, "UDP length {udp_length}, IPv4 payload length {ip_payload_length}"),
            Self::UdpChecksum { found, expected } => write!(f, "UDP checksum {found:#06x}, expected {expected:#06x}"),
        }
    }
}

impl core::error::Error for FrameError {}

/// Writes the frame that carries `payload` from `src` to `dst` to the start of `out` and returns its
/// length, [`HEADER_LEN`] + `payload.len()`. The layout is in the [module documentation](self).
///
/// # Errors
///
/// [`FrameError::PayloadTooLong`] beyond [`MAX_UDP_PAYLOAD`] bytes, [`FrameError::BufferTooSmall`] if
/// `out` is shorter than the frame. Nothing is written then.
pub fn build(src: &Endpoint, dst: &Endpoint, payload: &[u8], out: &mut [u8]) -> Result<usize, FrameError> {
    if payload.len() > MAX_UDP_PAYLOAD {
        return Err(FrameError::PayloadTooLong { len: payload.len() });
    }
    let needed = HEADER_LEN + payload.len();
    let Some(frame) = out.get_mut(..needed) else {
        return Err(FrameError::BufferTooSmall { needed, len: out.len() });
    };
    // Both fit 16 bits: the payload is at most 65507 bytes.
    let ip_total = (IPV4_LEN + UDP_LEN + payload.len()) as u16;
    let udp_length = (UDP_LEN + payload.len()) as u16;

    frame[..6].copy_from_slice(&dst.mac);
    frame[6..12].copy_from_slice(&src.mac);
    put16(frame, ETHERTYPE, ETHERTYPE_IPV4);
    frame[IP] = 0x45; // version 4, IHL 5
    frame[IP + 1] = 0; // type of service
    put16(frame, IP_TOTAL_LENGTH, ip_total);
    put16(frame, IP + 4, 0); // identification
    put16(frame, IP_FRAGMENT, 0);
    frame[IP_TTL] = TTL;
    frame[IP_PROTOCOL] = PROTOCOL_UDP;
    put16(frame, IP_CHECKSUM, 0);
    frame[IP_SRC..IP_SRC + 4].copy_from_slice(&src.ip);
    frame[IP_DST..IP_DST + 4].copy_from_slice(&dst.ip);
    let checksum = !fold(sum(&frame[IP..UDP]));
    put16(frame, IP_CHECKSUM, checksum);
    put16(frame, UDP, src.port);
    put16(frame, UDP + 2, dst.port);
    put16(frame, UDP_LENGTH, udp_length);
    put16(frame, UDP_CHECKSUM, 0);
    frame[HEADER_LEN..].copy_from_slice(payload);
    Ok(needed)
}

/// Checks `frame` and returns its endpoints and payload. The checks, in this order, each with its
/// [`FrameError`]: at least 42 bytes, EtherType IPv4, version 4, IHL 5, the IPv4 header checksum, the
/// total length against the frame (Ethernet padding allowed up to 60 bytes), not a fragment, protocol
/// UDP, the UDP length against the IPv4 length, and a nonzero UDP checksum.
///
/// # Errors
///
/// The first check that fails.
pub fn parse(frame: &[u8]) -> Result<Frame<'_>, FrameError> {
    if frame.len() < HEADER_LEN {
        return Err(FrameError::TooShort { len: frame.len() });
    }
    let ethertype = get16(frame, ETHERTYPE);
    if ethertype != ETHERTYPE_IPV4 {
        return Err(FrameError::NotIpv4 { ethertype });
    }
    let version = frame[IP] >> 4;
    if version != 4 {
        return Err(FrameError::IpVersion { version });
    }
    let ihl = frame[IP] & 0xF;
    if ihl != 5 {
        return Err(FrameError::Ipv4Options { ihl });
    }
    let header = &frame[IP..UDP];
    if fold(sum(header)) != 0xFFFF {
        let found = get16(frame, IP_CHECKSUM);
        let expected = !fold(sum(header) - u64::from(found));
        return Err(FrameError::Ipv4Checksum { found, expected });
    }
    let total_length = get16(frame, IP_TOTAL_LENGTH);
    let ip_end = ETHERNET_LEN + usize::from(total_length);
    let padded = ip_end < frame.len() && frame.len() > ETHERNET_MIN_FRAME;
    if usize::from(total_length) < IPV4_LEN + UDP_LEN || ip_end > frame.len() || padded {
        return Err(FrameError::Ipv4Length {
            total_length,
            frame_len: frame.len(),
        });
    }
    let flags_and_offset = get16(frame, IP_FRAGMENT);
    if flags_and_offset & MORE_FRAGMENTS_OR_OFFSET != 0 {
        return Err(FrameError::Fragment { flags_and_offset });
    }
    let protocol = frame[IP_PROTOCOL];
    if protocol != PROTOCOL_UDP {
        return Err(FrameError::NotUdp { protocol });
    }
    let udp_length = get16(frame, UDP_LENGTH);
    let ip_payload_length = total_length - IPV4_LEN as u16;
    if udp_length != ip_payload_length {
        return Err(FrameError::UdpLength {
            udp_length,
            ip_payload_length,
        });
    }
    let udp = &frame[UDP..ip_end];
    let found = get16(frame, UDP_CHECKSUM);
    if found != 0 {
        // RFC 768: the pseudo-header (addresses, protocol, UDP length), then the UDP header and data.
        let pseudo = sum(&frame[IP_SRC..UDP]) + u64::from(PROTOCOL_UDP) + u64::from(udp_length);
        let all = pseudo + sum(udp);
        if fold(all) != 0xFFFF {
            // A computed 0 is sent as 0xFFFF (RFC 768): 0 means "no checksum".
            let expected = match !fold(all - u64::from(found)) {
                0 => 0xFFFF,
                c => c,
            };
            return Err(FrameError::UdpChecksum { found, expected });
        }
    }
    let endpoint = |mac: usize, ip: usize, port: usize| Endpoint {
        mac: [
            frame[mac],
            frame[mac + 1],
            frame[mac + 2],
            frame[mac + 3],
            frame[mac + 4],
            frame[mac + 5],
        ],
        ip: [frame[ip], frame[ip + 1], frame[ip + 2], frame[ip + 3]],
        port: get16(frame, port),
    };
    Ok(Frame {
        src: endpoint(6, IP_SRC, UDP),
        dst: endpoint(0, IP_DST, UDP + 2),
        payload: &udp[UDP_LEN..],
    })
}

/// The big-endian 16-bit field at `at`.
fn get16(frame: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([frame[at], frame[at + 1]])
}

/// Stores `value` big-endian at `at`.
fn put16(frame: &mut [u8], at: usize, value: u16) {
    frame[at..at + 2].copy_from_slice(&value.to_be_bytes());
}

/// The RFC 1071 sum of `data` as big-endian 16-bit words (an odd last byte padded with zero), unfolded.
fn sum(data: &[u8]) -> u64 {
    data.chunks(2)
        .map(|w| u64::from(u16::from_be_bytes([w[0], w.get(1).copied().unwrap_or(0)])))
        .sum()
}

/// Folds the carries of a sum back into 16 bits (one's-complement addition).
fn fold(mut sum: u64) -> u16 {
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    sum as u16
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::vec;
    use std::vec::Vec;

    use proptest::prelude::*;

    use super::*;

    const GUEST: Endpoint = Endpoint {
        mac: [2, 0, 0, 0, 0, 1],
        ip: [10, 0, 2, 15],
        port: 50001,
    };
    const DEBUGGER: Endpoint = Endpoint {
        mac: [0x52, 0x54, 0, 0x12, 0x34, 0x56],
        ip: [10, 0, 2, 2],
        port: 50000,
    };

    fn frame(payload: &[u8]) -> Vec<u8> {
        let mut out = vec![0; HEADER_LEN + payload.len()];
        assert_eq!(build(&GUEST, &DEBUGGER, payload, &mut out), Ok(out.len()));
        out
    }

    /// Recomputes the IPv4 header checksum after an edit, so that the next check is the one under test.
    fn fix_ip_checksum(frame: &mut [u8]) {
        put16(frame, IP_CHECKSUM, 0);
        let c = !fold(sum(&frame[IP..UDP]));
        put16(frame, IP_CHECKSUM, c);
    }

    #[test]
    fn build_writes_every_header_field() {
        let f = frame(b"abc");
        #[rustfmt::skip]
        let expected: [u8; 42] = [
            0x52, 0x54, 0, 0x12, 0x34, 0x56, 2, 0, 0, 0, 0, 1, 0x08, 0x00, // Ethernet
            0x45, 0, 0, 31, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 2, 15, 10, 0, 2, 2, // IPv4, checksum below
            0xC3, 0x51, 0xC3, 0x50, 0, 11, 0, 0, // UDP: 50001 -> 50000, length 11, no checksum
        ];
        assert_eq!(&f[..24], &expected[..24]);
        assert_eq!(&f[26..42], &expected[26..]);
        assert_eq!(&f[42..], b"abc");
        // The checksum by hand: the header's words summed with carries folded, then complemented.
        let words = [0x4500u32, 31, 0, 0, 0x4011, 0, 0x0A00, 0x020F, 0x0A00, 0x0202];
        let mut s: u32 = words.iter().sum();
        s = (s & 0xFFFF) + (s >> 16);
        assert_eq!(get16(&f, IP_CHECKSUM), !(s as u16));
    }

    #[test]
    fn build_refuses_what_does_not_fit() {
        let mut out = [0xEEu8; 44];
        let got = build(&GUEST, &DEBUGGER, b"abc", &mut out);
        assert_eq!(got, Err(FrameError::BufferTooSmall { needed: 45, len: 44 }));
        assert_eq!(out, [0xEE; 44], "nothing is written");
        let big = vec![0; MAX_UDP_PAYLOAD + 1];
        let mut out = vec![0; big.len() + HEADER_LEN];
        let got = build(&GUEST, &DEBUGGER, &big, &mut out);
        assert_eq!(
            got,
            Err(FrameError::PayloadTooLong {
                len: MAX_UDP_PAYLOAD + 1
            })
        );
        // The largest payload fits, with total length 65535.
        let got = build(&GUEST, &DEBUGGER, &big[1..], &mut out);
        assert_eq!(got, Ok(out.len() - 1));
        assert_eq!(get16(&out, IP_TOTAL_LENGTH), 0xFFFF);
        assert_eq!(
            parse(&out[..out.len() - 1]).map(|f| f.payload.len()),
            Ok(MAX_UDP_PAYLOAD)
        );
    }

    #[test]
    fn parse_refuses_each_malformation_with_its_own_error() {
        let good = frame(b"payload");
        let refuse = |edit: &dyn Fn(&mut Vec<u8>)| {
            let mut f = good.clone();
            edit(&mut f);
            parse(&f).unwrap_err()
        };
        assert_eq!(refuse(&|f| f.truncate(41)), FrameError::TooShort { len: 41 });
        assert_eq!(
            refuse(&|f| put16(f, ETHERTYPE, 0x86DD)),
            FrameError::NotIpv4 { ethertype: 0x86DD }
        );
        assert_eq!(refuse(&|f| f[IP] = 0x65), FrameError::IpVersion { version: 6 });
        assert_eq!(refuse(&|f| f[IP] = 0x46), FrameError::Ipv4Options { ihl: 6 });
        let found = get16(&good, IP_CHECKSUM);
        assert_eq!(
            refuse(&|f| put16(f, IP_CHECKSUM, found ^ 1)),
            FrameError::Ipv4Checksum {
                found: found ^ 1,
                expected: found
            }
        );
        assert_eq!(
            refuse(&|f| f[IP + 1] = 1),
            FrameError::Ipv4Checksum {
                found,
                expected: found - 1
            },
            "a changed header field breaks the checksum"
        );
        let length = |total: u16| {
            move |f: &mut Vec<u8>| {
                put16(f, IP_TOTAL_LENGTH, total);
                fix_ip_checksum(f);
            }
        };
        let ipv4_length = |total_length| FrameError::Ipv4Length {
            total_length,
            frame_len: 49,
        };
        assert_eq!(refuse(&length(36)), ipv4_length(36), "longer than the frame");
        assert_eq!(refuse(&length(27)), ipv4_length(27), "shorter than the headers");
        assert_eq!(
            refuse(&|f| {
                put16(f, IP_FRAGMENT, 0x2000);
                fix_ip_checksum(f);
            }),
            FrameError::Fragment {
                flags_and_offset: 0x2000
            }
        );
        assert_eq!(
            refuse(&|f| {
                f[IP_PROTOCOL] = 6;
                fix_ip_checksum(f);
            }),
            FrameError::NotUdp { protocol: 6 }
        );
        assert_eq!(
            refuse(&|f| put16(f, UDP_LENGTH, 14)),
            FrameError::UdpLength {
                udp_length: 14,
                ip_payload_length: 15
            }
        );
    }

    #[test]
    fn ethernet_padding_is_allowed_only_up_to_the_minimum_frame() {
        let mut f = frame(b"hi");
        f.resize(ETHERNET_MIN_FRAME, 0);
        assert_eq!(parse(&f).map(|f| f.payload), Ok(&b"hi"[..]), "padded to 60 bytes");
        f.push(0);
        assert_eq!(
            parse(&f),
            Err(FrameError::Ipv4Length {
                total_length: 30,
                frame_len: 61
            })
        );
        let mut f = frame(&[7; 40]);
        f.push(0);
        assert_eq!(
            parse(&f),
            Err(FrameError::Ipv4Length {
                total_length: 68,
                frame_len: 83
            })
        );
    }

    #[test]
    fn udp_checksum_is_verified_when_present() {
        // A frame as QEMU rebuilds it (syndbg.c create_udp_pkt), with its UDP checksum:
        // 10.0.2.2:50000 -> 10.0.2.15:50000, payload "abc".
        let src = Endpoint {
            mac: [0; 6],
            port: 50000,
            ..DEBUGGER
        };
        let dst = Endpoint {
            mac: [0; 6],
            port: 50000,
            ..GUEST
        };
        let mut f = vec![0; HEADER_LEN + 3];
        build(&src, &dst, b"abc", &mut f).unwrap();
        // By hand: pseudo-header 0x0A00 + 0x0202 + 0x0A00 + 0x020F + 17 + 11, UDP header 0xC350 + 0xC350
        // + 11, data 0x6162 + 0x6300.
        let words = [
            0x0A00u32, 0x0202, 0x0A00, 0x020F, 17, 11, 0xC350, 0xC350, 11, 0x6162, 0x6300,
        ];
        let mut s: u32 = words.iter().sum();
        while s > 0xFFFF {
            s = (s & 0xFFFF) + (s >> 16);
        }
        let checksum = !(s as u16);
        put16(&mut f, UDP_CHECKSUM, checksum);
        assert_eq!(parse(&f).map(|f| f.payload), Ok(&b"abc"[..]));
        put16(&mut f, UDP_CHECKSUM, checksum ^ 0x100);
        assert_eq!(
            parse(&f),
            Err(FrameError::UdpChecksum {
                found: checksum ^ 0x100,
                expected: checksum
            })
        );
        put16(&mut f, UDP_CHECKSUM, checksum);
        f[HEADER_LEN] ^= 1;
        assert!(
            matches!(parse(&f), Err(FrameError::UdpChecksum { .. })),
            "a changed payload byte"
        );
    }

    #[test]
    fn every_error_says_what_was_wrong() {
        let text = std::format!(
            "{}",
            FrameError::Ipv4Checksum {
                found: 0x1234,
                expected: 0x4321
            }
        );
        assert_eq!(text, "IPv4 header checksum 0x1234, expected 0x4321");
        let text = std::format!("{}", FrameError::NotIpv4 { ethertype: 0x0806 });
        assert_eq!(text, "EtherType 0x0806 is not IPv4 (0x0800)");
    }

    fn endpoint() -> impl Strategy<Value = Endpoint> {
        (any::<[u8; 6]>(), any::<[u8; 4]>(), any::<u16>()).prop_map(|(mac, ip, port)| Endpoint { mac, ip, port })
    }

    proptest! {
        #[test]
        fn build_then_parse_round_trips(
            src in endpoint(),
            dst in endpoint(),
            payload in proptest::collection::vec(any::<u8>(), 0..5000),
        ) {
            let mut out = vec![0; HEADER_LEN + payload.len() + 7];
            let len = build(&src, &dst, &payload, &mut out).unwrap();
            prop_assert_eq!(len, HEADER_LEN + payload.len());
            let got = parse(&out[..len]).unwrap();
            prop_assert_eq!(got, Frame { src, dst, payload: &payload });
        }

        #[test]
        fn parse_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse(&bytes);
        }

        #[test]
        fn parse_of_a_damaged_frame_never_panics_and_accepts_only_consistent_frames(
            payload in proptest::collection::vec(any::<u8>(), 0..100),
            damage in proptest::collection::vec((0usize..150, any::<u8>()), 0..4),
            len in 0usize..160,
        ) {
            let mut bytes = frame(&payload);
            for (at, value) in damage {
                if let Some(b) = bytes.get_mut(at) {
                    *b = value;
                }
            }
            bytes.resize(len, 0);
            if let Ok(f) = parse(&bytes) {
                // Whatever it accepts builds back to the same bytes, up to the fields build fixes
                // (type of service, identification, flags, TTL, UDP checksum) and padding.
                let mut again = vec![0; HEADER_LEN + f.payload.len()];
                build(&f.src, &f.dst, f.payload, &mut again).unwrap();
                prop_assert_eq!(&again[..IP + 1], &bytes[..IP + 1]);
                prop_assert_eq!(&again[IP_SRC..UDP_CHECKSUM], &bytes[IP_SRC..UDP_CHECKSUM]);
                prop_assert_eq!(&again[HEADER_LEN..], f.payload);
            }
        }

        #[test]
        fn a_flipped_bit_in_a_checked_header_field_is_refused(
            payload in proptest::collection::vec(any::<u8>(), 0..100),
            byte in 12usize..40,
            bit in 0u8..8,
        ) {
            let mut f = frame(&payload);
            f[byte] ^= 1 << bit;
            // Every header byte from the EtherType on is checked, except the UDP ports (free) and
            // type of service, identification and TTL (covered by the IPv4 checksum).
            if !(UDP..UDP + 4).contains(&byte) {
                prop_assert!(parse(&f).is_err(), "byte {} bit {} accepted", byte, bit);
            }
        }
    }
}
