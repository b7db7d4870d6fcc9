//! One test per row of the status table in abi-facts.md section 4 (post, retrieve, reset), each asserting
//! the status and the exact buffer state after it; then the check order and the isolation of channels.

mod common;

use common::*;
use hv_abi::debug::HV_DEBUG_MAXIMUM_DATA_SIZE;
use hv_abi::{CallCode, HvStatus, HypercallInput, PartitionPropertyCode};
use hv_model::{Config, Dispatch, Hypervisor, Registers};

const MAX: u32 = HV_DEBUG_MAXIMUM_DATA_SIZE as u32;

fn feature_off() -> Config {
    Config {
        debugging_enabled: false,
        ..Config::default()
    }
}

// ---- HvPostDebugData ----

#[test]
fn post_success_reports_pending_including_this_block() {
    let mut g = guest();
    assert_eq!(g.post(b"hello"), HvStatus::SUCCESS);
    assert_eq!(g.pending_count(), 5);
    assert_eq!(g.post(b" world"), HvStatus::SUCCESS);
    assert_eq!(g.pending_count(), 11);
    assert_eq!(g.pending(), (0, 11));
    assert_eq!(g.receive(64), b"hello world");
}

#[test]
fn post_count_zero_is_a_probe() {
    let mut g = guest();
    g.post(b"abc");
    assert_eq!(g.post(b""), HvStatus::SUCCESS);
    assert_eq!(g.pending_count(), 3);
    assert_eq!(g.pending(), (0, 3));
}

#[test]
fn post_feature_unavailable() {
    for config in [
        feature_off(),
        Config {
            debugging_supported: false,
            ..Config::default()
        },
    ] {
        let mut g = guest_with(config);
        assert_eq!(g.post(b"x"), HvStatus::FEATURE_UNAVAILABLE);
        assert_eq!(g.pending(), (0, 0));
    }
}

#[test]
fn post_access_denied_without_debugging_privilege() {
    let mut g = guest();
    g.revoke_debugging();
    assert_eq!(g.post(b"x"), HvStatus::ACCESS_DENIED);
    assert_eq!(g.pending(), (0, 0));
}

#[test]
fn post_operation_denied_without_a_channel_id() {
    let mut g = guest();
    g.set_channel(0);
    assert_eq!(g.post(b"x"), HvStatus::OPERATION_DENIED);
    assert_eq!(g.pending(), (0, 0));
}

#[test]
fn post_invalid_parameter_for_count_page_crossing_and_flags() {
    let mut g = guest();
    assert_eq!(g.post_at(IN, MAX + 1, 0, &[]), HvStatus::INVALID_PARAMETER);
    // 8-byte header at 0x1FF0 leaves 8 bytes in the page: 8 fit, 9 cross.
    g.hv.partition_mut(g.p).unwrap().memory.map(0x3000);
    assert_eq!(g.post_at(0x1FF0, 9, 0, &[0; 9]), HvStatus::INVALID_PARAMETER);
    assert_eq!(
        g.post_at(IN, 1, 0x2, b"x"),
        HvStatus::INVALID_PARAMETER,
        "POST_RAW_PACKET is not in the 2013 spec"
    );
    assert_eq!(g.pending(), (0, 0));
    assert_eq!(
        g.post_at(0x1FF0, 8, 1, b"12345678"),
        HvStatus::SUCCESS,
        "POST_LOOP is legal; 8 bytes fit"
    );
    assert_eq!(g.pending(), (0, 8));
}

#[test]
fn post_insufficient_buffers_posts_nothing() {
    let mut g = guest_with(Config {
        outgoing_capacity: MAX as usize + 10,
        ..Config::default()
    });
    let block = vec![7u8; MAX as usize];
    assert_eq!(g.post(&block), HvStatus::SUCCESS);
    assert_eq!(g.post(&[1; 11]), HvStatus::INSUFFICIENT_BUFFERS);
    assert_eq!(g.pending(), (0, u64::from(MAX)));
    assert_eq!(g.post(&[1; 10]), HvStatus::SUCCESS, "exactly the free space fits");
    assert_eq!(g.pending(), (0, u64::from(MAX) + 10));
    let (_, out) = g.accounting();
    assert_eq!(
        (out.written, out.dropped),
        (u64::from(MAX) + 10, 0),
        "a refused block is never counted"
    );
}

