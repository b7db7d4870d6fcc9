//! Intercept access types and the x64 intercept messages (2013 WDK "Intercept Data Types"; mshv
//! `hvhdk.h`; OpenVMM `hvdef`). Every message starts with the 40-byte [`InterceptMessageHeader`].

use hv_abi::synic::{MessagePayload, MessageType};
use hv_abi::{VpIndex, bitfield, layout, open_enum};
use num_enum::{IntoPrimitive, TryFromPrimitive};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use crate::{RegisterName, RegisterValue, SegmentRegister, VpExecutionState};

/// `HV_INTERCEPT_ACCESS_TYPE` (HDK, mshv, OpenVMM): what the intercepted access did. A closed set;
/// the header keeps the raw byte, and [`InterceptMessageHeader::access_type`] reports unknown values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, TryFromPrimitive, IntoPrimitive)]
#[num_enum(error_type(name = UnknownAccessType, constructor = UnknownAccessType))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[repr(u8)]
pub enum InterceptAccessType {
    /// `HV_INTERCEPT_ACCESS_READ`.
    Read = 0,
    /// `HV_INTERCEPT_ACCESS_WRITE`.
    Write = 1,
    /// `HV_INTERCEPT_ACCESS_EXECUTE`.
    Execute = 2,
}

#[cfg(feature = "proptest")]
impl proptest::arbitrary::Arbitrary for InterceptAccessType {
    type Parameters = ();
    type Strategy = proptest::sample::Select<Self>;
    /// One of the three access types.
    fn arbitrary_with((): ()) -> Self::Strategy {
        proptest::sample::select(&[Self::Read, Self::Write, Self::Execute][..])
    }
}

hv_abi::flags! {
    /// `HV_INTERCEPT_ACCESS_TYPE_MASK` (TLFS `hv_intercept_access_type_mask.md`): which accesses an
    /// installed intercept catches. The TLFS and HDK make it a `UINT32` (as here); the 2013 reference
    /// says `UINT8`. `HV_INTERCEPT_ACCESS_MASK_NONE` is the empty set.
    pub struct InterceptAccessTypeMask(u32) tlfs_prefix "HV_INTERCEPT_ACCESS_MASK_" {
        /// Read accesses.
        const READ = 0x1;
        /// Write accesses.
        const WRITE = 0x2;
        /// Execute accesses.
        const EXECUTE = 0x4;
    }
}

/// Byte 4 of `HV_X64_INTERCEPT_MESSAGE_HEADER`: the instruction length, and in newer headers CR8.
///
/// The 2013 reference has a whole `UINT8 InstructionLength` here; mshv and OpenVMM split it into
/// `instruction_length:4` and `cr8:4` (CR8 "only set for exo partitions"). A length above 15 cannot be
/// an x64 instruction, so the two readings agree on every value a hypervisor sends with CR8 = 0.
#[bitfield(u8, tlfs = "HV_X64_INTERCEPT_MESSAGE_HEADER.InstructionLength")]
pub struct InstructionLengthCr8 {
    /// Length of the intercepted instruction; 0 means unknown (always valid for CPUID, I/O port and
    /// MSR intercepts).
    #[bits(0..=3, tlfs = "InstructionLength")]
    pub instruction_length: u8,
    /// CR8 (TPR) at the time of the intercept (newer headers; exo partitions only).
    #[bits(4..=7, tlfs = "Cr8")]
    pub cr8: u8,
}

/// `HV_X64_INTERCEPT_MESSAGE_HEADER` (2013 WDK ff541192; HDK; mshv `hvhdk.h`): 40 bytes.
#[layout(tlfs = "HV_X64_INTERCEPT_MESSAGE_HEADER", size = 40, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct InterceptMessageHeader {
    /// The VP that caused the intercept.
    #[hv(offset = 0, tlfs = "VpIndex")]
    pub vp_index: VpIndex,
    /// Instruction length and CR8.
    #[hv(offset = 4, tlfs = "InstructionLength")]
    pub instruction_length: InstructionLengthCr8,
    /// The raw `HV_INTERCEPT_ACCESS_TYPE` (0/1/2). The 2013 page's member text calls it a mask, which
    /// contradicts its type; the value is the access type. Read it with [`Self::access_type`].
    #[hv(offset = 5, tlfs = "InterceptAccessType")]
    pub intercept_access_type: u8,
    /// The VP's execution state.
    #[hv(offset = 6, tlfs = "ExecutionState")]
    pub execution_state: VpExecutionState,
    /// CS at the time of the intercept.
    #[hv(offset = 8, tlfs = "CsSegment")]
    pub cs_segment: SegmentRegister,
    /// RIP at the time of the intercept.
    #[hv(offset = 24, tlfs = "Rip")]
    pub rip: u64,
    /// RFLAGS at the time of the intercept.
    #[hv(offset = 32, tlfs = "Rflags")]
    pub rflags: u64,
}

