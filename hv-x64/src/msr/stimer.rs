//! Synthetic timer configuration.

use hv_abi::bitfield;

/// `HV_X64_MSR_STIMER_CONFIG_CONTENTS` (Linux and mshv `hv_stimer_config`, whose member names these are).
#[bitfield(u64, tlfs = "hv_stimer_config")]
pub struct StimerConfig {
    /// The timer is enabled.
    #[bits(0, tlfs = "enable")]
    pub enable: bool,
    /// The timer is periodic.
    #[bits(1, tlfs = "periodic")]
    pub periodic: bool,
    /// Lazy mode.
    #[bits(2, tlfs = "lazy")]
    pub lazy: bool,
    /// Writing the count enables the timer.
    #[bits(3, tlfs = "auto_enable")]
    pub auto_enable: bool,
    /// The APIC vector of a direct-mode timer.
    #[bits(4..=11, tlfs = "apic_vector")]
    pub apic_vector: u8,
    /// Direct mode: an APIC interrupt instead of a SynIC message.
    #[bits(12, tlfs = "direct_mode")]
    pub direct_mode: bool,
    #[bits(13..=15, tlfs = "reserved_z0")]
    reserved_z0: Reserved,
    /// The SINT that receives the expiry message.
    #[bits(16..=19, tlfs = "sintx")]
    pub sintx: u8,
    #[bits(20..=63, tlfs = "reserved_z1")]
    reserved_z1: Reserved,
}
