//! The HTTP JSON API: routes, request shapes, and errors that name the field.
//!
//! Bodies are read as bytes and parsed here (not by axum's `Json` extractor)
//! so that every error is JSON with the path of the offending field:
//!
//! ```json
//! {"error": {"status": 400, "path": "action.actor.role", "message": "...", "help": "..."}}
//! ```

use super::history;
use super::log::{Entry, Kind};
use super::registry::{Loaded, Snapshot};
use super::App;
use crate::data::action::{check_open_values, parse_action_json_line, Action};
use crate::data::error::DataError;
use crate::eval::{evaluate, EvalOptions};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::sync::Arc;

/// The routes, over the shared state.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/v1/decide", post(decide))
        .route("/v1/terms", post(terms))
        .route("/v1/compare", post(compare))
        .route("/v1/diff", post(diff))
        .route("/v1/performed", post(performed))
        .route("/v1/policies", get(policies))
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
        .with_state(app)
}

/// An error answer: a status and a JSON body naming the field.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    path: String,
    message: String,
    help: Option<String>,
}

impl ApiError {
    fn new(status: StatusCode, path: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError { status, path: path.into(), message: message.into(), help: None }
    }

    fn help(mut self, help: impl Into<String>) -> ApiError {
        self.help = Some(help.into());
        self
    }

    /// A data error (bad action, contract, ...) inside `prefix` of the body.
    fn data(e: DataError, prefix: &str) -> ApiError {
        let e = e.within(prefix);
        ApiError { status: StatusCode::BAD_REQUEST, path: e.path, message: e.message, help: e.help }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {
            "status": self.status.as_u16(),
            "path": self.path,
            "message": self.message,
            "help": self.help,
        }});
        (self.status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn to_json(v: &impl serde::Serialize) -> Result<String, ApiError> {
    serde_json::to_string(v)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "", format!("cannot write JSON: {e}")))
}

/// The body's bytes, or 413 / 400 as JSON.
fn body(b: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    b.map_err(|e| {
        let status = e.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(status, "", "the request body is too large").help("see `smpolicy serve --max-body`")
        } else {
            ApiError::new(status, "", format!("cannot read the request body: {e}"))
        }
    })
}

/// Parses a JSON body, naming the field on error.
fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| ApiError::data(crate::data::error::from_json("", &e), ""))?;
    de.end().map_err(|e| ApiError::data(crate::data::error::from_json_plain("", &e), ""))?;
    Ok(value)
}

/// The policy `name` as now served, from one snapshot.
fn policy_in(snap: &Snapshot, name: &str, path: &str) -> Result<Arc<Loaded>, ApiError> {
    match snap.get(name) {
        Some(e) => match (&e.serving, &e.error) {
            (Some(l), _) => Ok(l.clone()),
            (None, Some(err)) => Err(ApiError::new(
                StatusCode::CONFLICT,
                path,
                format!("policy `{name}` does not load, and no earlier version did: {}", err.message),
            )
            .help("fix the file; GET /v1/policies lists the errors")),
            (None, None) => Err(ApiError::new(StatusCode::CONFLICT, path, format!("policy `{name}` is not loaded"))),
        },
        None => {
            let names: Vec<&str> = snap.keys().map(String::as_str).collect();
            let help = match crate::data::error::suggest(name, names.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("loaded policies: {}", names.join(", ")),
            };
            Err(ApiError::new(StatusCode::NOT_FOUND, path, format!("unknown policy `{name}`")).help(help))
        }
    }
}

/// Parses an action and checks its open values against the policy.
fn action_for(raw: &RawValue, loaded: &Loaded, prefix: &str) -> Result<Action, ApiError> {
    let action = parse_action_json_line(raw.get()).map_err(|e| ApiError::data(e, prefix))?;
    let d = &loaded.policy.decls;
    let facts: Vec<(String, crate::value::Type)> = d.facts.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let errors = check_open_values(&action, &d.roles, &d.teams, &d.channels, &d.content_kinds, &facts);
    match errors.into_iter().next() {
        Some(e) => Err(ApiError::data(e, prefix)),
        None => Ok(action),
    }
}

fn log_failed(e: super::log::LogError) -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "", format!("the decision was not recorded: {e}"))
        .help("nothing was acknowledged; retry")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DecideReq {
    policy: String,
    action: Box<RawValue>,
}

