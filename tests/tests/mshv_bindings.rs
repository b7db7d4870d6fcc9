//! Differential test against rust-vmm's mshv-bindings, the bindgen output of Microsoft's mshv headers:
//! for every struct both define, the size and each field's offset; bytes read through both give the same
//! field values; and every status, call code, message type and MSR both define agree by value and name.
//! Where the two readings differ on purpose, the disagreement is listed with its reason.
//!
//! mshv-bindings declares its structs packed (alignment 1); hv-abi's are naturally aligned. Sizes and
//! offsets agree because every published layout is free of padding.
#![allow(unsafe_code)] // `view`, below, and nothing else

use hv_abi::synic::{MessageHeader, MessageType};
use hv_abi::{CallCode, HvStatus, PartitionPropertyCode};
use hv_x64::msr::SyntheticMsr;
use hv_x64::{
    ApicEoiMessage, CpuidInterceptMessage, ExceptionInterceptMessage, InterceptMessageHeader,
    InterruptionDeliverableMessage, InvalidVpRegisterMessage, IoPortInterceptMessage, MemoryInterceptMessage,
    MsrInterceptMessage, OpaqueInterceptMessage, SegmentRegister, SintDeliverableMessage, SipiInterceptMessage,
    UnsupportedFeatureMessage,
};
use hv_x64::{
    GpaAttributeInterceptMessage, HypercallInterceptMessage, InterceptType, RegisterInterceptMessage, RegisterName,
    RegisterValue, VmgexitInterceptMessage,
};
use mshv_bindings as m;
use proptest::prelude::*;
use zerocopy::FromBytes;

/// mshv-bindings structs made of integers, integer arrays, unions of those and bindgen bitfield units:
/// every bit pattern is a valid value, and they are packed (alignment 1).
trait Plain: Copy {}
impl Plain for m::hv_x64_segment_register {}
impl Plain for m::hv_x64_intercept_message_header {}
impl Plain for m::hv_x64_io_port_intercept_message {}
impl Plain for m::hv_x64_msr_intercept_message {}
impl Plain for m::hv_x64_cpuid_intercept_message {}
impl Plain for m::hv_x64_exception_intercept_message {}
impl Plain for m::hv_x64_memory_intercept_message {}
impl Plain for m::hv_message_header {}
impl Plain for m::hv_x64_hypercall_intercept_message {}
impl Plain for m::hv_x64_register_intercept_message {}
impl Plain for m::hv_x64_gpa_attribute_intercept_message {}
impl Plain for m::hv_x64_vmgexit_intercept_message {}

/// The bindgen struct `T` that `bytes` holds, viewed in place.
fn view<T: Plain>(bytes: &[u8]) -> &T {
    assert_eq!(bytes.len(), size_of::<T>());
    assert_eq!(align_of::<T>(), 1, "mshv-bindings structs are packed");
    // SAFETY: `bytes` is `size_of::<T>()` initialized bytes (asserted), a `u8` slice's pointer satisfies
    // `T`'s alignment of 1 (asserted), the view borrows `bytes` so it cannot outlive or alias a write to
    // them, and `T: Plain` types accept every bit pattern.
    unsafe { &*bytes.as_ptr().cast::<T>() }
}

/// Asserts that `$ours` and `$theirs` have one size and that each listed field sits at one offset.
macro_rules! same_layout {
    ($ours:ty, $theirs:ty, [$($field:ident $(= $their_field:ident)?),* $(,)?]) => {{
        assert_eq!(size_of::<$ours>(), size_of::<$theirs>(), "size of {}", stringify!($ours));
        $(
            let theirs = same_layout!(@their $field $(, $their_field)?);
            assert_eq!(
                core::mem::offset_of!($ours, $field),
                offset_of_their!($theirs, theirs),
                "{}.{}: hv-abi offset {}, mshv-bindings offset {}",
                stringify!($ours), stringify!($field),
                core::mem::offset_of!($ours, $field), offset_of_their!($theirs, theirs),
            );
        )*
    }};
    (@their $field:ident) => { stringify!($field) };
    (@their $field:ident, $their_field:ident) => { stringify!($their_field) };
}

/// The offset of the mshv-bindings field called `name` (a string, so the mapping can rename).
macro_rules! offset_of_their {
    ($theirs:ty, $name:expr) => {
        their_offset::<$theirs>($name)
    };
}

/// Offsets of the mshv-bindings fields the layouts compare, by type and name.
fn their_offset<T: 'static>(name: &str) -> usize {
    use core::any::TypeId;
    use core::mem::offset_of;
    macro_rules! table {
        ($($ty:ty => [$($f:ident),*]),* $(,)?) => {
            $( if TypeId::of::<T>() == TypeId::of::<$ty>() {
                $( if name == stringify!($f) { return offset_of!($ty, $f); } )*
            } )*
        };
    }
    table! {
        m::hv_x64_segment_register => [base, limit, selector, __bindgen_anon_1],
        m::hv_x64_intercept_message_header => [vp_index, _bitfield_1, intercept_access_type, execution_state, cs_segment, rip, rflags],
        m::hv_x64_io_port_intercept_message => [header, port_number, access_info, instruction_byte_count, reserved, rax, instruction_bytes, ds_segment, es_segment, rcx, rsi, rdi],
        m::hv_x64_msr_intercept_message => [header, msr_number, reserved, rdx, rax],
        m::hv_x64_cpuid_intercept_message => [header, rax, rcx, rdx, rbx, default_result_rax, default_result_rcx, default_result_rdx, default_result_rbx],
        m::hv_x64_exception_intercept_message => [header, exception_vector, exception_info, instruction_byte_count, error_code, exception_parameter, reserved, instruction_bytes, ds_segment, ss_segment, rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15],
        m::hv_x64_memory_intercept_message => [header, cache_type, instruction_byte_count, memory_access_info, tpr_priority, reserved1, guest_virtual_address, guest_physical_address, instruction_bytes],
        m::hv_message_header => [message_type, payload_size, message_flags, reserved, __bindgen_anon_1],
        m::hv_x64_apic_eoi_message => [vp_index, interrupt_vector],
        m::hv_x64_unsupported_feature_message => [vp_index, feature_code, feature_parameter],
        m::hv_x64_invalid_vp_register_message => [vp_index, reserved],
        m::hv_opaque_intercept_message => [vp_index],
        m::hv_x64_interruption_deliverable_message => [header, deliverable_type, rsvd],
        m::hv_x64_sint_deliverable_message => [header, deliverable_sints, rsvd1, rsvd2],
        m::hv_x64_sipi_intercept_message => [header, target_vp_index, interrupt_vector],
        m::hv_x64_register_intercept_message => [header, __bindgen_anon_1, reserved8, reserved16, register_name, access_info],
        m::hv_x64_gpa_attribute_intercept_message => [vp_index, __bindgen_anon_1, ranges],
        m::hv_x64_vmgexit_intercept_message => [header, ghcb_msr, __bindgen_anon_1, __bindgen_anon_2],
    }
    panic!("no mshv-bindings field {name} in {}", core::any::type_name::<T>())
}

