//! The `safeguard-audit` binary: everything lives in the library.

/// mimalloc rather than the system allocator: the big audits build and drop millions of small
/// values, and glibc's malloc hands its large blocks back to the kernel and faults them in
/// again page by page (300,000 page faults at a million cases against 9,000). The choice is
/// the binary's; the library works with any allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    safeguard_audit::cli::main()
}
