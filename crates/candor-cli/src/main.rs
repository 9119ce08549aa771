//! The `candor` binary: a thin shim over the library, so tests and benches
//! share the code.

/// mimalloc rather than glibc's allocator: an import allocates and frees
/// on many threads (the runtime's, the database drivers', the enrichment
/// pool's), and glibc spent a quarter of a 1M-interaction import in
/// malloc, free and their locks; with mimalloc the same import runs 20%
/// faster at about the same peak memory (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    candor_cli::run()
}