/// An `InterceptAccessType` byte that is not read (0), write (1) or execute (2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnknownAccessType(pub u8);

impl core::fmt::Display for UnknownAccessType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "{} is not an HV_INTERCEPT_ACCESS_TYPE (read 0, write 1, execute 2)",
            self.0
        )
    }
}

impl core::error::Error for UnknownAccessType {}

impl InterceptMessageHeader {
    /// The access type, or the unknown value.
    pub fn access_type(&self) -> Result<InterceptAccessType, UnknownAccessType> {
        InterceptAccessType::try_from(self.intercept_access_type)
    }
}

/// `AccessInfo` of the I/O port intercept message (2013 WDK ff541223).
#[bitfield(u8, tlfs = "HV_X64_IO_PORT_ACCESS_INFO")]
pub struct IoPortAccessInfo {
    /// Access size in bytes (1, 2 or 4).
    #[bits(0..=2, tlfs = "AccessSize")]
    pub access_size: u8,
    /// A string instruction (INS/OUTS).
    #[bits(3, tlfs = "StringOp")]
    pub string_op: bool,
    /// A REP prefix was present.
    #[bits(4, tlfs = "RepPrefix")]
    pub rep_prefix: bool,
    #[bits(5..=7, tlfs = "Reserved")]
    reserved: Reserved,
}

/// `HV_X64_IO_PORT_INTERCEPT_MESSAGE` (2013 WDK ff541223; mshv `hvhdk.h`): 128 bytes.
#[layout(tlfs = "HV_X64_IO_PORT_INTERCEPT_MESSAGE", size = 128, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct IoPortInterceptMessage {
    /// The common header.
    #[hv(offset = 0, tlfs = "Header")]
    pub header: InterceptMessageHeader,
    /// The I/O port.
    #[hv(offset = 40, tlfs = "PortNumber")]
    pub port_number: u16,
    /// Size and kind of access.
    #[hv(offset = 42, tlfs = "AccessInfo")]
    pub access_info: IoPortAccessInfo,
    /// Valid bytes in `instruction_bytes`.
    #[hv(offset = 43, tlfs = "InstructionByteCount")]
    pub instruction_byte_count: u8,
    /// Reserved.
    #[hv(offset = 44, tlfs = "Reserved")]
    pub reserved: u32,
    /// RAX.
    #[hv(offset = 48, tlfs = "Rax")]
    pub rax: u64,
    /// The first bytes of the instruction.
    #[hv(offset = 56, tlfs = "InstructionBytes")]
    pub instruction_bytes: [u8; 16],
    /// DS (for string operations).
    #[hv(offset = 72, tlfs = "DsSegment")]
    pub ds_segment: SegmentRegister,
    /// ES (for string operations).
    #[hv(offset = 88, tlfs = "EsSegment")]
    pub es_segment: SegmentRegister,
    /// RCX.
    #[hv(offset = 104, tlfs = "Rcx")]
    pub rcx: u64,
    /// RSI.
    #[hv(offset = 112, tlfs = "Rsi")]
    pub rsi: u64,
    /// RDI.
    #[hv(offset = 120, tlfs = "Rdi")]
    pub rdi: u64,
}

/// `HV_X64_MSR_INTERCEPT_MESSAGE` (2013 WDK ff541268; mshv `hvhdk.h`): 64 bytes.
#[layout(tlfs = "HV_X64_MSR_INTERCEPT_MESSAGE", size = 64, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct MsrInterceptMessage {
    /// The common header.
    #[hv(offset = 0, tlfs = "Header")]
    pub header: InterceptMessageHeader,
    /// The MSR (ECX).
    #[hv(offset = 40, tlfs = "MsrNumber")]
    pub msr_number: u32,
    /// Reserved.
    #[hv(offset = 44, tlfs = "Reserved")]
    pub reserved: u32,
    /// RDX.
    #[hv(offset = 48, tlfs = "Rdx")]
    pub rdx: u64,
    /// RAX.
    #[hv(offset = 56, tlfs = "Rax")]
    pub rax: u64,
}

/// `HV_X64_CPUID_INTERCEPT_MESSAGE` (2013 WDK ff540360; mshv `hvhdk.h`): 104 bytes.
#[layout(tlfs = "HV_X64_CPUID_INTERCEPT_MESSAGE", size = 104, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct CpuidInterceptMessage {
    /// The common header.
    #[hv(offset = 0, tlfs = "Header")]
    pub header: InterceptMessageHeader,
    /// RAX (the leaf).
    #[hv(offset = 40, tlfs = "Rax")]
    pub rax: u64,
    /// RCX (the subleaf).
    #[hv(offset = 48, tlfs = "Rcx")]
    pub rcx: u64,
    /// RDX.
    #[hv(offset = 56, tlfs = "Rdx")]
    pub rdx: u64,
    /// RBX.
    #[hv(offset = 64, tlfs = "Rbx")]
    pub rbx: u64,
    /// The RAX the hypervisor would return.
    #[hv(offset = 72, tlfs = "DefaultResultRax")]
    pub default_result_rax: u64,
    /// The RCX the hypervisor would return.
    #[hv(offset = 80, tlfs = "DefaultResultRcx")]
    pub default_result_rcx: u64,
    /// The RDX the hypervisor would return.
    #[hv(offset = 88, tlfs = "DefaultResultRdx")]
    pub default_result_rdx: u64,
    /// The RBX the hypervisor would return.
    #[hv(offset = 96, tlfs = "DefaultResultRbx")]
    pub default_result_rbx: u64,
}

