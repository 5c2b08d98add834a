//! The web pages of the service, for the people who never open a terminal:
//! "may I?" for consultants, "write and try a policy" for authors,
//! "compare employers" for candidates and "what does this change do?" for HR.
//!
//! Served by the same process as the API ([`router`]), rendered on the server
//! with minijinja from templates compiled into the binary (`pages/*.html`,
//! auto-escaped: every name from a policy or a form is escaped), with one
//! stylesheet and one small script, also compiled in; nothing is fetched from
//! elsewhere. The explanation shown is the CLI's own
//! (`eval::explain::markdown`, as `eval --format markdown` prints it) turned
//! into HTML, so the pages say what the CLI says.
//!
//! - Access: a page asks the service's [`Auth`](super::auth::Auth) for the
//!   scope the API endpoint doing the same job needs ("may I?": `decide`).
//!   A browser signs in once with its bearer token (`/login`), kept in an
//!   `HttpOnly`, `SameSite=Strict` cookie and checked again at every request,
//!   so an edit of the tokens file takes effect at once. An open server (no
//!   tokens file) needs no sign-in.
//! - Forgery: every form carries a token derived (SHA-256) from a per-process
//!   random key and a random per-browser cookie; a `POST` without the pair,
//!   or from another origin, is refused (403) before anything is done.
//! - A "may I?" answer is a decision like `POST /v1/decide`
//!   (`api::decide_logged`): the service's clock and counters, logged
//!   with the caller's name.

use super::api;
use super::auth::{Caller, Endpoint, Refusal, Scope};
use super::registry::{Chain, Loaded};
use super::App;
use crate::diagnostic::Severity;
use crate::eval::{Decision, Verdict};
use crate::policy::{Cond, Policy, Term, TestOp};
use crate::value::Type;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, FromRequest, Multipart, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::value::Serde;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The templates, by name (the `.html` suffix turns on HTML escaping).
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("pages/base.html")),
    ("index.html", include_str!("pages/index.html")),
    ("login.html", include_str!("pages/login.html")),
    ("problem.html", include_str!("pages/problem.html")),
    ("may_i.html", include_str!("pages/may_i.html")),
    ("control.html", include_str!("pages/control.html")),
    ("verdict.html", include_str!("pages/verdict.html")),
    ("write.html", include_str!("pages/write.html")),
    ("diagnostics.html", include_str!("pages/diagnostics.html")),
    ("compare.html", include_str!("pages/compare.html")),
    ("change.html", include_str!("pages/change.html")),
];
const CSS: &str = include_str!("pages/app.css");
const JS: &str = include_str!("pages/app.js");

/// The cookie holding the signed-in token (hex of its bytes).
const TOKEN_COOKIE: &str = "smpolicy_token";
/// The cookie the forms' anti-forgery tokens are bound to.
const CSRF_COOKIE: &str = "smpolicy_csrf";

/// The pages' own state: the templates and the anti-forgery key.
#[derive(Debug)]
pub struct Pages {
    env: minijinja::Environment<'static>,
    key: [u8; 32],
    /// `; Secure` on cookies when the service speaks HTTPS.
    secure: &'static str,
}

impl Pages {
    /// The templates, checked, and a fresh random key (a restart makes open forms stale, never valid elsewhere);
    /// `https`: cookies are sent over HTTPS only.
    pub fn new(https: bool) -> Result<Pages, String> {
        let mut env = minijinja::Environment::new();
        env.add_filter("ticks", ticks);
        for (name, text) in TEMPLATES {
            env.add_template(name, text).map_err(|e| format!("page template `{name}`: {e}"))?;
        }
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key).map_err(|e| format!("no random key for the pages' forms: {e}"))?;
        Ok(Pages { env, key, secure: if https { "; Secure" } else { "" } })
    }

    fn csrf_token(&self, cookie: &str) -> String {
        hex(&Sha256::new().chain_update(self.key).chain_update(b"csrf:").chain_update(cookie.as_bytes()).finalize())
    }
}

/// The `ticks` filter: the text escaped, and each `quoted` part (the CLI's way of quoting a name) as code.
fn ticks(text: &str) -> minijinja::Value {
    minijinja::Value::from_safe_string(crate::compare::html::inline(text))
}

use super::keys::{hex, unhex};

/// The page routes, over the shared state.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/may-i", get(may_i_form).post(may_i))
        .route("/write", get(write_form).post(write))
        .route("/write/check", post(write_check))
        .route("/compare", get(compare_form).post(compare))
        .route("/change", get(change_form).post(change))
        .route("/static/app.css", get(|| async { asset("text/css; charset=utf-8", CSS) }))
        .route("/static/app.js", get(|| async { asset("text/javascript; charset=utf-8", JS) }))
        .with_state(app)
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    let mut r = (StatusCode::OK, [(header::CONTENT_TYPE, kind)], body).into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("max-age=3600"));
    r.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    r
}

/// A cookie's value from the request, if sent.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// What every page needs: who asks, and the forms' anti-forgery token (with the cookie to set, if new).
struct Visit {
    caller: Caller,
    csrf: String,
    set_cookie: Option<String>,
}

impl Visit {
    fn new(app: &App, headers: &HeaderMap, caller: Caller) -> Visit {
        let (value, set_cookie) = match cookie(headers, CSRF_COOKIE).filter(|v| v.len() == 32 && unhex(v).is_some()) {
            Some(v) => (v.to_string(), None),
            None => {
                let mut b = [0u8; 16];
                // Without randomness the cookie is still unguessable to another site: it is derived from the key.
                if getrandom::getrandom(&mut b).is_err() {
                    let t = jiff::Timestamp::now().as_nanosecond().to_le_bytes();
                    let d = Sha256::new().chain_update(app.pages.key).chain_update(t).finalize();
                    b.iter_mut().zip(d.iter()).for_each(|(x, y)| *x = *y);
                }
                let v = hex(&b);
                let set = format!("{CSRF_COOKIE}={v}; Path=/; HttpOnly; SameSite=Strict{}", app.pages.secure);
                (v, Some(set))
            }
        };
        Visit { caller, csrf: app.pages.csrf_token(&value), set_cookie }
    }
}

/// The answer a page gives instead (sign in, refused, not understood).
type Refused = Box<Response>;

/// A page visit by a caller holding `scope`, or the answer to give instead.
fn visit(app: &App, headers: &HeaderMap, scope: Scope, here: &str) -> Result<Visit, Refused> {
    visit_costing(app, headers, scope, here, 1)
}

/// [`visit`], drawing `cost` requests from the token's allowance.
fn visit_costing(app: &App, headers: &HeaderMap, scope: Scope, here: &str, cost: u32) -> Result<Visit, Refused> {
    caller(app, headers, scope, here, cost).map(|c| Visit::new(app, headers, c))
}

/// A form sent to a page needing `scope`: who sent it and its fields, once the anti-forgery token is checked.
fn posted(
    app: &App,
    headers: &HeaderMap,
    scope: Scope,
    here: &str,
    form: Result<Fields, (StatusCode, String)>,
) -> Result<(Visit, Fields), Refused> {
    let visit = visit_costing(app, headers, scope, here, Endpoint::page_cost(here))?;
    let f = form.map_err(|(status, e)| Box::new(problem(app, status, "Not understood", &e, None)))?;
    match forged(app, headers, field(&f, "csrf")) {
        Some(r) => Err(Box::new(r)),
        None => Ok((visit, f)),
    }
}

/// Who is asking, if they may use a page needing `scope`; else the answer to give (sign in, or 403).
fn caller(app: &App, headers: &HeaderMap, scope: Scope, here: &str, cost: u32) -> Result<Caller, Refused> {
    let token = cookie(headers, TOKEN_COOKIE).and_then(unhex).and_then(|b| String::from_utf8(b).ok());
    let header = token.map(|t| format!("Bearer {t}"));
    if !app.auth.is_open() && header.is_none() {
        return Err(Box::new(redirect(&format!("/login?next={here}"))));
    }
    match app.auth.check(header.as_deref().map(str::as_bytes), scope) {
        // The same per-token rate limit as the API, counted before the page does anything.
        Ok(c) => match app.auth.admit(&c, cost) {
            Ok(()) => Ok(c),
            Err(wait) => {
                let secs = super::rate::retry_after_secs(wait);
                let mut r = problem(
                    app,
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many requests",
                    &format!(
                        "The token “{}” is over its rate limit of {}{}. Try again in {secs} s.",
                        c.name,
                        app.auth.rate_of(&c).describe(),
                        if cost > 1 { format!("; this page costs {cost} requests") } else { String::new() }
                    ),
                    None,
                );
                if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                    r.headers_mut().insert(header::RETRY_AFTER, v);
                }
                Err(Box::new(r))
            }
        },
        Err(Refusal::Unauthenticated(_)) => Err(Box::new(redirect(&format!("/login?next={here}&expired=1")))),
        Err(Refusal::Forbidden { caller, scope }) => Err(Box::new(problem(
            app,
            StatusCode::FORBIDDEN,
            "Not for this sign-in",
            &format!(
                "You are signed in as “{caller}”, whose token does not have the “{}” scope this page needs.",
                scope.as_str()
            ),
            Some("Ask for a token with that scope, or sign in with another one."),
        ))),
    }
}

