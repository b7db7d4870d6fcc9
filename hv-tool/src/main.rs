//! `hvtool`: decode Hyper-V hypercall values and messages, print the ABI tables, simulate debug sessions.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod abi;
mod decode;
mod simulate;

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
    /// Decode a raw value or message.
    #[command(subcommand)]
    Decode(decode::What),
    /// Run a debug session on the reference model: guest calls, host I/O, lifecycle events, and the
    /// engine's SessionStatus notifications in order.
    Simulate {
        /// A script, one command a line (`-` reads standard input); without it, a built-in session runs.
        script: Option<std::path::PathBuf>,
        /// Print the built-in script instead of running it.
        #[arg(long)]
        print_default: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Output, then the error that stopped the command (if any): nothing already done is lost.
    let (out, err) = match cli.command {
        Command::Abi { json: true } => (abi::json(), None),
        Command::Abi { json: false } => (abi::text(), None),
        Command::Decode(what) => match decode::run(&what) {
            Ok(out) => (out, None),
            Err(e) => (String::new(), Some(e)),
        },
        Command::Simulate {
            print_default: true, ..
        } => (simulate::DEFAULT_SCRIPT.to_owned(), None),
        Command::Simulate { script: None, .. } => simulate::run(simulate::DEFAULT_SCRIPT),
        Command::Simulate { script: Some(path), .. } => match read_script(&path) {
            Ok(script) => simulate::run(&script),
            Err(e) => (String::new(), Some(e)),
        },
    };
    print!("{out}");
    match err {
        None => ExitCode::SUCCESS,
        Some(e) => {
            eprintln!("hvtool: {e}");
            ExitCode::FAILURE
        }
    }
}

fn read_script(path: &std::path::Path) -> Result<String, String> {
    if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| format!("cannot read the script from standard input: {e}"))
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    }
}
