//! Workspace-level tests for hv-abi, and the fuzz harness.
//!
//! [`harness`] holds one function per fuzz target. `fuzz/` runs them under libFuzzer (nightly
//! `cargo fuzz`); `tests/fuzz_corpus.rs` runs them as ordinary tests over the checked-in seed corpus and
//! over proptest's random inputs, so every CI run exercises them.

pub mod harness;
pub mod model;
