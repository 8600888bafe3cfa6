//! The real function binaries run as Lambda runs a bootstrap: a clean environment naming the
//! Runtime API, the function and its configuration, against the stand-in `RuntimeApi`.

use crate::runtime_api::{Outcome, RuntimeApi};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

/// The workspace's function packages, which are also their binaries' names.
pub const FUNCTIONS: [&str; 8] = [
    "pulse",
    "dashboard",
    "monitor",
    "edit-get",
    "edit-post",
    "api",
    "badge",
    "detail",
];
/// The `heartbeat` client's binary, run by the client tests.
const CLIENT: &str = "heartbeat";
const INVOKE_TIMEOUT: Duration = Duration::from_secs(30);

/// The environment Lambda gives a function (as `template.yaml` configures it), pointed at a local
/// DynamoDB `endpoint`; `vars` adds the function's own settings.
pub fn lambda_command(
    binary: &Path,
    runtime_api: &str,
    function: &str,
    endpoint: &str,
    vars: &[(&str, &str)],
) -> Command {
    let name = format!("heartbeat-{function}");
    let log_group = format!("/aws/lambda/{name}");
    let mut command = Command::new(binary);
    command
        .env_clear()
        .envs([
            ("AWS_LAMBDA_RUNTIME_API", runtime_api),
            ("AWS_LAMBDA_FUNCTION_NAME", name.as_str()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
            ("AWS_LAMBDA_LOG_GROUP_NAME", log_group.as_str()),
            ("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/23/[$LATEST]e2e"),
            ("AWS_REGION", "eu-west-1"),
            ("AWS_DEFAULT_REGION", "eu-west-1"),
            ("AWS_ACCESS_KEY_ID", "local"),
            ("AWS_SECRET_ACCESS_KEY", "local"),
            ("AWS_ENDPOINT_URL_DYNAMODB", endpoint),
            ("TZ", ":UTC"),
        ])
        .envs(vars.iter().copied())
        .stdin(Stdio::null());
    command
}

/// The folder of this test binary's cargo profile (`target/debug` for `cargo test`), holding the
/// function binaries once `make test-bins` built them.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/<profile>/deps/<test binary>
    exe.parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps")
        .to_path_buf()
}

/// The folder holding the workspace's binaries (the functions, the `heartbeat` client) of this
/// test's cargo profile. Tests do not build them: `make test-bins` does, before the suite (`make
/// test` runs it), so that no test waits on cargo or on another test's build. Panics naming that
/// target when a binary is missing; after changing the code, run it again before running these tests
/// on their own, or they run the binaries of the last build.
pub fn built_functions() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = profile_dir();
        let missing: Vec<_> = FUNCTIONS
            .iter()
            .chain(&[CLIENT])
            .filter(|binary| !dir.join(binary).is_file())
            .collect();
        assert!(
            missing.is_empty(),
            "{missing:?} not built in {}: run `make test-bins` first (it builds the workspace's binaries with \
             the tests' features; `make test` runs it)",
            dir.display()
        );
        dir
    })
}

/// One function binary, started and waiting for invocations; killed on drop.
pub struct LambdaFunction {
    function: &'static str,
    api: RuntimeApi,
    child: Child,
    log: PathBuf,
}

impl LambdaFunction {
    /// Starts `function` (a name from `FUNCTIONS`) with the DynamoDB `endpoint` and `vars`.
    pub async fn start(function: &'static str, endpoint: &str, vars: &[(&str, &str)]) -> Self {
        let binary = built_functions().join(function);
        let api = RuntimeApi::start(&format!("heartbeat-{function}"))
            .await
            .expect("the stand-in Runtime API listens");
        let log = std::env::temp_dir().join(format!(
            "heartbeat-e2e-{function}-{}-{}.log",
            std::process::id(),
            api.host_port().replace([':', '.'], "-")
        ));
        let output = std::fs::File::create(&log).expect("a log file");
        let errors = output.try_clone().expect("a second handle");
        let child = lambda_command(&binary, &api.host_port(), function, endpoint, vars)
            .stdout(Stdio::from(output))
            .stderr(Stdio::from(errors))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        Self {
            function,
            api,
            child,
            log,
        }
    }

    /// Invokes the function with `event` and returns what it answered, as JSON; panics (with the
    /// function's output) when it reported an error or answered nothing in time.
    pub async fn invoke(&self, event: &Value) -> Value {
        match self.try_invoke(event).await {
            Ok(answer) => answer,
            Err(error) => panic!("{error}"),
        }
    }

    /// Invokes the function with `event`: its answer, or the error it reported (the body posted to
    /// `…/error`) with the function's output.
    pub async fn try_invoke(&self, event: &Value) -> Result<Value, String> {
        match self.api.invoke(event.to_string(), INVOKE_TIMEOUT).await {
            Some(Outcome::Response { body, .. }) => {
                serde_json::from_str(&body).map_err(|e| format!("{} answered no JSON ({e}): {body}", self.function))
            }
            Some(Outcome::Error { path, body }) => Err(format!(
                "{} reported an error to {path}: {body}\n{}",
                self.function,
                self.output()
            )),
            None => Err(format!(
                "{} answered nothing within {INVOKE_TIMEOUT:?}; its output:\n{}",
                self.function,
                self.output()
            )),
        }
    }

    /// What the function wrote to stdout and stderr so far.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for LambdaFunction {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}