/// `ExceptionInfo` of the exception intercept message (2013 WDK ff540368; newer headers add
/// `SoftwareException`).
#[bitfield(u8, tlfs = "HV_X64_EXCEPTION_INFO")]
pub struct ExceptionInfo {
    /// `error_code` is valid.
    #[bits(0, tlfs = "ErrorCodeValid")]
    pub error_code_valid: bool,
    /// A software exception (INT n, INT3, INTO; newer headers; reserved in 2013).
    #[bits(1, tlfs = "SoftwareException")]
    pub software_exception: bool,
    #[bits(2..=7, tlfs = "Reserved")]
    reserved: Reserved,
}

/// `HV_X64_EXCEPTION_INTERCEPT_MESSAGE` (2013 WDK ff540368; mshv `hvhdk.h`): 240 bytes, the whole
/// payload area.
#[layout(tlfs = "HV_X64_EXCEPTION_INTERCEPT_MESSAGE", size = 240, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct ExceptionInterceptMessage {
    /// The common header.
    #[hv(offset = 0, tlfs = "Header")]
    pub header: InterceptMessageHeader,
    /// The exception vector.
    #[hv(offset = 40, tlfs = "ExceptionVector")]
    pub exception_vector: u16,
    /// Exception details.
    #[hv(offset = 42, tlfs = "ExceptionInfo")]
    pub exception_info: ExceptionInfo,
    /// Valid bytes in `instruction_bytes`.
    #[hv(offset = 43, tlfs = "InstructionByteCount")]
    pub instruction_byte_count: u8,
    /// The error code, when `exception_info.error_code_valid()`.
    #[hv(offset = 44, tlfs = "ErrorCode")]
    pub error_code: u32,
    /// The exception parameter (CR2 for #PF, DR6 for #DB).
    #[hv(offset = 48, tlfs = "ExceptionParameter")]
    pub exception_parameter: u64,
    /// Reserved.
    #[hv(offset = 56, tlfs = "Reserved")]
    pub reserved: u64,
    /// The first bytes of the instruction.
    #[hv(offset = 64, tlfs = "InstructionBytes")]
    pub instruction_bytes: [u8; 16],
    /// DS.
    #[hv(offset = 80, tlfs = "DsSegment")]
    pub ds_segment: SegmentRegister,
    /// SS.
    #[hv(offset = 96, tlfs = "SsSegment")]
    pub ss_segment: SegmentRegister,
    /// RAX.
    #[hv(offset = 112, tlfs = "Rax")]
    pub rax: u64,
    /// RCX.
    #[hv(offset = 120, tlfs = "Rcx")]
    pub rcx: u64,
    /// RDX.
    #[hv(offset = 128, tlfs = "Rdx")]
    pub rdx: u64,
    /// RBX.
    #[hv(offset = 136, tlfs = "Rbx")]
    pub rbx: u64,
    /// RSP.
    #[hv(offset = 144, tlfs = "Rsp")]
    pub rsp: u64,
    /// RBP.
    #[hv(offset = 152, tlfs = "Rbp")]
    pub rbp: u64,
    /// RSI.
    #[hv(offset = 160, tlfs = "Rsi")]
    pub rsi: u64,
    /// RDI.
    #[hv(offset = 168, tlfs = "Rdi")]
    pub rdi: u64,
    /// R8.
    #[hv(offset = 176, tlfs = "R8")]
    pub r8: u64,
    /// R9.
    #[hv(offset = 184, tlfs = "R9")]
    pub r9: u64,
    /// R10.
    #[hv(offset = 192, tlfs = "R10")]
    pub r10: u64,
    /// R11.
    #[hv(offset = 200, tlfs = "R11")]
    pub r11: u64,
    /// R12.
    #[hv(offset = 208, tlfs = "R12")]
    pub r12: u64,
    /// R13.
    #[hv(offset = 216, tlfs = "R13")]
    pub r13: u64,
    /// R14.
    #[hv(offset = 224, tlfs = "R14")]
    pub r14: u64,
    /// R15.
    #[hv(offset = 232, tlfs = "R15")]
    pub r15: u64,
}

/// `HV_CACHE_TYPE` (2013 WDK ff539912): the memory type of an intercepted access. Open.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct CacheType(u32);

