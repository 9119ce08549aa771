//! The privacy center's pages, driven as a browser without JavaScript
//! drives them: plain links and url-encoded form posts, the session in a
//! cookie and the CSRF token in a hidden field. The language follows the
//! switcher, then `Accept-Language`.

use std::net::IpAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use candor_domain::{PurposeStatus, SubjectId};
use candor_service::subjects::NewSubjectInput;
use candor_test_support::{each_backend, Fixture, TestDb};
use http_body_util::BodyExt as _;
use tower::ServiceExt as _;

use crate::{code_from_outbox, Api};

/// A page's answer.
pub(crate) struct Page {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) html: String,
    /// The body's bytes, for what is not a page (a download).
    pub(crate) bytes: Vec<u8>,
}

impl Page {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The value of the first hidden input named `name`.
    pub(crate) fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let at = self.html.find(&marker).unwrap_or_else(|| panic!("no {name} field in {}", self.html)) + marker.len();
        self.html[at..].split('"').next().unwrap().to_owned()
    }
}

/// A browser: its cookie jar (the session) and its language.
pub(crate) struct Browser<'a> {
    api: &'a Api,
    pub(crate) cookie: Option<String>,
    pub(crate) accept_language: &'static str,
    pub(crate) ip: IpAddr,
    /// Whether the browser sends `Sec-GPC: 1`.
    pub(crate) gpc: bool,
    /// Headers it adds to every request (`Origin`, fetch metadata).
    pub(crate) extra: Vec<(&'static str, String)>,
}

impl<'a> Browser<'a> {
    pub(crate) fn new(api: &'a Api) -> Self {
        Self { api, cookie: None, accept_language: "en", ip: IpAddr::from([10, 9, 0, 1]), gpc: false, extra: Vec::new() }
    }

    pub(crate) async fn request(&mut self, method: Method, uri: &str, form: Option<&[(&str, &str)]>) -> Page {
        match form {
            Some(fields) => {
                let encoded: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect();
                self.send(method, uri, Some("application/x-www-form-urlencoded"), Body::from(encoded.join("&"))).await
            }
            None => self.send(method, uri, None, Body::empty()).await,
        }
    }

    /// Post a file as a browser does (`multipart/form-data`), with the
    /// session's CSRF token beside it.
    pub(crate) async fn upload(&mut self, uri: &str, csrf: &str, file: &str, content: &str) -> Page {
        let boundary = "----candor-test-boundary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file}\"\r\nContent-Type: text/plain\r\n\r\n{content}\r\n--{boundary}--\r\n"
        );
        let content_type = format!("multipart/form-data; boundary={boundary}");
        self.send(Method::POST, uri, Some(&content_type), Body::from(body)).await
    }

    async fn send(&mut self, method: Method, uri: &str, content_type: Option<&str>, body: Body) -> Page {
        let mut req = Request::builder().method(method).uri(uri).header("accept-language", self.accept_language);
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        if self.gpc {
            req = req.header("sec-gpc", "1");
        }
        for (name, value) in &self.extra {
            req = req.header(*name, value);
        }
        if let Some(t) = content_type {
            req = req.header("content-type", t);
        }
        let mut req = req.body(body).unwrap();
        req.extensions_mut().insert(ConnectInfo(std::net::SocketAddr::new(self.ip, 40000)));
        let res = self.api.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        for set in headers.get_all("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_owned();
            if pair.starts_with("candor_session=") {
                self.cookie = (pair != "candor_session=").then_some(pair);
            }
        }
        let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        let html = String::from_utf8_lossy(&bytes).into_owned();
        Page { status, headers, html, bytes }
    }

    pub(crate) async fn get(&mut self, uri: &str) -> Page {
        self.request(Method::GET, uri, None).await
    }

    pub(crate) async fn post(&mut self, uri: &str, form: &[(&str, &str)]) -> Page {
        self.request(Method::POST, uri, Some(form)).await
    }

    /// Sign in as the customer with `email`, reading the code from the outbox.
    pub(crate) async fn sign_in(&mut self, email: &str) -> Page {
        let asked = self.post("/privacy/sign-in", &[("email", email)]).await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.html);
        let challenge = asked.hidden("challenge");
        self.api.settle().await;
        let code = code_from_outbox(&self.api.f, "sign_in_code").await;
        let entered = self.post("/privacy/code", &[("challenge", &challenge), ("code", &code)]).await;
        assert_eq!(entered.status, StatusCode::SEE_OTHER, "{}", entered.html);
        assert_eq!(entered.header("location"), Some("/privacy"));
        self.get("/privacy").await
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(crate) async fn served(f: Fixture) -> (Api, SubjectId) {
    let api = Api::new(f).await;
    let add = NewSubjectInput { email: Some("ana@example.com".into()), name: Some("Ana Ruiz".into()), ..Default::default() };
    let ana = api.f.candor.add_subject("test", &add).await.unwrap();
    (api, ana)
}