// ---- HvRetrieveDebugData ----

#[test]
fn retrieve_success_returns_data_and_remaining() {
    let mut g = guest();
    g.deliver(b"abcdef");
    assert_eq!(g.retrieve(4), (HvStatus::SUCCESS, Some((4, 2, b"abcd".to_vec()))));
    assert_eq!(g.retrieve(100), (HvStatus::SUCCESS, Some((2, 0, b"ef".to_vec()))));
    assert_eq!(g.pending(), (0, 0));
}

#[test]
fn retrieve_count_zero_probes() {
    let mut g = guest();
    assert_eq!(g.retrieve(0), (HvStatus::NO_DATA, None));
    g.deliver(b"abc");
    assert_eq!(g.retrieve(0), (HvStatus::SUCCESS, Some((0, 3, vec![]))));
    assert_eq!(g.pending(), (3, 0));
}

#[test]
fn retrieve_feature_unavailable() {
    let mut g = guest();
    g.deliver(b"abc");
    g.hv.set_debugging_enabled(false);
    assert_eq!(g.retrieve(3), (HvStatus::FEATURE_UNAVAILABLE, None));
    assert_eq!(g.pending(), (3, 0));
}

#[test]
fn retrieve_access_denied() {
    let mut g = guest();
    g.deliver(b"abc");
    g.revoke_debugging();
    assert_eq!(g.retrieve(3), (HvStatus::ACCESS_DENIED, None));
    assert_eq!(g.pending(), (3, 0));
}

#[test]
fn retrieve_operation_denied() {
    let mut g = guest();
    g.deliver(b"abc");
    g.set_channel(0);
    assert_eq!(g.retrieve(3), (HvStatus::OPERATION_DENIED, None));
    assert_eq!(g.pending(), (3, 0));
}

#[test]
fn retrieve_invalid_parameter_for_count_page_crossing_and_flags() {
    let mut g = guest();
    g.deliver(b"abc");
    assert_eq!(g.retrieve(MAX + 1), (HvStatus::INVALID_PARAMETER, None));
    assert_eq!(
        g.retrieve_with(1, 0x4, 0),
        (HvStatus::INVALID_PARAMETER, None),
        "RETRIEVE_RAW_PACKET"
    );
    // Output at the last 16 bytes of its page: header + 8 data bytes fit, 9 cross.
    g.write_retrieve_input(9, 0, 0);
    let regs = Registers {
        r8: OUT + 0xFF0,
        ..Guest::retrieve_regs()
    };
    assert_eq!(g.call(regs), HvStatus::INVALID_PARAMETER);
    assert_eq!(g.pending(), (3, 0));
    g.write_retrieve_input(8, 0, 0);
    assert_eq!(g.call(regs), HvStatus::SUCCESS);
    assert_eq!(g.pending(), (0, 0));
}

#[test]
fn retrieve_inactive_without_activity_since_the_last_attempt() {
    const TEST_ACTIVITY: u32 = 0x2;
    let mut g = guest();
    assert_eq!(
        g.retrieve_with(1, TEST_ACTIVITY, 0),
        (HvStatus::INACTIVE, None),
        "nothing ever arrived"
    );
    g.deliver(b"ab");
    assert_eq!(
        g.retrieve_with(1, TEST_ACTIVITY, 0),
        (HvStatus::SUCCESS, Some((1, 1, b"a".to_vec())))
    );
    // Nothing arrived since that attempt, even though a byte is still pending.
    assert_eq!(g.retrieve_with(1, TEST_ACTIVITY, 0), (HvStatus::INACTIVE, None));
    assert_eq!(g.pending(), (1, 0));
    // An attempt without the flag also refreshes the mark.
    g.deliver(b"c");
    assert_eq!(g.retrieve(0).0, HvStatus::SUCCESS);
    assert_eq!(g.retrieve_with(1, TEST_ACTIVITY, 0), (HvStatus::INACTIVE, None));
    assert_eq!(g.pending(), (2, 0));
}

