//! The `loyalsim` command: parse the command line once, run, map errors to exit codes.

use clap::Parser;

fn main() {
    let options = loyalsim::cli::Options::parse();
    if let Err(e) = loyalsim::cli::run(options) {
        eprintln!("error: {e}");
        std::process::exit(e.exit_code());
    }
}
