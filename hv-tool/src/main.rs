//! `hvtool`: decode Hyper-V hypercall values and messages, print the ABI tables, simulate debug sessions.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod abi;
mod decode;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Abi { json: true } => Ok(abi::json()),
        Command::Abi { json: false } => Ok(abi::text()),
        Command::Decode(what) => decode::run(&what),
    };
    match result {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("hvtool: {e}");
            ExitCode::FAILURE
        }
    }
}
