//! Files bnotify keeps for itself (outbox entries, noise-control state): private
//! directories, atomic writes through unpredictable temp names, and lock files that are
//! never opened through a symlink.
//!
//! Directories are created 0700 and files 0600 (SPEC §8): queued payloads hold error
//! texts, host names and logs. A temp file is created exclusively (`O_EXCL`, random name)
//! in the target directory and renamed over the target, so a symlink planted there by
//! another user is replaced, never followed.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Create `dir` (and its parents) with mode 0700 when missing. Returns a warning when it
/// already exists and other users may read or enter it.
pub(crate) fn private_dir(dir: &Path) -> io::Result<Option<String>> {
    match fs::symlink_metadata(dir) {
        Ok(m) if m.is_dir() => Ok(loose_mode_warning(dir, &m)),
        Ok(_) => {
            // A symlink (or a file) where our directory should be: use it only when it
            // leads to a directory, as an administrator may have arranged on purpose.
            let m = fs::metadata(dir)?;
            if m.is_dir() {
                Ok(loose_mode_warning(dir, &m))
            } else {
                Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} exists and is not a directory", dir.display()),
                ))
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            create_dir_0700(dir)?;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
fn create_dir_0700(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_dir_0700(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn loose_mode_warning(dir: &Path, m: &fs::Metadata) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = m.permissions().mode() & 0o777;
    (mode & 0o077 != 0).then(|| {
        format!(
            "{} is readable by other users (mode {mode:o}); it holds queued notifications: run chmod 700 {}",
            dir.display(),
            dir.display()
        )
    })
}

#[cfg(not(unix))]
fn loose_mode_warning(_: &Path, _: &fs::Metadata) -> Option<String> {
    None
}

/// Write `bytes` to `path` atomically: a new temp file (mode 0600, random name, created
/// exclusively in the same directory), then a rename over `path`. With `durable`, the
/// file and the directory are synced, so the content survives a power loss.
///
/// Without `durable`, an existing `path` is swapped with the temp file in one step
/// (`renameat2(RENAME_EXCHANGE)`) and the old content removed: readers still see the old
/// file or the new one, never a mix, but ext4 does not start writing the new file out as
/// it does on a rename over an existing name (0.1 ms of each send's history update).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], durable: bool) -> io::Result<()> {
    let (mut tmp, dir) = temp_beside(path)?;
    tmp.write_all(bytes)?;
    if durable {
        tmp.as_file().sync_all()?;
        tmp.persist(path).map_err(|e| e.error)?;
        return sync_dir(dir);
    }
    let tmp = tmp.into_temp_path();
    // Only a regular file is swapped (a directory in the way must not move); `tmp` then
    // names the old content, removed when it drops. Anything else is a plain rename.
    let is_file = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file());
    if is_file && exchange(&tmp, path).is_ok() {
        return Ok(());
    }
    tmp.persist(path).map_err(|e| e.error)
}

/// Swap two existing names atomically (Linux 3.15+ on ext4, xfs, btrfs, tmpfs); an error
/// (no such file, a file system or kernel without it) leaves both names as they were.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: two NUL-terminated paths that outlive the call; renameat2 only reads them.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// Like [`write_atomic`] without sync, but the file is `flock`ed before it appears
/// under `path`, and stays locked while the returned handle lives.
pub(crate) fn write_atomic_locked(path: &Path, bytes: &[u8]) -> io::Result<File> {
    let (mut tmp, _) = temp_beside(path)?;
    tmp.as_file().lock()?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map_err(|e| e.error)
}

/// A new temp file (mode 0600, random name, created exclusively) in `path`'s directory,
/// and that directory.
fn temp_beside(path: &Path) -> io::Result<(tempfile::NamedTempFile, &Path)> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .suffix(".part")
        .tempfile_in(dir)?;
    Ok((tmp, dir))
}

/// Make a directory's entries (creations, renames, removals) durable.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Open (creating, mode 0600) a lock file without following a symlink at `path`.
pub(crate) fn open_lock(path: &Path) -> io::Result<File> {
    let mut o = OpenOptions::new();
    o.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC);
    }
    o.open(path).map_err(|e| {
        if e.raw_os_error() == Some(libc::ELOOP) {
            io::Error::new(
                e.kind(),
                format!(
                    "{} is a symbolic link; remove it (bnotify does not follow links for its own files)",
                    path.display()
                ),
            )
        } else {
            e
        }
    })
}

/// Read a file of ours without following a symlink at `path` and without blocking.
pub(crate) fn read_own(path: &Path) -> io::Result<Vec<u8>> {
    let mut o = OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    let mut f = o.open(path)?;
    if !f.metadata()?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a regular file", path.display()),
        ));
    }
    let mut buf = Vec::new();
    io::Read::read_to_end(&mut f, &mut buf)?;
    Ok(buf)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn private_modes_and_no_symlink_following() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("a/b");
        assert!(private_dir(&dir).unwrap().is_none());
        let mode = fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        let target = d.path().join("victim");
        fs::write(&target, "keep").unwrap();
        let file = dir.join("state.json");
        std::os::unix::fs::symlink(&target, &file).unwrap();
        write_atomic(&file, b"new", false).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "keep");
        assert_eq!(fs::read_to_string(&file).unwrap(), "new");
        let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let lock = dir.join(".lock");
        std::os::unix::fs::symlink(&target, &lock).unwrap();
        let err = open_lock(&lock).unwrap_err().to_string();
        assert!(err.contains("symbolic link"), "{err}");
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        assert!(private_dir(&dir).unwrap().unwrap().contains("chmod 700"));
    }

    /// A quick replace swaps an existing file in one step: readers see the old or the new
    /// content, nothing is left behind, and a directory in the way is not swapped away.
    #[test]
    fn quick_replace_swaps_and_leaves_nothing_behind() {
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("state.json");
        write_atomic(&file, b"first", false).unwrap();
        for i in 0..50 {
            write_atomic(&file, format!("version {i}").as_bytes(), false).unwrap();
        }
        assert_eq!(fs::read_to_string(&file).unwrap(), "version 49");
        let names: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["state.json"], "no temp file left");
        let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        #[cfg(target_os = "linux")]
        {
            let other = d.path().join("other");
            fs::write(&other, "other").unwrap();
            exchange(&other, &file).unwrap();
            assert_eq!(
                fs::read_to_string(&file).unwrap(),
                "other",
                "swapped in one step"
            );
            assert_eq!(fs::read_to_string(&other).unwrap(), "version 49");
            fs::remove_file(&other).unwrap();
        }
        let dir_in_the_way = d.path().join("sub");
        fs::create_dir(&dir_in_the_way).unwrap();
        fs::write(dir_in_the_way.join("keep"), "x").unwrap();
        assert!(write_atomic(&dir_in_the_way, b"y", false).is_err());
        assert!(dir_in_the_way.join("keep").exists(), "the directory stays");
    }
}
