//! The API's contract: the routes users' scripts rely on are all served
//! and all in the OpenAPI document, and every operation the document
//! lists is served by the router (the document and the router come from
//! one declaration, `candor_web::api_routes`; this holds them to it).

use std::collections::BTreeSet;
use std::net::IpAddr;

use axum::http::{HeaderMap, Method, StatusCode};
use candor_test_support::{Fixture, TestDb};

use crate::Api;

/// Every operation of the API as it was first published: none may go.
const PUBLISHED: &[(&str, &str)] = &[
    ("GET", "/api/v1/subjects"),
    ("POST", "/api/v1/subjects"),
    ("POST", "/api/v1/subjects/{id}/identities"),
    ("GET", "/api/v1/subjects/{id}"),
    ("GET", "/api/v1/subjects/{id}/interactions"),
    ("GET", "/api/v1/subjects/{id}/consent/events"),
    ("GET", "/api/v1/subjects/{id}/consent"),
    ("POST", "/api/v1/subjects/{id}/consent"),
    ("GET", "/api/v1/subjects/{id}/consent/{ledger_id}/receipt"),
    ("GET", "/api/v1/rights-requests"),
    ("POST", "/api/v1/rights-requests"),
    ("GET", "/api/v1/rights-requests/{id}"),
    ("POST", "/api/v1/rights-requests/{id}/code"),
    ("POST", "/api/v1/rights-requests/{id}/verify"),
    ("POST", "/api/v1/rights-requests/{id}/execute"),
    ("POST", "/api/v1/rights-requests/{id}/reject"),
    ("POST", "/api/v1/rights-requests/{id}/extend"),
    ("GET", "/api/v1/rights-requests/{id}/bundle/{file}"),
    ("GET", "/api/v1/concerns"),
    ("GET", "/api/v1/concerns/{id}"),
    ("POST", "/api/v1/concerns/{id}/answer"),
    ("POST", "/api/v1/concerns/{id}/close"),
    ("GET", "/api/v1/analytics/{measure}"),
    ("GET", "/api/v1/analytics/kpis"),
    ("GET", "/api/v1/analytics/emerging"),
    ("GET", "/api/v1/policy/versions"),
    ("GET", "/api/v1/policy/versions/{version}"),
    ("GET", "/api/v1/policy/diff"),
    ("GET", "/api/v1/recipients"),
    ("GET", "/api/v1/audit"),
    ("GET", "/api/v1/audit/verify"),
    ("POST", "/api/v1/session"),
    ("DELETE", "/api/v1/session"),
    ("POST", "/api/v1/privacy/sign-in"),
    ("POST", "/api/v1/privacy/verify"),
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/me/consent"),
    ("POST", "/api/v1/me/consent"),
    ("GET", "/api/v1/me/rights-requests"),
    ("POST", "/api/v1/me/rights-requests"),
    ("GET", "/api/v1/me/rights-requests/{id}/bundle/{file}"),
    ("GET", "/api/v1/me/concerns"),
    ("POST", "/api/v1/me/concerns"),
    ("GET", "/api/v1/me/policy/changes"),
    ("GET", "/api/openapi.json"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/metrics"),
];

/// The document's operations, as (method, path).
fn documented(doc: &serde_json::Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            ops.insert((method.to_uppercase(), path.clone()));
        }
    }
    ops
}

#[test]
fn the_document_lists_every_published_operation_and_no_other() {
    let doc = serde_json::to_value(candor_web::openapi_document()).unwrap();
    let published: BTreeSet<(String, String)> = PUBLISHED.iter().map(|(m, p)| ((*m).to_owned(), (*p).to_owned())).collect();
    let documented = documented(&doc);
    let missing: Vec<_> = published.difference(&documented).collect();
    let unlisted: Vec<_> = documented.difference(&published).collect();
    assert!(missing.is_empty(), "published operations missing from the document: {missing:?}");
    assert!(unlisted.is_empty(), "new operations: add them to PUBLISHED once they are meant to stay: {unlisted:?}");
}

