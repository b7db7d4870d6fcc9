//! `hvtool`: decode Hyper-V hypercall values and messages, print the ABI tables, simulate debug sessions.

#![forbid(unsafe_code)]

use std::io::{ErrorKind, IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod abi;
mod conformance;
mod decode;
mod hexdump;
mod names;
mod run;
mod simulate;
mod state;
mod table;

/// Decode Hyper-V hypercall values and messages, and print the ABI tables.
#[derive(Parser)]
#[command(name = "hvtool", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print every type layout, bitfield, code and flag table (TLFS names included).
    Abi {
        /// Print JSON for comparison with C headers instead of readable tables.
        #[arg(long)]
        json: bool,
    },
    /// Decode raw values or messages.
    Decode {
        /// One JSON object per value or message (JSON Lines) instead of tables.
        #[arg(long, global = true)]
        json: bool,
        /// Colour the tables: `auto` colours them only when standard output is a terminal (and NO_COLOR
        /// is unset).
        #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
        color: clap::ColorChoice,
        /// Read the values (one a line, `#` comments and blank lines skipped) or the dump from FILE.
        #[arg(long, short = 'f', global = true, value_name = "FILE")]
        file: Option<std::path::PathBuf>,
        #[command(subcommand)]
        what: decode::What,
    },
    /// Boot a guest on KVM with hv-kvm (the bundled test guest, or GUEST) and print its session: the
    /// synthetic MSR writes, every hypercall and its status, the debug channel's bytes both ways, each
    /// intercept message decoded, and the engine's SessionStatus notifications in order.
    Run {
        /// A 64-bit guest ELF (hv-kvm's boot layout: entered in long mode, identity-mapped).
        guest: Option<std::path::PathBuf>,
        /// vCPUs.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=8))]
        vcpus: u32,
        /// What the host end answers each post with, sent while the guest waits for data.
        #[arg(long, default_value = "hello from the host, and more")]
        reply: String,
        /// RDI at the guest's entry (the bundled guest: 0 session, 2 reboot).
        #[arg(long, default_value_t = 0)]
        boot_word: u64,
        /// Colour the decoded messages (`auto`: only on a terminal, and not with NO_COLOR).
        #[arg(long, value_name = "WHEN", default_value = "auto")]
        color: clap::ColorChoice,
    },
    /// Run the debug-hypercall conformance suite (hv_model::conformance) and print a pass/fail table:
    /// on the reference model, or on an adapter with QEMU's documented divergences.
    Conformance {
        /// Run it on a real host's profile of the model: reference, kvm, qemu-kvm or virtualbox. A case the
        /// profile fails for one of its named rules is an expected divergence, not a failure.
        #[arg(long, value_name = "PROFILE", default_value = "reference", conflicts_with_all = ["kvm", "matrix"])]
        host: String,
        /// Run it on hv-kvm's exit path: the bundled test guest issues each call from a real vCPU.
        #[arg(long, conflicts_with = "matrix")]
        kvm: bool,
        /// Every case against every profile: pass, the rule of an expected divergence, or FAIL.
        #[arg(long)]
        matrix: bool,
    },
    /// Print a shell completion script: `hvtool completions bash > /etc/bash_completion.d/hvtool`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Run a debug session on the reference model: guest calls, host I/O, lifecycle events, and the
    /// engine's SessionStatus notifications in order.
    Simulate {
        /// A script, one command a line (`-` reads standard input, as does a script piped in without it).
        script: Option<std::path::PathBuf>,
        /// Run the built-in session instead of a script.
        #[arg(long, conflicts_with = "script")]
        builtin: bool,
        /// Print the built-in script instead of running it.
        #[arg(long, conflicts_with_all = ["script", "builtin"])]
        print_default: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Output, then the error that stopped the command (if any): nothing already done is lost.
    let (out, err) = match cli.command {
        Command::Abi { json: true } => (abi::json(), None),
        Command::Abi { json: false } => (abi::text(), None),
        Command::Decode {
            json,
            color,
            file,
            what,
        } => {
            let format = if json {
                decode::Format::Json
            } else {
                decode::Format::Text(paint(color))
            };
            decode::run(&what, format, &decode::Source { file: file.as_deref() })
        }
        Command::Run {
            guest,
            vcpus,
            reply,
            boot_word,
            color,
        } => {
            let options = run::Options {
                guest: guest.as_deref(),
                vcpus,
                reply: &reply,
                boot_word,
            };
            run::run(&options, decode::Format::Text(paint(color)))
        }
        Command::Conformance { host, kvm, matrix } => conformance::run(if matrix {
            conformance::Target::Matrix
        } else if kvm {
            conformance::Target::Kvm
        } else {
            conformance::Target::Host(&host)
        }),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "hvtool",
                &mut script,
            );
            (String::from_utf8_lossy(&script).into_owned(), None)
        }
        Command::Simulate {
            print_default: true, ..
        } => (simulate::DEFAULT_SCRIPT.to_owned(), None),
        Command::Simulate { builtin: true, .. } => simulate::run(simulate::DEFAULT_SCRIPT),
        Command::Simulate { script, .. } => match read_script(script.as_deref()) {
            Ok(script) => simulate::run(&script),
            Err(e) => (String::new(), Some(e)),
        },
    };
    let mut code = ExitCode::SUCCESS;
    match std::io::stdout().lock().write_all(out.as_bytes()) {
        // The reader went away (`hvtool ... | head`): stop quietly, as every Unix filter does.
        Err(e) if e.kind() == ErrorKind::BrokenPipe => {}
        Err(e) => code = report(&format!("cannot write the output: {e}")),
        Ok(()) => {}
    }
    if let Some(e) = err {
        code = report(&e);
    }
    code
}

/// Colour only on a terminal, unless asked; `NO_COLOR` turns `auto` off.
fn paint(choice: clap::ColorChoice) -> table::Paint {
    table::Paint(match choice {
        clap::ColorChoice::Always => true,
        clap::ColorChoice::Never => false,
        clap::ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    })
}

/// Prints `hvtool: message` on standard error; the failing exit code.
fn report(message: &str) -> ExitCode {
    // Nothing is left to tell when standard error itself is gone.
    let _ = writeln!(std::io::stderr(), "hvtool: {message}");
    ExitCode::FAILURE
}

/// Standard input as text, for `-` or for input piped in without an argument. `what` names the input in
/// the errors: a terminal or an empty input is missing input, never an empty default.
pub(crate) fn read_stdin(what: &str, explicit: bool) -> Result<String, String> {
    let stdin = std::io::stdin();
    if !explicit && stdin.is_terminal() {
        return Err(format!(
            "no {what} given: pass it as an argument, `-` for standard input, or pipe it in"
        ));
    }
    let text =
        std::io::read_to_string(stdin).map_err(|e| format!("cannot read the {what} from standard input: {e}"))?;
    if text.trim().is_empty() {
        return Err(format!("no {what} given: standard input is empty"));
    }
    Ok(text)
}

fn read_script(path: Option<&std::path::Path>) -> Result<String, String> {
    let script = match path {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
        }
        explicit => {
            return read_stdin("script", explicit.is_some())
                .map_err(|e| format!("{e}; `--builtin` runs the built-in session"));
        }
    };
    if script.trim().is_empty() {
        return Err(format!(
            "{}: the script is empty",
            path.map_or("-".into(), |p| p.display().to_string())
        ));
    }
    Ok(script)
}