#[open_enum(u32)]
impl CacheType {
    /// Uncached.
    #[tlfs = "HvCacheTypeUncached"]
    pub const UNCACHED: Self = Self(0);
    /// Write-combining.
    #[tlfs = "HvCacheTypeWriteCombining"]
    pub const WRITE_COMBINING: Self = Self(1);
    /// Write-through.
    #[tlfs = "HvCacheTypeWriteThrough"]
    pub const WRITE_THROUGH: Self = Self(4);
    /// Write-protected.
    #[tlfs = "HvCacheTypeWriteProtected"]
    pub const WRITE_PROTECTED: Self = Self(5);
    /// Write-back.
    #[tlfs = "HvCacheTypeWriteBack"]
    pub const WRITE_BACK: Self = Self(6);
}

/// `MemoryAccessInfo` of the memory intercept message (mshv `hvhdk.h`; OpenVMM). The 2013 page
/// declares `GvaValid:1; Reserved:8` in one byte, nine bits, a documentation slip.
#[bitfield(u8, tlfs = "HV_X64_MEMORY_ACCESS_INFO")]
pub struct MemoryAccessInfo {
    /// `guest_virtual_address` is valid.
    #[bits(0, tlfs = "GvaValid")]
    pub gva_valid: bool,
    /// The GVA and GPA are valid and translate to each other.
    #[bits(1, tlfs = "GvaGpaValid")]
    pub gva_gpa_valid: bool,
    /// The intercepted instruction was a hypercall whose output is pending.
    #[bits(2, tlfs = "HypercallOutputPending")]
    pub hypercall_output_pending: bool,
    /// The TLB was locked with no overlay.
    #[bits(3, tlfs = "TlbLockedNoOverlay")]
    pub tlb_locked_no_overlay: bool,
    #[bits(4..=7, tlfs = "Reserved")]
    reserved: Reserved,
}

/// `HV_X64_MEMORY_INTERCEPT_MESSAGE`, newer layout (mshv `hvhdk.h`; OpenVMM asserts 0x50): 80 bytes.
///
/// The 2013 reference (ff541239) has the same fields up to offset 80 except a `UINT16 Reserved1` at 46
/// (here `tpr_priority` and `reserved`), and continues with DS and SS at 80 and 96 and RAX..R15 at
/// 112..232, 240 bytes in all. A 2013-era message therefore reads correctly through this type; its
/// trailing registers are in the rest of the 240-byte payload.
#[layout(tlfs = "HV_X64_MEMORY_INTERCEPT_MESSAGE", size = 80, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct MemoryInterceptMessage {
    /// The common header.
    #[hv(offset = 0, tlfs = "Header")]
    pub header: InterceptMessageHeader,
    /// The memory type of the access.
    #[hv(offset = 40, tlfs = "CacheType")]
    pub cache_type: CacheType,
    /// Valid bytes in `instruction_bytes`.
    #[hv(offset = 44, tlfs = "InstructionByteCount")]
    pub instruction_byte_count: u8,
    /// Which addresses are valid.
    #[hv(offset = 45, tlfs = "MemoryAccessInfo")]
    pub memory_access_info: MemoryAccessInfo,
    /// TPR priority (newer layout; 2013: part of `Reserved1`).
    #[hv(offset = 46, tlfs = "TprPriority")]
    pub tpr_priority: u8,
    /// Reserved.
    #[hv(offset = 47, tlfs = "Reserved")]
    pub reserved: u8,
    /// The guest virtual address, when `memory_access_info.gva_valid()`.
    #[hv(offset = 48, tlfs = "GuestVirtualAddress")]
    pub guest_virtual_address: u64,
    /// The guest physical address.
    #[hv(offset = 56, tlfs = "GuestPhysicalAddress")]
    pub guest_physical_address: u64,
    /// The first bytes of the instruction.
    #[hv(offset = 64, tlfs = "InstructionBytes")]
    pub instruction_bytes: [u8; 16],
}

/// `HV_HYPERCALL_INTERCEPT_MESSAGE_FLAGS` (OpenVMM `HvHypercallInterceptMessageFlags`; mshv's anonymous
/// bitfield).
#[bitfield(u32, tlfs = "HV_HYPERCALL_INTERCEPT_MESSAGE_FLAGS")]
pub struct HypercallInterceptFlags {
    /// The calling partition is isolated (SEV-SNP, TDX); its execution-state bits are redacted.
    #[bits(0, tlfs = "IsIsolated")]
    pub is_isolated: bool,
    #[bits(1..=31, tlfs = "Reserved")]
    reserved: Reserved,
}