fn redirect(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// A page's security headers: no framing, no inline script, nothing from elsewhere.
fn secure(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn render(app: &App, status: StatusCode, name: &str, ctx: minijinja::Value, set_cookie: Option<&str>) -> Response {
    let html = app.pages.env.get_template(name).and_then(|t| t.render(ctx));
    let mut r = match html {
        Ok(html) => (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("the page `{name}` could not be written: {e}"),
        )
            .into_response(),
    };
    if let Some(c) = set_cookie.and_then(|c| HeaderValue::from_str(c).ok()) {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    secure(r)
}

fn page(app: &App, visit: &Visit, status: StatusCode, name: &str, ctx: minijinja::Value) -> Response {
    let base = minijinja::context! {
        caller => visit.caller.name.clone(),
        signed_in => !app.auth.is_open(),
        csrf => visit.csrf.clone(),
    };
    render(app, status, name, minijinja::context! { ..ctx, ..base }, visit.set_cookie.as_deref())
}

fn problem(app: &App, status: StatusCode, title: &str, message: &str, help: Option<&str>) -> Response {
    let ctx = minijinja::context! { title, message, help, status => status.as_u16() };
    render(app, status, "problem.html", ctx, None)
}

/// Refuses a `POST` that is not from one of this service's own forms (403), before anything is done.
fn forged(app: &App, headers: &HeaderMap, token: Option<&str>) -> Option<Response> {
    // A browser names the page's origin on every POST; it must be this host.
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        let same = host.is_some_and(|h| origin.strip_prefix("http://").or(origin.strip_prefix("https://")) == Some(h));
        if !same {
            return Some(problem(app, StatusCode::FORBIDDEN, "Refused", "This form was sent from another site.", None));
        }
    }
    let expected = cookie(headers, CSRF_COOKIE).map(|c| app.pages.csrf_token(c));
    let ok = match (expected, token) {
        (Some(e), Some(t)) => {
            e.len() == t.len() && e.bytes().zip(t.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
        }
        _ => false,
    };
    (!ok).then(|| {
        problem(
            app,
            StatusCode::FORBIDDEN,
            "This form has expired",
            "The form was not recognised as one this service gave out (it may be from before a restart, or from another site).",
            Some("Go back, reload the page and send it again."),
        )
    })
}

/// A form's fields, in order (a name may repeat: a list of checkboxes).
type Fields = Vec<(String, String)>;

fn field<'a>(f: &'a Fields, name: &str) -> Option<&'a str> {
    f.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn form_fields(form: Result<Form<Fields>, FormRejection>) -> Result<Fields, String> {
    form.map(|Form(f)| f).map_err(|e| format!("the form could not be read: {e}"))
}

/// A URL-encoded form's fields, or why they cannot be read (400).
fn urlencoded(form: Result<Form<Fields>, FormRejection>) -> Result<Fields, (StatusCode, String)> {
    form_fields(form).map_err(|e| (StatusCode::BAD_REQUEST, e))
}

/// The largest file a page takes as an upload: a policy is a few kilobytes (the whole request is also
/// within the service's `--max-body`).
const MAX_UPLOAD: usize = 256 * 1024;

/// A file sent with a form: the field it came in, its name as the browser gave it (see [`file_label`]), and
/// its text, or why it cannot be read.
struct Upload {
    field: String,
    name: String,
    text: Result<String, String>,
}

/// The last part of an uploaded file's name (a browser may send a whole path), without control characters,
/// at most 100 characters: it is shown (escaped) and names the file in messages, never used as a path.
fn file_label(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    last.chars().filter(|c| !c.is_control()).take(100).collect()
}

/// A form's fields and files: `multipart/form-data` (a form with files) or URL-encoded; or why it cannot be
/// read, with the status to answer (413 when over the service's body limit).
async fn read_sent(req: Request) -> (Result<Fields, (StatusCode, String)>, Vec<Upload>) {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        return (urlencoded(Form::<Fields>::from_request(req, &()).await), Vec::new());
    }
    match read_multipart(req).await {
        Ok((fields, uploads)) => (Ok(fields), uploads),
        Err(e) => (Err(e), Vec::new()),
    }
}

async fn read_multipart(req: Request) -> Result<(Fields, Vec<Upload>), (StatusCode, String)> {
    let unread = |e: axum::extract::multipart::MultipartError| {
        (e.status(), format!("the form could not be read: {}", e.body_text()))
    };
    let mut m = Multipart::from_request(req, &())
        .await
        .map_err(|e| (StatusCode::BAD_REQUEST, format!("the form could not be read: {}", e.body_text())))?;
    let (mut fields, mut uploads) = (Vec::new(), Vec::new());
    while let Some(mut part) = m.next_field().await.map_err(unread)? {
        let field = part.name().unwrap_or_default().to_string();
        let Some(name) = part.file_name().map(file_label) else {
            let text = part.text().await.map_err(unread)?;
            fields.push((field, text));
            continue;
        };
        let (mut bytes, mut over) = (Vec::new(), false);
        while let Some(chunk) = part.chunk().await.map_err(unread)? {
            over |= bytes.len() + chunk.len() > MAX_UPLOAD;
            if !over {
                bytes.extend_from_slice(&chunk);
            }
        }
        // No file chosen: the browser sends an empty part with an empty name.
        if name.is_empty() && bytes.is_empty() {
            continue;
        }
        let text = if over {
            Err(format!("larger than {} KiB, the most a policy file may be here", MAX_UPLOAD / 1024))
        } else {
            String::from_utf8(bytes)
                .map(|t| t.replace("\r\n", "\n"))
                .map_err(|_| "not a text file (a policy is UTF-8 text)".to_string())
        };
        uploads.push(Upload { field, name, text });
    }
    Ok((fields, uploads))
}

/// A file read: the field it came in, its name, its text.
type Sent = (String, String, String);

/// The most files a form carries back from the page before (besides the ones sent with it).
const MAX_KEPT: usize = 16;

/// A file carried back: the field of its form, its label, and what the page sends back to keep it (its name, a
/// newline, its text; in a ticked checkbox named `kept:FIELD`, escaped like every value on the page).
#[derive(Serialize)]
struct Kept {
    field: String,
    name: String,
    value: String,
}

fn kept(files: &[Sent]) -> Vec<Kept> {
    files
        .iter()
        .map(|(field, name, text)| Kept { field: field.clone(), name: name.clone(), value: format!("{name}\n{text}") })
        .collect()
}

/// The files of a form: those sent with it, then those the page before carried back (`kept:FIELD`, see [`Kept`]),
/// each file once, the uploads' limits holding for both; and the first that cannot be read: its field, and why
/// in words. A file carried back is only a text the browser sends again, read like a pasted one: the form's
/// anti-forgery token is checked before it is read.
fn files_of(f: &Fields, uploads: Vec<Upload>) -> (Vec<Sent>, Option<(String, String)>) {
    let carried = f.iter().filter_map(|(k, v)| k.strip_prefix("kept:").map(|field| (field, v)));
    let mut from_before: Vec<Upload> = Vec::new();
    for (i, (field, v)) in carried.enumerate() {
        let (name, text) = v.split_once('\n').unwrap_or((v.as_str(), ""));
        let text = if i >= MAX_KEPT {
            Err(format!("one file too many to keep (at most {MAX_KEPT}): send it again"))
        } else if text.len() > MAX_UPLOAD {
            Err(format!("larger than {} KiB, the most a policy file may be here", MAX_UPLOAD / 1024))
        } else {
            Ok(text.replace("\r\n", "\n"))
        };
        from_before.push(Upload { field: field.to_string(), name: file_label(name.trim_end_matches('\r')), text });
    }
    let (mut files, mut bad): (Vec<Sent>, Option<(String, String)>) = (Vec::new(), None);
    for u in uploads.into_iter().chain(from_before) {
        match u.text {
            Ok(text) if !files.iter().any(|(f, n, t)| *f == u.field && *n == u.name && *t == text) => {
                files.push((u.field, u.name, text));
            }
            Ok(_) => {}
            Err(e) => {
                bad.get_or_insert((u.field, format!("the file “{}” is {e}", u.name)));
            }
        }
    }
    (files, bad)
}

// ---------------------------------------------------------------------------
// Index and sign-in

async fn index(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let visit = match visit(&app, &headers, Scope::Decide, "/") {
        Ok(v) => v,
        Err(r) => return *r,
    };
    page(&app, &visit, StatusCode::OK, "index.html", minijinja::context! {})
}

#[derive(serde::Deserialize)]
struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    expired: Option<String>,
}

/// Only a page of this service, never another site.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains(['\\', '\r', '\n']) => n,
        _ => "/",
    }
}

async fn login_form(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<LoginQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or(LoginQuery { next: None, expired: None });
    let visit = Visit::new(&app, &headers, Caller::new("", &[]));
    let ctx = minijinja::context! {
        next => safe_next(q.next.as_deref()),
        message => q.expired.map(|_| "Your sign-in is no longer valid: sign in again."),
        open => app.auth.is_open(),
    };
    page(&app, &visit, StatusCode::OK, "login.html", ctx)
}

async fn login(State(app): State<Arc<App>>, headers: HeaderMap, form: Result<Form<Fields>, FormRejection>) -> Response {
    let f = match form_fields(form) {
        Ok(f) => f,
        Err(e) => return problem(&app, StatusCode::BAD_REQUEST, "Not understood", &e, None),
    };
    if let Some(r) = forged(&app, &headers, field(&f, "csrf")) {
        return r;
    }
    let next = safe_next(field(&f, "next")).to_string();
    let token = field(&f, "token").unwrap_or("").trim().to_string();
    let header = format!("Bearer {token}");
    // A listed token is enough to sign in; each page then asks for its own scope.
    let valid = !token.is_empty()
        && !matches!(app.auth.check(Some(header.as_bytes()), Scope::Decide), Err(Refusal::Unauthenticated(_)));
    if !valid {
        let visit = Visit::new(&app, &headers, Caller::new("", &[]));
        let ctx = minijinja::context! { next, message => "This token is not valid here.", open => app.auth.is_open() };
        return page(&app, &visit, StatusCode::UNAUTHORIZED, "login.html", ctx);
    }
    let mut r = redirect(&next);
    let set =
        format!("{TOKEN_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict{}", hex(token.as_bytes()), app.pages.secure);
    if let Ok(v) = HeaderValue::from_str(&set) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    secure(r)
}

async fn logout(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let f = form_fields(form).unwrap_or_default();
    if let Some(r) = forged(&app, &headers, field(&f, "csrf")) {
        return r;
    }
    let mut r = redirect("/login");
    let gone = format!("{TOKEN_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}", app.pages.secure);
    if let Ok(v) = HeaderValue::from_str(&gone) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    secure(r)
}

// ---------------------------------------------------------------------------
// "May I?"

/// One control of the "may I?" form: a fact a clause of the policy reads.
#[derive(Debug, Clone, Serialize)]
struct Control {
    /// The fact path (`target.relationship`).
    path: String,
    /// The control's name in the form: the fact path, or for a group of contacts the path with the group's place
    /// (`contacts[1].origin`, as the data model's field paths name it).
    name: String,
    /// The control's element id, from its name (`f-contacts-1-origin`).
    id: String,
    /// The question in words.
    label: String,
    /// `select`, `checks` (several values), `checkbox`, `number`, `date` or `text`.
    kind: &'static str,
    /// The values to choose from.
    options: Vec<String>,
    /// Must be given.
    required: bool,
    /// What was sent last (several for `checks`).
    value: Vec<String>,
    /// The actions under which a clause reading it can apply (`None`: any); the page's script hides it for others.
    actions: Option<Vec<String>>,
    /// The part of the action it belongs to, in words.
    group: &'static str,
    /// What is wrong with what was sent in it, shown beside it.
    error: Option<String>,
    /// Takes the focus when the page comes back (the first question of a group just added).
    autofocus: bool,
}

/// A control's element id from its form name: `f-` and the name with `.` and `[` as `-` (`f-contacts-1-origin`).
fn control_id(name: &str) -> String {
    format!("f-{}", name.replace(['.', '['], "-").replace(']', ""))
}

/// The part of an action a fact path belongs to, as the form's headings say it.
fn group_of(path: &str) -> &'static str {
    match path.split_once('.').map_or("", |(owner, _)| owner) {
        "actor" => "About you",
        "content" => "The content",
        "target" => "The other person",
        "account" => "The account",
        "contacts" => "The contacts",
        "request" => "The request",
        "material" => "The material",
        "facts" => "Other facts",
        _ => "What you want to do",
    }
}

/// The controls by group, groups in the order of their first control.
#[derive(Serialize)]
struct Group {
    title: &'static str,
    controls: Vec<Control>,
    /// For the contacts of an action that may carry several groups of them: the groups, each with its own
    /// controls (then `controls` is empty).
    contact_groups: Option<ContactGroups>,
}

fn grouped(controls: Vec<Control>) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for c in controls {
        match groups.iter_mut().find(|g| g.title == c.group) {
            Some(g) => g.controls.push(c),
            None => groups.push(Group { title: c.group, controls: vec![c], contact_groups: None }),
        }
    }
    groups
}

/// The most groups of contacts one question holds.
const MAX_CONTACT_GROUPS: usize = 30;

/// The groups of contacts of an export, a departure or a hand-over, as the form asks them: one fieldset a group,
/// each with the contacts' questions (every `contacts.*` fact of the fact table), added and removed by submit
/// buttons that send the form back (no script needed).
#[derive(Serialize)]
struct ContactGroups {
    /// The actions that may carry several groups (the data layer's table, [`ActionKind::WITH_GROUPS`], as this
    /// policy names its actions): the script shows the second group on, and the "add" button, only for them.
    ///
    /// [`ActionKind::WITH_GROUPS`]: crate::data::action::ActionKind::WITH_GROUPS
    actions: Vec<String>,
    rows: Vec<ContactRow>,
    /// Another group may be added.
    can_add: bool,
    most: usize,
}

/// One group of contacts on the form.
#[derive(Serialize)]
struct ContactRow {
    /// From 1, as the page names it (`Group 2`).
    number: usize,
    /// Its name in the form and in the data model's field paths (`contacts[1]`).
    name: String,
    id: String,
    controls: Vec<Control>,
    /// What is wrong with the group as a whole (empty, or not for this action).
    error: Option<String>,
}

/// The policy's actions that may carry several groups of contacts.
fn group_actions(policy: &Policy) -> Vec<String> {
    set_values(policy, "action").into_iter().filter(|a| crate::data::action::ActionKind::carries_groups(a)).collect()
}

/// The facts of one group of contacts (`contacts.count`, `contacts.origin`), from the fact table.
fn contact_facts() -> impl Iterator<Item = &'static str> {
    let part = crate::data::flat::Field::Contacts.path();
    crate::data::flat::Field::ALL
        .iter()
        .filter(|f| f.ty().is_some())
        .map(|f| f.path())
        .filter(move |p| p.strip_prefix(part).is_some_and(|rest| rest.starts_with('.')))
}

/// Group `index` as the form and the data model's field paths name it (`contacts[1]`).
fn group_name(index: usize) -> String {
    format!("{}[{index}]", crate::data::flat::Field::Contacts.path())
}

/// A group's fact path (`contacts.origin`) as the form names it in group `index` (`contacts[1].origin`).
fn in_group(index: usize, path: &str) -> String {
    match path.strip_prefix(crate::data::flat::Field::Contacts.path()) {
        Some(rest) => format!("{}{rest}", group_name(index)),
        None => path.to_string(),
    }
}

