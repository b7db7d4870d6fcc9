//! The x64 hypercall register convention.

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
