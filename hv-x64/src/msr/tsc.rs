//! TSC emulation after migration, and the invariant-TSC control.

use hv_abi::bitfield;

/// `HV_X64_MSR_REENLIGHTENMENT_CONTROL` contents (Linux `hv_reenlightenment_control`).
#[bitfield(u64, tlfs = "hv_reenlightenment_control")]
pub struct ReenlightenmentControl {
    /// The interrupt vector raised after a migration.
    #[bits(0..=7, tlfs = "vector")]
    pub vector: u8,
    #[bits(8..=15, tlfs = "reserved1")]
    reserved1: Reserved,
    /// Reenlightenment notifications are enabled.
    #[bits(16, tlfs = "enabled")]
    pub enabled: bool,
    #[bits(17..=31, tlfs = "reserved2")]
    reserved2: Reserved,
    /// The VP that receives the interrupt.
    #[bits(32..=63, tlfs = "target_vp")]
    pub target_vp: u32,
}

/// `HV_X64_MSR_TSC_EMULATION_CONTROL` contents (Linux `hv_tsc_emulation_control`).
#[bitfield(u64, tlfs = "hv_tsc_emulation_control")]
pub struct TscEmulationControl {
    /// TSC accesses are emulated.
    #[bits(0, tlfs = "enabled")]
    pub enabled: bool,
    #[bits(1..=63, tlfs = "reserved")]
    reserved: Reserved,
}

/// `HV_X64_MSR_TSC_EMULATION_STATUS` contents (Linux `hv_tsc_emulation_status`).
#[bitfield(u64, tlfs = "hv_tsc_emulation_status")]
pub struct TscEmulationStatus {
    /// A migration is in progress.
    #[bits(0, tlfs = "inprogress")]
    pub in_progress: bool,
    #[bits(1..=63, tlfs = "reserved")]
    reserved: Reserved,
}

/// `HV_X64_MSR_TSC_INVARIANT_CONTROL` contents (Linux `HV_EXPOSE_INVARIANT_TSC`).
#[bitfield(u64, tlfs = "HV_X64_MSR_TSC_INVARIANT_CONTROL")]
pub struct TscInvariantControl {
    /// Expose the invariant TSC to the guest.
    #[bits(0, tlfs = "HV_EXPOSE_INVARIANT_TSC")]
    pub expose_invariant_tsc: bool,
    #[bits(1..=63, tlfs = "Reserved")]
    reserved: Reserved,
}
