//! The settings every command shares (the global flags), and the two ways of loading
//! the config: strictly, or for a command that sends (an endpoint with a config problem
//! is left out with a warning). Used by the commands and by the delivery pipeline.

use anyhow::Result;

use crate::cli::Cli;
use crate::config::{locate, Config};

/// Flags every subcommand sees.
#[derive(Debug, Clone)]
pub(crate) struct Global {
    /// `--config`.
    pub config: Option<std::path::PathBuf>,
    /// `-v` count.
    pub verbose: u8,
    /// `-q`.
    pub quiet: bool,
    /// `--json`.
    pub json: bool,
}

impl Global {
    /// Take the global flags out of the parsed command line.
    pub(crate) fn from_cli(cli: &Cli) -> Global {
        Global {
            config: cli.global.config.clone(),
            verbose: cli.global.verbose,
            quiet: cli.global.quiet,
            json: cli.global.json,
        }
    }

    /// Find and load the config; any problem is an exit-2 error.
    pub(crate) fn load(&self) -> Result<Config> {
        let located = locate(self.config.as_deref())?;
        Ok(Config::load(&located.path)?)
    }

    /// Load the config for a command that sends: an endpoint with a config problem is
    /// left out with a warning (the caller exits 2 after delivering the others).
    pub(crate) fn load_for_sending(&self) -> Result<Config> {
        let cfg = self.load()?;
        if cfg.broken.is_empty() {
            return Ok(cfg);
        }
        let r = cfg.redactor();
        for b in &cfg.broken {
            for e in &b.errors {
                self.warn(&format!(
                    "{}\nendpoint {} is left out until this is fixed; the others are sent",
                    r.mask(&e.to_string()),
                    b.label()
                ));
            }
        }
        Ok(cfg)
    }

    /// [`Global::load_for_sending`], or, when no config file is found and none was named
    /// (`--config`, `$BNOTIFY_CONFIG`), an empty config with the defaults: `send --to` and
    /// flushing the outbox entries of `--to` targets need no config file.
    pub(crate) fn load_optional(&self) -> Result<Config> {
        match self.no_config()? {
            Some(empty) => Ok(empty),
            None => self.load_for_sending(),
        }
    }

    /// The empty config when no config file is found and none was named, else `None`.
    pub(crate) fn no_config(&self) -> Result<Option<Config>> {
        let named = self.config.is_some()
            || std::env::var_os("BNOTIFY_CONFIG").is_some_and(|v| !v.is_empty());
        if named || locate(None).is_ok() {
            return Ok(None);
        }
        let none = std::path::Path::new("(no config file)");
        Ok(Some(Config::parse("", none, &|n| std::env::var(n).ok())?))
    }

    /// Print a warning (warnings print even with `-q`).
    pub(crate) fn warn(&self, msg: &str) {
        errln!("warning: {msg}");
    }
}
