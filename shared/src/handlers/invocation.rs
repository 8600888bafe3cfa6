//! What the monitor function is invoked with and what it answers, as `aws_lambda_events` types: the
//! EventBridge schedule, API Gateway's REST (v1 proxy) and HTTP API (payload 2.0) requests, and the
//! original README's constant input. Each shape gets its answer in its own form.

use crate::monitor::Summary;
use aws_lambda_events::apigw::{
    ApiGatewayProxyRequest, ApiGatewayProxyResponse, ApiGatewayV2httpRequest, ApiGatewayV2httpResponse,
};
use aws_lambda_events::encodings::Body;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_lambda_events::query_map::QueryMap;
use lambda_http::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Everything the monitor function accepts. serde tries the shapes in order; each requires a field
/// the later ones do not (EventBridge: `detail-type`, `source`, `detail`; HTTP API:
/// `requestContext.http`; REST: `httpMethod`; the constant input: `queryStringParameters`), and
/// anything else is kept whole so that it is answered with a 400 instead of failing the invocation.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum MonitorEvent {
    Scheduled(EventBridgeEvent<ScheduleDetail>),
    HttpApi(Box<ApiGatewayV2httpRequest>),
    RestApi(Box<ApiGatewayProxyRequest>),
    ConstantInput(ConstantInput),
    Unknown(Value),
}

/// The `detail` of the scheduled event: empty from EventBridge; the local runtime asks for a
/// backfill at start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
pub struct ScheduleDetail {
    #[serde(default)]
    pub backfill: bool,
}

/// `{"queryStringParameters":{"secret":"S"}}`, which the original README had the schedule send.
/// The parameters stay JSON values: a secret that is not a string is a wrong secret (403), not an
/// unknown shape.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConstantInput {
    // Required, though it may be null: its presence is what tells this shape from any other object.
    #[serde(deserialize_with = "Option::deserialize")]
    pub query_string_parameters: Option<Map<String, Value>>,
}

impl ConstantInput {
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.query_string_parameters.as_ref()?.get(name)?.as_str()
    }
}

impl From<Value> for MonitorEvent {
    fn from(value: Value) -> Self {
        // Cannot fail (`Unknown` takes any JSON); the fallback only keeps the compiler content.
        MonitorEvent::deserialize(&value).unwrap_or(MonitorEvent::Unknown(value))
    }
}

impl MonitorEvent {
    /// The query parameter `name` of a request-shaped event. HTTP API joins repeated values with
    /// commas in `queryStringParameters`, which cannot be told from a comma inside a value, so its
    /// raw query string is read instead (as `lambda_http` does for the other functions).
    pub fn query_parameter(&self, name: &str) -> Option<String> {
        match self {
            MonitorEvent::HttpApi(request) => match &request.raw_query_string {
                Some(raw) => raw.parse::<QueryMap>().ok()?.first(name).map(str::to_owned),
                None => request.query_string_parameters.first(name).map(str::to_owned),
            },
            MonitorEvent::RestApi(request) => request.query_string_parameters.first(name).map(str::to_owned),
            MonitorEvent::ConstantInput(input) => input.parameter(name).map(str::to_owned),
            MonitorEvent::Scheduled(_) | MonitorEvent::Unknown(_) => None,
        }
    }

    /// The form the answer to this event must take.
    pub fn answer_form(&self) -> AnswerForm {
        match self {
            MonitorEvent::HttpApi(_) => AnswerForm::HttpApi,
            _ => AnswerForm::RestApi,
        }
    }
}

/// How an HTTP answer is handed back: HTTP API's payload 2.0, or the REST proxy form (which the
/// constant input and unknown shapes get too, as before HTTP API existed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerForm {
    RestApi,
    HttpApi,
}

impl AnswerForm {
    pub fn answer(self, res: Response<Body>) -> MonitorAnswer {
        let (parts, body) = res.into_parts();
        let is_base64_encoded = matches!(body, Body::Binary(_));
        let body = (!matches!(body, Body::Empty)).then_some(body);
        match self {
            AnswerForm::RestApi => {
                let mut out = ApiGatewayProxyResponse::default();
                out.status_code = i64::from(parts.status.as_u16());
                out.headers = parts.headers;
                out.body = body;
                out.is_base64_encoded = is_base64_encoded;
                MonitorAnswer::RestApi(Box::new(out))
            }
            AnswerForm::HttpApi => {
                let mut out = ApiGatewayV2httpResponse::default();
                out.status_code = i64::from(parts.status.as_u16());
                out.headers = parts.headers;
                out.body = body;
                out.is_base64_encoded = is_base64_encoded;
                MonitorAnswer::HttpApi(Box::new(out))
            }
        }
    }
}

/// What the monitor function answers: the run's summary to a schedule, an HTTP response otherwise.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum MonitorAnswer {
    Summary(Summary),
    RestApi(Box<ApiGatewayProxyResponse>),
    HttpApi(Box<ApiGatewayV2httpResponse>),
}

