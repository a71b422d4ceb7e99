//! The `loyalsim` command: parse the command line once, run, map errors to exit codes.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let options = match loyalsim::cli::Options::try_parse() {
        Ok(options) => options,
        Err(e) => return loyalsim::cli::parse_error(e),
    };
    match loyalsim::cli::run(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
