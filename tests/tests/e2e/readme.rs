//! The README's examples, run. Every shell block after a `<!-- runnable -->` line runs in bash, in
//! the file's order, against the local service on dynalite with the README's own keys: its port
//! put in for `127.0.0.1:3000` and `https://…`, outside hosts (`https://example.com`,
//! `https://hooks.slack.com`) sent to a local recording server. A `# => …` comment documents what
//! the commands above it print; `…` in it stands for anything. A block fails the test when a command
//! fails, when the service answers an HTTP error, or when the output is not the documented one.

use heartbeat_e2e::{Behaviour, Dynalite, LocalRuntime, repo_root};
use heartbeat_shared::store::config::ensure_config_table;
use heartbeat_shared::testing::Recorder;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

const MARK: &str = "<!-- runnable -->";
/// What the README writes for the local service, and for a deployed one.
const LOCAL: &str = "http://127.0.0.1:3000";
const DEPLOYED: &str = "https://…/heartbeat";
/// Hosts the README names that are not ours: their requests go to the recorder.
const OUTSIDE: [&str; 2] = ["https://example.com", "https://hooks.slack.com"];
/// The keys the README starts the service with (`API_KEY=… make run`).
const KEYS: [(&str, &str); 3] = [
    ("API_KEY", "my-rw-key-0123456789"),
    ("API_READ_KEY", "my-ro-key-0123456789"),
    ("BADGE_KEY", "my-badge-key-0123456789"),
];
/// Files a reader has and the README only names: an .ics file to import, a job's log.
const GIVEN_FILES: [(&str, &str); 2] = [
    (
        "holidays.ics",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//readme//EN\r\nBEGIN:VEVENT\r\nUID:ny@readme\r\n\
         DTSTART;VALUE=DATE:20270101\r\nDTEND;VALUE=DATE:20270102\r\nSUMMARY:New Year\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    ),
    ("export.log", "rows exported: 41\ndisk full\n"),
];
const ANSWER: &str = "# => ";
/// A documented answer goes on over the comment lines right below it that start like this.
const ANSWER_GOES_ON: &str = "#    ";
/// No block may take longer than this.
const BLOCK_LIMIT: Duration = Duration::from_secs(60);
/// Every curl call reports its HTTP status on stderr (the README's curl lines are the reader's).
const PRELUDE: &str = "set -a -e -o pipefail\n\
    curl() { command curl --no-progress-meter --max-time 10 -w '%{stderr}\\nHTTP-STATUS %{http_code}\\n' \"$@\"; }\n";

/// A fenced code block: the line its fence is on, its language, its text, and whether it is marked.
#[derive(Debug, Clone, PartialEq)]
struct Block {
    line: usize,
    lang: String,
    text: String,
    runnable: bool,
}

/// The fenced blocks of a Markdown text; a mark counts when it is the last non-blank line before
/// the fence. A mark that no block follows is refused (a typo would silently run nothing).
fn blocks(markdown: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut open: Option<Block> = None;
    let mut last_text = "";
    for (index, line) in markdown.lines().enumerate() {
        let fence = line.trim_start().strip_prefix("```");
        match (&mut open, fence) {
            (None, Some(lang)) => {
                open = Some(Block {
                    line: index + 1,
                    lang: lang.trim().to_owned(),
                    text: String::new(),
                    runnable: last_text.trim() == MARK,
                });
            }
            (Some(_), Some(_)) => found.extend(open.take()),
            (Some(block), None) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {
                assert!(
                    last_text.trim() != MARK || line.trim().is_empty(),
                    "README line {index}: {MARK} must be followed by a code block"
                );
            }
        }
        if !line.trim().is_empty() {
            last_text = line;
        }
    }
    assert!(open.is_none(), "an unclosed code block");
    found
}

/// Commands and what the README says they print (`None`: it does not say).
#[derive(Debug, Clone, PartialEq)]
struct Step {
    script: String,
    answer: Option<String>,
}

