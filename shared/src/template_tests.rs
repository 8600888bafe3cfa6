//! `template.yaml` against the code: every parameter constraint accepts only what the functions accept
//! at start, each function gets only its own settings and secrets, SSM reads are allowed only for the
//! parameters named, and the default schedule runs the monitor every minute.

use crate::config::{Config, Uses};
use crate::model::Threshold;
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashMap};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// The template as JSON, CloudFormation's short forms kept as their long forms (`!Ref X` becomes
/// `{"Ref": "X"}`, `!If [...]` becomes `{"Fn::If": [...]}`), which the plain YAML loader would drop.
fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
    let text = std::fs::read_to_string(path).expect("template.yaml beside the workspace");
    let mut tree = Tree::default();
    Parser::new_from_str(&text)
        .load(&mut tree, false)
        .expect("template.yaml is YAML");
    tree.done.pop().expect("one document")
}

#[derive(Default)]
struct Tree {
    /// Open collections with their tag; a mapping's pending key is kept beside it.
    stack: Vec<(Value, Option<Tag>, Option<String>)>,
    done: Vec<Value>,
}

fn tagged(value: Value, tag: Option<Tag>) -> Value {
    match tag {
        Some(Tag { handle, suffix }) if handle == "!" => {
            let key = if suffix == "Ref" || suffix == "Condition" {
                suffix
            } else {
                format!("Fn::{suffix}")
            };
            json!({ key: value })
        }
        _ => value,
    }
}

impl Tree {
    fn push(&mut self, value: Value) {
        match self.stack.last_mut() {
            None => self.done.push(value),
            Some((Value::Array(items), _, _)) => items.push(value),
            Some((Value::Object(map), _, key)) => match key.take() {
                None => *key = Some(value.as_str().expect("string keys").to_owned()),
                Some(k) => {
                    map.insert(k, value);
                }
            },
            Some(_) => unreachable!("only collections are open"),
        }
    }
}

impl MarkedEventReceiver for Tree {
    fn on_event(&mut self, event: Event, _: Marker) {
        match event {
            Event::Scalar(text, style, _, tag) => {
                let plain_null = style == TScalarStyle::Plain && (text == "~" || text == "null");
                let value = if plain_null { Value::Null } else { Value::String(text) };
                self.push(tagged(value, tag))
            }
            Event::SequenceStart(_, tag) => self.stack.push((Value::Array(Vec::new()), tag, None)),
            Event::MappingStart(_, tag) => self.stack.push((Value::Object(Map::new()), tag, None)),
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, tag, _) = self.stack.pop().expect("an open collection");
                self.push(tagged(value, tag))
            }
            _ => {}
        }
    }
}

/// Evaluates the intrinsics the tests need with the given parameter values.
struct Eval<'t> {
    template: &'t Value,
    params: HashMap<String, String>,
}

