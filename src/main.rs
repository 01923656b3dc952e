// glibc's malloc spent a third of a run allocating and freeing the many small
// nodes of parsed manifests; mimalloc halves that (README, Performance). Its
// `no_thp` feature keeps it from asking for transparent huge pages: with them
// a run touched 2 MiB pages for kilobytes of data, and peaked at 104 MiB
// instead of 62 MiB for the same speed.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    charter::cli::main()
}