/// A block cut after each documented answer, so each answer is compared with its own commands' output.
fn steps(text: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut script = String::new();
    let mut answer: Option<String> = None;
    for line in text.lines() {
        if let Some(first) = line.strip_prefix(ANSWER) {
            if let Some(previous) = answer.take() {
                steps.push(Step {
                    script: std::mem::take(&mut script),
                    answer: Some(previous),
                });
            }
            answer = Some(first.to_owned());
            continue;
        }
        if let (Some(more), Some(answer)) = (line.strip_prefix(ANSWER_GOES_ON), answer.as_mut()) {
            answer.push_str(more);
            continue;
        }
        if let Some(done) = answer.take() {
            steps.push(Step {
                script: std::mem::take(&mut script),
                answer: Some(done),
            });
        }
        script.push_str(line);
        script.push('\n');
    }
    if answer.is_some() || !script.trim().is_empty() {
        steps.push(Step { script, answer });
    }
    steps
}

/// Whether `output` is what `documented` says, `…` standing for anything. Whitespace is ignored:
/// the README wraps long answers.
fn matches(documented: &str, output: &str) -> bool {
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let (documented, output) = (squeeze(documented), squeeze(output));
    let pieces: Vec<&str> = documented.split('…').collect();
    let (first, rest) = pieces.split_first().expect("split yields one piece at least");
    let Some(mut left) = output.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return left.is_empty();
    };
    for piece in middle {
        match left.find(piece) {
            Some(at) => left = &left[at + piece.len()..],
            None => return false,
        }
    }
    left.ends_with(last)
}

/// The block as it runs here: the local service's port for the README's, outside hosts to the recorder.
fn localised(text: &str, service: &str, recorder: &str) -> String {
    let mut text = text
        .replace(DEPLOYED, &format!("{service}/heartbeat"))
        .replace(LOCAL, service)
        .replace("/var/log/export.log", "export.log");
    for host in OUTSIDE {
        text = text.replace(host, recorder);
    }
    text
}

struct Ran {
    stdout: String,
    stderr: String,
    ok: bool,
}

/// Runs one step in bash in `dir` with `env`, and keeps the variables it set for the next step.
async fn run(script: &str, dir: &Path, env: &mut HashMap<String, String>) -> Ran {
    let state = dir.join(".readme-env");
    let full = format!("{PRELUDE}{script}\nenv -0 > {}\n", state.display());
    let child = tokio::process::Command::new("bash")
        .args(["--noprofile", "--norc", "-c", &full])
        .env_clear()
        .envs(env.iter())
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("bash starts");
    let output = tokio::time::timeout(BLOCK_LIMIT, child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("a README step ran longer than {BLOCK_LIMIT:?}:\n{script}"))
        .expect("bash's output");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let http_error = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("HTTP-STATUS "))
        .any(|code| code.trim().parse::<u16>().is_ok_and(|c| c >= 400));
    if output.status.success() {
        let kept = std::fs::read(&state).expect("the step's variables");
        env.clear();
        for pair in kept.split(|b| *b == 0).filter(|p| !p.is_empty()) {
            let pair = String::from_utf8_lossy(pair);
            match pair.split_once('=') {
                Some(("_" | "SHLVL" | "PWD" | "OLDPWD", _)) | None => {}
                Some((name, value)) => {
                    env.insert(name.to_owned(), value.to_owned());
                }
            }
        }
    }
    Ran {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
        ok: output.status.success() && !http_error,
    }
}

/// A fresh directory for the blocks' files, removed on drop.
struct WorkDir(PathBuf);

