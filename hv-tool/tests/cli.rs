//! End-to-end tests of the `hvtool` binary: output for good input, a message and non-zero exit for bad.

use std::process::{Command, Output};

fn hvtool(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hvtool"))
        .args(args)
        .output()
        .expect("hvtool runs")
}

fn ok(args: &[&str]) -> String {
    let out = hvtool(args);
    assert!(
        out.status.success(),
        "hvtool {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Exit code 1 (a panic exits with 101), nothing on stdout, and the error text.
fn failed(args: &[&str], out: Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "hvtool {args:?} should fail with a message: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "nothing on stdout when it fails");
    String::from_utf8(out.stderr).expect("UTF-8 errors")
}

fn fails(args: &[&str]) -> String {
    failed(args, hvtool(args))
}

#[test]
fn decodes_a_fast_reset_debug_session_input() {
    let out = ok(&["decode", "input", "0x1006b"]);
    assert!(
        out.contains(" 15:0  CallCode                 0x6b                HvCallResetDebugSession\n"),
        "{out}"
    );
    assert!(out.contains("   16  IsFast                   0x1\n"), "{out}");
    assert!(
        out.ends_with("valid for HvCallResetDebugSession (simple, fast or memory form)\n"),
        "{out}"
    );
}

/// A value the hypervisor refuses: its fields on stdout, the reason on stderr, exit 1.
fn refused(value: &str) -> (String, String) {
    let out = hvtool(&["decode", "input", value]);
    assert_eq!(out.status.code(), Some(1), "decode input {value} must fail");
    (
        String::from_utf8(out.stdout).expect("UTF-8 output"),
        String::from_utf8(out.stderr).expect("UTF-8 errors"),
    )
}

#[test]
fn an_input_the_hypervisor_refuses_fails_and_says_why() {
    let (out, err) = refused("0x0800_0069");
    assert!(
        out.contains("30:27  RsvdZ                    0x1                 (reserved, must be zero)"),
        "{out}"
    );
    assert!(out.ends_with("invalid: HV_STATUS_INVALID_HYPERCALL_INPUT\n"), "{out}");
    assert!(err.contains("reserved bits 0x8000000 are set"), "{err}");

    // The fast form of a memory-only call, and a rep count on a simple one: no reserved bit, still refused.
    let (_, err) = refused("0x10069");
    assert_eq!(
        err,
        "hvtool: the hypervisor answers HV_STATUS_INVALID_HYPERCALL_INPUT to HvCallPostDebugData: \
         the call has no fast (register) form\n"
    );
    let (_, err) = refused("0x10000006b");
    assert!(
        err.contains("a simple call with rep count 1 and start index 0 (both must be 0)"),
        "{err}"
    );

    // A call without a descriptor is checked for reserved bits only, and says so.
    let out = ok(&["decode", "input", "0x5"]);
    assert!(
        out.contains("has no descriptor in hv-abi, so its form and reps are not checked"),
        "{out}"
    );
}

#[test]
fn decodes_result_and_status() {
    let out = ok(&["decode", "output", "0x50000001b"]);
    assert!(
        out.contains(" 15:0  CallStatus               0x1b                HV_STATUS_NO_DATA"),
        "{out}"
    );
    assert!(out.contains("43:32  RepsCompleted            0x5\n"), "{out}");
    assert!(ok(&["decode", "status", "HV_STATUS_INACTIVE"]).starts_with("0x001c  HV_STATUS_INACTIVE ("));
    assert!(ok(&["decode", "status", "0x40"]).starts_with("0x0040  0x0040 (no source names this status)"));
}

#[test]
fn bad_input_gets_a_message_and_a_failing_exit() {
    assert!(fails(&["decode", "input", "0xZZ"]).contains("`0xZZ` is not a 64-bit number"));
    assert!(fails(&["decode", "status", "0x10000"]).contains("does not fit HV_STATUS (16 bits)"));
    assert!(fails(&["decode", "message", "abc"]).contains("odd number of hex digits"));
    let too_long = "00".repeat(257);
    assert!(fails(&["decode", "message", &too_long]).contains("257 bytes given; an HV_MESSAGE is 256 bytes"));
    // An I/O port message whose payload_size is too small for the payload type.
    let short_payload = format!("00000180 10 000000 0000000000000000 {}", "00".repeat(16));
    assert!(
        fails(&["decode", "message", &short_payload])
            .contains("payload_size 16 is smaller than IoPortInterceptMessage")
    );
    // payload_size beyond the 240-byte payload area.
    let err = fails(&["decode", "message", "00000180 ff 000000 0000000000000000"]);
    assert!(
        err.contains("payload_size 255 exceeds the 240-byte payload area"),
        "{err}"
    );
}

#[test]
fn decodes_an_io_port_intercept_message() {
    // Header: type 0x80010000, payload 128 bytes. Payload: VP 3, byte 4 = 0x02, write; port 0x3F8.
    let mut hex = String::from("00000180 80 00 0000 0000000000000000");
    hex.push_str("03000000 02 01 0000");
    hex.push_str(&"00".repeat(32));
    hex.push_str("f803 01 00");
    // Truncated, it is refused with the count of bytes missing; whole, it decodes.
    let err = fails(&["decode", "message", &hex]);
    assert!(
        err.contains("60 bytes given, the header says 144 (16 + payload_size): 84 missing"),
        "{err}"
    );
    hex.push_str(&"00".repeat(84));
    let out = ok(&["decode", "message", &hex]);
    // A table: offset, TLFS name, hex value, meaning; the header and segments opened up in place.
    assert!(
        out.starts_with(
            "HV_MESSAGE\n 0x00  MessageType              0x80010000          HvMessageTypeX64IoPortIntercept\n"
        ),
        "{out}"
    );
    assert!(out.contains("\n 0x10      VpIndex              0x00000003\n"), "{out}");
    assert!(
        out.contains("\n 0x15      InterceptAccessType  0x01                WRITE\n"),
        "{out}"
    );
    assert!(
        out.contains("\n 0x38    PortNumber             0x03f8              1016\n"),
        "{out}"
    );
    assert!(
        out.contains("\n 0x3a    AccessInfo             0x01                AccessSize=1\n"),
        "{out}"
    );
    assert!(out.contains("\n 0x68    EsSegment  HV_X64_SEGMENT_REGISTER\n"), "{out}");
    assert!(
        out.lines().count() <= 40,
        "an I/O port intercept fits in 40 lines:\n{out}"
    );
}

#[test]
fn abi_json_lists_every_table_with_tlfs_names() {
    let doc: serde_json::Value = serde_json::from_str(&ok(&["abi", "--json"])).expect("valid JSON");
    let header = doc["types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tlfs_name"] == "HV_X64_INTERCEPT_MESSAGE_HEADER")
        .expect("intercept header listed");
    assert_eq!(header["size"], 40);
    assert!(
        header["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "Rip" && f["offset"] == 24)
    );
    let status = doc["codes"]["status"].as_array().unwrap();
    assert!(
        status
            .iter()
            .any(|s| s["name"] == "HV_STATUS_NO_DATA" && s["value"] == 0x1B)
    );
    let calls = doc["codes"]["call"].as_array().unwrap();
    assert!(
        calls
            .iter()
            .any(|c| c["name"] == "HvCallResetDebugSession" && c["value"] == 0x6B)
    );
    assert!(doc["codes"]["message_type"].is_array() && doc["codes"]["partition_property"].is_array());
    let purge = doc["flags"]["DebugPurgeOptions"].as_array().unwrap();
    assert_eq!(purge[0]["name"], "HV_DEBUG_PURGE_INCOMING_DATA");
    let input = doc["bitfields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["tlfs_name"] == "HV_X64_HYPERCALL_INPUT")
        .unwrap();
    assert!(
        input["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["name"] == "VariableHeaderSize" && f["lsb"] == 17 && f["msb"] == 26)
    );
}

#[test]
fn abi_text_names_types_and_fields() {
    let out = ok(&["abi"]);
    assert!(
        out.contains("HV_X64_INTERCEPT_MESSAGE_HEADER (InterceptMessageHeader): 40 bytes, align 8"),
        "{out}"
    );
    assert!(out.contains("     24      8  Rip"), "{out}");
    assert!(out.contains("0x0000001b  HV_STATUS_NO_DATA"), "{out}");
}

fn with_stdin(args: &[&str], input: &str) -> Output {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_hvtool"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("hvtool runs");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn simulate_runs_the_built_in_session() {
    let out = ok(&["simulate", "--builtin"]);
    let lines: Vec<&str> = out.lines().collect();
    let at = |prefix: &str| {
        lines
            .iter()
            .position(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix}: {out}"))
    };
    assert!(lines[at("reboot")].ends_with("Reset(PartitionId(1))"));
    assert_eq!(
        lines[at("reboot") + 1..at("reboot") + 5],
        [
            "    callbacks 0: ChangeEngineState(0x10, 7)",
            "    callbacks 0: SessionStatus(DEBUG_SESSION_REBOOT)",
            "    callbacks 0: SessionStatus(DEBUG_SESSION_ACTIVE)",
            "    callbacks 0: ChangeDebuggeeState(0xffffffff, 0)",
        ]
    );
    assert!(lines[at("reset both")].ends_with("HV_STATUS_NO_DATA"));
    assert!(
        lines[at("retrieve 4088")].contains("16 bytes 44 33 22 11 02 00"),
        "{out}"
    );
    assert!(out.contains("SessionStatus(DEBUG_SESSION_END_SESSION_ACTIVE_DETACH)"));
    assert!(
        out.ends_with("outgoing: Accounting { written: 34, read: 28, purged: 6, dropped: 0, pending: 0 }\n"),
        "{out}"
    );
    assert_eq!(
        ok(&["simulate", "--print-default"])
            .lines()
            .filter(|l| !l.starts_with('#'))
            .count(),
        12
    );
}

#[test]
fn simulate_reads_a_script_from_stdin_and_waits_on_the_virtual_clock() {
    let script = "attach\nretrieve 10 loop 100\nadvance 99\nadvance 1\nretrieve 10 loop 50\ndeliver hi\nrevoke\n";
    let out = with_stdin(&["simulate", "-"], script);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.contains("retrieve 10 loop 100             VP waits until t=100"),
        "{out}"
    );
    assert!(out.contains("advance 99                       t=99\n"), "{out}");
    assert!(
        out.contains("advance 1                        t=100, the waiting retrieve ended: HV_STATUS_NO_DATA"),
        "{out}"
    );
    assert!(
        out.contains("SessionStatus(DEBUG_SESSION_FAILURE)"),
        "revoking Debugging loses the channel: {out}"
    );
}

#[test]
fn simulate_keeps_what_ran_and_names_the_bad_line() {
    let out = with_stdin(&["simulate", "-"], "attach\npost hi\n\nretrieve many\n");
    assert!(!out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("post hi                          HV_STATUS_SUCCESS, PendingCount 2"),
        "{stdout}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("line 4: `many` is not a 64-bit number"), "{stderr}");
    assert!(fails(&["simulate", "/nonexistent/script"]).contains("cannot read /nonexistent/script"));
}

#[test]
fn a_message_with_a_non_ascii_character_is_an_error() {
    // Slicing the text inside `é` used to panic.
    let err = fails(&["decode", "message", "a\u{e9}0"]);
    assert!(err.contains("`\u{e9}` at character 2 is not a hex digit"), "{err}");
}

fn hvtool_to(args: &[&str], stdout: std::process::Stdio) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_hvtool"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(stdout)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("hvtool runs")
}

#[test]
fn a_closed_pipe_ends_the_program_quietly() {
    // A transcript far larger than a pipe's buffer, read by nobody: `hvtool simulate big.txt | head -0`.
    let script = "advance 1\n".repeat(20_000);
    let mut child = hvtool_to(&["simulate", "-"], std::process::Stdio::piped());
    drop(child.stdout.take());
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), script.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_failed_write_is_a_message_and_a_failing_exit() {
    let full = std::fs::File::options()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    let args = ["decode", "input", "0x6b"];
    let out = hvtool_to(&args, full.into()).wait_with_output().unwrap();
    let err = failed(&args, out);
    assert!(err.starts_with("hvtool: cannot write the output: "), "{err}");
}

#[test]
fn missing_input_is_an_error_and_piped_input_is_read() {
    // `Command::output` gives the child an empty, closed standard input.
    let err = fails(&["decode", "message"]);
    assert!(err.contains("no message given"), "{err}");
    let err = fails(&["simulate"]);
    assert!(err.contains("no script given"), "{err}");

    let io = format!(
        "00000180 80 00 0000 0000000000000000 03000000 02 01 0000 {}",
        "00".repeat(120)
    );
    let out = with_stdin(&["decode", "message"], &io);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("HvMessageTypeX64IoPortIntercept"));

    let out = with_stdin(&["simulate"], "attach\npost piped\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let transcript = String::from_utf8(out.stdout).unwrap();
    assert!(
        transcript.starts_with("attach "),
        "the piped script ran, not the built-in one: {transcript}"
    );
    assert!(transcript.contains("post piped"), "{transcript}");
}

#[test]
fn status_names_in_any_case_with_or_without_the_prefix_and_a_suggestion_for_a_near_miss() {
    for name in ["HV_STATUS_NO_DATA", "no_data", "Hv_Status_No_Data", " NO_DATA "] {
        assert!(
            ok(&["decode", "status", name]).starts_with("0x001b  HV_STATUS_NO_DATA"),
            "{name}"
        );
    }
    let err = fails(&["decode", "status", "HV_STATUS_NO_DAT"]);
    assert!(err.ends_with("did you mean HV_STATUS_NO_DATA?\n"), "{err}");
    let err = fails(&["decode", "status", "zzz"]);
    assert_eq!(err, "hvtool: `zzz` is neither an HV_STATUS name nor a number\n");
}

#[test]
fn completions_cover_every_subcommand() {
    let bash = ok(&["completions", "bash"]);
    for word in [
        "_hvtool",
        "decode",
        "simulate",
        "abi",
        "completions",
        "message",
        "status",
    ] {
        assert!(bash.contains(word), "bash completion lacks {word}");
    }
    assert!(ok(&["completions", "fish"]).contains("complete -c hvtool"));
    let out = hvtool(&["completions", "tcsh"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values: bash, elvish, fish, powershell, zsh"));
}

/// `xxd`, `od -tx1`, `hexdump -C` and `xxd -i` output of one 256-byte I/O port intercept, as those tools
/// wrote it (tests/dumps/), piped in: one decode for all of them.
#[test]
fn every_dump_form_of_a_message_decodes_the_same() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dumps");
    let decode = |form: &str| {
        let dump = std::fs::read_to_string(dir.join(format!("io_port_intercept.{form}"))).expect("fixture");
        let out = with_stdin(&["decode", "message", "-"], &dump);
        assert!(out.status.success(), "{form}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("UTF-8 output")
    };
    let xxd = decode("xxd");
    assert!(xxd.contains("PortNumber             0x03f8              1016"), "{xxd}");
    for form in ["od", "hexdump", "c"] {
        assert_eq!(decode(form), xxd, "{form} decodes differently from xxd");
    }
    // A line that is none of them is named, and nothing is decoded.
    let out = with_stdin(&["decode", "message", "-"], "00000180 80\n00 zz\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2: `z` at character 3 is not a hex digit"));
}

#[test]
fn binary_files_hold_messages_of_256_bytes_and_a_bad_one_does_not_stop_the_rest() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dumps");
    let xxd = std::fs::read_to_string(dir.join("io_port_intercept.xxd")).unwrap();
    let hex: String = xxd
        .lines()
        .map(|l| l[10..49].split_whitespace().collect::<String>())
        .collect();
    let one: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(one.len(), 256);
    let mut trace = [one.clone(), one.clone()].concat();
    trace.extend_from_slice(&one[..100]);
    let path = std::env::temp_dir().join(format!("hvtool-binary-{}.bin", std::process::id()));
    std::fs::write(&path, &trace).unwrap();
    let out = hvtool(&["decode", "message", "--binary", path.to_str().unwrap()]);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout
            .matches("PortNumber             0x03f8              1016")
            .count(),
        2,
        "{stdout}"
    );
    assert!(stdout.contains("# message 1 at byte 0x100"), "{stdout}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.ends_with("message 2 at byte 0x200: not a whole message: 100 bytes given, the header says 144 (16 + payload_size): 44 missing; --zero-pad decodes it with zeros for the missing bytes\n"),
        "{stderr}"
    );
}

#[test]
fn many_values_from_arguments_or_standard_input_and_bad_ones_are_named() {
    let out = hvtool(&["decode", "status", "0x1b", "no_dta", "3"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("# 0x1b\n0x001b  HV_STATUS_NO_DATA"), "{stdout}");
    assert!(
        stdout.contains("\n# 3\n0x0003  HV_STATUS_INVALID_HYPERCALL_INPUT"),
        "{stdout}"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with("hvtool: argument 2: `no_dta` is neither"),
        "{stderr}"
    );

    let out = with_stdin(
        &["decode", "input", "-"],
        "0x1006b\n# a comment\n\n0xZZ\n0x6b  # fast-less\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.matches("valid for HvCallResetDebugSession").count(),
        2,
        "{stdout}"
    );
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .starts_with("hvtool: line 4: `0xZZ` is not a 64-bit number")
    );

    let out = with_stdin(&["decode", "output", "-"], "0x50000001b\n");
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap().contains("HV_STATUS_NO_DATA"));
}

#[test]
fn json_lines_one_object_per_value_or_message() {
    let out = hvtool(&["decode", "--json", "input", "0x1006b", "0x10069"]);
    assert_eq!(out.status.code(), Some(1), "0x10069 is refused");
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["fields"][0]["field"], "CallCode");
    assert_eq!(lines[0]["fields"][0]["meaning"], "HvCallResetDebugSession");
    assert_eq!(lines[0]["error"], serde_json::Value::Null);
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("the call has no fast (register) form")
    );

    let status: serde_json::Value = serde_json::from_str(&ok(&["decode", "status", "--json", "no_data"])).unwrap();
    assert_eq!(
        (status["value"].as_str(), status["name"].as_str()),
        (Some("0x001b"), Some("HV_STATUS_NO_DATA"))
    );

    let dump = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dumps/io_port_intercept.hexdump"),
    )
    .unwrap();
    let out = with_stdin(&["decode", "--json", "message", "-"], &dump);
    assert!(out.status.success());
    let message: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(message["payload_type"], "HV_X64_IO_PORT_INTERCEPT_MESSAGE");
    let port = message["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "Payload.PortNumber")
        .unwrap();
    assert_eq!(
        (port["offset"].as_u64(), port["value"].as_str()),
        (Some(0x38), Some("0x3f8"))
    );
}