#[tokio::test]
async fn every_operation_in_the_document_is_served() {
    let api = Api::new(Fixture::with_policy(TestDb::sqlite()).await).await;
    let served = api.call(None, Method::GET, "/api/openapi.json", None).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.json, serde_json::to_value(candor_web::openapi_document()).unwrap(), "the served document is the declared one");
    // A path that is not routed answers `not-found` (the fallback), a
    // method that is not routed 405: any other answer means the router
    // has the operation (whatever it then says of the request).
    let unrouted = api.call(None, Method::GET, "/api/v1/nothing-here", None).await;
    assert_eq!(unrouted.problem(), Some("not-found"));
    for (n, (method, path)) in documented(&served.json).into_iter().enumerate() {
        let uri = path.replace("{version}", "1").replace("{ledger_id}", "1").replace("{measure}", "sentiment");
        let uri =
            uri.split('{').enumerate().map(|(i, part)| if i == 0 { part } else { part.split_once('}').unwrap().1 }).collect::<Vec<_>>();
        let uri = uri.join("x");
        // Each from its own address: the per-address limits stay out of it.
        let ip = IpAddr::from([10, 0, (n / 250) as u8, (n % 250 + 1) as u8]);
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let r = crate::send_from(&api.app, ip, method.clone(), &uri, HeaderMap::new(), None).await;
        assert_ne!(r.problem(), Some("not-found"), "{method} {path} ({uri}) is documented but not routed: {r:?}");
        assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} ({uri}) is documented but not routed: {r:?}");
    }
}

#[test]
fn responses_that_are_lists_are_declared_as_arrays_and_problems_as_problem_documents() {
    let doc = serde_json::to_value(candor_web::openapi_document()).unwrap();
    for path in [
        "/api/v1/rights-requests",
        "/api/v1/policy/versions",
        "/api/v1/recipients",
        "/api/v1/audit",
        "/api/v1/me/rights-requests",
        "/api/v1/concerns",
        "/api/v1/me/concerns",
    ] {
        let schema = &doc["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(schema["type"], "array", "{path}: {schema}");
    }
    let mut problems = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, response) in op["responses"].as_object().unwrap() {
                let content = response["content"].as_object();
                if status.starts_with('2') {
                    let body = content.and_then(|c| c.values().next()).map(|c| &c["schema"]);
                    // Bundle files are whatever their manifest says; 204 has no body.
                    if !(path.contains("/bundle/") || status == "204" || path == "/api/openapi.json") {
                        let body = body.unwrap_or_else(|| panic!("{method} {path} {status} has no schema"));
                        assert!(
                            body.get("type") != Some(&serde_json::json!("object")) || body.get("properties").is_some(),
                            "{method} {path} {status} is a bare object: {body}"
                        );
                    }
                } else {
                    let response = resolve(&doc, response);
                    let problem = &response["content"].as_object().unwrap_or_else(|| panic!("{method} {path} {status} has no body"))
                        ["application/problem+json"]["schema"];
                    assert_eq!(problem["$ref"], "#/components/schemas/Problem", "{method} {path} {status}");
                    problems += 1;
                }
            }
        }
    }
    assert!(problems > 30, "{problems}");
}

#[test]
fn every_reference_in_the_document_resolves() {
    fn refs<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(|r| r.as_str()) {
                    out.push(r);
                }
                m.values().for_each(|v| refs(v, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let doc = serde_json::to_value(candor_web::openapi_document()).unwrap();
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 40, "{}", all.len());
    for r in all {
        let (kind, name) = r.strip_prefix("#/components/").and_then(|r| r.split_once('/')).unwrap_or_else(|| panic!("{r}"));
        assert!(matches!(kind, "schemas" | "responses"), "{r}");
        assert!(doc["components"][kind].get(name).is_some(), "{r} does not resolve");
    }
}

#[test]
fn every_operation_id_is_unique() {
    let doc = serde_json::to_value(candor_web::openapi_document()).unwrap();
    let mut seen = std::collections::BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has no operationId")).to_owned();
            if let Some(other) = seen.insert(id.clone(), format!("{method} {path}")) {
                panic!("operationId `{id}` is used by {other} and {method} {path}");
            }
        }
    }
}

/// A response, or the shared response its `$ref` names.
fn resolve<'a>(doc: &'a serde_json::Value, response: &'a serde_json::Value) -> &'a serde_json::Value {
    match response["$ref"].as_str() {
        Some(r) => {
            let name = r.strip_prefix("#/components/responses/").unwrap_or_else(|| panic!("{r}"));
            &doc["components"]["responses"][name]
        }
        None => response,
    }
}

