//! The synthetic debugger MSRs' contents (QEMU `hyperv-proto.h`; Linux KVM `hyperv.h`). Deprecated and
//! absent from the TLFS, but what KDNet over the synthetic debugger uses.

use hv_abi::bitfield;

/// `HV_X64_MSR_SYNDBG_CONTROL` contents.
#[bitfield(u64, tlfs = "HV_X64_MSR_SYNDBG_CONTROL")]
pub struct SyndbgControl {
    /// Send the bytes in the send buffer (`HV_SYNDBG_CONTROL_SEND`).
    #[bits(0, tlfs = "HV_SYNDBG_CONTROL_SEND")]
    pub send: bool,
    /// Receive into the receive buffer (`HV_SYNDBG_CONTROL_RECV`).
    #[bits(1, tlfs = "HV_SYNDBG_CONTROL_RECV")]
    pub recv: bool,
    #[bits(2..=15, tlfs = "Reserved")]
    reserved0: Reserved,
    /// How many bytes to send (`HV_SYNDBG_CONTROL_SEND_SIZE`).
    #[bits(16..=31, tlfs = "HV_SYNDBG_CONTROL_SEND_SIZE")]
    pub send_size: u16,
    #[bits(32..=63, tlfs = "Reserved")]
    reserved1: Reserved,
}

/// `HV_X64_MSR_SYNDBG_STATUS` contents (0 is `HV_SYNDBG_STATUS_INVALID`).
#[bitfield(u64, tlfs = "HV_X64_MSR_SYNDBG_STATUS")]
pub struct SyndbgStatus {
    /// The send succeeded (`HV_SYNDBG_STATUS_SEND_SUCCESS`).
    #[bits(0, tlfs = "HV_SYNDBG_STATUS_SEND_SUCCESS")]
    pub send_success: bool,
    #[bits(1, tlfs = "Reserved")]
    reserved0: Reserved,
    /// The receive succeeded (`HV_SYNDBG_STATUS_RECV_SUCCESS`).
    #[bits(2, tlfs = "HV_SYNDBG_STATUS_RECV_SUCCESS")]
    pub recv_success: bool,
    /// The session was reset (`HV_SYNDBG_STATUS_RESET`).
    #[bits(3, tlfs = "HV_SYNDBG_STATUS_RESET")]
    pub reset: bool,
    #[bits(4..=15, tlfs = "Reserved")]
    reserved1: Reserved,
    /// Bytes received (`HV_SYNDBG_STATUS_SET_SIZE`).
    #[bits(16..=31, tlfs = "HV_SYNDBG_STATUS_SET_SIZE")]
    pub size: u16,
    #[bits(32..=63, tlfs = "Reserved")]
    reserved2: Reserved,
}

/// `HV_X64_MSR_SYNDBG_OPTIONS` contents.
#[bitfield(u64, tlfs = "HV_X64_MSR_SYNDBG_OPTIONS")]
pub struct SyndbgOptions {
    #[bits(0..=1, tlfs = "Reserved")]
    reserved0: Reserved,
    /// Use the debug hypercalls instead of the buffer MSRs (`HV_X64_SYNDBG_OPTION_USE_HCALLS`).
    #[bits(2, tlfs = "HV_X64_SYNDBG_OPTION_USE_HCALLS")]
    pub use_hypercalls: bool,
    #[bits(3..=63, tlfs = "Reserved")]
    reserved1: Reserved,
}