#[test]
fn processor_state_decodes_name_every_field() {
    let state = ok(&["decode", "execution-state", "0x1013"]);
    assert!(
        state.contains("  1:0  Cpl                      0x3                 ring 3\n"),
        "{state}"
    );
    assert!(
        state.contains("   12  InterruptShadow          0x1                 yes\n"),
        "{state}"
    );
    assert!(state.contains("    2  Cr0Pe                    0x0\n"), "{state}");
    let segment = ok(&["decode", "segment", "0000000000000000 ffffffff 1000 9ba0"]);
    assert!(
        segment.contains("0xa09b              code, execute/read, accessed; DPL 0; present; 64-bit; 4 KiB granularity"),
        "{segment}"
    );
    let msr = ok(&["decode", "msr", "hypercall", "0x5001"]);
    assert!(msr.starts_with("MSR 0x40000001  HV_X64_MSR_HYPERCALL\n"), "{msr}");
    assert!(
        msr.contains("63:12  HypercallGpfn            0x5                 GPA 0x5000\n"),
        "{msr}"
    );
    let efer = ok(&["decode", "msr", "0xc0000080"]);
    assert!(efer.contains("not a synthetic MSR"), "{efer}");
    let sint = ok(&["decode", "register", "HV_REGISTER_SINT2", "0x10031"]);
    assert!(sint.contains("  7:0  vector                   0x31\n"), "{sint}");
    assert!(sint.contains("   16  masked                   0x1\n"), "{sint}");
    let cs = ok(&["decode", "register", "cs", "0000000000000000 ffffffff 0800 9b20"]);
    assert!(
        cs.starts_with("HV_REGISTER_NAME 0x00060001  HV_X64_REGISTER_CS\n"),
        "{cs}"
    );
    assert!(
        cs.contains("code, execute/read, accessed; DPL 0; present; 64-bit\n"),
        "{cs}"
    );
    let features = ok(&["decode", "cpuid", "features", "0x2e7f", "0x880", "0x2", "0x2"]);
    assert!(features.contains("ACCESS_HYPERCALL_MSRS"), "{features}");
    assert!(features.contains(" DEBUGGING"), "{features}");
    assert!(
        features.contains("0x00000002          GUEST_DEBUGGING_AVAILABLE\n"),
        "{features}"
    );
    let vendor = ok(&[
        "decode",
        "cpuid",
        "0x40000000",
        "0x4000000a",
        "0x7263694d",
        "0x666f736f",
        "0x76482074",
    ]);
    assert!(vendor.contains("\"Microsoft Hv\""), "{vendor}");
    assert!(vendor.contains("HYPERV_CPUID_NESTED_FEATURES"), "{vendor}");
}

