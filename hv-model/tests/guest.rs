//! The guest VP helper issues calls the hypervisor judges, and never writes outside its parameter pages.

use hv_abi::debug::DebugPostOptions;
use hv_abi::{HvStatus, PartitionPrivileges, PartitionPropertyCode, VpIndex};
use hv_model::guest::GuestVp;
use hv_model::{Config, Hypervisor};

const IN: u64 = 0x1000;
const OUT: u64 = 0x2000;
const NEXT: u64 = 0x3000;

#[test]
fn a_post_larger_than_its_page_is_the_hypervisors_invalid_parameter() {
    let mut hv = Hypervisor::new(Config::default()).unwrap();
    let p = hv.create_partition(PartitionPrivileges::DEBUGGING, 1).unwrap();
    hv.set_property(p, PartitionPropertyCode::DEBUG_CHANNEL_ID, 2).unwrap();
    let guest = GuestVp::new(&mut hv, p, VpIndex(0), IN, OUT).unwrap();
    let memory = &mut hv.partition_mut(p).unwrap().memory;
    memory.map(NEXT);
    memory.write(OUT, &[0xEE; 4096]).unwrap();
    memory.write(NEXT, &[0xEE; 4096]).unwrap();
    for len in [4089, 5000, 8184, 8185, 9000] {
        let got = guest.post(&mut hv, &vec![0x11; len], DebugPostOptions::empty());
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
    // The call was issued: without the privilege the hypervisor's answer comes first.
    hv.set_property(p, PartitionPropertyCode::PRIVILEGE_FLAGS, 0).unwrap();
    let got = guest.post(&mut hv, &[0x11; 5000], DebugPostOptions::empty());
    assert_eq!(got.map_err(|e| e.status()), Err(HvStatus::ACCESS_DENIED));
}