impl WorkDir {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("heartbeat-readme-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a work directory");
        for (name, content) in GIVEN_FILES {
            std::fs::write(dir.join(name), content).expect("a given file");
        }
        Self(dir)
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn readme() -> String {
    std::fs::read_to_string(repo_root().join("README.md")).expect("README.md")
}

#[tokio::test]
async fn every_runnable_readme_block_runs_against_the_local_service() {
    let markdown = readme();
    let all = blocks(&markdown);
    let runnable: Vec<&Block> = all.iter().filter(|b| b.runnable).collect();
    for block in &all {
        let talks = block.lang == "sh" && block.text.contains("curl ");
        assert!(
            !talks || block.runnable,
            "README line {}: a shell block that calls the service is not marked {MARK}",
            block.line
        );
        assert!(
            !block.runnable || block.lang == "sh",
            "README line {}: only sh blocks run",
            block.line
        );
    }

    let dynalite = Dynalite::start().await;
    let recorder = Recorder::start(Behaviour::Respond(200)).await;
    // `make run` names its config table itself; the runtime here is told it (channels, routes, calendars).
    let config = format!("readme-config-{}", std::process::id());
    ensure_config_table(&dynalite.client(), &config)
        .await
        .expect("the config table");
    let mut vars = KEYS.to_vec();
    vars.push(("CONFIG_TABLE_NAME", &config));
    let rt = LocalRuntime::start(&dynalite, &vars).await;
    let dir = WorkDir::new();
    let mut env: HashMap<String, String> = ["PATH", "HOME", "LANG"]
        .into_iter()
        .filter_map(|name| Some((name.to_owned(), std::env::var(name).ok()?)))
        .collect();
    let outside = recorder.url_for("");
    for block in runnable {
        let text = localised(&block.text, rt.base_url(), &outside);
        assert!(
            !text.contains("https://"),
            "README line {}: a runnable block names an outside host the test cannot reach:\n{text}",
            block.line
        );
        for step in steps(&text) {
            let ran = run(&step.script, &dir.0, &mut env).await;
            assert!(
                ran.ok,
                "README line {}: the block failed:\n{}\n--- stdout:\n{}\n--- stderr:\n{}",
                block.line, step.script, ran.stdout, ran.stderr
            );
            if let Some(answer) = &step.answer {
                assert!(
                    matches(answer, &ran.stdout),
                    "README line {}: documented {answer:?}, printed {:?}\n{}",
                    block.line,
                    ran.stdout,
                    step.script
                );
            }
        }
    }
    let hooks: Vec<_> = recorder.requests().into_iter().map(|r| r.path).collect();
    assert!(
        hooks.iter().any(|p| p.starts_with("/hooks/heartbeat")),
        "the channel test message reached the recorder: {hooks:?}"
    );
}

#[test]
fn marks_blocks_answers_and_ellipses_are_read_as_meant() {
    let markdown = "text\n\n<!-- runnable -->\n\n```sh\necho a\n# => a\necho b c\n# => {\"x\":…,\n#      \"y\":2}\nfalse\n```\n\n```sh\nls\n```\n";
    let found = blocks(markdown);
    assert_eq!(found.len(), 2);
    assert!(found[0].runnable && !found[1].runnable);
    assert_eq!(found[0].line, 5);
    let cut = steps(&found[0].text);
    assert_eq!(
        cut,
        [
            Step {
                script: "echo a\n".into(),
                answer: Some("a".into())
            },
            Step {
                script: "echo b c\n".into(),
                answer: Some("{\"x\":…,  \"y\":2}".into())
            },
            Step {
                script: "false\n".into(),
                answer: None
            },
        ]
    );
    for (documented, output, expected) in [
        ("Successful Heartbeat Pulse", "Successful Heartbeat Pulse\n", true),
        ("Successful Heartbeat Pulse", "Unsuccessful Heartbeat Pulse", false),
        ("{\"a\":…,\"b\":2}", "{\"a\": [1, 2], \"b\": 2}", true),
        ("{\"a\":…,\"b\":2}", "{\"a\": 1, \"b\": 3}", false),
        ("…", "anything", true),
        ("x…y…z", "x1y2z", true),
        ("x…y…z", "x1z2y", false),
        ("x…x", "x", false),
    ] {
        assert_eq!(matches(documented, output), expected, "{documented} / {output}");
    }
    let text = localised(
        "curl http://127.0.0.1:3000/a https://…/heartbeat/pulse https://example.com/h https://hooks.slack.com/s",
        "http://127.0.0.1:9",
        "http://127.0.0.1:8",
    );
    assert_eq!(
        text,
        "curl http://127.0.0.1:9/a http://127.0.0.1:9/heartbeat/pulse http://127.0.0.1:8/h http://127.0.0.1:8/s"
    );
}