/// `HV_X64_HYPERCALL_INTERCEPT_MESSAGE` (`HvMessageTypeHypercallIntercept`; OpenVMM
/// `HvX64HypercallInterceptMessage`, mshv `hv_x64_hypercall_intercept_message`): a hypercall the
/// hypervisor hands to the partition's parent, with every register a hypercall can read.
///
/// OpenVMM's naturally aligned layout, 208 bytes; mshv's packed header ends after `flags` (196 bytes)
/// and puts every field it has at the same offset. [`crate::parse`] checks `payload_size` against the
/// 208 bytes, so a message of mshv's shorter size is refused with its size, never misread.
#[layout(tlfs = "HV_X64_HYPERCALL_INTERCEPT_MESSAGE", size = 208, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct HypercallInterceptMessage {
    /// The common header.
    #[hv(offset = 0, tlfs = "Header")]
    pub header: InterceptMessageHeader,
    /// RAX (the result register; the input in 32-bit mode's EDX:EAX pair).
    #[hv(offset = 40, tlfs = "Rax")]
    pub rax: u64,
    /// RBX.
    #[hv(offset = 48, tlfs = "Rbx")]
    pub rbx: u64,
    /// RCX (the hypercall input value in 64-bit mode).
    #[hv(offset = 56, tlfs = "Rcx")]
    pub rcx: u64,
    /// RDX.
    #[hv(offset = 64, tlfs = "Rdx")]
    pub rdx: u64,
    /// R8.
    #[hv(offset = 72, tlfs = "R8")]
    pub r8: u64,
    /// RSI.
    #[hv(offset = 80, tlfs = "Rsi")]
    pub rsi: u64,
    /// RDI.
    #[hv(offset = 88, tlfs = "Rdi")]
    pub rdi: u64,
    /// XMM0-XMM5, each as its low and high quadword (the fast-hypercall input registers).
    #[hv(offset = 96, tlfs = "XmmRegisters")]
    pub xmm_registers: [[u64; 2]; 6],
    /// Flags.
    #[hv(offset = 192, tlfs = "Flags")]
    pub flags: HypercallInterceptFlags,
    /// Reserved (OpenVMM `rsvd2`; absent from mshv's packed layout).
    #[hv(offset = 196, tlfs = "Reserved")]
    pub reserved: [u32; 3],
}

impl HypercallInterceptMessage {
    /// XMM`index` as one 128-bit value, for `index` 0..6.
    #[must_use]
    pub fn xmm(&self, index: usize) -> Option<u128> {
        let [low, high] = *self.xmm_registers.get(index)?;
        Some(u128::from(high) << 64 | u128::from(low))
    }
}

/// The flags byte of `HV_X64_REGISTER_INTERCEPT_MESSAGE` (mshv's anonymous bitfield).
#[bitfield(u8, tlfs = "HV_X64_REGISTER_INTERCEPT_MESSAGE_FLAGS")]
pub struct RegisterInterceptFlags {
    /// The access moved the register to or from memory; else to or from another register.
    #[bits(0, tlfs = "IsMemoryOp")]
    pub is_memory_op: bool,
    #[bits(1..=7, tlfs = "Reserved")]
    reserved: Reserved,
}

/// `HV_X64_REGISTER_ACCESS_INFO` (mshv `hv_x64_register_access_info`, OpenVMM
/// `HvX64RegisterAccessInfo`): a 16-byte union whose reading depends on the access type and
/// [`RegisterInterceptFlags::is_memory_op`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct RegisterAccessInfo(pub [u64; 2]);

hv_abi::arbitrary_from_bytes!(RegisterAccessInfo);

impl RegisterAccessInfo {
    /// `SourceValue`: the value written (a write from a register or an immediate).
    #[must_use]
    pub const fn source_value(&self) -> RegisterValue {
        RegisterValue::from_u128((self.0[1] as u128) << 64 | self.0[0] as u128)
    }

    /// `DestinationRegister`: the register a read goes to.
    #[must_use]
    pub const fn destination_register(&self) -> RegisterName {
        RegisterName::from_bits(self.0[0] as u32)
    }

    /// `SourceAddress` or `DestinationAddress`: the guest address of a memory operand.
    #[must_use]
    pub const fn address(&self) -> u64 {
        self.0[0]
    }
}

/// `HV_X64_REGISTER_INTERCEPT_MESSAGE` (`HvMessageTypeRegisterIntercept`; mshv
/// `hv_x64_register_intercept_message`, OpenVMM `HvX64RegisterInterceptMessage`): an intercepted access
/// to a register the parent asked to see (a control register, for one). 64 bytes.
#[layout(tlfs = "HV_X64_REGISTER_INTERCEPT_MESSAGE", size = 64, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct RegisterInterceptMessage {
    /// The common header.
    #[hv(offset = 0, tlfs = "Header")]
    pub header: InterceptMessageHeader,
    /// Flags.
    #[hv(offset = 40, tlfs = "Flags")]
    pub flags: RegisterInterceptFlags,
    /// Reserved.
    #[hv(offset = 41, tlfs = "Reserved8")]
    pub reserved8: u8,
    /// Reserved.
    #[hv(offset = 42, tlfs = "Reserved16")]
    pub reserved16: u16,
    /// The register accessed.
    #[hv(offset = 44, tlfs = "RegisterName")]
    pub register_name: RegisterName,
    /// The value, destination register or memory address of the access.
    #[hv(offset = 48, tlfs = "AccessInfo")]
    pub access_info: RegisterAccessInfo,
}

