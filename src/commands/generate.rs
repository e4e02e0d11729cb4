//! Completions and man pages, generated from the command-line definition itself.

use std::path::Path;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::Cli;
use crate::Outcome;

/// The completion script for `shell`.
pub fn completion(shell: clap_complete::Shell) -> String {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "bnotify", &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// `bnotify.1` and one page per subcommand (nested ones too), as (file name, roff).
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut pages = Vec::new();
    let mut cmd = Cli::command();
    cmd.build();
    collect(&cmd, "bnotify", &mut pages);
    pages
}

fn collect(cmd: &clap::Command, name: &str, pages: &mut Vec<(String, Vec<u8>)>) {
    let page_cmd = cmd.clone().name(name.to_string());
    let mut out = Vec::new();
    if clap_mangen::Man::new(page_cmd).render(&mut out).is_ok() {
        pages.push((format!("{name}.1"), out));
    }
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        collect(sub, &format!("{name}-{}", sub.get_name()), pages);
    }
}

/// `bnotify completions SHELL`.
pub fn completions(shell: clap_complete::Shell) -> Result<Outcome> {
    crate::report::stdout_raw(&completion(shell));
    Ok(Outcome::Success)
}

/// `bnotify man [--dir DIR]`.
pub fn man(dir: Option<&Path>) -> Result<Outcome> {
    let pages = man_pages();
    match dir {
        None => {
            if let Some((_, page)) = pages.first() {
                std::io::Write::write_all(&mut std::io::stdout(), page)?;
            }
        }
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
            for (name, page) in &pages {
                let p = d.join(name);
                std::fs::write(&p, page).with_context(|| format!("writing {}", p.display()))?;
            }
            crate::errln!("wrote {} pages to {}", pages.len(), d.display());
        }
    }
    Ok(Outcome::Success)
}
