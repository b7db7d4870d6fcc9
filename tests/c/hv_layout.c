/*
 * The published Hyper-V structures, written from the 2013 WDK hypervisor reference, the HDK HvGdk.h
 * reconstruction and the mshv headers (see ../shared/reference/abi-facts.md), with natural alignment and
 * HV_CALL_ATTRIBUTES = 8-byte alignment. Printing every sizeof/offsetof and the mask of every named
 * bitfield member lets tests/c_layout.rs compare them with the Rust layout tables.
 *
 * Output lines:  type <C name> <size> <align>
 *                field <C name> <member> <offset> <size>
 *                bits <C name> <member> <mask in hex>
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef uint8_t UINT8;
typedef uint16_t UINT16;
typedef uint32_t UINT32;
typedef uint64_t UINT64;

#define HV_CALL_ATTRIBUTES __attribute__((aligned(8)))
#define HV_DEBUG_MAXIMUM_DATA_SIZE 4088

typedef UINT32 HV_DEBUG_OPTIONS;
typedef UINT64 HV_NANO100_DURATION;
typedef UINT32 HV_VP_INDEX;
typedef UINT32 HV_MESSAGE_TYPE;
typedef UINT8 HV_INTERCEPT_ACCESS_TYPE;
typedef UINT32 HV_CACHE_TYPE;

/* Hypercall input and result values. */
typedef union {
    UINT64 AsUINT64;
    struct {
        UINT64 CallCode : 16;
        UINT64 IsFast : 1;
        UINT64 VariableHeaderSize : 10;
        UINT64 RsvdZ0 : 4;
        UINT64 IsNested : 1;
        UINT64 RepCount : 12;
        UINT64 RsvdZ1 : 4;
        UINT64 RepStartIndex : 12;
        UINT64 RsvdZ2 : 4;
    };
} HV_X64_HYPERCALL_INPUT;

typedef union {
    UINT64 AsUINT64;
    struct {
        UINT64 CallStatus : 16;
        UINT64 Rsvd0 : 16;
        UINT64 RepsCompleted : 12;
        UINT64 Rsvd1 : 20;
    };
} HV_X64_HYPERCALL_OUTPUT;

/* Debug hypercalls. */
typedef struct HV_CALL_ATTRIBUTES {
    UINT32 Count;
    HV_DEBUG_OPTIONS Options;
    UINT8 Data[HV_DEBUG_MAXIMUM_DATA_SIZE];
} HV_INPUT_POST_DEBUG_DATA;

typedef struct HV_CALL_ATTRIBUTES {
    UINT32 PendingCount;
    UINT32 Padding;
} HV_OUTPUT_POST_DEBUG_DATA;

typedef struct HV_CALL_ATTRIBUTES {
    UINT32 Count;
    HV_DEBUG_OPTIONS Options;
    HV_NANO100_DURATION Timeout;
} HV_INPUT_RETRIEVE_DEBUG_DATA;

typedef struct HV_CALL_ATTRIBUTES {
    UINT32 RetrievedCount;
    UINT32 RemainingCount;
    UINT8 Data[HV_DEBUG_MAXIMUM_DATA_SIZE];
} HV_OUTPUT_RETRIEVE_DEBUG_DATA;

typedef struct HV_CALL_ATTRIBUTES {
    HV_DEBUG_OPTIONS Options;
    UINT32 Padding;
} HV_INPUT_RESET_DEBUG_SESSION;

/* Newer Windows hvgdk_mini.h: the reset's 24-byte output (not in the 2013 reference). */
typedef struct {
    UINT32 HostIp;
    UINT32 TargetIp;
    UINT16 HostPort;
    UINT16 TargetPort;
    UINT8 HostMac[6];
    UINT8 TargetMac[6];
} HV_DEBUG_NET_DATA;

typedef struct HV_CALL_ATTRIBUTES {
    HV_DEBUG_NET_DATA NetData;
} HV_OUTPUT_RESET_DEBUG_SESSION;

#pragma pack(push, 1)
typedef struct {
    UINT32 Leader;
    UINT16 Type;
    UINT16 Length;
    UINT32 CRC;
    UINT16 Channel;
    UINT16 Reserved;
} HV_MUX_PACKET_HEADER;
#pragma pack(pop)

/* SynIC messages. */
typedef union {
    UINT8 AsUINT8;
    struct {
        UINT8 MessagePending : 1;
        UINT8 Reserved : 7;
    };
} HV_MESSAGE_FLAGS;

typedef struct {
    HV_MESSAGE_TYPE MessageType;
    UINT8 PayloadSize;
    HV_MESSAGE_FLAGS MessageFlags;
    UINT16 Reserved;
    union {
        UINT64 Sender;
        UINT64 Port;
        UINT64 OriginationId;
    };
} HV_MESSAGE_HEADER;

typedef struct {
    HV_MESSAGE_HEADER Header;
    UINT64 Payload[30];
} HV_MESSAGE;

/* x64 registers and execution state. */
typedef union {
    UINT16 Attributes;
    struct {
        UINT16 SegmentType : 4;
        UINT16 NonSystemSegment : 1;
        UINT16 DescriptorPrivilegeLevel : 2;
        UINT16 Present : 1;
        UINT16 Reserved : 4;
        UINT16 Available : 1;
        UINT16 Long : 1;
        UINT16 Default : 1;
        UINT16 Granularity : 1;
    };
} HV_X64_SEGMENT_ATTRIBUTES;

typedef struct {
    UINT64 Base;
    UINT32 Limit;
    UINT16 Selector;
    HV_X64_SEGMENT_ATTRIBUTES Attributes;
} HV_X64_SEGMENT_REGISTER;

typedef union {
    UINT16 AsUINT16;
    struct {
        UINT16 Cpl : 2;
        UINT16 Cr0Pe : 1;
        UINT16 Cr0Am : 1;
        UINT16 EferLma : 1;
        UINT16 DebugActive : 1;
        UINT16 InterruptionPending : 1;
        UINT16 Vtl : 4;
        UINT16 EnclaveMode : 1;
        UINT16 InterruptShadow : 1;
        UINT16 VirtualizationFaultActive : 1;
        UINT16 Reserved : 2;
    };
} HV_X64_VP_EXECUTION_STATE;

/* Intercept messages. */
typedef union {
    UINT8 AsUINT8;
    struct {
        UINT8 InstructionLength : 4;
        UINT8 Cr8 : 4;
    };
} HV_X64_INSTRUCTION_LENGTH_CR8;

typedef struct {
    HV_VP_INDEX VpIndex;
    HV_X64_INSTRUCTION_LENGTH_CR8 InstructionLength;
    HV_INTERCEPT_ACCESS_TYPE InterceptAccessType;
    HV_X64_VP_EXECUTION_STATE ExecutionState;
    HV_X64_SEGMENT_REGISTER CsSegment;
    UINT64 Rip;
    UINT64 Rflags;
} HV_X64_INTERCEPT_MESSAGE_HEADER;

typedef union {
    UINT8 AsUINT8;
    struct {
        UINT8 AccessSize : 3;
        UINT8 StringOp : 1;
        UINT8 RepPrefix : 1;
        UINT8 Reserved : 3;
    };
} HV_X64_IO_PORT_ACCESS_INFO;

typedef struct {
    HV_X64_INTERCEPT_MESSAGE_HEADER Header;
    UINT16 PortNumber;
    HV_X64_IO_PORT_ACCESS_INFO AccessInfo;
    UINT8 InstructionByteCount;
    UINT32 Reserved;
    UINT64 Rax;
    UINT8 InstructionBytes[16];
    HV_X64_SEGMENT_REGISTER DsSegment;
    HV_X64_SEGMENT_REGISTER EsSegment;
    UINT64 Rcx;
    UINT64 Rsi;
    UINT64 Rdi;
} HV_X64_IO_PORT_INTERCEPT_MESSAGE;

typedef struct {
    HV_X64_INTERCEPT_MESSAGE_HEADER Header;
    UINT32 MsrNumber;
    UINT32 Reserved;
    UINT64 Rdx;
    UINT64 Rax;
} HV_X64_MSR_INTERCEPT_MESSAGE;