#[test]
fn every_shared_struct_has_the_same_size_and_offsets() {
    same_layout!(
        SegmentRegister,
        m::hv_x64_segment_register,
        [base, limit, selector, attributes = __bindgen_anon_1]
    );
    same_layout!(
        InterceptMessageHeader,
        m::hv_x64_intercept_message_header,
        [
            vp_index,
            instruction_length = _bitfield_1,
            intercept_access_type,
            execution_state,
            cs_segment,
            rip,
            rflags,
        ]
    );
    same_layout!(
        IoPortInterceptMessage,
        m::hv_x64_io_port_intercept_message,
        [
            header,
            port_number,
            access_info,
            instruction_byte_count,
            reserved,
            rax,
            instruction_bytes,
            ds_segment,
            es_segment,
            rcx,
            rsi,
            rdi,
        ]
    );
    same_layout!(
        MsrInterceptMessage,
        m::hv_x64_msr_intercept_message,
        [header, msr_number, reserved, rdx, rax]
    );
    same_layout!(
        CpuidInterceptMessage,
        m::hv_x64_cpuid_intercept_message,
        [
            header,
            rax,
            rcx,
            rdx,
            rbx,
            default_result_rax,
            default_result_rcx,
            default_result_rdx,
            default_result_rbx,
        ]
    );
    same_layout!(
        ExceptionInterceptMessage,
        m::hv_x64_exception_intercept_message,
        [
            header,
            exception_vector,
            exception_info,
            instruction_byte_count,
            error_code,
            exception_parameter,
            reserved,
            instruction_bytes,
            ds_segment,
            ss_segment,
            rax,
            rcx,
            rdx,
            rbx,
            rsp,
            rbp,
            rsi,
            rdi,
            r8,
            r9,
            r10,
            r11,
            r12,
            r13,
            r14,
            r15,
        ]
    );
    same_layout!(
        MemoryInterceptMessage,
        m::hv_x64_memory_intercept_message,
        [
            header,
            cache_type,
            instruction_byte_count,
            memory_access_info,
            tpr_priority,
            reserved = reserved1,
            guest_virtual_address,
            guest_physical_address,
            instruction_bytes,
        ]
    );
    same_layout!(
        MessageHeader,
        m::hv_message_header,
        [
            message_type,
            payload_size,
            message_flags,
            reserved,
            sender = __bindgen_anon_1,
        ]
    );
    same_layout!(ApicEoiMessage, m::hv_x64_apic_eoi_message, [vp_index, interrupt_vector]);
    same_layout!(
        UnsupportedFeatureMessage,
        m::hv_x64_unsupported_feature_message,
        [vp_index, feature_code, feature_parameter,]
    );
    same_layout!(
        InvalidVpRegisterMessage,
        m::hv_x64_invalid_vp_register_message,
        [vp_index, reserved]
    );
    same_layout!(OpaqueInterceptMessage, m::hv_opaque_intercept_message, [vp_index]);
    same_layout!(
        InterruptionDeliverableMessage,
        m::hv_x64_interruption_deliverable_message,
        [header, deliverable_type, rsvd,]
    );
    same_layout!(
        SintDeliverableMessage,
        m::hv_x64_sint_deliverable_message,
        [header, deliverable_sints, rsvd1, rsvd2,]
    );
    same_layout!(
        SipiInterceptMessage,
        m::hv_x64_sipi_intercept_message,
        [header, target_vp_index, interrupt_vector]
    );
    same_layout!(
        RegisterInterceptMessage,
        m::hv_x64_register_intercept_message,
        [
            header,
            flags = __bindgen_anon_1,
            reserved8,
            reserved16,
            register_name,
            access_info,
        ]
    );
    same_layout!(
        GpaAttributeInterceptMessage,
        m::hv_x64_gpa_attribute_intercept_message,
        [vp_index, flags = __bindgen_anon_1, ranges]
    );
    same_layout!(
        VmgexitInterceptMessage,
        m::hv_x64_vmgexit_intercept_message,
        [
            header,
            ghcb_msr,
            flags = __bindgen_anon_1,
            ghcb_usage = __bindgen_anon_2
        ]
    );
}

