//! What the page benchmarks share: their arguments, and HTTP/1.1 spoken
//! by hand over one kept-alive connection (no client library, so the
//! figures are the server's).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;

/// The number after `name` on the command line.
pub fn arg(name: &str) -> Option<u64> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok())
}

/// One HTTP/1.1 exchange on a kept-alive connection: the status, the
/// session cookie if one is set, and the body.
pub fn exchange(conn: &mut BufReader<TcpStream>, request: &str) -> (u16, Option<String>, Vec<u8>) {
    conn.get_mut().write_all(request.as_bytes()).expect("send");
    let mut line = String::new();
    conn.read_line(&mut line).expect("status line");
    let status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let (mut length, mut cookie) = (0usize, None);
    loop {
        line.clear();
        conn.read_line(&mut line).expect("header");
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':').unwrap_or((header, ""));
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().unwrap_or(0),
            "set-cookie" if value.trim().starts_with("candor_session=") => {
                cookie = value.trim().split(';').next().map(str::to_owned);
            }
            _ => {}
        }
    }
    let mut body = vec![0; length];
    conn.read_exact(&mut body).expect("body");
    (status, cookie, body)
}

pub fn form(path: &str, cookie: &str, body: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: bench\r\nCookie: {cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}
