//! The Global Privacy Control signal (`Sec-GPC`), a customer's opt-out of
//! sale and sharing sent by their browser.
//!
//! The GPC specification's grammar is `Sec-GPC: OWS "1" OWS`: the only
//! value that carries the signal is `1`, with optional spaces or tabs
//! around it. A request may (through a proxy, or a sloppy client) carry
//! the field more than once; the signal counts when any of them is `1`,
//! so a `Sec-GPC: 0` before or after it cannot hide it. Anything else
//! (`0`, `true`, `01`, `1.0`, an empty value) is no signal.

use axum::http::HeaderMap;

/// The header field's name.
pub(crate) const SEC_GPC: &str = "sec-gpc";

/// Whether the request carries the GPC signal.
pub(crate) fn signalled(headers: &HeaderMap) -> bool {
    headers.get_all(SEC_GPC).iter().any(|v| trim_ows(v.as_bytes()) == b"1")
}

/// `value` without HTTP's optional whitespace around it: spaces and tabs
/// only (RFC 9110 §5.6.3).
fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value.iter().rposition(|b| !is_ows(b)).map_or(start, |i| i + 1);
    &value[start..end]
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(values: &[&[u8]]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(SEC_GPC, HeaderValue::from_bytes(v).unwrap());
        }
        h
    }

    #[test]
    fn one_alone_or_among_others_is_the_signal() {
        for values in [&[b"1" as &[u8]][..], &[b"0", b"1"], &[b"1", b"0"], &[b" 1"], &[b"1 "], &[b"\t1\t"], &[b"x", b"1", b"0"]] {
            assert!(signalled(&headers(values)), "{values:?}");
        }
    }

    #[test]
    fn anything_else_is_no_signal() {
        for values in [
            &[][..],
            &[b"0" as &[u8]],
            &[b"0", b"0"],
            &[b""],
            &[b"  "],
            &[b"true"],
            &[b"01"],
            &[b"1.0"],
            &[b"1, 0"],
            &[b"0, 1"],
            &[b"\xff1"],
        ] {
            assert!(!signalled(&headers(values)), "{values:?}");
        }
    }
}
