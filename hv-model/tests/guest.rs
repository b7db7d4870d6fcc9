//! Guest code over the model: `hv-guest`'s calls never write outside the VP's parameter pages.

use hv_abi::debug::DebugPostOptions;
use hv_abi::{HvStatus, PartitionPrivileges, PartitionPropertyCode, VpIndex};
use hv_guest::debug::DebugCalls;
use hv_model::guest::GuestVp;
use hv_model::{Config, Hypervisor};

const IN: u64 = 0x1000;
const OUT: u64 = 0x2000;
const NEXT: u64 = 0x3000;

#[test]
fn a_post_larger_than_its_page_is_invalid_parameter_and_writes_nothing() {
    let mut hv = Hypervisor::new(Config::default()).unwrap();
    let p = hv.create_partition(PartitionPrivileges::DEBUGGING, 1).unwrap();
    hv.set_property(p, PartitionPropertyCode::DEBUG_CHANNEL_ID, 2).unwrap();
    let guest = GuestVp::new(&mut hv, p, VpIndex(0), IN, OUT).unwrap();
    let memory = &mut hv.partition_mut(p).unwrap().memory;
    memory.map(NEXT);
    memory.write(OUT, &[0xEE; 4096]).unwrap();
    memory.write(NEXT, &[0xEE; 4096]).unwrap();
    for len in [4089, 5000, 8184, 8185, 9000] {
        let got = guest.on(&mut hv).post(&vec![0x11; len], DebugPostOptions::empty());
        assert_eq!(
            got.map_err(|e| e.status()),
            Err(HvStatus::INVALID_PARAMETER),
            "{len} bytes"
        );
        let mut after = vec![0u8; 8192];
        hv.partition(p).unwrap().memory.read(OUT, &mut after).unwrap();
        assert!(
            after.iter().all(|&b| b == 0xEE),
            "{len} bytes: written outside the input page"
        );
    }
    assert_eq!(hv.accounting(p).unwrap().1.written, 0);
    // 4088 bytes fill the input page after its header, and are posted.
    assert_eq!(
        guest.on(&mut hv).post(&[0x22; 4088], DebugPostOptions::empty()),
        Ok(4088)
    );
    let mut after = vec![0u8; 4096];
    hv.partition(p).unwrap().memory.read(NEXT, &mut after).unwrap();
    assert!(after.iter().all(|&b| b == 0xEE), "written past the input page");
}

#[test]
fn a_waiting_retrieve_returns_when_its_deadline_passes_on_the_models_clock() {
    use hv_abi::debug::DebugRetrieveOptions;
    let mut hv = Hypervisor::new(Config::default()).unwrap();
    let p = hv.create_partition(PartitionPrivileges::DEBUGGING, 1).unwrap();
    hv.set_property(p, PartitionPropertyCode::DEBUG_CHANNEL_ID, 2).unwrap();
    let guest = GuestVp::new(&mut hv, p, VpIndex(0), IN, OUT).unwrap();
    let before = hv.now();
    let mut buf = [0u8; 8];
    let got = guest
        .on(&mut hv)
        .retrieve(&mut buf, DebugRetrieveOptions::RETRIEVE_LOOP, 500);
    assert_eq!(got.map_err(|e| e.status()), Err(HvStatus::NO_DATA));
    assert_eq!(hv.now(), before + 500);
    assert!(!hv.is_waiting(p, VpIndex(0)).unwrap());
    // With data pending there is no wait.
    hv.deliver(p, b"go").unwrap();
    let got = guest
        .on(&mut hv)
        .retrieve(&mut buf[..2], DebugRetrieveOptions::RETRIEVE_LOOP, 500);
    assert_eq!(got.map(|r| r.retrieved), Ok(2));
    assert_eq!((&buf[..2], hv.now()), (&b"go"[..], before + 500));
}

