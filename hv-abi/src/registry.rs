//! The ABI registry: every layout, bitfield, code and flag table, for tests, the C cross-check and
//! `hvtool abi`. A [`Section`] lists one crate's tables; a [`Registry`] joins sections.

use crate::flags::FlagEntry;
use crate::layout::{BitfieldLayout, TypeLayout};

/// The named values of one open code space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodeTable {
    /// Short key (`status`, `call`, `message_type`, `partition_property`).
    pub name: &'static str,
    /// The TLFS type (`HV_STATUS`).
    pub tlfs_name: &'static str,
    /// `(TLFS name, value)` pairs, canonical names only, in declaration order.
    pub entries: &'static [(&'static str, u64)],
}

/// The flags of one flag type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlagTable {
    /// The Rust type name (`DebugPurgeOptions`).
    pub name: &'static str,
    /// Every defined flag.
    pub entries: &'static [FlagEntry],
}

/// One crate's tables.
#[derive(Clone, Copy, Debug)]
pub struct Section {
    /// Every wire struct.
    pub types: &'static [TypeLayout],
    /// Every bitfield.
    pub bitfields: &'static [BitfieldLayout],
    /// Every open code space.
    pub codes: &'static [CodeTable],
    /// Every flag type.
    pub flags: &'static [FlagTable],
}

/// Several sections read as one (`hv_x64::registry()` joins the arch-neutral and the x64 tables).
#[derive(Clone, Copy, Debug)]
pub struct Registry(pub &'static [&'static Section]);

impl Registry {
    /// Every wire struct of every section.
    pub fn types(&self) -> impl Iterator<Item = &'static TypeLayout> + '_ {
        self.0.iter().flat_map(|s| s.types)
    }

    /// Every bitfield of every section.
    pub fn bitfields(&self) -> impl Iterator<Item = &'static BitfieldLayout> + '_ {
        self.0.iter().flat_map(|s| s.bitfields)
    }

    /// Every code table of every section.
    pub fn codes(&self) -> impl Iterator<Item = &'static CodeTable> + '_ {
        self.0.iter().flat_map(|s| s.codes)
    }

    /// Every flag table of every section.
    pub fn flags(&self) -> impl Iterator<Item = &'static FlagTable> + '_ {
        self.0.iter().flat_map(|s| s.flags)
    }
}

/// Builds a [`CodeTable`] from an `#[open_enum]` type's `NAMED` list at compile time.
#[macro_export]
#[doc(hidden)]
macro_rules! code_table {
    ($key:literal, $tlfs:literal, $T:ty) => {{
        const N: usize = <$T>::NAMED.len();
        const ENTRIES: [(&str, u64); N] = {
            let mut out = [("", 0u64); N];
            let mut i = 0;
            while i < N {
                out[i] = (<$T>::NAMED[i].0, <$T>::NAMED[i].1.into_bits() as u64);
                i += 1;
            }
            out
        };
        $crate::registry::CodeTable {
            name: $key,
            tlfs_name: $tlfs,
            entries: &ENTRIES,
        }
    }};
}
