//! `HV_REGISTER_NAME` and `HV_REGISTER_VALUE`: the VP registers of HvGetVpRegisters, HvSetVpRegisters and
//! the register intercept message.

use hv_abi::open_enum;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use crate::SegmentRegister;

/// `HV_REGISTER_NAME`: a VP register's name. Open: any value round-trips. Every name and value of mshv
/// `hvhdk_mini.h` as rust-vmm's mshv-bindings 0.7 carries them for x64 (the architectural registers at
/// 0x00020000 and up, the hypervisor-defined ones below and in the 0x00090000-0x000F0000 ranges).
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct RegisterName(u32);

#[open_enum(u32)]
impl RegisterName {
    /// The hypervisor register `EXPLICIT_SUSPEND`.
    #[tlfs = "HV_REGISTER_EXPLICIT_SUSPEND"]
    pub const EXPLICIT_SUSPEND: Self = Self(0x00000000);
    /// The hypervisor register `INTERCEPT_SUSPEND`.
    #[tlfs = "HV_REGISTER_INTERCEPT_SUSPEND"]
    pub const INTERCEPT_SUSPEND: Self = Self(0x00000001);
    /// The hypervisor register `INSTRUCTION_EMULATION_HINTS`.
    #[tlfs = "HV_REGISTER_INSTRUCTION_EMULATION_HINTS"]
    pub const INSTRUCTION_EMULATION_HINTS: Self = Self(0x00000002);
    /// The hypervisor register `DISPATCH_SUSPEND`.
    #[tlfs = "HV_REGISTER_DISPATCH_SUSPEND"]
    pub const DISPATCH_SUSPEND: Self = Self(0x00000003);
    /// The hypervisor register `INTERNAL_ACTIVITY_STATE`.
    #[tlfs = "HV_REGISTER_INTERNAL_ACTIVITY_STATE"]
    pub const INTERNAL_ACTIVITY_STATE: Self = Self(0x00000004);
    /// The hypervisor register `HYPERVISOR_VERSION`.
    #[tlfs = "HV_REGISTER_HYPERVISOR_VERSION"]
    pub const HYPERVISOR_VERSION: Self = Self(0x00000100);
    /// The hypervisor register `PRIVILEGES_AND_FEATURES_INFO`.
    #[tlfs = "HV_REGISTER_PRIVILEGES_AND_FEATURES_INFO"]
    pub const PRIVILEGES_AND_FEATURES_INFO: Self = Self(0x00000200);
    /// The hypervisor register `FEATURES_INFO`.
    #[tlfs = "HV_REGISTER_FEATURES_INFO"]
    pub const FEATURES_INFO: Self = Self(0x00000201);
    /// The hypervisor register `IMPLEMENTATION_LIMITS_INFO`.
    #[tlfs = "HV_REGISTER_IMPLEMENTATION_LIMITS_INFO"]
    pub const IMPLEMENTATION_LIMITS_INFO: Self = Self(0x00000202);
    /// The hypervisor register `HARDWARE_FEATURES_INFO`.
    #[tlfs = "HV_REGISTER_HARDWARE_FEATURES_INFO"]
    pub const HARDWARE_FEATURES_INFO: Self = Self(0x00000203);
    /// The hypervisor register `CPU_MANAGEMENT_FEATURES_INFO`.
    #[tlfs = "HV_REGISTER_CPU_MANAGEMENT_FEATURES_INFO"]
    pub const CPU_MANAGEMENT_FEATURES_INFO: Self = Self(0x00000204);
    /// The hypervisor register `SVM_FEATURES_INFO`.
    #[tlfs = "HV_REGISTER_SVM_FEATURES_INFO"]
    pub const SVM_FEATURES_INFO: Self = Self(0x00000205);
    /// The hypervisor register `SKIP_LEVEL_FEATURES_INFO`.
    #[tlfs = "HV_REGISTER_SKIP_LEVEL_FEATURES_INFO"]
    pub const SKIP_LEVEL_FEATURES_INFO: Self = Self(0x00000206);
    /// The hypervisor register `NESTED_VIRT_FEATURES_INFO`.
    #[tlfs = "HV_REGISTER_NESTED_VIRT_FEATURES_INFO"]
    pub const NESTED_VIRT_FEATURES_INFO: Self = Self(0x00000207);
    /// The hypervisor register `IPT_FEATURES_INFO`.
    #[tlfs = "HV_REGISTER_IPT_FEATURES_INFO"]
    pub const IPT_FEATURES_INFO: Self = Self(0x00000208);
    /// The hypervisor register `GUEST_CRASH_P0`.
    #[tlfs = "HV_REGISTER_GUEST_CRASH_P0"]
    pub const GUEST_CRASH_P0: Self = Self(0x00000210);
    /// The hypervisor register `GUEST_CRASH_P1`.
    #[tlfs = "HV_REGISTER_GUEST_CRASH_P1"]
    pub const GUEST_CRASH_P1: Self = Self(0x00000211);
    /// The hypervisor register `GUEST_CRASH_P2`.
    #[tlfs = "HV_REGISTER_GUEST_CRASH_P2"]
    pub const GUEST_CRASH_P2: Self = Self(0x00000212);
    /// The hypervisor register `GUEST_CRASH_P3`.
    #[tlfs = "HV_REGISTER_GUEST_CRASH_P3"]
    pub const GUEST_CRASH_P3: Self = Self(0x00000213);
    /// The hypervisor register `GUEST_CRASH_P4`.
    #[tlfs = "HV_REGISTER_GUEST_CRASH_P4"]
    pub const GUEST_CRASH_P4: Self = Self(0x00000214);
    /// The hypervisor register `GUEST_CRASH_CTL`.
    #[tlfs = "HV_REGISTER_GUEST_CRASH_CTL"]
    pub const GUEST_CRASH_CTL: Self = Self(0x00000215);
    /// The hypervisor register `POWER_STATE_CONFIG_C1`.
    #[tlfs = "HV_REGISTER_POWER_STATE_CONFIG_C1"]
    pub const POWER_STATE_CONFIG_C1: Self = Self(0x00000220);
    /// The hypervisor register `POWER_STATE_TRIGGER_C1`.
    #[tlfs = "HV_REGISTER_POWER_STATE_TRIGGER_C1"]
    pub const POWER_STATE_TRIGGER_C1: Self = Self(0x00000221);
    /// The hypervisor register `POWER_STATE_CONFIG_C2`.
    #[tlfs = "HV_REGISTER_POWER_STATE_CONFIG_C2"]
    pub const POWER_STATE_CONFIG_C2: Self = Self(0x00000222);
    /// The hypervisor register `POWER_STATE_TRIGGER_C2`.
    #[tlfs = "HV_REGISTER_POWER_STATE_TRIGGER_C2"]
    pub const POWER_STATE_TRIGGER_C2: Self = Self(0x00000223);
    /// The hypervisor register `POWER_STATE_CONFIG_C3`.
    #[tlfs = "HV_REGISTER_POWER_STATE_CONFIG_C3"]
    pub const POWER_STATE_CONFIG_C3: Self = Self(0x00000224);
    /// The hypervisor register `POWER_STATE_TRIGGER_C3`.
    #[tlfs = "HV_REGISTER_POWER_STATE_TRIGGER_C3"]
    pub const POWER_STATE_TRIGGER_C3: Self = Self(0x00000225);
    /// The hypervisor register `PROCESSOR_CLOCK_FREQUENCY`.
    #[tlfs = "HV_REGISTER_PROCESSOR_CLOCK_FREQUENCY"]
    pub const PROCESSOR_CLOCK_FREQUENCY: Self = Self(0x00000240);
    /// The hypervisor register `INTERRUPT_CLOCK_FREQUENCY`.
    #[tlfs = "HV_REGISTER_INTERRUPT_CLOCK_FREQUENCY"]
    pub const INTERRUPT_CLOCK_FREQUENCY: Self = Self(0x00000241);
    /// The hypervisor register `GUEST_IDLE`.
    #[tlfs = "HV_REGISTER_GUEST_IDLE"]
    pub const GUEST_IDLE: Self = Self(0x00000250);
    /// The hypervisor register `DEBUG_DEVICE_OPTIONS`.
    #[tlfs = "HV_REGISTER_DEBUG_DEVICE_OPTIONS"]
    pub const DEBUG_DEVICE_OPTIONS: Self = Self(0x00000260);
    /// The hypervisor register `MEMORY_ZEROING_CONTROL`.
    #[tlfs = "HV_REGISTER_MEMORY_ZEROING_CONTROL"]
    pub const MEMORY_ZEROING_CONTROL: Self = Self(0x00000270);
    /// The hypervisor register `PENDING_EVENT0`.
    #[tlfs = "HV_REGISTER_PENDING_EVENT0"]
    pub const PENDING_EVENT0: Self = Self(0x00010004);
    /// The hypervisor register `PENDING_EVENT1`.
    #[tlfs = "HV_REGISTER_PENDING_EVENT1"]
    pub const PENDING_EVENT1: Self = Self(0x00010005);
    /// The hypervisor register `DELIVERABILITY_NOTIFICATIONS`.
    #[tlfs = "HV_REGISTER_DELIVERABILITY_NOTIFICATIONS"]
    pub const DELIVERABILITY_NOTIFICATIONS: Self = Self(0x00010006);
    /// The hypervisor register `VP_RUNTIME`.
    #[tlfs = "HV_REGISTER_VP_RUNTIME"]
    pub const VP_RUNTIME: Self = Self(0x00090000);
    /// The hypervisor register `GUEST_OS_ID`.
    #[tlfs = "HV_REGISTER_GUEST_OS_ID"]
    pub const GUEST_OS_ID: Self = Self(0x00090002);
    /// The hypervisor register `VP_INDEX`.
    #[tlfs = "HV_REGISTER_VP_INDEX"]
    pub const VP_INDEX: Self = Self(0x00090003);
    /// The hypervisor register `TIME_REF_COUNT`.
    #[tlfs = "HV_REGISTER_TIME_REF_COUNT"]
    pub const TIME_REF_COUNT: Self = Self(0x00090004);
    /// The hypervisor register `CPU_MANAGEMENT_VERSION`.
    #[tlfs = "HV_REGISTER_CPU_MANAGEMENT_VERSION"]
    pub const CPU_MANAGEMENT_VERSION: Self = Self(0x00090007);
    /// The hypervisor register `VP_ASSIST_PAGE`.
    #[tlfs = "HV_REGISTER_VP_ASSIST_PAGE"]
    pub const VP_ASSIST_PAGE: Self = Self(0x00090013);
    /// The hypervisor register `VP_ROOT_SIGNAL_COUNT`.
    #[tlfs = "HV_REGISTER_VP_ROOT_SIGNAL_COUNT"]
    pub const VP_ROOT_SIGNAL_COUNT: Self = Self(0x00090014);
    /// The hypervisor register `REFERENCE_TSC`.
    #[tlfs = "HV_REGISTER_REFERENCE_TSC"]
    pub const REFERENCE_TSC: Self = Self(0x00090017);
    /// The hypervisor register `STATS_PARTITION_RETAIL`.
    #[tlfs = "HV_REGISTER_STATS_PARTITION_RETAIL"]
    pub const STATS_PARTITION_RETAIL: Self = Self(0x00090020);
    /// The hypervisor register `STATS_PARTITION_INTERNAL`.
    #[tlfs = "HV_REGISTER_STATS_PARTITION_INTERNAL"]
    pub const STATS_PARTITION_INTERNAL: Self = Self(0x00090021);
    /// The hypervisor register `STATS_VP_RETAIL`.
    #[tlfs = "HV_REGISTER_STATS_VP_RETAIL"]
    pub const STATS_VP_RETAIL: Self = Self(0x00090022);
    /// The hypervisor register `STATS_VP_INTERNAL`.
    #[tlfs = "HV_REGISTER_STATS_VP_INTERNAL"]
    pub const STATS_VP_INTERNAL: Self = Self(0x00090023);
    /// The hypervisor register `NESTED_VP_INDEX`.
    #[tlfs = "HV_REGISTER_NESTED_VP_INDEX"]
    pub const NESTED_VP_INDEX: Self = Self(0x00091003);
    /// The hypervisor register `SINT0`.
    #[tlfs = "HV_REGISTER_SINT0"]
    pub const SINT0: Self = Self(0x000A0000);
    /// The hypervisor register `SINT1`.
    #[tlfs = "HV_REGISTER_SINT1"]
    pub const SINT1: Self = Self(0x000A0001);
    /// The hypervisor register `SINT2`.
    #[tlfs = "HV_REGISTER_SINT2"]
    pub const SINT2: Self = Self(0x000A0002);
    /// The hypervisor register `SINT3`.
    #[tlfs = "HV_REGISTER_SINT3"]
    pub const SINT3: Self = Self(0x000A0003);
    /// The hypervisor register `SINT4`.
    #[tlfs = "HV_REGISTER_SINT4"]
    pub const SINT4: Self = Self(0x000A0004);
    /// The hypervisor register `SINT5`.
    #[tlfs = "HV_REGISTER_SINT5"]
    pub const SINT5: Self = Self(0x000A0005);
    /// The hypervisor register `SINT6`.
    #[tlfs = "HV_REGISTER_SINT6"]
    pub const SINT6: Self = Self(0x000A0006);
    /// The hypervisor register `SINT7`.
    #[tlfs = "HV_REGISTER_SINT7"]
    pub const SINT7: Self = Self(0x000A0007);
    /// The hypervisor register `SINT8`.
    #[tlfs = "HV_REGISTER_SINT8"]
    pub const SINT8: Self = Self(0x000A0008);
    /// The hypervisor register `SINT9`.
    #[tlfs = "HV_REGISTER_SINT9"]
    pub const SINT9: Self = Self(0x000A0009);
    /// The hypervisor register `SINT10`.
    #[tlfs = "HV_REGISTER_SINT10"]
    pub const SINT10: Self = Self(0x000A000A);
    /// The hypervisor register `SINT11`.
    #[tlfs = "HV_REGISTER_SINT11"]
    pub const SINT11: Self = Self(0x000A000B);
    /// The hypervisor register `SINT12`.
    #[tlfs = "HV_REGISTER_SINT12"]
    pub const SINT12: Self = Self(0x000A000C);
    /// The hypervisor register `SINT13`.
    #[tlfs = "HV_REGISTER_SINT13"]
    pub const SINT13: Self = Self(0x000A000D);
    /// The hypervisor register `SINT14`.
    #[tlfs = "HV_REGISTER_SINT14"]
    pub const SINT14: Self = Self(0x000A000E);
    /// The hypervisor register `SINT15`.
    #[tlfs = "HV_REGISTER_SINT15"]
    pub const SINT15: Self = Self(0x000A000F);
    /// The hypervisor register `SCONTROL`.
    #[tlfs = "HV_REGISTER_SCONTROL"]
    pub const SCONTROL: Self = Self(0x000A0010);
    /// The hypervisor register `SVERSION`.
    #[tlfs = "HV_REGISTER_SVERSION"]
    pub const SVERSION: Self = Self(0x000A0011);
    /// The hypervisor register `SIEFP`.
    #[tlfs = "HV_REGISTER_SIEFP"]
    pub const SIEFP: Self = Self(0x000A0012);
    /// The hypervisor register `SIMP`.
    #[tlfs = "HV_REGISTER_SIMP"]
    pub const SIMP: Self = Self(0x000A0013);
    /// The hypervisor register `EOM`.
    #[tlfs = "HV_REGISTER_EOM"]
    pub const EOM: Self = Self(0x000A0014);
    /// The hypervisor register `SIRBP`.
    #[tlfs = "HV_REGISTER_SIRBP"]
    pub const SIRBP: Self = Self(0x000A0015);
    /// The hypervisor register `NESTED_SINT0`.
    #[tlfs = "HV_REGISTER_NESTED_SINT0"]
    pub const NESTED_SINT0: Self = Self(0x000A1000);
    /// The hypervisor register `NESTED_SINT1`.
    #[tlfs = "HV_REGISTER_NESTED_SINT1"]
    pub const NESTED_SINT1: Self = Self(0x000A1001);
    /// The hypervisor register `NESTED_SINT2`.
    #[tlfs = "HV_REGISTER_NESTED_SINT2"]
    pub const NESTED_SINT2: Self = Self(0x000A1002);
    /// The hypervisor register `NESTED_SINT3`.
    #[tlfs = "HV_REGISTER_NESTED_SINT3"]
    pub const NESTED_SINT3: Self = Self(0x000A1003);
    /// The hypervisor register `NESTED_SINT4`.
    #[tlfs = "HV_REGISTER_NESTED_SINT4"]
    pub const NESTED_SINT4: Self = Self(0x000A1004);
    /// The hypervisor register `NESTED_SINT5`.
    #[tlfs = "HV_REGISTER_NESTED_SINT5"]
    pub const NESTED_SINT5: Self = Self(0x000A1005);
    /// The hypervisor register `NESTED_SINT6`.
    #[tlfs = "HV_REGISTER_NESTED_SINT6"]
    pub const NESTED_SINT6: Self = Self(0x000A1006);
    /// The hypervisor register `NESTED_SINT7`.
    #[tlfs = "HV_REGISTER_NESTED_SINT7"]
    pub const NESTED_SINT7: Self = Self(0x000A1007);
    /// The hypervisor register `NESTED_SINT8`.
    #[tlfs = "HV_REGISTER_NESTED_SINT8"]
    pub const NESTED_SINT8: Self = Self(0x000A1008);
    /// The hypervisor register `NESTED_SINT9`.
    #[tlfs = "HV_REGISTER_NESTED_SINT9"]
    pub const NESTED_SINT9: Self = Self(0x000A1009);
    /// The hypervisor register `NESTED_SINT10`.
    #[tlfs = "HV_REGISTER_NESTED_SINT10"]
    pub const NESTED_SINT10: Self = Self(0x000A100A);
    /// The hypervisor register `NESTED_SINT11`.
    #[tlfs = "HV_REGISTER_NESTED_SINT11"]
    pub const NESTED_SINT11: Self = Self(0x000A100B);
    /// The hypervisor register `NESTED_SINT12`.
    #[tlfs = "HV_REGISTER_NESTED_SINT12"]
    pub const NESTED_SINT12: Self = Self(0x000A100C);
    /// The hypervisor register `NESTED_SINT13`.
    #[tlfs = "HV_REGISTER_NESTED_SINT13"]
    pub const NESTED_SINT13: Self = Self(0x000A100D);
    /// The hypervisor register `NESTED_SINT14`.
    #[tlfs = "HV_REGISTER_NESTED_SINT14"]
    pub const NESTED_SINT14: Self = Self(0x000A100E);
    /// The hypervisor register `NESTED_SINT15`.
    #[tlfs = "HV_REGISTER_NESTED_SINT15"]
    pub const NESTED_SINT15: Self = Self(0x000A100F);
    /// The hypervisor register `NESTED_SCONTROL`.
    #[tlfs = "HV_REGISTER_NESTED_SCONTROL"]
    pub const NESTED_SCONTROL: Self = Self(0x000A1010);
    /// The hypervisor register `NESTED_SVERSION`.
    #[tlfs = "HV_REGISTER_NESTED_SVERSION"]
    pub const NESTED_SVERSION: Self = Self(0x000A1011);
    /// The hypervisor register `NESTED_SIFP`.
    #[tlfs = "HV_REGISTER_NESTED_SIFP"]
    pub const NESTED_SIFP: Self = Self(0x000A1012);
    /// The hypervisor register `NESTED_SIPP`.
    #[tlfs = "HV_REGISTER_NESTED_SIPP"]
    pub const NESTED_SIPP: Self = Self(0x000A1013);
    /// The hypervisor register `NESTED_EOM`.
    #[tlfs = "HV_REGISTER_NESTED_EOM"]
    pub const NESTED_EOM: Self = Self(0x000A1014);
    /// The hypervisor register `NESTED_SIRBP`.
    #[tlfs = "HV_REGISTER_NESTED_SIRBP"]
    pub const NESTED_SIRBP: Self = Self(0x000A1015);
    /// The hypervisor register `STIMER0_CONFIG`.
    #[tlfs = "HV_REGISTER_STIMER0_CONFIG"]
    pub const STIMER0_CONFIG: Self = Self(0x000B0000);
    /// The hypervisor register `STIMER0_COUNT`.
    #[tlfs = "HV_REGISTER_STIMER0_COUNT"]
    pub const STIMER0_COUNT: Self = Self(0x000B0001);
    /// The hypervisor register `STIMER1_CONFIG`.
    #[tlfs = "HV_REGISTER_STIMER1_CONFIG"]
    pub const STIMER1_CONFIG: Self = Self(0x000B0002);
    /// The hypervisor register `STIMER1_COUNT`.
    #[tlfs = "HV_REGISTER_STIMER1_COUNT"]
    pub const STIMER1_COUNT: Self = Self(0x000B0003);
    /// The hypervisor register `STIMER2_CONFIG`.
    #[tlfs = "HV_REGISTER_STIMER2_CONFIG"]
    pub const STIMER2_CONFIG: Self = Self(0x000B0004);
    /// The hypervisor register `STIMER2_COUNT`.
    #[tlfs = "HV_REGISTER_STIMER2_COUNT"]
    pub const STIMER2_COUNT: Self = Self(0x000B0005);
    /// The hypervisor register `STIMER3_CONFIG`.
    #[tlfs = "HV_REGISTER_STIMER3_CONFIG"]
    pub const STIMER3_CONFIG: Self = Self(0x000B0006);
    /// The hypervisor register `STIMER3_COUNT`.
    #[tlfs = "HV_REGISTER_STIMER3_COUNT"]
    pub const STIMER3_COUNT: Self = Self(0x000B0007);
    /// The hypervisor register `STIME_UNHALTED_TIMER_CONFIG`.
    #[tlfs = "HV_REGISTER_STIME_UNHALTED_TIMER_CONFIG"]
    pub const STIME_UNHALTED_TIMER_CONFIG: Self = Self(0x000B0100);
    /// The hypervisor register `STIME_UNHALTED_TIMER_COUNT`.
    #[tlfs = "HV_REGISTER_STIME_UNHALTED_TIMER_COUNT"]
    pub const STIME_UNHALTED_TIMER_COUNT: Self = Self(0x000B0101);
    /// The hypervisor register `VSM_CODE_PAGE_OFFSETS`.
    #[tlfs = "HV_REGISTER_VSM_CODE_PAGE_OFFSETS"]
    pub const VSM_CODE_PAGE_OFFSETS: Self = Self(0x000D0002);
    /// The hypervisor register `VSM_VP_STATUS`.
    #[tlfs = "HV_REGISTER_VSM_VP_STATUS"]
    pub const VSM_VP_STATUS: Self = Self(0x000D0003);
    /// The hypervisor register `VSM_PARTITION_STATUS`.
    #[tlfs = "HV_REGISTER_VSM_PARTITION_STATUS"]
    pub const VSM_PARTITION_STATUS: Self = Self(0x000D0004);
    /// The hypervisor register `VSM_VINA`.
    #[tlfs = "HV_REGISTER_VSM_VINA"]
    pub const VSM_VINA: Self = Self(0x000D0005);
    /// The hypervisor register `VSM_CAPABILITIES`.
    #[tlfs = "HV_REGISTER_VSM_CAPABILITIES"]
    pub const VSM_CAPABILITIES: Self = Self(0x000D0006);
    /// The hypervisor register `VSM_PARTITION_CONFIG`.
    #[tlfs = "HV_REGISTER_VSM_PARTITION_CONFIG"]
    pub const VSM_PARTITION_CONFIG: Self = Self(0x000D0007);
    /// The hypervisor register `VSM_VP_SECURE_CONFIG_VTL0`.
    #[tlfs = "HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL0"]
    pub const VSM_VP_SECURE_CONFIG_VTL0: Self = Self(0x000D0010);
    /// The hypervisor register `VSM_VP_SECURE_CONFIG_VTL1`.
    #[tlfs = "HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL1"]
    pub const VSM_VP_SECURE_CONFIG_VTL1: Self = Self(0x000D0011);
    /// The hypervisor register `VSM_VP_SECURE_CONFIG_VTL2`.
    #[tlfs = "HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL2"]
    pub const VSM_VP_SECURE_CONFIG_VTL2: Self = Self(0x000D0012);
    /// The hypervisor register `VSM_VP_SECURE_CONFIG_VTL3`.
    #[tlfs = "HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL3"]
    pub const VSM_VP_SECURE_CONFIG_VTL3: Self = Self(0x000D0013);
    /// The hypervisor register `VSM_VP_SECURE_CONFIG_VTL4`.
    #[tlfs = "HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL4"]
    pub const VSM_VP_SECURE_CONFIG_VTL4: Self = Self(0x000D0014);
    /// The hypervisor register `VSM_VP_SECURE_CONFIG_VTL5`.
    #[tlfs = "HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL5"]
    pub const VSM_VP_SECURE_CONFIG_VTL5: Self = Self(0x000D0015);
    /// The hypervisor register `VSM_VP_SECURE_CONFIG_VTL6`.
    #[tlfs = "HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL6"]
    pub const VSM_VP_SECURE_CONFIG_VTL6: Self = Self(0x000D0016);
    /// The hypervisor register `VSM_VP_SECURE_CONFIG_VTL7`.
    #[tlfs = "HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL7"]
    pub const VSM_VP_SECURE_CONFIG_VTL7: Self = Self(0x000D0017);
    /// The hypervisor register `VSM_VP_SECURE_CONFIG_VTL8`.
    #[tlfs = "HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL8"]
    pub const VSM_VP_SECURE_CONFIG_VTL8: Self = Self(0x000D0018);
    /// The hypervisor register `VSM_VP_SECURE_CONFIG_VTL9`.
    #[tlfs = "HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL9"]
    pub const VSM_VP_SECURE_CONFIG_VTL9: Self = Self(0x000D0019);
    /// The hypervisor register `VSM_VP_SECURE_CONFIG_VTL10`.
    #[tlfs = "HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL10"]
    pub const VSM_VP_SECURE_CONFIG_VTL10: Self = Self(0x000D001A);
    /// The hypervisor register `VSM_VP_SECURE_CONFIG_VTL11`.
    #[tlfs = "HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL11"]
    pub const VSM_VP_SECURE_CONFIG_VTL11: Self = Self(0x000D001B);
    /// The hypervisor register `VSM_VP_SECURE_CONFIG_VTL12`.
    #[tlfs = "HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL12"]
    pub const VSM_VP_SECURE_CONFIG_VTL12: Self = Self(0x000D001C);
    /// The hypervisor register `VSM_VP_SECURE_CONFIG_VTL13`.
    #[tlfs = "HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL13"]
    pub const VSM_VP_SECURE_CONFIG_VTL13: Self = Self(0x000D001D);
    /// The hypervisor register `VSM_VP_SECURE_CONFIG_VTL14`.
    #[tlfs = "HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL14"]
    pub const VSM_VP_SECURE_CONFIG_VTL14: Self = Self(0x000D001E);
    /// The hypervisor register `VSM_VP_WAIT_FOR_TLB_LOCK`.
    #[tlfs = "HV_REGISTER_VSM_VP_WAIT_FOR_TLB_LOCK"]
    pub const VSM_VP_WAIT_FOR_TLB_LOCK: Self = Self(0x000D0020);
    /// The hypervisor register `ISOLATION_CAPABILITIES`.
    #[tlfs = "HV_REGISTER_ISOLATION_CAPABILITIES"]
    pub const ISOLATION_CAPABILITIES: Self = Self(0x000D0100);
    /// The hypervisor register `PENDING_INTERRUPTION`.
    #[tlfs = "HV_REGISTER_PENDING_INTERRUPTION"]
    pub const PENDING_INTERRUPTION: Self = Self(0x00010002);
    /// The hypervisor register `INTERRUPT_STATE`.
    #[tlfs = "HV_REGISTER_INTERRUPT_STATE"]
    pub const INTERRUPT_STATE: Self = Self(0x00010003);
    /// Another name for [`DELIVERABILITY_NOTIFICATIONS`](Self::DELIVERABILITY_NOTIFICATIONS).
    #[tlfs = "HV_X64_REGISTER_DELIVERABILITY_NOTIFICATIONS"]
    #[alias]
    pub const X64_DELIVERABILITY_NOTIFICATIONS: Self = Self(0x00010006);
    /// The x64 register `PENDING_DEBUG_EXCEPTION`.
    #[tlfs = "HV_X64_REGISTER_PENDING_DEBUG_EXCEPTION"]
    pub const X64_PENDING_DEBUG_EXCEPTION: Self = Self(0x00010007);
    /// The x64 register `RAX`.
    #[tlfs = "HV_X64_REGISTER_RAX"]
    pub const X64_RAX: Self = Self(0x00020000);
    /// The x64 register `RCX`.
    #[tlfs = "HV_X64_REGISTER_RCX"]
    pub const X64_RCX: Self = Self(0x00020001);
    /// The x64 register `RDX`.
    #[tlfs = "HV_X64_REGISTER_RDX"]
    pub const X64_RDX: Self = Self(0x00020002);
    /// The x64 register `RBX`.
    #[tlfs = "HV_X64_REGISTER_RBX"]
    pub const X64_RBX: Self = Self(0x00020003);
    /// The x64 register `RSP`.
    #[tlfs = "HV_X64_REGISTER_RSP"]
    pub const X64_RSP: Self = Self(0x00020004);
    /// The x64 register `RBP`.
    #[tlfs = "HV_X64_REGISTER_RBP"]
    pub const X64_RBP: Self = Self(0x00020005);
    /// The x64 register `RSI`.
    #[tlfs = "HV_X64_REGISTER_RSI"]
    pub const X64_RSI: Self = Self(0x00020006);
    /// The x64 register `RDI`.
    #[tlfs = "HV_X64_REGISTER_RDI"]
    pub const X64_RDI: Self = Self(0x00020007);
    /// The x64 register `R8`.
    #[tlfs = "HV_X64_REGISTER_R8"]
    pub const X64_R8: Self = Self(0x00020008);
    /// The x64 register `R9`.
    #[tlfs = "HV_X64_REGISTER_R9"]
    pub const X64_R9: Self = Self(0x00020009);
    /// The x64 register `R10`.
    #[tlfs = "HV_X64_REGISTER_R10"]
    pub const X64_R10: Self = Self(0x0002000A);
    /// The x64 register `R11`.
    #[tlfs = "HV_X64_REGISTER_R11"]
    pub const X64_R11: Self = Self(0x0002000B);
    /// The x64 register `R12`.
    #[tlfs = "HV_X64_REGISTER_R12"]
    pub const X64_R12: Self = Self(0x0002000C);
    /// The x64 register `R13`.
    #[tlfs = "HV_X64_REGISTER_R13"]
    pub const X64_R13: Self = Self(0x0002000D);
    /// The x64 register `R14`.
    #[tlfs = "HV_X64_REGISTER_R14"]
    pub const X64_R14: Self = Self(0x0002000E);
    /// The x64 register `R15`.
    #[tlfs = "HV_X64_REGISTER_R15"]
    pub const X64_R15: Self = Self(0x0002000F);
    /// The x64 register `RIP`.
    #[tlfs = "HV_X64_REGISTER_RIP"]
    pub const X64_RIP: Self = Self(0x00020010);
    /// The x64 register `RFLAGS`.
    #[tlfs = "HV_X64_REGISTER_RFLAGS"]
    pub const X64_RFLAGS: Self = Self(0x00020011);
    /// The x64 register `XMM0`.
    #[tlfs = "HV_X64_REGISTER_XMM0"]
    pub const X64_XMM0: Self = Self(0x00030000);
    /// The x64 register `XMM1`.
    #[tlfs = "HV_X64_REGISTER_XMM1"]
    pub const X64_XMM1: Self = Self(0x00030001);
    /// The x64 register `XMM2`.
    #[tlfs = "HV_X64_REGISTER_XMM2"]
    pub const X64_XMM2: Self = Self(0x00030002);
    /// The x64 register `XMM3`.
    #[tlfs = "HV_X64_REGISTER_XMM3"]
    pub const X64_XMM3: Self = Self(0x00030003);
    /// The x64 register `XMM4`.
    #[tlfs = "HV_X64_REGISTER_XMM4"]
    pub const X64_XMM4: Self = Self(0x00030004);
    /// The x64 register `XMM5`.
    #[tlfs = "HV_X64_REGISTER_XMM5"]
    pub const X64_XMM5: Self = Self(0x00030005);
    /// The x64 register `XMM6`.
    #[tlfs = "HV_X64_REGISTER_XMM6"]
    pub const X64_XMM6: Self = Self(0x00030006);
    /// The x64 register `XMM7`.
    #[tlfs = "HV_X64_REGISTER_XMM7"]
    pub const X64_XMM7: Self = Self(0x00030007);
    /// The x64 register `XMM8`.
    #[tlfs = "HV_X64_REGISTER_XMM8"]
    pub const X64_XMM8: Self = Self(0x00030008);
    /// The x64 register `XMM9`.
    #[tlfs = "HV_X64_REGISTER_XMM9"]
    pub const X64_XMM9: Self = Self(0x00030009);
    /// The x64 register `XMM10`.
    #[tlfs = "HV_X64_REGISTER_XMM10"]
    pub const X64_XMM10: Self = Self(0x0003000A);
    /// The x64 register `XMM11`.
    #[tlfs = "HV_X64_REGISTER_XMM11"]
    pub const X64_XMM11: Self = Self(0x0003000B);
    /// The x64 register `XMM12`.
    #[tlfs = "HV_X64_REGISTER_XMM12"]
    pub const X64_XMM12: Self = Self(0x0003000C);
    /// The x64 register `XMM13`.
    #[tlfs = "HV_X64_REGISTER_XMM13"]
    pub const X64_XMM13: Self = Self(0x0003000D);
    /// The x64 register `XMM14`.
    #[tlfs = "HV_X64_REGISTER_XMM14"]
    pub const X64_XMM14: Self = Self(0x0003000E);
    /// The x64 register `XMM15`.
    #[tlfs = "HV_X64_REGISTER_XMM15"]
    pub const X64_XMM15: Self = Self(0x0003000F);
    /// The x64 register `FP_MMX0`.
    #[tlfs = "HV_X64_REGISTER_FP_MMX0"]
    pub const X64_FP_MMX0: Self = Self(0x00030010);
    /// The x64 register `FP_MMX1`.
    #[tlfs = "HV_X64_REGISTER_FP_MMX1"]
    pub const X64_FP_MMX1: Self = Self(0x00030011);
    /// The x64 register `FP_MMX2`.
    #[tlfs = "HV_X64_REGISTER_FP_MMX2"]
    pub const X64_FP_MMX2: Self = Self(0x00030012);
    /// The x64 register `FP_MMX3`.
    #[tlfs = "HV_X64_REGISTER_FP_MMX3"]
    pub const X64_FP_MMX3: Self = Self(0x00030013);
    /// The x64 register `FP_MMX4`.
    #[tlfs = "HV_X64_REGISTER_FP_MMX4"]
    pub const X64_FP_MMX4: Self = Self(0x00030014);
    /// The x64 register `FP_MMX5`.
    #[tlfs = "HV_X64_REGISTER_FP_MMX5"]
    pub const X64_FP_MMX5: Self = Self(0x00030015);
    /// The x64 register `FP_MMX6`.
    #[tlfs = "HV_X64_REGISTER_FP_MMX6"]
    pub const X64_FP_MMX6: Self = Self(0x00030016);
    /// The x64 register `FP_MMX7`.
    #[tlfs = "HV_X64_REGISTER_FP_MMX7"]
    pub const X64_FP_MMX7: Self = Self(0x00030017);
    /// The x64 register `FP_CONTROL_STATUS`.
    #[tlfs = "HV_X64_REGISTER_FP_CONTROL_STATUS"]
    pub const X64_FP_CONTROL_STATUS: Self = Self(0x00030018);
    /// The x64 register `XMM_CONTROL_STATUS`.
    #[tlfs = "HV_X64_REGISTER_XMM_CONTROL_STATUS"]
    pub const X64_XMM_CONTROL_STATUS: Self = Self(0x00030019);
    /// The x64 register `CR0`.
    #[tlfs = "HV_X64_REGISTER_CR0"]
    pub const X64_CR0: Self = Self(0x00040000);
    /// The x64 register `CR2`.
    #[tlfs = "HV_X64_REGISTER_CR2"]
    pub const X64_CR2: Self = Self(0x00040001);
    /// The x64 register `CR3`.
    #[tlfs = "HV_X64_REGISTER_CR3"]
    pub const X64_CR3: Self = Self(0x00040002);
    /// The x64 register `CR4`.
    #[tlfs = "HV_X64_REGISTER_CR4"]
    pub const X64_CR4: Self = Self(0x00040003);
    /// The x64 register `CR8`.
    #[tlfs = "HV_X64_REGISTER_CR8"]
    pub const X64_CR8: Self = Self(0x00040004);
    /// The x64 register `XFEM`.
    #[tlfs = "HV_X64_REGISTER_XFEM"]
    pub const X64_XFEM: Self = Self(0x00040005);
    /// The x64 register `INTERMEDIATE_CR0`.
    #[tlfs = "HV_X64_REGISTER_INTERMEDIATE_CR0"]
    pub const X64_INTERMEDIATE_CR0: Self = Self(0x00041000);
    /// The x64 register `INTERMEDIATE_CR3`.
    #[tlfs = "HV_X64_REGISTER_INTERMEDIATE_CR3"]
    pub const X64_INTERMEDIATE_CR3: Self = Self(0x00041002);
    /// The x64 register `INTERMEDIATE_CR4`.
    #[tlfs = "HV_X64_REGISTER_INTERMEDIATE_CR4"]
    pub const X64_INTERMEDIATE_CR4: Self = Self(0x00041003);
    /// The x64 register `INTERMEDIATE_CR8`.
    #[tlfs = "HV_X64_REGISTER_INTERMEDIATE_CR8"]
    pub const X64_INTERMEDIATE_CR8: Self = Self(0x00041004);
    /// The x64 register `DR0`.
    #[tlfs = "HV_X64_REGISTER_DR0"]
    pub const X64_DR0: Self = Self(0x00050000);
    /// The x64 register `DR1`.
    #[tlfs = "HV_X64_REGISTER_DR1"]
    pub const X64_DR1: Self = Self(0x00050001);
    /// The x64 register `DR2`.
    #[tlfs = "HV_X64_REGISTER_DR2"]
    pub const X64_DR2: Self = Self(0x00050002);
    /// The x64 register `DR3`.
    #[tlfs = "HV_X64_REGISTER_DR3"]
    pub const X64_DR3: Self = Self(0x00050003);
    /// The x64 register `DR6`.
    #[tlfs = "HV_X64_REGISTER_DR6"]
    pub const X64_DR6: Self = Self(0x00050004);
    /// The x64 register `DR7`.
    #[tlfs = "HV_X64_REGISTER_DR7"]
    pub const X64_DR7: Self = Self(0x00050005);
    /// The x64 register `ES`.
    #[tlfs = "HV_X64_REGISTER_ES"]
    pub const X64_ES: Self = Self(0x00060000);
    /// The x64 register `CS`.
    #[tlfs = "HV_X64_REGISTER_CS"]
    pub const X64_CS: Self = Self(0x00060001);
    /// The x64 register `SS`.
    #[tlfs = "HV_X64_REGISTER_SS"]
    pub const X64_SS: Self = Self(0x00060002);
    /// The x64 register `DS`.
    #[tlfs = "HV_X64_REGISTER_DS"]
    pub const X64_DS: Self = Self(0x00060003);
    /// The x64 register `FS`.
    #[tlfs = "HV_X64_REGISTER_FS"]
    pub const X64_FS: Self = Self(0x00060004);
    /// The x64 register `GS`.
    #[tlfs = "HV_X64_REGISTER_GS"]
    pub const X64_GS: Self = Self(0x00060005);
    /// The x64 register `LDTR`.
    #[tlfs = "HV_X64_REGISTER_LDTR"]
    pub const X64_LDTR: Self = Self(0x00060006);
    /// The x64 register `TR`.
    #[tlfs = "HV_X64_REGISTER_TR"]
    pub const X64_TR: Self = Self(0x00060007);
    /// The x64 register `IDTR`.
    #[tlfs = "HV_X64_REGISTER_IDTR"]
    pub const X64_IDTR: Self = Self(0x00070000);
    /// The x64 register `GDTR`.
    #[tlfs = "HV_X64_REGISTER_GDTR"]
    pub const X64_GDTR: Self = Self(0x00070001);
    /// The x64 register `TSC`.
    #[tlfs = "HV_X64_REGISTER_TSC"]
    pub const X64_TSC: Self = Self(0x00080000);
    /// The x64 register `EFER`.
    #[tlfs = "HV_X64_REGISTER_EFER"]
    pub const X64_EFER: Self = Self(0x00080001);
    /// The x64 register `KERNEL_GS_BASE`.
    #[tlfs = "HV_X64_REGISTER_KERNEL_GS_BASE"]
    pub const X64_KERNEL_GS_BASE: Self = Self(0x00080002);
    /// The x64 register `APIC_BASE`.
    #[tlfs = "HV_X64_REGISTER_APIC_BASE"]
    pub const X64_APIC_BASE: Self = Self(0x00080003);
    /// The x64 register `PAT`.
    #[tlfs = "HV_X64_REGISTER_PAT"]
    pub const X64_PAT: Self = Self(0x00080004);
    /// The x64 register `SYSENTER_CS`.
    #[tlfs = "HV_X64_REGISTER_SYSENTER_CS"]
    pub const X64_SYSENTER_CS: Self = Self(0x00080005);
    /// The x64 register `SYSENTER_EIP`.
    #[tlfs = "HV_X64_REGISTER_SYSENTER_EIP"]
    pub const X64_SYSENTER_EIP: Self = Self(0x00080006);
    /// The x64 register `SYSENTER_ESP`.
    #[tlfs = "HV_X64_REGISTER_SYSENTER_ESP"]
    pub const X64_SYSENTER_ESP: Self = Self(0x00080007);
    /// The x64 register `STAR`.
    #[tlfs = "HV_X64_REGISTER_STAR"]
    pub const X64_STAR: Self = Self(0x00080008);
    /// The x64 register `LSTAR`.
    #[tlfs = "HV_X64_REGISTER_LSTAR"]
    pub const X64_LSTAR: Self = Self(0x00080009);
    /// The x64 register `CSTAR`.
    #[tlfs = "HV_X64_REGISTER_CSTAR"]
    pub const X64_CSTAR: Self = Self(0x0008000A);
    /// The x64 register `SFMASK`.
    #[tlfs = "HV_X64_REGISTER_SFMASK"]
    pub const X64_SFMASK: Self = Self(0x0008000B);
    /// The x64 register `INITIAL_APIC_ID`.
    #[tlfs = "HV_X64_REGISTER_INITIAL_APIC_ID"]
    pub const X64_INITIAL_APIC_ID: Self = Self(0x0008000C);
    /// The x64 register `MSR_MTRR_CAP`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_CAP"]
    pub const X64_MSR_MTRR_CAP: Self = Self(0x0008000D);
    /// The x64 register `MSR_MTRR_DEF_TYPE`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_DEF_TYPE"]
    pub const X64_MSR_MTRR_DEF_TYPE: Self = Self(0x0008000E);
    /// The x64 register `MSR_MTRR_PHYS_BASE0`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_BASE0"]
    pub const X64_MSR_MTRR_PHYS_BASE0: Self = Self(0x00080010);
    /// The x64 register `MSR_MTRR_PHYS_BASE1`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_BASE1"]
    pub const X64_MSR_MTRR_PHYS_BASE1: Self = Self(0x00080011);
    /// The x64 register `MSR_MTRR_PHYS_BASE2`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_BASE2"]
    pub const X64_MSR_MTRR_PHYS_BASE2: Self = Self(0x00080012);
    /// The x64 register `MSR_MTRR_PHYS_BASE3`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_BASE3"]
    pub const X64_MSR_MTRR_PHYS_BASE3: Self = Self(0x00080013);
    /// The x64 register `MSR_MTRR_PHYS_BASE4`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_BASE4"]
    pub const X64_MSR_MTRR_PHYS_BASE4: Self = Self(0x00080014);
    /// The x64 register `MSR_MTRR_PHYS_BASE5`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_BASE5"]
    pub const X64_MSR_MTRR_PHYS_BASE5: Self = Self(0x00080015);
    /// The x64 register `MSR_MTRR_PHYS_BASE6`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_BASE6"]
    pub const X64_MSR_MTRR_PHYS_BASE6: Self = Self(0x00080016);
    /// The x64 register `MSR_MTRR_PHYS_BASE7`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_BASE7"]
    pub const X64_MSR_MTRR_PHYS_BASE7: Self = Self(0x00080017);
    /// The x64 register `MSR_MTRR_PHYS_BASE8`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_BASE8"]
    pub const X64_MSR_MTRR_PHYS_BASE8: Self = Self(0x00080018);
    /// The x64 register `MSR_MTRR_PHYS_BASE9`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_BASE9"]
    pub const X64_MSR_MTRR_PHYS_BASE9: Self = Self(0x00080019);
    /// The x64 register `MSR_MTRR_PHYS_BASEA`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_BASEA"]
    pub const X64_MSR_MTRR_PHYS_BASEA: Self = Self(0x0008001A);
    /// The x64 register `MSR_MTRR_PHYS_BASEB`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_BASEB"]
    pub const X64_MSR_MTRR_PHYS_BASEB: Self = Self(0x0008001B);
    /// The x64 register `MSR_MTRR_PHYS_BASEC`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_BASEC"]
    pub const X64_MSR_MTRR_PHYS_BASEC: Self = Self(0x0008001C);
    /// The x64 register `MSR_MTRR_PHYS_BASED`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_BASED"]
    pub const X64_MSR_MTRR_PHYS_BASED: Self = Self(0x0008001D);
    /// The x64 register `MSR_MTRR_PHYS_BASEE`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_BASEE"]
    pub const X64_MSR_MTRR_PHYS_BASEE: Self = Self(0x0008001E);
    /// The x64 register `MSR_MTRR_PHYS_BASEF`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_BASEF"]
    pub const X64_MSR_MTRR_PHYS_BASEF: Self = Self(0x0008001F);
    /// The x64 register `MSR_MTRR_PHYS_MASK0`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_MASK0"]
    pub const X64_MSR_MTRR_PHYS_MASK0: Self = Self(0x00080040);
    /// The x64 register `MSR_MTRR_PHYS_MASK1`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_MASK1"]
    pub const X64_MSR_MTRR_PHYS_MASK1: Self = Self(0x00080041);
    /// The x64 register `MSR_MTRR_PHYS_MASK2`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_MASK2"]
    pub const X64_MSR_MTRR_PHYS_MASK2: Self = Self(0x00080042);
    /// The x64 register `MSR_MTRR_PHYS_MASK3`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_MASK3"]
    pub const X64_MSR_MTRR_PHYS_MASK3: Self = Self(0x00080043);
    /// The x64 register `MSR_MTRR_PHYS_MASK4`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_MASK4"]
    pub const X64_MSR_MTRR_PHYS_MASK4: Self = Self(0x00080044);
    /// The x64 register `MSR_MTRR_PHYS_MASK5`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_MASK5"]
    pub const X64_MSR_MTRR_PHYS_MASK5: Self = Self(0x00080045);
    /// The x64 register `MSR_MTRR_PHYS_MASK6`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_MASK6"]
    pub const X64_MSR_MTRR_PHYS_MASK6: Self = Self(0x00080046);
    /// The x64 register `MSR_MTRR_PHYS_MASK7`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_MASK7"]
    pub const X64_MSR_MTRR_PHYS_MASK7: Self = Self(0x00080047);
    /// The x64 register `MSR_MTRR_PHYS_MASK8`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_MASK8"]
    pub const X64_MSR_MTRR_PHYS_MASK8: Self = Self(0x00080048);
    /// The x64 register `MSR_MTRR_PHYS_MASK9`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_MASK9"]
    pub const X64_MSR_MTRR_PHYS_MASK9: Self = Self(0x00080049);
    /// The x64 register `MSR_MTRR_PHYS_MASKA`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_MASKA"]
    pub const X64_MSR_MTRR_PHYS_MASKA: Self = Self(0x0008004A);
    /// The x64 register `MSR_MTRR_PHYS_MASKB`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_MASKB"]
    pub const X64_MSR_MTRR_PHYS_MASKB: Self = Self(0x0008004B);
    /// The x64 register `MSR_MTRR_PHYS_MASKC`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_MASKC"]
    pub const X64_MSR_MTRR_PHYS_MASKC: Self = Self(0x0008004C);
    /// The x64 register `MSR_MTRR_PHYS_MASKD`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_MASKD"]
    pub const X64_MSR_MTRR_PHYS_MASKD: Self = Self(0x0008004D);
    /// The x64 register `MSR_MTRR_PHYS_MASKE`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_MASKE"]
    pub const X64_MSR_MTRR_PHYS_MASKE: Self = Self(0x0008004E);
    /// The x64 register `MSR_MTRR_PHYS_MASKF`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_PHYS_MASKF"]
    pub const X64_MSR_MTRR_PHYS_MASKF: Self = Self(0x0008004F);
    /// The x64 register `MSR_MTRR_FIX64K00000`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_FIX64K00000"]
    pub const X64_MSR_MTRR_FIX64K00000: Self = Self(0x00080070);
    /// The x64 register `MSR_MTRR_FIX16K80000`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_FIX16K80000"]
    pub const X64_MSR_MTRR_FIX16K80000: Self = Self(0x00080071);
    /// The x64 register `MSR_MTRR_FIX16KA0000`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_FIX16KA0000"]
    pub const X64_MSR_MTRR_FIX16KA0000: Self = Self(0x00080072);
    /// The x64 register `MSR_MTRR_FIX4KC0000`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_FIX4KC0000"]
    pub const X64_MSR_MTRR_FIX4KC0000: Self = Self(0x00080073);
    /// The x64 register `MSR_MTRR_FIX4KC8000`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_FIX4KC8000"]
    pub const X64_MSR_MTRR_FIX4KC8000: Self = Self(0x00080074);
    /// The x64 register `MSR_MTRR_FIX4KD0000`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_FIX4KD0000"]
    pub const X64_MSR_MTRR_FIX4KD0000: Self = Self(0x00080075);
    /// The x64 register `MSR_MTRR_FIX4KD8000`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_FIX4KD8000"]
    pub const X64_MSR_MTRR_FIX4KD8000: Self = Self(0x00080076);
    /// The x64 register `MSR_MTRR_FIX4KE0000`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_FIX4KE0000"]
    pub const X64_MSR_MTRR_FIX4KE0000: Self = Self(0x00080077);
    /// The x64 register `MSR_MTRR_FIX4KE8000`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_FIX4KE8000"]
    pub const X64_MSR_MTRR_FIX4KE8000: Self = Self(0x00080078);
    /// The x64 register `MSR_MTRR_FIX4KF0000`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_FIX4KF0000"]
    pub const X64_MSR_MTRR_FIX4KF0000: Self = Self(0x00080079);
    /// The x64 register `MSR_MTRR_FIX4KF8000`.
    #[tlfs = "HV_X64_REGISTER_MSR_MTRR_FIX4KF8000"]
    pub const X64_MSR_MTRR_FIX4KF8000: Self = Self(0x0008007A);
    /// The x64 register `TSC_AUX`.
    #[tlfs = "HV_X64_REGISTER_TSC_AUX"]
    pub const X64_TSC_AUX: Self = Self(0x0008007B);
    /// The x64 register `BNDCFGS`.
    #[tlfs = "HV_X64_REGISTER_BNDCFGS"]
    pub const X64_BNDCFGS: Self = Self(0x0008007C);
    /// The x64 register `DEBUG_CTL`.
    #[tlfs = "HV_X64_REGISTER_DEBUG_CTL"]
    pub const X64_DEBUG_CTL: Self = Self(0x0008007D);
    /// The x64 register `AVAILABLE0008007E`.
    #[tlfs = "HV_X64_REGISTER_AVAILABLE0008007E"]
    pub const X64_AVAILABLE0008007E: Self = Self(0x0008007E);
    /// The x64 register `AVAILABLE0008007F`.
    #[tlfs = "HV_X64_REGISTER_AVAILABLE0008007F"]
    pub const X64_AVAILABLE0008007F: Self = Self(0x0008007F);
    /// The x64 register `SGX_LAUNCH_CONTROL0`.
    #[tlfs = "HV_X64_REGISTER_SGX_LAUNCH_CONTROL0"]
    pub const X64_SGX_LAUNCH_CONTROL0: Self = Self(0x00080080);
    /// The x64 register `SGX_LAUNCH_CONTROL1`.
    #[tlfs = "HV_X64_REGISTER_SGX_LAUNCH_CONTROL1"]
    pub const X64_SGX_LAUNCH_CONTROL1: Self = Self(0x00080081);
    /// The x64 register `SGX_LAUNCH_CONTROL2`.
    #[tlfs = "HV_X64_REGISTER_SGX_LAUNCH_CONTROL2"]
    pub const X64_SGX_LAUNCH_CONTROL2: Self = Self(0x00080082);
    /// The x64 register `SGX_LAUNCH_CONTROL3`.
    #[tlfs = "HV_X64_REGISTER_SGX_LAUNCH_CONTROL3"]
    pub const X64_SGX_LAUNCH_CONTROL3: Self = Self(0x00080083);
    /// The x64 register `SPEC_CTRL`.
    #[tlfs = "HV_X64_REGISTER_SPEC_CTRL"]
    pub const X64_SPEC_CTRL: Self = Self(0x00080084);
    /// The x64 register `PRED_CMD`.
    #[tlfs = "HV_X64_REGISTER_PRED_CMD"]
    pub const X64_PRED_CMD: Self = Self(0x00080085);
    /// The x64 register `VIRT_SPEC_CTRL`.
    #[tlfs = "HV_X64_REGISTER_VIRT_SPEC_CTRL"]
    pub const X64_VIRT_SPEC_CTRL: Self = Self(0x00080086);
    /// The x64 register `U_XSS`.
    #[tlfs = "HV_X64_REGISTER_U_XSS"]
    pub const X64_U_XSS: Self = Self(0x0008008B);
    /// The x64 register `U_CET`.
    #[tlfs = "HV_X64_REGISTER_U_CET"]
    pub const X64_U_CET: Self = Self(0x0008008C);
    /// The x64 register `S_CET`.
    #[tlfs = "HV_X64_REGISTER_S_CET"]
    pub const X64_S_CET: Self = Self(0x0008008D);
    /// The x64 register `SSP`.
    #[tlfs = "HV_X64_REGISTER_SSP"]
    pub const X64_SSP: Self = Self(0x0008008E);
    /// The x64 register `PL0_SSP`.
    #[tlfs = "HV_X64_REGISTER_PL0_SSP"]
    pub const X64_PL0_SSP: Self = Self(0x0008008F);
    /// The x64 register `PL1_SSP`.
    #[tlfs = "HV_X64_REGISTER_PL1_SSP"]
    pub const X64_PL1_SSP: Self = Self(0x00080090);
    /// The x64 register `PL2_SSP`.
    #[tlfs = "HV_X64_REGISTER_PL2_SSP"]
    pub const X64_PL2_SSP: Self = Self(0x00080091);
    /// The x64 register `PL3_SSP`.
    #[tlfs = "HV_X64_REGISTER_PL3_SSP"]
    pub const X64_PL3_SSP: Self = Self(0x00080092);
    /// The x64 register `INTERRUPT_SSP_TABLE_ADDR`.
    #[tlfs = "HV_X64_REGISTER_INTERRUPT_SSP_TABLE_ADDR"]
    pub const X64_INTERRUPT_SSP_TABLE_ADDR: Self = Self(0x00080093);
    /// The x64 register `TSC_ADJUST`.
    #[tlfs = "HV_X64_REGISTER_TSC_ADJUST"]
    pub const X64_TSC_ADJUST: Self = Self(0x00080096);
    /// The x64 register `MSR_IA32_MISC_ENABLE`.
    #[tlfs = "HV_X64_REGISTER_MSR_IA32_MISC_ENABLE"]
    pub const X64_MSR_IA32_MISC_ENABLE: Self = Self(0x000800A0);
    /// The x64 register `IA32_FEATURE_CONTROL`.
    #[tlfs = "HV_X64_REGISTER_IA32_FEATURE_CONTROL"]
    pub const X64_IA32_FEATURE_CONTROL: Self = Self(0x000800A1);
    /// The x64 register `IA32_VMX_BASIC`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_BASIC"]
    pub const X64_IA32_VMX_BASIC: Self = Self(0x000800A2);
    /// The x64 register `IA32_VMX_PINBASED_CTLS`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_PINBASED_CTLS"]
    pub const X64_IA32_VMX_PINBASED_CTLS: Self = Self(0x000800A3);
    /// The x64 register `IA32_VMX_PROCBASED_CTLS`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_PROCBASED_CTLS"]
    pub const X64_IA32_VMX_PROCBASED_CTLS: Self = Self(0x000800A4);
    /// The x64 register `IA32_VMX_EXIT_CTLS`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_EXIT_CTLS"]
    pub const X64_IA32_VMX_EXIT_CTLS: Self = Self(0x000800A5);
    /// The x64 register `IA32_VMX_ENTRY_CTLS`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_ENTRY_CTLS"]
    pub const X64_IA32_VMX_ENTRY_CTLS: Self = Self(0x000800A6);
    /// The x64 register `IA32_VMX_MISC`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_MISC"]
    pub const X64_IA32_VMX_MISC: Self = Self(0x000800A7);
    /// The x64 register `IA32_VMX_CR0_FIXED0`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_CR0_FIXED0"]
    pub const X64_IA32_VMX_CR0_FIXED0: Self = Self(0x000800A8);
    /// The x64 register `IA32_VMX_CR0_FIXED1`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_CR0_FIXED1"]
    pub const X64_IA32_VMX_CR0_FIXED1: Self = Self(0x000800A9);
    /// The x64 register `IA32_VMX_CR4_FIXED0`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_CR4_FIXED0"]
    pub const X64_IA32_VMX_CR4_FIXED0: Self = Self(0x000800AA);
    /// The x64 register `IA32_VMX_CR4_FIXED1`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_CR4_FIXED1"]
    pub const X64_IA32_VMX_CR4_FIXED1: Self = Self(0x000800AB);
    /// The x64 register `IA32_VMX_VMCS_ENUM`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_VMCS_ENUM"]
    pub const X64_IA32_VMX_VMCS_ENUM: Self = Self(0x000800AC);
    /// The x64 register `IA32_VMX_PROCBASED_CTLS2`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_PROCBASED_CTLS2"]
    pub const X64_IA32_VMX_PROCBASED_CTLS2: Self = Self(0x000800AD);
    /// The x64 register `IA32_VMX_EPT_VPID_CAP`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_EPT_VPID_CAP"]
    pub const X64_IA32_VMX_EPT_VPID_CAP: Self = Self(0x000800AE);
    /// The x64 register `IA32_VMX_TRUE_PINBASED_CTLS`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_TRUE_PINBASED_CTLS"]
    pub const X64_IA32_VMX_TRUE_PINBASED_CTLS: Self = Self(0x000800AF);
    /// The x64 register `IA32_VMX_TRUE_PROCBASED_CTLS`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_TRUE_PROCBASED_CTLS"]
    pub const X64_IA32_VMX_TRUE_PROCBASED_CTLS: Self = Self(0x000800B0);
    /// The x64 register `IA32_VMX_TRUE_EXIT_CTLS`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_TRUE_EXIT_CTLS"]
    pub const X64_IA32_VMX_TRUE_EXIT_CTLS: Self = Self(0x000800B1);
    /// The x64 register `IA32_VMX_TRUE_ENTRY_CTLS`.
    #[tlfs = "HV_X64_REGISTER_IA32_VMX_TRUE_ENTRY_CTLS"]
    pub const X64_IA32_VMX_TRUE_ENTRY_CTLS: Self = Self(0x000800B2);
    /// The x64 register `PERF_GLOBAL_CTRL`.
    #[tlfs = "HV_X64_REGISTER_PERF_GLOBAL_CTRL"]
    pub const X64_PERF_GLOBAL_CTRL: Self = Self(0x00081000);
    /// The x64 register `PERF_GLOBAL_STATUS`.
    #[tlfs = "HV_X64_REGISTER_PERF_GLOBAL_STATUS"]
    pub const X64_PERF_GLOBAL_STATUS: Self = Self(0x00081001);
    /// The x64 register `PERF_GLOBAL_IN_USE`.
    #[tlfs = "HV_X64_REGISTER_PERF_GLOBAL_IN_USE"]
    pub const X64_PERF_GLOBAL_IN_USE: Self = Self(0x00081002);
    /// The x64 register `FIXED_CTR_CTRL`.
    #[tlfs = "HV_X64_REGISTER_FIXED_CTR_CTRL"]
    pub const X64_FIXED_CTR_CTRL: Self = Self(0x00081003);
    /// The x64 register `DS_AREA`.
    #[tlfs = "HV_X64_REGISTER_DS_AREA"]
    pub const X64_DS_AREA: Self = Self(0x00081004);
    /// The x64 register `PEBS_ENABLE`.
    #[tlfs = "HV_X64_REGISTER_PEBS_ENABLE"]
    pub const X64_PEBS_ENABLE: Self = Self(0x00081005);
    /// The x64 register `PEBS_LD_LAT`.
    #[tlfs = "HV_X64_REGISTER_PEBS_LD_LAT"]
    pub const X64_PEBS_LD_LAT: Self = Self(0x00081006);
    /// The x64 register `PEBS_FRONTEND`.
    #[tlfs = "HV_X64_REGISTER_PEBS_FRONTEND"]
    pub const X64_PEBS_FRONTEND: Self = Self(0x00081007);
    /// The x64 register `PERF_EVT_SEL0`.
    #[tlfs = "HV_X64_REGISTER_PERF_EVT_SEL0"]
    pub const X64_PERF_EVT_SEL0: Self = Self(0x00081100);
    /// The x64 register `PMC0`.
    #[tlfs = "HV_X64_REGISTER_PMC0"]
    pub const X64_PMC0: Self = Self(0x00081200);
    /// The x64 register `FIXED_CTR0`.
    #[tlfs = "HV_X64_REGISTER_FIXED_CTR0"]
    pub const X64_FIXED_CTR0: Self = Self(0x00081300);
    /// The x64 register `LBR_TOS`.
    #[tlfs = "HV_X64_REGISTER_LBR_TOS"]
    pub const X64_LBR_TOS: Self = Self(0x00082000);
    /// The x64 register `LBR_SELECT`.
    #[tlfs = "HV_X64_REGISTER_LBR_SELECT"]
    pub const X64_LBR_SELECT: Self = Self(0x00082001);
    /// The x64 register `LER_FROM_LIP`.
    #[tlfs = "HV_X64_REGISTER_LER_FROM_LIP"]
    pub const X64_LER_FROM_LIP: Self = Self(0x00082002);
    /// The x64 register `LER_TO_LIP`.
    #[tlfs = "HV_X64_REGISTER_LER_TO_LIP"]
    pub const X64_LER_TO_LIP: Self = Self(0x00082003);
    /// The x64 register `LBR_FROM0`.
    #[tlfs = "HV_X64_REGISTER_LBR_FROM0"]
    pub const X64_LBR_FROM0: Self = Self(0x00082100);
    /// The x64 register `LBR_TO0`.
    #[tlfs = "HV_X64_REGISTER_LBR_TO0"]
    pub const X64_LBR_TO0: Self = Self(0x00082200);
    /// The x64 register `LBR_INFO0`.
    #[tlfs = "HV_X64_REGISTER_LBR_INFO0"]
    pub const X64_LBR_INFO0: Self = Self(0x00083300);
    /// The x64 register `RTIT_CTL`.
    #[tlfs = "HV_X64_REGISTER_RTIT_CTL"]
    pub const X64_RTIT_CTL: Self = Self(0x00081008);
    /// The x64 register `RTIT_STATUS`.
    #[tlfs = "HV_X64_REGISTER_RTIT_STATUS"]
    pub const X64_RTIT_STATUS: Self = Self(0x00081009);
    /// The x64 register `RTIT_OUTPUT_BASE`.
    #[tlfs = "HV_X64_REGISTER_RTIT_OUTPUT_BASE"]
    pub const X64_RTIT_OUTPUT_BASE: Self = Self(0x0008100A);
    /// The x64 register `RTIT_OUTPUT_MASK_PTRS`.
    #[tlfs = "HV_X64_REGISTER_RTIT_OUTPUT_MASK_PTRS"]
    pub const X64_RTIT_OUTPUT_MASK_PTRS: Self = Self(0x0008100B);
    /// The x64 register `RTIT_CR3_MATCH`.
    #[tlfs = "HV_X64_REGISTER_RTIT_CR3_MATCH"]
    pub const X64_RTIT_CR3_MATCH: Self = Self(0x0008100C);
    /// The x64 register `RTIT_ADDR0A`.
    #[tlfs = "HV_X64_REGISTER_RTIT_ADDR0A"]
    pub const X64_RTIT_ADDR0A: Self = Self(0x00081400);
    /// The x64 register `APIC_ID`.
    #[tlfs = "HV_X64_REGISTER_APIC_ID"]
    pub const X64_APIC_ID: Self = Self(0x00084802);
    /// The x64 register `APIC_VERSION`.
    #[tlfs = "HV_X64_REGISTER_APIC_VERSION"]
    pub const X64_APIC_VERSION: Self = Self(0x00084803);
    /// The x64 register `HYPERCALL`.
    #[tlfs = "HV_X64_REGISTER_HYPERCALL"]
    pub const X64_HYPERCALL: Self = Self(0x00090001);
    /// The x64 register `SYNTHETIC_EOI`.
    #[tlfs = "HV_X64_REGISTER_SYNTHETIC_EOI"]
    pub const X64_SYNTHETIC_EOI: Self = Self(0x00090010);
    /// The x64 register `SYNTHETIC_ICR`.
    #[tlfs = "HV_X64_REGISTER_SYNTHETIC_ICR"]
    pub const X64_SYNTHETIC_ICR: Self = Self(0x00090011);
    /// The x64 register `SYNTHETIC_TPR`.
    #[tlfs = "HV_X64_REGISTER_SYNTHETIC_TPR"]
    pub const X64_SYNTHETIC_TPR: Self = Self(0x00090012);
    /// The x64 register `REG_PAGE`.
    #[tlfs = "HV_X64_REGISTER_REG_PAGE"]
    pub const X64_REG_PAGE: Self = Self(0x0009001C);
    /// The x64 register `GHCB`.
    #[tlfs = "HV_X64_REGISTER_GHCB"]
    pub const X64_GHCB: Self = Self(0x00090019);
    /// The x64 register `EMULATED_TIMER_PERIOD`.
    #[tlfs = "HV_X64_REGISTER_EMULATED_TIMER_PERIOD"]
    pub const X64_EMULATED_TIMER_PERIOD: Self = Self(0x00090030);
    /// The x64 register `EMULATED_TIMER_CONTROL`.
    #[tlfs = "HV_X64_REGISTER_EMULATED_TIMER_CONTROL"]
    pub const X64_EMULATED_TIMER_CONTROL: Self = Self(0x00090031);
    /// The x64 register `PM_TIMER_ASSIST`.
    #[tlfs = "HV_X64_REGISTER_PM_TIMER_ASSIST"]
    pub const X64_PM_TIMER_ASSIST: Self = Self(0x00090032);
    /// The x64 register `SEV_CONTROL`.
    #[tlfs = "HV_X64_REGISTER_SEV_CONTROL"]
    pub const X64_SEV_CONTROL: Self = Self(0x00090040);
    /// The x64 register `SEV_GHCB_GPA`.
    #[tlfs = "HV_X64_REGISTER_SEV_GHCB_GPA"]
    pub const X64_SEV_GHCB_GPA: Self = Self(0x00090041);
    /// The x64 register `SEV_DOORBELL_GPA`.
    #[tlfs = "HV_X64_REGISTER_SEV_DOORBELL_GPA"]
    pub const X64_SEV_DOORBELL_GPA: Self = Self(0x00090042);
    /// The x64 register `CR_INTERCEPT_CONTROL`.
    #[tlfs = "HV_X64_REGISTER_CR_INTERCEPT_CONTROL"]
    pub const X64_CR_INTERCEPT_CONTROL: Self = Self(0x000E0000);
    /// The x64 register `CR_INTERCEPT_CR0_MASK`.
    #[tlfs = "HV_X64_REGISTER_CR_INTERCEPT_CR0_MASK"]
    pub const X64_CR_INTERCEPT_CR0_MASK: Self = Self(0x000E0001);
    /// The x64 register `CR_INTERCEPT_CR4_MASK`.
    #[tlfs = "HV_X64_REGISTER_CR_INTERCEPT_CR4_MASK"]
    pub const X64_CR_INTERCEPT_CR4_MASK: Self = Self(0x000E0002);
    /// The x64 register `CR_INTERCEPT_IA32_MISC_ENABLE_MASK`.
    #[tlfs = "HV_X64_REGISTER_CR_INTERCEPT_IA32_MISC_ENABLE_MASK"]
    pub const X64_CR_INTERCEPT_IA32_MISC_ENABLE_MASK: Self = Self(0x000E0003);
}

