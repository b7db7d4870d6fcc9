//! The derive rejects a wrong size, a wrong or missing offset, overlapping bit ranges, uncovered bits
//! and a field type too narrow for its range, each with a message that names what is wrong.

#[test]
fn layout_and_bitfield_mistakes_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
