//! KVM's Hyper-V front end (`kvm_hv_hypercall`, Linux v6.16.1 `arch/x86/kvm/hyperv.c`): a filter in front of
//! the VMM. It checks the caller and the input value in its own order, then exits to userspace with the
//! raw registers; it never looks at guest memory. (Its CPL check, #UD outside CPL 0 protected mode, is the
//! VMM's exit handling, before any dispatcher.)

use hv_abi::{CallCode, HvStatus, HypercallInput, PartitionPrivileges};
use hv_x64::HypercallRegisters;

use super::{HostSettings, Rule};
use crate::debug_calls::DebugAccess;

/// `HV_HYPERCALL_RSVD_MASK`: bits 27-31 (the nested bit 31 among them), 44-47 and 60-63
/// (`include/hyperv/hvgdk_mini.h:497-512`).
const RESERVED: u64 = 0xF000_F000_F800_0000;

pub(super) const ENFORCE_CPUID: Rule = Rule {
    name: "kvm.access_denied_first",
    behaviour: "with KVM_CAP_HYPERV_ENFORCE_CPUID and the debugger offered, a partition without the Debugging privilege gets ACCESS_DENIED before any other check, the input value's included",
    source: "hyperv.c:2488-2496,2566-2569",
};
pub(super) const RESERVED_BITS: Rule = Rule {
    name: "kvm.reserved_bits",
    behaviour: "reserved bits 27-31 (with the nested bit), 44-47 and 60-63 are INVALID_HYPERCALL_INPUT; a rep count, start index or variable header on a debug call is not checked but passed to the VMM",
    source: "hyperv.c:2571-2574; hvgdk_mini.h:497-512",
};
pub(super) const FAST_POST_RETRIEVE: Rule = Rule {
    name: "kvm.fast_post_retrieve",
    behaviour: "a fast HvPostDebugData or HvRetrieveDebugData is INVALID_PARAMETER (the reference: INVALID_HYPERCALL_INPUT)",
    source: "hyperv.c:2650-2655",
};
pub(super) const DEBUGGER_OFF: Rule = Rule {
    name: "kvm.debugger_off",
    behaviour: "with the synthetic debugger not offered (CPUID 0x40000082 EAX bit 1), every debug call is INVALID_HYPERCALL_CODE (the reference: FEATURE_UNAVAILABLE)",
    source: "hyperv.c:2660-2663; selftest hyperv_features.c:578-581",
};
pub(super) const USE_HCALLS: Rule = Rule {
    name: "kvm.use_hcalls",
    behaviour: "with USE_HCALLS clear in HV_X64_MSR_SYNDBG_OPTIONS, every debug call is OPERATION_DENIED",
    source: "hyperv.c:2665-2668",
};

/// The front end's rules, in its order.
pub(super) const RULES: &[Rule] = &[
    ENFORCE_CPUID,
    RESERVED_BITS,
    FAST_POST_RETRIEVE,
    DEBUGGER_OFF,
    USE_HCALLS,
];

/// Where KVM in front of the reference departs from the reference, case by case.
pub(super) const DIVERGENCES: &[super::Divergence] = &[
    (
        "input_value_checked",
        FAST_POST_RETRIEVE.name,
        "got HV_STATUS_INVALID_PARAMETER",
    ),
    (
        "access_check_order",
        DEBUGGER_OFF.name,
        "got HV_STATUS_INVALID_HYPERCALL_CODE",
    ),
];