#[test]
fn retrieve_no_data() {
    let mut g = guest();
    assert_eq!(g.retrieve(10), (HvStatus::NO_DATA, None));
    assert_eq!(
        g.retrieve_with(10, 0x1, 0),
        (HvStatus::NO_DATA, None),
        "LOOP with no timeout returns at once"
    );
    assert_eq!(g.pending(), (0, 0));
}

#[test]
fn retrieve_loop_waits_until_data_arrives() {
    let mut g = guest();
    g.write_retrieve_input(10, 0x1, 1_000);
    let d = g.hv.dispatch(g.p, VP0, Guest::retrieve_regs());
    assert_eq!(d, Dispatch::Suspended { deadline: 1_000 });
    assert!(g.hv.is_waiting(g.p, VP0).unwrap());
    assert_eq!(
        g.call(Guest::retrieve_regs()),
        HvStatus::INVALID_VP_STATE,
        "a waiting VP issues no call"
    );
    g.hv.advance_clock(999);
    assert_eq!(g.hv.take_completion(g.p, VP0).unwrap(), None);
    g.deliver(b"wake");
    let out =
        g.hv.take_completion(g.p, VP0)
            .unwrap()
            .expect("completed by the delivery");
    assert_eq!(out.status(), HvStatus::SUCCESS);
    assert_eq!(
        g.read_retrieved(out.status()),
        (HvStatus::SUCCESS, Some((4, 0, b"wake".to_vec())))
    );
    assert_eq!(g.hv.take_completion(g.p, VP0).unwrap(), None, "taken once");
}

#[test]
fn retrieve_loop_times_out_with_no_data() {
    let mut g = guest();
    g.write_retrieve_input(10, 0x1, 500);
    assert_eq!(
        g.hv.dispatch(g.p, VP0, Guest::retrieve_regs()),
        Dispatch::Suspended { deadline: 500 }
    );
    g.hv.advance_clock(500);
    let out = g.hv.take_completion(g.p, VP0).unwrap().unwrap();
    assert_eq!(g.read_retrieved(out.status()), (HvStatus::NO_DATA, None));
    assert!(!g.hv.is_waiting(g.p, VP0).unwrap());
    g.deliver(b"late");
    assert_eq!(g.hv.take_completion(g.p, VP0).unwrap(), None);
    assert_eq!(g.pending(), (4, 0));
}

#[test]
fn incoming_overflow_is_dropped_and_counted() {
    let mut g = guest_with(Config {
        incoming_capacity: 4,
        ..Config::default()
    });
    assert_eq!(g.deliver(b"abcdef"), 2);
    let (i, _) = g.accounting();
    assert_eq!((i.written, i.dropped, i.pending), (6, 2, 4));
    assert_eq!(g.retrieve(10), (HvStatus::SUCCESS, Some((4, 0, b"abcd".to_vec()))));
}

// ---- HvResetDebugSession ----

#[test]
fn reset_success_purges_the_selected_buffers() {
    let mut g = guest();
    g.deliver(b"in");
    g.post(b"out");
    assert_eq!(g.reset(0x1), HvStatus::SUCCESS);
    assert_eq!(g.pending(), (0, 3));
    g.deliver(b"in");
    assert_eq!(g.reset(0x2), HvStatus::SUCCESS);
    assert_eq!(g.pending(), (2, 0));
    g.post(b"out");
    assert_eq!(g.reset(0x3), HvStatus::SUCCESS);
    assert_eq!(g.pending(), (0, 0));
    let (i, o) = g.accounting();
    assert_eq!((i.purged, o.purged), (4, 6));
}

#[test]
fn reset_memory_form_reads_options_from_the_input_page() {
    let mut g = guest();
    g.post(b"out");
    g.hv.partition_mut(g.p)
        .unwrap()
        .memory
        .write(IN, &[2, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF])
        .unwrap();
    let regs = Registers {
        rcx: rcx(CallCode::RESET_DEBUG_SESSION, false),
        rdx: IN,
        r8: 0,
    };
    assert_eq!(g.call(regs), HvStatus::SUCCESS, "padding is ignored");
    assert_eq!(g.pending(), (0, 0));
}

