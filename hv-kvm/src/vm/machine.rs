//! One boot's machine: a KVM VM over new guest memory, with the MSR filter, the CPUID table and vCPUs in
//! their power-on state, then in long mode at the guest's entry. Every boot gets a new VM and new vCPUs,
//! so nothing a guest set survives a reset: KVM creates a vCPU in the architectural power-on state (the
//! hostile tests check the MSRs and debug registers a guest is likeliest to leave behind).

use kvm_bindings::{
    CpuId, KVM_CAP_X86_USER_SPACE_MSR, KVM_MAX_CPUID_ENTRIES, KVM_MSR_EXIT_REASON_FILTER, kvm_cpuid_entry2,
    kvm_enable_cap, kvm_regs, kvm_segment,
};
use kvm_ioctls::{Kvm, MsrFilterDefaultAction, MsrFilterRange, MsrFilterRangeFlags, SyncReg, VcpuFd, VmFd};
use linux_loader::loader::{KernelLoader, elf::Elf};
use vm_memory::{Bytes, GuestAddress, GuestMemoryMmap};

use super::sys;
use crate::{Config, Error, hyperv, layout};

/// The MSR filter's ranges (`KVM_MSR_FILTER_MAX_RANGES`) less the two of the synthetic MSRs.
const MAX_INTERCEPTED_MSRS: usize = 14;

/// A VM, its vCPUs and its memory; dropped in that order (the vCPUs first, the memory last).
pub(crate) struct Machine {
    pub(crate) vcpus: Vec<VcpuFd>,
    /// Held so the VM lives as long as its vCPUs and memory.
    _vm: VmFd,
    pub(crate) memory: GuestMemoryMmap,
}