/// The group a form name belongs to and the rest of its name (`contacts[1].origin`: 1 and `.origin`).
fn group_of_name(name: &str) -> Option<(usize, &str)> {
    let rest = name.strip_prefix(crate::data::flat::Field::Contacts.path())?.strip_prefix('[')?;
    let (n, rest) = rest.split_once(']')?;
    Some((n.parse().ok()?, rest))
}

/// How many groups of contacts the form holds: as it says (`groups`), and never fewer than the groups it sends.
fn contact_rows(sent: &Fields) -> usize {
    let said = field(sent, "groups").and_then(|n| n.trim().parse::<usize>().ok()).unwrap_or(1);
    let highest = sent.iter().filter_map(|(k, _)| group_of_name(k)).map(|(i, _)| i + 1).max().unwrap_or(0);
    said.max(highest).clamp(1, MAX_CONTACT_GROUPS)
}

/// The form with the group of contacts `remove` taken out (the later ones move up), or one more group added.
fn regroup(sent: &Fields, remove: Option<usize>) -> Fields {
    let rows = contact_rows(sent);
    let renamed = |name: &str| -> Option<String> {
        match (group_of_name(name), remove) {
            (Some((i, _)), Some(r)) if i == r => None,
            (Some((i, rest)), Some(r)) if i > r => Some(format!("{}{rest}", group_name(i - 1))),
            _ => Some(name.to_string()),
        }
    };
    let mut out: Fields = sent
        .iter()
        .filter(|(k, _)| k != "groups" && k != "op")
        .filter_map(|(k, v)| match k.as_str() {
            "asked" => renamed(v).map(|v| (k.clone(), v)),
            _ => renamed(k).map(|k| (k, v.clone())),
        })
        .collect();
    let rows = match remove {
        Some(_) => rows.saturating_sub(1).max(1),
        None => (rows + 1).min(MAX_CONTACT_GROUPS),
    };
    out.push(("groups".into(), rows.to_string()));
    out
}

/// Facts the form never asks: the service knows them (clock, counters from its log, approvals) or asks them apart.
fn asked_by_the_service(path: &str) -> bool {
    path == "at"
        || path.starts_with("at.")
        || path == "actor.id"
        || path.starts_with("history.")
        || path.starts_with("approval.")
}

/// The actions a condition is limited to (`None`: it may hold for any action).
fn actions_of(c: &Cond) -> Option<Vec<String>> {
    match c {
        Cond::Test(t) if t.lhs == Term::fact("action") => match &t.op {
            TestOp::Cmp(crate::ast::CmpOp::Eq, Term::Const(crate::value::Value::Symbol(a))) => Some(vec![a.clone()]),
            TestOp::In(values) => Some(
                values
                    .iter()
                    .filter_map(|v| match v {
                        crate::value::Value::Symbol(a) => Some(a.clone()),
                        _ => None,
                    })
                    .collect(),
            ),
            _ => None,
        },
        Cond::All(parts) => parts.iter().find_map(actions_of),
        Cond::Any(parts) => {
            let mut all = Vec::new();
            for p in parts {
                all.extend(actions_of(p)?);
            }
            Some(all)
        }
        _ => None,
    }
}

/// The facts the policy's clauses and section defaults read, first seen first (the always-needed ones
/// lead), each with the actions under which a clause reading it can apply (`None`: any).
fn facts_read(policy: &Policy, chain: Option<&Chain>) -> Vec<(String, Option<Vec<String>>)> {
    let mut out: Vec<(String, Option<Vec<String>>)> =
        ["action", "actor.role", "actor.status"].map(|p| (p.to_string(), None)).to_vec();
    let mut add = |path: &str, scope: Option<Vec<String>>| {
        if asked_by_the_service(path) {
            return;
        }
        match out.iter_mut().find(|(q, _)| q == path) {
            None => out.push((path.to_string(), scope)),
            Some(entry) => {
                entry.1 = match (entry.1.take(), scope) {
                    (Some(mut have), Some(more)) => {
                        more.into_iter().for_each(|a| {
                            if !have.contains(&a) {
                                have.push(a)
                            }
                        });
                        Some(have)
                    }
                    _ => None,
                }
            }
        }
    };
    // A policy with versions: what each version reads (any may decide), and under `binds at_contract`
    // the contract's dates, which pick the version.
    let earlier = chain.map(|c| c.versions.versions.iter().map(|v| &v.policy)).into_iter().flatten();
    for policy in std::iter::once(policy).chain(earlier) {
        for r in &policy.rules {
            let scope = actions_of(&r.when);
            let mut paths = Vec::new();
            r.when.facts_into(&mut paths);
            r.unless.iter().for_each(|u| u.facts_into(&mut paths));
            paths.into_iter().for_each(|p| add(p, scope.clone()));
        }
        for d in &policy.defaults {
            let scope = actions_of(&d.scope);
            let mut paths = Vec::new();
            d.scope.facts_into(&mut paths);
            paths.into_iter().for_each(|p| add(p, scope.clone()));
        }
    }
    if chain.is_some_and(|c| c.versions.binds() == crate::ast::Binding::AtContract) {
        add(crate::versions::SIGNED, None);
        add(crate::versions::VARIED, None);
    }
    out
}

/// The type of a fact path under `policy` (declared facts included).
fn fact_type(policy: &Policy, path: &str) -> Option<Type> {
    match path.strip_prefix("facts.") {
        Some(name) => policy.decls.facts.get(name).cloned(),
        None if path == "action" => Some(Type::Enum("action".into())),
        None => crate::schema::fact_type(path),
    }
}

/// The values of a value set under `policy`.
fn set_values(policy: &Policy, set: &str) -> Vec<String> {
    let d = &policy.decls;
    match set {
        "action" => d.actions.clone(),
        "channel" => d.channels.clone(),
        "content kind" => d.content_kinds.clone(),
        "role" => d.roles.clone(),
        "team" => d.teams.clone(),
        _ => match set.strip_prefix("fact ") {
            Some(name) => d.fact_enums.get(name).cloned().unwrap_or_default(),
            None => crate::schema::builtin_values(set).iter().map(|s| s.to_string()).collect(),
        },
    }
}

/// The question a fact path asks, in words (the path itself follows it on the page).
fn question(path: &str) -> String {
    let known = [
        ("action", "What do you want to do?"),
        ("channel", "Where (which channel)?"),
        ("device", "From which device (the agency's, or your own)?"),
        ("actor.role", "Your role"),
        ("actor.status", "Your employment status"),
        ("actor.team", "Your team"),
        ("actor.departed_on", "The day you left (if you have)"),
        ("actor.employed_since", "The day you started"),
        ("actor.jurisdiction", "Where you work (country code, such as UK or US-CA)"),
        ("content.kind", "What the content is"),
        ("target.relationship", "Who the other person is to you"),
        ("target.last_dealt_with", "When you last did business with them"),
        ("account.kind", "Which kind of account"),
        ("actor.acknowledged_policy", "You have acknowledged the policy"),
        ("target.interacted", "You have interacted with them one to one"),
        ("target.met_in_person", "You have met them in person"),
        ("target.origin", "Where the connection came from"),
        ("content.names_client", "It names a client"),
        ("content.candidate_personal_data", "It holds a candidate's personal data"),
        ("content.confidential", "It is confidential"),
        ("content.discloses_employer", "It says who you work for"),
        ("contacts.count", "How many contacts"),
        ("contacts.origin", "Where the contacts came from"),
        (
            "actor.contract_signed_on",
            "The day your contract was signed (it says which version of the policy binds you)",
        ),
        (
            "actor.contract_varied_on",
            "The day your contract was varied to take a newer version of the policy (if it was)",
        ),
    ];
    if let Some((_, q)) = known.iter().find(|(p, _)| *p == path) {
        return (*q).to_string();
    }
    let (owner, name) = path.split_once('.').unwrap_or(("", path));
    let owner = match owner {
        "actor" => "Your ",
        "target" => "The other person: ",
        "content" => "The content: ",
        "account" => "The account: ",
        "contacts" => "The contacts: ",
        "request" => "The request: ",
        "material" => "The material: ",
        _ => "",
    };
    format!("{owner}{}", name.replace('_', " "))
}

/// One control: the fact `path` (of type `ty`) asked under the form name `name`, with what was sent in it last and
/// what is wrong with it.
fn control(
    policy: &Policy,
    path: &str,
    ty: &Type,
    name: String,
    actions: Option<Vec<String>>,
    sent: &Fields,
    errors: &[FormError],
) -> Control {
    let value: Vec<String> = sent.iter().filter(|(k, _)| *k == name).map(|(_, v)| v.clone()).collect();
    let (kind, options) = match ty {
        Type::Enum(set) => match set_values(policy, set) {
            v if v.is_empty() => ("text", v),
            v => ("select", v),
        },
        Type::EnumList(set) => ("checks", set_values(policy, set)),
        Type::Bool => ("checkbox", vec![]),
        Type::Int | Type::Percent => ("number", vec![]),
        Type::Date => ("date", vec![]),
        Type::Timestamp | Type::TimeOfDay | Type::Duration | Type::Text => ("text", vec![]),
    };
    let required = matches!(path, "action" | "actor.role" | "actor.status");
    let error = errors.iter().find(|e| e.name == name).map(|e| e.message.clone());
    Control {
        label: question(path),
        path: path.to_string(),
        id: control_id(&name),
        name,
        kind,
        options,
        required,
        value,
        actions,
        group: group_of(path),
        error,
        autofocus: false,
    }
}

/// The form's questions for `policy` by part of the action, with what was sent last and the problems found in it;
/// the contacts as groups when the policy reads them and has an action that may carry several (`focus`: the
/// group whose first question takes the focus).
fn form(
    policy: &Policy,
    chain: Option<&Chain>,
    sent: &Fields,
    errors: &[FormError],
    focus: Option<usize>,
) -> Vec<Group> {
    let read = facts_read(policy, chain);
    let actions = group_actions(policy);
    let contacts = group_of(crate::data::flat::Field::ContactsCount.path());
    let asks_groups = asks_groups(policy, &read);
    let plain: Vec<Control> = read
        .iter()
        .filter(|(path, _)| !(asks_groups && group_of(path) == contacts))
        .filter_map(|(path, scope)| {
            let ty = fact_type(policy, path)?;
            Some(control(policy, path, &ty, path.clone(), scope.clone(), sent, errors))
        })
        .collect();
    let mut groups = grouped(plain);
    if !asks_groups {
        return groups;
    }
    let rows = contact_rows(sent);
    let rows: Vec<ContactRow> = (0..rows)
        .map(|i| {
            let controls = contact_facts()
                .filter_map(|path| {
                    let ty = fact_type(policy, path)?;
                    // Asked where a clause reads it; a fact no clause reads (how many) names the group, for the
                    // actions that carry groups.
                    let scope = match read.iter().find(|(p, _)| p == path) {
                        Some((_, scope)) => scope.clone(),
                        None => Some(actions.clone()),
                    };
                    let mut c = control(policy, path, &ty, in_group(i, path), scope, sent, errors);
                    c.autofocus = focus == Some(i) && c.path == contact_facts().next().unwrap_or_default();
                    Some(c)
                })
                .collect();
            let name = group_name(i);
            let error = errors.iter().find(|e| e.name == name).map(|e| e.message.clone());
            ContactRow { number: i + 1, id: control_id(&name), name, controls, error }
        })
        .collect();
    let section = ContactGroups { can_add: rows.len() < MAX_CONTACT_GROUPS, actions, rows, most: MAX_CONTACT_GROUPS };
    // In the place of the contacts' first question.
    let at = read
        .iter()
        .filter(|(p, _)| fact_type(policy, p).is_some())
        .map(|(p, _)| group_of(p))
        .fold(Vec::<&str>::new(), |mut seen, g| {
            if !seen.contains(&g) {
                seen.push(g);
            }
            seen
        })
        .iter()
        .position(|g| *g == contacts)
        .unwrap_or(groups.len())
        .min(groups.len());
    groups.insert(at, Group { title: contacts, controls: Vec::new(), contact_groups: Some(section) });
    groups
}

