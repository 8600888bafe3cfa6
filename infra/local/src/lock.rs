//! One runtime per data folder: dynalite's files cannot be shared, so a second `make run` on the same
//! folder (even on another port) stops with a clear message instead of a LevelDB lock error.

use std::path::{Path, PathBuf};

pub struct DataLock {
    path: PathBuf,
}

impl DataLock {
    pub fn acquire(data_dir: &Path) -> Result<Self, String> {
        let path = data_dir.join("heartbeat.pid");
        if let Some(pid) = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| t.trim().parse::<u32>().ok())
        {
            if pid != std::process::id() && Path::new(&format!("/proc/{pid}")).exists() {
                return Err(format!(
                    "heartbeat is already running (pid {pid}) with the data folder {}: stop it (Ctrl-C in its terminal) or choose another folder with HEARTBEAT_DATA",
                    data_dir.display()
                ));
            }
        }
        std::fs::write(&path, std::process::id().to_string())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(Self { path })
    }
}

impl Drop for DataLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_holder_blocks_and_a_stale_file_does_not() {
        let dir = std::env::temp_dir().join(format!("hb-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // pid 1 is always alive: someone else holds the folder.
        std::fs::write(dir.join("heartbeat.pid"), "1").unwrap();
        let err = DataLock::acquire(&dir).err().expect("held by pid 1");
        assert!(err.contains("already running (pid 1)"), "{err}");
        // A pid that cannot exist: a stale file from a crash is taken over.
        std::fs::write(dir.join("heartbeat.pid"), u32::MAX.to_string()).unwrap();
        let lock = DataLock::acquire(&dir).expect("stale");
        assert!(dir.join("heartbeat.pid").exists());
        drop(lock);
        assert!(!dir.join("heartbeat.pid").exists(), "released on drop");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
