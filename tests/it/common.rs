//! Running the real binary, shared by every integration-test module: its path, a `Command` for
//! it, the repository root it runs in, and its output as text.

use std::path::PathBuf;
use std::process::{Command, Output};

/// The `safeguard-audit` binary cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_safeguard-audit");

/// A command for the real binary (no arguments, environment inherited).
pub fn bin() -> Command {
    Command::new(BIN)
}

/// The repository root (where `fixtures/`, `config/` and `rules/` are).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the binary with `args` in the repository root and waits for it.
pub fn run(args: &[&str]) -> Output {
    bin()
        .args(args)
        .current_dir(root())
        .output()
        .expect("run the binary")
}

/// Bytes the binary printed, as text.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// What the binary printed to stdout.
pub fn stdout(o: &Output) -> String {
    text(&o.stdout)
}

/// What the binary printed to stderr.
pub fn stderr(o: &Output) -> String {
    text(&o.stderr)
}
