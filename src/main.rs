//! The `loyalsim` command: parse the command line once, run, map errors to exit codes.

use clap::Parser;

fn main() {
    let options = match loyalsim::cli::Options::try_parse() {
        Ok(options) => options,
        Err(e) => loyalsim::cli::exit_on_parse_error(e),
    };
    if let Err(e) = loyalsim::cli::run(options) {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}