/// `HV_REGISTER_VALUE`: the 16-byte value of a VP register, whose reading depends on its
/// [`RegisterName`]: a 64-bit register in the low eight bytes, a 128-bit one in all sixteen, a segment
/// register as [`SegmentRegister`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C, align(16))]
pub struct RegisterValue(pub [u8; 16]);

hv_abi::arbitrary_from_bytes!(RegisterValue);

impl RegisterValue {
    /// A 64-bit value (the upper eight bytes zero).
    #[must_use]
    pub const fn from_u64(value: u64) -> Self {
        Self::from_u128(value as u128)
    }

    /// A 128-bit value.
    #[must_use]
    pub const fn from_u128(value: u128) -> Self {
        Self(value.to_le_bytes())
    }

    /// The low eight bytes (`Reg64`).
    #[must_use]
    pub const fn as_u64(&self) -> u64 {
        self.as_u128() as u64
    }

    /// All sixteen bytes (`Reg128`).
    #[must_use]
    pub const fn as_u128(&self) -> u128 {
        u128::from_le_bytes(self.0)
    }

    /// The value read as a segment register (`Segment`).
    #[must_use]
    pub const fn as_segment(&self) -> SegmentRegister {
        zerocopy::transmute!(self.0)
    }

    /// A segment register's value.
    #[must_use]
    pub const fn from_segment(segment: SegmentRegister) -> Self {
        Self(zerocopy::transmute!(segment))
    }
}

