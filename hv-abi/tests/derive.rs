//! What the derives generate, on small example types (the real ABI types are tested in their crates).

use hv_abi::layout::{Bitfield, BitfieldField, FieldLayout, Layout};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// A custom field type: the bitfield stores it through `from_bits`/`into_bits`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Kind(u8);
impl Kind {
    const fn from_bits(b: u8) -> Self {
        Self(b)
    }
    const fn into_bits(self) -> u8 {
        self.0
    }
}

#[hv_abi::bitfield(u16, tlfs = "HV_EXAMPLE_BITS")]
struct Example {
    /// The kind of thing.
    #[bits(0..=3, tlfs = "Kind")]
    kind: Kind,
    #[bits(4)]
    flag: bool,
    #[bits(5..=7)]
    reserved_z: Reserved,
    #[bits(8..=15)]
    high: u8,
}

#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, hv_abi::Layout)]
#[hv(tlfs = "HV_EXAMPLE", size = 16, align = 8)]
#[repr(C)]
struct Wire {
    #[hv(offset = 0, tlfs = "Base")]
    base: u64,
    #[hv(offset = 8)]
    limit: u32,
    #[hv(offset = 12, tlfs = "Bits")]
    bits: Example,
    #[hv(offset = 14)]
    pad: u16,
}

#[test]
fn bitfield_accessors_place_each_field_at_its_range() {
    let v = Example::new().with_kind(Kind(0xA)).with_flag(true).with_high(0x5C);
    assert_eq!(v.into_bits(), 0x5C1A);
    assert_eq!(v.kind(), Kind(0xA));
    assert!(v.flag());
    assert_eq!(v.high(), 0x5C);
    assert_eq!(Example::RESERVED_MASK, 0x00E0);
}

#[test]
fn builders_discard_bits_above_the_field_width_and_touch_nothing_else() {
    let v = Example::from_bits(0xFFFF).with_kind(Kind(0x13));
    assert_eq!(v.kind(), Kind(0x3));
    assert_eq!(v.into_bits(), 0xFFF3);
    let v = Example::from_bits(0xFFFF).with_flag(false);
    assert_eq!(v.into_bits(), 0xFFEF);
}

#[test]
fn reserved_bits_are_kept_and_reported() {
    let v = Example::from_bits(0x00A0);
    assert_eq!(v.reserved_bits(), 0x00A0);
    assert_eq!(v.with_high(1).into_bits(), 0x01A0);
    assert_eq!(
        format!("{v:?}"),
        "Example { kind: Kind(0), flag: false, high: 0, reserved_bits: 0xa0 }"
    );
    assert_eq!(
        format!("{:?}", Example::from_bits(0x0112)),
        "Example { kind: Kind(2), flag: true, high: 1 }"
    );
}

#[test]
fn bitfield_table_lists_every_range() {
    let t = Example::BITFIELD;
    assert_eq!((t.name, t.tlfs_name, t.width), ("Example", "HV_EXAMPLE_BITS", 16));
    assert_eq!(
        t.fields[0],
        BitfieldField {
            name: "kind",
            tlfs_name: "Kind",
            lsb: 0,
            msb: 3,
            reserved: false
        }
    );
    assert_eq!(
        t.fields[2],
        BitfieldField {
            name: "reserved_z",
            tlfs_name: "reserved_z",
            lsb: 5,
            msb: 7,
            reserved: true
        }
    );
    assert_eq!(t.fields.len(), 4);
    let masks: Vec<u64> = t.fields.iter().map(|f| f.mask()).collect();
    assert_eq!(masks, [0x000F, 0x0010, 0x00E0, 0xFF00]);
}

#[test]
fn layout_table_matches_the_declaration() {
    let t = Wire::TYPE_LAYOUT;
    assert_eq!((t.name, t.tlfs_name, t.size, t.align), ("Wire", "HV_EXAMPLE", 16, 8));
    assert_eq!(
        t.fields[0],
        FieldLayout {
            name: "base",
            tlfs_name: "Base",
            offset: 0,
            size: 8
        }
    );
    assert_eq!(
        t.fields[1],
        FieldLayout {
            name: "limit",
            tlfs_name: "limit",
            offset: 8,
            size: 4
        }
    );
    assert_eq!(
        t.fields[2],
        FieldLayout {
            name: "bits",
            tlfs_name: "Bits",
            offset: 12,
            size: 2
        }
    );
    let w = Wire::read_from_bytes(&[1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0x1A, 0x5C, 0, 0]).unwrap();
    assert_eq!((w.base, w.limit, w.bits.high(), w.pad), (1, 2, 0x5C, 0));
    assert_eq!(w.as_bytes()[12..14], [0x1A, 0x5C]);
}

#[test]
fn checked_builders_refuse_a_value_wider_than_its_field() {
    use hv_abi::layout::FieldOverflow;
    let v = Example::from_bits(0x00E0);
    assert_eq!(v.try_with_kind(Kind(0xF)).map(Example::into_bits), Ok(0x00EF));
    assert_eq!(
        v.try_with_kind(Kind(0x10)),
        Err(FieldOverflow {
            field: "kind",
            value: 0x10,
            bits: 4
        })
    );
    assert_eq!(v.try_with_high(0xFF).map(u16::from), Ok(0xFFE0));
    // The real case: a rep count of 0x1000 does not fit the 12-bit RepCount.
    let input = hv_abi::HypercallInput::new();
    let err = input.try_with_rep_count(0x1000).unwrap_err();
    assert_eq!(err.to_string(), "0x1000 does not fit the 12-bit field `rep_count`");
    assert_eq!(input.try_with_rep_count(0xFFF).unwrap().rep_count(), 0xFFF);
}

#[test]
fn bitfields_convert_to_and_from_their_integer() {
    let v: Example = 0x5C1A_u16.into();
    assert_eq!(v.kind(), Kind(0xA));
    assert_eq!(u16::from(v), 0x5C1A);
    let rax: u64 = hv_abi::HypercallOutput::from_status(hv_abi::HvStatus::NO_DATA).into();
    assert_eq!(rax, 0x1B);
}
