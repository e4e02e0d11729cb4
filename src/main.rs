//! The `bnotify` binary: everything is in the library's [`bnotify::main`].

fn main() -> std::process::ExitCode {
    bnotify::main()
}