/// The one struct whose size disagrees: OpenVMM's hypercall intercept (followed here) ends with three
/// reserved words, 208 bytes; mshv's packed header stops after the flags, 196. Every field both have
/// sits at the same offset.
#[test]
fn the_hypercall_intercept_differs_only_in_its_reserved_tail() {
    use core::mem::offset_of;
    type Ours = HypercallInterceptMessage;
    type Theirs = m::hv_x64_hypercall_intercept_message;
    assert_eq!((size_of::<Ours>(), size_of::<Theirs>()), (208, 196));
    let pairs = [
        ("header", offset_of!(Ours, header), offset_of!(Theirs, header)),
        ("rax", offset_of!(Ours, rax), offset_of!(Theirs, rax)),
        ("rbx", offset_of!(Ours, rbx), offset_of!(Theirs, rbx)),
        ("rcx", offset_of!(Ours, rcx), offset_of!(Theirs, rcx)),
        ("rdx", offset_of!(Ours, rdx), offset_of!(Theirs, rdx)),
        ("r8", offset_of!(Ours, r8), offset_of!(Theirs, r8)),
        ("rsi", offset_of!(Ours, rsi), offset_of!(Theirs, rsi)),
        ("rdi", offset_of!(Ours, rdi), offset_of!(Theirs, rdi)),
        (
            "xmm_registers",
            offset_of!(Ours, xmm_registers),
            offset_of!(Theirs, xmmregisters),
        ),
        ("flags", offset_of!(Ours, flags), offset_of!(Theirs, __bindgen_anon_1)),
    ];
    for (field, ours, theirs) in pairs {
        assert_eq!(ours, theirs, "HypercallInterceptMessage.{field}");
    }
    assert_eq!(offset_of!(Ours, reserved), size_of::<Theirs>());
}

/// The fields of an intercept header, as both read them.
fn same_header(ours: &InterceptMessageHeader, bytes: &[u8]) {
    let theirs: &m::hv_x64_intercept_message_header = view(&bytes[..40]);
    assert_eq!(ours.vp_index.0, { theirs.vp_index });
    assert_eq!(
        ours.instruction_length.instruction_length(),
        theirs.instruction_length()
    );
    assert_eq!(ours.instruction_length.cr8(), theirs.cr8());
    assert_eq!(ours.intercept_access_type, { theirs.intercept_access_type });
    assert_eq!((ours.rip, ours.rflags), ({ theirs.rip }, { theirs.rflags }));
    assert_eq!(ours.cs_segment.base, { theirs.cs_segment.base });
    assert_eq!(ours.cs_segment.limit, { theirs.cs_segment.limit });
    assert_eq!(ours.cs_segment.selector, { theirs.cs_segment.selector });
    // Unions and bitfield bytes are compared where they sit: reading a union field would need unsafe.
    assert_eq!(ours.execution_state.into_bits().to_le_bytes(), bytes[6..8]);
    assert_eq!(ours.cs_segment.attributes.into_bits().to_le_bytes(), bytes[22..24]);
}