#[test]
fn pages_the_partition_no_longer_maps_are_the_hypervisors_to_refuse() {
    let mut hv = Hypervisor::new(Config::default()).unwrap();
    let p = hv.create_partition(PartitionPrivileges::DEBUGGING, 1).unwrap();
    hv.set_property(p, PartitionPropertyCode::DEBUG_CHANNEL_ID, 2).unwrap();
    let guest = GuestVp::new(&mut hv, p, VpIndex(0), IN, OUT).unwrap();
    hv.partition_mut(p).unwrap().memory.unmap(IN);
    let got = guest.on(&mut hv).post(b"lost", DebugPostOptions::empty());
    assert_eq!(got.map_err(|e| e.status()), Err(HvStatus::INVALID_ALIGNMENT));
    assert_eq!(hv.accounting(p).unwrap().1.written, 0);
}

/// `hv_guest::detect` and `enable_hypercalls` run unchanged against a model VP, with the TLFS rules of
/// the one synthetic-MSR state machine (`hv_model::synthetic`), no fake: no page without a guest OS id, the
/// page filled where it is enabled, a page outside the partition's memory refused, a locked page kept.
#[test]
fn hv_guest_detects_hyper_v_and_enables_hypercalls_on_a_model_vp() {
    use hv_guest::{EnableError, Msrs, Required, detect, enable_hypercalls};
    use hv_x64::msr::{GuestOsId, HypercallMsr, SyntheticMsr};

    let mut hv = Hypervisor::new(Config::default()).unwrap();
    let privileges = PartitionPrivileges::ACCESS_HYPERCALL_MSRS
        | PartitionPrivileges::ACCESS_VP_INDEX
        | PartitionPrivileges::DEBUGGING;
    let p = hv.create_partition(privileges, 2).unwrap();
    let page = 0x5000;
    hv.partition_mut(p).unwrap().memory.map(page);
    let guest = GuestVp::new(&mut hv, p, VpIndex(1), 0x1000, 0x2000).unwrap();
    let mut vp = guest.on(&mut hv);

    let found = detect(|leaf| vp.cpuid(leaf), Required::DEBUG_TRANSPORT).expect("Hyper-V with the debug privileges");
    assert_eq!(&found.vendor, b"Microsoft Hv");
    assert_eq!(found.features.privileges, privileges);
    assert_eq!(vp.read(SyntheticMsr::VP_INDEX), 1);

    // No guest OS id: the page stays off.
    vp.write(SyntheticMsr::HYPERCALL, page | 1);
    assert!(!HypercallMsr::from_bits(vp.read(SyntheticMsr::HYPERCALL)).enable());
    let id = GuestOsId(0x8100_0006_0800_0000);
    // A page the partition does not map: #GP, nothing changes.
    assert!(matches!(
        enable_hypercalls(&mut vp, id, 0x9000),
        Err(EnableError::NotEnabled(_))
    ));
    let msr = enable_hypercalls(&mut vp, id, page).expect("enabled");
    assert_eq!((msr.enable(), msr.gpfn()), (true, page >> 12));
    let mut code = [0u8; 4];
    vp.hypervisor()
        .partition(p)
        .unwrap()
        .memory
        .read(page, &mut code)
        .unwrap();
    assert_eq!(code, [0x0F, 0x01, 0xC1, 0xC3], "VMCALL; RET");
    // Locked: another page is refused, and the MSR keeps its page.
    vp.write(SyntheticMsr::HYPERCALL, msr.with_locked(true).into_bits());
    assert!(matches!(
        enable_hypercalls(&mut vp, id, 0x6000),
        Err(EnableError::Locked(_))
    ));
    assert_eq!(
        HypercallMsr::from_bits(vp.read(SyntheticMsr::HYPERCALL)).gpfn(),
        page >> 12
    );
    // Clearing the guest OS id turns the page off; a reset clears both.
    vp.write(SyntheticMsr::GUEST_OS_ID, 0);
    assert!(!HypercallMsr::from_bits(vp.read(SyntheticMsr::HYPERCALL)).enable());
    // Locked and off: it ignores writes until a reset, which clears both MSRs.
    assert!(matches!(
        enable_hypercalls(&mut vp, id, page),
        Err(EnableError::Locked(_))
    ));
    vp.hypervisor().reset(p).unwrap();
    assert_eq!(
        (vp.read(SyntheticMsr::GUEST_OS_ID), vp.read(SyntheticMsr::HYPERCALL)),
        (0, 0)
    );
    assert!(enable_hypercalls(&mut vp, id, page).is_ok(), "after the reset");
}
