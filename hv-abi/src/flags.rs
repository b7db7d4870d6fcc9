//! One definition of a flag type: a zerocopy newtype, its `bitflags` impl, `Debug`, and validation that
//! names the unknown bits. Every flag type of the crate (and of `hv-x64`) is declared with [`flags!`](crate::flags!).

use core::fmt;

/// A flag value had bits that its type does not define.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownFlags {
    /// The Rust flag type (`DebugPurgeOptions`).
    pub type_name: &'static str,
    /// The bits no flag of that type defines.
    pub bits: u64,
}

impl fmt::Display for UnknownFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: unknown bits {:#x}", self.type_name, self.bits)
    }
}

impl core::error::Error for UnknownFlags {}

/// One named flag in a flag table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlagEntry {
    /// The Rust const name (`PURGE_INCOMING_DATA`).
    pub name: &'static str,
    /// The TLFS / C name (`HV_DEBUG_PURGE_INCOMING_DATA`), where the sources give one as a macro.
    pub tlfs_name: &'static str,
    /// The flag's bits.
    pub value: u64,
}

/// Declares a flag type: `#[repr(transparent)]` newtype with zerocopy derives, `bitflags` 2 impl
/// (unknown bits are kept by `from_bits_retain`), `Debug` as `Type(A | B | 0x8)`, `unknown_bits()`,
/// `validate()`, and a `FLAG_TABLE` whose TLFS names are `$prefix` + const name.
#[macro_export]
#[doc(hidden)]
macro_rules! flags {
    (
        $(#[$meta:meta])*
        $vis:vis struct $Name:ident($T:ty) tlfs_prefix $prefix:literal {
            $( $(#[$($fattr:tt)*])* const $Flag:ident = $value:expr; )*
        }
    ) => {
        $(#[$meta])*
        #[repr(transparent)]
        #[derive(
            Clone, Copy, PartialEq, Eq, Hash, Default,
            ::zerocopy::FromBytes, ::zerocopy::IntoBytes, ::zerocopy::KnownLayout, ::zerocopy::Immutable,
        )]
        #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
        $vis struct $Name($T);

        #[cfg(feature = "proptest")]
        impl ::proptest::arbitrary::Arbitrary for $Name {
            type Parameters = ();
            type Strategy = ::proptest::strategy::Map<<$T as ::proptest::arbitrary::Arbitrary>::Strategy, fn($T) -> Self>;
            /// Any bits, unknown ones included.
            fn arbitrary_with((): ()) -> Self::Strategy {
                ::proptest::strategy::Strategy::prop_map(::proptest::arbitrary::any::<$T>(), Self::from_bits_retain as fn($T) -> Self)
            }
        }

        ::bitflags::bitflags! {
            impl $Name: $T {
                $(
                    $(#[$($fattr)*])*
                    #[doc = ""]
                    #[doc = concat!("`", $prefix, stringify!($Flag), "` = `", stringify!($value), "`.")]
                    const $Flag = $value;
                )*
            }
        }

        impl $Name {
            /// The set bits that no flag of this type defines.
            #[must_use]
            pub const fn unknown_bits(self) -> $T {
                self.bits() & !Self::all().bits()
            }

            /// `Ok(self)` when every set bit is a defined flag, otherwise the unknown bits.
            pub const fn validate(self) -> ::core::result::Result<Self, $crate::flags::UnknownFlags> {
                match self.unknown_bits() {
                    0 => Ok(self),
                    bits => Err($crate::flags::UnknownFlags { type_name: stringify!($Name), bits: bits as u64 }),
                }
            }

            /// Every defined flag with its TLFS name, for the ABI registry.
            pub const FLAG_TABLE: $crate::registry::FlagTable = $crate::registry::FlagTable {
                name: stringify!($Name),
                entries: &[$( $crate::flags::FlagEntry {
                    name: stringify!($Flag),
                    tlfs_name: concat!($prefix, stringify!($Flag)),
                    value: Self::$Flag.bits() as u64,
                } ),*],
            };
        }

        impl ::core::fmt::Debug for $Name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(concat!(stringify!($Name), "("))?;
                ::bitflags::parser::to_writer(self, &mut *f)?;
                f.write_str(")")
            }
        }
    };
}

/// `proptest::arbitrary::Arbitrary` and `arbitrary::Arbitrary` (under the calling crate's `proptest` and
/// `arbitrary` features) for zerocopy `FromBytes` types, from any bytes of their size: the impls the
/// `#[layout]` derive gives a wire struct, for the plain newtypes and register sets that have none.
#[macro_export]
#[doc(hidden)]
macro_rules! arbitrary_from_bytes {
    ($($T:ty),+ $(,)?) => {$(
        #[cfg(feature = "proptest")]
        impl ::proptest::arbitrary::Arbitrary for $T {
            type Parameters = ();
            type Strategy = ::proptest::strategy::BoxedStrategy<Self>;
            /// Any bytes.
            fn arbitrary_with((): ()) -> Self::Strategy {
                use ::proptest::strategy::Strategy as _;
                ::proptest::collection::vec(::proptest::arbitrary::any::<u8>(), ::core::mem::size_of::<Self>())
                    .prop_map(|bytes| {
                        <Self as ::zerocopy::FromBytes>::read_from_bytes(&bytes)
                            .unwrap_or_else(|_| <Self as ::zerocopy::FromZeros>::new_zeroed())
                    })
                    .boxed()
            }
        }

        #[cfg(feature = "arbitrary")]
        impl<'a> ::arbitrary::Arbitrary<'a> for $T {
            /// Any bytes.
            fn arbitrary(u: &mut ::arbitrary::Unstructured<'a>) -> ::arbitrary::Result<Self> {
                let bytes = u.bytes(::core::mem::size_of::<Self>())?;
                <Self as ::zerocopy::FromBytes>::read_from_bytes(bytes).map_err(|_| ::arbitrary::Error::IncorrectFormat)
            }
        }
    )+};
}
