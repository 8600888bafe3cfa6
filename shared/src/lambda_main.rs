//! What the main of every HTTP function runs: the Lambda runtime loop over this function's routes of
//! the route table (`routes`), with the time of each request read here, at the edge.

use crate::http::response;
use crate::routes::{self, Function};
use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Error, Request, Response, service_fn};
use std::convert::Infallible;
use std::future::Future;

/// Answers each request with `handle(request, now)`. A request the table gives to another function
/// (a template out of step with the table) gets a 404 naming both, never a wrong handler's answer.
pub async fn serve<H, Fut>(function: Function, handle: H) -> Result<(), Error>
where
    H: Fn(Request, DateTime<Utc>) -> Fut,
    Fut: Future<Output = Response<Body>> + Send,
{
    lambda_http::run(service_fn(move |req: Request| {
        let answer = match misrouted(function, &req) {
            Some(refusal) => Err(refusal),
            None => Ok(handle(req, Utc::now())),
        };
        async move {
            Ok::<_, Infallible>(match answer {
                Ok(handled) => handled.await,
                Err(refusal) => refusal,
            })
        }
    }))
    .await
}

fn misrouted(function: Function, req: &Request) -> Option<Response<Body>> {
    let (method, path) = (req.method().as_str(), req.uri().path());
    let owner = routes::find(method, path).map(|route| route.function);
    (owner != Some(function)).then(|| {
        let owner = owner.map_or("no function", Function::binary);
        let message = format!(
            "Not found: {method} {path} is no route of the {} function; the route table \
             (shared/src/routes.rs) gives it to {owner}\n",
            function.binary()
        );
        response::text(StatusCode::NOT_FOUND, &message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, path: &str) -> Request {
        lambda_http::http::Request::builder()
            .method(method)
            .uri(path)
            .body(Body::Empty)
            .unwrap()
    }

    #[test]
    fn a_function_answers_its_own_routes_only() {
        assert!(misrouted(Function::Pulse, &request("GET", "/Prod/heartbeat/pulse/start")).is_none());
        assert!(misrouted(Function::Api, &request("PUT", "/heartbeat/api/v1/routes")).is_none());
        assert!(misrouted(Function::EditPost, &request("POST", "/heartbeat/edit")).is_none());
        let refused = misrouted(Function::Pulse, &request("GET", "/heartbeat/quiet")).expect("refused");
        assert_eq!(refused.status(), StatusCode::NOT_FOUND);
        let Body::Text(text) = refused.body() else {
            panic!("a text body")
        };
        assert!(
            text.contains("no route of the pulse function") && text.contains("gives it to api"),
            "{text}"
        );
        assert!(misrouted(Function::EditGet, &request("POST", "/heartbeat/edit")).is_some());
        assert!(misrouted(Function::Api, &request("GET", "/heartbeat/nothing")).is_some());
    }
}
