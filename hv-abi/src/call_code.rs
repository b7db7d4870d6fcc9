//! `HV_CALL_CODE`: the 16-bit hypercall code, and the descriptors of the calls the model implements.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use crate::debug::{PostDebugDataInput, PostDebugDataOutput, ResetDebugSessionInput, RetrieveDebugDataInput};
use crate::{HvStatus, HypercallInput};

/// `HV_CALL_CODE` (TLFS "Hypercall Reference"; 2013 WDK ff541397): bits 15:0 of the input value.
///
/// Open: unknown codes round-trip. The 2013 reference lists 0x000B-0x003F as reserved; later TLFS
/// versions assign some of them. Where a call moved (AssertVirtualInterrupt, CreatePort, ConnectPort),
/// the old code carries the HDK's `...Deprecated` name.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, FromBytes, IntoBytes, KnownLayout, Immutable)]
pub struct CallCode(u16);

impl CallCode {
    /// How the call is encoded, for the calls this workspace implements (the three debug calls).
    #[must_use]
    pub const fn descriptor(self) -> Option<&'static CallDescriptor> {
        match self {
            Self::POST_DEBUG_DATA => Some(&CallDescriptor::POST_DEBUG_DATA),
            Self::RETRIEVE_DEBUG_DATA => Some(&CallDescriptor::RETRIEVE_DEBUG_DATA),
            Self::RESET_DEBUG_SESSION => Some(&CallDescriptor::RESET_DEBUG_SESSION),
            _ => None,
        }
    }
}