/// `HV_GPA_PAGE_RANGE` (mshv `hv_gpa_page_range`, Linux `hvgdk_mini.h`): a run of guest pages, read
/// with small pages (the other reading, for large pages, keeps the page size in bit 12).
#[bitfield(u64, tlfs = "HV_GPA_PAGE_RANGE")]
pub struct GpaPageRange {
    /// Pages after the first (0 for a single page).
    #[bits(0..=10, tlfs = "AdditionalPages")]
    pub additional_pages: u16,
    /// The range is of 2 MiB pages.
    #[bits(11, tlfs = "LargePage")]
    pub large_page: bool,
    /// The first page's frame number.
    #[bits(12..=63, tlfs = "BasePfn")]
    pub base_pfn: u64,
}

/// The attribute word of `HV_X64_GPA_ATTRIBUTE_INTERCEPT_MESSAGE` (mshv's anonymous bitfield).
#[bitfield(u32, tlfs = "HV_X64_GPA_ATTRIBUTE_INTERCEPT_FLAGS")]
pub struct GpaAttributeFlags {
    /// How many of the 29 `ranges` are valid.
    #[bits(0..=4, tlfs = "RangeCount")]
    pub range_count: u8,
    /// The guest asked to adjust the attributes.
    #[bits(5, tlfs = "Adjust")]
    pub adjust: bool,
    /// The requested host visibility (`HV_MAP_GPA_*`: 0 none, 1 readable, 3 read-write).
    #[bits(6..=7, tlfs = "HostVisibility")]
    pub host_visibility: u8,
    /// The requested memory type.
    #[bits(8..=13, tlfs = "MemoryType")]
    pub memory_type: u8,
    #[bits(14..=31, tlfs = "Reserved")]
    reserved: Reserved,
}

/// `HV_X64_GPA_ATTRIBUTE_INTERCEPT_MESSAGE` (`HvMessageTypeGpaAttributeIntercept`; mshv
/// `hv_x64_gpa_attribute_intercept_message`): an isolated guest asked to change the host visibility or
/// type of up to 29 page ranges. The whole 240-byte payload.
#[layout(tlfs = "HV_X64_GPA_ATTRIBUTE_INTERCEPT_MESSAGE", size = 240, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct GpaAttributeInterceptMessage {
    /// The VP that asked.
    #[hv(offset = 0, tlfs = "VpIndex")]
    pub vp_index: VpIndex,
    /// The range count and the requested attributes.
    #[hv(offset = 4, tlfs = "Attributes")]
    pub flags: GpaAttributeFlags,
    /// The ranges; the first `flags.range_count()` are valid.
    #[hv(offset = 8, tlfs = "Ranges")]
    pub ranges: [GpaPageRange; 29],
}

impl GpaAttributeInterceptMessage {
    /// The valid ranges: the first `range_count`, at most all 29.
    #[must_use]
    pub fn valid_ranges(&self) -> &[GpaPageRange] {
        let n = usize::from(self.flags.range_count()).min(self.ranges.len());
        self.ranges.get(..n).unwrap_or_default()
    }
}

/// The flags quadword of `HV_X64_VMGEXIT_INTERCEPT_MESSAGE` (mshv's anonymous bitfield).
#[bitfield(u64, tlfs = "HV_X64_VMGEXIT_INTERCEPT_FLAGS")]
pub struct VmgexitFlags {
    /// The GHCB page fields of the message are valid.
    #[bits(0, tlfs = "GhcbPageValid")]
    pub ghcb_page_valid: bool,
    #[bits(1..=63, tlfs = "Reserved")]
    reserved: Reserved,
}