impl<'t> Eval<'t> {
    fn with(template: &'t Value, overrides: &[(&str, &str)]) -> Self {
        let mut params: HashMap<String, String> = template["Parameters"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, p)| (name.clone(), p["Default"].as_str().unwrap_or("").to_owned()))
            .collect();
        for (k, v) in overrides {
            params.insert(k.to_string(), v.to_string());
        }
        Self { template, params }
    }

    fn value(&self, v: &Value) -> Value {
        if let Some(name) = v.get("Ref").and_then(Value::as_str) {
            if name.starts_with("AWS::") {
                return v.clone(); // a pseudo parameter, e.g. AWS::NoValue
            }
            let value = self.params.get(name).unwrap_or_else(|| panic!("parameter {name}"));
            return Value::String(value.clone());
        }
        if let Some(args) = v.get("Fn::If").and_then(Value::as_array) {
            let chosen = if self.condition(args[0].as_str().unwrap()) {
                &args[1]
            } else {
                &args[2]
            };
            return self.value(chosen);
        }
        v.clone()
    }

    fn condition(&self, name: &str) -> bool {
        self.truth(&self.template["Conditions"][name])
    }

    fn truth(&self, v: &Value) -> bool {
        let args = |f: &str| v.get(f).and_then(Value::as_array).cloned();
        if let Some(a) = args("Fn::Equals") {
            return self.value(&a[0]) == self.value(&a[1]);
        }
        if let Some(a) = args("Fn::Not") {
            return !self.truth(&a[0]);
        }
        if let Some(a) = args("Fn::Or") {
            return a.iter().any(|c| self.truth(c));
        }
        if let Some(a) = args("Fn::And") {
            return a.iter().all(|c| self.truth(c));
        }
        if let Some(name) = v.get("Condition").and_then(Value::as_str) {
            return self.condition(name);
        }
        panic!("not a condition: {v}")
    }

    /// The schedules of the monitor's enabled rules.
    fn monitor_schedules(&self) -> Vec<String> {
        let events = self.template["Resources"]["MonitorFunction"]["Properties"]["Events"]
            .as_object()
            .unwrap();
        events
            .values()
            .filter(|e| e["Type"] == "Schedule")
            .map(|e| &e["Properties"])
            .filter(|p| p.get("State").is_none_or(|s| self.value(s) == "ENABLED"))
            .filter(|p| p.get("Enabled").is_none_or(|s| self.value(s) == "true"))
            .map(|p| self.value(&p["Schedule"]).as_str().unwrap().to_owned())
            .collect()
    }
}

fn parameter<'t>(template: &'t Value, name: &str) -> &'t Value {
    &template["Parameters"][name]
}

/// The parameter's AllowedPattern, as CloudFormation applies it (to the whole value).
fn pattern(template: &Value, name: &str) -> regex::Regex {
    let raw = parameter(template, name)["AllowedPattern"]
        .as_str()
        .unwrap_or_else(|| panic!("{name} has an AllowedPattern"));
    assert!(
        parameter(template, name)["ConstraintDescription"].is_string(),
        "{name} says what it accepts"
    );
    regex::Regex::new(raw).unwrap()
}

