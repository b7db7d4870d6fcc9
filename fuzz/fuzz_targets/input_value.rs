//! Fuzz target: `hv_tests::harness::input_value` (its doc says what it asserts).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hv_tests::harness::input_value(data));