proptest! {
    #[test]
    fn bytes_read_through_both_give_the_same_fields(bytes in proptest::collection::vec(any::<u8>(), 240)) {
        let io = IoPortInterceptMessage::read_from_bytes(&bytes[..128]).unwrap();
        let theirs: &m::hv_x64_io_port_intercept_message = view(&bytes[..128]);
        same_header(&io.header, &bytes);
        prop_assert_eq!(io.port_number, { theirs.port_number });
        prop_assert_eq!(io.access_info.into_bits(), bytes[42]);
        prop_assert_eq!(io.instruction_byte_count, { theirs.instruction_byte_count });
        prop_assert_eq!((io.rax, io.rcx, io.rsi, io.rdi), ({ theirs.rax }, { theirs.rcx }, { theirs.rsi }, { theirs.rdi }));
        prop_assert_eq!(io.instruction_bytes, { theirs.instruction_bytes });
        prop_assert_eq!(io.ds_segment.base, { theirs.ds_segment.base });
        prop_assert_eq!(io.es_segment.selector, { theirs.es_segment.selector });

        let msr = MsrInterceptMessage::read_from_bytes(&bytes[..64]).unwrap();
        let theirs: &m::hv_x64_msr_intercept_message = view(&bytes[..64]);
        prop_assert_eq!((msr.msr_number, msr.rdx, msr.rax), ({ theirs.msr_number }, { theirs.rdx }, { theirs.rax }));

        let cpuid = CpuidInterceptMessage::read_from_bytes(&bytes[..104]).unwrap();
        let theirs: &m::hv_x64_cpuid_intercept_message = view(&bytes[..104]);
        prop_assert_eq!((cpuid.rax, cpuid.rcx, cpuid.rdx, cpuid.rbx), ({ theirs.rax }, { theirs.rcx }, { theirs.rdx }, { theirs.rbx }));
        prop_assert_eq!(cpuid.default_result_rbx, { theirs.default_result_rbx });

        let exc = ExceptionInterceptMessage::read_from_bytes(&bytes[..240]).unwrap();
        let theirs: &m::hv_x64_exception_intercept_message = view(&bytes[..240]);
        prop_assert_eq!((exc.exception_vector, exc.error_code), ({ theirs.exception_vector }, { theirs.error_code }));
        prop_assert_eq!(exc.exception_info.into_bits(), bytes[42]);
        prop_assert_eq!((exc.exception_parameter, exc.rsp, exc.r15), ({ theirs.exception_parameter }, { theirs.rsp }, { theirs.r15 }));
        prop_assert_eq!(exc.ss_segment.limit, { theirs.ss_segment.limit });

        let mem = MemoryInterceptMessage::read_from_bytes(&bytes[..80]).unwrap();
        let theirs: &m::hv_x64_memory_intercept_message = view(&bytes[..80]);
        prop_assert_eq!(mem.cache_type.into_bits(), { theirs.cache_type });
        prop_assert_eq!(mem.memory_access_info.into_bits(), bytes[45]);
        prop_assert_eq!((mem.tpr_priority, mem.guest_virtual_address, mem.guest_physical_address),
            ({ theirs.tpr_priority }, { theirs.guest_virtual_address }, { theirs.guest_physical_address }));

        let hc = HypercallInterceptMessage::read_from_bytes(&bytes[..208]).unwrap();
        let theirs: &m::hv_x64_hypercall_intercept_message = view(&bytes[..196]);
        same_header(&hc.header, &bytes);
        prop_assert_eq!((hc.rax, hc.rbx, hc.rcx, hc.rdx), ({ theirs.rax }, { theirs.rbx }, { theirs.rcx }, { theirs.rdx }));
        prop_assert_eq!((hc.r8, hc.rsi, hc.rdi), ({ theirs.r8 }, { theirs.rsi }, { theirs.rdi }));
        for (i, xmm) in { theirs.xmmregisters }.iter().enumerate() {
            prop_assert_eq!(hc.xmm(i), Some(u128::from(xmm.high_part) << 64 | u128::from(xmm.low_part)));
        }
        prop_assert_eq!(u32::from(hc.flags.is_isolated()), { theirs.__bindgen_anon_1 }.isolated());

        let reg = RegisterInterceptMessage::read_from_bytes(&bytes[..64]).unwrap();
        let theirs: &m::hv_x64_register_intercept_message = view(&bytes[..64]);
        prop_assert_eq!(u8::from(reg.flags.is_memory_op()), { theirs.__bindgen_anon_1 }.is_memory_op());
        prop_assert_eq!(reg.register_name.into_bits(), { theirs.register_name });
        prop_assert_eq!(reg.access_info.address(), u64::from_le_bytes(bytes[48..56].try_into().unwrap()));
        prop_assert_eq!(reg.access_info.source_value().0, <[u8; 16]>::try_from(&bytes[48..64]).unwrap());

        let gpa = GpaAttributeInterceptMessage::read_from_bytes(&bytes[..240]).unwrap();
        let theirs: &m::hv_x64_gpa_attribute_intercept_message = view(&bytes[..240]);
        let flags = { theirs.__bindgen_anon_1 };
        prop_assert_eq!(gpa.vp_index.0, { theirs.vp_index });
        prop_assert_eq!(
            (u32::from(gpa.flags.range_count()), u32::from(gpa.flags.adjust()), u32::from(gpa.flags.host_visibility()), u32::from(gpa.flags.memory_type())),
            (flags.range_count(), flags.adjust(), flags.host_visibility(), flags.memory_type())
        );
        prop_assert_eq!(gpa.valid_ranges().len(), (flags.range_count() as usize).min(29));
        let last = gpa.ranges[28];
        let raw = u64::from_le_bytes(bytes[232..240].try_into().unwrap());
        prop_assert_eq!((u64::from(last.additional_pages()), last.large_page(), last.base_pfn()), (raw & 0x7ff, raw & 0x800 != 0, raw >> 12));

        let vmg = VmgexitInterceptMessage::read_from_bytes(&bytes[..104]).unwrap();
        let theirs: &m::hv_x64_vmgexit_intercept_message = view(&bytes[..104]);
        same_header(&vmg.header, &bytes);
        prop_assert_eq!(vmg.ghcb_msr, { theirs.ghcb_msr });
        prop_assert_eq!(u64::from(vmg.flags.ghcb_page_valid()), { theirs.__bindgen_anon_1 }.ghcb_page_valid());
        let page = { theirs.__bindgen_anon_2 };
        let exit = { page.__bindgen_anon_1 };
        prop_assert_eq!((vmg.ghcb_usage, vmg.ghcb_protocol_version), ({ page.ghcb_usage }, { exit.ghcb_protocol_version }));
        prop_assert_eq!(
            (vmg.sw_exit_code, vmg.sw_exit_info1, vmg.sw_exit_info2, vmg.sw_scratch),
            ({ exit.sw_exit_code }, { exit.sw_exit_info1 }, { exit.sw_exit_info2 }, { exit.sw_scratch })
        );

        let header = MessageHeader::read_from_bytes(&bytes[..16]).unwrap();
        let theirs: &m::hv_message_header = view(&bytes[..16]);
        prop_assert_eq!(header.message_type.into_bits(), { theirs.message_type });
        prop_assert_eq!(header.payload_size, { theirs.payload_size });
        prop_assert_eq!(header.message_flags.into_bits(), bytes[5]);
        prop_assert_eq!(&header.sender.to_le_bytes()[..], &bytes[8..16]);
    }
}

/// `HVCALL_POST_DEBUG_DATA` and `HvCallPostDebugData`, `HVMSG_X64_HALT` and `HvMessageTypeX64Halt`: the same
/// words once underscores, case and the prefix are gone.
fn normalized(name: &str, prefixes: &[&str]) -> String {
    let flat: String = name.chars().filter(|c| *c != '_').collect::<String>().to_lowercase();
    prefixes
        .iter()
        .find_map(|p| flat.strip_prefix(p))
        .unwrap_or(&flat)
        .to_owned()
}

