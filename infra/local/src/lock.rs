//! One runtime per data folder: dynalite's files cannot be shared, so a second `make run` on the same
//! folder (even on another port) stops with a clear message instead of a LevelDB lock error.
//!
//! The claim is an exclusive lock on `heartbeat.lock` in the folder, taken through the operating
//! system (fs4: `flock` on Unix, `LockFileEx` on Windows). The system drops it when the process ends,
//! however it ends, so a crash never leaves a stale claim behind.

use fs4::{FileExt, TryLockError};
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Held for as long as the runtime runs; dropping it releases the folder.
#[derive(Debug)]
pub struct DataLock {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "heartbeat is already running{} with the data folder {}: stop it (Ctrl-C in its terminal) or choose another folder with HEARTBEAT_DATA",
        holder.map(|pid| format!(" (pid {pid})")).unwrap_or_default(),
        folder.display()
    )]
    Held { folder: PathBuf, holder: Option<u32> },
    #[error("cannot lock {}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

impl DataLock {
    pub fn acquire(data_dir: &Path) -> Result<Self, LockError> {
        let path = data_dir.join("heartbeat.lock");
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let mut file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        // fs4's trait method, by name: std's `File::try_lock` has the same name and another error type.
        match FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let holder = file
                    .read_to_string(&mut text)
                    .ok()
                    .and_then(|_| text.trim().parse().ok());
                return Err(LockError::Held {
                    folder: data_dir.to_path_buf(),
                    holder,
                });
            }
            Err(TryLockError::Error(source)) => return Err(io(source)),
        }
        // Our pid, for the message a second runtime shows.
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "{}", std::process::id())
            .and_then(|()| file.flush())
            .map_err(io)?;
        Ok(Self { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_folder_is_refused_with_the_holder_and_freed_on_drop() {
        let dir = std::env::temp_dir().join(format!("hb-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let first = DataLock::acquire(&dir).expect("a free folder");
        // A second claim opens the file anew, as a second runtime would, and is refused.
        let err = DataLock::acquire(&dir).expect_err("held by the first");
        let text = err.to_string();
        assert!(
            text.contains(&format!("already running (pid {})", std::process::id())),
            "{text}"
        );
        assert!(
            text.contains("HEARTBEAT_DATA") && text.contains(&dir.display().to_string()),
            "{text}"
        );
        drop(first);
        let again = DataLock::acquire(&dir).expect("free again once released");
        drop(again);
        // A file left behind by a crashed runtime holds no lock: it is taken over.
        std::fs::write(dir.join("heartbeat.lock"), "4294967295").unwrap();
        DataLock::acquire(&dir).expect("a leftover file without a lock");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
