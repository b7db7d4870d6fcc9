//! The x64 messages that are not intercepts of an instruction: the VP-level notifications and errors a
//! hypervisor sends (timer expiry, APIC EOI, unsupported feature, invalid register value, opaque
//! intercept) and the "deliverable" intercepts that follow the 40-byte intercept header. Layouts from mshv
//! `hvhdk.h` (as rust-vmm's mshv-bindings carries them) and Linux `hvgdk_mini.h` (the timer payload).

use hv_abi::synic::{MessagePayload, MessageType};
use hv_abi::{VpIndex, layout};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use crate::InterceptMessageHeader;

/// `HV_TIMER_MESSAGE_PAYLOAD` (Linux `hv_timer_message_payload`): a synthetic timer expired.
#[layout(tlfs = "HV_TIMER_MESSAGE_PAYLOAD", size = 24, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct TimerMessage {
    /// Which of the VP's synthetic timers.
    #[hv(offset = 0, tlfs = "TimerIndex")]
    pub timer_index: u32,
    /// Reserved.
    #[hv(offset = 4, tlfs = "Reserved")]
    pub reserved: u32,
    /// When the timer expired (reference time, 100 ns units).
    #[hv(offset = 8, tlfs = "ExpirationTime")]
    pub expiration_time: u64,
    /// When the message was delivered.
    #[hv(offset = 16, tlfs = "DeliveryTime")]
    pub delivery_time: u64,
}

/// `HV_X64_APIC_EOI_MESSAGE`: the guest wrote EOI for a level-triggered interrupt the parent asked about.
#[layout(tlfs = "HV_X64_APIC_EOI_MESSAGE", size = 8, align = 4)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ApicEoiMessage {
    /// The VP.
    #[hv(offset = 0, tlfs = "VpIndex")]
    pub vp_index: VpIndex,
    /// The vector of the interrupt that ended.
    #[hv(offset = 4, tlfs = "InterruptVector")]
    pub interrupt_vector: u32,
}

/// `HV_X64_UNSUPPORTED_FEATURE_MESSAGE`: the VP used a feature the hypervisor does not support.
#[layout(tlfs = "HV_X64_UNSUPPORTED_FEATURE_MESSAGE", size = 16, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct UnsupportedFeatureMessage {
    /// The VP.
    #[hv(offset = 0, tlfs = "VpIndex")]
    pub vp_index: VpIndex,
    /// `HV_X64_UNSUPPORTED_FEATURE_CODE`.
    #[hv(offset = 4, tlfs = "FeatureCode")]
    pub feature_code: u32,
    /// Feature-specific detail.
    #[hv(offset = 8, tlfs = "FeatureParameter")]
    pub feature_parameter: u64,
}

/// `HV_X64_INVALID_VP_REGISTER_MESSAGE`: a VP register holds a value the hypervisor cannot run with.
#[layout(tlfs = "HV_X64_INVALID_VP_REGISTER_MESSAGE", size = 8, align = 4)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct InvalidVpRegisterMessage {
    /// The VP.
    #[hv(offset = 0, tlfs = "VpIndex")]
    pub vp_index: VpIndex,
    /// Reserved.
    #[hv(offset = 4, tlfs = "Reserved")]
    pub reserved: u32,
}

/// `HV_OPAQUE_INTERCEPT_MESSAGE`: an intercept whose message is only in the VP's intercept page.
#[layout(tlfs = "HV_OPAQUE_INTERCEPT_MESSAGE", size = 4, align = 4)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct OpaqueInterceptMessage {
    /// The VP.
    #[hv(offset = 0, tlfs = "VpIndex")]
    pub vp_index: VpIndex,
}

/// `HV_X64_INTERRUPTION_DELIVERABLE_MESSAGE`: the VP can now take the interruption the parent waited for.
#[layout(tlfs = "HV_X64_INTERRUPTION_DELIVERABLE_MESSAGE", size = 48, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct InterruptionDeliverableMessage {
    /// The common header.
    #[hv(offset = 0, tlfs = "Header")]
    pub header: InterceptMessageHeader,
    /// `HV_X64_PENDING_INTERRUPTION_TYPE` that is deliverable.
    #[hv(offset = 40, tlfs = "DeliverableType")]
    pub deliverable_type: u32,
    /// Reserved.
    #[hv(offset = 44, tlfs = "Rsvd")]
    pub rsvd: u32,
}

/// `HV_X64_SINT_DELIVERABLE_MESSAGE`: SINTs the parent waited on can now take a message.
#[layout(tlfs = "HV_X64_SINT_DELIVERABLE_MESSAGE", size = 48, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct SintDeliverableMessage {
    /// The common header.
    #[hv(offset = 0, tlfs = "Header")]
    pub header: InterceptMessageHeader,
    /// One bit per SINT.
    #[hv(offset = 40, tlfs = "DeliverableSints")]
    pub deliverable_sints: u16,
    /// Reserved.
    #[hv(offset = 42, tlfs = "Rsvd1")]
    pub rsvd1: u16,
    /// Reserved.
    #[hv(offset = 44, tlfs = "Rsvd2")]
    pub rsvd2: u32,
}

/// `HV_X64_SIPI_INTERCEPT_MESSAGE`: the VP sent a startup IPI.
#[layout(tlfs = "HV_X64_SIPI_INTERCEPT_MESSAGE", size = 48, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct SipiInterceptMessage {
    /// The common header.
    #[hv(offset = 0, tlfs = "Header")]
    pub header: InterceptMessageHeader,
    /// The VP the SIPI is for.
    #[hv(offset = 40, tlfs = "TargetVpIndex")]
    pub target_vp_index: VpIndex,
    /// The SIPI vector.
    #[hv(offset = 44, tlfs = "InterruptVector")]
    pub interrupt_vector: u32,
}

impl MessagePayload for TimerMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::TIMER_EXPIRED];
}

impl MessagePayload for ApicEoiMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::X64_APIC_EOI];
}

impl MessagePayload for UnsupportedFeatureMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::UNSUPPORTED_FEATURE];
}

impl MessagePayload for InvalidVpRegisterMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::INVALID_VP_REGISTER_VALUE];
}

impl MessagePayload for OpaqueInterceptMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::OPAQUE_INTERCEPT];
}

impl MessagePayload for InterruptionDeliverableMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::X64_INTERRUPTION_DELIVERABLE];
}

impl MessagePayload for SintDeliverableMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::SYNIC_SINT_DELIVERABLE];
}

impl MessagePayload for SipiInterceptMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::X64_SIPI_INTERCEPT];
}