/// A problem with what the form sent: the control's name (`contacts[1].origin`; empty: the form as a whole) and
/// what is wrong, in words.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct FormError {
    name: String,
    /// The element to go to (`#f-contacts-1-origin`), when the page has it.
    id: Option<String>,
    /// That element's question in words (`Group 2: Where the contacts came from`).
    label: Option<String>,
    message: String,
    help: Option<String>,
}

impl FormError {
    fn at(name: impl Into<String>, message: impl Into<String>) -> FormError {
        FormError { name: name.into(), id: None, label: None, message: message.into(), help: None }
    }
}

/// A fact's value as the API's JSON from what the form sent for it (`values`: the non-empty ones): `None` when
/// nothing was sent, or what is wrong with it.
fn form_value(ty: &Type, values: &[&str]) -> Result<Option<serde_json::Value>, String> {
    let Some(first) = values.first().copied() else { return Ok(None) };
    Ok(Some(match ty {
        Type::Bool => serde_json::Value::Bool(first == "yes"),
        Type::Int | Type::Percent => match first.parse::<i64>() {
            Ok(n) => serde_json::Value::from(n),
            Err(_) => return Err(format!("expected a whole number; found “{first}”")),
        },
        Type::EnumList(_) => serde_json::Value::from(values.iter().map(|s| s.to_string()).collect::<Vec<_>>()),
        _ => serde_json::Value::String(first.to_string()),
    }))
}

/// Whether the form asks the contacts as groups under `policy`: it reads a fact of them and has an action that may
/// carry several.
fn asks_groups(policy: &Policy, read: &[(String, Option<Vec<String>>)]) -> bool {
    !group_actions(policy).is_empty() && read.iter().any(|(p, _)| contact_facts().any(|c| c == p))
}

/// What the form sent under `name` for a fact of type `ty` that clauses read under `actions` (`None`: any), as
/// the API's JSON: `None` when not given, or what is wrong with it.
fn answer(
    ty: &Type,
    name: &str,
    actions: Option<&[String]>,
    sent: &Fields,
    chosen: Option<&str>,
) -> Result<Option<serde_json::Value>, String> {
    let values: Vec<&str> =
        sent.iter().filter(|(k, _)| *k == name).map(|(_, v)| v.trim()).filter(|v| !v.is_empty()).collect();
    if !values.is_empty() {
        return form_value(ty, &values);
    }
    // A box the person was shown (`asked`) for this action and left unticked is an
    // answer: no, or none of these. Anything else left empty is not given, as in the API.
    let asked = sent.iter().any(|(k, v)| k == "asked" && *v == name);
    let applies = actions.is_none_or(|a| chosen.is_some_and(|c| a.iter().any(|x| x == c)));
    Ok(match ty {
        Type::Bool if asked && applies => Some(serde_json::Value::Bool(false)),
        Type::EnumList(_) if asked && applies => Some(serde_json::Value::Array(vec![])),
        _ => None,
    })
}

/// The action the form describes, as the API's JSON (`actor.id` given apart); or every field that does not read,
/// each with why. The contacts of an action that may carry several groups are a list of them (one group alone
/// is written as itself): a group left empty, a second group for an action that takes one, or a group without a
/// fact the policy decides that action by is a problem named at its field, never a guess.
fn action_json(
    policy: &Policy,
    chain: Option<&Chain>,
    actor: &str,
    sent: &Fields,
) -> Result<serde_json::Value, Vec<FormError>> {
    let mut root = serde_json::Map::new();
    let mut put = |path: &str, v: serde_json::Value| {
        let mut at = &mut root;
        let mut parts = path.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                at.insert(part.to_string(), v);
                return;
            }
            let next = at.entry(part.to_string()).or_insert_with(|| serde_json::Value::Object(Default::default()));
            match next {
                serde_json::Value::Object(m) => at = m,
                _ => return,
            }
        }
    };
    put("actor.id", serde_json::Value::String(actor.to_string()));
    let chosen = field(sent, "action").map(str::trim);
    let read = facts_read(policy, chain);
    let groups = asks_groups(policy, &read);
    let mut errors = Vec::new();
    for (path, actions) in &read {
        if groups && contact_facts().any(|c| c == path) {
            continue;
        }
        let Some(ty) = fact_type(policy, path) else { continue };
        match answer(&ty, path, actions.as_deref(), sent, chosen) {
            Ok(Some(v)) => put(path, v),
            Ok(None) => {}
            Err(e) => errors.push(FormError::at(path.clone(), e)),
        }
    }
    if groups {
        let carries = chosen.is_some_and(crate::data::action::ActionKind::carries_groups);
        let rows = contact_rows(sent);
        let mut list = Vec::new();
        for i in 0..rows {
            let name = group_name(i);
            let given = sent.iter().any(|(k, v)| group_of_name(k).is_some_and(|(j, _)| j == i) && !v.trim().is_empty());
            if !given {
                if carries && rows > 1 {
                    let e = "this group is empty: say how many contacts and where they came from, or remove it";
                    errors.push(FormError::at(name, e));
                }
                continue;
            }
            if i > 0 && !carries {
                let takes: Vec<String> = group_actions(policy).iter().map(|a| a.replace('_', " ")).collect();
                let e = format!(
                    "only one group of contacts goes with “{}”; several are for {}: remove this group, or choose one of those",
                    chosen.unwrap_or("no action").replace('_', " "),
                    takes.join(", ")
                );
                errors.push(FormError::at(name, e));
                continue;
            }
            let mut group = serde_json::Map::new();
            for path in contact_facts() {
                let Some(ty) = fact_type(policy, path) else { continue };
                let scope = read.iter().find(|(p, _)| p == path).map(|(_, s)| s.as_deref());
                let at = in_group(i, path);
                match answer(&ty, &at, scope.flatten(), sent, chosen) {
                    Ok(Some(v)) => {
                        let key = path.rsplit('.').next().unwrap_or(path);
                        group.insert(key.to_string(), v);
                    }
                    Err(e) => errors.push(FormError::at(at, e)),
                    Ok(None) => {
                        // Read by a clause about this action: every group must say it, or it is decided on a guess.
                        let decides =
                            scope.is_some_and(|s| s.is_none_or(|a| chosen.is_some_and(|c| a.iter().any(|x| x == c))));
                        if carries && decides {
                            let label = crate::data::flat::Field::of_path(path).map_or(path, |f| f.label());
                            let e = format!("not given: the policy decides by {label}, so every group needs it");
                            errors.push(FormError::at(at, e));
                        }
                    }
                }
            }
            list.push(serde_json::Value::Object(group));
        }
        let part = crate::data::flat::Field::Contacts.path();
        match list.len() {
            0 => {}
            1 => put(part, list.remove(0)),
            _ => put(part, serde_json::Value::Array(list)),
        }
    }
    match errors.is_empty() {
        true => Ok(serde_json::Value::Object(root)),
        false => Err(errors),
    }
}

#[derive(Serialize)]
struct PolicyChoice {
    name: String,
    title: String,
}

fn served(app: &App) -> Vec<PolicyChoice> {
    app.registry
        .snapshot()
        .iter()
        .filter_map(|(name, e)| {
            e.serving.as_ref().map(|l| PolicyChoice { name: name.clone(), title: l.policy.meta.name.clone() })
        })
        .collect()
}

/// A verdict as the page shows it: the answer in large plain words, then the CLI's explanation.
#[derive(Serialize)]
struct Shown {
    /// `allow`, `deny`, `require-approval` or `indeterminate` (for the style; the words say it too).
    tone: &'static str,
    /// A symbol beside the words (never the only sign).
    mark: &'static str,
    /// The answer in plain words.
    words: String,
    summary: String,
    obligations: Vec<String>,
    changes: Vec<String>,
    advice: Vec<String>,
    law_notes: Vec<String>,
    missing: Vec<String>,
    /// For a policy with versions: which version decided and why (`version 5, in force on ... when the contract was signed`).
    version: Option<String>,
    /// The clauses that decided, each with its reason in the policy's words (or the clause as written).
    decided_by: Vec<String>,
    /// For an action about several groups of contacts: each group's answer, in order.
    groups: Vec<GroupShown>,
    /// And the groups by answer, in words: `Allowed: group 1. Not allowed: groups 2 and 3.`
    tally: String,
    /// The CLI's markdown explanation as HTML (escaped by the markdown writer).
    explanation: String,
    decision_id: Option<String>,
}

/// One group of contacts' own answer, as the page shows it under the whole's.
#[derive(Serialize)]
struct GroupShown {
    /// From 1 (`Group 2`).
    number: usize,
    /// The group in words (`120 contacts made before employment`).
    contacts: String,
    /// Its verdict in a word or two (`allowed`, `not allowed`).
    word: String,
    answer: Shown,
}

/// A verdict's answer in plain words: its tone, its symbol, the answer to "may I?" and, for one group of
/// several, the word for that group.
fn answer_words(v: &Verdict) -> (&'static str, &'static str, String, String) {
    let approvers = v.approvers.join(" or ");
    match v.verdict {
        Decision::Allow => ("allow", "✓", "Yes, you may.".to_string(), "allowed".to_string()),
        Decision::Deny => ("deny", "✗", "No, you may not.".to_string(), "not allowed".to_string()),
        Decision::RequireApproval => (
            "require-approval",
            "!",
            format!("Only with approval from {approvers}."),
            format!("only with approval from {approvers}"),
        ),
        Decision::Indeterminate => {
            ("indeterminate", "?", "The policy cannot say.".to_string(), "the policy cannot say".to_string())
        }
    }
}

