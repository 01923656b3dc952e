// glibc's malloc spends a third of a run allocating and freeing the many small
// nodes of parsed manifests; mimalloc halves that (README, Performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    charter::cli::main()
}