impl Machine {
    /// A new VM with new (zeroed) memory holding `elf`, and `config.vcpus` vCPUs at its entry, each with
    /// `boot_word` in RDI.
    pub(crate) fn new(kvm: &Kvm, config: &Config, cpuid: &CpuId, elf: &[u8], boot_word: u64) -> Result<Self, Error> {
        if config.intercepted_msrs.len() > MAX_INTERCEPTED_MSRS {
            return Err(Error::Config(format!(
                "{} intercepted MSRs: at most {MAX_INTERCEPTED_MSRS} (KVM's MSR filter has 16 ranges, and the synthetic MSRs take 2)",
                config.intercepted_msrs.len()
            )));
        }
        if !(1..=layout::MAX_VCPUS).contains(&config.vcpus) {
            return Err(Error::Config(format!(
                "vcpus {}: from 1 to {}",
                config.vcpus,
                layout::MAX_VCPUS
            )));
        }
        let memory = guest_memory(config)?;
        let entry = load(&memory, elf, config)?;
        let vm = kvm.create_vm().map_err(|e| Error::kvm("KVM_CREATE_VM", e))?;
        sys::register_memory(&vm, &memory)?;
        vm.set_tss_address(layout::TSS as usize)
            .map_err(|e| Error::kvm("KVM_SET_TSS_ADDR", e))?;
        enable_msr_exits(&vm, config)?;
        let vcpus = (0..config.vcpus)
            .map(|i| {
                let mut vcpu = vm
                    .create_vcpu(u64::from(i))
                    .map_err(|e| Error::kvm("KVM_CREATE_VCPU", e))?;
                vcpu.set_cpuid2(cpuid).map_err(|e| Error::kvm("KVM_SET_CPUID2", e))?;
                // KVM copies the registers into kvm_run at every exit: a hypercall needs no ioctl to read
                // them, and RAX goes back the same way.
                vcpu.set_sync_valid_reg(SyncReg::Register);
                vcpu.set_sync_valid_reg(SyncReg::SystemRegister);
                enter_long_mode(&vcpu, entry, i, boot_word)?;
                Ok(vcpu)
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Self { vcpus, _vm: vm, memory })
    }
}

/// New guest memory: an anonymous mapping, zero until written, committed as the guest touches it.
fn guest_memory(config: &Config) -> Result<GuestMemoryMmap, Error> {
    let size = config.memory_size;
    if !(2 * layout::IMAGE_START..=layout::MAX_MEMORY).contains(&size) || !size.is_multiple_of(4096) {
        return Err(Error::Config(format!(
            "memory_size {size:#x}: a multiple of 4 KiB between {:#x} and {:#x} bytes",
            2 * layout::IMAGE_START,
            layout::MAX_MEMORY
        )));
    }
    GuestMemoryMmap::from_ranges(&[(GuestAddress(0), size as usize)])
        .map_err(|e| Error::Host(format!("cannot map {size:#x} bytes of guest memory: {e}")))
}

/// Only the MSR filter's denials exit to this VMM (`KVM_MSR_EXIT_REASON_FILTER`): the synthetic range
/// and `config.intercepted_msrs`. An MSR KVM does not know, or an access it refuses, stays KVM's and gets
/// its #GP, as on hardware.
fn enable_msr_exits(vm: &VmFd, config: &Config) -> Result<(), Error> {
    let cap = kvm_enable_cap {
        cap: KVM_CAP_X86_USER_SPACE_MSR,
        args: [u64::from(KVM_MSR_EXIT_REASON_FILTER), 0, 0, 0],
        ..Default::default()
    };
    vm.enable_cap(&cap)
        .map_err(|e| Error::kvm("KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR)", e))?;
    let deny = [0u8; 64];
    let both = MsrFilterRangeFlags::READ | MsrFilterRangeFlags::WRITE;
    let mut ranges = vec![
        MsrFilterRange {
            flags: both,
            base: 0x4000_0000,
            msr_count: 512,
            bitmap: &deny,
        },
        MsrFilterRange {
            flags: both,
            base: 0x4000_1000,
            msr_count: 256,
            bitmap: &deny,
        },
    ];
    for &msr in &config.intercepted_msrs {
        ranges.push(MsrFilterRange {
            flags: both,
            base: msr,
            msr_count: 1,
            bitmap: &deny,
        });
    }
    vm.set_msr_filter(MsrFilterDefaultAction::ALLOW, &ranges)
        .map_err(|e| Error::kvm("KVM_X86_SET_MSR_FILTER", e))
}

/// What KVM supports, with leaf 1 saying "hypervisor present" and the hypervisor leaves replaced by
/// Hyper-V's.
pub(crate) fn cpuid(kvm: &Kvm, config: &Config) -> Result<CpuId, Error> {
    let supported = kvm
        .get_supported_cpuid(KVM_MAX_CPUID_ENTRIES)
        .map_err(|e| Error::kvm("KVM_GET_SUPPORTED_CPUID", e))?;
    let mut entries: Vec<kvm_cpuid_entry2> = supported
        .as_slice()
        .iter()
        .filter(|e| !(0x4000_0000..0x4001_0000).contains(&e.function))
        .copied()
        .collect();
    for e in &mut entries {
        if e.function == 1 {
            e.ecx |= 1 << 31;
        }
    }
    for (leaf, r) in hyperv::cpuid_leaves(config.privileges, config.vcpus) {
        entries.push(kvm_cpuid_entry2 {
            function: leaf.into_bits(),
            eax: r.eax,
            ebx: r.ebx,
            ecx: r.ecx,
            edx: r.edx,
            ..Default::default()
        });
    }
    CpuId::from_entries(&entries).map_err(|e| Error::Host(format!("CPUID table: {e:?}")))
}

/// Writes the page tables and GDT into new memory and loads the ELF; returns the entry point.
fn load(memory: &GuestMemoryMmap, elf: &[u8], config: &Config) -> Result<u64, Error> {
    let tables = layout::boot_tables(config.memory_size)
        .ok_or_else(|| Error::Config("memory_size exceeds what the identity map covers".to_owned()))?;
    for (gpa, value) in tables {
        memory
            .write_obj(value, GuestAddress(gpa))
            .map_err(|e| Error::Host(format!("boot tables at {gpa:#x}: {e}")))?;
    }
    let mut image = std::io::Cursor::new(elf);
    let loaded = Elf::load(memory, None, &mut image, Some(GuestAddress(layout::IMAGE_START)))
        .map_err(|e| Error::Guest(format!("the guest ELF does not load: {e}")))?;
    Ok(loaded.kernel_load.0)
}

/// Puts a new vCPU in 64-bit mode at `entry`, as a boot loader would leave it: the flat segments, the
/// identity page tables, VP `index`'s stack and the boot word in RDI.
fn enter_long_mode(vcpu: &VcpuFd, entry: u64, index: u32, boot_word: u64) -> Result<(), Error> {
    let mut sregs = vcpu.get_sregs().map_err(|e| Error::kvm("KVM_GET_SREGS", e))?;
    let code = kvm_segment {
        base: 0,
        limit: 0xFFFF_FFFF,
        selector: layout::CODE_SELECTOR,
        type_: 0xB,
        present: 1,
        dpl: 0,
        db: 0,
        s: 1,
        l: 1,
        g: 1,
        avl: 0,
        unusable: 0,
        padding: 0,
    };
    let data = kvm_segment {
        selector: layout::DATA_SELECTOR,
        type_: 0x3,
        db: 1,
        l: 0,
        ..code
    };
    (sregs.cs, sregs.ds, sregs.es, sregs.fs, sregs.gs, sregs.ss) = (code, data, data, data, data, data);
    sregs.gdt.base = layout::GDT;
    sregs.gdt.limit = (8 * layout::GDT_ENTRIES.len() - 1) as u16;
    sregs.idt = Default::default();
    sregs.cr3 = layout::PML4;
    sregs.cr4 = 1 << 5; // PAE
    sregs.cr0 = 1 | 1 << 1 | 1 << 4 | 1 << 5 | 1 << 16 | 1 << 31; // PE MP ET NE WP PG
    sregs.efer = 1 << 8 | 1 << 10; // LME LMA
    vcpu.set_sregs(&sregs).map_err(|e| Error::kvm("KVM_SET_SREGS", e))?;
    let regs = kvm_regs {
        rip: entry,
        rsp: layout::stack_pointer(index),
        rdi: boot_word,
        rflags: 0x2,
        ..Default::default()
    };
    vcpu.set_regs(&regs).map_err(|e| Error::kvm("KVM_SET_REGS", e))
}
