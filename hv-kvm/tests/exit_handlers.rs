//! The exit handlers' logic with arbitrary register and memory contents, no KVM needed: the synthetic
//! MSRs keep the TLFS rules whatever the guest writes, every intercept message parses back to the VP
//! state it was built from, and the page walk never panics or leaves the page it found.

use std::collections::HashMap;

use hv_abi::PartitionPrivileges;
use hv_abi::synic::Message;
use hv_kvm::VpState;
use hv_kvm::hyperv::{MsrWrite, SyntheticMsrs};
use hv_kvm::paging::{Paging, ReadEntry};
use hv_x64::msr::SyntheticMsr;
use hv_x64::parse::{self, X64Payload};
use hv_x64::{SegmentAttributes, SegmentRegister};
use proptest::prelude::*;
use zerocopy::{FromZeros, IntoBytes};

fn msr() -> impl Strategy<Value = SyntheticMsr> {
    prop_oneof![
        Just(SyntheticMsr::GUEST_OS_ID),
        Just(SyntheticMsr::HYPERCALL),
        Just(SyntheticMsr::VP_INDEX),
        (0x4000_0000u32..0x4000_0200).prop_map(SyntheticMsr::from_bits),
    ]
}

fn value() -> impl Strategy<Value = u64> {
    prop_oneof![
        any::<u64>(),
        Just(0),
        (0u64..0x1_0000).prop_map(|gpfn| gpfn << 12 | 1),
        Just(3)
    ]
}

proptest! {
    #[test]
    fn synthetic_msrs_keep_the_tlfs_rules(
        writes in proptest::collection::vec((msr(), value(), any::<u64>()), 0..40),
    ) {
        let mut msrs = SyntheticMsrs::default();
        let mut locked_at: Option<u64> = None;
        for (msr, value, privileges) in writes {
            let privileges = PartitionPrivileges::from_bits_retain(privileges);
            let before = msrs;
            match msrs.write(msr, value, privileges) {
                None => prop_assert_eq!(msrs, before, "a refused write (#GP) changes nothing"),
                Some(MsrWrite::FillHypercallPage(gpa)) => {
                    prop_assert_eq!(Some(gpa), msrs.hypercall_page());
                    prop_assert_eq!(gpa % 4096, 0);
                }
                Some(MsrWrite::Done) => {}
            }
            if let Some(gpa) = msrs.hypercall_page() {
                prop_assert!(msrs.guest_os_id != 0, "enabled without a guest OS id");
                prop_assert_eq!(locked_at.unwrap_or(gpa), gpa, "a locked page moved");
            }
            if msrs.hypercall.locked() && msrs.hypercall_page().is_some() {
                locked_at = msrs.hypercall_page();
            }
            if msrs.guest_os_id == 0 {
                prop_assert_eq!(msrs.hypercall_page(), None);
                locked_at = None;
            }
            prop_assert_eq!(msrs.hypercall.reserved_bits(), 0, "reserved bits 11:2 preserved as zero");
        }
    }

    #[test]
    fn intercept_messages_parse_back_to_their_state(
        regs in any::<[u64; 9]>(),
        segments in any::<[(u64, u32, u16, u16); 4]>(),
        flags in any::<[bool; 3]>(),
        instruction in any::<[u8; 16]>(),
        length in 0u8..=15,
        port in any::<u16>(),
        size in prop_oneof![Just(1u8), Just(2), Just(4)],
        msr in any::<u32>(),
        write in any::<bool>(),
    ) {
        let seg = |(base, limit, selector, attributes): (u64, u32, u16, u16)| SegmentRegister {
            base,
            limit,
            selector,
            attributes: SegmentAttributes::from_bits(attributes),
        };
        let [rip, rflags, rax, rcx, rdx, rsi, rdi, cr0, efer] = regs;
        let state = VpState {
            vp_index: (regs[0] % 64) as u32,
            rip,
            rflags,
            rax,
            rcx,
            rdx,
            rsi,
            rdi,
            cr0,
            efer,
            cs: seg(segments[0]),
            ds: seg(segments[1]),
            es: seg(segments[2]),
            ss: seg(segments[3]),
            interrupt_shadow: flags[0],
            interruption_pending: flags[1],
            debug_active: flags[2],
            instruction,
            instruction_length: length,
        };
        for message in [
            hv_kvm::intercept::io_port(&state, port, hv_x64::IoPortAccessInfo::new().with_access_size(size), write),
            hv_kvm::intercept::msr(&state, msr, write),
            hv_kvm::intercept::halt(&state),
        ] {
            let mut scratch = Message::new_zeroed();
            let parsed = parse::parse(message.as_bytes(), &mut scratch).expect("a whole, typed message");
            let header = match parsed.payload {
                X64Payload::IoPort(io) => {
                    prop_assert_eq!((io.port_number, io.access_info.access_size(), io.rax), (port, size, rax));
                    prop_assert_eq!((io.rcx, io.rsi, io.rdi, io.ds_segment, io.es_segment), (rcx, rsi, rdi, state.ds, state.es));
                    prop_assert_eq!(io.instruction_bytes, instruction);
                    io.header
                }
                X64Payload::Msr(m) => {
                    prop_assert_eq!((m.msr_number, m.rax, m.rdx), (msr, rax, rdx));
                    m.header
                }
                X64Payload::Halt(h) => *h,
                _ => return Err(TestCaseError::fail("an unexpected payload type")),
            };
            prop_assert_eq!((header.rip, header.rflags, header.cs_segment), (rip, rflags, state.cs));
            prop_assert_eq!(header.vp_index.0, state.vp_index);
            prop_assert_eq!(header.instruction_length.instruction_length(), length);
            prop_assert_eq!(header.execution_state, state.execution_state());
            prop_assert_eq!(header.execution_state.cpl(), state.ss.attributes.descriptor_privilege_level());
        }
    }

    #[test]
    fn the_page_walk_never_panics_and_keeps_the_page_offset(
        entries in proptest::collection::hash_map(0u64..0x8000, any::<u64>(), 0..64),
        cr3 in 0u64..0x8000,
        gva in any::<u64>(),
        la57 in any::<bool>(),
    ) {
        struct Memory(HashMap<u64, u64>);
        impl ReadEntry for Memory {
            fn entry(&self, gpa: u64) -> Option<u64> {
                (gpa < 0x8000).then(|| self.0.get(&(gpa & !7)).copied().unwrap_or(0))
            }
        }
        let paging = Paging { cr0: 1 << 31 | 1, cr3, cr4: 1 << 5 | u64::from(la57) << 12, efer: 1 << 10 };
        if let Some(gpa) = paging.translate(&Memory(entries), gva) {
            prop_assert_eq!(gpa & 0xFFF, gva & 0xFFF);
            prop_assert!(gpa < 1 << 52, "a GPA within the 52-bit physical space");
        }
    }
}

