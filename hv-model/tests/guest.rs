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
