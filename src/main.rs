//! The `bnotify` binary: parse, run, turn the result into an exit code.
//!
//! Output goes through `bnotify::report`, which never panics: a closed stdout or stderr
//! (EPIPE) is left alone and the command finishes with its usual exit code (README,
//! "Exit codes").

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    if let Some(code) = bnotify::commands::generate::complete_from_env() {
        return code;
    }
    let cli = bnotify::cli::Cli::parse();
    match bnotify::run(cli) {
        Ok(bnotify::Outcome::Success) => ExitCode::SUCCESS,
        Ok(bnotify::Outcome::Failed) => ExitCode::from(1),
        Ok(bnotify::Outcome::Exit(code)) => ExitCode::from(u8::try_from(code & 0xff).unwrap_or(1)),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            bnotify::errln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