/// An I/O instruction's encoding and what its exit reports: (bytes, size, write, immediate port, string).
fn io_instruction() -> impl Strategy<Value = (Vec<u8>, u8, bool, Option<u8>, bool)> {
    let immediate = (
        prop_oneof![
            Just((vec![0xE6], 1, true)),
            Just((vec![0x66, 0xE7], 2, true)),
            Just((vec![0xE7], 4, true)),
            Just((vec![0xE4], 1, false)),
            Just((vec![0x66, 0xE5], 2, false)),
            Just((vec![0xE5], 4, false)),
        ],
        any::<u8>(),
    )
        .prop_map(|((mut bytes, size, write), port)| {
            bytes.push(port);
            (bytes, size, write, Some(port), false)
        });
    let dx = prop_oneof![
        Just((vec![0xEE], 1, true)),
        Just((vec![0x66, 0xEF], 2, true)),
        Just((vec![0xEF], 4, true)),
        Just((vec![0xEC], 1, false)),
        Just((vec![0x66, 0xED], 2, false)),
        Just((vec![0xED], 4, false)),
    ]
    .prop_map(|(bytes, size, write)| (bytes, size, write, None, false));
    let string = (
        prop_oneof![
            Just((vec![0x6E], 1, true)),
            Just((vec![0x66, 0x6F], 2, true)),
            Just((vec![0x6F], 4, true)),
            Just((vec![0x6C], 1, false)),
            Just((vec![0x66, 0x6D], 2, false)),
            Just((vec![0x6D], 4, false)),
        ],
        any::<bool>(),
    )
        .prop_map(|((mut bytes, size, write), rep)| {
            if rep {
                bytes.insert(0, 0xF3);
            }
            (bytes, size, write, None, true)
        });
    prop_oneof![immediate, dx, string]
}