#[crate::open_enum(u16)]
impl CallCode {
    /// Switches the virtual address space of the calling VP.
    #[tlfs = "HvCallSwitchVirtualAddressSpace"]
    pub const SWITCH_VIRTUAL_ADDRESS_SPACE: Self = Self(0x0001);
    /// Flushes the whole virtual address space on a set of VPs.
    #[tlfs = "HvCallFlushVirtualAddressSpace"]
    pub const FLUSH_VIRTUAL_ADDRESS_SPACE: Self = Self(0x0002);
    /// Flushes a list of virtual addresses on a set of VPs (rep).
    #[tlfs = "HvCallFlushVirtualAddressList"]
    pub const FLUSH_VIRTUAL_ADDRESS_LIST: Self = Self(0x0003);
    /// Reads a logical processor's run time.
    #[tlfs = "HvCallGetLogicalProcessorRunTime"]
    pub const GET_LOGICAL_PROCESSOR_RUN_TIME: Self = Self(0x0004);
    /// Tells the hypervisor the caller is spinning on a lock.
    #[tlfs = "HvCallNotifyLongSpinWait"]
    pub const NOTIFY_LONG_SPIN_WAIT: Self = Self(0x0008);
    /// Parks logical processors (HDK: `HvCallParkedVirtualProcessors`, kept as an alias).
    #[tlfs = "HvCallParkLogicalProcessors"]
    pub const PARK_LOGICAL_PROCESSORS: Self = Self(0x0009);
    /// HDK name of [`PARK_LOGICAL_PROCESSORS`](Self::PARK_LOGICAL_PROCESSORS).
    #[tlfs = "HvCallParkedVirtualProcessors"]
    #[alias]
    pub const PARKED_VIRTUAL_PROCESSORS: Self = Self(0x0009);
    /// Breaks into the hypervisor debugger.
    #[tlfs = "HvCallInvokeHypervisorDebugger"]
    pub const INVOKE_HYPERVISOR_DEBUGGER: Self = Self(0x000A);
    /// Sends a synthetic IPI to a set of VPs.
    #[tlfs = "HvCallSendSyntheticClusterIpi"]
    pub const SEND_SYNTHETIC_CLUSTER_IPI: Self = Self(0x000B);
    /// Changes VTL protections on GPA pages (rep).
    #[tlfs = "HvCallModifyVtlProtectionMask"]
    pub const MODIFY_VTL_PROTECTION_MASK: Self = Self(0x000C);
    /// Enables a VTL for a partition.
    #[tlfs = "HvCallEnablePartitionVtl"]
    pub const ENABLE_PARTITION_VTL: Self = Self(0x000D);
    /// Disables a VTL for a partition.
    #[tlfs = "HvCallDisablePartitionVtl"]
    pub const DISABLE_PARTITION_VTL: Self = Self(0x000E);
    /// Enables a VTL on a VP.
    #[tlfs = "HvCallEnableVpVtl"]
    pub const ENABLE_VP_VTL: Self = Self(0x000F);
    /// Disables a VTL on a VP.
    #[tlfs = "HvCallDisableVpVtl"]
    pub const DISABLE_VP_VTL: Self = Self(0x0010);
    /// Calls into a higher VTL.
    #[tlfs = "HvCallVtlCall"]
    pub const VTL_CALL: Self = Self(0x0011);
    /// Returns to a lower VTL.
    #[tlfs = "HvCallVtlReturn"]
    pub const VTL_RETURN: Self = Self(0x0012);
    /// Flushes the virtual address space on a sparse VP set.
    #[tlfs = "HvCallFlushVirtualAddressSpaceEx"]
    pub const FLUSH_VIRTUAL_ADDRESS_SPACE_EX: Self = Self(0x0013);
    /// Flushes a list of virtual addresses on a sparse VP set (rep).
    #[tlfs = "HvCallFlushVirtualAddressListEx"]
    pub const FLUSH_VIRTUAL_ADDRESS_LIST_EX: Self = Self(0x0014);
    /// Sends a synthetic IPI to a sparse VP set.
    #[tlfs = "HvCallSendSyntheticClusterIpiEx"]
    pub const SEND_SYNTHETIC_CLUSTER_IPI_EX: Self = Self(0x0015);
    /// Creates a child partition.
    #[tlfs = "HvCallCreatePartition"]
    pub const CREATE_PARTITION: Self = Self(0x0040);
    /// Initializes a child partition (reserves its debug buffers, among others).
    #[tlfs = "HvCallInitializePartition"]
    pub const INITIALIZE_PARTITION: Self = Self(0x0041);
    /// Finalizes a child partition (resets its debug session).
    #[tlfs = "HvCallFinalizePartition"]
    pub const FINALIZE_PARTITION: Self = Self(0x0042);
    /// Deletes a child partition.
    #[tlfs = "HvCallDeletePartition"]
    pub const DELETE_PARTITION: Self = Self(0x0043);
    /// Reads a partition property.
    #[tlfs = "HvCallGetPartitionProperty"]
    pub const GET_PARTITION_PROPERTY: Self = Self(0x0044);
    /// Writes a partition property.
    #[tlfs = "HvCallSetPartitionProperty"]
    pub const SET_PARTITION_PROPERTY: Self = Self(0x0045);
    /// Returns the caller's partition id.
    #[tlfs = "HvCallGetPartitionId"]
    pub const GET_PARTITION_ID: Self = Self(0x0046);
    /// Enumerates child partitions.
    #[tlfs = "HvCallGetNextChildPartition"]
    pub const GET_NEXT_CHILD_PARTITION: Self = Self(0x0047);
    /// Deposits pages into a partition's memory pool (rep).
    #[tlfs = "HvCallDepositMemory"]
    pub const DEPOSIT_MEMORY: Self = Self(0x0048);
    /// Withdraws pages from a partition's memory pool (rep).
    #[tlfs = "HvCallWithdrawMemory"]
    pub const WITHDRAW_MEMORY: Self = Self(0x0049);
    /// Reads a partition's memory-pool balance.
    #[tlfs = "HvCallGetMemoryBalance"]
    pub const GET_MEMORY_BALANCE: Self = Self(0x004A);
    /// Maps GPA pages into a child partition (rep).
    #[tlfs = "HvCallMapGpaPages"]
    pub const MAP_GPA_PAGES: Self = Self(0x004B);
    /// Unmaps GPA pages from a child partition (rep).
    #[tlfs = "HvCallUnmapGpaPages"]
    pub const UNMAP_GPA_PAGES: Self = Self(0x004C);
    /// Installs an intercept.
    #[tlfs = "HvCallInstallIntercept"]
    pub const INSTALL_INTERCEPT: Self = Self(0x004D);
    /// Creates a virtual processor.
    #[tlfs = "HvCallCreateVp"]
    pub const CREATE_VP: Self = Self(0x004E);
    /// Deletes a virtual processor.
    #[tlfs = "HvCallDeleteVp"]
    pub const DELETE_VP: Self = Self(0x004F);
    /// Reads VP registers (rep).
    #[tlfs = "HvCallGetVpRegisters"]
    pub const GET_VP_REGISTERS: Self = Self(0x0050);
    /// Writes VP registers (rep).
    #[tlfs = "HvCallSetVpRegisters"]
    pub const SET_VP_REGISTERS: Self = Self(0x0051);
    /// Translates a guest virtual address.
    #[tlfs = "HvCallTranslateVirtualAddress"]
    pub const TRANSLATE_VIRTUAL_ADDRESS: Self = Self(0x0052);
    /// Reads guest physical memory.
    #[tlfs = "HvCallReadGpa"]
    pub const READ_GPA: Self = Self(0x0053);
    /// Writes guest physical memory.
    #[tlfs = "HvCallWriteGpa"]
    pub const WRITE_GPA: Self = Self(0x0054);
    /// The 2013 code of AssertVirtualInterrupt (MSDN `HvAssertVirtualInterrupt`); now 0x0094.
    #[tlfs = "HvCallAssertVirtualInterruptDeprecated"]
    pub const ASSERT_VIRTUAL_INTERRUPT_DEPRECATED: Self = Self(0x0055);
    /// Clears a virtual interrupt.
    #[tlfs = "HvCallClearVirtualInterrupt"]
    pub const CLEAR_VIRTUAL_INTERRUPT: Self = Self(0x0056);
    /// The 2013 code of CreatePort; now 0x0095.
    #[tlfs = "HvCallCreatePortDeprecated"]
    pub const CREATE_PORT_DEPRECATED: Self = Self(0x0057);
    /// Deletes a port.
    #[tlfs = "HvCallDeletePort"]
    pub const DELETE_PORT: Self = Self(0x0058);
    /// The 2013 code of ConnectPort; now 0x0096.
    #[tlfs = "HvCallConnectPortDeprecated"]
    pub const CONNECT_PORT_DEPRECATED: Self = Self(0x0059);
    /// Reads a port property.
    #[tlfs = "HvCallGetPortProperty"]
    pub const GET_PORT_PROPERTY: Self = Self(0x005A);
    /// Disconnects a port.
    #[tlfs = "HvCallDisconnectPort"]
    pub const DISCONNECT_PORT: Self = Self(0x005B);
    /// Posts a message to a connection.
    #[tlfs = "HvCallPostMessage"]
    pub const POST_MESSAGE: Self = Self(0x005C);
    /// Signals an event on a connection.
    #[tlfs = "HvCallSignalEvent"]
    pub const SIGNAL_EVENT: Self = Self(0x005D);
    /// Saves a partition's state.
    #[tlfs = "HvCallSavePartitionState"]
    pub const SAVE_PARTITION_STATE: Self = Self(0x005E);
    /// Restores a partition's state.
    #[tlfs = "HvCallRestorePartitionState"]
    pub const RESTORE_PARTITION_STATE: Self = Self(0x005F);
    /// Initializes an event-log buffer group.
    #[tlfs = "HvCallInitializeEventLogBufferGroup"]
    pub const INITIALIZE_EVENT_LOG_BUFFER_GROUP: Self = Self(0x0060);
    /// Finalizes an event-log buffer group.
    #[tlfs = "HvCallFinalizeEventLogBufferGroup"]
    pub const FINALIZE_EVENT_LOG_BUFFER_GROUP: Self = Self(0x0061);
    /// Creates an event-log buffer.
    #[tlfs = "HvCallCreateEventLogBuffer"]
    pub const CREATE_EVENT_LOG_BUFFER: Self = Self(0x0062);
    /// Deletes an event-log buffer.
    #[tlfs = "HvCallDeleteEventLogBuffer"]
    pub const DELETE_EVENT_LOG_BUFFER: Self = Self(0x0063);
    /// Maps an event-log buffer.
    #[tlfs = "HvCallMapEventLogBuffer"]
    pub const MAP_EVENT_LOG_BUFFER: Self = Self(0x0064);
    /// Unmaps an event-log buffer.
    #[tlfs = "HvCallUnmapEventLogBuffer"]
    pub const UNMAP_EVENT_LOG_BUFFER: Self = Self(0x0065);
    /// Selects the sources of an event-log group.
    #[tlfs = "HvCallSetEventLogGroupSources"]
    pub const SET_EVENT_LOG_GROUP_SOURCES: Self = Self(0x0066);
    /// Releases an event-log buffer.
    #[tlfs = "HvCallReleaseEventLogBuffer"]
    pub const RELEASE_EVENT_LOG_BUFFER: Self = Self(0x0067);
    /// Flushes an event-log buffer.
    #[tlfs = "HvCallFlushEventLogBuffer"]
    pub const FLUSH_EVENT_LOG_BUFFER: Self = Self(0x0068);
    /// Posts up to 4088 bytes to the partition's outgoing debug buffer (memory call).
    #[tlfs = "HvCallPostDebugData"]
    pub const POST_DEBUG_DATA: Self = Self(0x0069);
    /// Retrieves up to 4088 bytes from the partition's incoming debug buffer (memory call).
    #[tlfs = "HvCallRetrieveDebugData"]
    pub const RETRIEVE_DEBUG_DATA: Self = Self(0x006A);
    /// Purges the partition's incoming and/or outgoing debug buffers (fast call).
    #[tlfs = "HvCallResetDebugSession"]
    pub const RESET_DEBUG_SESSION: Self = Self(0x006B);
    /// Maps a statistics page.
    #[tlfs = "HvCallMapStatsPage"]
    pub const MAP_STATS_PAGE: Self = Self(0x006C);
    /// Unmaps a statistics page.
    #[tlfs = "HvCallUnmapStatsPage"]
    pub const UNMAP_STATS_PAGE: Self = Self(0x006D);
    /// Writes one character to the hypervisor debugger.
    #[tlfs = "HvCallOutputDebugCharacter"]
    pub const OUTPUT_DEBUG_CHARACTER: Self = Self(0x0071);
    /// Retargets a device interrupt.
    #[tlfs = "HvCallRetargetDeviceInterrupt"]
    pub const RETARGET_DEVICE_INTERRUPT: Self = Self(0x007E);
    /// Asserts a virtual interrupt.
    #[tlfs = "HvCallAssertVirtualInterrupt"]
    pub const ASSERT_VIRTUAL_INTERRUPT: Self = Self(0x0094);
    /// Creates a port.
    #[tlfs = "HvCallCreatePort"]
    pub const CREATE_PORT: Self = Self(0x0095);
    /// Connects a port.
    #[tlfs = "HvCallConnectPort"]
    pub const CONNECT_PORT: Self = Self(0x0096);
    /// Starts a virtual processor with a given initial context.
    #[tlfs = "HvCallStartVirtualProcessor"]
    pub const START_VIRTUAL_PROCESSOR: Self = Self(0x0099);
    /// Maps APIC ids to VP indices (rep).
    #[tlfs = "HvCallGetVpIndexFromApicId"]
    pub const GET_VP_INDEX_FROM_APIC_ID: Self = Self(0x009A);
    /// Flushes the guest physical address space (nested).
    #[tlfs = "HvCallFlushGuestPhysicalAddressSpace"]
    pub const FLUSH_GUEST_PHYSICAL_ADDRESS_SPACE: Self = Self(0x00AF);
    /// Flushes a list of guest physical addresses (nested, rep).
    #[tlfs = "HvCallFlushGuestPhysicalAddressList"]
    pub const FLUSH_GUEST_PHYSICAL_ADDRESS_LIST: Self = Self(0x00B0);
    /// Signals an event directly on a target VP's SynIC.
    #[tlfs = "HvCallSignalEventDirect"]
    pub const SIGNAL_EVENT_DIRECT: Self = Self(0x00C0);
    /// Posts a message directly to a target VP's SynIC.
    #[tlfs = "HvCallPostMessageDirect"]
    pub const POST_MESSAGE_DIRECT: Self = Self(0x00C1);
    /// Adds a logical processor to the root (Linux `hvgdk_mini.h`).
    #[tlfs = "HVCALL_ADD_LOGICAL_PROCESSOR"]
    pub const ADD_LOGICAL_PROCESSOR: Self = Self(0x0076);
    /// Reads a system property (Linux).
    #[tlfs = "HVCALL_GET_SYSTEM_PROPERTY"]
    pub const GET_SYSTEM_PROPERTY: Self = Self(0x007B);
    /// Maps a device interrupt (Linux).
    #[tlfs = "HVCALL_MAP_DEVICE_INTERRUPT"]
    pub const MAP_DEVICE_INTERRUPT: Self = Self(0x007C);
    /// Unmaps a device interrupt (Linux).
    #[tlfs = "HVCALL_UNMAP_DEVICE_INTERRUPT"]
    pub const UNMAP_DEVICE_INTERRUPT: Self = Self(0x007D);
    /// Tells the hypervisor a port's ring is empty (Linux).
    #[tlfs = "HVCALL_NOTIFY_PORT_RING_EMPTY"]
    pub const NOTIFY_PORT_RING_EMPTY: Self = Self(0x008B);
    /// Registers the result of an intercept (Linux).
    #[tlfs = "HVCALL_REGISTER_INTERCEPT_RESULT"]
    pub const REGISTER_INTERCEPT_RESULT: Self = Self(0x0091);
    /// Translates a GVA with extended output (OpenVMM).
    #[tlfs = "HvCallTranslateVirtualAddressEx"]
    pub const TRANSLATE_VIRTUAL_ADDRESS_EX: Self = Self(0x00AC);
    /// Asks whether an I/O access would be intercepted (OpenVMM).
    #[tlfs = "HvCallCheckForIoIntercept"]
    pub const CHECK_FOR_IO_INTERCEPT: Self = Self(0x00AD);
    /// Runs a VP from the root scheduler (Linux).
    #[tlfs = "HVCALL_DISPATCH_VP"]
    pub const DISPATCH_VP: Self = Self(0x00C2);
    /// Reads the accessed/dirty state of GPA pages (Linux, rep).
    #[tlfs = "HVCALL_GET_GPA_PAGES_ACCESS_STATES"]
    pub const GET_GPA_PAGES_ACCESS_STATES: Self = Self(0x00C9);
    /// Checks VTL access to sparse GPA pages (OpenVMM, rep).
    #[tlfs = "HvCallCheckSparseGpaPageVtlAccess"]
    pub const CHECK_SPARSE_GPA_PAGE_VTL_ACCESS: Self = Self(0x00D4);
    /// Gives the host access to sparse SPA pages (Linux, rep).
    #[tlfs = "HVCALL_ACQUIRE_SPARSE_SPA_PAGE_HOST_ACCESS"]
    pub const ACQUIRE_SPARSE_SPA_PAGE_HOST_ACCESS: Self = Self(0x00D7);
    /// Takes the host's access to sparse SPA pages back (Linux, rep).
    #[tlfs = "HVCALL_RELEASE_SPARSE_SPA_PAGE_HOST_ACCESS"]
    pub const RELEASE_SPARSE_SPA_PAGE_HOST_ACCESS: Self = Self(0x00D8);
    /// Accepts GPA pages into an isolated partition (OpenVMM, rep).
    #[tlfs = "HvCallAcceptGpaPages"]
    pub const ACCEPT_GPA_PAGES: Self = Self(0x00D9);
    /// Changes the host visibility of sparse GPA pages (OpenVMM, Linux; rep).
    #[tlfs = "HvCallModifySparseGpaPageHostVisibility"]
    pub const MODIFY_SPARSE_GPA_PAGE_HOST_VISIBILITY: Self = Self(0x00DB);
    /// Maps a VP state page (Linux).
    #[tlfs = "HVCALL_MAP_VP_STATE_PAGE"]
    pub const MAP_VP_STATE_PAGE: Self = Self(0x00E1);
    /// Unmaps a VP state page (Linux).
    #[tlfs = "HVCALL_UNMAP_VP_STATE_PAGE"]
    pub const UNMAP_VP_STATE_PAGE: Self = Self(0x00E2);
    /// Reads VP state (Linux).
    #[tlfs = "HVCALL_GET_VP_STATE"]
    pub const GET_VP_STATE: Self = Self(0x00E3);
    /// Writes VP state (Linux).
    #[tlfs = "HVCALL_SET_VP_STATE"]
    pub const SET_VP_STATE: Self = Self(0x00E4);
    /// Imports pages into an isolated partition (mshv `hvhdk.h`).
    #[tlfs = "HVCALL_IMPORT_ISOLATED_PAGES"]
    pub const IMPORT_ISOLATED_PAGES: Self = Self(0x00EF);
    /// Completes an isolated import (mshv).
    #[tlfs = "HVCALL_COMPLETE_ISOLATED_IMPORT"]
    pub const COMPLETE_ISOLATED_IMPORT: Self = Self(0x00F1);
    /// Passes an SNP guest request to the PSP (mshv).
    #[tlfs = "HVCALL_ISSUE_SNP_PSP_GUEST_REQUEST"]
    pub const ISSUE_SNP_PSP_GUEST_REQUEST: Self = Self(0x00F2);
    /// Reads the CPUID values a VP sees (Linux).
    #[tlfs = "HVCALL_GET_VP_CPUID_VALUES"]
    pub const GET_VP_CPUID_VALUES: Self = Self(0x00F4);
    /// Reads a partition property with extended output (mshv).
    #[tlfs = "HVCALL_GET_PARTITION_PROPERTY_EX"]
    pub const GET_PARTITION_PROPERTY_EX: Self = Self(0x0101);
    /// Reads MMIO through the hypervisor (OpenVMM; Linux `HVCALL_MMIO_READ`).
    #[tlfs = "HvCallMemoryMappedIoRead"]
    pub const MEMORY_MAPPED_IO_READ: Self = Self(0x0106);
    /// Writes MMIO through the hypervisor (OpenVMM; Linux `HVCALL_MMIO_WRITE`).
    #[tlfs = "HvCallMemoryMappedIoWrite"]
    pub const MEMORY_MAPPED_IO_WRITE: Self = Self(0x0107);
    /// Pins GPA page ranges (OpenVMM, rep).
    #[tlfs = "HvCallPinGpaPageRanges"]
    pub const PIN_GPA_PAGE_RANGES: Self = Self(0x0112);
    /// Unpins GPA page ranges (OpenVMM, rep).
    #[tlfs = "HvCallUnpinGpaPageRanges"]
    pub const UNPIN_GPA_PAGE_RANGES: Self = Self(0x0113);
    /// Reads the host visibility of sparse GPA pages (OpenVMM, rep).
    #[tlfs = "HvCallQuerySparseGpaPageHostVisibility"]
    pub const QUERY_SPARSE_GPA_PAGE_HOST_VISIBILITY: Self = Self(0x011C);
    /// Queries the extended hypercall capabilities.
    #[tlfs = "HvExtCallQueryCapabilities"]
    pub const EXT_QUERY_CAPABILITIES: Self = Self(0x8001);
}