#[test]
fn statuses_and_msrs_agree_by_name_and_value() {
    let statuses: &[(&str, u32)] = &[
        ("HV_STATUS_SUCCESS", m::HV_STATUS_SUCCESS),
        ("HV_STATUS_INVALID_HYPERCALL_CODE", m::HV_STATUS_INVALID_HYPERCALL_CODE),
        (
            "HV_STATUS_INVALID_HYPERCALL_INPUT",
            m::HV_STATUS_INVALID_HYPERCALL_INPUT,
        ),
        ("HV_STATUS_INVALID_ALIGNMENT", m::HV_STATUS_INVALID_ALIGNMENT),
        ("HV_STATUS_INVALID_PARAMETER", m::HV_STATUS_INVALID_PARAMETER),
        ("HV_STATUS_ACCESS_DENIED", m::HV_STATUS_ACCESS_DENIED),
        (
            "HV_STATUS_INVALID_PARTITION_STATE",
            m::HV_STATUS_INVALID_PARTITION_STATE,
        ),
        ("HV_STATUS_OPERATION_DENIED", m::HV_STATUS_OPERATION_DENIED),
        ("HV_STATUS_INSUFFICIENT_MEMORY", m::HV_STATUS_INSUFFICIENT_MEMORY),
        ("HV_STATUS_INVALID_PARTITION_ID", m::HV_STATUS_INVALID_PARTITION_ID),
        ("HV_STATUS_INVALID_VP_INDEX", m::HV_STATUS_INVALID_VP_INDEX),
        ("HV_STATUS_INSUFFICIENT_BUFFERS", m::HV_STATUS_INSUFFICIENT_BUFFERS),
        ("HV_STATUS_INVALID_VP_STATE", m::HV_STATUS_INVALID_VP_STATE),
    ];
    for &(name, value) in statuses {
        assert_eq!(
            HvStatus::from_name(name).map(HvStatus::into_bits).map(u32::from),
            Some(value),
            "{name}"
        );
    }
    let msrs: &[(&str, u32)] = &[
        ("HV_X64_MSR_GUEST_OS_ID", m::HV_X64_MSR_GUEST_OS_ID),
        ("HV_X64_MSR_HYPERCALL", m::HV_X64_MSR_HYPERCALL),
        ("HV_X64_MSR_VP_INDEX", m::HV_X64_MSR_VP_INDEX),
        ("HV_X64_MSR_RESET", m::HV_X64_MSR_RESET),
        ("HV_X64_MSR_VP_RUNTIME", m::HV_X64_MSR_VP_RUNTIME),
        ("HV_X64_MSR_TIME_REF_COUNT", m::HV_X64_MSR_TIME_REF_COUNT),
        ("HV_X64_MSR_REFERENCE_TSC", m::HV_X64_MSR_REFERENCE_TSC),
        ("HV_X64_MSR_TSC_FREQUENCY", m::HV_X64_MSR_TSC_FREQUENCY),
        ("HV_X64_MSR_APIC_FREQUENCY", m::HV_X64_MSR_APIC_FREQUENCY),
        ("HV_X64_MSR_EOI", m::HV_X64_MSR_EOI),
        ("HV_X64_MSR_ICR", m::HV_X64_MSR_ICR),
        ("HV_X64_MSR_TPR", m::HV_X64_MSR_TPR),
        ("HV_X64_MSR_VP_ASSIST_PAGE", m::HV_X64_MSR_VP_ASSIST_PAGE),
        ("HV_X64_MSR_SCONTROL", m::HV_X64_MSR_SCONTROL),
        ("HV_X64_MSR_SVERSION", m::HV_X64_MSR_SVERSION),
        ("HV_X64_MSR_SIEFP", m::HV_X64_MSR_SIEFP),
        ("HV_X64_MSR_SIMP", m::HV_X64_MSR_SIMP),
        ("HV_X64_MSR_EOM", m::HV_X64_MSR_EOM),
        ("HV_X64_MSR_SIRBP", m::HV_X64_MSR_SIRBP),
        ("HV_X64_MSR_SINT0", m::HV_X64_MSR_SINT0),
        ("HV_X64_MSR_SINT15", m::HV_X64_MSR_SINT15),
        ("HV_X64_MSR_NESTED_SCONTROL", m::HV_X64_MSR_NESTED_SCONTROL),
        ("HV_X64_MSR_NESTED_SVERSION", m::HV_X64_MSR_NESTED_SVERSION),
        ("HV_X64_MSR_NESTED_SIEFP", m::HV_X64_MSR_NESTED_SIEFP),
        ("HV_X64_MSR_NESTED_SIMP", m::HV_X64_MSR_NESTED_SIMP),
        ("HV_X64_MSR_NESTED_EOM", m::HV_X64_MSR_NESTED_EOM),
        ("HV_X64_MSR_NESTED_SINT0", m::HV_X64_MSR_NESTED_SINT0),
        ("HV_X64_MSR_STIMER0_CONFIG", m::HV_X64_MSR_STIMER0_CONFIG),
        ("HV_X64_MSR_STIMER3_COUNT", m::HV_X64_MSR_STIMER3_COUNT),
        ("HV_X64_MSR_GUEST_IDLE", m::HV_X64_MSR_GUEST_IDLE),
        ("HV_X64_MSR_CRASH_P0", m::HV_X64_MSR_CRASH_P0),
        ("HV_X64_MSR_CRASH_P4", m::HV_X64_MSR_CRASH_P4),
        ("HV_X64_MSR_CRASH_CTL", m::HV_X64_MSR_CRASH_CTL),
    ];
    for &(name, value) in msrs {
        assert_eq!(
            SyntheticMsr::from_name(name).map(SyntheticMsr::into_bits),
            Some(value),
            "{name}"
        );
    }
}