/// Decimal numbers around every boundary the code and the template draw, and text that is not one.
fn number_like_inputs() -> Vec<String> {
    let mut inputs: Vec<String> = [
        "",
        " ",
        "0",
        "00",
        "0.0",
        ".0",
        "0.",
        ".",
        "..",
        "-1",
        "+1",
        "1e3",
        "1E-3",
        "inf",
        "NaN",
        "0x10",
        "24 ",
        " 24",
        "1,5",
        "0.001",
        "0.0001",
        "0.00099",
        "0.0000001",
        "8760",
        "8760.0",
        "8760.000",
        "8760.0001",
        "8761",
        "08760",
        "9999",
        "99999999999999999999999999",
        "1.5.5",
        "abc",
        "24h",
        "٣",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for n in (0..=9000).step_by(7).chain(8750..=8770) {
        inputs.push(n.to_string());
        inputs.push(format!("{n}.5"));
        inputs.push(format!("{n}.0"));
        inputs.push(format!("0{n}"));
    }
    for digits in 0..=8 {
        inputs.push(format!("0.{}1", "0".repeat(digits)));
        inputs.push(format!(".{}5", "0".repeat(digits)));
    }
    inputs
}

#[test]
fn default_threshold_pattern_accepts_only_thresholds_the_code_accepts() {
    let t = template();
    let re = pattern(&t, "DefaultThresholdHours");
    for input in number_like_inputs() {
        if re.is_match(&input) {
            Threshold::parse(&input).unwrap_or_else(|e| panic!("template accepts {input:?}, code refuses: {e}"));
            let vars = HashMap::from([("DEFAULT_THRESHOLD_HOURS".to_owned(), input.clone())]);
            Config::for_function(Uses::Pulse, &vars).unwrap();
        }
    }
    for usual in ["24", "0.5", "1.5", "48", "168", "8760", "0.001", ".25"] {
        assert!(re.is_match(usual), "{usual} is a usual threshold");
    }
    for refused in ["0", "0.0", "8760.5", "8761", "-1", "1e3", ""] {
        assert!(!re.is_match(refused), "{refused:?} is refused by the code");
    }
}

#[test]
fn remind_every_pattern_accepts_only_intervals_the_monitor_accepts() {
    let t = template();
    let re = pattern(&t, "RemindEveryHours");
    for input in number_like_inputs() {
        let vars = HashMap::from([("REMIND_EVERY_HOURS".to_owned(), input.clone())]);
        let code = Config::for_function(Uses::Monitor, &vars);
        if re.is_match(&input) {
            code.unwrap_or_else(|e| panic!("template accepts {input:?}, the monitor refuses: {e}"));
        }
    }
    for usual in ["0", "24", "0.5", "168", "8760"] {
        assert!(re.is_match(usual), "{usual} is a usual interval");
    }
    for refused in ["-1", "8761", "99999999999999999999999999", "abc"] {
        assert!(!re.is_match(refused), "{refused:?} is refused by the code");
    }
}

#[test]
fn webhook_pattern_accepts_only_urls_the_monitor_accepts() {
    let t = template();
    let re = pattern(&t, "SlackWebhookUrl");
    let inputs = [
        "",
        "https://hooks.slack.com/services/T000/B000/XXXX",
        "https://hooks.slack.com:443/services/T000",
        "https://example.com",
        "http://hooks.slack.com/services/T000/B000/XXXX",
        "http://127.0.0.1:9/hook",
        "hooks.slack.com/services/T000",
        "https://",
        "https:///path",
        "https://exa mple.com/x",
        "ftp://hooks.slack.com/x",
        "https://hooks.slack.com/ services",
        "https://[::1]/x",
        "https://host:99999/x",
        "https://hooks.slack.com:443/x",
        "https://-/x",
        "https://../x",
        "https://a..b/x",
        "https://a.com/%zz",
        "https://a.com/x#y?z",
        "https://xn--bcher-kva.example/x",
    ];
    for input in inputs {
        if re.is_match(input) && !input.is_empty() {
            crate::slack::parse_webhook_url(input).unwrap_or_else(|e| panic!("template accepts {input:?}: {e}"));
            let vars = HashMap::from([("SLACK_WEBHOOK_URL".to_owned(), input.to_owned())]);
            Config::for_function(Uses::Monitor, &vars).unwrap();
        }
    }
    assert!(re.is_match("https://hooks.slack.com/services/T000/B000/XXXX"));
    assert!(
        !re.is_match("http://hooks.slack.com/services/T000/B000/XXXX"),
        "plain http is refused"
    );
}

#[test]
fn default_timezone_lists_exactly_the_zones_the_code_knows() {
    let t = template();
    let listed: BTreeSet<String> = parameter(&t, "DefaultTimezone")["AllowedValues"]
        .as_array()
        .expect("DefaultTimezone has AllowedValues")
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let known: BTreeSet<String> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name().to_owned()).collect();
    let missing: Vec<_> = known.difference(&listed).collect();
    let unknown: Vec<_> = listed.difference(&known).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "template.yaml's DefaultTimezone AllowedValues differ from chrono-tz: missing {missing:?}, unknown {unknown:?}"
    );
    for name in &listed {
        crate::model::Zone::parse(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    assert!(listed.contains(parameter(&t, "DefaultTimezone")["Default"].as_str().unwrap()));
}

#[test]
fn slack_timeout_range_is_inside_the_codes() {
    let t = template();
    let p = parameter(&t, "SlackTimeoutSeconds");
    let min: f64 = p["MinValue"].as_str().unwrap().parse().unwrap();
    let max: f64 = p["MaxValue"].as_str().unwrap().parse().unwrap();
    for seconds in [min, max, (min + max) / 2.0] {
        let vars = HashMap::from([("SLACK_TIMEOUT_SECONDS".to_owned(), seconds.to_string())]);
        Config::for_function(Uses::Monitor, &vars).unwrap_or_else(|e| panic!("{seconds}: {e}"));
    }
}

#[test]
fn secret_parameters_are_full_ssm_names() {
    let t = template();
    for name in [
        "DashboardSecretParameter",
        "SlackWebhookUrlParameter",
        "PulseKeyParameter",
        "ApiKeyParameter",
        "ApiReadKeyParameter",
        "BadgeKeyParameter",
    ] {
        let re = pattern(&t, name);
        for ok in ["", "/heartbeat/dashboard-secret", "/a/b.c_d-e"] {
            assert!(re.is_match(ok), "{name}: {ok:?}");
        }
        // The policy's ARN is `parameter${Name}`: a name without its leading slash would name another.
        for bad in ["heartbeat/x", "/", "/a b", "/a//b"] {
            assert!(!re.is_match(bad), "{name}: {bad:?}");
        }
    }
}

#[test]
fn the_default_schedule_runs_the_monitor_every_minute() {
    let t = template();
    assert_eq!(parameter(&t, "MonitorSchedule")["Default"], "rate(1 minute)");
    assert_eq!(Eval::with(&t, &[]).monitor_schedules(), ["rate(1 minute)"]);
    let mut original = Eval::with(&t, &[("MonitorSchedule", "original")]).monitor_schedules();
    original.sort();
    assert_eq!(
        original,
        ["cron(0 0,3,6-20 ? * MON-SAT *)", "cron(0 6,12,18 ? * SUN *)"]
    );
    for choice in parameter(&t, "MonitorSchedule")["AllowedValues"].as_array().unwrap() {
        let choice = choice.as_str().unwrap();
        let schedules = Eval::with(&t, &[("MonitorSchedule", choice)]).monitor_schedules();
        assert!(!schedules.is_empty(), "{choice} runs the monitor");
        if choice != "original" {
            assert_eq!(schedules, [choice], "{choice} is one rate rule");
        }
    }
}

/// Each function's variables: the global ones and its own.
fn environment(t: &Value, function: &str) -> BTreeSet<String> {
    let global = t["Globals"]["Function"]["Environment"]["Variables"]
        .as_object()
        .unwrap();
    let own = t["Resources"][function]["Properties"]["Environment"]["Variables"]
        .as_object()
        .unwrap_or_else(|| panic!("{function} has its own Environment"));
    global.keys().chain(own.keys()).cloned().collect()
}

const FUNCTIONS: [(&str, Uses, &str); 8] = [
    ("PulseFunction", Uses::Pulse, "functions/pulse"),
    ("DashboardFunction", Uses::Pages, "functions/dashboard"),
    ("EditGetFunction", Uses::Pages, "functions/edit-get"),
    ("EditPostFunction", Uses::Pages, "functions/edit-post"),
    ("MonitorFunction", Uses::Monitor, "functions/monitor"),
    ("ApiFunction", Uses::Api, "functions/api"),
    ("BadgeFunction", Uses::Badge, "functions/badge"),
    ("DetailFunction", Uses::Pages, "functions/detail"),
];

#[test]
fn each_function_gets_only_its_own_settings_and_secrets() {
    let t = template();
    for (function, uses, _) in FUNCTIONS {
        let expected: BTreeSet<String> = match uses {
            Uses::Pulse => vec!["DEFAULT_THRESHOLD_HOURS"],
            Uses::Pages | Uses::Badge => vec![],
            // POST /channels/{name}/test reaches an email channel through SES.
            Uses::Api => vec!["SES_IDENTITY"],
            Uses::Monitor => vec![
                "BASE_URL",
                "REMIND_EVERY_HOURS",
                "SLACK_TIMEOUT_SECONDS",
                "SES_IDENTITY",
            ],
            Uses::Everything => unreachable!(),
        }
        .into_iter()
        .chain([
            "TABLE_NAME",
            "CONFIG_TABLE_NAME",
            "DEFAULT_TIMEZONE",
            "DEFAULT_CALENDARS",
        ])
        .map(str::to_owned)
        .chain(
            uses.secrets()
                .iter()
                .flat_map(|s| [s.to_string(), crate::secrets::parameter_variable(s).unwrap().to_owned()]),
        )
        .collect();
        assert_eq!(environment(&t, function), expected, "{function}");
    }
    let pulse = environment(&t, "PulseFunction");
    assert!(!pulse.contains("DASHBOARD_SECRET") && !pulse.contains("SLACK_WEBHOOK_URL"));
}

#[test]
fn ssm_reads_are_allowed_only_for_the_functions_own_parameters() {
    let t = template();
    let parameter_of = HashMap::from([
        ("DASHBOARD_SECRET", "DashboardSecretParameter"),
        ("SLACK_WEBHOOK_URL", "SlackWebhookUrlParameter"),
        ("PULSE_KEY", "PulseKeyParameter"),
        ("API_KEY", "ApiKeyParameter"),
        ("API_READ_KEY", "ApiReadKeyParameter"),
        ("BADGE_KEY", "BadgeKeyParameter"),
    ]);
    for (function, uses, _) in FUNCTIONS {
        let policies = t["Resources"][function]["Properties"]["Policies"].to_string();
        let mut allowed = BTreeSet::new();
        for (secret, param) in &parameter_of {
            if policies.contains(&format!(":parameter${{{param}}}")) {
                allowed.insert(*secret);
            }
        }
        let expected: BTreeSet<&str> = uses.secrets().iter().copied().collect();
        assert_eq!(allowed, expected, "{function}");
        assert!(
            !policies.contains("\"ssm:*\"") && !policies.contains("\"kms:*\""),
            "{function}"
        );
        // Without a parameter named, no statement at all: every SSM and KMS grant is conditional.
        let eval = Eval::with(&t, &[]);
        for statement in t["Resources"][function]["Properties"]["Policies"][0]["Statement"]
            .as_array()
            .unwrap()
        {
            let text = statement.to_string();
            if text.contains("ssm:") || text.contains("kms:") {
                assert_eq!(eval.value(statement), json!({"Ref": "AWS::NoValue"}), "{function}");
            }
        }
    }
}

#[test]
fn sam_builds_each_function_from_its_own_package() {
    let t = template();
    assert!(
        t["Globals"]["Function"].get("CodeUri").is_none(),
        "no CodeUri of the whole repository"
    );
    for (function, _, folder) in FUNCTIONS {
        let resource = &t["Resources"][function];
        assert_eq!(resource["Metadata"]["BuildMethod"], "rust-cargolambda", "{function}");
        assert_eq!(resource["Properties"]["CodeUri"], folder, "{function}");
        let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/..").to_owned() + "/" + folder + "/Cargo.toml";
        assert!(std::path::Path::new(&manifest).exists(), "{manifest}");
    }
}

#[test]
fn template_declares_the_config_table_the_code_creates() {
    use crate::store::config::{KIND, NAME};
    let t = template();
    let table = &t["Resources"]["ConfigTable"]["Properties"];
    assert_eq!(table["BillingMode"], "PAY_PER_REQUEST");
    let keys: Vec<(String, String)> = table["KeySchema"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["AttributeName"].as_str().unwrap().to_owned(),
                k["KeyType"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            (KIND.to_owned(), "HASH".to_owned()),
            (NAME.to_owned(), "RANGE".to_owned())
        ]
    );
    for definition in table["AttributeDefinitions"].as_array().unwrap() {
        assert_eq!(definition["AttributeType"], "S", "{definition:?}");
    }
}