/// The groups by answer, each answer once in the order first met: `Allowed: group 1. Not allowed: groups 2 and 3.`
fn tally(groups: &[GroupShown]) -> String {
    let mut by: Vec<(&str, Vec<String>)> = Vec::new();
    for g in groups {
        match by.iter_mut().find(|(w, _)| *w == g.word) {
            Some((_, n)) => n.push(g.number.to_string()),
            None => by.push((&g.word, vec![g.number.to_string()])),
        }
    }
    by.iter()
        .map(|(word, numbers)| {
            let (last, rest) = numbers.split_last().map_or(("", &[][..]), |(l, r)| (l.as_str(), r));
            let which = match rest {
                [] => format!("group {last}"),
                _ => format!("groups {} and {last}", rest.join(", ")),
            };
            let mut w = word.chars();
            let word = w.next().map(|c| c.to_uppercase().chain(w).collect::<String>()).unwrap_or_default();
            format!("{word}: {which}.")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The clauses that decided `v`: each by its name and line, with its reason (`because`) or else its text.
fn decided_by(v: &Verdict) -> Vec<String> {
    v.deciding
        .iter()
        .filter_map(|id| v.rules.iter().find(|r| r.id == *id))
        .map(|r| {
            // The clause as written starts with its label when it has one (`database: contacts from ...`).
            let written = r.source.strip_prefix(&format!("{}: ", r.id)).unwrap_or(&r.source);
            let why = r.rationale.clone().unwrap_or_else(|| written.to_string());
            format!("`{}` (line {}): {why}", r.id, r.line)
        })
        .collect()
}

fn shown(v: &Verdict, file: &str, decision_id: Option<String>) -> Shown {
    let (tone, mark, words, _) = answer_words(v);
    let md =
        crate::eval::explain::markdown(v, file, crate::eval::explain::ExplainOptions { why_not: false, all: false });
    let groups: Vec<GroupShown> = v
        .groups
        .iter()
        .map(|g| {
            let mut answer = shown(&g.verdict, file, None);
            // The whole's explanation holds each group's.
            answer.explanation = String::new();
            GroupShown {
                number: g.index + 1,
                contacts: crate::eval::items::contacts_words(&g.contacts),
                word: answer_words(&g.verdict).3,
                answer,
            }
        })
        .collect();
    Shown {
        tone,
        mark,
        words,
        // Groups are "Group 1", "Group 2" on the page: the summary names them so, not by field path.
        summary: crate::eval::items::summary_numbered(v).unwrap_or_else(|| v.summary.clone()),
        obligations: v
            .obligations
            .iter()
            .map(|o| match o.due {
                Some(d) => format!("{} (due {d})", o.text),
                None => o.text.clone(),
            })
            .collect(),
        changes: v.counterfactuals.clone(),
        advice: v.advice.iter().map(|a| a.text.clone()).collect(),
        law_notes: v.law_notes.iter().map(|a| a.text.clone()).collect(),
        missing: v.missing.clone(),
        version: v.version.as_ref().map(crate::versions::Bound::words),
        decided_by: decided_by(v),
        tally: tally(&groups),
        groups,
        explanation: markdown_html(&md),
        decision_id,
    }
}

/// The tags the CLI's markdown writes itself (`diff`'s witnesses fold away); with no attribute they cannot run anything.
const KEPT_TAGS: [&str; 6] = ["<details>", "</details>", "<summary>", "</summary>", "<code>", "</code>"];

/// Whether raw HTML holds only [`KEPT_TAGS`] (and text without markup).
fn only_kept_tags(html: &str) -> bool {
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let Some(tail) = rest.get(open..) else { return false };
        let Some(tag) = KEPT_TAGS.iter().find(|t| tail.starts_with(**t)) else { return false };
        rest = tail.get(tag.len()..).unwrap_or_default();
    }
    // What is left has no `<`: no tag can start in it.
    true
}

/// Markdown to HTML (with tables) with every piece of raw HTML shown as text unless it is only
/// [`KEPT_TAGS`], and no links or images (a policy's words are data).
fn markdown_html(md: &str) -> String {
    use pulldown_cmark::{Event, Tag, TagEnd};
    let events = pulldown_cmark::Parser::new_ext(md, pulldown_cmark::Options::ENABLE_TABLES).filter_map(|e| match e {
        // Only a block of HTML, which starts a line the renderer wrote; a policy's words never start a line.
        Event::Html(t) if only_kept_tags(&t) => Some(Event::Html(t)),
        Event::Html(t) | Event::InlineHtml(t) => Some(Event::Text(t)),
        Event::Start(Tag::Link { .. } | Tag::Image { .. }) | Event::End(TagEnd::Link | TagEnd::Image) => None,
        e => Some(e),
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

#[derive(serde::Deserialize)]
struct MayIQuery {
    #[serde(default)]
    policy: Option<String>,
}

async fn may_i_form(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<MayIQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let visit = match visit(&app, &headers, Scope::Decide, "/may-i") {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let chosen = q.ok().and_then(|Query(q)| q.policy).filter(|p| !p.is_empty());
    may_i_page(&app, &visit, chosen.as_deref(), &Vec::new(), None, Vec::new(), None)
}

/// The "may I?" page under the policy `chosen`: the form with what was `sent` (and, after a group of contacts was
/// added or removed, what was done, said, and the group whose first question takes the focus), the answer, or the problems that kept it from being decided, each beside its
/// field and listed at the top.
fn may_i_page(
    app: &App,
    visit: &Visit,
    chosen: Option<&str>,
    sent: &Fields,
    result: Option<Shown>,
    mut errors: Vec<FormError>,
    regrouped: Option<Regrouped>,
) -> Response {
    let policies = served(app);
    let focus = regrouped.as_ref().map(|r| r.focus);
    let loaded: Option<Arc<Loaded>> = chosen.and_then(|n| app.registry.get(n));
    if let (Some(name), None) = (chosen, &loaded) {
        let ctx = minijinja::context! { policies => Serde(policies), unknown => name };
        return page(app, visit, StatusCode::NOT_FOUND, "may_i.html", ctx);
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let groups = loaded.as_ref().map(|l| form(&l.policy, l.chain.as_ref(), sent, &errors, focus));
    // Each problem links to its field, by its question, when the page shows one.
    let mut fields: Vec<(String, String)> = vec![(control_id("actor.id"), "Your name or id".to_string())];
    for g in groups.iter().flatten() {
        fields.extend(g.controls.iter().map(|c| (c.id.clone(), c.label.clone())));
        for r in g.contact_groups.iter().flat_map(|c| &c.rows) {
            fields.push((r.id.clone(), format!("Group {} of contacts", r.number)));
            fields.extend(r.controls.iter().map(|c| (c.id.clone(), format!("Group {}: {}", r.number, c.label))));
        }
    }
    for e in &mut errors {
        let id = control_id(&e.name);
        if let Some((id, label)) = fields.iter().find(|(f, _)| *f == id) {
            (e.id, e.label) = (Some(id.clone()), Some(label.clone()));
        }
    }
    let actor_error = errors.iter().find(|e| e.name == "actor.id").map(|e| e.message.clone());
    let ctx = minijinja::context! {
        policies => Serde(policies),
        chosen,
        title => loaded.as_ref().map(|l| l.policy.meta.name.clone()),
        groups => Serde(groups),
        actor => field(sent, "actor.id").unwrap_or(&visit.caller.name),
        actor_error,
        result => Serde(result),
        errors => Serde(errors),
        regrouped => regrouped.map(|r| r.said),
    };
    page(app, visit, status, "may_i.html", ctx)
}

/// A group of contacts added or removed: what was done, in words, and the group whose first question takes the focus.
struct Regrouped {
    said: String,
    focus: usize,
}

/// What a "may I?" form asks for besides a decision: another group of contacts, or one fewer (`remove-group-N`,
/// N from 0).
enum Regroup {
    Add,
    Remove(usize),
}

fn regroup_op(f: &Fields) -> Option<Regroup> {
    match field(f, "op")? {
        "add-group" => Some(Regroup::Add),
        op => op.strip_prefix("remove-group-").and_then(|n| n.parse().ok()).map(Regroup::Remove),
    }
}

async fn may_i(State(app): State<Arc<App>>, headers: HeaderMap, form: Result<Form<Fields>, FormRejection>) -> Response {
    let (visit, f) = match posted(&app, &headers, Scope::Decide, "/may-i", urlencoded(form)) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let name = field(&f, "policy").unwrap_or("").to_string();
    let Some(loaded) = app.registry.get(&name) else {
        return may_i_page(&app, &visit, Some(&name), &f, None, Vec::new(), None);
    };
    // Adding or removing a group of contacts only gives the form back, changed: nothing is decided.
    match regroup_op(&f) {
        Some(Regroup::Add) => {
            let rows = contact_rows(&f);
            if rows >= MAX_CONTACT_GROUPS {
                let e = format!("at most {MAX_CONTACT_GROUPS} groups of contacts: put some together");
                return may_i_page(&app, &visit, Some(&name), &f, None, vec![FormError::at("", e)], None);
            }
            let said = format!("Group {} added: say how many contacts it holds and where they came from.", rows + 1);
            let after = Regrouped { said, focus: rows };
            return may_i_page(&app, &visit, Some(&name), &regroup(&f, None), None, Vec::new(), Some(after));
        }
        Some(Regroup::Remove(i)) => {
            let rest = regroup(&f, Some(i));
            let left = contact_rows(&rest);
            let said = match i + 1 < contact_rows(&f) {
                true => format!("Group {} removed; the groups after it moved up ({left} left).", i + 1),
                false => format!("Group {} removed ({left} left).", i + 1),
            };
            let after = Regrouped { said, focus: i.min(left.saturating_sub(1)) };
            return may_i_page(&app, &visit, Some(&name), &rest, None, Vec::new(), Some(after));
        }
        None => {}
    }
    let actor =
        field(&f, "actor.id").map(str::trim).filter(|a| !a.is_empty()).unwrap_or(&visit.caller.name).to_string();
    let json = match action_json(&loaded.policy, loaded.chain.as_ref(), &actor, &f) {
        Ok(j) => j,
        Err(errors) => return may_i_page(&app, &visit, Some(&name), &f, None, errors, None),
    };
    let raw = match serde_json::value::to_raw_value(&json) {
        Ok(r) => r,
        Err(e) => return problem(&app, StatusCode::INTERNAL_SERVER_ERROR, "Not decided", &e.to_string(), None),
    };
    let params = api::DecideParams { explain: true, as_written: false };
    match api::decide_logged(&app, &visit.caller, &name, &raw, params).await {
        Ok(d) => {
            // Cited by the policy's name, as the consultant chose it (not the server's path to the file).
            // Cited by the policy's name, as the consultant chose it (not the server's path to the file),
            // or the file of the version that decided.
            let file = d.file.clone().unwrap_or_else(|| format!("{name}.policy"));
            let result = d.verdict.as_ref().map(|v| shown(v, &file, Some(d.id.clone())));
            may_i_page(&app, &visit, Some(&name), &f, result, Vec::new(), None)
        }
        Err(e) => {
            let (_, path, message, help) = e.parts();
            // The service names the field as the API's body does (`action.contacts[1].count`); the form without
            // the `action.` in front.
            let at = path.strip_prefix("action.").unwrap_or(path);
            let error = FormError {
                name: at.to_string(),
                id: None,
                label: None,
                message: message.to_string(),
                help: help.map(str::to_string),
            };
            may_i_page(&app, &visit, Some(&name), &f, None, vec![error], None)
        }
    }
}

// ---------------------------------------------------------------------------
// "Write and try a policy"

/// The policy the editor starts with.
const STARTER: &str = "policy \"My agency\" version 1\n  default allow\n\nroles consultant, manager\n\nposting on twitter {\n  limit 10 posts per day  because \"Quality over volume.\"\n}\n\nrule no_candidate_data \"Never publish candidates' personal data.\" {\n  when content.candidate_personal_data\n  then deny\n}\n";

/// The action the "try" pane starts with.
const STARTER_ACTION: &str = "action: post\nactor: {id: alice, role: consultant, status: employed}\nchannel: twitter\ncontent: {kind: industry, candidate_personal_data: true}\n";

/// A problem in the draft, at its line.
#[derive(Serialize)]
struct Problem {
    line: usize,
    column: usize,
    severity: &'static str,
    code: String,
    message: String,
    help: Option<String>,
}

/// One line of the draft, with the problems found on it.
#[derive(Serialize)]
struct Line {
    number: usize,
    text: String,
    problems: Vec<usize>,
}

#[derive(Serialize)]
struct Checked {
    problems: Vec<Problem>,
    lines: Vec<Line>,
    errors: usize,
    warnings: usize,
}

/// `check` on the draft: every diagnostic at its line.
fn check_draft(text: &str) -> Checked {
    let file = crate::source::SourceFile::new("draft.policy", text.to_string());
    let diagnostics = match crate::check::check_source(&file) {
        Ok((_, report)) => report.diagnostics,
        Err(d) => d,
    };
    let problems: Vec<Problem> = diagnostics
        .iter()
        .map(|d| {
            let (line, column) = file.line_col(d.span().start);
            Problem {
                line,
                column,
                severity: if d.severity == Severity::Error { "error" } else { "warning" },
                code: d.code.clone(),
                message: d.message.clone(),
                help: d.help.clone(),
            }
        })
        .collect();
    let lines = text
        .lines()
        .enumerate()
        .map(|(i, t)| Line {
            number: i + 1,
            text: t.to_string(),
            problems: problems.iter().enumerate().filter(|(_, p)| p.line == i + 1).map(|(j, _)| j).collect(),
        })
        .collect();
    let errors = problems.iter().filter(|p| p.severity == "error").count();
    Checked { warnings: problems.len() - errors, errors, problems, lines }
}

#[derive(serde::Deserialize)]
struct WriteQuery {
    #[serde(default)]
    from: Option<String>,
}

async fn write_form(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    q: Result<Query<WriteQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let visit = match visit(&app, &headers, Scope::Decide, "/write") {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let from = q.ok().and_then(|Query(q)| q.from);
    let source = match from.as_deref().and_then(|n| app.registry.get(n)) {
        Some(l) => l.file.text.to_string(),
        None => STARTER.to_string(),
    };
    write_page(&app, &visit, &source, STARTER_ACTION, None, None)
}

fn write_page(
    app: &App,
    visit: &Visit,
    source: &str,
    action: &str,
    note: Option<String>,
    result: Option<Result<Shown, String>>,
) -> Response {
    let checked = check_draft(source);
    let (result, action_error) = match result {
        Some(Ok(s)) => (Some(s), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let ctx = minijinja::context! {
        source, action, checked => Serde(checked), note, result => Serde(result), action_error,
        policies => Serde(served(app)),
    };
    page(app, visit, StatusCode::OK, "write.html", ctx)
}

/// Decides the "try" pane's action under the draft (not logged: a draft is not a policy the service serves).
fn try_draft(source: &str, action: &str) -> Result<Shown, String> {
    let loaded = super::registry::load_text("draft", std::path::Path::new("draft.policy"), source.to_string())
        .map_err(|e| format!("the policy must check before an action can be tried: {}", e.message))?;
    let action = crate::data::action::parse_action(action, "action").map_err(|e| e.to_string())?;
    if let Some(e) = api::open_value_error(&action, &loaded.policy) {
        return Err(e.to_string());
    }
    let now = jiff::Timestamp::now();
    let v = crate::eval::evaluate(&loaded.policy, &loaded.file, &action, &crate::eval::EvalOptions { now });
    Ok(shown(&v, &loaded.file.name, None))
}

async fn write(State(app): State<Arc<App>>, headers: HeaderMap, form: Result<Form<Fields>, FormRejection>) -> Response {
    let (visit, f) = match posted(&app, &headers, Scope::Decide, "/write", urlencoded(form)) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    let mut source = field(&f, "source").unwrap_or("").replace("\r\n", "\n");
    let action = field(&f, "action").unwrap_or("").replace("\r\n", "\n");
    match field(&f, "op").unwrap_or("check") {
        "fmt" => {
            let file = crate::source::SourceFile::new("draft.policy", source.clone());
            let note = match crate::fmt::format_policy(&file) {
                Ok(formatted) if formatted == source => "Already formatted: nothing changed.".to_string(),
                Ok(formatted) => {
                    source = formatted;
                    "Formatted.".to_string()
                }
                Err(_) => "Not formatted: the policy does not parse (see the problems below).".to_string(),
            };
            write_page(&app, &visit, &source, &action, Some(note), None)
        }
        "try" => {
            let result = try_draft(&source, &action);
            write_page(&app, &visit, &source, &action, None, Some(result))
        }
        _ => write_page(&app, &visit, &source, &action, None, None),
    }
}

/// The problems list alone, for the editor's script to show as you type.
async fn write_check(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    form: Result<Form<Fields>, FormRejection>,
) -> Response {
    let f = match posted(&app, &headers, Scope::Decide, "/write", urlencoded(form)) {
        Ok((_, f)) => f,
        Err(r) => return *r,
    };
    let source = field(&f, "source").unwrap_or("").replace("\r\n", "\n");
    let ctx = minijinja::context! { checked => Serde(check_draft(&source)) };
    render(&app, StatusCode::OK, "diagnostics.html", ctx, None)
}

// ---------------------------------------------------------------------------
// Compare employers

/// A score as the page shows it: the number, and the reasons behind a click.
#[derive(Serialize)]
struct ShownScore {
    dimension: &'static str,
    meaning: &'static str,
    score: String,
    reasons: Vec<String>,
}

/// An employer's column: its name, its scores, its covenants in words.
#[derive(Serialize)]
struct Employer {
    title: String,
    scores: Vec<ShownScore>,
    covenants: Vec<String>,
}

/// One bar of the timeline: a covenant from the day you leave until it ends.
#[derive(Serialize)]
struct Bar {
    x: u32,
    y: u32,
    w: u32,
    /// Where the label starts: inside the bar when it fits (about 7 units a character), else after it.
    tx: u32,
    label: String,
    void: bool,
}

/// The timeline picture's geometry (SVG user units), computed here so the template only draws.
#[derive(Serialize)]
struct Timeline {
    width: u32,
    height: u32,
    left: u32,
    right: u32,
    ticks: Vec<(u32, String)>,
    rows: Vec<(u32, String, bool)>,
    bars: Vec<Bar>,
}

const LEFT: u32 = 250;
const RIGHT: u32 = 880;
const BAR: u32 = 22;

fn timeline(c: &crate::compare::Comparison) -> Timeline {
    let longest = c
        .profiles
        .iter()
        .flat_map(|p| p.covenants.iter().flat_map(|k| k.covenants.iter().map(|v| v.months)))
        .fold(12.0_f64, f64::max);
    let span = (longest / 3.0).ceil() * 3.0;
    let x_of = |months: f64| LEFT + ((months / span) * f64::from(RIGHT - LEFT)).round() as u32;
    let step = if span > 24.0 { 6.0 } else { 3.0 };
    let ticks = (0..=((span / step) as u32))
        .map(|i| {
            let m = f64::from(i) * step;
            (x_of(m), if i == 0 { "you leave".to_string() } else { format!("{m} months") })
        })
        .collect();
    let (mut rows, mut bars, mut y) = (Vec::new(), Vec::new(), 34);
    for (info, profile) in c.policies.iter().zip(&c.profiles) {
        let covenants: Vec<(&str, &crate::compare::profile::CovenantInfo)> =
            profile.covenants.iter().flat_map(|k| k.covenants.iter().map(move |v| (k.kind.as_str(), v))).collect();
        // The full name is in the caption and the table; the picture's column holds the short name.
        rows.push((y, info.short.clone(), covenants.is_empty()));
        for (kind, v) in &covenants {
            let of = if v.of.is_empty() { String::new() } else { format!(" of {}", v.of.join(", ")) };
            let void = v.law.status == crate::compare::law::Enforceability::Void;
            let law = if void { " (void here)" } else { "" };
            let label = format!("{}{of}: {}{law}", kind.replace('_', "-"), v.duration);
            let w = x_of(v.months).saturating_sub(LEFT).max(4);
            let fits = u32::try_from(label.chars().count()).unwrap_or(u32::MAX).saturating_mul(7) + 16 <= w;
            let tx = if fits { LEFT + 8 } else { LEFT + w + 6 };
            bars.push(Bar { x: LEFT, y, w, tx, label, void });
            y += BAR + 6;
        }
        if covenants.is_empty() {
            y += BAR + 6;
        }
        y += 14;
    }
    Timeline { width: RIGHT + 50, height: y + 10, left: LEFT, right: RIGHT, ticks, rows, bars }
}

/// One employer against the candidate's deal-breakers: the answer in words, the findings, their references
/// (clause paths, constraint names, lines) behind a click.
#[derive(Serialize)]
struct Answer {
    employer: String,
    tone: &'static str,
    mark: &'static str,
    words: String,
    broken: Vec<String>,
    unknown: Vec<String>,
    preferences: Vec<String>,
    details: Vec<String>,
}

/// One situation of the matrix, each employer's verdict in words with its reasons behind a click.
#[derive(Serialize)]
struct MatrixRow {
    title: String,
    group: String,
    cells: Vec<MatrixCell>,
}

#[derive(Serialize)]
struct MatrixCell {
    tone: &'static str,
    mark: &'static str,
    words: String,
    /// Why, in plain words (shown); the summary, clauses and law notes are behind a click.
    reason: Vec<String>,
    summary: String,
    cited: Vec<String>,
    law_notes: Vec<String>,
}

fn verdict_words(d: Decision, approvers: &[String]) -> (&'static str, &'static str, String) {
    match d {
        Decision::Allow => ("allow", "✓", "allowed".to_string()),
        Decision::Deny => ("deny", "✗", "refused".to_string()),
        Decision::RequireApproval if approvers.is_empty() => ("require-approval", "!", "needs approval".to_string()),
        Decision::RequireApproval => {
            ("require-approval", "!", format!("needs approval from {}", approvers.join(" or ")))
        }
        Decision::Indeterminate => ("indeterminate", "?", "cannot say".to_string()),
    }
}

fn compared(c: &crate::compare::Comparison) -> minijinja::Value {
    let employers: Vec<Employer> = c
        .policies
        .iter()
        .zip(c.scores.iter().zip(&c.profiles))
        .map(|(info, (scores, profile))| Employer {
            title: info.title(),
            scores: scores
                .dimensions
                .iter()
                .map(|d| ShownScore {
                    dimension: d.dimension.title(),
                    meaning: d.dimension.meaning(),
                    score: format!("{:.1}", d.score),
                    reasons: d.items.iter().map(|i| format!("{:+} {}: {}", i.points, i.criterion, i.detail)).collect(),
                })
                .collect(),
            covenants: profile
                .covenants
                .iter()
                .flat_map(|k| k.covenants.iter().map(move |v| format!("{}: {}", k.kind.replace('_', "-"), v.words())))
                .collect(),
        })
        .collect();
    let matrix: Vec<MatrixRow> = c
        .situations
        .iter()
        .map(|r| MatrixRow {
            title: r.title.clone(),
            group: r.group.clone(),
            cells: r
                .cells
                .iter()
                .map(|cell| {
                    let (tone, mark, words) = verdict_words(cell.verdict, &cell.approvers);
                    MatrixCell {
                        tone,
                        mark,
                        words,
                        reason: crate::compare::render::reason(cell),
                        summary: cell.summary.clone(),
                        cited: cell.cited.iter().map(|r| r.words()).collect(),
                        law_notes: cell.law_notes.clone(),
                    }
                })
                .collect(),
        })
        .collect();
    // The candidate's answer first: each employer against their deal-breakers, in plain words.
    let answer: Option<Vec<Answer>> = c.against.as_ref().map(|a| {
        a.employers
            .iter()
            .zip(&c.policies)
            .map(|(e, info)| {
                let (tone, mark) = match (e.broken.len(), e.unknown.len()) {
                    (0, 0) => ("allow", "✓"),
                    (0, _) => ("indeterminate", "?"),
                    _ => ("deny", "✗"),
                };
                let plain = |issues: &[crate::compare::against::Issue]| -> Vec<String> {
                    issues.iter().map(|i| format!("{}: {}", i.clause, i.text)).collect()
                };
                Answer {
                    employer: info.title(),
                    tone,
                    mark,
                    words: crate::compare::render::answer_words(e),
                    broken: plain(&e.broken),
                    unknown: plain(&e.unknown),
                    preferences: plain(&e.preferences),
                    details: e.broken.iter().chain(&e.unknown).chain(&e.preferences).map(|i| i.words()).collect(),
                }
            })
            .collect()
    });
    let against = c.against.as_ref().map(|a| a.name.clone());
    minijinja::context! {
        answer => Serde(answer),
        against,
        employers => Serde(employers),
        timeline => Serde(timeline(c)),
        matrix => Serde(matrix),
        notes => c.notes.clone(),
    }
}

/// A candidate's own deal-breakers: terms a contract must meet, and no clause about what an employee may do.
async fn compare_form(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let visit = match visit(&app, &headers, Scope::Admin, "/compare") {
        Ok(v) => v,
        Err(r) => return *r,
    };
    compare_page(&app, &visit, &Vec::new(), &[], None, None)
}

fn compare_page(
    app: &App,
    visit: &Visit,
    sent: &Fields,
    files: &[Sent],
    result: Option<minijinja::Value>,
    error: Option<(String, String, Option<String>)>,
) -> Response {
    let chosen: Vec<String> = sent.iter().filter(|(k, _)| k == "policies").map(|(_, v)| v.clone()).collect();
    // A candidate's deal-breakers are never offered as an employer, nor an employer's policy as deal-breakers.
    let (mut employers, mut own) = (Vec::new(), Vec::new());
    for (name, e) in app.registry.snapshot().iter() {
        if let Some(l) = &e.serving {
            let choice = PolicyChoice { name: name.clone(), title: l.policy.meta.name.clone() };
            if l.policy.is_candidates_own() {
                own.push(choice);
            } else {
                employers.push(choice);
            }
        }
    }
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let ctx = minijinja::context! {
        policies => Serde(employers),
        with_terms => Serde(own),
        chosen,
        against => field(sent, "against").unwrap_or("").to_string(),
        pasted => sent.iter().filter(|(k, _)| k == "pasted").map(|(_, v)| v.clone()).chain(std::iter::repeat(String::new())).take(2).collect::<Vec<_>>(),
        jurisdiction => field(sent, "jurisdiction").unwrap_or("").to_string(),
        supervisor => field(sent, "supervisor") == Some("yes"),
        role => field(sent, "role").unwrap_or("").to_string(),
        kept => Serde(kept(files)),
        result,
        error => error.map(|(path, message, help)| minijinja::context! { path, message, help }),
    };
    page(app, visit, status, "compare.html", ctx)
}

async fn compare(State(app): State<Arc<App>>, req: Request) -> Response {
    let headers = req.headers().clone();
    let (sent, uploads) = read_sent(req).await;
    let (visit, f) = match posted(&app, &headers, Scope::Admin, "/compare", sent) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    // The files sent, and those carried back from the page before: kept on the page whatever happens next.
    let (files, bad) = files_of(&f, uploads);
    let files: Vec<Sent> = files.into_iter().filter(|u| u.0 == "upload").collect();
    let refuse = |path: &str, message: String, help: Option<String>| {
        compare_page(&app, &visit, &f, &files, None, Some((path.to_string(), message, help)))
    };
    if let Some((path, e)) = bad {
        return refuse(&path, e, Some("choose policy files (`.policy`, text)".into()));
    }
    // The served policies ticked, then the texts pasted and the files uploaded (policies handed over at interview).
    let mut names: Vec<api::Side> =
        f.iter().filter(|(k, _)| k == "policies").map(|(_, v)| api::Side::Name(v.clone())).collect();
    let mut texts: Vec<(Option<String>, String)> = f
        .iter()
        .filter(|(k, v)| k == "pasted" && !v.trim().is_empty())
        .map(|(_, v)| (None, v.replace("\r\n", "\n")))
        .collect();
    texts.extend(files.iter().map(|(_, name, text)| (Some(name.clone()), text.clone())));
    // The candidate's deal-breakers: chosen from the list, or a text with only a `terms` section (pasted or
    // uploaded), which is checked against the employers and never shown as one of them.
    let mut against: Option<(String, api::Side)> =
        field(&f, "against").filter(|a| !a.is_empty()).map(|a| (format!("“{a}”"), api::Side::Name(a.to_string())));
    for (file, source) in texts {
        let label = file.clone().unwrap_or_else(|| "pasted.policy".to_string());
        let own = super::registry::load_text(&label, std::path::Path::new(&label), source.clone())
            .is_ok_and(|l| l.policy.is_candidates_own());
        if !own {
            names.push(api::Side::Source { source, file });
            continue;
        }
        let this = file.as_ref().map_or("a pasted text".to_string(), |f| format!("the file “{f}”"));
        if let Some((first, _)) = &against {
            let message = format!(
                "two sets of deal-breakers: {first} and {this} (a text with only a `terms` section is a candidate's own)"
            );
            return refuse("against", message, Some("keep one set of deal-breakers".into()));
        }
        against = Some((this, api::Side::Source { source, file }));
    }
    let against = against.map(|(_, side)| side);
    let jurisdiction = field(&f, "jurisdiction").map(str::trim).filter(|j| !j.is_empty());
    // A ticked box says "I supervise others"; unticked says nothing (read as not a supervisor).
    let supervisor = field(&f, "supervisor").map(|v| v == "yes");
    let role = field(&f, "role").map(str::trim).filter(|r| !r.is_empty());
    match api::compare_named(&app, names, against, (jurisdiction, supervisor, role), None).await {
        Ok(c) if field(&f, "op") == Some("download") => {
            let mut r = (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CONTENT_DISPOSITION, "attachment; filename=\"comparison.html\""),
                ],
                crate::compare::html::html(&c),
            )
                .into_response();
            r.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
            r
        }
        Ok(c) => compare_page(&app, &visit, &f, &files, Some(compared(&c)), None),
        Err(e) => {
            let (_, path, message, help) = e.parts();
            compare_page(
                &app,
                &visit,
                &f,
                &files,
                None,
                Some((path.to_string(), message.to_string(), help.map(str::to_string))),
            )
        }
    }
}

// ---------------------------------------------------------------------------
// What does this change do?

async fn change_form(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let visit = match visit(&app, &headers, Scope::Admin, "/change") {
        Ok(v) => v,
        Err(r) => return *r,
    };
    change_page(&app, &visit, &Vec::new(), &[], None, None, None)
}

fn change_page(
    app: &App,
    visit: &Visit,
    sent: &Fields,
    files: &[Sent],
    report: Option<String>,
    replayed: Option<Replayed>,
    error: Option<(String, String, Option<String>)>,
) -> Response {
    let status = if error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let (from, to) = period(sent).unwrap_or_else(|_| default_period());
    let ctx = minijinja::context! {
        policies => Serde(served(app)),
        old => field(sent, "old").unwrap_or("").to_string(),
        new => field(sent, "new").unwrap_or("").to_string(),
        old_source => field(sent, "old_source").unwrap_or("").to_string(),
        new_source => field(sent, "new_source").unwrap_or("").to_string(),
        kept => Serde(kept(files)),
        can_replay => visit.caller.has(Scope::Log),
        replay_on => field(sent, "replay") == Some("yes"),
        replay_from => field(sent, "replay_from").map_or(from.to_string(), str::to_string),
        replay_to => field(sent, "replay_to").map_or(to.to_string(), str::to_string),
        replayed => Serde(replayed),
        report => report.map(minijinja::Value::from_safe_string),
        error => error.map(|(path, message, help)| minijinja::context! { path, message, help }),
    };
    page(app, visit, status, "change.html", ctx)
}

/// One side of the change: the file uploaded if any (field `{which}_file`), else the text pasted, else the
/// served policy chosen.
fn change_side(f: &Fields, files: &[Sent], which: &str) -> api::Side {
    if let Some((_, name, source)) = files.iter().find(|(field, _, _)| *field == format!("{which}_file")) {
        return api::Side::Source { source: source.clone(), file: Some(name.clone()) };
    }
    match field(f, &format!("{which}_source")).map(|t| t.replace("\r\n", "\n")).filter(|t| !t.trim().is_empty()) {
        Some(source) => api::Side::Source { source, file: None },
        None => api::Side::Name(field(f, which).unwrap_or("").to_string()),
    }
}

/// The longest period whose logged decisions are replayed at once.
const MAX_REPLAY_DAYS: i32 = 366;

/// The last 30 days, today included (UTC).
fn default_period() -> (jiff::civil::Date, jiff::civil::Date) {
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    (today.checked_sub(jiff::Span::new().days(29)).unwrap_or(today), today)
}

/// The replay's period from the form (`replay_from`, `replay_to`: dates, both days included), or the field that
/// does not read and why.
fn period(f: &Fields) -> Result<(jiff::civil::Date, jiff::civil::Date), (String, String)> {
    let (default_from, default_to) = default_period();
    let date = |name: &str, default: jiff::civil::Date| match field(f, name).map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(default),
        Some(v) => v
            .parse::<jiff::civil::Date>()
            .map_err(|_| (name.to_string(), format!("expected a date such as 2026-03-14; found “{v}”"))),
    };
    let (from, to) = (date("replay_from", default_from)?, date("replay_to", default_to)?);
    let days = from.until(to).map(|s| s.get_days()).unwrap_or(i32::MAX);
    if days < 0 {
        return Err(("replay_to".into(), format!("the period ends ({to}) before it starts ({from})")));
    }
    if days >= MAX_REPLAY_DAYS {
        return Err((
            "replay_to".into(),
            format!("a replay covers at most {MAX_REPLAY_DAYS} days; this period has {}", days + 1),
        ));
    }
    Ok((from, to))
}

/// What replaying the logged decisions of a period under both versions found: the library's replay report
/// (the same as `diff --replay LOG`), and per day how many were decided and how many flipped, drawn as a chart.
#[derive(Serialize)]
struct Replayed {
    from: String,
    to: String,
    decided: usize,
    flipped: usize,
    unreadable: usize,
    /// `12%`, or empty with nothing decided.
    share: String,
    /// The days with decisions: (date, decided, flipped).
    days: Vec<(String, usize, usize)>,
    chart: ReplayChart,
}

/// The chart's geometry (SVG user units): per day a bar of the decisions logged, and within it a hatched bar
/// of those that would flip.
#[derive(Serialize)]
struct ReplayChart {
    width: u32,
    height: u32,
    base: u32,
    /// (x, logged bar's y and height, flipped bar's y and height) per day.
    bars: Vec<(u32, u32, u32, u32, u32)>,
    bar: u32,
    /// Axis labels: (x, text) along the bottom, (y, text) up the side.
    xlabels: Vec<(u32, String)>,
    ylabels: Vec<(u32, String)>,
}

fn replay_chart(per_day: &[(jiff::civil::Date, usize, usize)]) -> ReplayChart {
    const LEFT: u32 = 50;
    const TOP: u32 = 16;
    const PLOT: u32 = 180;
    let n = u32::try_from(per_day.len()).unwrap_or(u32::MAX).max(1);
    let step = (800 / n).clamp(2, 40);
    let bar = (step * 3 / 4).max(1);
    let most = per_day.iter().map(|d| d.1).max().unwrap_or(0).max(1);
    let h = |k: usize| u32::try_from(k.saturating_mul(PLOT as usize) / most).unwrap_or(PLOT);
    let base = TOP + PLOT;
    let bars = per_day
        .iter()
        .enumerate()
        .map(|(i, (_, logged, flipped))| {
            let x = LEFT + u32::try_from(i).unwrap_or(0) * step + (step - bar) / 2;
            (x, base - h(*logged), h(*logged), base - h(*flipped), h(*flipped))
        })
        .collect();
    // About six dates along the bottom: the first, the last and some between.
    let every = (n as usize).div_ceil(6).max(1);
    let xlabels = per_day
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0 || *i + 1 == per_day.len())
        .map(|(i, (d, _, _))| {
            (LEFT + u32::try_from(i).unwrap_or(0) * step + step / 2, d.strftime("%b %-d").to_string())
        })
        .collect();
    // 0, the most in a day, and half way when that is a whole number of its own.
    let mut marks = vec![0, most];
    if most >= 4 {
        marks.insert(1, most / 2);
    }
    let ylabels = marks.into_iter().map(|k| (base - h(k), k.to_string())).collect();
    ReplayChart { width: LEFT + n * step + 20, height: base + 30, base, bars, bar, xlabels, ylabels }
}

/// Replays the decisions the service logged from `from` to `to` (days included, UTC) under both versions, with the
/// library's replay (as `diff --replay LOG`): the report, and per day what was decided and flipped.
async fn replay_logged(
    app: &App,
    old: &(crate::source::SourceFile, crate::policy::Policy),
    new: &(crate::source::SourceFile, crate::policy::Policy),
    (from, to): (jiff::civil::Date, jiff::civil::Date),
) -> Result<(crate::diff::ReplayReport, Replayed), String> {
    let ms = |d: jiff::civil::Date| {
        d.to_zoned(jiff::tz::TimeZone::UTC).map(|z| z.timestamp().as_millisecond()).map_err(|e| e.to_string())
    };
    let since_ms = ms(from)?;
    let until_ms = ms(to.tomorrow().map_err(|e| e.to_string())?)?;
    let filter = super::log::Filter { actor: None, since_ms: Some(since_ms) };
    let lines = super::log::decided_in(&app.reader, &filter).await.map_err(|e| e.to_string())?;
    let (old, new) = (old.clone(), new.clone());
    let work = move |work: &crate::work::Work| {
        let mut r = crate::diff::Replay::new(
            (&old.0, &old.1),
            (&new.0, &new.1),
            crate::eval::EvalOptions { now: jiff::Timestamp::now() },
        );
        let mut days: Vec<(jiff::civil::Date, usize, usize)> = Vec::new();
        let mut day = from;
        while day <= to {
            days.push((day, 0, 0));
            day = match day.tomorrow() {
                Ok(d) => d,
                Err(_) => break,
            };
        }
        for (n, (at_ms, line)) in lines.iter().filter(|(at, _)| *at < until_ms).enumerate() {
            if work.cancelled() {
                return None;
            }
            work.step();
            let flipped = r.line(n + 1, line);
            let date =
                jiff::Timestamp::from_millisecond(*at_ms).ok().map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date());
            if let (Some(flipped), Some(slot)) = (flipped, date.and_then(|d| days.iter_mut().find(|x| x.0 == d))) {
                slot.1 += 1;
                slot.2 += usize::from(flipped);
            }
        }
        Some((r.finish(), days))
    };
    let (report, days) = api::within_budget(app, "replay", work).await.map_err(|e| e.parts().2.to_string())?;
    let flipped = report.flipped();
    let share = match report.decided {
        0 => String::new(),
        d => format!("{}%", (flipped * 100 + d / 2) / d),
    };
    let shown = Replayed {
        from: from.to_string(),
        to: to.to_string(),
        decided: report.decided,
        flipped,
        unreadable: report.bad_count,
        share,
        days: days.iter().filter(|d| d.1 > 0).map(|(d, k, f)| (d.to_string(), *k, *f)).collect(),
        chart: replay_chart(&days),
    };
    Ok((report, shown))
}

async fn change(State(app): State<Arc<App>>, req: Request) -> Response {
    let headers = req.headers().clone();
    let (sent, uploads) = read_sent(req).await;
    let (visit, f) = match posted(&app, &headers, Scope::Admin, "/change", sent) {
        Ok(v) => v,
        Err(r) => return *r,
    };
    // The files sent, and those carried back from the page before: kept on the page whatever happens next (one a
    // side: the one used, a file sent now before one kept).
    let (mut files, bad) = files_of(&f, uploads);
    let mut sides: Vec<String> = Vec::new();
    files.retain(|(field, _, _)| {
        let first = !sides.contains(field);
        sides.push(field.clone());
        first
    });
    let refuse = |path: &str, message: String, help: Option<String>| {
        change_page(&app, &visit, &f, &files, None, None, Some((path.to_string(), message, help)))
    };
    if let Some((path, e)) = bad {
        return refuse(&path, e, None);
    }
    let old = change_side(&f, &files, "old");
    let new = change_side(&f, &files, "new");
    let replay = field(&f, "replay") == Some("yes") && visit.caller.has(Scope::Log);
    let wanted = match period(&f) {
        Ok(p) => p,
        Err((path, message)) if replay => return refuse(&path, message, None),
        Err(_) => default_period(),
    };
    let snap = app.registry.snapshot();
    let sides = (api::side(&snap, old, "old"), api::side(&snap, new, "new"));
    let (old, new) = match sides {
        (Ok(o), Ok(n)) => (o, n),
        (Err(e), _) | (_, Err(e)) => {
            let (_, path, message, help) = e.parts();
            return refuse(path, message.to_string(), help.map(str::to_string));
        }
    };
    let report = match api::diff_loaded(&app, old.clone(), new.clone(), None).await {
        Ok(r) => r,
        Err(e) => {
            let (_, path, message, help) = e.parts();
            return refuse(path, message.to_string(), help.map(str::to_string));
        }
    };
    let replayed = if replay {
        match replay_logged(&app, &old, &new, wanted).await {
            Ok(r) => Some(r),
            Err(e) => return refuse("replay", format!("the logged decisions could not be replayed: {e}"), None),
        }
    } else {
        None
    };
    // Served policies are named as the reviewer chose them, not by the server's path to the file.
    let dir = format!("{}/", app.registry.dir().display());
    let md = crate::diff::render::markdown(&report, replayed.as_ref().map(|r| &r.0)).replace(&dir, "");
    if field(&f, "op") == Some("download") {
        return (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "text/markdown; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"policy-change.md\""),
            ],
            md,
        )
            .into_response();
    }
    change_page(&app, &visit, &f, &files, Some(markdown_html(&md)), replayed.map(|r| r.1), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_and_links_in_an_explanation_are_text() {
        let html = markdown_html(
            "## Verdict\n\n<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>\n",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("href"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        let folded = markdown_html("<details><summary>witnesses, <code>eval</code></summary>\n\n- a\n\n</details>\n");
        assert!(folded.starts_with("<details><summary>witnesses"), "{folded}");
        let sneaky = markdown_html("<details open ontoggle=alert(1)><summary>x</summary>\n");
        assert!(!sneaky.contains("<details"), "{sneaky}");
        assert!(!markdown_html("<code>a</code><img src=x>").contains("<img"));
        let inline = markdown_html("- because: </details> closed early\n");
        assert!(inline.contains("&lt;/details&gt;"), "{inline}");
    }

    #[test]
    fn the_form_asks_only_what_the_clauses_read() {
        let file = crate::source::SourceFile::new(
            "t.policy",
            "policy \"t\" default allow\nroles consultant\nrule r { when target.relationship = client and history.posts_today > 3 then deny }\n",
        );
        let (_, _, policy) = crate::check::check_and_lower(&file).unwrap();
        let paths: Vec<String> =
            form(&policy, None, &Vec::new(), &[], None).into_iter().flat_map(|g| g.controls).map(|c| c.path).collect();
        assert_eq!(paths, ["action", "actor.role", "actor.status", "target.relationship"]);
    }

    fn leaver_policy() -> Policy {
        let file = crate::source::SourceFile::new(
            "leaver-contacts.policy",
            include_str!("../../tests/cases/published/leaver-contacts.policy"),
        );
        crate::check::check_and_lower(&file).unwrap().2
    }

    fn sent(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn groups_of_contacts_become_a_list_and_one_group_is_written_alone() {
        let policy = leaver_policy();
        let two = sent(&[
            ("action", "export"),
            ("groups", "2"),
            ("contacts[0].count", "120"),
            ("contacts[0].origin", "before_employment"),
            ("contacts[1].count", "180"),
            ("contacts[1].origin", "agency_database"),
        ]);
        let j = action_json(&policy, None, "ann", &two).unwrap();
        assert_eq!(
            j["contacts"],
            serde_json::json!([{"count": 120, "origin": "before_employment"}, {"count": 180, "origin": "agency_database"}])
        );
        let one = sent(&[("action", "export"), ("contacts[0].count", "3"), ("contacts[0].origin", "employment")]);
        let j = action_json(&policy, None, "ann", &one).unwrap();
        assert_eq!(j["contacts"], serde_json::json!({"count": 3, "origin": "employment"}));
        // Nothing said about the contacts: not given, as in the API.
        let none = sent(&[("action", "export"), ("groups", "1")]);
        assert_eq!(action_json(&policy, None, "ann", &none).unwrap().get("contacts"), None);
    }

    #[test]
    fn a_group_without_what_the_policy_decides_by_is_named_never_guessed() {
        let policy = leaver_policy();
        let names = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            action_json(&policy, None, "ann", &sent(pairs))
                .unwrap_err()
                .into_iter()
                .map(|e| (e.name, e.message))
                .collect()
        };
        // An export: each group must say where its contacts came from; an empty group is named, not dropped.
        let found = names(&[
            ("action", "export"),
            ("groups", "3"),
            ("contacts[0].count", "120"),
            ("contacts[0].origin", "before_employment"),
            ("contacts[1].count", "180"),
        ]);
        assert_eq!(
            found,
            [
                (
                    "contacts[1].origin".to_string(),
                    "not given: the policy decides by where the contacts came from, so every group needs it"
                        .to_string()
                ),
                (
                    "contacts[2]".to_string(),
                    "this group is empty: say how many contacts and where they came from, or remove it".to_string()
                ),
            ]
        );
        // A post takes one group of contacts at most: a second one given is refused; hidden, empty ones are not.
        let found = names(&[("action", "post"), ("groups", "2"), ("contacts[1].count", "4")]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "contacts[1]");
        assert!(
            found[0]
                .1
                .starts_with("only one group of contacts goes with “post”; several are for export, depart, hand over"),
            "{found:?}"
        );
        let j = action_json(&policy, None, "ann", &sent(&[("action", "post"), ("groups", "3")])).unwrap();
        assert_eq!(j.get("contacts"), None, "{j}");
    }

    #[test]
    fn a_group_removed_takes_its_answers_with_it_and_the_later_ones_move_up() {
        let form = sent(&[
            ("action", "export"),
            ("groups", "3"),
            ("contacts[0].count", "1"),
            ("contacts[1].count", "2"),
            ("contacts[1].origin", "employment"),
            ("asked", "contacts[2].flag"),
            ("contacts[2].count", "3"),
            ("op", "remove-group-1"),
        ]);
        let rest = regroup(&form, Some(1));
        assert_eq!(
            rest,
            sent(&[
                ("action", "export"),
                ("contacts[0].count", "1"),
                ("asked", "contacts[1].flag"),
                ("contacts[1].count", "3"),
                ("groups", "2"),
            ])
        );
        // One more: an empty group at the end; never fewer than one, never more than the most.
        assert_eq!(contact_rows(&regroup(&rest, None)), 3);
        assert_eq!(contact_rows(&regroup(&sent(&[("groups", "1")]), Some(0))), 1);
        let full = sent(&[("groups", &MAX_CONTACT_GROUPS.to_string())]);
        assert_eq!(contact_rows(&regroup(&full, None)), MAX_CONTACT_GROUPS);
        // A group sent beyond the count said is still counted, so no answer is dropped unseen.
        assert_eq!(contact_rows(&sent(&[("groups", "1"), ("contacts[3].count", "9")])), 4);
    }

    #[test]
    fn the_groups_are_told_by_answer_in_words() {
        let policy = leaver_policy();
        let file = crate::source::SourceFile::new(
            "leaver-contacts.policy",
            include_str!("../../tests/cases/published/leaver-contacts.policy"),
        );
        let action = crate::data::action::parse_action_json_line(
            r#"{"action":"export","at":"2026-03-14T10:00:00Z","actor":{"id":"ann","role":"consultant","status":"on_notice"},"contacts":[{"count":120,"origin":"before_employment"},{"count":180,"origin":"agency_database"},{"count":40,"origin":"employment"}]}"#,
        )
        .unwrap();
        let v = crate::eval::evaluate(
            &policy,
            &file,
            &action,
            &crate::eval::EvalOptions { now: "2026-03-16T09:00:00Z".parse().unwrap() },
        );
        let s = shown(&v, "leaver-contacts.policy", None);
        assert_eq!(s.words, "No, you may not.");
        assert_eq!(s.tally, "Allowed: group 1. Not allowed: groups 2 and 3.");
        let words: Vec<(&str, &str)> = s.groups.iter().map(|g| (g.contacts.as_str(), g.word.as_str())).collect();
        assert_eq!(
            words,
            [
                ("120 contacts made before employment", "allowed"),
                ("180 contacts from the agency's database", "not allowed"),
                ("40 contacts made during employment", "not allowed"),
            ]
        );
        // Each group says which clause decided it, in the policy's words (its `because`, or the clause as written).
        assert_eq!(
            s.groups[0].answer.decided_by,
            ["`joiner-snapshot` (line 28): Listed on joining and signed as yours: they stay yours."]
        );
        assert_eq!(s.groups[1].answer.decided_by[0], "`database` (line 32): contacts from agency_database -> agency");
    }

    #[test]
    fn quoted_names_become_code_and_everything_is_escaped() {
        assert_eq!(ticks("unknown channel `<b>`").to_string(), "unknown channel <code>&lt;b&gt;</code>");
        assert_eq!(ticks("<script>").to_string(), "&lt;script&gt;");
    }

    #[test]
    fn a_next_page_stays_on_this_site() {
        assert_eq!(safe_next(Some("/may-i")), "/may-i");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn form_values_become_the_actions_json() {
        let file = crate::source::SourceFile::new(
            "t.policy",
            "policy \"t\" default allow\nroles consultant\nrule r { when content.names_client and contacts.count > 3 then deny }\n",
        );
        let (_, _, policy) = crate::check::check_and_lower(&file).unwrap();
        let sent: Fields = vec![
            ("action".into(), "post".into()),
            ("content.names_client".into(), "yes".into()),
            ("contacts[0].count".into(), "12".into()),
        ];
        let j = action_json(&policy, None, "ann", &sent).unwrap();
        assert_eq!(j["actor"]["id"], "ann");
        assert_eq!(j["content"]["names_client"], true);
        assert_eq!(j["contacts"]["count"], 12);
        let bad: Fields = vec![("contacts[0].count".into(), "many".into())];
        assert_eq!(action_json(&policy, None, "ann", &bad).unwrap_err()[0].name, "contacts[0].count");
        // A box shown and left unticked is "no" (a list: "none of these"); one not shown is not given.
        let file = crate::source::SourceFile::new(
            "t.policy",
            "policy \"t\" default allow\nroles consultant\nrule r { when action = post and (content.names_client or content.kind has job_ad) then deny }\n",
        );
        let (_, _, policy) = crate::check::check_and_lower(&file).unwrap();
        let asked: Fields = vec![
            ("action".into(), "post".into()),
            ("asked".into(), "content.names_client".into()),
            ("asked".into(), "content.kind".into()),
        ];
        let j = action_json(&policy, None, "ann", &asked).unwrap();
        assert_eq!(
            (&j["content"]["names_client"], &j["content"]["kind"]),
            (&serde_json::json!(false), &serde_json::json!([]))
        );
        let not_asked: Fields = vec![("action".into(), "post".into())];
        let j = action_json(&policy, None, "ann", &not_asked).unwrap();
        assert_eq!(j.get("content"), None, "{j}");
        // Asked, but for another action than the one chosen: not given.
        let other: Fields = vec![("action".into(), "connect".into()), ("asked".into(), "content.kind".into())];
        let j = action_json(&policy, None, "ann", &other).unwrap();
        assert_eq!(j.get("content"), None, "{j}");
    }
}
