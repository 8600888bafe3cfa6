//! moto in server mode (from the repo's `.venv`, installed by `make test` from
//! infra/requirements-test.txt) on a free loopback port: the stand-in for SSM Parameter Store. Killed
//! when the value is dropped, and gone with the test process however it ends (it exits when its
//! stdin, held only by the test, closes).

use crate::ports::free_port;
use crate::repo::repo_root;
use std::io::Read;
use std::net::{Ipv4Addr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const START_TIMEOUT: Duration = Duration::from_secs(30);
const PORT_ATTEMPTS: usize = 3;

/// Starts moto's server after a thread that ends the process once stdin closes.
const WATCHDOG: &str = "import os, sys, threading\n\
def watch():\n    sys.stdin.read()\n    os._exit(0)\n\
threading.Thread(target=watch, daemon=True).start()\n\
from moto.server import main\n\
main(['-H', '127.0.0.1', '-p', sys.argv[1]])\n";

pub struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    pub fn start() -> Self {
        let python = python();
        let mut last = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let port = free_port();
            let mut child = Command::new(&python)
                .args(["-c", WATCHDOG, &port.to_string()])
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start moto with {}: {e}", python.display()));
            let started = Instant::now();
            while started.elapsed() < START_TIMEOUT {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_ok() {
                    return Self { child, port };
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
            last.clear();
            if let Some(mut err) = child.stderr.take() {
                let _ = err.read_to_string(&mut last);
            }
        }
        panic!("moto did not start on a loopback port: {last}")
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// An SSM client for this moto: dummy credentials and region, the SDK's own wire format.
    pub fn ssm(&self) -> aws_sdk_ssm::Client {
        use aws_sdk_ssm::config::{BehaviorVersion, Credentials, Region};
        let config = aws_sdk_ssm::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(self.endpoint())
            .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
            .build();
        aws_sdk_ssm::Client::from_conf(config)
    }

    /// An SES v2 client for this moto (email channels).
    pub fn ses(&self) -> aws_sdk_sesv2::Client {
        use aws_sdk_sesv2::config::{BehaviorVersion, Credentials, Region};
        let config = aws_sdk_sesv2::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(self.endpoint())
            .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
            .build();
        aws_sdk_sesv2::Client::from_conf(config)
    }

    /// Stores `value` as a SecureString parameter (encrypted with moto's stand-in of the aws/ssm key).
    pub async fn put_secure_string(&self, name: &str, value: &str) {
        self.ssm()
            .put_parameter()
            .name(name)
            .value(value)
            .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
            .send()
            .await
            .unwrap_or_else(|e| panic!("put {name}: {}", aws_sdk_ssm::error::DisplayErrorContext(e)));
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The Python of the repo's `.venv`, where moto is installed.
fn python() -> PathBuf {
    let python = repo_root().join(".venv").join("bin").join("python");
    let has_moto = Command::new(&python)
        .args(["-c", "import moto.server"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        has_moto,
        "moto is not installed in {}: run `make test-services` (make test does this)",
        python.display()
    );
    python
}