#[tokio::test]
async fn a_customer_signs_in_sees_what_is_held_and_changes_a_choice_with_one_press() {
    each_backend(|db| async move {
        let (api, ana) = served(Fixture::with_policy(db).await).await;
        let mut b = Browser::new(&api);
        let first = b.get("/privacy").await;
        assert_eq!((first.status, first.header("location")), (StatusCode::SEE_OTHER, Some("/privacy/sign-in")));
        let dashboard = b.sign_in("ana@example.com").await;
        assert_eq!(dashboard.status, StatusCode::OK, "{}", dashboard.html);
        assert_eq!(dashboard.header("content-type"), Some("text/html; charset=utf-8"));
        assert!(dashboard.html.contains(">ana@example.com</td>") && dashboard.html.contains(">Ana Ruiz</td>"), "{}", dashboard.html);
        // Where each detail came from and until when it is kept, and why:
        // staff entered her today; customer service (730 days) reads both.
        let until = (time::OffsetDateTime::now_utc() + time::Duration::days(730)).date().to_string();
        assert_eq!(dashboard.html.matches(">Entered by our staff</td>").count(), 2, "{}", dashboard.html);
        assert!(dashboard.html.contains(&format!("until {until}, for: Customer service")), "{}", dashboard.html);
        assert!(dashboard.html.contains("We hold no messages from you."));
        // Every purpose of the policy, with its basis in words, and no
        // control ticked in advance (there are no checkboxes at all).
        for purpose in ["analytics", "customer_service", "accessibility_support"] {
            assert!(dashboard.html.contains(&format!("id=\"purpose-{purpose}\"")), "{purpose}");
        }
        assert!(!dashboard.html.contains("checked"));
        assert!(dashboard.html.contains("Our legitimate interest") && dashboard.html.contains("you have the right to object"));

        let csrf = dashboard.hidden("csrf");
        let objected = b.post("/privacy/choices", &[("csrf", &csrf), ("purpose", "analytics"), ("action", "object")]).await;
        assert_eq!(objected.status, StatusCode::SEE_OTHER, "{}", objected.html);
        let standing = api.f.candor.consent_overview(ana).await.unwrap();
        let analytics = standing.purposes.iter().find(|p| p.purpose.as_str() == "analytics").unwrap();
        assert_eq!((analytics.status, analytics.in_effect), (Some(PurposeStatus::Objected), false));
        let after = b.get(objected.header("location").unwrap()).await;
        assert!(after.html.contains("you objected to “Service analytics”"), "{}", after.html);

        // Granting a consent purpose and withdrawing it: one press each.
        let granted = b.post("/privacy/choices", &[("csrf", &csrf), ("purpose", "accessibility_support"), ("action", "grant")]).await;
        assert_eq!(granted.status, StatusCode::SEE_OTHER);
        let withdrawn = b.post("/privacy/choices", &[("csrf", &csrf), ("purpose", "accessibility_support"), ("action", "withdraw")]).await;
        assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
        let events = api.f.candor.consent_overview(ana).await.unwrap().events;
        let sources: Vec<_> = events.iter().map(|e| (e.event.action.as_str(), e.event.source.as_str())).collect();
        assert_eq!(sources, [("object", "privacy_center"), ("grant", "privacy_center"), ("withdraw", "privacy_center")]);
    })
    .await;
}