/// `HV_X64_VMGEXIT_INTERCEPT_MESSAGE` (`HvMessageTypeX64SevVmgexitIntercept`; mshv
/// `hv_x64_vmgexit_intercept_message`): an SEV-ES/SNP guest's VMGEXIT, with the GHCB MSR and, when
/// `flags.ghcb_page_valid()`, the exit fields copied from its GHCB page. 104 bytes.
#[layout(tlfs = "HV_X64_VMGEXIT_INTERCEPT_MESSAGE", size = 104, align = 8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
#[repr(C)]
pub struct VmgexitInterceptMessage {
    /// The common header.
    #[hv(offset = 0, tlfs = "Header")]
    pub header: InterceptMessageHeader,
    /// The GHCB MSR.
    #[hv(offset = 40, tlfs = "GhcbMsr")]
    pub ghcb_msr: u64,
    /// Flags.
    #[hv(offset = 48, tlfs = "Flags")]
    pub flags: VmgexitFlags,
    /// The GHCB page's usage field.
    #[hv(offset = 56, tlfs = "GhcbUsage")]
    pub ghcb_usage: u32,
    /// Reserved.
    #[hv(offset = 60, tlfs = "ReservedGhcbPage")]
    pub reserved_ghcb_page: u32,
    /// The GHCB protocol version.
    #[hv(offset = 64, tlfs = "GhcbProtocolVersion")]
    pub ghcb_protocol_version: u16,
    /// Reserved.
    #[hv(offset = 66, tlfs = "ReservedSt")]
    pub reserved_st: [u16; 3],
    /// SW_EXITCODE.
    #[hv(offset = 72, tlfs = "SwExitCode")]
    pub sw_exit_code: u64,
    /// SW_EXITINFO1.
    #[hv(offset = 80, tlfs = "SwExitInfo1")]
    pub sw_exit_info1: u64,
    /// SW_EXITINFO2.
    #[hv(offset = 88, tlfs = "SwExitInfo2")]
    pub sw_exit_info2: u64,
    /// SW_SCRATCH.
    #[hv(offset = 96, tlfs = "SwScratch")]
    pub sw_scratch: u64,
}

// Every payload type fits in the 240-byte payload area of a SynIC message.
static_assertions::const_assert!(size_of::<ExceptionInterceptMessage>() <= hv_abi::synic::Message::PAYLOAD_SIZE);
static_assertions::const_assert!(size_of::<IoPortInterceptMessage>() <= hv_abi::synic::Message::PAYLOAD_SIZE);
static_assertions::const_assert!(size_of::<CpuidInterceptMessage>() <= hv_abi::synic::Message::PAYLOAD_SIZE);
static_assertions::const_assert!(size_of::<MemoryInterceptMessage>() <= hv_abi::synic::Message::PAYLOAD_SIZE);
static_assertions::const_assert!(size_of::<MsrInterceptMessage>() <= hv_abi::synic::Message::PAYLOAD_SIZE);
static_assertions::const_assert!(size_of::<HypercallInterceptMessage>() <= hv_abi::synic::Message::PAYLOAD_SIZE);
static_assertions::const_assert!(size_of::<RegisterInterceptMessage>() <= hv_abi::synic::Message::PAYLOAD_SIZE);
static_assertions::const_assert!(size_of::<GpaAttributeInterceptMessage>() <= hv_abi::synic::Message::PAYLOAD_SIZE);
static_assertions::const_assert!(size_of::<VmgexitInterceptMessage>() <= hv_abi::synic::Message::PAYLOAD_SIZE);

impl MessagePayload for InterceptMessageHeader {
    /// Every x64 intercept message starts with this header; halt and unrecoverable-exception messages
    /// are the header alone.
    const MESSAGE_TYPES: &'static [MessageType] = &[
        MessageType::X64_IO_PORT_INTERCEPT,
        MessageType::X64_MSR_INTERCEPT,
        MessageType::X64_CPUID_INTERCEPT,
        MessageType::X64_EXCEPTION_INTERCEPT,
        MessageType::UNMAPPED_GPA,
        MessageType::GPA_INTERCEPT,
        MessageType::X64_HALT,
        MessageType::UNRECOVERABLE_EXCEPTION,
        MessageType::HYPERCALL_INTERCEPT,
        MessageType::REGISTER_INTERCEPT,
        MessageType::X64_SEV_VMGEXIT_INTERCEPT,
    ];
}

impl MessagePayload for IoPortInterceptMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::X64_IO_PORT_INTERCEPT];
}

impl MessagePayload for MsrInterceptMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::X64_MSR_INTERCEPT];
}

impl MessagePayload for CpuidInterceptMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::X64_CPUID_INTERCEPT];
}

impl MessagePayload for ExceptionInterceptMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::X64_EXCEPTION_INTERCEPT];
}

impl MessagePayload for MemoryInterceptMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::UNMAPPED_GPA, MessageType::GPA_INTERCEPT];
}

impl MessagePayload for HypercallInterceptMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::HYPERCALL_INTERCEPT];
}

impl MessagePayload for RegisterInterceptMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::REGISTER_INTERCEPT];
}

impl MessagePayload for GpaAttributeInterceptMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::GPA_ATTRIBUTE_INTERCEPT];
}

impl MessagePayload for VmgexitInterceptMessage {
    const MESSAGE_TYPES: &'static [MessageType] = &[MessageType::X64_SEV_VMGEXIT_INTERCEPT];
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::format;

    use super::*;
    use hv_abi::synic::{Message, PayloadError};
    use proptest::prelude::*;
    use zerocopy::FromZeros;

    #[test]
    fn header_byte_4() {
        let b = InstructionLengthCr8::from_bits(0x53);
        assert_eq!((b.instruction_length(), b.cr8()), (3, 5));
    }