/// `HV_INTERCEPT_TYPE`: what HvCallInstallIntercept installs (mshv `hvhdk.h`). Open.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct InterceptType(u32);

#[open_enum(u32)]
impl InterceptType {
    /// I/O port accesses.
    #[tlfs = "HV_INTERCEPT_TYPE_X64_IO_PORT"]
    pub const X64_IO_PORT: Self = Self(0);
    /// MSR accesses.
    #[tlfs = "HV_INTERCEPT_TYPE_X64_MSR"]
    pub const X64_MSR: Self = Self(1);
    /// CPUID.
    #[tlfs = "HV_INTERCEPT_TYPE_X64_CPUID"]
    pub const X64_CPUID: Self = Self(2);
    /// Exceptions.
    #[tlfs = "HV_INTERCEPT_TYPE_EXCEPTION"]
    pub const EXCEPTION: Self = Self(3);
    /// Reserved (a register intercept in older headers).
    #[tlfs = "HV_INTERCEPT_TYPE_RESERVED0"]
    pub const RESERVED0: Self = Self(4);
    /// MMIO accesses.
    #[tlfs = "HV_INTERCEPT_TYPE_MMIO"]
    pub const MMIO: Self = Self(5);
    /// CPUID, partition-wide.
    #[tlfs = "HV_INTERCEPT_TYPE_X64_GLOBAL_CPUID"]
    pub const X64_GLOBAL_CPUID: Self = Self(6);
    /// APIC SMIs.
    #[tlfs = "HV_INTERCEPT_TYPE_X64_APIC_SMI"]
    pub const X64_APIC_SMI: Self = Self(7);
    /// Hypercalls.
    #[tlfs = "HV_INTERCEPT_TYPE_HYPERCALL"]
    pub const HYPERCALL: Self = Self(8);
    /// APIC INIT and SIPI.
    #[tlfs = "HV_INTERCEPT_TYPE_X64_APIC_INIT_SIPI"]
    pub const X64_APIC_INIT_SIPI: Self = Self(9);
    /// Reads of the microcode patch-level MSR (mshv names it without `_TYPE`).
    #[tlfs = "HV_INTERCEPT_MC_UPDATE_PATCH_LEVEL_MSR_READ"]
    pub const MC_UPDATE_PATCH_LEVEL_MSR_READ: Self = Self(10);
    /// APIC writes.
    #[tlfs = "HV_INTERCEPT_TYPE_X64_APIC_WRITE"]
    pub const X64_APIC_WRITE: Self = Self(11);
    /// MSR accesses, by index.
    #[tlfs = "HV_INTERCEPT_TYPE_X64_MSR_INDEX"]
    pub const X64_MSR_INDEX: Self = Self(12);
    /// No intercept.
    #[tlfs = "HV_INTERCEPT_TYPE_INVALID"]
    pub const INVALID: Self = Self(0xFFFF_FFFF);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_values_and_register_values() {
        assert_eq!(RegisterName::X64_RAX.into_bits(), 0x0002_0000);
        assert_eq!(
            RegisterName::from_name("HV_X64_REGISTER_RIP"),
            Some(RegisterName::X64_RIP)
        );
        assert_eq!(RegisterName::X64_RIP.name(), Some("HV_X64_REGISTER_RIP"));
        assert_eq!(
            RegisterName::from_name("HV_X64_REGISTER_DELIVERABILITY_NOTIFICATIONS"),
            Some(RegisterName::DELIVERABILITY_NOTIFICATIONS)
        );
        let v = RegisterValue::from_u64(0xFFFF_F800_0000_1000);
        assert_eq!((v.as_u64(), v.as_u128() >> 64), (0xFFFF_F800_0000_1000, 0));
        let cs = SegmentRegister {
            base: 0,
            limit: 0xFFFF_FFFF,
            selector: 0x10,
            attributes: crate::SegmentAttributes::from_bits(0xA09B),
        };
        assert_eq!(RegisterValue::from_segment(cs).as_segment(), cs);
        assert_eq!(InterceptType::HYPERCALL.into_bits(), 8);
    }
}