/// The status KVM answers a debug call with itself, or `None` when it passes the call to the VMM.
pub(super) fn front_end(settings: &HostSettings, regs: HypercallRegisters, access: &DebugAccess) -> Option<HvStatus> {
    let input = HypercallInput::from_bits(regs.rcx);
    let code = input.call_code();
    let debug_call = matches!(
        code,
        CallCode::POST_DEBUG_DATA | CallCode::RETRIEVE_DEBUG_DATA | CallCode::RESET_DEBUG_SESSION
    );
    if !debug_call {
        // Unknown codes: KVM's INVALID_HYPERCALL_CODE, the VMM's too.
        return None;
    }
    // "Return 'true' when SynDBG is disabled so the resulting code will be INVALID_HYPERCALL_CODE."
    if settings.enforce_cpuid && access.debugging_enabled && !access.privileges.contains(PartitionPrivileges::DEBUGGING)
    {
        return Some(HvStatus::ACCESS_DENIED);
    }
    if regs.rcx & RESERVED != 0 {
        return Some(HvStatus::INVALID_HYPERCALL_INPUT);
    }
    if input.fast() && code != CallCode::RESET_DEBUG_SESSION {
        return Some(HvStatus::INVALID_PARAMETER);
    }
    if !access.debugging_enabled {
        return Some(HvStatus::INVALID_HYPERCALL_CODE);
    }
    if !settings.use_hcalls {
        return Some(HvStatus::OPERATION_DENIED);
    }
    None
}

#[cfg(test)]
mod tests {
    use hv_abi::debug::DebugChannelId;

    use super::*;

    fn access(enabled: bool, privileges: PartitionPrivileges) -> DebugAccess {
        DebugAccess {
            debugging_enabled: enabled,
            privileges,
            channel_id: DebugChannelId(2),
            channel_shared: false,
        }
    }

    fn call(code: u64) -> HypercallRegisters {
        HypercallRegisters {
            rcx: code,
            rdx: 0,
            r8: 0,
        }
    }

    /// Each rule of the front end, in KVM's order; removing any one changes an answer here.
    #[test]
    fn the_front_end_checks_in_kvms_order() {
        let on = HostSettings::default();
        let enforced = HostSettings::new(true, true);
        let none = PartitionPrivileges::empty();
        let all = PartitionPrivileges::DEBUGGING;
        let reserved = 0x6A | 1 << 31;
        // kvm.access_denied_first: before the reserved bits, only under ENFORCE_CPUID with the debugger on.
        assert_eq!(
            front_end(&enforced, call(reserved), &access(true, none)),
            Some(HvStatus::ACCESS_DENIED)
        );
        assert_eq!(
            front_end(&on, call(reserved), &access(true, none)),
            Some(HvStatus::INVALID_HYPERCALL_INPUT)
        );
        assert_eq!(
            front_end(&enforced, call(0x6A), &access(false, none)),
            Some(HvStatus::INVALID_HYPERCALL_CODE)
        );
        // kvm.reserved_bits: the nested bit among them; a rep count passes to the VMM.
        for bit in [27, 31, 44, 60] {
            assert_eq!(
                front_end(&on, call(0x69 | 1 << bit), &access(true, all)),
                Some(HvStatus::INVALID_HYPERCALL_INPUT)
            );
        }
        assert_eq!(front_end(&on, call(0x69 | 1 << 32), &access(true, all)), None);
        // kvm.fast_post_retrieve, before the debugger check; a fast reset passes.
        assert_eq!(
            front_end(&on, call(0x1_0069), &access(false, all)),
            Some(HvStatus::INVALID_PARAMETER)
        );
        assert_eq!(
            front_end(&on, call(0x1_006A), &access(true, all)),
            Some(HvStatus::INVALID_PARAMETER)
        );
        assert_eq!(front_end(&on, call(0x1_006B), &access(true, all)), None);
        // kvm.debugger_off, then kvm.use_hcalls.
        let off = HostSettings::new(false, false);
        assert_eq!(
            front_end(&off, call(0x6B), &access(false, all)),
            Some(HvStatus::INVALID_HYPERCALL_CODE)
        );
        assert_eq!(
            front_end(&off, call(0x6B), &access(true, all)),
            Some(HvStatus::OPERATION_DENIED)
        );
        // Not a debug call: the VMM's.
        assert_eq!(front_end(&off, call(0x1234), &access(false, none)), None);
    }
}