/// Why an input value does not fit its call's encoding ([`CallDescriptor::check`]). The hypervisor
/// answers every one of them with `HV_STATUS_INVALID_HYPERCALL_INPUT` and reads nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputRejection {
    /// Reserved bits are set (the mask of them).
    ReservedBits(u64),
    /// The register-based ("fast") form, which the call does not allow.
    FastFormNotAllowed,
    /// The memory-based form, which the call does not allow.
    MemoryFormNotAllowed,
    /// A rep count or start index on a simple call.
    RepsOnSimpleCall {
        /// The rep count given.
        rep_count: u16,
        /// The start index given.
        rep_start_index: u16,
    },
    /// A rep call whose start index is not below its rep count.
    RepStartNotBelowCount {
        /// The rep count given.
        rep_count: u16,
        /// The start index given.
        rep_start_index: u16,
    },
    /// A variable header (its size in 8-byte units), which the call does not take.
    VariableHeader(u16),
    /// The nested bit, for a call to the L0 hypervisor, which this encoding does not describe.
    Nested,
}

impl InputRejection {
    /// What the hypervisor returns: `HV_STATUS_INVALID_HYPERCALL_INPUT`.
    #[must_use]
    pub const fn status(self) -> HvStatus {
        HvStatus::INVALID_HYPERCALL_INPUT
    }
}