/// The version of the short answer of `/v1/decide?explain=false`.
pub const DECISION_SCHEMA: &str = "smpolicy.decision/1";

/// The short answer: what the compiled form decides.
#[derive(serde::Serialize)]
struct Short<'a> {
    schema: &'static str,
    verdict: crate::eval::Decision,
    approvers: Vec<&'a str>,
    deciding: Vec<&'a str>,
    /// The duties attached, when there are any (as in the full verdict).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    obligations: Vec<crate::eval::verdict::ObligationOut>,
}

/// Reads `explain=true|false` (the default is true); any other parameter is an error.
fn explain_param(query: Option<&str>) -> Result<bool, ApiError> {
    let mut explain = true;
    for pair in query.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=').unwrap_or((pair, "")) {
            ("explain", "true" | "") => explain = true,
            ("explain", "false") => explain = false,
            ("explain", other) => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "query.explain",
                    format!("expected `true` or `false`; found `{other}`"),
                ))
            }
            (name, _) => {
                return Err(ApiError::new(StatusCode::BAD_REQUEST, format!("query.{name}"), "unknown query parameter")
                    .help("the only parameter is `explain`"))
            }
        }
    }
    Ok(explain)
}

/// `POST /v1/decide`: the verdict (`smpolicy.verdict/1`, as `eval --format
/// json`) with a `decision_id`, answered once the decision is in the log.
/// With `?explain=false`, the compiled form decides and the answer is the
/// short `smpolicy.decision/1`: the verdict, approvers and deciding clauses,
/// and the obligations when there are any.
async fn decide(
    State(app): State<Arc<App>>,
    RawQuery(query): RawQuery,
    b: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let explain = explain_param(query.as_deref())?;
    let req: DecideReq = parse(&body(b)?)?;
    let loaded = policy_in(&app.registry.snapshot(), &req.policy, "policy")?;
    let mut action = action_for(&req.action, &loaded, "action")?;
    let now = jiff::Timestamp::now();
    let at = action.at.and_then(|a| a.timestamp_in(&loaded.tz)).unwrap_or(now);
    let mut derived = None;
    if action.history.is_none() {
        let w = history::window(at, &loaded.tz);
        let performed = app.reader.performed(&action.actor.id, w.since_ms, w.until_ms).await.map_err(log_failed)?;
        let h = history::derive(&w, &performed);
        derived = serde_json::to_string(&h).ok();
        action.history = Some(h);
    }
    let id = app.ids.next();
    let (decision, deciding, json) = if explain {
        let verdict = evaluate(&loaded.policy, &loaded.file, &action, &EvalOptions { now });
        (verdict.verdict, verdict.deciding.clone(), to_json(&verdict)?)
    } else {
        let row = crate::compile::FactRow::from_action_at(&action, &loaded.compiled, now);
        let d = loaded.compiled.decide(&row);
        let o = loaded.compiled.outcome(&row, &d);
        let deciding = o.deciding.iter().map(|s| s.to_string()).collect();
        let mut obligations = Vec::new();
        loaded.compiled.obligations(&row, &mut obligations);
        let short = Short {
            schema: DECISION_SCHEMA,
            verdict: o.verdict,
            approvers: o.approvers,
            deciding: o.deciding,
            obligations,
        };
        (short.verdict, deciding, to_json(&short)?)
    };
    let entry = Entry {
        id: id.clone(),
        kind: Kind::Decision,
        recorded_ms: now.as_millisecond(),
        actor: action.actor.id.clone(),
        action: action.action.as_str().to_string(),
        at_ms: at.as_millisecond(),
        counts: 0,
        policy: Some(loaded.name.clone()),
        policy_hash: Some(loaded.hash.clone()),
        verdict: Some(decision.as_str().to_string()),
        deciding,
        decision_id: None,
        input: req.action.get().to_string(),
        derived_history: derived,
    };
    app.writer.append(entry).await.map_err(log_failed)?;
    Ok(json_response(StatusCode::OK, with_id(&id, &json)))
}