impl MonitorAnswer {
    /// The JSON the function hands back to Lambda.
    pub fn to_json(&self) -> Result<Value, serde_json::Error> {
        serde_json::to_value(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http::StatusCode;
    use serde_json::json;

    fn sample(name: &str) -> Value {
        let path = format!("{}/../infra/events/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).expect("a JSON sample")
    }

    fn decode(value: Value) -> MonitorEvent {
        MonitorEvent::from(value)
    }

    #[test]
    fn the_scheduled_event_is_an_eventbridge_event() {
        let MonitorEvent::Scheduled(event) = decode(sample("monitor-scheduled.json")) else {
            panic!("not decoded as a schedule");
        };
        assert_eq!(event.source, "aws.events");
        assert_eq!(event.detail_type, "Scheduled Event");
        assert_eq!(event.detail, ScheduleDetail { backfill: false });
        assert_eq!(
            event.time.map(|t| t.to_rfc3339()),
            Some("2026-11-21T17:00:00+00:00".into())
        );
    }

    #[test]
    fn the_rest_api_event_is_a_v1_proxy_request() {
        let event = decode(sample("monitor-get.json"));
        assert!(matches!(event, MonitorEvent::RestApi(_)), "{event:?}");
        assert_eq!(
            event.query_parameter("secret").as_deref(),
            Some("local-dashboard-secret-123")
        );
        assert_eq!(event.answer_form(), AnswerForm::RestApi);
    }

    #[test]
    fn the_http_api_event_is_a_v2_request() {
        let event = decode(sample("monitor-get-v2.json"));
        assert!(matches!(event, MonitorEvent::HttpApi(_)), "{event:?}");
        assert_eq!(
            event.query_parameter("secret").as_deref(),
            Some("local-dashboard-secret-123")
        );
        assert_eq!(event.answer_form(), AnswerForm::HttpApi);
    }

    #[test]
    fn an_http_api_secret_with_a_comma_is_read_whole() {
        let mut value = sample("monitor-get-v2.json");
        value["rawQueryString"] = json!("secret=a%2Cb");
        value["queryStringParameters"] = json!({ "secret": "a,b" });
        assert_eq!(decode(value).query_parameter("secret").as_deref(), Some("a,b"));
    }

    #[test]
    fn the_constant_input_is_its_own_shape() {
        let event = decode(sample("monitor-constant-input.json"));
        assert!(matches!(event, MonitorEvent::ConstantInput(_)), "{event:?}");
        assert_eq!(
            event.query_parameter("secret").as_deref(),
            Some("local-dashboard-secret-123")
        );
        assert_eq!(event.answer_form(), AnswerForm::RestApi);
        let not_a_string = decode(json!({ "queryStringParameters": { "secret": 42 } }));
        assert!(matches!(not_a_string, MonitorEvent::ConstantInput(_)));
        assert_eq!(not_a_string.query_parameter("secret"), None);
        assert!(matches!(
            decode(json!({ "queryStringParameters": null })),
            MonitorEvent::ConstantInput(_)
        ));
    }

    #[test]
    fn anything_else_is_unknown_and_kept() {
        for value in [
            json!({}),
            json!({ "detail": {} }),
            json!({ "secret": "S" }),
            json!({ "source": "aws.events" }),
            json!({ "requestContext": {} }),
            json!("ping"),
            json!(null),
            json!([1, 2]),
        ] {
            match decode(value.clone()) {
                MonitorEvent::Unknown(kept) => assert_eq!(kept, value),
                other => panic!("{value} decoded as {other:?}"),
            }
        }
    }

    fn answer(form: AnswerForm, body: Body) -> Value {
        let mut res = Response::new(body);
        *res.status_mut() = StatusCode::FORBIDDEN;
        res.headers_mut()
            .insert("content-type", "application/json".parse().expect("a header value"));
        form.answer(res).to_json().expect("encodable")
    }

    #[test]
    fn a_rest_answer_is_a_v1_proxy_response() {
        let got = answer(AnswerForm::RestApi, Body::Text("{\"status\":403}".into()));
        assert_eq!(got["statusCode"], json!(403));
        assert_eq!(got["headers"]["content-type"], json!("application/json"));
        assert_eq!(got["body"], json!("{\"status\":403}"));
        assert_eq!(got["isBase64Encoded"], json!(false));
        assert_eq!(got.get("cookies"), None, "cookies are a v2 field");
    }

    #[test]
    fn an_http_api_answer_is_a_v2_response() {
        let got = answer(AnswerForm::HttpApi, Body::Text("{\"status\":403}".into()));
        assert_eq!(got["statusCode"], json!(403));
        assert_eq!(got["headers"]["content-type"], json!("application/json"));
        assert_eq!(got["body"], json!("{\"status\":403}"));
        assert_eq!(got["isBase64Encoded"], json!(false));
        assert_eq!(got["cookies"], json!([]));
    }

    #[test]
    fn binary_bodies_are_base64_and_empty_ones_absent() {
        let got = answer(AnswerForm::HttpApi, Body::Binary(vec![0x1f, 0x8b, 0]));
        assert_eq!(got["body"], json!("H4sA"));
        assert_eq!(got["isBase64Encoded"], json!(true));
        let got = answer(AnswerForm::RestApi, Body::Empty);
        assert_eq!(got.get("body"), None);
        assert_eq!(got["isBase64Encoded"], json!(false));
    }

    #[test]
    fn a_summary_answer_is_the_summary_itself() {
        let got = MonitorAnswer::Summary(Summary::default()).to_json().expect("encodable");
        assert_eq!(got["checked"], json!(0));
        assert_eq!(got.get("statusCode"), None);
    }
}