impl core::fmt::Display for InputRejection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {
            Self::ReservedBits(mask) => write!(f, "reserved bits {mask:#x} are set"),
            Self::FastFormNotAllowed => f.write_str("the call has no fast (register) form"),
            Self::MemoryFormNotAllowed => f.write_str("the call has no memory form"),
            Self::RepsOnSimpleCall {
                rep_count,
                rep_start_index,
            } => write!(
                f,
                "a simple call with rep count {rep_count} and start index {rep_start_index} (both must be 0)"
            ),
            Self::RepStartNotBelowCount {
                rep_count,
                rep_start_index,
            } => write!(
                f,
                "rep start index {rep_start_index} is not below the rep count {rep_count}"
            ),
            Self::VariableHeader(size) => {
                write!(f, "a variable header of {size} quadwords, which the call does not take")
            }
            Self::Nested => f.write_str("the nested bit is set"),
        }
    }
}

impl core::error::Error for InputRejection {}

/// Simple or rep call (TLFS "Simple vs. Rep Hypercalls").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    /// One operation; the rep count must be zero.
    Simple,
    /// A list of elements; the rep count says how many.
    Rep,
}

/// How a call is encoded: what the dispatcher checks before the handler runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallDescriptor {
    /// The call code.
    pub code: CallCode,
    /// Simple or rep.
    pub kind: CallKind,
    /// The register-based ("fast") form is allowed.
    pub fast: bool,
    /// The memory-based form (input at the GPA in RDX, output at the GPA in R8) is allowed.
    pub memory: bool,
    /// Bytes of input the dispatcher reads before the handler runs (the fixed part; a handler may read
    /// a variable part after it, as HvPostDebugData does with its `Count` data bytes).
    pub input_size: usize,
    /// Bytes of output the call writes at the least (its fixed part; zero when it has no output).
    pub output_size: usize,
}

