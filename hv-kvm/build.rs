//! Builds the bundled test guest (`hv-test-guest`, a workspace member) for `x86_64-unknown-none` into
//! `OUT_DIR`, so `hv_kvm::bundled_guest()` and `hvtool run` have it. Outside the workspace (a crate built
//! from its package) there is no guest source, and the library says so at run time; a guest that fails
//! to build is reported the same way, with cargo's error, rather than failing this crate's build.

use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = "x86_64-unknown-none";

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let guest = manifest_dir.join("../hv-test-guest");
    println!("cargo:rerun-if-changed={}", guest.display());
    println!(
        "cargo:rerun-if-changed={}",
        manifest_dir.join("../hv-guest/src").display()
    );
    println!("cargo:rustc-check-cfg=cfg(hv_bundled_guest)");
    let result = if guest.join("Cargo.toml").exists() {
        build(&guest, &out_dir)
    } else {
        Err("this build has no guest source (hv-kvm was built outside its workspace)".to_owned())
    };
    match result {
        Ok(elf) => {
            println!("cargo:rustc-cfg=hv_bundled_guest");
            println!("cargo:rustc-env=HV_KVM_GUEST_ELF={}", elf.display());
        }
        Err(why) => {
            println!(
                "cargo:warning=hv-kvm: no bundled test guest: {}",
                why.lines().next().unwrap_or_default()
            );
            println!("cargo:rustc-env=HV_KVM_GUEST_MISSING={}", why.replace('\n', " "));
        }
    }
}

/// `cargo build` of the guest with its own target directory (the outer build holds the workspace's), and
/// without the outer build's compiler flags and wrappers, which are for the host.
fn build(guest: &Path, out_dir: &Path) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = out_dir.join("guest");
    let output = Command::new(cargo)
        .args(["build", "--release", "--target", TARGET, "--manifest-path"])
        .arg(guest.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR")
        // A fixed load address: the guest is linked at 1 MiB as an ordinary executable.
        .env(
            "CARGO_TARGET_X86_64_UNKNOWN_NONE_RUSTFLAGS",
            "-C relocation-model=static",
        )
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let error = stderr
            .lines()
            .find(|l| l.starts_with("error"))
            .unwrap_or("cargo build failed")
            .to_owned();
        let hint = if stderr.contains("target may not be installed") {
            format!("; `rustup target add {TARGET}` installs it")
        } else {
            String::new()
        };
        return Err(format!("building hv-test-guest for {TARGET}: {error}{hint}"));
    }
    Ok(target_dir.join(TARGET).join("release").join("hv-test-guest"))
}
