//! SynIC MSR contents: SCONTROL and the SINTx.

use hv_abi::bitfield;

/// `HV_X64_MSR_SCONTROL` contents (Linux `hv_synic_scontrol`, `HV_SYNIC_CONTROL_ENABLE`).
#[bitfield(u64, tlfs = "hv_synic_scontrol")]
pub struct SynicControl {
    /// The SynIC is enabled.
    #[bits(0, tlfs = "enable")]
    pub enable: bool,
    #[bits(1..=63, tlfs = "reserved")]
    reserved: Reserved,
}

/// `HV_X64_MSR_SINTx` contents (Linux `hv_synic_sint`).
#[bitfield(u64, tlfs = "hv_synic_sint")]
pub struct SynicSint {
    /// The interrupt vector (16-255 are valid).
    #[bits(0..=7, tlfs = "vector")]
    pub vector: u8,
    #[bits(8..=15, tlfs = "reserved1")]
    reserved1: Reserved,
    /// The source is masked.
    #[bits(16, tlfs = "masked")]
    pub masked: bool,
    /// An EOI is implied when the interrupt is delivered.
    #[bits(17, tlfs = "auto_eoi")]
    pub auto_eoi: bool,
    /// Polling mode: no interrupt is delivered.
    #[bits(18, tlfs = "polling")]
    pub polling: bool,
    /// Deliver as an intercept to the parent (Linux `as_intercept`).
    #[bits(19, tlfs = "as_intercept")]
    pub as_intercept: bool,
    /// Proxy mode (Linux `proxy`).
    #[bits(20, tlfs = "proxy")]
    pub proxy: bool,
    #[bits(21..=63, tlfs = "reserved2")]
    reserved2: Reserved,
}