#[test]
fn processor_state_decodes_refuse_what_does_not_fit() {
    for (args, error) in [
        (
            &["decode", "execution-state", "0x10000"][..],
            "0x10000 does not fit HV_X64_VP_EXECUTION_STATE (16 bits)",
        ),
        (
            &["decode", "segment", "00 11"],
            "2 bytes given; HV_X64_SEGMENT_REGISTER is 16",
        ),
        (&["decode", "msr", "hypercal"], "did you mean HV_X64_MSR_HYPERCALL?"),
        (
            &["decode", "msr", "0x1_0000_0000"],
            "0x100000000 is not an MSR number (32 bits)",
        ),
        (
            &["decode", "register", "rip", "1", "2"],
            "HV_X64_REGISTER_RIP takes one value; 2 given",
        ),
        (
            &["decode", "cpuid", "features", "1", "2", "3", "0x1_0000_0000"],
            "EDX 0x100000000 does not fit 32 bits",
        ),
    ] {
        let stderr = fails(args);
        assert!(stderr.contains(error), "{args:?}: {stderr}");
    }
    let out = hvtool(&["decode", "cpuid", "features", "1", "2"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap refuses a CPUID without all four registers"
    );
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let piped = ok(&["decode", "input", "0x1006b"]);
    assert!(!piped.contains('\x1b'), "piped output has no escape codes: {piped:?}");
    let always = ok(&["decode", "--color", "always", "input", "0x1006b"]);
    assert!(always.contains("\x1b[1mHV_X64_HYPERCALL_INPUT"), "{always:?}");
    assert!(
        always.contains("\x1b[32mvalid for"),
        "a valid input is green: {always:?}"
    );
    let refused = hvtool(&["decode", "--color", "always", "input", "0x10069"]);
    assert!(String::from_utf8_lossy(&refused.stdout).contains("\x1b[31minvalid"));
    let json = ok(&["decode", "--color", "always", "--json", "input", "0x1006b"]);
    assert!(!json.contains('\x1b'), "JSON is never coloured");
}

#[test]
fn zero_pad_decodes_a_short_message_and_marks_what_it_supplied() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dumps");
    let xxd = std::fs::read_to_string(dir.join("io_port_intercept.xxd")).unwrap();
    let short: String = xxd.lines().take(6).map(|l| format!("{l}\n")).collect();
    let out = with_stdin(&["decode", "message", "-"], &short);
    let stderr = failed(&["decode", "message", "-"], out);
    assert!(
        stderr.contains("96 bytes given, the header says 144 (16 + payload_size): 48 missing"),
        "{stderr}"
    );
    let out = with_stdin(&["decode", "message", "--zero-pad", "-"], &short);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("PortNumber             0x03f8              1016\n"),
        "given bytes are not marked: {text}"
    );
    assert!(
        text.contains(" 0x58      Base                 0x0000000000000000\n"),
        "{text}"
    );
    assert_eq!(text.matches("[zero-padded]").count(), 10, "{text}");
    assert!(
        text.contains("(96 bytes given, 144 needed: the last 48 are zero padding)"),
        "{text}"
    );
    let out = with_stdin(&["decode", "--json", "message", "--zero-pad", "-"], &short);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["zero_padded_bytes"], 48);
    let padded = json["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["padded"] == true)
        .count();
    assert_eq!(padded, 10);
}

