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
    use std::path::Path;

    use crate::channels::testkit::{channel, event, metrics_histories_fixture, prepare};
    use crate::channels::Outgoing;

    /// Every status rewrites `dir/bnotify.prom` whole with the task histories.
    #[test]
    fn one_file_of_the_histories_in_the_collector_directory() {
        let want = metrics_histories_fixture();
        for (keys, ev, path) in [
            (
                "{dir: /var/lib/node_exporter}",
                "backup_start",
                "/var/lib/node_exporter/bnotify.prom",
            ),
            (
                "{dir: /var/lib/node_exporter/}",
                "backup_success",
                "/var/lib/node_exporter/bnotify.prom",
            ),
            (
                "{dir: 'textfile dir'}",
                "backup_failure",
                "textfile dir/bnotify.prom",
            ),
            ("{dir: /tmp/prom}", "user_login", "/tmp/prom/bnotify.prom"),
        ] {
            let out = prepare(&*channel("textfile", keys), &event(ev, None));
            assert_eq!(out.len(), 1, "{keys}");
            let Outgoing::File(f) = &out[0] else {
                panic!("{keys}: not a file write")
            };
            assert_eq!(f.path, Path::new(path), "{keys}");
            assert_eq!(
                String::from_utf8(f.bytes.clone()).unwrap(),
                want,
                "{keys} {ev}"
            );
        }
    }

    /// The write is atomic and leaves a file the collector can read (mode 0644).
    #[test]
    fn the_file_is_written_whole_and_readable() {
        let dir = tempfile::tempdir().unwrap();
        let keys = format!("{{dir: '{}'}}", dir.path().display());
        let want = metrics_histories_fixture();
        let out = prepare(
            &*channel("textfile", &keys),
            &event("backup_failure", Some(2)),
        );
        let Outgoing::File(f) = &out[0] else {
            panic!("not a file write")
        };
        std::fs::write(&f.path, "stale").unwrap();
        f.write().unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("bnotify.prom")).unwrap(),
            want
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&f.path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o644);
        }
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temp file left behind");
    }
}