#[tokio::test]
async fn a_form_without_the_sessions_csrf_token_changes_nothing() {
    let (api, ana) = served(Fixture::with_policy(TestDb::sqlite()).await).await;
    let mut b = Browser::new(&api);
    b.sign_in("ana@example.com").await;
    for csrf in ["", "forged-token"] {
        let r = b.post("/privacy/choices", &[("csrf", csrf), ("purpose", "analytics"), ("action", "object")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.html);
        assert!(r.html.contains("could not accept the form"), "{}", r.html);
    }
    // Nor may a page choose what the privacy center does not offer.
    let csrf = b.get("/privacy").await.hidden("csrf");
    let r = b.post("/privacy/choices", &[("csrf", &csrf), ("purpose", "analytics"), ("action", "opt_in_sale_share")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(api.f.candor.consent_overview(ana).await.unwrap().events.is_empty());
    // Signed out (also without the token: the form is refused and the
    // session lives on), then the dashboard is gone.
    let refused = b.post("/privacy/sign-out", &[("csrf", "x")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let out = b.post("/privacy/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!((out.status, out.header("location")), (StatusCode::SEE_OTHER, Some("/privacy/sign-in")));
    assert_eq!(out.header("clear-site-data"), Some("\"cookies\", \"storage\""));
    assert!(b.cookie.is_none());
    let gone = b.get("/privacy").await;
    assert_eq!(gone.header("location"), Some("/privacy/sign-in"));
}

#[tokio::test]
async fn a_wrong_code_is_said_plainly_and_an_unknown_address_gets_the_same_page() {
    let (api, _) = served(Fixture::with_policy(TestDb::sqlite()).await).await;
    let mut b = Browser::new(&api);
    let known = b.post("/privacy/sign-in", &[("email", "ana@example.com")]).await;
    let unknown = b.post("/privacy/sign-in", &[("email", "nobody@example.com")]).await;
    let strip = |p: &Page| p.html.replace(&p.hidden("challenge"), "");
    assert_eq!((known.status, strip(&known)), (unknown.status, strip(&unknown)), "the page must not tell who is a customer");
    let wrong = b.post("/privacy/code", &[("challenge", &known.hidden("challenge")), ("code", "00000000")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.html.contains("That code is wrong or has expired"), "{}", wrong.html);
    assert!(b.cookie.is_none());
    let empty = b.post("/privacy/sign-in", &[("email", " ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_pages_speak_the_visitors_language_and_the_switcher_remembers_it() {
    let (api, _) = served(Fixture::with_policy(TestDb::sqlite()).await).await;
    let mut b = Browser::new(&api);
    b.accept_language = "es-ES, en;q=0.5";
    let es = b.get("/privacy/sign-in").await;
    assert!(es.html.contains("<html lang=\"es\">") && es.html.contains("Envíame un código"), "{}", es.html);
    let switched = b.get("/privacy/sign-in?lang=en").await;
    assert!(switched.html.contains("<html lang=\"en\">") && switched.html.contains("Send me a code"));
    let remembered = switched.header("set-cookie").unwrap();
    assert!(remembered.starts_with("candor_lang=en;"), "{remembered}");
    let dashboard = b.sign_in("ana@example.com").await;
    assert!(dashboard.html.contains("Tus datos") && dashboard.html.contains("Tu consentimiento"), "{}", dashboard.html);
    // The policy's own words in Spanish too, where it has them.
    assert!(dashboard.html.contains("Mostrarte anuncios de nuestros productos"), "{}", dashboard.html);
    assert!(!dashboard.html.contains("Show you ads"), "{}", dashboard.html);
}

#[tokio::test]
async fn pages_carry_no_script_and_a_policy_that_allows_none() {
    let (api, _) = served(Fixture::with_policy(TestDb::sqlite()).await).await;
    let mut b = Browser::new(&api);
    let dashboard = b.sign_in("ana@example.com").await;
    let sign_in = Browser::new(&api).get("/privacy/sign-in").await;
    for page in [&dashboard, &sign_in] {
        let html = page.html.to_lowercase();
        assert!(!html.contains("<script") && !html.contains("style=") && !html.contains("javascript:"), "inline script or style");
        let handler = html.split(" on").skip(1).find(|rest| {
            let name: String = rest.chars().take_while(char::is_ascii_alphabetic).collect();
            !name.is_empty() && rest[name.len()..].starts_with('=')
        });
        assert!(handler.is_none(), "an inline event handler: on{}", handler.unwrap_or_default());
        let csp = page.header("content-security-policy").unwrap();
        assert!(csp.contains("default-src 'none'") && !csp.contains("unsafe-inline") && !csp.contains("script-src"), "{csp}");
    }
    let css = Browser::new(&api).get("/privacy/static/privacy.css").await;
    assert_eq!((css.status, css.header("content-type")), (StatusCode::OK, Some("text/css; charset=utf-8")));
    assert!(css.html.contains("@media (max-width: 30rem)"), "narrow screens get their own layout");
}

#[tokio::test]
async fn the_customer_sees_who_read_their_data_by_role_and_who_receives_it() {
    each_backend(|db| async move {
        let (api, ana) = served(Fixture::with_policy(db).await).await;
        // An agent reads Ana for customer service; a marketer is refused.
        let read = api.call(Some("alice"), Method::GET, &format!("/api/v1/subjects/{ana}?purpose=customer_service"), None).await;
        assert_eq!(read.status, StatusCode::OK, "{read:?}");
        let mut b = Browser::new(&api);
        let page = b.sign_in("ana@example.com").await;
        let saw = page.html.split("id=\"saw\"").nth(1).unwrap().split("</section>").next().unwrap();
        assert!(saw.contains(">A customer-service agent</td><td data-label=\"What they did\">read your data</td><td data-label=\"For\">Customer service</td>"), "{saw}");
        assert!(!saw.contains("alice"), "staff are shown by role, never by name: {saw}");
        let received = page.html.split("id=\"received\"").nth(1).unwrap().split("</section>").next().unwrap();
        assert!(received.contains("<th scope=\"row\">Helpdesk Cloud Inc. (US)</th><td data-label=\"For\">Helpdesk software</td>"), "{received}");
        assert!(received.contains("DPA-2025-014, in force from 2025-01-01 to 2027-12-31"), "{received}");
        assert!(received.contains("Yes: your choices allow it."), "a contract purpose runs whatever the choices: {received}");
    })
    .await;
}

#[tokio::test]
async fn global_privacy_control_is_declared_honoured_on_every_page_and_shown() {
    each_backend(|db| async move {
        let (api, ana) = served(Fixture::with_policy(db).await).await;
        let declared = Browser::new(&api).get("/.well-known/gpc.json").await;
        assert_eq!(declared.status, StatusCode::OK);
        let json: serde_json::Value = serde_json::from_str(&declared.html).unwrap();
        assert_eq!(json["gpc"], true);
        assert!(time::Date::parse(json["lastUpdate"].as_str().unwrap(), &time::format_description::well_known::Iso8601::DATE).is_ok());

        // Without the signal, the example policy's advertising counts as a
        // CCPA share: the page offers the opt-out.
        let mut b = Browser::new(&api);
        let before = b.sign_in("ana@example.com").await;
        assert!(before.html.contains("Opt out of selling and sharing"), "{}", before.html);
        assert!(!api.f.candor.consent_overview(ana).await.unwrap().state.sale_share_opt_out);
        // The browser starts sending the signal: the next page records it and says so.
        b.gpc = true;
        let after = b.get("/privacy").await;
        assert!(after.html.contains("Your browser is sending a Global Privacy Control signal"), "{}", after.html);
        assert!(after.html.contains("Global Privacy Control signal told us so on "), "{}", after.html);
        assert!(!after.html.contains("Opt out of selling and sharing"));
        let overview = api.f.candor.consent_overview(ana).await.unwrap();
        assert!(overview.state.sale_share_opt_out);
        let gpc_events = overview.events.iter().filter(|e| e.event.source.as_str() == "gpc").count();
        b.get("/privacy").await;
        let again = api.f.candor.consent_overview(ana).await.unwrap();
        assert_eq!((gpc_events, again.events.len()), (1, overview.events.len()), "the signal is recorded once, not on every page");
    })
    .await;
}

#[tokio::test]
async fn the_opt_out_of_sale_and_sharing_is_one_press() {
    let (api, ana) = served(Fixture::with_policy(TestDb::sqlite()).await).await;
    let mut b = Browser::new(&api);
    let page = b.sign_in("ana@example.com").await;
    let r = b.post("/privacy/choices", &[("csrf", &page.hidden("csrf")), ("action", "opt_out_sale_share")]).await;
    assert_eq!((r.status, r.header("location")), (StatusCode::SEE_OTHER, Some("/privacy?done=opt_out_sale_share#sale")));
    let shown = b.get("/privacy?done=opt_out_sale_share").await;
    assert!(shown.html.contains("Done: you opted out of the selling and sharing of your data."), "{}", shown.html);
    assert!(shown.html.contains("You opted out of the selling and sharing of your data on "), "{}", shown.html);
    assert!(api.f.candor.consent_overview(ana).await.unwrap().state.sale_share_opt_out);
}