impl CallDescriptor {
    /// HvPostDebugData (2013 WDK ff539094): simple, memory form only; 8 fixed input bytes (`Count`,
    /// `Options`; the data follows), 8 output bytes.
    pub const POST_DEBUG_DATA: Self = Self {
        code: CallCode::POST_DEBUG_DATA,
        kind: CallKind::Simple,
        fast: false,
        memory: true,
        input_size: PostDebugDataInput::HEADER_SIZE,
        output_size: size_of::<PostDebugDataOutput>(),
    };

    /// HvRetrieveDebugData (2013 WDK ff539134): simple, memory form only; 16 input bytes, 8 fixed output
    /// bytes (the data follows).
    pub const RETRIEVE_DEBUG_DATA: Self = Self {
        code: CallCode::RETRIEVE_DEBUG_DATA,
        kind: CallKind::Simple,
        fast: false,
        memory: true,
        input_size: size_of::<RetrieveDebugDataInput>(),
        output_size: crate::debug::RetrieveDebugDataOutput::HEADER_SIZE,
    };

    /// HvResetDebugSession (2013 WDK ff539121): documented as fast; its 8-byte input may equally come
    /// from memory. No output.
    pub const RESET_DEBUG_SESSION: Self = Self {
        code: CallCode::RESET_DEBUG_SESSION,
        kind: CallKind::Simple,
        fast: true,
        memory: true,
        input_size: size_of::<ResetDebugSessionInput>(),
        output_size: 0,
    };

