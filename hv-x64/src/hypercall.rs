//! The x64 hypercall register convention, for callers in 64-bit mode and in 32-bit (legacy protected or
//! compatibility) mode.

/// The registers of an x64 hypercall (TLFS "Hypercall Inputs", x64 column): RCX holds the hypercall input
/// value; in the memory form RDX and R8 hold the input and output parameter GPAs, in the fast form the
/// first 16 input bytes. The result value returns in RAX.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct HypercallRegisters {
    /// The hypercall input value (`HV_X64_HYPERCALL_INPUT`).
    pub rcx: u64,
    /// Input parameter GPA (memory form) or the first 8 input bytes (fast form).
    pub rdx: u64,
    /// Output parameter GPA (memory form) or the next 8 input bytes (fast form).
    pub r8: u64,
}

impl HypercallRegisters {
    /// The registers of a call from 32-bit mode (TLFS "Hypercall Inputs", x86 column): EDX:EAX hold the
    /// input value, EBX:ECX the input GPA (or fast input), EDI:ESI the output GPA (or fast input). A
    /// hypervisor picks this form when the caller is not in 64-bit mode (EFER.LMA and CS.L both set).
    #[must_use]
    pub const fn from_32bit(eax: u32, ebx: u32, ecx: u32, edx: u32, esi: u32, edi: u32) -> Self {
        const fn pair(high: u32, low: u32) -> u64 {
            (high as u64) << 32 | low as u64
        }
        Self {
            rcx: pair(edx, eax),
            rdx: pair(ebx, ecx),
            r8: pair(edi, esi),
        }
    }
}

/// The result value of a call from 32-bit mode, as `(EAX, EDX)`: the low half returns in EAX and the
/// high half in EDX (TLFS "Hypercall Inputs", x86 column; a 64-bit caller gets the whole value in RAX).
#[must_use]
pub const fn result_32bit(value: u64) -> (u32, u32) {
    (value as u32, (value >> 32) as u32)
}

#[cfg(feature = "proptest")]
impl proptest::arbitrary::Arbitrary for HypercallRegisters {
    type Parameters = ();
    type Strategy = proptest::strategy::Map<proptest::arbitrary::StrategyFor<[u64; 3]>, fn([u64; 3]) -> Self>;
    /// Any three registers.
    fn arbitrary_with((): ()) -> Self::Strategy {
        proptest::strategy::Strategy::prop_map(proptest::arbitrary::any::<[u64; 3]>(), |[rcx, rdx, r8]| Self {
            rcx,
            rdx,
            r8,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_32_bit_caller_pairs_its_registers_high_to_low() {
        let regs = HypercallRegisters::from_32bit(0xFFFF, 0x1, 0x2000, 0x0002_0000, 0x3000, 0x4);
        assert_eq!(regs.rcx, 0x0002_0000_0000_FFFF, "EDX:EAX");
        assert_eq!(regs.rdx, 0x1_0000_2000, "EBX:ECX");
        assert_eq!(regs.r8, 0x4_0000_3000, "EDI:ESI");
        assert_eq!(result_32bit(0x0000_0005_0000_0002), (2, 5));
    }
}
