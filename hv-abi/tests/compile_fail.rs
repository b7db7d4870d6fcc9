//! The derive rejects a wrong size, a wrong or missing offset, overlapping bit ranges, uncovered bits
//! and a field type too narrow for its range, each with a message that names what is wrong.
//!
//! The expected `.stderr` files pin one compiler's wording, so the test runs on that toolchain only (as
//! thiserror's `tests/compiletest.rs` does with nightly); `.ci/run` runs it with `cargo +1.95.0`.

// Before `#[test]`, which reads `#[ignore]` when it expands.
#[rustversion::attr(
    not(stable(1.95)),
    ignore = "the UI output is pinned to Rust 1.95: cargo +1.95.0 test"
)]
#[test]
fn layout_and_bitfield_mistakes_do_not_compile() {
    // trybuild builds every case as its own crate, a minute or more on a cold cache: say so, since the
    // test harness prints nothing until it ends. Written to the stderr handle, which the harness does not
    // capture (it captures `eprintln!`).
    let _ = std::io::Write::write_all(
        &mut std::io::stderr(),
        b"compile_fail: building each tests/ui/*.rs with trybuild and comparing its errors (slow)\n",
    );
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