    /// Checks an input value against this call's encoding, as the hypervisor does before it reads any
    /// parameter: no reserved bit, a form the call allows, a rep count and start index only on a rep call
    /// (the start below the count), no variable header, not nested. Each refusal is
    /// `HV_STATUS_INVALID_HYPERCALL_INPUT` ([`InputRejection::status`]); the error says which rule.
    #[inline]
    pub const fn check(&self, input: HypercallInput) -> Result<(), InputRejection> {
        let reserved = input.reserved_bits();
        if reserved != 0 {
            return Err(InputRejection::ReservedBits(reserved));
        }
        if input.fast() && !self.fast {
            return Err(InputRejection::FastFormNotAllowed);
        }
        if !input.fast() && !self.memory {
            return Err(InputRejection::MemoryFormNotAllowed);
        }
        let (rep_count, rep_start_index) = (input.rep_count(), input.rep_start_index());
        match self.kind {
            CallKind::Simple if rep_count != 0 || rep_start_index != 0 => {
                return Err(InputRejection::RepsOnSimpleCall {
                    rep_count,
                    rep_start_index,
                });
            }
            CallKind::Rep if rep_start_index >= rep_count => {
                return Err(InputRejection::RepStartNotBelowCount {
                    rep_count,
                    rep_start_index,
                });
            }
            _ => {}
        }
        if input.variable_header_size() != 0 {
            return Err(InputRejection::VariableHeader(input.variable_header_size()));
        }
        if input.nested() {
            return Err(InputRejection::Nested);
        }
        Ok(())
    }

