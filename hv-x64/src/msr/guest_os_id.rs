//! `HV_X64_MSR_GUEST_OS_ID`: the guest's identity, in either of its two encodings.

use hv_abi::{bitfield, open_enum};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// The value of `HV_X64_MSR_GUEST_OS_ID`. Bit 63 says which encoding the rest uses: 0 for a proprietary
/// OS ([`GuestOsIdMicrosoft`]), 1 for an open-source one ([`GuestOsIdOpenSource`]). Zero means "not set";
/// the hypercall page cannot be enabled until the guest writes a nonzero value.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct GuestOsId(pub u64);

hv_abi::arbitrary_from_bytes!(GuestOsId);

impl GuestOsId {
    /// `true` once the guest has written a nonzero value.
    #[must_use]
    pub const fn is_set(self) -> bool {
        self.0 != 0
    }

    /// The proprietary encoding, when bit 63 is clear.
    #[must_use]
    pub const fn microsoft(self) -> Option<GuestOsIdMicrosoft> {
        if self.0 >> 63 == 0 {
            Some(GuestOsIdMicrosoft::from_bits(self.0))
        } else {
            None
        }
    }

    /// The open-source encoding, when bit 63 is set.
    #[must_use]
    pub const fn open_source(self) -> Option<GuestOsIdOpenSource> {
        if self.0 >> 63 == 1 {
            Some(GuestOsIdOpenSource::from_bits(self.0))
        } else {
            None
        }
    }
}

/// `HV_X64_MSR_GUEST_OS_ID_CONTENTS`, the proprietary encoding (2013 WDK ff541252, as published:
/// `VendorId` is bits 63:48). OpenVMM's `HvGuestOsMicrosoft` notes that the top bit of the vendor id must
/// be zero, since bit 63 set selects the open-source encoding; [`GuestOsId::microsoft`] returns this view
/// only then.
#[bitfield(u64, tlfs = "HV_X64_MSR_GUEST_OS_ID_CONTENTS")]
pub struct GuestOsIdMicrosoft {
    /// Build number.
    #[bits(0..=15, tlfs = "BuildNumber")]
    pub build_number: u16,
    /// Service pack number.
    #[bits(16..=23, tlfs = "ServiceVersion")]
    pub service_version: u8,
    /// Minor version.
    #[bits(24..=31, tlfs = "MinorVersion")]
    pub minor_version: u8,
    /// Major version.
    #[bits(32..=39, tlfs = "MajorVersion")]
    pub major_version: u8,
    /// OS variant; Microsoft's are `HV_GUEST_OS_MICROSOFT_IDS` (4 = Windows NT).
    #[bits(40..=47, tlfs = "OsId")]
    pub os_id: u8,
    /// Vendor (1 = Microsoft; 0 reserved).
    #[bits(48..=63, tlfs = "VendorId")]
    pub vendor_id: u16,
}

/// The open-source OS types of [`GuestOsIdOpenSource::os_type`], named as OpenVMM's `HvGuestOsOpenSourceType`
/// names them (no C header names them).
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct OpenSourceOsType(u8);

#[open_enum(u8, prefix = "")]
impl OpenSourceOsType {
    /// Undefined.
    pub const UNDEFINED: Self = Self(0);
    /// Linux.
    pub const LINUX: Self = Self(1);
    /// FreeBSD.
    pub const FREEBSD: Self = Self(2);
    /// Xen.
    pub const XEN: Self = Self(3);
    /// illumos.
    pub const ILLUMOS: Self = Self(4);
}

/// The open-source encoding of `HV_X64_MSR_GUEST_OS_ID` (TLFS; OpenVMM `HvGuestOsOpenSource`; Linux
/// `hvgdk.h`, which writes `HV_LINUX_VENDOR_ID` 0x8100 into bits 63:48).
#[bitfield(u64, tlfs = "HV_X64_MSR_GUEST_OS_ID")]
pub struct GuestOsIdOpenSource {
    /// Build number (Linux: distribution-specific).
    #[bits(0..=15, tlfs = "BuildNumber")]
    pub build_number: u16,
    /// Version (Linux: the kernel version, `LINUX_VERSION_CODE`).
    #[bits(16..=47, tlfs = "Version")]
    pub version: u32,
    /// OS id (Linux: distribution-specific).
    #[bits(48..=55, tlfs = "OsId")]
    pub os_id: u8,
    /// The OS type.
    #[bits(56..=62, tlfs = "OsType")]
    pub os_type: OpenSourceOsType,
    /// 1 in this encoding.
    #[bits(63, tlfs = "OpenSource")]
    pub open_source: bool,
}

impl GuestOsIdOpenSource {
    /// What Linux writes: open source, OS type Linux, and its kernel version in bits 47:16
    /// (`hv_generate_guest_id`).
    #[must_use]
    pub const fn linux(kernel_version: u32) -> Self {
        Self::new()
            .with_open_source(true)
            .with_os_type(OpenSourceOsType::LINUX)
            .with_version(kernel_version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_encodings() {
        // Linux: HV_LINUX_VENDOR_ID (0x8100) << 48 | kernel version << 16.
        let linux = GuestOsId(0x8100_0006_0800_0000);
        let os = linux.open_source().unwrap();
        assert_eq!((os.os_type(), os.version()), (OpenSourceOsType::LINUX, 0x0006_0800));
        assert!(linux.microsoft().is_none());
        assert_eq!(GuestOsIdOpenSource::linux(0x0006_0800).into_bits(), linux.0);
        // Windows 10 (NT 10.0, build 19041) from Microsoft (vendor 1, OS id 4).
        let windows = GuestOsId(0x0001_040A_0000_4A61);
        let ms = windows.microsoft().unwrap();
        assert_eq!(
            (ms.vendor_id(), ms.os_id(), ms.major_version(), ms.build_number()),
            (1, 4, 10, 19041)
        );
        assert!(windows.open_source().is_none() && windows.is_set() && !GuestOsId(0).is_set());
    }
}
