//! Completions and man pages, generated from the command-line definition itself.

use std::path::Path;

use anyhow::{Context, Result};
use clap::CommandFactory;

use super::Global;
use crate::cli::Cli;
use crate::Outcome;

/// The completion script for `shell`: clap's, with `--endpoint` completing the endpoint
/// names of the current config (bash, zsh, fish; `--config` on the line is honoured).
pub(crate) fn completion(shell: clap_complete::Shell) -> String {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "bnotify", &mut out);
    let script = String::from_utf8_lossy(&out).into_owned();
    match shell {
        clap_complete::Shell::Bash => bash_endpoints(&script),
        clap_complete::Shell::Zsh => zsh_endpoints(&script),
        clap_complete::Shell::Fish => fish_endpoints(&script),
        _ => script,
    }
}

const BASH_HELPER: &str = r#"# The endpoint names of the config in use (--config on the line, else the usual search).
_bnotify_endpoints() {
    local i cfg=""
    for ((i = 1; i < ${#COMP_WORDS[@]} - 1; i++)); do
        case "${COMP_WORDS[i]}" in
            --config) cfg="${COMP_WORDS[i+1]}" ;;
            --config=*) cfg="${COMP_WORDS[i]#--config=}" ;;
        esac
    done
    cfg="${cfg/#\~/$HOME}"
    if [[ -n "$cfg" ]]; then
        BNOTIFY_CONFIG="$cfg" BNOTIFY_COMPLETE=endpoints "${COMP_WORDS[0]}" 2>/dev/null
    else
        BNOTIFY_COMPLETE=endpoints "${COMP_WORDS[0]}" 2>/dev/null
    fi
}

"#;

fn bash_endpoints(script: &str) -> String {
    let files = "--endpoint)\n                    COMPREPLY=($(compgen -f \"${cur}\"))";
    let names =
        "--endpoint)\n                    COMPREPLY=($(compgen -W \"$(_bnotify_endpoints)\" -- \"${cur}\"))";
    let body = script.replace(files, names);
    match body.rfind("if [[ \"${BASH_VERSINFO[0]}\"") {
        Some(at) => format!("{}{BASH_HELPER}{}", &body[..at], &body[at..]),
        None => format!("{body}\n{BASH_HELPER}"),
    }
}

const ZSH_HELPER: &str = r#"(( $+functions[_bnotify_endpoints] )) ||
_bnotify_endpoints() {
    local -a names cfg line
    line=(${(Q)${(z)BUFFER}})
    local i=${line[(I)--config]}
    (( i )) && cfg=(BNOTIFY_CONFIG=${line[i+1]/#\~/$HOME})
    names=(${(f)"$(env $cfg BNOTIFY_COMPLETE=endpoints ${line[1]} 2>/dev/null)"})
    _describe -t endpoints 'endpoint' names
}

"#;

fn zsh_endpoints(script: &str) -> String {
    let body: Vec<String> = script
        .lines()
        .map(|l| {
            if l.contains("--endpoint=[") {
                l.replace(":NAME:_default'", ":NAME:_bnotify_endpoints'")
            } else {
                l.to_string()
            }
        })
        .collect();
    let body = body.join("\n") + "\n";
    match body.find("if [ \"$funcstack[1]\" = \"_bnotify\" ]") {
        Some(at) => format!("{}{ZSH_HELPER}{}", &body[..at], &body[at..]),
        None => format!("{body}\n{ZSH_HELPER}"),
    }
}

const FISH_HELPER: &str = r#"# The endpoint names of the config in use (--config on the line, else the usual search).
function __fish_bnotify_endpoints
    set -l tokens (commandline -opc)
    set -l i (contains -i -- --config $tokens)
    if test -n "$i"; and test (count $tokens) -gt $i
        BNOTIFY_CONFIG=$tokens[(math $i + 1)] BNOTIFY_COMPLETE=endpoints $tokens[1] 2>/dev/null
    else
        BNOTIFY_COMPLETE=endpoints $tokens[1] 2>/dev/null
    end
end

"#;

fn fish_endpoints(script: &str) -> String {
    let body: Vec<String> = script
        .lines()
        .map(|l| {
            if l.contains(" -l endpoint ") && l.ends_with(" -r") {
                format!("{l} -f -a \"(__fish_bnotify_endpoints)\"")
            } else {
                l.to_string()
            }
        })
        .collect();
    format!("{FISH_HELPER}{}\n", body.join("\n"))
}

/// `bnotify.1`, one page per subcommand (nested ones too) and `bnotify.yaml.5` (the
/// config file), as (file name, roff).
pub(crate) fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut pages = Vec::new();
    let mut cmd = Cli::command();
    cmd.build();
    collect(&cmd, "bnotify", &mut pages);
    pages.push(("bnotify.yaml.5".to_string(), super::manpage::config_page()));
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
pub(crate) fn completions(shell: clap_complete::Shell) -> Result<Outcome> {
    crate::report::stdout_raw(&completion(shell));
    Ok(Outcome::Success)
}

/// `bnotify man [--dir DIR]`.
pub(crate) fn man(dir: Option<&Path>) -> Result<Outcome> {
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
            errln!("wrote {} pages to {}", pages.len(), d.display());
        }
    }
    Ok(Outcome::Success)
}

/// The variable the completion scripts set to ask for values instead of running a command.
pub(crate) const COMPLETE_VAR: &str = "BNOTIFY_COMPLETE";

/// `BNOTIFY_COMPLETE=endpoints bnotify`: the endpoint names of the current config (also
/// `$BNOTIFY_CONFIG`), one per line; `=events`: the known events. `None` when the variable
/// is not set, so the command line is parsed as usual.
pub(crate) fn complete_from_env() -> Option<u8> {
    let what = std::env::var_os(COMPLETE_VAR)?;
    if what != "endpoints" && what != "events" {
        return None;
    }
    let g = Global {
        config: None,
        verbose: 0,
        quiet: true,
        json: false,
    };
    match what.to_str() {
        Some("endpoints") => {
            let _ = super::config::endpoint_names(&g);
        }
        Some("events") => {
            for (name, _) in crate::event::KNOWN_EVENTS {
                outln!("{name}");
            }
        }
        _ => return None,
    }
    Some(0)
}