    /// The calls the reference model implements.
    pub const ALL: &'static [CallDescriptor] = &[
        Self::POST_DEBUG_DATA,
        Self::RETRIEVE_DEBUG_DATA,
        Self::RESET_DEBUG_SESSION,
    ];
}

/// One way an input value breaks its call's encoding; each is refused with
/// `HV_STATUS_INVALID_HYPERCALL_INPUT` ([`CallDescriptor::check`] names it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Violation {
    /// A reserved bit is set ([`InputRejection::ReservedBits`](InputRejection::ReservedBits)).
    ReservedBit,
    /// The fast form of a call that has none.
    FastForm,
    /// The memory form of a call that has none.
    MemoryForm,
    /// A rep count or start index on a simple call.
    RepsOnSimpleCall,
    /// A rep call whose start index is not below its count.
    RepStartNotBelowCount,
    /// A variable header, which none of these calls takes.
    VariableHeader,
    /// The nested bit.
    Nested,
}

impl Violation {
    /// Every kind.
    pub const ALL: [Self; 7] = [
        Self::ReservedBit,
        Self::FastForm,
        Self::MemoryForm,
        Self::RepsOnSimpleCall,
        Self::RepStartNotBelowCount,
        Self::VariableHeader,
        Self::Nested,
    ];

    /// Whether an input value for `call` can break the encoding this way and no other (a call with both
    /// forms has no wrong form; a rep call has no reps to misplace).
    #[must_use]
    pub const fn applies_to(self, call: &CallDescriptor) -> bool {
        match self {
            Self::FastForm => !call.fast && call.memory,
            Self::MemoryForm => !call.memory && call.fast,
            Self::RepsOnSimpleCall => matches!(call.kind, CallKind::Simple),
            Self::RepStartNotBelowCount => matches!(call.kind, CallKind::Rep),
            Self::ReservedBit | Self::VariableHeader | Self::Nested => true,
        }
    }
}

impl Violation {
    /// Whether `rejection` is the refusal this kind of violation earns.
    #[must_use]
    pub const fn matches(self, rejection: InputRejection) -> bool {
        matches!(
            (self, rejection),
            (Self::ReservedBit, InputRejection::ReservedBits(_))
                | (Self::FastForm, InputRejection::FastFormNotAllowed)
                | (Self::MemoryForm, InputRejection::MemoryFormNotAllowed)
                | (Self::RepsOnSimpleCall, InputRejection::RepsOnSimpleCall { .. })
                | (
                    Self::RepStartNotBelowCount,
                    InputRejection::RepStartNotBelowCount { .. }
                )
                | (Self::VariableHeader, InputRejection::VariableHeader(_))
                | (Self::Nested, InputRejection::Nested)
        )
    }
}