#[test]
fn reset_feature_access_and_operation_denied() {
    let mut g = guest();
    g.deliver(b"x");
    g.hv.set_debugging_enabled(false);
    assert_eq!(g.reset(0x3), HvStatus::FEATURE_UNAVAILABLE);
    assert_eq!(g.pending(), (1, 0));
    let mut g = guest();
    g.deliver(b"x");
    g.revoke_debugging();
    assert_eq!(g.reset(0x3), HvStatus::ACCESS_DENIED);
    let mut g = guest();
    g.deliver(b"x");
    g.set_channel(0);
    assert_eq!(g.reset(0x3), HvStatus::OPERATION_DENIED);
    assert_eq!(g.pending(), (1, 0));
}

#[test]
fn reset_invalid_parameter_for_unknown_or_no_flags() {
    let mut g = guest();
    g.deliver(b"x");
    assert_eq!(g.reset(0x0), HvStatus::INVALID_PARAMETER);
    assert_eq!(
        g.reset(0x5),
        HvStatus::INVALID_PARAMETER,
        "RETRIEVE_DEBUG_CONFIG is not in the 2013 spec"
    );
    assert_eq!(g.pending(), (1, 0));
}

#[test]
fn reset_no_data_when_nothing_was_purged() {
    let mut g = guest();
    g.post(b"out");
    assert_eq!(
        g.reset(0x1),
        HvStatus::NO_DATA,
        "only the empty incoming buffer was selected"
    );
    assert_eq!(g.pending(), (0, 3));
}

// ---- Call-level checks and their order ----

#[test]
fn call_level_input_checks() {
    let mut g = guest();
    g.deliver(b"x");
    let post = rcx(CallCode::POST_DEBUG_DATA, false);
    let cases = [
        (
            rcx(CallCode::POST_DEBUG_DATA, true),
            HvStatus::INVALID_HYPERCALL_INPUT,
            "fast post",
        ),
        (
            rcx(CallCode::RETRIEVE_DEBUG_DATA, true),
            HvStatus::INVALID_HYPERCALL_INPUT,
            "fast retrieve",
        ),
        (
            HypercallInput::from_bits(post).with_rep_count(1).into_bits(),
            HvStatus::INVALID_HYPERCALL_INPUT,
            "rep count",
        ),
        (
            HypercallInput::from_bits(post).with_variable_header_size(1).into_bits(),
            HvStatus::INVALID_HYPERCALL_INPUT,
            "var header",
        ),
        (post | 1 << 27, HvStatus::INVALID_HYPERCALL_INPUT, "reserved bit"),
        (
            rcx(CallCode::POST_MESSAGE, false),
            HvStatus::INVALID_HYPERCALL_CODE,
            "unimplemented code",
        ),
        (0xFFFF, HvStatus::INVALID_HYPERCALL_CODE, "unknown code"),
    ];
    for (rcx, status, what) in cases {
        assert_eq!(g.call(Registers { rcx, rdx: IN, r8: OUT }), status, "{what}");
    }
    let misaligned = Registers {
        rcx: post,
        rdx: IN + 4,
        r8: OUT,
    };
    assert_eq!(g.call(misaligned), HvStatus::INVALID_ALIGNMENT);
    assert_eq!(
        g.call(Registers {
            rcx: post,
            rdx: 0x9000,
            r8: OUT
        }),
        HvStatus::INVALID_ALIGNMENT,
        "unmapped"
    );
    assert_eq!(
        g.call(Registers {
            rcx: post,
            rdx: IN,
            r8: OUT + 4
        }),
        HvStatus::INVALID_ALIGNMENT,
        "output"
    );
    assert_eq!(g.pending(), (1, 0));
}