    #[test]
    fn access_types() {
        let mut h = InterceptMessageHeader::default();
        assert_eq!(h.access_type(), Ok(InterceptAccessType::Read));
        h.intercept_access_type = 2;
        assert_eq!(h.access_type(), Ok(InterceptAccessType::Execute));
        h.intercept_access_type = 3;
        let err = h.access_type().unwrap_err();
        assert_eq!(err, UnknownAccessType(3));
        assert_eq!(
            format!("{err}"),
            "3 is not an HV_INTERCEPT_ACCESS_TYPE (read 0, write 1, execute 2)"
        );
        assert_eq!(InterceptAccessTypeMask::all().bits(), 0x7);
        assert_eq!(InterceptAccessTypeMask::from_bits_retain(0x9).unknown_bits(), 0x8);
    }

    #[test]
    fn io_port_message_through_a_synic_message() {
        let mut m = Message::new_zeroed();
        m.header.message_type = MessageType::X64_IO_PORT_INTERCEPT;
        m.header.payload_size = 128;
        m.payload[0..4].copy_from_slice(&7u32.to_le_bytes()); // vp index
        m.payload[4] = 0x02; // instruction length 2
        m.payload[5] = 1; // write
        m.payload[40..42].copy_from_slice(&0x3F8u16.to_le_bytes());
        m.payload[42] = 0b0001_1001; // size 1, string op, rep prefix
        let io = m.payload::<IoPortInterceptMessage>().unwrap();
        assert_eq!(io.header.vp_index, VpIndex(7));
        assert_eq!(io.header.instruction_length.instruction_length(), 2);
        assert_eq!(io.header.access_type(), Ok(InterceptAccessType::Write));
        assert_eq!(io.port_number, 0x3F8);
        assert_eq!(io.access_info.access_size(), 1);
        assert!(io.access_info.string_op() && io.access_info.rep_prefix());
        assert!(m.payload::<InterceptMessageHeader>().is_ok());
        assert_eq!(
            m.payload::<MsrInterceptMessage>().unwrap_err(),
            PayloadError::WrongType {
                payload: "MsrInterceptMessage",
                found: MessageType::X64_IO_PORT_INTERCEPT
            }
        );
        m.header.payload_size = 127;
        assert_eq!(
            m.payload::<IoPortInterceptMessage>().unwrap_err(),
            PayloadError::TooShort {
                payload: "IoPortInterceptMessage",
                need: 128,
                have: 127
            }
        );
    }

    #[test]
    fn memory_message_reads_a_2013_payload_prefix() {
        let mut m = Message::new_zeroed();
        m.header.message_type = MessageType::GPA_INTERCEPT;
        m.header.payload_size = 240; // the 2013 layout's size
        m.payload[45] = 0b11;
        m.payload[56..64].copy_from_slice(&0xFEE0_0000u64.to_le_bytes());
        let mem = m.payload::<MemoryInterceptMessage>().unwrap();
        assert!(mem.memory_access_info.gva_valid() && mem.memory_access_info.gva_gpa_valid());
        assert_eq!(mem.guest_physical_address, 0xFEE0_0000);
    }

    proptest! {
        #[test]
        fn header_round_trips(bytes: [u8; 40]) {
            let h = InterceptMessageHeader::read_from_bytes(&bytes).unwrap();
            prop_assert_eq!(h.as_bytes(), &bytes);
            prop_assert_eq!(h.instruction_length.instruction_length(), bytes[4] & 0xF);
            prop_assert_eq!(h.instruction_length.cr8(), bytes[4] >> 4);
            prop_assert_eq!(h.access_type().is_ok(), bytes[5] <= 2);
        }

        #[test]
        fn intercept_messages_round_trip(bytes in proptest::collection::vec(any::<u8>(), 240)) {
            let e = ExceptionInterceptMessage::read_from_bytes(&bytes).unwrap();
            prop_assert_eq!(e.as_bytes(), &bytes[..]);
            let io = IoPortInterceptMessage::read_from_bytes(&bytes[..128]).unwrap();
            prop_assert_eq!(io.as_bytes(), &bytes[..128]);
            prop_assert_eq!(io.access_info.reserved_bits(), bytes[42] & 0xE0);
            let msr = MsrInterceptMessage::read_from_bytes(&bytes[..64]).unwrap();
            prop_assert_eq!(msr.as_bytes(), &bytes[..64]);
            let cpuid = CpuidInterceptMessage::read_from_bytes(&bytes[..104]).unwrap();
            prop_assert_eq!(cpuid.as_bytes(), &bytes[..104]);
            let mem = MemoryInterceptMessage::read_from_bytes(&bytes[..80]).unwrap();
            prop_assert_eq!(mem.as_bytes(), &bytes[..80]);
            prop_assert_eq!(mem.memory_access_info.reserved_bits(), bytes[45] & 0xF0);
            prop_assert_eq!(e.exception_info.reserved_bits(), bytes[42] & 0xFC);
        }
    }
}
