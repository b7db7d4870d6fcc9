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
    return 0;
}