#[test]
fn check_order_follows_the_design() {
    // No privilege and bad flags: ACCESS_DENIED.
    let mut g = guest();
    g.revoke_debugging();
    assert_eq!(g.post_at(IN, 1, 0x80, b"x"), HvStatus::ACCESS_DENIED);
    assert_eq!(g.reset(0), HvStatus::ACCESS_DENIED);
    // Debugging off and no privilege: FEATURE_UNAVAILABLE.
    g.hv.set_debugging_enabled(false);
    assert_eq!(g.post(b"x"), HvStatus::FEATURE_UNAVAILABLE);
    // No channel id and a count too large: OPERATION_DENIED.
    let mut g = guest();
    g.set_channel(0);
    assert_eq!(g.post_at(IN, MAX + 1, 0, &[]), HvStatus::OPERATION_DENIED);
    // Input-value errors come before everything: fast post without privilege.
    g.revoke_debugging();
    assert_eq!(
        g.call(Registers {
            rcx: rcx(CallCode::POST_DEBUG_DATA, true),
            rdx: 0,
            r8: 0
        }),
        HvStatus::INVALID_HYPERCALL_INPUT
    );
    // The gate comes before the parameter pages: a refused caller learns nothing about guest memory,
    // whether its block is misaligned, unmapped, or fine.
    for (rdx, r8) in [(IN + 1, OUT), (0xDEAD_0000, OUT), (IN, 0xDEAD_0000), (IN, OUT)] {
        for code in [CallCode::POST_DEBUG_DATA, CallCode::RETRIEVE_DEBUG_DATA] {
            let regs = Registers {
                rcx: rcx(code, false),
                rdx,
                r8,
            };
            assert_eq!(g.call(regs), HvStatus::ACCESS_DENIED, "{code:?} at {rdx:#x}, {r8:#x}");
        }
    }
    let memory_reset = Registers {
        rcx: rcx(CallCode::RESET_DEBUG_SESSION, false),
        rdx: IN + 4,
        r8: 0,
    };
    assert_eq!(g.call(memory_reset), HvStatus::ACCESS_DENIED);
    // With the right to the call, the pages are checked.
    let mut g = guest();
    let misaligned = Registers {
        rcx: rcx(CallCode::POST_DEBUG_DATA, false),
        rdx: IN + 1,
        r8: OUT,
    };
    assert_eq!(g.call(misaligned), HvStatus::INVALID_ALIGNMENT);
    // TEST_ACTIVITY comes before NO_DATA and before the parameters ("before all other processing"), and
    // INACTIVE moves nothing.
    assert_eq!(g.retrieve_with(1, 0x2, 0), (HvStatus::INACTIVE, None));
    assert_eq!(g.retrieve_with(MAX + 1, 0x2, 0), (HvStatus::INACTIVE, None));
    assert_eq!(g.retrieve_with(1, 0x2 | 0x80, 0), (HvStatus::INACTIVE, None));
    // With activity, the parameters are checked, and a retrieve they refuse leaves the mark: the next
    // TEST_ACTIVITY still sees the byte.
    g.deliver(b"x");
    assert_eq!(g.retrieve_with(MAX + 1, 0x2, 0), (HvStatus::INVALID_PARAMETER, None));
    assert_eq!(g.retrieve_with(1, 0x2, 0).0, HvStatus::SUCCESS);
}

#[test]
fn bad_host_arguments_are_statuses() {
    let mut g = guest();
    let nobody = hv_abi::PartitionId(99);
    let regs = Guest::retrieve_regs();
    assert_eq!(
        g.hv.dispatch(nobody, VP0, regs),
        Dispatch::Complete(HvStatus::INVALID_PARTITION_ID.into())
    );
    assert_eq!(
        g.hv.dispatch(g.p, hv_abi::VpIndex(7), regs),
        Dispatch::Complete(HvStatus::INVALID_VP_INDEX.into())
    );
    assert_eq!(
        g.hv.deliver(nobody, b"x").unwrap_err().status(),
        HvStatus::INVALID_PARTITION_ID
    );
    let e =
        g.hv.set_property(g.p, PartitionPropertyCode::DEBUG_CHANNEL_ID, 0x1_0000)
            .unwrap_err();
    assert_eq!(e.status(), HvStatus::PROPERTY_VALUE_OUT_OF_RANGE);
    let e = g.hv.property(g.p, PartitionPropertyCode::CPU_CAP).unwrap_err();
    assert_eq!(e.status(), HvStatus::UNKNOWN_PROPERTY);
    assert!(
        Hypervisor::new(Config {
            outgoing_capacity: 100,
            ..Config::default()
        })
        .is_err()
    );
    assert_eq!(g.hv.config(), &Config::default());
    assert_eq!(g.hv.partition(g.p).unwrap().vp_count(), 2);
}