#[test]
fn call_codes_and_message_types_agree_by_value_and_name() {
    let calls: &[(&str, u32)] = &[
        ("HVCALL_GET_PARTITION_PROPERTY", m::HVCALL_GET_PARTITION_PROPERTY),
        ("HVCALL_SET_PARTITION_PROPERTY", m::HVCALL_SET_PARTITION_PROPERTY),
        ("HVCALL_INSTALL_INTERCEPT", m::HVCALL_INSTALL_INTERCEPT),
        ("HVCALL_CREATE_VP", m::HVCALL_CREATE_VP),
        ("HVCALL_DELETE_VP", m::HVCALL_DELETE_VP),
        ("HVCALL_GET_VP_REGISTERS", m::HVCALL_GET_VP_REGISTERS),
        ("HVCALL_SET_VP_REGISTERS", m::HVCALL_SET_VP_REGISTERS),
        ("HVCALL_TRANSLATE_VIRTUAL_ADDRESS", m::HVCALL_TRANSLATE_VIRTUAL_ADDRESS),
        ("HVCALL_READ_GPA", m::HVCALL_READ_GPA),
        ("HVCALL_WRITE_GPA", m::HVCALL_WRITE_GPA),
        ("HVCALL_CLEAR_VIRTUAL_INTERRUPT", m::HVCALL_CLEAR_VIRTUAL_INTERRUPT),
        ("HVCALL_REGISTER_INTERCEPT_RESULT", m::HVCALL_REGISTER_INTERCEPT_RESULT),
        ("HVCALL_ASSERT_VIRTUAL_INTERRUPT", m::HVCALL_ASSERT_VIRTUAL_INTERRUPT),
        ("HVCALL_SIGNAL_EVENT_DIRECT", m::HVCALL_SIGNAL_EVENT_DIRECT),
        ("HVCALL_POST_MESSAGE_DIRECT", m::HVCALL_POST_MESSAGE_DIRECT),
        ("HVCALL_IMPORT_ISOLATED_PAGES", m::HVCALL_IMPORT_ISOLATED_PAGES),
        ("HVCALL_COMPLETE_ISOLATED_IMPORT", m::HVCALL_COMPLETE_ISOLATED_IMPORT),
        (
            "HVCALL_ISSUE_SNP_PSP_GUEST_REQUEST",
            m::HVCALL_ISSUE_SNP_PSP_GUEST_REQUEST,
        ),
        ("HVCALL_GET_VP_CPUID_VALUES", m::HVCALL_GET_VP_CPUID_VALUES),
        ("HVCALL_GET_PARTITION_PROPERTY_EX", m::HVCALL_GET_PARTITION_PROPERTY_EX),
    ];
    let mut mismatches = Vec::new();
    for &(name, value) in calls {
        let ours = CallCode::from_bits(value as u16).name();
        let same = ours.is_some_and(|o| normalized(o, &["hvcall"]) == normalized(name, &["hvcall"]));
        if !same {
            mismatches.push(format!("{name} = {value:#x}: hv-abi calls it {ours:?}"));
        }
    }
    // Message types: every HVMSG_* both define. 0x80010006 is the documented disagreement: the TLFS,
    // OpenVMM and the HDK call it HvMessageTypeRegisterIntercept, Linux and mshv HVMSG_X64_IOMMU_PRQ.
    let types: &[(&str, u32)] = &[
        ("HVMSG_NONE", m::hv_message_type_HVMSG_NONE),
        ("HVMSG_UNMAPPED_GPA", m::hv_message_type_HVMSG_UNMAPPED_GPA),
        ("HVMSG_GPA_INTERCEPT", m::hv_message_type_HVMSG_GPA_INTERCEPT),
        ("HVMSG_UNACCEPTED_GPA", m::hv_message_type_HVMSG_UNACCEPTED_GPA),
        (
            "HVMSG_GPA_ATTRIBUTE_INTERCEPT",
            m::hv_message_type_HVMSG_GPA_ATTRIBUTE_INTERCEPT,
        ),
        ("HVMSG_TIMER_EXPIRED", m::hv_message_type_HVMSG_TIMER_EXPIRED),
        (
            "HVMSG_INVALID_VP_REGISTER_VALUE",
            m::hv_message_type_HVMSG_INVALID_VP_REGISTER_VALUE,
        ),
        (
            "HVMSG_UNRECOVERABLE_EXCEPTION",
            m::hv_message_type_HVMSG_UNRECOVERABLE_EXCEPTION,
        ),
        (
            "HVMSG_UNSUPPORTED_FEATURE",
            m::hv_message_type_HVMSG_UNSUPPORTED_FEATURE,
        ),
        ("HVMSG_OPAQUE_INTERCEPT", m::hv_message_type_HVMSG_OPAQUE_INTERCEPT),
        (
            "HVMSG_EVENTLOG_BUFFERCOMPLETE",
            m::hv_message_type_HVMSG_EVENTLOG_BUFFERCOMPLETE,
        ),
        (
            "HVMSG_HYPERCALL_INTERCEPT",
            m::hv_message_type_HVMSG_HYPERCALL_INTERCEPT,
        ),
        (
            "HVMSG_SYNIC_EVENT_INTERCEPT",
            m::hv_message_type_HVMSG_SYNIC_EVENT_INTERCEPT,
        ),
        (
            "HVMSG_SYNIC_SINT_INTERCEPT",
            m::hv_message_type_HVMSG_SYNIC_SINT_INTERCEPT,
        ),
        (
            "HVMSG_SYNIC_SINT_DELIVERABLE",
            m::hv_message_type_HVMSG_SYNIC_SINT_DELIVERABLE,
        ),
        (
            "HVMSG_ASYNC_CALL_COMPLETION",
            m::hv_message_type_HVMSG_ASYNC_CALL_COMPLETION,
        ),
        (
            "HVMSG_X64_IO_PORT_INTERCEPT",
            m::hv_message_type_HVMSG_X64_IO_PORT_INTERCEPT,
        ),
        ("HVMSG_X64_MSR_INTERCEPT", m::hv_message_type_HVMSG_X64_MSR_INTERCEPT),
        (
            "HVMSG_X64_CPUID_INTERCEPT",
            m::hv_message_type_HVMSG_X64_CPUID_INTERCEPT,
        ),
        (
            "HVMSG_X64_EXCEPTION_INTERCEPT",
            m::hv_message_type_HVMSG_X64_EXCEPTION_INTERCEPT,
        ),
        ("HVMSG_X64_APIC_EOI", m::hv_message_type_HVMSG_X64_APIC_EOI),
        (
            "HVMSG_X64_LEGACY_FP_ERROR",
            m::hv_message_type_HVMSG_X64_LEGACY_FP_ERROR,
        ),
        ("HVMSG_X64_HALT", m::hv_message_type_HVMSG_X64_HALT),
        (
            "HVMSG_X64_INTERRUPTION_DELIVERABLE",
            m::hv_message_type_HVMSG_X64_INTERRUPTION_DELIVERABLE,
        ),
        ("HVMSG_X64_SIPI_INTERCEPT", m::hv_message_type_HVMSG_X64_SIPI_INTERCEPT),
        (
            "HVMSG_ARM64_RESET_INTERCEPT",
            m::hv_message_type_HVMSG_ARM64_RESET_INTERCEPT,
        ),
        (
            "HVMSG_X64_SEV_VMGEXIT_INTERCEPT",
            m::hv_message_type_HVMSG_X64_SEV_VMGEXIT_INTERCEPT,
        ),
    ];
    let prefixes = ["hvmessagetypex64", "hvmessagetype", "hvmessage", "hvmsgx64", "hvmsg"];
    for &(name, value) in types {
        let ours = MessageType::from_bits(value).name();
        let same = ours.is_some_and(|o| normalized(o, &prefixes) == normalized(name, &prefixes));
        if !same {
            mismatches.push(format!("{name} = {value:#x}: hv-abi calls it {ours:?}"));
        }
    }
    assert_eq!(
        MessageType::from_bits(m::hv_message_type_HVMSG_X64_IOMMU_PRQ).name(),
        Some("HvMessageTypeRegisterIntercept"),
        "the one documented disagreement"
    );
    assert!(mismatches.is_empty(), "names that disagree:\n{}", mismatches.join("\n"));
}

