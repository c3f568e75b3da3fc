//! The data folder holds personal data: the SQLite database, emails with
//! live verification and reset links, the generated signing key. Only the
//! service's own user may read it: folders are 0700 and files 0600, for new
//! files (the process umask, and explicit modes where the service creates
//! them) and for files an earlier version left readable (tightened at
//! start-up).

use anyhow::Context;
use std::path::Path;

/// From here on, files and folders the process creates are its user's
/// only. Process-wide, so the binary calls it first thing; the library
/// does not depend on it (it sets the modes of what it creates itself).
pub fn private_umask() {
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Creates `dir` (and missing parents) as 0700, or tightens it to 0700.
pub fn private_dir(dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(dir)
            .with_context(|| format!("creating {}", dir.display()))?;
    }
    tighten(dir, 0o700)
}

/// Tightens every regular file directly in `dir` to 0600 (the .eml files
/// of the mail folder).
pub fn private_files_in(dir: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            tighten(&entry.path(), 0o600)?;
        }
    }
    Ok(())
}

/// Makes the SQLite database at `path` private before it is opened: its
/// folder is created 0700 when missing, the file itself 0600 (SQLite gives
/// its `-wal`, `-shm` and `-journal` files the mode of the database), and
/// files left readable by an earlier version are tightened.
pub fn private_sqlite(path: &str) -> anyhow::Result<()> {
    if path == ":memory:" || path.starts_with("file:") {
        return Ok(());
    }
    let db = Path::new(path);
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.exists() {
            private_dir(dir)?;
        }
    }
    match create_private(db) {
        Ok(()) => {}
        // It exists already (or another instance made it just now).
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e).with_context(|| format!("creating {}", db.display())),
    }
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let f = format!("{path}{suffix}");
        if Path::new(&f).exists() {
            tighten(Path::new(&f), 0o600)?;
        }
    }
    Ok(())
}

/// Writes a new file readable by its owner only, with no moment at which
/// it is readable by others.
pub fn write_private(path: &Path, content: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(content)
}

fn create_private(path: &Path) -> std::io::Result<()> {
    write_private(path, b"")
}

/// Sets `mode` on `path` if its permissions are wider. A file that stays
/// open to every user on the machine (we are not its owner) stops the
/// start; one open only to its group is logged and left, as in a container
/// volume that a group owns by design.
#[cfg(unix)]
fn tighten(path: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let was = std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .permissions()
        .mode()
        & 0o777;
    if was & !mode == 0 {
        return Ok(());
    }
    match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
        Ok(()) => {
            tracing::info!(path = %path.display(), was = format!("{was:o}"), now = format!("{mode:o}"), "made private");
            Ok(())
        }
        Err(e) if was & 0o007 == 0 => {
            tracing::warn!(path = %path.display(), mode = format!("{was:o}"), error = %e, "cannot make private; its group can read it");
            Ok(())
        }
        Err(e) => Err(e).with_context(|| {
            format!(
                "{} holds personal data and every user can read it (mode {was:o}), and it cannot be made private; run chmod {mode:o} on it",
                path.display()
            )
        }),
    }
}

#[cfg(not(unix))]
fn tighten(_path: &Path, _mode: u32) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_database_and_its_folder_are_private() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("data/sub/x.db");
        private_sqlite(db.to_str().unwrap()).unwrap();
        assert_eq!(mode(&db), 0o600);
        assert_eq!(mode(&tmp.path().join("data/sub")), 0o700);
        assert_eq!(mode(&tmp.path().join("data")), 0o700);
    }

    #[test]
    fn readable_files_are_tightened() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("mail");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let eml = dir.join("a.eml");
        std::fs::write(&eml, "x").unwrap();
        std::fs::set_permissions(&eml, std::fs::Permissions::from_mode(0o644)).unwrap();
        private_dir(&dir).unwrap();
        private_files_in(&dir).unwrap();
        assert_eq!((mode(&dir), mode(&eml)), (0o700, 0o600));
        let db = tmp.path().join("x.db");
        for f in ["x.db", "x.db-wal", "x.db-shm"] {
            let p = tmp.path().join(f);
            std::fs::write(&p, "").unwrap();
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        private_sqlite(db.to_str().unwrap()).unwrap();
        for f in ["x.db", "x.db-wal", "x.db-shm"] {
            assert_eq!(mode(&tmp.path().join(f)), 0o600, "{f}");
        }
        // Narrower than asked stays as it is.
        std::fs::set_permissions(&eml, std::fs::Permissions::from_mode(0o400)).unwrap();
        private_files_in(&dir).unwrap();
        assert_eq!(mode(&eml), 0o400);
    }
}
