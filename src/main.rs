//! The `safeguard-audit` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    safeguard_audit::cli::main()
}