#[test]
fn register_names_intercept_types_and_register_values_agree() {
    let registers: &[(&str, u32)] = &[
        (
            "HV_REGISTER_EXPLICIT_SUSPEND",
            m::hv_register_name_HV_REGISTER_EXPLICIT_SUSPEND,
        ),
        (
            "HV_REGISTER_CPU_MANAGEMENT_VERSION",
            m::hv_register_name_HV_REGISTER_CPU_MANAGEMENT_VERSION,
        ),
        ("HV_REGISTER_NESTED_SINT9", m::hv_register_name_HV_REGISTER_NESTED_SINT9),
        (
            "HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL11",
            m::hv_register_name_HV_REGISTER_VSM_VP_SECURE_CONFIG_VTL11,
        ),
        ("HV_X64_REGISTER_RAX", m::hv_register_name_HV_X64_REGISTER_RAX),
        ("HV_X64_REGISTER_RIP", m::hv_register_name_HV_X64_REGISTER_RIP),
        ("HV_X64_REGISTER_RFLAGS", m::hv_register_name_HV_X64_REGISTER_RFLAGS),
        ("HV_X64_REGISTER_CR0", m::hv_register_name_HV_X64_REGISTER_CR0),
        ("HV_X64_REGISTER_XMM12", m::hv_register_name_HV_X64_REGISTER_XMM12),
        ("HV_X64_REGISTER_CS", m::hv_register_name_HV_X64_REGISTER_CS),
        ("HV_X64_REGISTER_EFER", m::hv_register_name_HV_X64_REGISTER_EFER),
        ("HV_X64_REGISTER_TSC", m::hv_register_name_HV_X64_REGISTER_TSC),
        (
            "HV_X64_REGISTER_MSR_MTRR_PHYS_MASK9",
            m::hv_register_name_HV_X64_REGISTER_MSR_MTRR_PHYS_MASK9,
        ),
        (
            "HV_X64_REGISTER_MSR_IA32_MISC_ENABLE",
            m::hv_register_name_HV_X64_REGISTER_MSR_IA32_MISC_ENABLE,
        ),
        (
            "HV_X64_REGISTER_RTIT_OUTPUT_MASK_PTRS",
            m::hv_register_name_HV_X64_REGISTER_RTIT_OUTPUT_MASK_PTRS,
        ),
        (
            "HV_X64_REGISTER_CR_INTERCEPT_CR4_MASK",
            m::hv_register_name_HV_X64_REGISTER_CR_INTERCEPT_CR4_MASK,
        ),
        (
            "HV_X64_REGISTER_CR_INTERCEPT_IA32_MISC_ENABLE_MASK",
            m::hv_register_name_HV_X64_REGISTER_CR_INTERCEPT_IA32_MISC_ENABLE_MASK,
        ),
    ];
    for &(name, value) in registers {
        let ours = RegisterName::from_name(name);
        assert_eq!(ours.map(RegisterName::into_bits), Some(value), "{name}");
        assert_eq!(RegisterName::from_bits(value).name(), Some(name), "{value:#x}");
    }
    let intercepts: &[(&str, u32)] = &[
        (
            "HV_INTERCEPT_TYPE_X64_IO_PORT",
            m::hv_intercept_type_HV_INTERCEPT_TYPE_X64_IO_PORT,
        ),
        (
            "HV_INTERCEPT_TYPE_X64_MSR",
            m::hv_intercept_type_HV_INTERCEPT_TYPE_X64_MSR,
        ),
        (
            "HV_INTERCEPT_TYPE_X64_CPUID",
            m::hv_intercept_type_HV_INTERCEPT_TYPE_X64_CPUID,
        ),
        (
            "HV_INTERCEPT_TYPE_EXCEPTION",
            m::hv_intercept_type_HV_INTERCEPT_TYPE_EXCEPTION,
        ),
        ("HV_INTERCEPT_TYPE_MMIO", m::hv_intercept_type_HV_INTERCEPT_TYPE_MMIO),
        (
            "HV_INTERCEPT_TYPE_HYPERCALL",
            m::hv_intercept_type_HV_INTERCEPT_TYPE_HYPERCALL,
        ),
        (
            "HV_INTERCEPT_TYPE_X64_MSR_INDEX",
            m::hv_intercept_type_HV_INTERCEPT_TYPE_X64_MSR_INDEX,
        ),
    ];
    for &(name, value) in intercepts {
        assert_eq!(
            InterceptType::from_name(name).map(InterceptType::into_bits),
            Some(value),
            "{name}"
        );
    }

    assert_eq!(size_of::<RegisterValue>(), size_of::<m::hv_register_value>());
    let cs = SegmentRegister {
        base: 0x1000,
        limit: 0xffff_ffff,
        selector: 0x10,
        ..Default::default()
    };
    let ours = RegisterValue::from_segment(cs);
    // The segment arm of `hv_register_value` is `hv_x64_segment_register`, read here through `view`.
    let seg: &m::hv_x64_segment_register = view(&ours.0);
    assert_eq!(
        ({ seg.base }, { seg.limit }, { seg.selector }),
        (0x1000, 0xffff_ffff, 0x10)
    );
    assert_eq!(ours.as_u64(), 0x1000, "the 64-bit arm is the low eight bytes");
}