// ---- Isolation ----

#[test]
fn shared_channel_ids_deny_both_partitions() {
    let mut hv = Hypervisor::new(Config::default()).unwrap();
    let a = partition(&mut hv, 5);
    let b = partition(&mut hv, 5);
    let mut ga = Guest { hv, p: a };
    assert_eq!(ga.post(b"x"), HvStatus::OPERATION_DENIED);
    let mut gb = Guest { hv: ga.hv, p: b };
    assert_eq!(gb.post(b"x"), HvStatus::OPERATION_DENIED);
    gb.set_channel(6);
    assert_eq!(gb.post(b"x"), HvStatus::SUCCESS);
    let mut ga = Guest { hv: gb.hv, p: a };
    assert_eq!(ga.post(b"y"), HvStatus::SUCCESS, "unique again");
}

#[test]
fn a_partition_never_reads_another_partitions_data() {
    let mut hv = Hypervisor::new(Config::default()).unwrap();
    let a = partition(&mut hv, 2);
    let b = partition(&mut hv, 3);
    hv.deliver(a, b"secret").unwrap();
    let mut gb = Guest { hv, p: b };
    assert_eq!(gb.retrieve(100), (HvStatus::NO_DATA, None));
    assert_eq!(gb.reset(0x3), HvStatus::NO_DATA, "b cannot purge a's data either");
    gb.post(b"from b");
    let mut ga = Guest { hv: gb.hv, p: a };
    assert_eq!(ga.receive(100), b"");
    assert_eq!(ga.retrieve(100), (HvStatus::SUCCESS, Some((6, 0, b"secret".to_vec()))));
}

// ---- Edges of pages and of the address space ----

/// The last page of the 64-bit guest physical address space.
const LAST_PAGE: u64 = 0xFFFF_FFFF_FFFF_F000;
const TEST_ACTIVITY: u32 = 0x2;

impl Guest {
    fn write(&mut self, gpa: u64, bytes: &[u8]) {
        self.hv.partition_mut(self.p).unwrap().memory.write(gpa, bytes).unwrap();
    }

    fn read_u32s(&self, gpa: u64) -> [u32; 2] {
        let mut b = [0u8; 8];
        self.hv.partition(self.p).unwrap().memory.read(gpa, &mut b).unwrap();
        [
            u32::from_le_bytes(b[..4].try_into().unwrap()),
            u32::from_le_bytes(b[4..].try_into().unwrap()),
        ]
    }

    /// HvPostDebugData with its 8-byte header (Count, no options) at `gpa` and its output at `out`.
    fn post_header_at(&mut self, gpa: u64, count: u32, out: u64) -> HvStatus {
        self.write(gpa, &[count.to_le_bytes(), [0; 4]].concat());
        self.call(Registers {
            rcx: rcx(CallCode::POST_DEBUG_DATA, false),
            rdx: gpa,
            r8: out,
        })
    }

    /// HvRetrieveDebugData with its input at IN and its output at `out`.
    fn retrieve_to(&mut self, count: u32, options: u32, out: u64) -> HvStatus {
        let input = [&count.to_le_bytes()[..], &options.to_le_bytes(), &[0; 8]].concat();
        self.write(IN, &input);
        self.call(Registers {
            rcx: rcx(CallCode::RETRIEVE_DEBUG_DATA, false),
            rdx: IN,
            r8: out,
        })
    }
}

