//! `textfile`: the metrics of `pushgateway` written atomically to `dir/bnotify.prom`, for
//! node_exporter's textfile collector (a temp file in the same directory, then a rename,
//! so the collector never reads half a file).

use std::path::PathBuf;

use serde::Deserialize;

use super::{ChannelType, DeliveryError, Invalid, Message, Outgoing};

/// Registry row.
pub(crate) const TYPE: ChannelType = ChannelType {
    name: "textfile",
    http: false,
    keys: super::fields_of::<Textfile>,
    build: super::build::<Textfile>,
};

/// The file name written in `dir`.
pub(crate) const FILE_NAME: &str = "bnotify.prom";

/// A node_exporter textfile collector directory.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Textfile {
    dir: PathBuf,
}

/// A file to write whole, atomically.
#[derive(Debug, Clone)]
pub(crate) struct FileWrite {
    /// Where.
    pub path: PathBuf,
    /// What.
    pub bytes: Vec<u8>,
}

impl FileWrite {
    /// Write it: a temp file in the same directory renamed over the target. The file is
    /// readable by the collector (mode 0644), as its directory allows.
    pub(crate) fn write(&self) -> Result<(), DeliveryError> {
        let failed = |e: std::io::Error| {
            DeliveryError::new(format!("cannot write {}: {e}", self.path.display()))
        };
        crate::files::write_atomic(&self.path, &self.bytes, false).map_err(failed)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o644))
                .map_err(failed)?;
        }
        Ok(())
    }
}

impl super::Channel for Textfile {
    fn prepare(&self, _msg: &Message) -> Result<Vec<Outgoing>, DeliveryError> {
        let text = super::pushgateway::render(&crate::history::history());
        Ok(vec![Outgoing::File(FileWrite {
            path: self.dir.join(FILE_NAME),
            bytes: text.into_bytes(),
        })])
    }

    fn secrets(&self) -> Vec<String> {
        Vec::new()
    }

    fn validate(&self) -> Result<(), Invalid> {
        if self.dir.as_os_str().is_empty() {
            return Err(Invalid::key("dir", "the directory is empty")
                .hint("e.g. dir: /var/lib/prometheus/node-exporter"));
        }
        Ok(())
    }

    fn uses_history(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod prepare_table {
    use super::super::testkit::{channel, event, prepare};
    use super::super::Outgoing;

    #[test]
    fn one_file_in_the_collector_directory() {
        let ch = channel("textfile", "{dir: /var/lib/node_exporter}");
        let out = prepare(&*ch, &event("backup_success", None));
        let Outgoing::File(f) = &out[0] else {
            panic!("not a file write")
        };
        assert_eq!(
            f.path,
            std::path::Path::new("/var/lib/node_exporter/bnotify.prom")
        );
    }
}
