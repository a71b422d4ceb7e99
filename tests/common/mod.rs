//! Helpers shared by the integration tests that run the binary.
#![allow(dead_code)] // each test crate uses a different subset

use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_loyalsim");

/// A command for the binary, with no inherited thread setting so runs are comparable.
pub fn loyalsim() -> Command {
    let mut c = Command::new(BIN);
    c.env_remove("RAYON_NUM_THREADS");
    c
}

pub fn output_of(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot start {BIN}: {e}"))
}

/// A failed command, its exit code and both streams, for an assertion message.
pub fn describe(cmd_line: &str, out: &Output) -> String {
    format!(
        "`{cmd_line}` exited with {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