/// Code around the instruction: any byte but an I/O opcode, so no second I/O reading competes (prefixes
/// and partial instructions do).
fn code_byte() -> impl Strategy<Value = u8> {
    any::<u8>().prop_filter(
        "an I/O opcode",
        |b| !matches!(b, 0x6C..=0x6F | 0xE4..=0xE7 | 0xEC..=0xEF),
    )
}

proptest! {
    /// Both ways KVM reports a port-I/O exit (RIP at the instruction: stock VMX/SVM KVM since Linux 5.4;
    /// RIP past it: KVM-PVM, this project's CI host), and the string rules every host shares (an INS, and
    /// an OUTS with elements to go, at RIP; a finished OUTS past it on stock KVM, at it on KVM-PVM): the
    /// instruction is found where it is, with its length, bytes and string and REP forms, whatever code
    /// surrounds it.
    #[test]
    fn the_io_instruction_is_found_under_either_rip_convention(
        before in proptest::collection::vec(code_byte(), 0..20),
        (instruction, size, write, immediate, string) in io_instruction(),
        after in proptest::collection::vec(code_byte(), 0..20),
        base in 0u64..0x1_0000_0000,
        dx in any::<u16>(),
        rcx in prop_oneof![Just(0u64), 1u64..100],
        count in 1u32..4,
        at_instruction in any::<bool>(),
    ) {
        use hv_kvm::instruction::{CodeBytes, CodeSize, Located, PortExit, RipConvention, locate_port_io};
        let code: Vec<u8> = before.iter().chain(&instruction).chain(&after).copied().collect();
        let start = base + before.len() as u64;
        let end = start + instruction.len() as u64;
        let fetch = |ip: u64| {
            let mut bytes = CodeBytes::default();
            if let Some(offset) = ip.checked_sub(base) {
                for (i, b) in code.iter().skip(offset as usize).take(16).enumerate() {
                    bytes.bytes[i] = *b;
                    bytes.valid = i as u8 + 1;
                }
            }
            bytes
        };
        let rep = instruction.first() == Some(&0xF3);
        let exit = PortExit {
            port: immediate.map_or(dx, u16::from),
            size,
            write,
            // More than one element only for a REP string instruction.
            count: if rep { count } else { 1 },
            dx,
            rcx,
        };
        let host = if at_instruction { RipConvention::AtInstruction } else { RipConvention::PastInstruction };
        // Where RIP is at the exit, and the convention the exit shows (none for a string instruction).
        let (rip, shows) = match (string, write) {
            (false, _) => (if at_instruction { start } else { end }, Some(host)),
            (true, false) => (start, None),
            (true, true) if rep && rcx != 0 => (start, None),
            (true, true) => (if at_instruction { start } else { end }, None),
        };
        let check = |located: Located| -> Result<(), TestCaseError> {
            let Located::Found(found, convention) = located else {
                return Err(TestCaseError::fail(format!("RIP {rip:#x}: {located:?}")));
            };
            prop_assert_eq!(convention, shows);
            // Found where it is: exactly when RIP is at it, and for a fast form; an OUTS that RIP is past
            // ends at RIP and holds the instruction (earlier bytes may read as more prefixes).
            prop_assert_eq!(found.next_rip(), end);
            prop_assert!(found.rip <= start);
            if rip == start || !string {
                prop_assert_eq!(found.rip, start);
            }
            let length = usize::from(found.length);
            prop_assert_eq!(&found.bytes[length - instruction.len()..length], &instruction[..]);
            prop_assert!(found.bytes[length..].iter().all(|&b| b == 0));
            prop_assert_eq!(found.string, string);
            prop_assert!(!rep || found.rep);
            Ok(())
        };
        check(locate_port_io(rip, &exit, CodeSize::Bits64, Some(host), fetch))?;
        // Not knowing the host yet, the exit alone shows the same.
        check(locate_port_io(rip, &exit, CodeSize::Bits64, None, fetch))?;
    }
}
