//! What every operation shares, written into the OpenAPI document once
//! rather than on each handler: who may call it (a bearer token, a
//! browser session cookie and its CSRF header), the purpose header, and
//! the problems any route can answer for reasons outside its handler:
//! no or a refused credential (401, 403), a malformed or oversized body
//! (400, 413, 415, 422), the rate limits (429) and the time limit (503).
//!
//! The rules mirror the middleware and extractors: a staff operation
//! takes a token or a staff session; a `/me` operation a customer's
//! session; an unsafe method under a session needs `X-CSRF-Token`; the
//! probes are neither authenticated nor limited.

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{HttpMethod, Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, OpenApi, Ref, RefOr, Required, Response, ResponseBuilder, Type};

use crate::api::PURPOSE_HEADER;
use crate::auth::{CSRF_HEADER, HOST_SESSION_COOKIE, SESSION_COOKIE};

/// The security scheme of a staff token.
pub const BEARER: &str = "bearer";
/// The security scheme of a browser session (staff or customer).
pub const SESSION: &str = "session";

/// Who an operation serves, from its path and declared security.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Audience {
    /// Probes: neither authenticated nor rate limited.
    Probe,
    /// Anyone (sign-in, the document): rate limited per address.
    Anyone,
    /// Staff: a bearer token or a staff session.
    Staff,
    /// A signed-in customer: their session.
    Customer,
}

fn audience(path: &str, op: &Operation) -> Audience {
    if matches!(path, "/healthz" | "/readyz" | "/metrics") {
        Audience::Probe
    } else if path == "/api/v1/me" || path.starts_with("/api/v1/me/") {
        Audience::Customer
    } else if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
        Audience::Staff
    } else {
        Audience::Anyone
    }
}

/// The shared responses, by name under `components.responses`, with the
/// status each answers.
const SHARED: &[(&str, &str, &str)] = &[
    ("BadRequest", "400", "the request is malformed: a path segment, query parameter, header or JSON body that does not parse"),
    ("Unauthenticated", "401", "no credential, or one that is unknown, expired or revoked"),
    ("Forbidden", "403", "the credential is valid, but its role may not use this operation, its privacy training has lapsed, or a session's unsafe request lacks its `X-CSRF-Token`"),
    ("TooLarge", "413", "the body is larger than `server.body_limit_bytes`"),
    ("UnsupportedMediaType", "415", "the body is not sent as `application/json`"),
    ("InvalidInput", "422", "the body or a parameter parses but holds a value this operation does not accept"),
    ("RateLimited", "429", "too many requests from this credential or address, or too many failed sign-ins; retry after `Retry-After` seconds"),
    ("Unavailable", "503", "the request took longer than `server.timeout_seconds`, or the database is unreachable"),
];

/// Complete `doc` with the shared security schemes, responses and
/// headers, on every operation they apply to.
pub fn complete(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        SESSION,
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
            SESSION_COOKIE,
            &format!(
                "a browser session, set by `POST /api/v1/session` (staff) or `POST /api/v1/privacy/verify` (customer); named `{HOST_SESSION_COOKIE}` when `server.public_url` is https. Unsafe methods must echo the session's CSRF token in `X-CSRF-Token`."
            ),
        ))),
    );
    for (name, _, description) in SHARED {
        components.responses.insert((*name).to_owned(), RefOr::T(problem_response(name, description)));
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        for method in [HttpMethod::Get, HttpMethod::Post, HttpMethod::Put, HttpMethod::Patch, HttpMethod::Delete] {
            let op = match method {
                HttpMethod::Get => item.get.as_mut(),
                HttpMethod::Post => item.post.as_mut(),
                HttpMethod::Put => item.put.as_mut(),
                HttpMethod::Patch => item.patch.as_mut(),
                HttpMethod::Delete => item.delete.as_mut(),
                _ => None,
            };
            if let Some(op) = op {
                let unsafe_method = !matches!(method, HttpMethod::Get);
                complete_operation(path, op, unsafe_method);
            }
        }
    }
}

fn complete_operation(path: &str, op: &mut Operation, unsafe_method: bool) {
    let audience = audience(path, op);
    let mut shared: Vec<&str> = Vec::new();
    match audience {
        Audience::Probe => return,
        Audience::Anyone => {}
        Audience::Staff => {
            op.security =
                Some(vec![SecurityRequirement::new::<_, _, &str>(BEARER, []), SecurityRequirement::new::<_, _, &str>(SESSION, [])]);
            shared.extend(["Unauthenticated", "Forbidden"]);
        }
        Audience::Customer => {
            op.security = Some(vec![SecurityRequirement::new::<_, _, &str>(SESSION, [])]);
            shared.push("Unauthenticated");
            if unsafe_method {
                shared.push("Forbidden");
            }
        }
    }
    if unsafe_method && matches!(audience, Audience::Staff | Audience::Customer) {
        add_parameter(op, header(CSRF_HEADER, "X-CSRF-Token", "the session's CSRF token (from the answer that started the session); required on unsafe methods under a session cookie, ignored with a bearer token"));
    }
    let takes_purpose = op.parameters.iter().flatten().any(|p| p.name == "purpose" && p.parameter_in == ParameterIn::Query);
    if takes_purpose {
        add_parameter(
            op,
            header(
                PURPOSE_HEADER,
                "X-Candor-Purpose",
                "the purpose the data is read for (a purpose id of the policy); takes precedence over `?purpose=`",
            ),
        );
    }
    let has_parameters = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    if op.request_body.is_some() {
        shared.extend(["BadRequest", "TooLarge", "UnsupportedMediaType", "InvalidInput"]);
    } else if has_parameters {
        shared.push("BadRequest");
    }
    shared.extend(["RateLimited", "Unavailable"]);
    for name in shared {
        let status = SHARED.iter().find(|(n, _, _)| *n == name).map_or("default", |(_, s, _)| s);
        // A handler that describes the status itself says more about it
        // than the shared description does; one that only names it does not.
        let shared = RefOr::Ref(Ref::from_response_name(name));
        match op.responses.responses.get_mut(status) {
            Some(RefOr::T(own)) if !own.description.is_empty() => {}
            Some(other) => *other = shared,
            None => {
                op.responses.responses.insert(status.to_owned(), shared);
            }
        }
    }
}

fn header(wire: &str, name: &str, description: &str) -> Parameter {
    debug_assert!(wire.eq_ignore_ascii_case(name));
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .build()
}

fn add_parameter(op: &mut Operation, p: Parameter) {
    let params = op.parameters.get_or_insert_with(Vec::new);
    if !params.iter().any(|q| q.name.eq_ignore_ascii_case(&p.name) && q.parameter_in == p.parameter_in) {
        params.push(p);
    }
}

fn problem_response(name: &str, description: &str) -> Response {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
    let mut r = ResponseBuilder::new().description(description).content("application/problem+json", content);
    if name == "RateLimited" {
        r = r.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::Integer))
                .description(Some("seconds to wait before retrying"))
                .build(),
        );
    }
    r.build()
}