typedef struct {
    HV_X64_INTERCEPT_MESSAGE_HEADER Header;
    UINT64 Rax;
    UINT64 Rcx;
    UINT64 Rdx;
    UINT64 Rbx;
    UINT64 DefaultResultRax;
    UINT64 DefaultResultRcx;
    UINT64 DefaultResultRdx;
    UINT64 DefaultResultRbx;
} HV_X64_CPUID_INTERCEPT_MESSAGE;

typedef union {
    UINT8 AsUINT8;
    struct {
        UINT8 ErrorCodeValid : 1;
        UINT8 SoftwareException : 1;
        UINT8 Reserved : 6;
    };
} HV_X64_EXCEPTION_INFO;

typedef struct {
    HV_X64_INTERCEPT_MESSAGE_HEADER Header;
    UINT16 ExceptionVector;
    HV_X64_EXCEPTION_INFO ExceptionInfo;
    UINT8 InstructionByteCount;
    UINT32 ErrorCode;
    UINT64 ExceptionParameter;
    UINT64 Reserved;
    UINT8 InstructionBytes[16];
    HV_X64_SEGMENT_REGISTER DsSegment;
    HV_X64_SEGMENT_REGISTER SsSegment;
    UINT64 Rax, Rcx, Rdx, Rbx, Rsp, Rbp, Rsi, Rdi;
    UINT64 R8, R9, R10, R11, R12, R13, R14, R15;
} HV_X64_EXCEPTION_INTERCEPT_MESSAGE;

typedef union {
    UINT8 AsUINT8;
    struct {
        UINT8 GvaValid : 1;
        UINT8 GvaGpaValid : 1;
        UINT8 HypercallOutputPending : 1;
        UINT8 TlbLockedNoOverlay : 1;
        UINT8 Reserved : 4;
    };
} HV_X64_MEMORY_ACCESS_INFO;

typedef struct {
    HV_X64_INTERCEPT_MESSAGE_HEADER Header;
    HV_CACHE_TYPE CacheType;
    UINT8 InstructionByteCount;
    HV_X64_MEMORY_ACCESS_INFO MemoryAccessInfo;
    UINT8 TprPriority;
    UINT8 Reserved;
    UINT64 GuestVirtualAddress;
    UINT64 GuestPhysicalAddress;
    UINT8 InstructionBytes[16];
} HV_X64_MEMORY_INTERCEPT_MESSAGE;

/* The remaining x64 messages (mshv hvhdk.h, as rust-vmm's mshv-bindings carries them; the timer payload
 * from Linux hvgdk_mini.h), laid out with natural alignment like the intercept messages above. */
typedef struct {
    UINT32 TimerIndex;
    UINT32 Reserved;
    UINT64 ExpirationTime;
    UINT64 DeliveryTime;
} HV_TIMER_MESSAGE_PAYLOAD;

typedef struct {
    HV_VP_INDEX VpIndex;
    UINT32 InterruptVector;
} HV_X64_APIC_EOI_MESSAGE;

typedef struct {
    HV_VP_INDEX VpIndex;
    UINT32 FeatureCode;
    UINT64 FeatureParameter;
} HV_X64_UNSUPPORTED_FEATURE_MESSAGE;

typedef struct {
    HV_VP_INDEX VpIndex;
    UINT32 Reserved;
} HV_X64_INVALID_VP_REGISTER_MESSAGE;

typedef struct {
    HV_VP_INDEX VpIndex;
} HV_OPAQUE_INTERCEPT_MESSAGE;

typedef struct {
    HV_X64_INTERCEPT_MESSAGE_HEADER Header;
    UINT32 DeliverableType;
    UINT32 Rsvd;
} HV_X64_INTERRUPTION_DELIVERABLE_MESSAGE;

typedef struct {
    HV_X64_INTERCEPT_MESSAGE_HEADER Header;
    UINT16 DeliverableSints;
    UINT16 Rsvd1;
    UINT32 Rsvd2;
} HV_X64_SINT_DELIVERABLE_MESSAGE;

typedef struct {
    HV_X64_INTERCEPT_MESSAGE_HEADER Header;
    HV_VP_INDEX TargetVpIndex;
    UINT32 InterruptVector;
} HV_X64_SIPI_INTERCEPT_MESSAGE;

/* The hypercall and register intercepts: OpenVMM hvdef (the 208-byte hypercall layout) and mshv hvhdk.h. */
typedef union {
    UINT32 AsUINT32;
    struct {
        UINT32 IsIsolated : 1;
        UINT32 Reserved : 31;
    };
} HV_HYPERCALL_INTERCEPT_MESSAGE_FLAGS;

typedef struct {
    HV_X64_INTERCEPT_MESSAGE_HEADER Header;
    UINT64 Rax, Rbx, Rcx, Rdx, R8, Rsi, Rdi;
    UINT64 XmmRegisters[6][2];
    HV_HYPERCALL_INTERCEPT_MESSAGE_FLAGS Flags;
    UINT32 Reserved[3];
} HV_X64_HYPERCALL_INTERCEPT_MESSAGE;

typedef union {
    UINT8 AsUINT8;
    struct {
        UINT8 IsMemoryOp : 1;
        UINT8 Reserved : 7;
    };
} HV_X64_REGISTER_INTERCEPT_MESSAGE_FLAGS;

typedef struct {
    HV_X64_INTERCEPT_MESSAGE_HEADER Header;
    HV_X64_REGISTER_INTERCEPT_MESSAGE_FLAGS Flags;
    UINT8 Reserved8;
    UINT16 Reserved16;
    UINT32 RegisterName;
    UINT64 AccessInfo[2];
} HV_X64_REGISTER_INTERCEPT_MESSAGE;

/* The isolation intercepts, from mshv hvhdk.h. */
typedef union {
    UINT64 AsUINT64;
    struct {
        UINT64 AdditionalPages : 11;
        UINT64 LargePage : 1;
        UINT64 BasePfn : 52;
    };
} HV_GPA_PAGE_RANGE;

typedef union {
    UINT32 AsUINT32;
    struct {
        UINT32 RangeCount : 5;
        UINT32 Adjust : 1;
        UINT32 HostVisibility : 2;
        UINT32 MemoryType : 6;
        UINT32 Reserved : 18;
    };
} HV_X64_GPA_ATTRIBUTE_INTERCEPT_FLAGS;

typedef struct {
    HV_VP_INDEX VpIndex;
    HV_X64_GPA_ATTRIBUTE_INTERCEPT_FLAGS Attributes;
    HV_GPA_PAGE_RANGE Ranges[29];
} HV_X64_GPA_ATTRIBUTE_INTERCEPT_MESSAGE;

typedef union {
    UINT64 AsUINT64;
    struct {
        UINT64 GhcbPageValid : 1;
        UINT64 Reserved : 63;
    };
} HV_X64_VMGEXIT_INTERCEPT_FLAGS;

typedef struct {
    HV_X64_INTERCEPT_MESSAGE_HEADER Header;
    UINT64 GhcbMsr;
    HV_X64_VMGEXIT_INTERCEPT_FLAGS Flags;
    UINT32 GhcbUsage;
    UINT32 ReservedGhcbPage;
    UINT16 GhcbProtocolVersion;
    UINT16 ReservedSt[3];
    UINT64 SwExitCode, SwExitInfo1, SwExitInfo2, SwScratch;
} HV_X64_VMGEXIT_INTERCEPT_MESSAGE;

/*
 * CPUID leaves 0x40000000-0x4000000A. Struct names from the Windows symbol files as Geoff Chappell
 * documents them (HV_X64_HYPERVISOR_FEATURES, HV_IMPLEMENTATION_LIMITS, HV_X64_HYPERVISOR_HARDWARE_FEATURES),
 * the 2013 WDK (HV_HYPERVISOR_VERSION_INFO), Linux hvgdk_mini.h (HV_X64_ENLIGHTENMENT_INFORMATION, the
 * HYPERV_CPUID_NESTED_FEATURES bits); bits from OpenVMM hvdef and Linux. Register-sized members are unions
 * so that each register's bits can be printed.
 */
typedef struct {
    UINT32 MaxFunction;
    UINT8 VendorName[12];
} HV_VENDOR_AND_MAX_FUNCTION;

