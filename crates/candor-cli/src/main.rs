//! The `candor` binary: a thin shim over the library, so tests and benches
//! share the code.

fn main() -> std::process::ExitCode {
    candor_cli::run()
}