#[test]
fn blocks_in_the_last_bytes_of_the_address_space_never_wrap() {
    // `gpa + 8` overflowed here: a panic in debug builds, a wrap to GPA 0 in release builds.
    let mut g = guest();
    g.hv.partition_mut(g.p).unwrap().memory.map(LAST_PAGE);
    g.hv.partition_mut(g.p).unwrap().memory.map(0);
    g.write(0, &[0xAA; 16]);
    let last8 = LAST_PAGE + 0xFF8;
    assert_eq!(g.post(b"ab"), HvStatus::SUCCESS);
    assert_eq!(
        g.post_header_at(last8, 0, OUT),
        HvStatus::SUCCESS,
        "Count 0 crosses nothing"
    );
    assert_eq!(g.read_u32s(OUT), [2, 0], "PendingCount");
    assert_eq!(
        g.post_header_at(last8, 1, OUT),
        HvStatus::INVALID_PARAMETER,
        "1 byte would leave the page"
    );
    assert_eq!(g.pending(), (0, 2));

    g.deliver(b"xyz");
    assert_eq!(g.retrieve_to(0, 0, last8), HvStatus::SUCCESS, "Count 0 crosses nothing");
    assert_eq!(g.read_u32s(last8), [0, 3], "RetrievedCount, RemainingCount");
    assert_eq!(
        g.retrieve_to(1, 0, last8),
        HvStatus::INVALID_PARAMETER,
        "1 byte would leave the page"
    );
    assert_eq!(g.pending(), (3, 2));
    let mut low = [0u8; 16];
    g.hv.partition(g.p).unwrap().memory.read(0, &mut low).unwrap();
    assert_eq!(low, [0xAA; 16], "nothing wrapped to GPA 0");
}

#[test]
fn count_zero_probe_whose_header_ends_a_page_needs_no_next_page() {
    // The page after OUT (0x3000) is not mapped; an empty data area there is not an access.
    let mut g = guest();
    let page_end = OUT + 0xFF8;
    assert_eq!(g.post(b"abc"), HvStatus::SUCCESS);
    assert_eq!(g.post_header_at(page_end, 0, IN + 0x800), HvStatus::SUCCESS);
    assert_eq!(g.read_u32s(IN + 0x800)[0], 3, "PendingCount");

    g.deliver(b"xy");
    assert_eq!(g.retrieve_to(0, TEST_ACTIVITY, page_end), HvStatus::SUCCESS);
    assert_eq!(g.read_u32s(page_end), [0, 2]);
    // That successful attempt consumed the activity mark ...
    assert_eq!(g.retrieve_to(8, TEST_ACTIVITY, OUT), HvStatus::INACTIVE);
    // ... and a rejected one leaves it: 9 bytes after a header at OUT + 0xFF0 leave the page.
    g.deliver(b"z");
    assert_eq!(
        g.retrieve_to(9, TEST_ACTIVITY, OUT + 0xFF0),
        HvStatus::INVALID_PARAMETER
    );
    assert_eq!(g.retrieve_to(8, TEST_ACTIVITY, OUT), HvStatus::SUCCESS);
    assert_eq!(g.read_u32s(OUT), [3, 0]);
}

// ---- Host API ----

#[test]
#[cfg_attr(
    miri,
    ignore = "Miri backs an allocation of u32::MAX VPs with host memory, which the host lacks"
)]
fn a_buffer_or_vp_count_that_cannot_be_allocated_is_an_error() {
    for config in [
        Config {
            incoming_capacity: usize::MAX,
            ..Config::default()
        },
        Config {
            outgoing_capacity: usize::MAX,
            ..Config::default()
        },
    ] {
        let mut hv = Hypervisor::new(config).unwrap();
        let e = hv
            .create_partition(hv_abi::PartitionPrivileges::DEBUGGING, 1)
            .unwrap_err();
        assert_eq!(e.status(), HvStatus::INSUFFICIENT_MEMORY, "{config:?}");
        assert!(hv.partition(hv_abi::PartitionId(1)).is_err(), "nothing was created");
    }
    let mut hv = Hypervisor::new(Config::default()).unwrap();
    let e = hv
        .create_partition(hv_abi::PartitionPrivileges::DEBUGGING, u32::MAX)
        .unwrap_err();
    assert_eq!(e.status(), HvStatus::INSUFFICIENT_MEMORY);
    assert!(hv.create_partition(hv_abi::PartitionPrivileges::DEBUGGING, 1).is_ok());
}