typedef struct {
    UINT32 Interface;
    UINT32 Reserved[3];
} HV_HYPERVISOR_INTERFACE_INFO;

typedef union {
    UINT32 AsUINT32;
    struct {
        UINT32 MinorVersion : 16;
        UINT32 MajorVersion : 16;
    };
} HV_VERSION_NUMBERS;

typedef union {
    UINT32 AsUINT32;
    struct {
        UINT32 ServiceNumber : 24;
        UINT32 ServiceBranch : 8;
    };
} HV_SERVICE_INFO;

typedef struct {
    UINT32 BuildNumber;
    HV_VERSION_NUMBERS Version;
    UINT32 ServicePack;
    HV_SERVICE_INFO Service;
} HV_HYPERVISOR_VERSION_INFO;

typedef union {
    UINT32 AsUINT32;
    struct {
        UINT32 MaxSupportedCState : 4;
        UINT32 HpetNeededForC3PowerState : 1;
        UINT32 InvariantMperfAvailable : 1;
        UINT32 SupervisorShadowStackAvailable : 1;
        UINT32 ArchPmuAvailable : 1;
        UINT32 ExceptionTrapInterceptAvailable : 1;
        UINT32 HV_VP_DISPATCH_INTERRUPT_INJECTION_AVAILABLE : 1;
        UINT32 HV_VP_GHCB_ROOT_MAPPING_AVAILABLE : 1;
        UINT32 Reserved : 21;
    };
} HV_X64_HYPERVISOR_FEATURES_ECX;

typedef struct {
    UINT64 PartitionPrivileges;
    HV_X64_HYPERVISOR_FEATURES_ECX Ecx;
    UINT32 Edx;
} HV_X64_HYPERVISOR_FEATURES;

typedef union {
    UINT32 AsUINT32;
    struct {
        UINT32 ImplementedPhysicalAddressBits : 7;
        UINT32 Reserved : 25;
    };
} HV_X64_ENLIGHTENMENT_INFORMATION_ECX;

typedef struct {
    UINT32 Eax;
    UINT32 LongSpinWaitCount;
    HV_X64_ENLIGHTENMENT_INFORMATION_ECX Ecx;
    UINT32 Reserved;
} HV_X64_ENLIGHTENMENT_INFORMATION;

typedef struct {
    UINT32 MaxVirtualProcessorCount;
    UINT32 MaxLogicalProcessorCount;
    UINT32 MaxInterruptMappingCount;
    UINT32 Reserved;
} HV_IMPLEMENTATION_LIMITS;

typedef union {
    UINT32 AsUINT32;
    struct {
        UINT32 ApicOverlayAssistInUse : 1;
        UINT32 MsrBitmapsInUse : 1;
        UINT32 ArchitecturalPerformanceCountersInUse : 1;
        UINT32 SecondLevelAddressTranslationInUse : 1;
        UINT32 DmaRemappingInUse : 1;
        UINT32 InterruptRemappingInUse : 1;
        UINT32 MemoryPatrolScrubberPresent : 1;
        UINT32 DmaProtectionInUse : 1;
        UINT32 HpetRequested : 1;
        UINT32 SyntheticTimersVolatile : 1;
        UINT32 HypervisorLevel : 4;
        UINT32 PhysicalDestinationModeRequired : 1;
        UINT32 UseVmfuncForAliasMapSwitch : 1;
        UINT32 HvRegisterForMemoryZeroingSupported : 1;
        UINT32 UnrestrictedGuestSupported : 1;
        UINT32 RdtAFeaturesSupported : 1;
        UINT32 RdtMFeaturesSupported : 1;
        UINT32 ChildPerfmonPmuSupported : 1;
        UINT32 ChildPerfmonLbrSupported : 1;
        UINT32 ChildPerfmonIptSupported : 1;
        UINT32 ApicEmulationSupported : 1;
        UINT32 ChildX2ApicRecommended : 1;
        UINT32 HardwareWatchdogReserved : 1;
        UINT32 DeviceAccessTrackingSupported : 1;
        UINT32 HardwareGpaAccessTrackingSupported : 1;
        UINT32 Reserved : 4;
    };
} HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX;

typedef union {
    UINT32 AsUINT32;
    struct {
        UINT32 DeviceDomainInputWidth : 8;
        UINT32 Reserved : 24;
    };
} HV_X64_HYPERVISOR_HARDWARE_FEATURES_EBX;

typedef struct {
    HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX Eax;
    HV_X64_HYPERVISOR_HARDWARE_FEATURES_EBX Ebx;
    UINT32 Reserved[2];
} HV_X64_HYPERVISOR_HARDWARE_FEATURES;

typedef union {
    UINT32 AsUINT32;
    struct {
        UINT32 HV_X64_ENLIGHTENED_VMCS_VERSION : 8;
        UINT32 EnlightenedVmcsVersionHigh : 8;
        UINT32 Reserved0 : 1;
        UINT32 HV_X64_NESTED_DIRECT_FLUSH : 1;
        UINT32 HV_X64_NESTED_GUEST_MAPPING_FLUSH : 1;
        UINT32 HV_X64_NESTED_MSR_BITMAP : 1;
        UINT32 Reserved1 : 2;
        UINT32 HV_X64_NESTED_ENLIGHTENED_TLB : 1;
        UINT32 Reserved2 : 9;
    };
} HYPERV_CPUID_NESTED_FEATURES_EAX;

typedef struct {
    HYPERV_CPUID_NESTED_FEATURES_EAX Eax;
    UINT32 Ebx;
    UINT32 Reserved[2];
} HYPERV_CPUID_NESTED_FEATURES;

/*
 * Synthetic MSR contents. Unions named and laid out as published: the 2013 WDK
 * (HV_X64_MSR_GUEST_OS_ID_CONTENTS), the TLFS tables (the open-source guest OS id, the hypercall MSR with
 * its Locked bit), Linux hvgdk_mini.h (hv_synic_*, hv_stimer_config, hv_reference_tsc_msr,
 * hv_reenlightenment_control, hv_tsc_emulation_*; HV_CRASH_CTL_* and HV_EXPOSE_INVARIANT_TSC as bits),
 * QEMU hyperv-proto.h (the synthetic debugger's HV_SYNDBG_* bits).
 */
typedef union {
    UINT64 AsUINT64;
    struct {
        UINT64 BuildNumber : 16;
        UINT64 ServiceVersion : 8;
        UINT64 MinorVersion : 8;
        UINT64 MajorVersion : 8;
        UINT64 OsId : 8;
        UINT64 VendorId : 16;
    };
} HV_X64_MSR_GUEST_OS_ID_CONTENTS;

typedef union {
    UINT64 AsUINT64;
    struct {
        UINT64 BuildNumber : 16;
        UINT64 Version : 32;
        UINT64 OsId : 8;
        UINT64 OsType : 7;
        UINT64 OpenSource : 1;
    };
} HV_X64_MSR_GUEST_OS_ID;

typedef union {
    UINT64 AsUINT64;
    struct {
        UINT64 Enable : 1;
        UINT64 Locked : 1;
        UINT64 RsvdP : 10;
        UINT64 HypercallGpfn : 52;
    };
} HV_X64_MSR_HYPERCALL_CONTENTS;

typedef union {
    UINT64 as_uint64;
    struct {
        UINT64 enable : 1;
        UINT64 reserved : 11;
        UINT64 pfn : 52;
    };
} hv_reference_tsc_msr;

typedef union {
    UINT64 as_uint64;
    struct {
        UINT64 enable : 1;
        UINT64 reserved : 63;
    };
} hv_synic_scontrol;

typedef union {
    UINT64 as_uint64;
    struct {
        UINT64 vector : 8;
        UINT64 reserved1 : 8;
        UINT64 masked : 1;
        UINT64 auto_eoi : 1;
        UINT64 polling : 1;
        UINT64 as_intercept : 1;
        UINT64 proxy : 1;
        UINT64 reserved2 : 43;
    };
} hv_synic_sint;

typedef union {
    UINT64 as_uint64;
    struct {
        UINT64 enable : 1;
        UINT64 periodic : 1;
        UINT64 lazy : 1;
        UINT64 auto_enable : 1;
        UINT64 apic_vector : 8;
        UINT64 direct_mode : 1;
        UINT64 reserved_z0 : 3;
        UINT64 sintx : 4;
        UINT64 reserved_z1 : 44;
    };
} hv_stimer_config;