/// Partition property codes both define, by value and name. mshv-bindings defines no partition privilege
/// bits (only the synthetic processor features, a different mask), so there are none to compare.
#[test]
fn partition_property_codes_agree_by_value_and_name() {
    let properties: &[(&str, u32)] = &[
        (
            "PRIVILEGE_FLAGS",
            m::hv_partition_property_code_HV_PARTITION_PROPERTY_PRIVILEGE_FLAGS,
        ),
        (
            "SYNTHETIC_PROC_FEATURES",
            m::hv_partition_property_code_HV_PARTITION_PROPERTY_SYNTHETIC_PROC_FEATURES,
        ),
        ("SUSPEND", m::hv_partition_property_code_HV_PARTITION_PROPERTY_SUSPEND),
        (
            "CPU_RESERVE",
            m::hv_partition_property_code_HV_PARTITION_PROPERTY_CPU_RESERVE,
        ),
        ("CPU_CAP", m::hv_partition_property_code_HV_PARTITION_PROPERTY_CPU_CAP),
        (
            "CPU_WEIGHT",
            m::hv_partition_property_code_HV_PARTITION_PROPERTY_CPU_WEIGHT,
        ),
        (
            "CPU_GROUP_ID",
            m::hv_partition_property_code_HV_PARTITION_PROPERTY_CPU_GROUP_ID,
        ),
        (
            "TIME_FREEZE",
            m::hv_partition_property_code_HV_PARTITION_PROPERTY_TIME_FREEZE,
        ),
        (
            "REFERENCE_TIME",
            m::hv_partition_property_code_HV_PARTITION_PROPERTY_REFERENCE_TIME,
        ),
        (
            "DEBUG_CHANNEL_ID",
            m::hv_partition_property_code_HV_PARTITION_PROPERTY_DEBUG_CHANNEL_ID,
        ),
        (
            "VIRTUAL_TLB_PAGE_COUNT",
            m::hv_partition_property_code_HV_PARTITION_PROPERTY_VIRTUAL_TLB_PAGE_COUNT,
        ),
        (
            "PROCESSOR_VENDOR",
            m::hv_partition_property_code_HV_PARTITION_PROPERTY_PROCESSOR_VENDOR,
        ),
        (
            "PROCESSOR_XSAVE_FEATURES",
            m::hv_partition_property_code_HV_PARTITION_PROPERTY_PROCESSOR_XSAVE_FEATURES,
        ),
        (
            "PROCESSOR_CL_FLUSH_SIZE",
            m::hv_partition_property_code_HV_PARTITION_PROPERTY_PROCESSOR_CL_FLUSH_SIZE,
        ),
        (
            "GUEST_OS_ID",
            m::hv_partition_property_code_HV_PARTITION_PROPERTY_GUEST_OS_ID,
        ),
    ];
    let prefixes = ["hvpartitionproperty"];
    for &(name, value) in properties {
        let ours = PartitionPropertyCode::from_bits(value).name();
        assert!(
            ours.is_some_and(|o| normalized(o, &prefixes) == normalized(name, &[])),
            "{name} = {value:#x}: hv-abi calls it {ours:?}"
        );
    }
    // The one difference: mshv renamed 0x60001 when it was superseded; hv-abi keeps the TLFS name.
    assert_eq!(
        PartitionPropertyCode::from_bits(
            m::hv_partition_property_code_HV_PARTITION_PROPERTY_PROCESSOR_FEATURES_DEPRECATED
        )
        .name(),
        Some("HvPartitionPropertyProcessorFeatures")
    );
}

impl Plain for m::hv_stimer_config__bindgen_ty_1 {}
impl Plain for m::hv_x64_vp_execution_state__bindgen_ty_1 {}

/// The whole SynIC message, and the messages that are an intercept header alone.
#[test]
fn messages_and_header_only_messages_have_the_same_size() {
    assert_eq!(size_of::<hv_abi::synic::Message>(), size_of::<m::hv_message>());
    assert_eq!(
        core::mem::offset_of!(hv_abi::synic::Message, payload),
        core::mem::offset_of!(m::hv_message, u)
    );
    assert_eq!(size_of::<InterceptMessageHeader>(), size_of::<m::hv_x64_halt_message>());
    assert_eq!(
        size_of::<InterceptMessageHeader>(),
        size_of::<m::hv_x64_unrecoverable_exception_message>()
    );
}

proptest! {
    /// Bitfields both define: every named field reads the same bits of a random value.
    #[test]
    fn bitfields_read_the_same_bits(raw64 in any::<u64>(), raw16 in any::<u16>()) {
        let ours = hv_x64::msr::StimerConfig::from_bits(raw64);
        let bytes = raw64.to_le_bytes();
        let theirs: &m::hv_stimer_config__bindgen_ty_1 = view(&bytes);
        prop_assert_eq!(
            [ours.enable(), ours.periodic(), ours.lazy(), ours.auto_enable(), ours.direct_mode()].map(u64::from),
            [theirs.enable(), theirs.periodic(), theirs.lazy(), theirs.auto_enable(), theirs.direct_mode()]
        );
        prop_assert_eq!((u64::from(ours.apic_vector()), u64::from(ours.sintx())), (theirs.apic_vector(), theirs.sintx()));

        let ours = hv_x64::VpExecutionState::from_bits(raw16);
        let bytes = raw16.to_le_bytes();
        let theirs: &m::hv_x64_vp_execution_state__bindgen_ty_1 = view(&bytes);
        prop_assert_eq!((u16::from(ours.cpl()), u16::from(ours.vtl())), (theirs.cpl(), theirs.vtl()));
        prop_assert_eq!(
            [
                ours.cr0_pe(), ours.cr0_am(), ours.efer_lma(), ours.debug_active(), ours.interruption_pending(),
                ours.enclave_mode(), ours.interrupt_shadow(), ours.virtualization_fault_active(),
            ]
            .map(u16::from),
            [
                theirs.cr0_pe(), theirs.cr0_am(), theirs.efer_lma(), theirs.debug_active(),
                theirs.interruption_pending(), theirs.enclave_mode(), theirs.interrupt_shadow(),
                theirs.virtualization_fault_active(),
            ]
        );
    }
}
