//! The fuzz harness as ordinary tests: every checked-in seed of fuzz/seeds, then proptest's random
//! inputs, through the same functions the fuzz targets call.

use std::fs;
use std::path::PathBuf;

use hv_tests::harness;
use proptest::prelude::*;

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/seeds")
        .join(target);
    let mut seeds: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("directory entry").path();
            let data = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path.file_name().unwrap().to_string_lossy().into_owned(), data)
        })
        .collect();
    seeds.sort();
    assert!(seeds.len() >= 6, "{target}: only {} seeds", seeds.len());
    seeds
}

fn run_seeds(target: &str, harness: fn(&[u8])) {
    for (name, data) in seeds(target) {
        let ok = std::panic::catch_unwind(|| harness(&data));
        assert!(ok.is_ok(), "{target}/{name} failed");
    }
}

#[test]
fn input_value_seeds() {
    run_seeds("input_value", harness::input_value);
}

#[test]
fn message_seeds() {
    run_seeds("message", harness::message);
}

#[test]
fn dispatcher_seeds() {
    run_seeds("dispatcher", harness::dispatcher);
}

proptest! {
    #[test]
    fn input_value_random(data in proptest::collection::vec(any::<u8>(), 0..16)) {
        harness::input_value(&data);
    }

    #[test]
    fn message_random(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        harness::message(&data);
    }

    #[test]
    fn dispatcher_random(data in proptest::collection::vec(any::<u8>(), 0..4096)) {
        harness::dispatcher(&data);
    }
}
