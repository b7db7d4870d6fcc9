//! Layout tables: each wire struct's and bitfield's published shape, as the compiler checked it.
//!
//! [`Layout`] and [`Bitfield`] are implemented by `#[derive(Layout)]` and `#[bitfield]` from
//! `hv-abi-derive`; the tables feed the C cross-check, the tests and `hvtool abi`.

/// One field of a wire struct.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldLayout {
    /// The Rust field name.
    pub name: &'static str,
    /// The field's name in the TLFS / C headers (`Rip`, `CsSegment`).
    pub tlfs_name: &'static str,
    /// Offset from the start of the struct in bytes (checked against `offset_of!`).
    pub offset: usize,
    /// Size of the field in bytes.
    pub size: usize,
}

/// A wire struct's published layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeLayout {
    /// The Rust type name (`InterceptMessageHeader`).
    pub name: &'static str,
    /// The TLFS / C type name (`HV_X64_INTERCEPT_MESSAGE_HEADER`).
    pub tlfs_name: &'static str,
    /// Size in bytes (checked against `size_of`).
    pub size: usize,
    /// Alignment in bytes.
    pub align: usize,
    /// Every field, in offset order.
    pub fields: &'static [FieldLayout],
}

/// A wire struct whose layout was stated with `#[derive(Layout)]` and checked at compile time.
pub trait Layout {
    /// The published layout.
    const TYPE_LAYOUT: TypeLayout;
}

/// One bit range of a bitfield.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitfieldField {
    /// The Rust accessor name (or the reserved range's name).
    pub name: &'static str,
    /// The field's TLFS / C name.
    pub tlfs_name: &'static str,
    /// Least significant bit.
    pub lsb: u8,
    /// Most significant bit (inclusive).
    pub msb: u8,
    /// `true` for a reserved range (no accessor; part of `RESERVED_MASK`).
    pub reserved: bool,
}

impl BitfieldField {
    /// The bits of the range, in place (`lsb..=msb` set).
    #[must_use]
    pub const fn mask(&self) -> u64 {
        (u64::MAX >> (63 - (self.msb - self.lsb))) << self.lsb
    }
}

/// A bitfield's published bit ranges; together they cover every bit exactly once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitfieldLayout {
    /// The Rust type name.
    pub name: &'static str,
    /// The TLFS / C name.
    pub tlfs_name: &'static str,
    /// Width of the storage integer in bits.
    pub width: u8,
    /// Every range, in declaration order.
    pub fields: &'static [BitfieldField],
}

/// An integer bitfield declared with `#[bitfield]`, its ranges checked at compile time.
pub trait Bitfield {
    /// The published bit ranges.
    const BITFIELD: BitfieldLayout;
}

/// A value is wider than the bitfield range it was to go into (a `try_with_*` builder refused it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldOverflow {
    /// The Rust name of the field.
    pub field: &'static str,
    /// The value given.
    pub value: u64,
    /// The width of the field in bits.
    pub bits: u8,
}

impl core::fmt::Display for FieldOverflow {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{:#x} does not fit the {}-bit field `{}`",
            self.value, self.bits, self.field
        )
    }
}

impl core::error::Error for FieldOverflow {}