typedef union {
    UINT64 AsUINT64;
    struct {
        UINT64 Reserved : 62;
        UINT64 HV_CRASH_CTL_CRASH_NOTIFY_MSG : 1;
        UINT64 HV_CRASH_CTL_CRASH_NOTIFY : 1;
    };
} HV_CRASH_CTL_REG_CONTENTS;

typedef union {
    UINT64 as_uint64;
    struct {
        UINT64 vector : 8;
        UINT64 reserved1 : 8;
        UINT64 enabled : 1;
        UINT64 reserved2 : 15;
        UINT64 target_vp : 32;
    };
} hv_reenlightenment_control;

typedef union {
    UINT64 as_uint64;
    struct {
        UINT64 enabled : 1;
        UINT64 reserved : 63;
    };
} hv_tsc_emulation_control;

typedef union {
    UINT64 as_uint64;
    struct {
        UINT64 inprogress : 1;
        UINT64 reserved : 63;
    };
} hv_tsc_emulation_status;

typedef union {
    UINT64 AsUINT64;
    struct {
        UINT64 HV_EXPOSE_INVARIANT_TSC : 1;
        UINT64 Reserved : 63;
    };
} HV_X64_MSR_TSC_INVARIANT_CONTROL;

typedef union {
    UINT64 AsUINT64;
    struct {
        UINT64 HV_SYNDBG_CONTROL_SEND : 1;
        UINT64 HV_SYNDBG_CONTROL_RECV : 1;
        UINT64 Reserved0 : 14;
        UINT64 HV_SYNDBG_CONTROL_SEND_SIZE : 16;
        UINT64 Reserved1 : 32;
    };
} HV_X64_MSR_SYNDBG_CONTROL;

typedef union {
    UINT64 AsUINT64;
    struct {
        UINT64 HV_SYNDBG_STATUS_SEND_SUCCESS : 1;
        UINT64 Reserved0 : 1;
        UINT64 HV_SYNDBG_STATUS_RECV_SUCCESS : 1;
        UINT64 HV_SYNDBG_STATUS_RESET : 1;
        UINT64 Reserved1 : 12;
        UINT64 HV_SYNDBG_STATUS_SET_SIZE : 16;
        UINT64 Reserved2 : 32;
    };
} HV_X64_MSR_SYNDBG_STATUS;

typedef union {
    UINT64 AsUINT64;
    struct {
        UINT64 Reserved0 : 2;
        UINT64 HV_X64_SYNDBG_OPTION_USE_HCALLS : 1;
        UINT64 Reserved1 : 61;
    };
} HV_X64_MSR_SYNDBG_OPTIONS;

