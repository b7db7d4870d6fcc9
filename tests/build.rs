//! Compiles and runs c/hv_layout.c with the C compiler the `cc` crate selects, and saves what it prints
//! (every sizeof, offsetof and bitfield mask of the published C definitions) for tests/c_layout.rs.

use std::path::PathBuf;
use std::process::Command;
use std::{env, fs};

fn main() {
    let source = "c/hv_layout.c";
    println!("cargo:rerun-if-changed={source}");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let exe = out.join("hv_layout");
    let compiler = cc::Build::new()
        .cargo_metadata(false)
        .warnings(true)
        .extra_warnings(true)
        .get_compiler();
    let status = compiler
        .to_command()
        .args(["-std=gnu11", "-Werror", "-o"])
        .arg(&exe)
        .arg(source)
        .status()
        .unwrap_or_else(|e| panic!("cannot run the C compiler {:?}: {e}", compiler.path()));
    assert!(status.success(), "compiling {source} failed ({status})");
    let run = Command::new(&exe)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", exe.display()));
    assert!(
        run.status.success(),
        "{} failed: {}",
        exe.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    fs::write(out.join("c_layout.txt"), run.stdout).expect("write c_layout.txt");
}