/// Every operation's declared statuses, by (method, path).
fn declared_statuses(doc: &serde_json::Value) -> std::collections::BTreeMap<(String, String), BTreeSet<String>> {
    let mut out = std::collections::BTreeMap::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.insert((method.to_uppercase(), path.clone()), op["responses"].as_object().unwrap().keys().cloned().collect());
        }
    }
    out
}

#[test]
fn every_operation_declares_who_may_call_it_and_the_problems_any_route_can_answer() {
    let doc = serde_json::to_value(candor_web::openapi_document()).unwrap();
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!((schemes["session"]["type"].as_str(), schemes["session"]["in"].as_str()), (Some("apiKey"), Some("cookie")));
    assert_eq!(schemes["session"]["name"], "candor_session");
    let probes = ["/healthz", "/readyz", "/metrics"];
    let mut staff = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let statuses: BTreeSet<&str> = op["responses"].as_object().unwrap().keys().map(String::as_str).collect();
            let headers: Vec<&str> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "header")
                .filter_map(|p| p["name"].as_str())
                .collect();
            let security: Vec<&str> =
                op["security"].as_array().into_iter().flatten().flat_map(|s| s.as_object().unwrap().keys().map(String::as_str)).collect();
            let at = format!("{method} {path}");
            if probes.contains(&path.as_str()) {
                assert!(!statuses.contains("429"), "{at}: probes are not rate limited");
                continue;
            }
            assert!(statuses.contains("429") && statuses.contains("503"), "{at}: {statuses:?}");
            let customer = path == "/api/v1/me" || path.starts_with("/api/v1/me/");
            if customer {
                assert_eq!(security, ["session"], "{at}");
            } else if !security.is_empty() {
                staff += 1;
                assert_eq!(security, ["bearer", "session"], "{at}");
                assert!(statuses.contains("401") && statuses.contains("403"), "{at}: {statuses:?}");
            }
            if !security.is_empty() {
                assert!(statuses.contains("401"), "{at}: {statuses:?}");
                assert_eq!(headers.contains(&"X-CSRF-Token"), method != "get", "{at}: {headers:?}");
            }
            if op.get("requestBody").is_some() {
                for s in ["400", "413", "415", "422"] {
                    assert!(statuses.contains(s), "{at} takes a body but does not declare {s}: {statuses:?}");
                }
            }
            let purpose_query = op["parameters"].as_array().into_iter().flatten().any(|p| p["in"] == "query" && p["name"] == "purpose");
            assert_eq!(headers.contains(&"X-Candor-Purpose"), purpose_query, "{at}: {headers:?}");
        }
    }
    assert!(staff > 20, "{staff}");
}

/// The problems the middleware answers are the ones the document
/// declares: every operation, called without a credential and with a
/// body over the limit, answers a status its entry lists.
#[tokio::test]
async fn the_answers_of_the_shared_rules_are_declared_for_every_operation() {
    let api = Api::new(Fixture::with_policy(TestDb::sqlite()).await).await;
    let doc = serde_json::to_value(candor_web::openapi_document()).unwrap();
    let declared = declared_statuses(&doc);
    let big = serde_json::json!({ "padding": "x".repeat(2 * 1024 * 1024) });
    for (n, ((method, path), statuses)) in declared.iter().enumerate() {
        let uri =
            path.replace("{version}", "1").replace("{ledger_id}", "1").replace("{measure}", "sentiment").replace("{file}", "manifest.json");
        let uri = uri.replace("{id}", "00000000-0000-0000-0000-000000000000");
        let m = Method::from_bytes(method.as_bytes()).unwrap();
        let bodies: Vec<Option<&serde_json::Value>> = if m == Method::GET { vec![None] } else { vec![None, Some(&big)] };
        for (k, body) in bodies.into_iter().enumerate() {
            // Each from its own address: the per-address limits stay out of it.
            let ip = IpAddr::from([10, 1 + k as u8, (n / 250) as u8, (n % 250 + 1) as u8]);
            let r = crate::send_from(&api.app, ip, m.clone(), &uri, HeaderMap::new(), body.cloned()).await;
            assert!(
                statuses.contains(r.status.as_str()),
                "{method} {path} answered {} without credentials, not declared in {statuses:?}: {r:?}",
                r.status
            );
        }
    }
}
