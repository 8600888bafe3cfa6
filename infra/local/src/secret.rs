//! The dashboard secret of a local install: generated once, kept in the data folder (readable by
//! its owner only), so the dashboard URL stays the same across restarts.

use std::io::Write;
use std::path::Path;

pub fn load_or_create(data_dir: &Path) -> std::io::Result<String> {
    let path = data_dir.join("dashboard-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if !existing.is_empty() {
            return Ok(existing.to_owned());
        }
    }
    let secret: String = (0..4).map(|_| format!("{:08x}", rand::random::<u32>())).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(&path)?.write_all(secret.as_bytes())?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    #[test]
    fn created_once_then_kept() {
        let dir = std::env::temp_dir().join(format!("hb-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let first = super::load_or_create(&dir).unwrap();
        assert_eq!(first.len(), 32);
        assert_eq!(super::load_or_create(&dir).unwrap(), first);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