/// `{"decision_id":"…",` followed by the verdict's own fields.
fn with_id(id: &str, verdict_json: &str) -> String {
    let rest = verdict_json.strip_prefix('{').unwrap_or(verdict_json);
    let mut out = String::with_capacity(verdict_json.len() + 48);
    out.push_str("{\"decision_id\":\"");
    out.push_str(id);
    out.push('"');
    if rest != "}" {
        out.push(',');
    }
    out.push_str(rest);
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PerformedReq {
    action: Box<RawValue>,
    /// The policy whose timezone turns a date-only `at` into a time (UTC otherwise).
    #[serde(default)]
    policy: Option<String>,
    /// The decision this carries out.
    #[serde(default)]
    decision_id: Option<String>,
}

/// `POST /v1/performed`: records that an action was carried out.
async fn performed(State(app): State<Arc<App>>, b: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let req: PerformedReq = parse(&body(b)?)?;
    let (action, tz, policy) = match &req.policy {
        Some(name) => {
            let loaded = policy_in(&app.registry.snapshot(), name, "policy")?;
            (action_for(&req.action, &loaded, "action")?, loaded.tz.clone(), Some(loaded.name.clone()))
        }
        None => (
            parse_action_json_line(req.action.get()).map_err(|e| ApiError::data(e, "action"))?,
            jiff::tz::TimeZone::UTC,
            None,
        ),
    };
    let now = jiff::Timestamp::now();
    let at = action.at.and_then(|a| a.timestamp_in(&tz)).unwrap_or(now);
    let id = app.ids.next();
    let entry = Entry {
        id: id.clone(),
        kind: Kind::Performed,
        recorded_ms: now.as_millisecond(),
        actor: action.actor.id.clone(),
        action: action.action.as_str().to_string(),
        at_ms: at.as_millisecond(),
        counts: history::counts(&action),
        policy,
        policy_hash: None,
        verdict: None,
        deciding: vec![],
        decision_id: req.decision_id,
        input: req.action.get().to_string(),
        derived_history: None,
    };
    app.writer.append(entry).await.map_err(log_failed)?;
    let body =
        serde_json::json!({"id": id, "actor": action.actor.id, "action": action.action.as_str(), "at": at.to_string()});
    Ok(json_response(StatusCode::CREATED, body.to_string()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TermsReq {
    policy: String,
    contract: Box<RawValue>,
}

/// `POST /v1/terms`: as `terms --format json`.
async fn terms(State(app): State<Arc<App>>, b: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let req: TermsReq = parse(&body(b)?)?;
    let loaded = policy_in(&app.registry.snapshot(), &req.policy, "policy")?;
    let contract = crate::data::contract::parse_contract(req.contract.get(), "contract.json")
        .map_err(|e| ApiError::data(e, "contract"))?;
    let report = crate::eval::terms::check_terms(&loaded.policy, &loaded.file, &contract);
    Ok(json_response(StatusCode::OK, to_json(&report)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CompareReq {
    policies: Vec<String>,
    #[serde(default)]
    against: Option<String>,
    #[serde(default)]
    jurisdiction: Option<String>,
    #[serde(default)]
    now: Option<jiff::Timestamp>,
}

/// `us-ca` → `US-CA`, as the data contract reads `actor.jurisdiction`.
fn jurisdiction(code: &str) -> Option<String> {
    crate::data::parse_jurisdiction(code.trim()).ok()
}

/// `POST /v1/compare`: as `compare --format json` (`smpolicy.compare/1`), with the shipped scenario pack.
async fn compare(State(app): State<Arc<App>>, b: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let req: CompareReq = parse(&body(b)?)?;
    if req.policies.len() < 2 && req.against.is_none() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "policies",
            "compare needs at least two policies, or one with `against`",
        ));
    }
    let snap = app.registry.snapshot();
    let mut policies = Vec::new();
    for (i, name) in req.policies.iter().enumerate() {
        let l = policy_in(&snap, name, &format!("policies[{i}]"))?;
        policies.push((l.file.clone(), l.policy.clone()));
    }
    let against = match &req.against {
        Some(name) => {
            let l = policy_in(&snap, name, "against")?;
            if l.policy.terms.is_empty() {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "against",
                    format!("policy `{name}` has no `terms` section: there are no deal-breakers to check"),
                ));
            }
            Some((l.file.clone(), l.policy.clone()))
        }
        None => None,
    };
    let jurisdiction = match &req.jurisdiction {
        Some(code) => Some(jurisdiction(code).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "jurisdiction",
                format!("expected a code such as `UK`, `US-CA` or `DE`; found `{code}`"),
            )
        })?),
        None => None,
    };
    if let Some(e) = crate::compare::pack::shipped_error() {
        return Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "",
            format!("the shipped scenario pack does not parse: {e}"),
        ));
    }
    let opts = crate::compare::CompareOptions { pack: None, against, jurisdiction, now: req.now };
    // Comparing runs the whole scenario pack: keep it off the request threads.
    let c = tokio::task::spawn_blocking(move || crate::compare::compare(&policies, &opts))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "", format!("compare failed: {e}")))?;
    Ok(json_response(StatusCode::OK, to_json(&c)?))
}

