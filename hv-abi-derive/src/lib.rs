//! Procedural macros behind `hv-abi`: each type states its published layout, and the compiler checks it.
//!
//! - [`macro@Layout`] (derive) takes a wire struct's published size and every field's offset and emits
//!   `const` assertions (size, alignment, `offset_of!`) plus a `TYPE_LAYOUT` table through
//!   `hv_abi::layout::Layout`.
//! - [`macro@bitfield`] (attribute) turns a struct whose fields each state their documented bit range into
//!   a `#[repr(transparent)]` integer newtype with `const fn` getters, `with_*` builders and a
//!   `RESERVED_MASK`; overlapping ranges and uncovered bits are compile errors.
//! - [`macro@open_enum`] (attribute on an `impl` block of associated consts) makes an open code space:
//!   TLFS names, `from_name`, descriptions from the doc comments, and a `Debug`/`Display` that prints the
//!   name or the raw number, so unknown values round-trip unchanged.
//!
//! The generated code names `::hv_abi` and `::zerocopy`; crates using [`macro@Layout`] or [`macro@bitfield`]
//! depend on both (inside `hv-abi` itself, `extern crate self as hv_abi;` makes the path resolve).
//!
//! A register whose bits are documented, and a wire struct whose offsets are, each stated once:
//!
//! ```
//! use hv_abi::{Layout, bitfield, layout};
//! use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};
//!
//! /// The SynIC SINTx register's documented bits.
//! #[bitfield(u64, tlfs = "HV_SYNIC_SINT")]
//! pub struct Sint {
//!     #[bits(0..=7, tlfs = "Vector")]
//!     pub vector: u8,
//!     #[bits(16, tlfs = "Masked")]
//!     pub masked: bool,
//!     #[bits(8..=15, tlfs = "Reserved1")]
//!     reserved1: Reserved,
//!     #[bits(17..=63, tlfs = "Reserved2")]
//!     reserved2: Reserved,
//! }
//!
//! /// A wire struct: a wrong offset here is a compile error, not a runtime surprise.
//! #[layout(tlfs = "HV_EXAMPLE", size = 16, align = 8)]
//! #[derive(FromBytes, IntoBytes, KnownLayout, Immutable)]
//! #[repr(C)]
//! pub struct Example {
//!     #[hv(offset = 0, tlfs = "Sint")]
//!     pub sint: Sint,
//!     #[hv(offset = 8, tlfs = "Count")]
//!     pub count: u64,
//! }
//!
//! let sint = Sint::new().with_vector(0x50).with_masked(true);
//! assert_eq!(sint.into_bits(), 0x1_0050);
//! assert!(sint.try_with_vector(0x50).is_ok());
//! let wire = Example { sint, count: 3 };
//! let back = Example::read_from_bytes(wire.as_bytes()).unwrap();
//! assert_eq!((back.sint.vector(), back.count), (0x50, 3));
//! assert_eq!(Example::TYPE_LAYOUT.fields[1].offset, 8);
//! ```
//!
//! A stated offset the compiler does not agree with stops the build:
//!
//! ```compile_fail
//! #[hv_abi::layout(tlfs = "HV_WRONG", size = 16, align = 8)]
//! #[derive(zerocopy::FromBytes, zerocopy::IntoBytes, zerocopy::KnownLayout, zerocopy::Immutable)]
//! #[repr(C)]
//! pub struct Wrong {
//!     #[hv(offset = 0)]
//!     pub a: u64,
//!     #[hv(offset = 4)]
//!     pub b: u64,
//! }
//! ```

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod bitfield;
mod layout;
mod open_enum;
mod util;

use proc_macro::TokenStream;

/// States a `#[repr(C)]` wire struct's published layout and checks it at compile time.
///
/// Struct attribute: `#[hv(tlfs = "HV_X64_SEGMENT_REGISTER", size = 16)]`, optionally `align = 8`.
/// Every field: `#[hv(offset = 8)]`, optionally `tlfs = "Limit"` (defaults to the Rust name).
/// A size, alignment or offset that differs from the published one fails the build with a message
/// that names the type, the field and the published number.
#[proc_macro_derive(Layout, attributes(hv))]
pub fn derive_layout(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    layout::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// States a wire struct's published layout, like [`macro@Layout`], and makes its TLFS names searchable.
///
/// `#[layout(tlfs = "HV_X64_SEGMENT_REGISTER", size = 16, align = 8)]` on the struct, with the fields'
/// `#[hv(offset = N, tlfs = "Name")]` as for the derive. Adds `#[doc(alias = ...)]` with the TLFS name of
/// the struct and of every field whose TLFS name differs from its Rust name, then derives
/// [`macro@Layout`] with the same arguments. Under the deriving crate's `proptest` and `arbitrary`
/// features it also implements their `Arbitrary` from any bytes (the struct must be `FromBytes` and
/// `Debug`).
#[proc_macro_attribute]
pub fn layout(attr: TokenStream, item: TokenStream) -> TokenStream {
    let attr = proc_macro2::TokenStream::from(attr);
    let item = syn::parse_macro_input!(item as syn::ItemStruct);
    layout::aliases(attr, item).into()
}

/// Turns a struct of bit ranges into an integer bitfield newtype.
///
/// `#[bitfield(u64, tlfs = "HV_X64_HYPERCALL_INPUT")]` on a struct whose every field carries
/// `#[bits(lsb..=msb)]` or `#[bits(bit)]` (optionally `tlfs = "Name"`). Field types: `bool` (one bit),
/// `u8`/`u16`/`u32`/`u64` at least as wide as the range, a field of type `Reserved` (a named reserved
/// range: no accessor, part of `RESERVED_MASK`), or any type with inherent `const fn from_bits(uN) -> Self`
/// and `const fn into_bits(self) -> uN`, where `uN` is the smallest unsigned integer holding the range.
/// Ranges must not overlap and must together cover every bit of the storage integer. Under the
/// deriving crate's `proptest` and `arbitrary` features the type also implements their `Arbitrary`
/// (any bits, reserved ones included).
#[proc_macro_attribute]
pub fn bitfield(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = syn::parse_macro_input!(item as syn::ItemStruct);
    bitfield::expand(attr.into(), &item)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Makes an open code space out of an `impl` block of associated consts.
///
/// `#[open_enum(u16, prefix = "HV_STATUS_")]` (TLFS name = prefix + const name) or `#[open_enum(u32)]`
/// with a `#[tlfs = "HvCallPostDebugData"]` on each const. A const marked `#[alias]` is found by
/// `from_name` but never printed. The type must be a tuple struct over the named unsigned integer with
/// `#[derive(PartialEq, Eq)]`; the macro adds `from_bits`/`into_bits`, `NAMED`, `ALIASES`, `name()`,
/// `from_name()`, `description()` (the first line of each const's doc comment) and `Debug`/`Display`,
/// and under the crate's `proptest` and `arbitrary` features their `Arbitrary` (named values and others).
#[proc_macro_attribute]
pub fn open_enum(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = syn::parse_macro_input!(item as syn::ItemImpl);
    open_enum::expand(attr.into(), &item)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
