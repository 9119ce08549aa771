//! What every list shares: `limit` and `after` in the query, and the
//! `Link: <…>; rel="next"` header that says where the next page starts
//! (absent on the last page). Pages are read from the store by keyset
//! through the service; this module only speaks HTTP.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use super::page_limit;
use crate::problem::Problem;

/// A page of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Where the page starts: the cursor the previous page's `Link:
    /// rel="next"` gave (absent: the first page).
    pub after: Option<String>,
    /// At most this many (1 to 1000, default 100; outside that, 422).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

impl PageQuery {
    /// The page size asked for, checked.
    pub(crate) fn limit(&self) -> Result<u32, Problem> {
        page_limit(self.limit, 100, candor_service::page::MAX_LIMIT)
    }
}

/// `body` as JSON, with a `Link` to the next page at `path` when `next`
/// says there is one; `keep` are the list's other query parameters.
pub(crate) fn respond<T: Serialize>(body: T, path: &str, keep: &[(&str, String)], limit: u32, next: Option<String>) -> Response {
    let mut response = axum::Json(body).into_response();
    if let Some(cursor) = next {
        let mut query = String::new();
        for (k, v) in keep {
            query.push_str(&format!("{k}={}&", escape(v)));
        }
        let link = format!("<{path}?{query}after={}&limit={limit}>; rel=\"next\"", escape(&cursor));
        if let Ok(v) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, v);
        }
    }
    response
}

/// A query value percent-encoded (everything but RFC 3986's unreserved
/// characters).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_carries_the_cursor_and_the_other_parameters_escaped() {
        let r = respond(Vec::<u8>::new(), "/api/v1/x", &[("purpose", "a b&c".into())], 5, Some("abc_-".into()));
        let link = r.headers().get(header::LINK).unwrap().to_str().unwrap();
        assert_eq!(link, "</api/v1/x?purpose=a%20b%26c&after=abc_-&limit=5>; rel=\"next\"");
        assert!(respond(Vec::<u8>::new(), "/api/v1/x", &[], 5, None).headers().get(header::LINK).is_none());
    }
}