/// One side of a diff: a loaded policy by name, or a policy's text.
#[derive(Deserialize)]
#[serde(untagged)]
enum Side {
    Name(String),
    Source { source: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DiffReq {
    old: Side,
    new: Side,
    #[serde(default)]
    now: Option<jiff::Timestamp>,
}

fn side(snap: &Snapshot, s: Side, path: &str) -> Result<(crate::source::SourceFile, crate::policy::Policy), ApiError> {
    match s {
        Side::Name(name) => policy_in(snap, &name, path).map(|l| (l.file.clone(), l.policy.clone())),
        Side::Source { source } => {
            let name = format!("{path}.policy");
            match super::registry::load_text(path, std::path::Path::new(&name), source) {
                Ok(l) => Ok((l.file, l.policy)),
                Err(e) => {
                    let mut err = ApiError::new(StatusCode::BAD_REQUEST, format!("{path}.source"), e.message);
                    err.help = Some(e.diagnostics.join("\n"));
                    Err(err)
                }
            }
        }
    }
}

/// `POST /v1/diff`: `{"old": NAME | {"source": TEXT}, "new": ..., "now"?: TIME}`, as `diff --format json`.
async fn diff(State(app): State<Arc<App>>, b: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let req: DiffReq = parse(&body(b)?)?;
    let snap = app.registry.snapshot();
    let old = side(&snap, req.old, "old")?;
    let new = side(&snap, req.new, "new")?;
    let opts = crate::diff::DiffOptions { now: req.now };
    let report = tokio::task::spawn_blocking(move || crate::diff::diff((&old.0, &old.1), (&new.0, &new.1), &opts))
        .await
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "", format!("diff failed: {e}")))?;
    Ok(json_response(StatusCode::OK, to_json(&report)?))
}

/// `GET /v1/policies`: each policy with its content hash and any load error.
async fn policies(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    let snap = app.registry.snapshot();
    let list: Vec<serde_json::Value> = snap
        .iter()
        .map(|(name, e)| {
            let serving = e.serving.as_ref();
            serde_json::json!({
                "name": name,
                "serving": serving.is_some(),
                "hash": serving.map(|l| l.hash.as_str()),
                "title": serving.map(|l| l.policy.meta.name.as_str()),
                "loaded_at": serving.map(|l| l.loaded_at.to_string()),
                "error": e.error,
            })
        })
        .collect();
    let body = serde_json::json!({"schema": "smpolicy.policies/1", "dir": app.registry.dir().display().to_string(), "policies": list});
    Ok(json_response(StatusCode::OK, to_json(&body)?))
}

/// `GET /healthz`.
async fn healthz(State(app): State<Arc<App>>) -> Response {
    let snap = app.registry.snapshot();
    let serving = snap.values().filter(|e| e.serving.is_some()).count();
    json_response(StatusCode::OK, serde_json::json!({"status": "ok", "policies_serving": serving}).to_string())
}

/// `GET /openapi.json`.
async fn openapi() -> Response {
    json_response(StatusCode::OK, super::openapi::document().to_string())
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "", format!("no such endpoint: {}", uri.path()))
        .help("GET /openapi.json lists the endpoints")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_goes_first() {
        assert_eq!(with_id("x", r#"{"a":1}"#), r#"{"decision_id":"x","a":1}"#);
        assert_eq!(with_id("x", "{}"), r#"{"decision_id":"x"}"#);
    }

    #[test]
    fn jurisdictions() {
        assert_eq!(jurisdiction("us-ca").as_deref(), Some("US-CA"));
        assert_eq!(jurisdiction("California"), None);
    }
}
