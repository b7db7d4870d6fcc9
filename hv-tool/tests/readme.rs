//! Every `hvtool` command in the README runs as written from the repository root: each line of a `sh`
//! block that starts with `hvtool` exits 0 with nothing on standard error, and each `$ hvtool` line of a
//! `console` block prints exactly the lines below it. `HVTOOL_README=overwrite` writes the current outputs
//! into the README instead.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A command line split as a shell splits these simple ones: words, `"..."` quoted words, `< FILE`, and
/// a `#` comment after two spaces.
fn words(line: &str) -> (Vec<String>, Option<String>) {
    let line = line.split("  #").next().unwrap_or_default();
    let mut words = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        let (word, tail) = match rest.strip_prefix('"') {
            Some(quoted) => quoted.split_once('"').expect("a closing quote"),
            None => rest.split_once(' ').unwrap_or((rest, "")),
        };
        words.push(word.to_owned());
        rest = tail.trim_start();
    }
    let stdin = match words.iter().position(|w| w == "<") {
        Some(at) => {
            let file = words.get(at + 1).cloned();
            words.truncate(at);
            file
        }
        None => None,
    };
    (words, stdin)
}

fn run(line: &str) -> Output {
    let (words, stdin) = words(line);
    assert_eq!(words.first().map(String::as_str), Some("hvtool"), "{line}");
    let stdin = match stdin {
        Some(file) => Stdio::from(std::fs::File::open(root().join(&file)).expect("the README's input file")),
        None => Stdio::null(),
    };
    Command::new(env!("CARGO_BIN_EXE_hvtool"))
        .args(&words[1..])
        .current_dir(root())
        .stdin(stdin)
        .output()
        .expect("hvtool runs")
}

/// The fenced blocks of the README: (info string, lines).
fn blocks(readme: &str) -> Vec<(String, Vec<String>)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, Vec<String>)> = None;
    for line in readme.lines() {
        match (line.strip_prefix("```"), open.take()) {
            (Some(info), None) => open = Some((info.to_owned(), Vec::new())),
            (Some(_), Some(block)) => blocks.push(block),
            (None, Some((info, mut lines))) => {
                lines.push(line.to_owned());
                open = Some((info, lines));
            }
            (None, None) => {}
        }
    }
    blocks
}

/// Why `hvtool run`'s README output cannot be compared here: KVM is unusable, or this compiler is not the
/// one whose code layout the README's addresses and register values come from.
fn cannot_run_the_guest() -> Option<String> {
    if let Err(e) = hv_kvm::kvm_usable() {
        return Some(format!("did not run: {e}"));
    }
    (!PINNED_COMPILER).then(|| "its RIPs and registers are those of the guest as Rust 1.95.0 compiles it".to_owned())
}

#[rustversion::stable(1.95.0)]
const PINNED_COMPILER: bool = true;
#[rustversion::not(stable(1.95.0))]
const PINNED_COMPILER: bool = false;

#[test]
fn every_readme_example_runs_as_written_and_prints_what_the_readme_shows() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let (mut commands, mut outputs) = (0, 0);
    // After a change to hvtool's output (or to the test guest, whose addresses `hvtool run` shows), this
    // writes the new outputs into the README instead of failing.
    let overwrite = std::env::var("HVTOOL_README").as_deref() == Ok("overwrite");
    let mut updated = readme.clone();
    for (info, lines) in blocks(&readme) {
        match info.as_str() {
            "sh" => {
                for line in lines.iter().filter(|l| l.starts_with("hvtool ")) {
                    let out = run(line);
                    assert!(
                        out.status.success() && out.stderr.is_empty(),
                        "README line `{line}` failed: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    assert!(!out.stdout.is_empty(), "README line `{line}` printed nothing");
                    commands += 1;
                }
            }
            "console" => {
                let text = lines.join("\n") + "\n";
                for example in text.split("$ ").filter(|e| !e.is_empty()) {
                    let (line, expected) = example.split_once('\n').expect("a command line");
                    if line.starts_with("hvtool run") {
                        if let Some(why) = cannot_run_the_guest() {
                            eprintln!("SKIPPED README example `{line}`: {why}");
                            continue;
                        }
                    }
                    let out = run(line);
                    assert!(out.status.success(), "README example `{line}` failed");
                    let actual = String::from_utf8(out.stdout).expect("UTF-8 output");
                    if overwrite && actual != expected {
                        updated = updated.replacen(&format!("$ {line}\n{expected}"), &format!("$ {line}\n{actual}"), 1);
                    } else {
                        assert_eq!(
                            actual, expected,
                            "README example `{line}` prints something else \
                             (HVTOOL_README=overwrite cargo test -p hv-tool --test readme updates the README)"
                        );
                    }
                    outputs += 1;
                }
            }
            _ => {}
        }
    }
    assert!(
        commands >= 16,
        "the README's command list was found ({commands} commands)"
    );
    assert!(outputs >= 3, "the README's examples were found ({outputs} outputs)");
    if overwrite && updated != readme {
        std::fs::write(root().join("README.md"), updated).expect("README.md is writable");
        eprintln!("README.md updated with hvtool's current output");
    }
}

#[test]
fn command_lines_split_as_the_shell_splits_them() {
    assert_eq!(
        words(r#"hvtool decode segment "00 11 22" -f x  # a comment"#),
        (
            ["hvtool", "decode", "segment", "00 11 22", "-f", "x"]
                .map(String::from)
                .to_vec(),
            None
        )
    );
    assert_eq!(
        words("hvtool decode message - < dump.xxd"),
        (
            ["hvtool", "decode", "message", "-"].map(String::from).to_vec(),
            Some("dump.xxd".to_owned())
        )
    );
}