#define TYPE(T) printf("type %s %zu %zu\n", #T, sizeof(T), alignof(T))
#define FIELD(T, F) printf("field %s %s %zu %zu\n", #T, #F, offsetof(T, F), sizeof(((T *)0)->F))
/* Sets one member to all ones and prints which bits of the whole value that set. */
#define BITS(NAME, T, RAW, F)                                                                              \
    do {                                                                                                   \
        T u_;                                                                                              \
        memset(&u_, 0, sizeof u_);                                                                         \
        u_.F = all_ones; /* truncated to the member's width */                                             \
        printf("bits %s %s %llx\n", NAME, #F, (unsigned long long)u_.RAW);                                 \
    } while (0)

static volatile UINT64 all_ones = ~(UINT64)0;

int main(void) {
    TYPE(HV_INPUT_POST_DEBUG_DATA);
    FIELD(HV_INPUT_POST_DEBUG_DATA, Count);
    FIELD(HV_INPUT_POST_DEBUG_DATA, Options);
    FIELD(HV_INPUT_POST_DEBUG_DATA, Data);
    TYPE(HV_OUTPUT_POST_DEBUG_DATA);
    FIELD(HV_OUTPUT_POST_DEBUG_DATA, PendingCount);
    FIELD(HV_OUTPUT_POST_DEBUG_DATA, Padding);
    TYPE(HV_INPUT_RETRIEVE_DEBUG_DATA);
    FIELD(HV_INPUT_RETRIEVE_DEBUG_DATA, Count);
    FIELD(HV_INPUT_RETRIEVE_DEBUG_DATA, Options);
    FIELD(HV_INPUT_RETRIEVE_DEBUG_DATA, Timeout);
    TYPE(HV_OUTPUT_RETRIEVE_DEBUG_DATA);
    FIELD(HV_OUTPUT_RETRIEVE_DEBUG_DATA, RetrievedCount);
    FIELD(HV_OUTPUT_RETRIEVE_DEBUG_DATA, RemainingCount);
    FIELD(HV_OUTPUT_RETRIEVE_DEBUG_DATA, Data);
    TYPE(HV_INPUT_RESET_DEBUG_SESSION);
    FIELD(HV_INPUT_RESET_DEBUG_SESSION, Options);
    FIELD(HV_INPUT_RESET_DEBUG_SESSION, Padding);

    TYPE(HV_MUX_PACKET_HEADER);
    FIELD(HV_MUX_PACKET_HEADER, Leader);
    FIELD(HV_MUX_PACKET_HEADER, Type);
    FIELD(HV_MUX_PACKET_HEADER, Length);
    FIELD(HV_MUX_PACKET_HEADER, CRC);
    FIELD(HV_MUX_PACKET_HEADER, Channel);
    FIELD(HV_MUX_PACKET_HEADER, Reserved);

    TYPE(HV_MESSAGE_HEADER);
    FIELD(HV_MESSAGE_HEADER, MessageType);
    FIELD(HV_MESSAGE_HEADER, PayloadSize);
    FIELD(HV_MESSAGE_HEADER, MessageFlags);
    FIELD(HV_MESSAGE_HEADER, Reserved);
    FIELD(HV_MESSAGE_HEADER, Sender);
    TYPE(HV_MESSAGE);
    FIELD(HV_MESSAGE, Header);
    FIELD(HV_MESSAGE, Payload);

    TYPE(HV_X64_SEGMENT_REGISTER);
    FIELD(HV_X64_SEGMENT_REGISTER, Base);
    FIELD(HV_X64_SEGMENT_REGISTER, Limit);
    FIELD(HV_X64_SEGMENT_REGISTER, Selector);
    FIELD(HV_X64_SEGMENT_REGISTER, Attributes);

    TYPE(HV_X64_INTERCEPT_MESSAGE_HEADER);
    FIELD(HV_X64_INTERCEPT_MESSAGE_HEADER, VpIndex);
    FIELD(HV_X64_INTERCEPT_MESSAGE_HEADER, InstructionLength);
    FIELD(HV_X64_INTERCEPT_MESSAGE_HEADER, InterceptAccessType);
    FIELD(HV_X64_INTERCEPT_MESSAGE_HEADER, ExecutionState);
    FIELD(HV_X64_INTERCEPT_MESSAGE_HEADER, CsSegment);
    FIELD(HV_X64_INTERCEPT_MESSAGE_HEADER, Rip);
    FIELD(HV_X64_INTERCEPT_MESSAGE_HEADER, Rflags);

    TYPE(HV_X64_IO_PORT_INTERCEPT_MESSAGE);
    FIELD(HV_X64_IO_PORT_INTERCEPT_MESSAGE, Header);
    FIELD(HV_X64_IO_PORT_INTERCEPT_MESSAGE, PortNumber);
    FIELD(HV_X64_IO_PORT_INTERCEPT_MESSAGE, AccessInfo);
    FIELD(HV_X64_IO_PORT_INTERCEPT_MESSAGE, InstructionByteCount);
    FIELD(HV_X64_IO_PORT_INTERCEPT_MESSAGE, Reserved);
    FIELD(HV_X64_IO_PORT_INTERCEPT_MESSAGE, Rax);
    FIELD(HV_X64_IO_PORT_INTERCEPT_MESSAGE, InstructionBytes);
    FIELD(HV_X64_IO_PORT_INTERCEPT_MESSAGE, DsSegment);
    FIELD(HV_X64_IO_PORT_INTERCEPT_MESSAGE, EsSegment);
    FIELD(HV_X64_IO_PORT_INTERCEPT_MESSAGE, Rcx);
    FIELD(HV_X64_IO_PORT_INTERCEPT_MESSAGE, Rsi);
    FIELD(HV_X64_IO_PORT_INTERCEPT_MESSAGE, Rdi);

    TYPE(HV_X64_MSR_INTERCEPT_MESSAGE);
    FIELD(HV_X64_MSR_INTERCEPT_MESSAGE, Header);
    FIELD(HV_X64_MSR_INTERCEPT_MESSAGE, MsrNumber);
    FIELD(HV_X64_MSR_INTERCEPT_MESSAGE, Reserved);
    FIELD(HV_X64_MSR_INTERCEPT_MESSAGE, Rdx);
    FIELD(HV_X64_MSR_INTERCEPT_MESSAGE, Rax);

    TYPE(HV_X64_CPUID_INTERCEPT_MESSAGE);
    FIELD(HV_X64_CPUID_INTERCEPT_MESSAGE, Header);
    FIELD(HV_X64_CPUID_INTERCEPT_MESSAGE, Rax);
    FIELD(HV_X64_CPUID_INTERCEPT_MESSAGE, Rcx);
    FIELD(HV_X64_CPUID_INTERCEPT_MESSAGE, Rdx);
    FIELD(HV_X64_CPUID_INTERCEPT_MESSAGE, Rbx);
    FIELD(HV_X64_CPUID_INTERCEPT_MESSAGE, DefaultResultRax);
    FIELD(HV_X64_CPUID_INTERCEPT_MESSAGE, DefaultResultRcx);
    FIELD(HV_X64_CPUID_INTERCEPT_MESSAGE, DefaultResultRdx);
    FIELD(HV_X64_CPUID_INTERCEPT_MESSAGE, DefaultResultRbx);

    TYPE(HV_X64_EXCEPTION_INTERCEPT_MESSAGE);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, Header);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, ExceptionVector);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, ExceptionInfo);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, InstructionByteCount);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, ErrorCode);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, ExceptionParameter);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, Reserved);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, InstructionBytes);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, DsSegment);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, SsSegment);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, Rax);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, Rcx);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, Rdx);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, Rbx);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, Rsp);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, Rbp);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, Rsi);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, Rdi);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, R8);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, R9);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, R10);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, R11);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, R12);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, R13);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, R14);
    FIELD(HV_X64_EXCEPTION_INTERCEPT_MESSAGE, R15);

    TYPE(HV_X64_MEMORY_INTERCEPT_MESSAGE);
    FIELD(HV_X64_MEMORY_INTERCEPT_MESSAGE, Header);
    FIELD(HV_X64_MEMORY_INTERCEPT_MESSAGE, CacheType);
    FIELD(HV_X64_MEMORY_INTERCEPT_MESSAGE, InstructionByteCount);
    FIELD(HV_X64_MEMORY_INTERCEPT_MESSAGE, MemoryAccessInfo);
    FIELD(HV_X64_MEMORY_INTERCEPT_MESSAGE, TprPriority);
    FIELD(HV_X64_MEMORY_INTERCEPT_MESSAGE, Reserved);
    FIELD(HV_X64_MEMORY_INTERCEPT_MESSAGE, GuestVirtualAddress);
    FIELD(HV_X64_MEMORY_INTERCEPT_MESSAGE, GuestPhysicalAddress);
    FIELD(HV_X64_MEMORY_INTERCEPT_MESSAGE, InstructionBytes);

    BITS("HV_X64_HYPERCALL_INPUT", HV_X64_HYPERCALL_INPUT, AsUINT64, CallCode);
    BITS("HV_X64_HYPERCALL_INPUT", HV_X64_HYPERCALL_INPUT, AsUINT64, IsFast);
    BITS("HV_X64_HYPERCALL_INPUT", HV_X64_HYPERCALL_INPUT, AsUINT64, VariableHeaderSize);
    BITS("HV_X64_HYPERCALL_INPUT", HV_X64_HYPERCALL_INPUT, AsUINT64, IsNested);
    BITS("HV_X64_HYPERCALL_INPUT", HV_X64_HYPERCALL_INPUT, AsUINT64, RepCount);
    BITS("HV_X64_HYPERCALL_INPUT", HV_X64_HYPERCALL_INPUT, AsUINT64, RepStartIndex);
    BITS("HV_X64_HYPERCALL_OUTPUT", HV_X64_HYPERCALL_OUTPUT, AsUINT64, CallStatus);
    BITS("HV_X64_HYPERCALL_OUTPUT", HV_X64_HYPERCALL_OUTPUT, AsUINT64, RepsCompleted);
    BITS("HV_MESSAGE_FLAGS", HV_MESSAGE_FLAGS, AsUINT8, MessagePending);
    BITS("HV_X64_SEGMENT_REGISTER.Attributes", HV_X64_SEGMENT_ATTRIBUTES, Attributes, SegmentType);
    BITS("HV_X64_SEGMENT_REGISTER.Attributes", HV_X64_SEGMENT_ATTRIBUTES, Attributes, NonSystemSegment);
    BITS("HV_X64_SEGMENT_REGISTER.Attributes", HV_X64_SEGMENT_ATTRIBUTES, Attributes, DescriptorPrivilegeLevel);
    BITS("HV_X64_SEGMENT_REGISTER.Attributes", HV_X64_SEGMENT_ATTRIBUTES, Attributes, Present);
    BITS("HV_X64_SEGMENT_REGISTER.Attributes", HV_X64_SEGMENT_ATTRIBUTES, Attributes, Available);
    BITS("HV_X64_SEGMENT_REGISTER.Attributes", HV_X64_SEGMENT_ATTRIBUTES, Attributes, Long);
    BITS("HV_X64_SEGMENT_REGISTER.Attributes", HV_X64_SEGMENT_ATTRIBUTES, Attributes, Default);
    BITS("HV_X64_SEGMENT_REGISTER.Attributes", HV_X64_SEGMENT_ATTRIBUTES, Attributes, Granularity);
    BITS("HV_X64_VP_EXECUTION_STATE", HV_X64_VP_EXECUTION_STATE, AsUINT16, Cpl);
    BITS("HV_X64_VP_EXECUTION_STATE", HV_X64_VP_EXECUTION_STATE, AsUINT16, Cr0Pe);
    BITS("HV_X64_VP_EXECUTION_STATE", HV_X64_VP_EXECUTION_STATE, AsUINT16, Cr0Am);
    BITS("HV_X64_VP_EXECUTION_STATE", HV_X64_VP_EXECUTION_STATE, AsUINT16, EferLma);
    BITS("HV_X64_VP_EXECUTION_STATE", HV_X64_VP_EXECUTION_STATE, AsUINT16, DebugActive);
    BITS("HV_X64_VP_EXECUTION_STATE", HV_X64_VP_EXECUTION_STATE, AsUINT16, InterruptionPending);
    BITS("HV_X64_VP_EXECUTION_STATE", HV_X64_VP_EXECUTION_STATE, AsUINT16, Vtl);
    BITS("HV_X64_VP_EXECUTION_STATE", HV_X64_VP_EXECUTION_STATE, AsUINT16, EnclaveMode);
    BITS("HV_X64_VP_EXECUTION_STATE", HV_X64_VP_EXECUTION_STATE, AsUINT16, InterruptShadow);
    BITS("HV_X64_VP_EXECUTION_STATE", HV_X64_VP_EXECUTION_STATE, AsUINT16, VirtualizationFaultActive);
    BITS("HV_X64_INTERCEPT_MESSAGE_HEADER.InstructionLength", HV_X64_INSTRUCTION_LENGTH_CR8, AsUINT8, InstructionLength);
    BITS("HV_X64_INTERCEPT_MESSAGE_HEADER.InstructionLength", HV_X64_INSTRUCTION_LENGTH_CR8, AsUINT8, Cr8);
    BITS("HV_X64_IO_PORT_ACCESS_INFO", HV_X64_IO_PORT_ACCESS_INFO, AsUINT8, AccessSize);
    BITS("HV_X64_IO_PORT_ACCESS_INFO", HV_X64_IO_PORT_ACCESS_INFO, AsUINT8, StringOp);
    BITS("HV_X64_IO_PORT_ACCESS_INFO", HV_X64_IO_PORT_ACCESS_INFO, AsUINT8, RepPrefix);
    BITS("HV_X64_EXCEPTION_INFO", HV_X64_EXCEPTION_INFO, AsUINT8, ErrorCodeValid);
    BITS("HV_X64_EXCEPTION_INFO", HV_X64_EXCEPTION_INFO, AsUINT8, SoftwareException);
    BITS("HV_X64_MEMORY_ACCESS_INFO", HV_X64_MEMORY_ACCESS_INFO, AsUINT8, GvaValid);
    BITS("HV_X64_MEMORY_ACCESS_INFO", HV_X64_MEMORY_ACCESS_INFO, AsUINT8, GvaGpaValid);
    BITS("HV_X64_MEMORY_ACCESS_INFO", HV_X64_MEMORY_ACCESS_INFO, AsUINT8, HypercallOutputPending);
    BITS("HV_X64_MEMORY_ACCESS_INFO", HV_X64_MEMORY_ACCESS_INFO, AsUINT8, TlbLockedNoOverlay);
    TYPE(HV_VENDOR_AND_MAX_FUNCTION);
    FIELD(HV_VENDOR_AND_MAX_FUNCTION, MaxFunction);
    FIELD(HV_VENDOR_AND_MAX_FUNCTION, VendorName);
    TYPE(HV_HYPERVISOR_INTERFACE_INFO);
    FIELD(HV_HYPERVISOR_INTERFACE_INFO, Interface);
    FIELD(HV_HYPERVISOR_INTERFACE_INFO, Reserved);
    TYPE(HV_HYPERVISOR_VERSION_INFO);
    FIELD(HV_HYPERVISOR_VERSION_INFO, BuildNumber);
    FIELD(HV_HYPERVISOR_VERSION_INFO, Version);
    FIELD(HV_HYPERVISOR_VERSION_INFO, ServicePack);
    FIELD(HV_HYPERVISOR_VERSION_INFO, Service);
    TYPE(HV_X64_HYPERVISOR_FEATURES);
    FIELD(HV_X64_HYPERVISOR_FEATURES, PartitionPrivileges);
    FIELD(HV_X64_HYPERVISOR_FEATURES, Ecx);
    FIELD(HV_X64_HYPERVISOR_FEATURES, Edx);
    TYPE(HV_X64_ENLIGHTENMENT_INFORMATION);
    FIELD(HV_X64_ENLIGHTENMENT_INFORMATION, Eax);
    FIELD(HV_X64_ENLIGHTENMENT_INFORMATION, LongSpinWaitCount);
    FIELD(HV_X64_ENLIGHTENMENT_INFORMATION, Ecx);
    FIELD(HV_X64_ENLIGHTENMENT_INFORMATION, Reserved);
    TYPE(HV_IMPLEMENTATION_LIMITS);
    FIELD(HV_IMPLEMENTATION_LIMITS, MaxVirtualProcessorCount);
    FIELD(HV_IMPLEMENTATION_LIMITS, MaxLogicalProcessorCount);
    FIELD(HV_IMPLEMENTATION_LIMITS, MaxInterruptMappingCount);
    FIELD(HV_IMPLEMENTATION_LIMITS, Reserved);
    TYPE(HV_X64_HYPERVISOR_HARDWARE_FEATURES);
    FIELD(HV_X64_HYPERVISOR_HARDWARE_FEATURES, Eax);
    FIELD(HV_X64_HYPERVISOR_HARDWARE_FEATURES, Ebx);
    FIELD(HV_X64_HYPERVISOR_HARDWARE_FEATURES, Reserved);
    TYPE(HYPERV_CPUID_NESTED_FEATURES);
    FIELD(HYPERV_CPUID_NESTED_FEATURES, Eax);
    FIELD(HYPERV_CPUID_NESTED_FEATURES, Ebx);
    FIELD(HYPERV_CPUID_NESTED_FEATURES, Reserved);
    BITS("HV_HYPERVISOR_VERSION_INFO.Version", HV_VERSION_NUMBERS, AsUINT32, MinorVersion);
    BITS("HV_HYPERVISOR_VERSION_INFO.Version", HV_VERSION_NUMBERS, AsUINT32, MajorVersion);
    BITS("HV_HYPERVISOR_VERSION_INFO.Service", HV_SERVICE_INFO, AsUINT32, ServiceNumber);
    BITS("HV_HYPERVISOR_VERSION_INFO.Service", HV_SERVICE_INFO, AsUINT32, ServiceBranch);
    BITS("HV_X64_HYPERVISOR_FEATURES.Ecx", HV_X64_HYPERVISOR_FEATURES_ECX, AsUINT32, MaxSupportedCState);
    BITS("HV_X64_HYPERVISOR_FEATURES.Ecx", HV_X64_HYPERVISOR_FEATURES_ECX, AsUINT32, HpetNeededForC3PowerState);
    BITS("HV_X64_HYPERVISOR_FEATURES.Ecx", HV_X64_HYPERVISOR_FEATURES_ECX, AsUINT32, InvariantMperfAvailable);
    BITS("HV_X64_HYPERVISOR_FEATURES.Ecx", HV_X64_HYPERVISOR_FEATURES_ECX, AsUINT32, SupervisorShadowStackAvailable);
    BITS("HV_X64_HYPERVISOR_FEATURES.Ecx", HV_X64_HYPERVISOR_FEATURES_ECX, AsUINT32, ArchPmuAvailable);
    BITS("HV_X64_HYPERVISOR_FEATURES.Ecx", HV_X64_HYPERVISOR_FEATURES_ECX, AsUINT32, ExceptionTrapInterceptAvailable);
    BITS("HV_X64_HYPERVISOR_FEATURES.Ecx", HV_X64_HYPERVISOR_FEATURES_ECX, AsUINT32, HV_VP_DISPATCH_INTERRUPT_INJECTION_AVAILABLE);
    BITS("HV_X64_HYPERVISOR_FEATURES.Ecx", HV_X64_HYPERVISOR_FEATURES_ECX, AsUINT32, HV_VP_GHCB_ROOT_MAPPING_AVAILABLE);
    BITS("HV_X64_ENLIGHTENMENT_INFORMATION.Ecx", HV_X64_ENLIGHTENMENT_INFORMATION_ECX, AsUINT32, ImplementedPhysicalAddressBits);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, ApicOverlayAssistInUse);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, MsrBitmapsInUse);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, ArchitecturalPerformanceCountersInUse);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, SecondLevelAddressTranslationInUse);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, DmaRemappingInUse);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, InterruptRemappingInUse);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, MemoryPatrolScrubberPresent);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, DmaProtectionInUse);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, HpetRequested);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, SyntheticTimersVolatile);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, HypervisorLevel);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, PhysicalDestinationModeRequired);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, UseVmfuncForAliasMapSwitch);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, HvRegisterForMemoryZeroingSupported);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, UnrestrictedGuestSupported);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, RdtAFeaturesSupported);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, RdtMFeaturesSupported);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, ChildPerfmonPmuSupported);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, ChildPerfmonLbrSupported);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, ChildPerfmonIptSupported);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, ApicEmulationSupported);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, ChildX2ApicRecommended);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, HardwareWatchdogReserved);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, DeviceAccessTrackingSupported);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Eax", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EAX, AsUINT32, HardwareGpaAccessTrackingSupported);
    BITS("HV_X64_HYPERVISOR_HARDWARE_FEATURES.Ebx", HV_X64_HYPERVISOR_HARDWARE_FEATURES_EBX, AsUINT32, DeviceDomainInputWidth);
    BITS("HYPERV_CPUID_NESTED_FEATURES.EAX", HYPERV_CPUID_NESTED_FEATURES_EAX, AsUINT32, HV_X64_ENLIGHTENED_VMCS_VERSION);
    BITS("HYPERV_CPUID_NESTED_FEATURES.EAX", HYPERV_CPUID_NESTED_FEATURES_EAX, AsUINT32, EnlightenedVmcsVersionHigh);
    BITS("HYPERV_CPUID_NESTED_FEATURES.EAX", HYPERV_CPUID_NESTED_FEATURES_EAX, AsUINT32, HV_X64_NESTED_DIRECT_FLUSH);
    BITS("HYPERV_CPUID_NESTED_FEATURES.EAX", HYPERV_CPUID_NESTED_FEATURES_EAX, AsUINT32, HV_X64_NESTED_GUEST_MAPPING_FLUSH);
    BITS("HYPERV_CPUID_NESTED_FEATURES.EAX", HYPERV_CPUID_NESTED_FEATURES_EAX, AsUINT32, HV_X64_NESTED_MSR_BITMAP);
    BITS("HYPERV_CPUID_NESTED_FEATURES.EAX", HYPERV_CPUID_NESTED_FEATURES_EAX, AsUINT32, HV_X64_NESTED_ENLIGHTENED_TLB);
    BITS("HV_X64_MSR_GUEST_OS_ID_CONTENTS", HV_X64_MSR_GUEST_OS_ID_CONTENTS, AsUINT64, BuildNumber);
    BITS("HV_X64_MSR_GUEST_OS_ID_CONTENTS", HV_X64_MSR_GUEST_OS_ID_CONTENTS, AsUINT64, ServiceVersion);
    BITS("HV_X64_MSR_GUEST_OS_ID_CONTENTS", HV_X64_MSR_GUEST_OS_ID_CONTENTS, AsUINT64, MinorVersion);
    BITS("HV_X64_MSR_GUEST_OS_ID_CONTENTS", HV_X64_MSR_GUEST_OS_ID_CONTENTS, AsUINT64, MajorVersion);
    BITS("HV_X64_MSR_GUEST_OS_ID_CONTENTS", HV_X64_MSR_GUEST_OS_ID_CONTENTS, AsUINT64, OsId);
    BITS("HV_X64_MSR_GUEST_OS_ID_CONTENTS", HV_X64_MSR_GUEST_OS_ID_CONTENTS, AsUINT64, VendorId);
    BITS("HV_X64_MSR_GUEST_OS_ID", HV_X64_MSR_GUEST_OS_ID, AsUINT64, BuildNumber);
    BITS("HV_X64_MSR_GUEST_OS_ID", HV_X64_MSR_GUEST_OS_ID, AsUINT64, Version);
    BITS("HV_X64_MSR_GUEST_OS_ID", HV_X64_MSR_GUEST_OS_ID, AsUINT64, OsId);
    BITS("HV_X64_MSR_GUEST_OS_ID", HV_X64_MSR_GUEST_OS_ID, AsUINT64, OsType);
    BITS("HV_X64_MSR_GUEST_OS_ID", HV_X64_MSR_GUEST_OS_ID, AsUINT64, OpenSource);
    BITS("HV_X64_MSR_HYPERCALL_CONTENTS", HV_X64_MSR_HYPERCALL_CONTENTS, AsUINT64, Enable);
    BITS("HV_X64_MSR_HYPERCALL_CONTENTS", HV_X64_MSR_HYPERCALL_CONTENTS, AsUINT64, Locked);
    BITS("HV_X64_MSR_HYPERCALL_CONTENTS", HV_X64_MSR_HYPERCALL_CONTENTS, AsUINT64, HypercallGpfn);
    BITS("hv_reference_tsc_msr", hv_reference_tsc_msr, as_uint64, enable);
    BITS("hv_reference_tsc_msr", hv_reference_tsc_msr, as_uint64, pfn);
    BITS("hv_synic_scontrol", hv_synic_scontrol, as_uint64, enable);
    BITS("hv_synic_sint", hv_synic_sint, as_uint64, vector);
    BITS("hv_synic_sint", hv_synic_sint, as_uint64, masked);
    BITS("hv_synic_sint", hv_synic_sint, as_uint64, auto_eoi);
    BITS("hv_synic_sint", hv_synic_sint, as_uint64, polling);
    BITS("hv_synic_sint", hv_synic_sint, as_uint64, as_intercept);
    BITS("hv_synic_sint", hv_synic_sint, as_uint64, proxy);
    BITS("hv_stimer_config", hv_stimer_config, as_uint64, enable);
    BITS("hv_stimer_config", hv_stimer_config, as_uint64, periodic);
    BITS("hv_stimer_config", hv_stimer_config, as_uint64, lazy);
    BITS("hv_stimer_config", hv_stimer_config, as_uint64, auto_enable);
    BITS("hv_stimer_config", hv_stimer_config, as_uint64, apic_vector);
    BITS("hv_stimer_config", hv_stimer_config, as_uint64, direct_mode);
    BITS("hv_stimer_config", hv_stimer_config, as_uint64, sintx);
    BITS("HV_CRASH_CTL_REG_CONTENTS", HV_CRASH_CTL_REG_CONTENTS, AsUINT64, HV_CRASH_CTL_CRASH_NOTIFY_MSG);
    BITS("HV_CRASH_CTL_REG_CONTENTS", HV_CRASH_CTL_REG_CONTENTS, AsUINT64, HV_CRASH_CTL_CRASH_NOTIFY);
    BITS("hv_reenlightenment_control", hv_reenlightenment_control, as_uint64, vector);
    BITS("hv_reenlightenment_control", hv_reenlightenment_control, as_uint64, enabled);
    BITS("hv_reenlightenment_control", hv_reenlightenment_control, as_uint64, target_vp);
    BITS("hv_tsc_emulation_control", hv_tsc_emulation_control, as_uint64, enabled);
    BITS("hv_tsc_emulation_status", hv_tsc_emulation_status, as_uint64, inprogress);
    BITS("HV_X64_MSR_TSC_INVARIANT_CONTROL", HV_X64_MSR_TSC_INVARIANT_CONTROL, AsUINT64, HV_EXPOSE_INVARIANT_TSC);
    BITS("HV_X64_MSR_SYNDBG_CONTROL", HV_X64_MSR_SYNDBG_CONTROL, AsUINT64, HV_SYNDBG_CONTROL_SEND);
    BITS("HV_X64_MSR_SYNDBG_CONTROL", HV_X64_MSR_SYNDBG_CONTROL, AsUINT64, HV_SYNDBG_CONTROL_RECV);
    BITS("HV_X64_MSR_SYNDBG_CONTROL", HV_X64_MSR_SYNDBG_CONTROL, AsUINT64, HV_SYNDBG_CONTROL_SEND_SIZE);
    BITS("HV_X64_MSR_SYNDBG_STATUS", HV_X64_MSR_SYNDBG_STATUS, AsUINT64, HV_SYNDBG_STATUS_SEND_SUCCESS);
    BITS("HV_X64_MSR_SYNDBG_STATUS", HV_X64_MSR_SYNDBG_STATUS, AsUINT64, HV_SYNDBG_STATUS_RECV_SUCCESS);
    BITS("HV_X64_MSR_SYNDBG_STATUS", HV_X64_MSR_SYNDBG_STATUS, AsUINT64, HV_SYNDBG_STATUS_RESET);
    BITS("HV_X64_MSR_SYNDBG_STATUS", HV_X64_MSR_SYNDBG_STATUS, AsUINT64, HV_SYNDBG_STATUS_SET_SIZE);
    BITS("HV_X64_MSR_SYNDBG_OPTIONS", HV_X64_MSR_SYNDBG_OPTIONS, AsUINT64, HV_X64_SYNDBG_OPTION_USE_HCALLS);
    TYPE(HV_TIMER_MESSAGE_PAYLOAD);
    FIELD(HV_TIMER_MESSAGE_PAYLOAD, TimerIndex);
    FIELD(HV_TIMER_MESSAGE_PAYLOAD, Reserved);
    FIELD(HV_TIMER_MESSAGE_PAYLOAD, ExpirationTime);
    FIELD(HV_TIMER_MESSAGE_PAYLOAD, DeliveryTime);
    TYPE(HV_X64_APIC_EOI_MESSAGE);
    FIELD(HV_X64_APIC_EOI_MESSAGE, VpIndex);
    FIELD(HV_X64_APIC_EOI_MESSAGE, InterruptVector);
    TYPE(HV_X64_UNSUPPORTED_FEATURE_MESSAGE);
    FIELD(HV_X64_UNSUPPORTED_FEATURE_MESSAGE, VpIndex);
    FIELD(HV_X64_UNSUPPORTED_FEATURE_MESSAGE, FeatureCode);
    FIELD(HV_X64_UNSUPPORTED_FEATURE_MESSAGE, FeatureParameter);
    TYPE(HV_X64_INVALID_VP_REGISTER_MESSAGE);
    FIELD(HV_X64_INVALID_VP_REGISTER_MESSAGE, VpIndex);
    FIELD(HV_X64_INVALID_VP_REGISTER_MESSAGE, Reserved);
    TYPE(HV_OPAQUE_INTERCEPT_MESSAGE);
    FIELD(HV_OPAQUE_INTERCEPT_MESSAGE, VpIndex);
    TYPE(HV_X64_INTERRUPTION_DELIVERABLE_MESSAGE);
    FIELD(HV_X64_INTERRUPTION_DELIVERABLE_MESSAGE, Header);
    FIELD(HV_X64_INTERRUPTION_DELIVERABLE_MESSAGE, DeliverableType);
    FIELD(HV_X64_INTERRUPTION_DELIVERABLE_MESSAGE, Rsvd);
    TYPE(HV_X64_SINT_DELIVERABLE_MESSAGE);
    FIELD(HV_X64_SINT_DELIVERABLE_MESSAGE, Header);
    FIELD(HV_X64_SINT_DELIVERABLE_MESSAGE, DeliverableSints);
    FIELD(HV_X64_SINT_DELIVERABLE_MESSAGE, Rsvd1);
    FIELD(HV_X64_SINT_DELIVERABLE_MESSAGE, Rsvd2);
    TYPE(HV_X64_SIPI_INTERCEPT_MESSAGE);
    FIELD(HV_X64_SIPI_INTERCEPT_MESSAGE, Header);
    FIELD(HV_X64_SIPI_INTERCEPT_MESSAGE, TargetVpIndex);
    FIELD(HV_X64_SIPI_INTERCEPT_MESSAGE, InterruptVector);
    TYPE(HV_X64_HYPERCALL_INTERCEPT_MESSAGE);
    FIELD(HV_X64_HYPERCALL_INTERCEPT_MESSAGE, Header);
    FIELD(HV_X64_HYPERCALL_INTERCEPT_MESSAGE, Rax);
    FIELD(HV_X64_HYPERCALL_INTERCEPT_MESSAGE, Rbx);
    FIELD(HV_X64_HYPERCALL_INTERCEPT_MESSAGE, Rcx);
    FIELD(HV_X64_HYPERCALL_INTERCEPT_MESSAGE, Rdx);
    FIELD(HV_X64_HYPERCALL_INTERCEPT_MESSAGE, R8);
    FIELD(HV_X64_HYPERCALL_INTERCEPT_MESSAGE, Rsi);
    FIELD(HV_X64_HYPERCALL_INTERCEPT_MESSAGE, Rdi);
    FIELD(HV_X64_HYPERCALL_INTERCEPT_MESSAGE, XmmRegisters);
    FIELD(HV_X64_HYPERCALL_INTERCEPT_MESSAGE, Flags);
    FIELD(HV_X64_HYPERCALL_INTERCEPT_MESSAGE, Reserved);
    BITS("HV_HYPERCALL_INTERCEPT_MESSAGE_FLAGS", HV_HYPERCALL_INTERCEPT_MESSAGE_FLAGS, AsUINT32, IsIsolated);
    TYPE(HV_X64_REGISTER_INTERCEPT_MESSAGE);
    FIELD(HV_X64_REGISTER_INTERCEPT_MESSAGE, Header);
    FIELD(HV_X64_REGISTER_INTERCEPT_MESSAGE, Flags);
    FIELD(HV_X64_REGISTER_INTERCEPT_MESSAGE, Reserved8);
    FIELD(HV_X64_REGISTER_INTERCEPT_MESSAGE, Reserved16);
    FIELD(HV_X64_REGISTER_INTERCEPT_MESSAGE, RegisterName);
    FIELD(HV_X64_REGISTER_INTERCEPT_MESSAGE, AccessInfo);
    BITS("HV_X64_REGISTER_INTERCEPT_MESSAGE_FLAGS", HV_X64_REGISTER_INTERCEPT_MESSAGE_FLAGS, AsUINT8, IsMemoryOp);
    TYPE(HV_X64_GPA_ATTRIBUTE_INTERCEPT_MESSAGE);
    FIELD(HV_X64_GPA_ATTRIBUTE_INTERCEPT_MESSAGE, VpIndex);
    FIELD(HV_X64_GPA_ATTRIBUTE_INTERCEPT_MESSAGE, Attributes);
    FIELD(HV_X64_GPA_ATTRIBUTE_INTERCEPT_MESSAGE, Ranges);
    BITS("HV_GPA_PAGE_RANGE", HV_GPA_PAGE_RANGE, AsUINT64, AdditionalPages);
    BITS("HV_GPA_PAGE_RANGE", HV_GPA_PAGE_RANGE, AsUINT64, LargePage);
    BITS("HV_GPA_PAGE_RANGE", HV_GPA_PAGE_RANGE, AsUINT64, BasePfn);
    BITS("HV_X64_GPA_ATTRIBUTE_INTERCEPT_FLAGS", HV_X64_GPA_ATTRIBUTE_INTERCEPT_FLAGS, AsUINT32, RangeCount);
    BITS("HV_X64_GPA_ATTRIBUTE_INTERCEPT_FLAGS", HV_X64_GPA_ATTRIBUTE_INTERCEPT_FLAGS, AsUINT32, Adjust);
    BITS("HV_X64_GPA_ATTRIBUTE_INTERCEPT_FLAGS", HV_X64_GPA_ATTRIBUTE_INTERCEPT_FLAGS, AsUINT32, HostVisibility);
    BITS("HV_X64_GPA_ATTRIBUTE_INTERCEPT_FLAGS", HV_X64_GPA_ATTRIBUTE_INTERCEPT_FLAGS, AsUINT32, MemoryType);
    TYPE(HV_X64_VMGEXIT_INTERCEPT_MESSAGE);
    FIELD(HV_X64_VMGEXIT_INTERCEPT_MESSAGE, Header);
    FIELD(HV_X64_VMGEXIT_INTERCEPT_MESSAGE, GhcbMsr);
    FIELD(HV_X64_VMGEXIT_INTERCEPT_MESSAGE, Flags);
    FIELD(HV_X64_VMGEXIT_INTERCEPT_MESSAGE, GhcbUsage);
    FIELD(HV_X64_VMGEXIT_INTERCEPT_MESSAGE, ReservedGhcbPage);
    FIELD(HV_X64_VMGEXIT_INTERCEPT_MESSAGE, GhcbProtocolVersion);
    FIELD(HV_X64_VMGEXIT_INTERCEPT_MESSAGE, ReservedSt);
    FIELD(HV_X64_VMGEXIT_INTERCEPT_MESSAGE, SwExitCode);
    FIELD(HV_X64_VMGEXIT_INTERCEPT_MESSAGE, SwExitInfo1);
    FIELD(HV_X64_VMGEXIT_INTERCEPT_MESSAGE, SwExitInfo2);
    FIELD(HV_X64_VMGEXIT_INTERCEPT_MESSAGE, SwScratch);
    BITS("HV_X64_VMGEXIT_INTERCEPT_FLAGS", HV_X64_VMGEXIT_INTERCEPT_FLAGS, AsUINT64, GhcbPageValid);
    TYPE(HV_DEBUG_NET_DATA);
    FIELD(HV_DEBUG_NET_DATA, HostIp);
    FIELD(HV_DEBUG_NET_DATA, TargetIp);
    FIELD(HV_DEBUG_NET_DATA, HostPort);
    FIELD(HV_DEBUG_NET_DATA, TargetPort);
    FIELD(HV_DEBUG_NET_DATA, HostMac);
    FIELD(HV_DEBUG_NET_DATA, TargetMac);
    TYPE(HV_OUTPUT_RESET_DEBUG_SESSION);
    FIELD(HV_OUTPUT_RESET_DEBUG_SESSION, NetData);
    return 0;
}