#[test]
fn values_come_from_a_file_too() {
    let path = std::env::temp_dir().join(format!("hvtool-values-{}.txt", std::process::id()));
    std::fs::write(
        &path,
        "# a trace\n0x1006b\n\n0x10069  # fast, but the call has no fast form\n",
    )
    .unwrap();
    let file = path.to_str().unwrap();
    let out = hvtool(&["decode", "input", "--file", file]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.contains("# 0x1006b\n") && stdout.contains("# 0x10069\n"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 4: the hypervisor answers"));
    let both = fails(&["decode", "input", "-f", file, "0x1006b"]);
    assert!(both.contains("not both"), "{both}");
    std::fs::remove_file(&path).unwrap();
    let missing = fails(&["decode", "input", "-f", file]);
    assert!(missing.contains("cannot read"), "{missing}");
}

#[test]
fn run_boots_the_test_guest_on_kvm_or_says_in_one_line_why_not() {
    let out = hvtool(&["run"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("KVM is not usable here") {
        eprintln!("SKIPPED hvtool run: did not run: {}", stderr.trim());
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        return;
    }
    assert!(out.status.success(), "{stderr}");
    for line in [
        "VP 0  WRMSR HV_X64_MSR_GUEST_OS_ID 0x8100000608000000\n",
        "-> HV_STATUS_SUCCESS\n      guest -> host  20 bytes \"hello from the guest\"\n",
        "      host -> guest  29 bytes \"hello from the host, and more\"\n",
        // R8 is the output page, where QEMU would write its reset answer.
        "VP 0  HvCallResetDebugSession (fast, RDX 0x1 R8 0x106000) -> HV_STATUS_SUCCESS\n",
        "-> HV_STATUS_NO_DATA\n",
        " 0x38    PortNumber             0x03f8              1016\n",
        " 0x38    MsrNumber              0x00000277\n",
        " 0x00  MessageType              0x80010007          HvMessageTypeX64Halt\n",
        "engine SessionStatus notifications, in order:\n  DEBUG_SESSION_ACTIVE\n  DEBUG_SESSION_END\n",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    let missing = fails(&["run", "/nonexistent/guest.elf"]);
    assert!(missing.starts_with("hvtool: /nonexistent/guest.elf: "), "{missing}");
    let not_elf = fails(&["run", env!("CARGO_MANIFEST_DIR")]);
    assert_eq!(not_elf.lines().count(), 1, "{not_elf}");
}

#[test]
fn conformance_passes_on_the_reference_and_names_each_profiles_divergences() {
    use hv_model::hosts::Host;
    let cases = hv_model::conformance::CASES.len();
    let out = ok(&["conformance"]);
    assert!(
        out.ends_with(&format!("{cases} cases: {cases} as expected, 0 failed\n")),
        "{out}"
    );
    // A profile's expected divergences print their rule and do not fail the run.
    let qemu = ok(&["conformance", "--host", "qemu-kvm"]);
    let diverging: Vec<(&str, &str)> = qemu
        .lines()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let case = words.next()?;
            (words.next()? == "diverges:").then_some(case).zip(words.next())
        })
        .collect();
    let expected: Vec<(&str, &str)> = Host::QemuKvm.divergences().iter().map(|(c, r, _)| (*c, *r)).collect();
    assert_eq!(diverging, expected, "{qemu}");
    // The matrix: every case by every profile, each cell pass or a rule; exit 0.
    let matrix = ok(&["conformance", "--matrix"]);
    let header: Vec<&str> = matrix.lines().next().unwrap_or_default().split_whitespace().collect();
    assert_eq!(header, ["case", "reference", "kvm", "qemu-kvm", "virtualbox"]);
    for case in hv_model::conformance::CASES {
        let row = matrix.lines().find(|l| l.split_whitespace().next() == Some(case.name));
        let cells: Vec<&str> = row.unwrap_or_default().split_whitespace().skip(1).collect();
        assert_eq!(cells.len(), 4, "{}: {matrix}", case.name);
        for (host, cell) in Host::ALL.iter().zip(&cells) {
            assert!(
                *cell == "pass" || host.rule(cell).is_some(),
                "{} on {host}: {cell}",
                case.name
            );
        }
    }
    let unknown = fails(&["conformance", "--host", "hyper-v"]);
    assert!(
        unknown.contains("no host profile `hyper-v`; the profiles are reference, kvm, qemu-kvm, virtualbox"),
        "{unknown}"
    );
    let kvm = hvtool(&["conformance", "--kvm"]);
    let stderr = String::from_utf8_lossy(&kvm.stderr);
    if stderr.contains("KVM is not usable here") {
        eprintln!("SKIPPED hvtool conformance --kvm: did not run: {}", stderr.trim());
    } else {
        assert!(kvm.status.success(), "{stderr}");
        let expected = format!("{cases} cases: {cases} as expected, 0 failed\n");
        assert!(String::from_utf8_lossy(&kvm.stdout).ends_with(&expected));
    }
}
