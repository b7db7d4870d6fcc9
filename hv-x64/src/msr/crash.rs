//! Guest crash control.

use hv_abi::bitfield;

/// `HV_CRASH_CTL_REG_CONTENTS` (Linux `hvgdk_mini.h`): writing it with `crash_notify` set reports a
/// guest crash with the parameters in `HV_X64_MSR_CRASH_P0`-`P4`.
#[bitfield(u64, tlfs = "HV_CRASH_CTL_REG_CONTENTS")]
pub struct CrashControl {
    #[bits(0..=61, tlfs = "Reserved")]
    reserved: Reserved,
    /// A crash message follows (`HV_CRASH_CTL_CRASH_NOTIFY_MSG`).
    #[bits(62, tlfs = "HV_CRASH_CTL_CRASH_NOTIFY_MSG")]
    pub crash_notify_msg: bool,
    /// Report a crash (`HV_CRASH_CTL_CRASH_NOTIFY`).
    #[bits(63, tlfs = "HV_CRASH_CTL_CRASH_NOTIFY")]
    pub crash_notify: bool,
}
