//! The eight Lambda bootstraps that `make build` leaves in `target/lambda/<function>/bootstrap`
//! (arm64): their size and their size in a deployment zip. The zip is measured as `make build`
//! measures it (Python's zipfile, deflate level 9), so the figures match; without python3, deflate
//! level 9 here (miniz_oxide, about 0.1% larger) stands in, marked "≈".

use crate::coldstart::FUNCTIONS;
use flate2::Compression;
use flate2::write::DeflateEncoder;
use std::io::Write;
use std::path::Path;
use std::process::Command;

/// The one-liner of infra/lint.mk's `build-lambda`.
const PYTHON_ZIP: &str = "import io,sys,zipfile; b=io.BytesIO(); z=zipfile.ZipFile(b,\"w\",zipfile.ZIP_DEFLATED,compresslevel=9); z.write(sys.argv[1],\"bootstrap\"); z.close(); print(len(b.getvalue()))";

/// A zip of one file named `bootstrap`: local header (30 + 9), central directory entry (46 + 9) and
/// end record (22) around the deflated bytes.
const ZIP_OVERHEAD: usize = 30 + 9 + 46 + 9 + 22;

pub struct Bootstrap {
    pub function: &'static str,
    /// Bytes and zipped bytes; `None`: not built (`make build` makes it).
    pub sizes: Option<(u64, Zipped)>,
}

pub enum Zipped {
    /// As `make build` reports it.
    Exact(u64),
    /// python3 was not available: deflate here.
    Estimate(u64),
}

pub fn measure(target_dir: &Path) -> Result<Vec<Bootstrap>, String> {
    FUNCTIONS
        .iter()
        .map(|&function| {
            let path = target_dir.join("lambda").join(function).join("bootstrap");
            if !path.is_file() {
                return Ok(Bootstrap { function, sizes: None });
            }
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let zipped = match python_zip(&path) {
                Some(size) => Zipped::Exact(size),
                None => Zipped::Estimate(zipped_size(&bytes)? as u64),
            };
            Ok(Bootstrap {
                function,
                sizes: Some((bytes.len() as u64, zipped)),
            })
        })
        .collect()
}

fn python_zip(path: &Path) -> Option<u64> {
    let out = Command::new("python3")
        .arg("-c")
        .arg(PYTHON_ZIP)
        .arg(path)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// The size of a zip holding `bytes` deflated at level 9 (as `make build` zips them).
fn zipped_size(bytes: &[u8]) -> Result<usize, String> {
    let mut deflate = DeflateEncoder::new(Vec::new(), Compression::best());
    deflate.write_all(bytes).map_err(|e| e.to_string())?;
    Ok(deflate.finish().map_err(|e| e.to_string())?.len() + ZIP_OVERHEAD)
}
