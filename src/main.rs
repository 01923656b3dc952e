fn main() -> std::process::ExitCode {
    charter::cli::main()
}
