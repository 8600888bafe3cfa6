//! dynalite — DynamoDB written in Node, installed from the committed lockfile — as a child process
//! that keeps its tables on disk and dies with us.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const START_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum DynaliteError {
    #[error("dynalite is not installed in {0}: run `npm ci` in the repository (make run does this)")]
    NotInstalled(PathBuf),
    #[error("node could not be started ({0}); install Node.js 18 or newer")]
    NoNode(std::io::Error),
    #[error("dynalite did not start on port {port} within {} s: {output}", START_TIMEOUT.as_secs())]
    NoStart { port: u16, output: String },
}

pub struct Dynalite {
    child: Child,
    port: u16,
}

impl Dynalite {
    /// Starts dynalite from `root/node_modules` on `port`, storing tables under `data`.
    pub async fn start(root: &Path, data: &Path, port: u16) -> Result<Self, DynaliteError> {
        let cli = root.join("node_modules/dynalite/cli.js");
        if !cli.exists() {
            return Err(DynaliteError::NotInstalled(root.to_path_buf()));
        }
        let mut child = Command::new("node")
            .arg(&cli)
            .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--path"])
            .arg(data)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(DynaliteError::NoNode)?;
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
        let mut stderr = BufReader::new(child.stderr.take().expect("stderr is piped")).lines();
        let listening = async {
            let mut output = String::new();
            loop {
                tokio::select! {
                    line = stdout.next_line() => match line {
                        Ok(Some(line)) if line.contains("listening") => return Ok(()),
                        Ok(Some(line)) => output.push_str(&line),
                        _ => return Err(output),
                    },
                    line = stderr.next_line() => match line {
                        Ok(Some(line)) => { output.push_str(&line); output.push('\n'); }
                        _ => return Err(output),
                    },
                }
            }
        };
        match tokio::time::timeout(START_TIMEOUT, listening).await {
            Ok(Ok(())) => {}
            Ok(Err(output)) => return Err(DynaliteError::NoStart { port, output }),
            Err(_) => {
                return Err(DynaliteError::NoStart {
                    port,
                    output: "no answer".into(),
                });
            }
        }
        // Keep draining its output so a chatty dynalite never blocks on a full pipe.
        tokio::spawn(async move {
            while let Ok(Some(line)) = stderr.next_line().await {
                tracing::warn!(target: "dynalite", "{line}");
            }
        });
        tokio::spawn(async move { while let Ok(Some(_)) = stdout.next_line().await {} });
        Ok(Self { child, port })
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