/// The reserved ranges of `HV_X64_HYPERCALL_INPUT` as `(lsb, width)`: bits 30:27, 47:44 and 63:60.
#[cfg(any(feature = "proptest", feature = "arbitrary"))]
pub(crate) const RESERVED_RANGES: [(u32, u32); 3] = [(27, 4), (44, 4), (60, 4)];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_codes_and_names() {
        assert_eq!(CallCode::POST_DEBUG_DATA.into_bits(), 0x69);
        assert_eq!(CallCode::RETRIEVE_DEBUG_DATA.into_bits(), 0x6A);
        assert_eq!(CallCode::RESET_DEBUG_SESSION.into_bits(), 0x6B);
        assert_eq!(CallCode::RESET_DEBUG_SESSION.name(), Some("HvCallResetDebugSession"));
        assert_eq!(
            CallCode::from_name("HvCallParkedVirtualProcessors"),
            Some(CallCode::PARK_LOGICAL_PROCESSORS)
        );
        assert_eq!(CallCode::from_bits(0x0099).name(), Some("HvCallStartVirtualProcessor"));
        assert_eq!(CallCode::from_bits(0x0005).name(), None);
        // Current headers: Linux hvgdk_mini.h and OpenVMM hvdef.
        assert_eq!(CallCode::from_bits(0x00F4).name(), Some("HVCALL_GET_VP_CPUID_VALUES"));
        assert_eq!(
            CallCode::from_bits(0x011C).name(),
            Some("HvCallQuerySparseGpaPageHostVisibility")
        );
        assert_eq!(CallCode::NAMED.len(), 105);
    }

    #[test]
    fn check_names_each_rule_an_input_breaks() {
        let post = CallDescriptor::POST_DEBUG_DATA;
        let reset = CallDescriptor::RESET_DEBUG_SESSION;
        let input = |bits: u64| HypercallInput::from_bits(bits);
        assert_eq!(post.check(input(0x69)), Ok(()));
        assert_eq!(reset.check(input(0x1_006B)), Ok(()));
        assert_eq!(
            post.check(input(0x0800_0069)),
            Err(InputRejection::ReservedBits(0x0800_0000))
        );
        assert_eq!(post.check(input(0x1_0069)), Err(InputRejection::FastFormNotAllowed));
        assert_eq!(
            reset.check(input(0x0000_0001_0000_006B)),
            Err(InputRejection::RepsOnSimpleCall {
                rep_count: 1,
                rep_start_index: 0
            })
        );
        assert_eq!(
            reset.check(input(0x0002_0000_0000_006B)),
            Err(InputRejection::RepsOnSimpleCall {
                rep_count: 0,
                rep_start_index: 2
            })
        );
        assert_eq!(reset.check(input(0x0004_006B)), Err(InputRejection::VariableHeader(2)));
        assert_eq!(reset.check(input(0x8000_006B)), Err(InputRejection::Nested));
        let rep = CallDescriptor {
            kind: CallKind::Rep,
            ..reset
        };
        assert_eq!(rep.check(input(0x0001_0002_0000_006B)), Ok(()));
        assert_eq!(
            rep.check(input(0x0002_0002_0000_006B)),
            Err(InputRejection::RepStartNotBelowCount {
                rep_count: 2,
                rep_start_index: 2
            })
        );
        let fast_only = CallDescriptor { memory: false, ..reset };
        assert_eq!(fast_only.check(input(0x6B)), Err(InputRejection::MemoryFormNotAllowed));
        assert_eq!(
            InputRejection::FastFormNotAllowed.status(),
            HvStatus::INVALID_HYPERCALL_INPUT
        );
    }

    #[test]
    fn descriptors_of_the_debug_calls() {
        let post = CallCode::POST_DEBUG_DATA.descriptor().unwrap();
        assert_eq!(
            (post.fast, post.memory, post.input_size, post.output_size),
            (false, true, 8, 8)
        );
        let retrieve = CallCode::RETRIEVE_DEBUG_DATA.descriptor().unwrap();
        assert_eq!(
            (retrieve.fast, retrieve.input_size, retrieve.output_size),
            (false, 16, 8)
        );
        let reset = CallCode::RESET_DEBUG_SESSION.descriptor().unwrap();
        assert_eq!(
            (reset.fast, reset.memory, reset.input_size, reset.output_size),
            (true, true, 8, 0)
        );
        assert!(CallCode::POST_MESSAGE.descriptor().is_none());
        for d in CallDescriptor::ALL {
            assert_eq!(d.code.descriptor(), Some(d), "{:?}", d.code);
        }
    }
}
