//! Secrets from SSM Parameter Store. `DASHBOARD_SECRET_PARAMETER=/heartbeat/dashboard-secret` names a
//! (SecureString) parameter whose value stands for `DASHBOARD_SECRET`; it is read once per cold start,
//! so the secret itself is never in the function's configuration, only the parameter's name.

use crate::config::ConfigError;
use aws_sdk_ssm::error::DisplayErrorContext;
use futures_util::future::try_join_all;
use std::collections::HashMap;

/// Each secret and the variable that may name its parameter instead.
const PARAMETER_VARIABLES: [(&str, &str); 6] = [
    ("DASHBOARD_SECRET", "DASHBOARD_SECRET_PARAMETER"),
    ("SLACK_WEBHOOK_URL", "SLACK_WEBHOOK_URL_PARAMETER"),
    ("PULSE_KEY", "PULSE_KEY_PARAMETER"),
    ("API_KEY", "API_KEY_PARAMETER"),
    ("API_READ_KEY", "API_READ_KEY_PARAMETER"),
    ("BADGE_KEY", "BADGE_KEY_PARAMETER"),
];

/// The variable that names `secret`'s SSM parameter, e.g. `PULSE_KEY_PARAMETER` for `PULSE_KEY`.
pub fn parameter_variable(secret: &str) -> Option<&'static str> {
    PARAMETER_VARIABLES
        .iter()
        .find(|(name, _)| *name == secret)
        .map(|(_, variable)| *variable)
}

/// The secrets among `secrets` whose variable names an SSM parameter: (secret, its `_PARAMETER`
/// variable, the parameter's name). Naming both the value and a parameter is refused: which one wins
/// would be a guess.
fn wanted(
    vars: &HashMap<String, String>,
    secrets: &[&'static str],
) -> Result<Vec<(&'static str, &'static str, String)>, ConfigError> {
    let set = |name: &str| vars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut wanted = Vec::new();
    for &secret in secrets {
        let Some(variable) = parameter_variable(secret) else {
            continue;
        };
        let Some(parameter) = set(variable) else {
            continue;
        };
        if set(secret).is_some() {
            return Err(ConfigError {
                variable,
                problem: format!("{secret} is set as well; set one of them (the parameter is the safer place)"),
            });
        }
        wanted.push((secret, variable, parameter.to_owned()));
    }
    Ok(wanted)
}

/// Replaces each `<secret>_PARAMETER` among `secrets` by `<secret>` with the parameter's decrypted
/// value. The client is only used when a parameter is named; the reads run concurrently.
pub async fn resolve(
    vars: &mut HashMap<String, String>,
    secrets: &[&'static str],
    ssm: &aws_sdk_ssm::Client,
) -> Result<(), ConfigError> {
    let wanted = wanted(vars, secrets)?;
    let values = try_join_all(
        wanted
            .iter()
            .map(|(_, variable, parameter)| read(ssm, variable, parameter)),
    )
    .await?;
    for ((secret, _, _), value) in wanted.into_iter().zip(values) {
        vars.insert(secret.to_owned(), value);
    }
    Ok(())
}

async fn read(ssm: &aws_sdk_ssm::Client, variable: &'static str, parameter: &str) -> Result<String, ConfigError> {
    let fail = |problem: String| ConfigError { variable, problem };
    let output = ssm
        .get_parameter()
        .name(parameter)
        .with_decryption(true)
        .send()
        .await
        .map_err(|err| {
            let err = err.into_service_error();
            if err.is_parameter_not_found() {
                fail(format!(
                    "the SSM parameter “{parameter}” does not exist in this account and region; create it with \
                     `aws ssm put-parameter --type SecureString --name {parameter} --value …`"
                ))
            } else {
                fail(format!(
                    "the SSM parameter “{parameter}” could not be read ({}); the function's role needs \
                     ssm:GetParameter on it and kms:Decrypt on its key",
                    DisplayErrorContext(&err)
                ))
            }
        })?;
    output
        .parameter()
        .and_then(|p| p.value())
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
        .ok_or_else(|| fail(format!("the SSM parameter “{parameter}” has no value")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn only_the_functions_own_secrets_are_looked_up() {
        let v = vars(&[
            ("DASHBOARD_SECRET_PARAMETER", "/heartbeat/dashboard"),
            ("PULSE_KEY_PARAMETER", "/heartbeat/pulse-key"),
        ]);
        let wanted = wanted(&v, &["PULSE_KEY"]).unwrap();
        assert_eq!(
            wanted,
            vec![("PULSE_KEY", "PULSE_KEY_PARAMETER", "/heartbeat/pulse-key".to_owned())]
        );
        assert!(wanted_names(&v, &[]).is_empty());
    }

    fn wanted_names(v: &HashMap<String, String>, secrets: &[&'static str]) -> Vec<&'static str> {
        wanted(v, secrets).unwrap().into_iter().map(|(s, _, _)| s).collect()
    }

    #[test]
    fn a_value_and_a_parameter_for_the_same_secret_are_refused() {
        let v = vars(&[
            ("DASHBOARD_SECRET", "plain-secret-value"),
            ("DASHBOARD_SECRET_PARAMETER", "/heartbeat/dashboard"),
        ]);
        let err = wanted(&v, &["DASHBOARD_SECRET"]).unwrap_err();
        assert_eq!(err.variable, "DASHBOARD_SECRET_PARAMETER");
        assert!(err.problem.contains("DASHBOARD_SECRET is set as well"), "{err}");
        assert!(!err.to_string().contains("plain-secret-value"), "{err}");
    }

    #[test]
    fn empty_parameter_variables_are_unset() {
        let v = vars(&[
            ("SLACK_WEBHOOK_URL_PARAMETER", "  "),
            ("SLACK_WEBHOOK_URL", "https://x"),
        ]);
        assert!(wanted_names(&v, &["SLACK_WEBHOOK_URL"]).is_empty());
    }
}
