//! What the KVM test files share: whether KVM is here.

/// `true` when KVM is usable. Otherwise the test prints one line saying it did not run and why, and
/// returns `false`; with `HV_KVM_REQUIRED` set (CI sets it where `/dev/kvm` exists) it fails instead, so a
/// run that should have used KVM never passes without it.
pub(crate) fn kvm(test: &str) -> bool {
    match hv_kvm::kvm_usable() {
        Ok(()) => true,
        Err(e) if std::env::var_os("HV_KVM_REQUIRED").is_some() => {
            panic!("{test}: HV_KVM_REQUIRED is set, but {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED {test}: did not run: {e}");
            false
        }
    }
}
