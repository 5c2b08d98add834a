//! The HTTP JSON API: routes, request shapes, and errors that name the field.
//!
//! Bodies are read as bytes and parsed here (not by axum's `Json` extractor)
//! so that every error is JSON with the path of the offending field:
//!
//! ```json
//! {"error": {"status": 400, "path": "action.actor.role", "message": "...", "help": "..."}}
//! ```
//!
//! Every `/v1/` endpoint first checks the caller's token and scope
//! ([`super::auth`]; 401 or 403). What a decision rests on is either the
//! service's own (history counters from its records, the server's clock, a
//! normalized actor id, approvals recorded through `/v1/approve` and standing
//! approvals through `/v1/standing-approvals`) or stated by
//! the caller (the rest of the action); the answer's `trusted` object says
//! which, and which of the caller's fields were ignored.

use super::answers::{self, sorted_json, AtFrom, Ignored};
use super::auth::{Caller, Endpoint, Refusal, Scope};
use super::history;
use super::log::{Entry, Kind};
use super::registry::{Loaded, Snapshot};
use super::App;
use crate::data::action::{check_open_values, parse_action_json_line, Action};
use crate::data::error::DataError;
use crate::eval::{evaluate, EvalOptions};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Extension, RawQuery, State};
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
        .route("/v1/approve", post(approve))
        .route("/v1/standing-approvals", post(standing))
        .route("/v1/standing-approvals/revoke", post(revoke))
        .route("/v1/policies", get(policies))
        .route("/v1/log", get(log_entries))
        .route("/healthz", get(healthz))
        .route("/openapi.json", get(openapi))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(app.clone(), authorize))
        .with_state(app)
}

/// Checks the token and scope before anything else (the body is not read
/// when the caller is refused), and hands the [`Caller`] to the handler.
async fn authorize(
    State(app): State<Arc<App>>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let Some(endpoint) = Endpoint::of_path(req.uri().path()) else {
        return next.run(req).await;
    };
    let header = req.headers().get(header::AUTHORIZATION).map(|v| v.as_bytes());
    match app.auth.check(header, endpoint.scope) {
        Ok(caller) => {
            // Counted before any work: an answer over the limit reads no body and logs nothing.
            if let Err(wait) = app.auth.admit(&caller, endpoint.cost) {
                return too_many(&caller, app.auth.rate_of(&caller), endpoint, wait);
            }
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(Refusal::Unauthenticated(why)) => {
            let mut r = ApiError::new(StatusCode::UNAUTHORIZED, "header.authorization", why)
                .help("send `Authorization: Bearer TOKEN` with a token listed (by its SHA-256) in the server's tokens file")
                .into_response();
            r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
            close(r)
        }
        Err(Refusal::Forbidden { caller, scope }) => close(
            ApiError::new(
                StatusCode::FORBIDDEN,
                "header.authorization",
                format!("the token `{caller}` does not have the `{}` scope this endpoint needs", scope.as_str()),
            )
            .help("scopes are given per token in the tokens file")
            .into_response(),
        ),
    }
}

/// 429 with `Retry-After` (whole seconds, at least 1): the token is over its rate limit.
fn too_many(caller: &Caller, rate: super::rate::Rate, endpoint: &Endpoint, wait: std::time::Duration) -> Response {
    let secs = super::rate::retry_after_secs(wait);
    let cost = match endpoint.cost {
        1 => String::new(),
        n => format!("; `{}` costs {n} requests", endpoint.path),
    };
    let mut r = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "header.authorization",
        format!("the token `{}` is over its rate limit of {}{cost}", caller.name, rate.describe()),
    )
    .help(format!(
        "retry after {secs} s; limits are set per token in the tokens file (`\"rate\"`) or by `smpolicy serve --rate-limit`"
    ))
    .into_response();
    if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    close(r)
}

/// A refusal closes the connection: the body was never read, so the connection cannot carry another request.
fn close(mut r: Response) -> Response {
    r.headers_mut().insert(header::CONNECTION, header::HeaderValue::from_static("close"));
    r
}

/// An actor id as history is kept: trimmed and case-folded (`" Bob"` and `"BOB"` are `bob`).
pub fn normalize_actor(id: &str) -> Option<String> {
    let id = id.trim().to_lowercase();
    (!id.is_empty()).then_some(id)
}

/// When the action happens: the server's clock, or the request's `at` for a
/// caller with the `backdate` scope, within the server's skew (else 422).
/// Also whether the request's `at` was taken.
fn trusted_at(
    app: &App,
    caller: &Caller,
    at: Option<crate::data::action::At>,
    tz: &jiff::tz::TimeZone,
    now: jiff::Timestamp,
    path: &str,
) -> Result<(jiff::Timestamp, bool), ApiError> {
    let Some(at) = at.filter(|_| caller.has(Scope::Backdate)) else {
        return Ok((now, false));
    };
    let t = at.timestamp_in(tz).ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, path, "this date does not exist in the policy's timezone")
    })?;
    let off = t.duration_since(now).abs();
    let skew = app.backdate_skew;
    if off.as_secs() > i64::try_from(skew.as_secs()).unwrap_or(i64::MAX) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            path,
            format!(
                "`at` is {}s from the server's clock; the back-dating skew allows {}s",
                off.as_secs(),
                skew.as_secs()
            ),
        )
        .help("leave `at` out to use the server's clock; the skew is `smpolicy serve --backdate-skew-s`"));
    }
    Ok((t, true))
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

    /// The status, the field, the message and the hint (for a page to show them).
    pub fn parts(&self) -> (StatusCode, &str, &str, Option<&str>) {
        (self.status, &self.path, &self.message, self.help.as_deref())
    }

    /// A data error (bad action, contract, ...) inside `prefix` of the body.
    fn data(e: DataError, prefix: &str) -> ApiError {
        let e = e.within(prefix);
        // A body that is not JSON names no field: say where it went wrong instead.
        let message = match (e.path.is_empty(), e.line, e.column) {
            (true, Some(line), Some(column)) => format!("{} (line {line}, column {column})", e.message),
            _ => e.message,
        };
        ApiError { status: StatusCode::BAD_REQUEST, path: e.path, message, help: e.help }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = answers::ErrorBody {
            error: answers::ErrorDetail {
                status: self.status.as_u16(),
                path: &self.path,
                message: &self.message,
                help: self.help.as_deref(),
            },
        };
        (self.status, [(header::CONTENT_TYPE, "application/json")], sorted_json(&body)).into_response()
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
pub(super) fn policy_in(snap: &Snapshot, name: &str, path: &str) -> Result<Arc<Loaded>, ApiError> {
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
fn action_for(raw: &RawValue, policy: &crate::policy::Policy, prefix: &str) -> Result<Action, ApiError> {
    let action = parse_action_json_line(raw.get()).map_err(|e| ApiError::data(e, prefix))?;
    match open_value_error(&action, policy) {
        Some(e) => Err(ApiError::data(e, prefix)),
        None => Ok(action),
    }
}

/// Parses an action and checks its open values against the served policy:
/// the version that binds its actor, for a policy with versions ([`Loaded::validate`]).
fn action_under(raw: &RawValue, loaded: &Loaded, prefix: &str) -> Result<Action, ApiError> {
    let action = parse_action_json_line(raw.get()).map_err(|e| ApiError::data(e, prefix))?;
    match loaded.validate(&action) {
        Some(e) => Err(ApiError::data(e, prefix)),
        None => Ok(action),
    }
}

/// A `/v1/decide` body read as the endpoint reads it (its shape, then the
/// action checked against `policy`): the policy named and the action, or the
/// error answered. For the fuzz harness (`tests/fuzz_parsers.rs`).
pub fn read_decide_body(body: &[u8], policy: &crate::policy::Policy) -> Result<(String, Action), ApiError> {
    let req: DecideReq = parse(body)?;
    let action = action_for(&req.action, policy, "action")?;
    Ok((req.policy, action))
}

/// The first open value (role, team, channel, content kind, declared fact) of `action` that `policy` does not know.
pub(super) fn open_value_error(action: &Action, policy: &crate::policy::Policy) -> Option<DataError> {
    check_open_values(action, &policy.decls).into_iter().next()
}

fn log_failed(e: super::log::LogError) -> ApiError {
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "", format!("the decision was not recorded: {e}"))
        .help("nothing was acknowledged; retry")
}

/// The body of `POST /v1/decide`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct DecideReq {
    /// A policy file's stem in the policy directory.
    policy: String,
    /// The proposed action (without `history`, the service derives the counters from recorded actions).
    #[schemars(with = "crate::data::Action")]
    action: Box<RawValue>,
}

/// The version of the short answer of `/v1/decide?explain=false`.
pub const DECISION_SCHEMA: &str = "smpolicy.decision/1";

/// What `/v1/decide` is asked to answer besides the decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct DecideParams {
    /// `explain=true|false` (default true): the full verdict, or the compiled form's short answer.
    pub explain: bool,
    /// `as_written=true|false` (default false): also the policy's own view, with no rule of law applied.
    pub as_written: bool,
}

/// Reads `explain` and `as_written` (each `true` or `false`); any other parameter is an error.
fn decide_params(query: Option<&str>) -> Result<DecideParams, ApiError> {
    let mut p = DecideParams { explain: true, as_written: false };
    for pair in query.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let slot = match name {
            "explain" => &mut p.explain,
            "as_written" => &mut p.as_written,
            _ => {
                return Err(ApiError::new(StatusCode::BAD_REQUEST, format!("query.{name}"), "unknown query parameter")
                    .help("the parameters are `explain` and `as_written`"))
            }
        };
        *slot = match value {
            "true" | "" => true,
            "false" => false,
            other => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("query.{name}"),
                    format!("expected `true` or `false`; found `{other}`"),
                ))
            }
        };
    }
    if p.as_written && !p.explain {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "query.as_written",
            "the policy as written comes with the full answer: drop `explain=false`",
        ));
    }
    Ok(p)
}

/// `POST /v1/decide`: the verdict (`smpolicy.verdict/1`, as `eval --format
/// json`) with a `decision_id`, answered once the decision is in the log.
/// With `?explain=false`, the compiled form decides and the answer is the
/// short `smpolicy.decision/1`: the verdict, approvers and deciding clauses,
/// and the obligations when there are any.
async fn decide(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
    b: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let params = decide_params(query.as_deref())?;
    let req: DecideReq = parse(&body(b)?)?;
    let d = decide_logged(&app, &caller, &req.policy, &req.action, params).await?;
    let mut answer = with_id(&d.id, &d.trusted, &d.json);
    if let Some(view) = &d.as_written {
        // `…}` becomes `…,"policy_as_written":{…}}`.
        if answer.ends_with('}') {
            answer.pop();
            answer.push_str(",\"policy_as_written\":");
            answer.push_str(view);
            answer.push('}');
        }
    }
    Ok(json_response(StatusCode::OK, answer))
}

/// A decision taken and logged: what `/v1/decide` answers, and what the "may I?" page shows.
pub(super) struct Decided {
    /// The decision id.
    pub id: String,
    /// The `trusted` object, as JSON.
    pub trusted: String,
    /// The full verdict (with `explain`).
    pub verdict: Option<crate::eval::Verdict>,
    /// For a policy with versions: the name of the file whose clauses decided (the version that binds
    /// the actor), for citing them (`None`: the policy's own file).
    pub file: Option<String>,
    /// The answer's own fields, as JSON.
    json: String,
    /// With `as_written`: the verdict of the policy as written (JSON), for the same trusted action.
    as_written: Option<String>,
}

/// Decides `raw` (an action, JSON) under the served policy `policy` as
/// `caller`, with the service's own clock, counters and approvals, and logs
/// the decision; answered once the log holds it.
pub(super) async fn decide_logged(
    app: &App,
    caller: &Caller,
    policy: &str,
    raw: &RawValue,
    params: DecideParams,
) -> Result<Decided, ApiError> {
    let explain = params.explain;
    let loaded = policy_in(&app.registry.snapshot(), policy, "policy")?;
    let mut action = action_under(raw, &loaded, "action")?;
    // The version that binds the actor decides (the file's own for a policy without versions); with
    // none to name, the decision is indeterminate and the newest version's forms serve for the rest.
    let (version, unbound) = match loaded.pick(&action) {
        Ok(v) => (v, None),
        Err(why) => (loaded.own(), Some(why)),
    };
    let (tz, policy_read) = (version.tz, version.policy);
    let now = jiff::Timestamp::now();
    let mut ignored = Vec::new();
    action.actor.id = normalize_actor(&action.actor.id).ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, "action.actor.id", "expected an actor id; found only spaces")
    })?;
    let (at, at_taken) = trusted_at(app, caller, action.at, tz, now, "action.at")?;
    if !at_taken && action.at.take().is_some() {
        ignored.push(Ignored::At);
    }
    if action.history.is_some() {
        ignored.push(Ignored::History);
    }
    if action.approval.take().is_some() {
        ignored.push(Ignored::Approval);
    }
    // With `--mask actor.id` the log keeps (and history is looked up by) the actor's keyed hash.
    let logged_actor = app.logged_actor(&action.actor.id);
    let day = crate::facts::local_of(at, tz).0;
    let w = history::window(at, tz, history::counters(policy_read));
    // The actions as logged are read only for the counters of `history.counts` that need them.
    let with_input = !w.counters.is_empty();
    // The standing approvals and the performed actions (on SQLite from one snapshot of the log).
    let records =
        app.reader.for_decision(&logged_actor, w.since_ms, w.until_ms, with_input).await.map_err(log_failed)?;
    let (approvals, standing) = standing_on_file(records.standing, tz, day, action.channel.as_deref());
    if !approvals.is_empty() {
        action.approval = Some(approvals);
    }
    let h = history::derive(&w, &records.performed, &action);
    let derived = serde_json::to_string(&h).ok();
    let trusted = to_json(&answers::Trusted {
        caller: &caller.name,
        actor_id: &action.actor.id,
        at,
        at_from: if at_taken { AtFrom::Request } else { AtFrom::ServerClock },
        history: answers::SortedHistory(&h),
        history_from: answers::HistoryFrom::Log,
        ignored: &ignored,
        standing_approvals: &standing,
    })?;
    action.history = Some(h);
    let id = app.ids.next();
    // The policy's own view of the same trusted action: shown beside the decision, never logged as it.
    let opts = EvalOptions { now };
    let as_written = if params.as_written {
        let mut v = decide_as_written(&loaded, &action, &opts);
        v.as_written = true;
        Some(to_json(&v)?)
    } else {
        None
    };
    let compiled = version.compiled;
    // Nothing allocated here for a policy without versions.
    let file = version
        .bound
        .as_ref()
        .and_then(|_| std::path::Path::new(&*version.file.name).file_name())
        .map(|n| n.to_string_lossy().into_owned());
    // Each group's decision, for the log (`groups`): as answered, without the words of `explain`.
    let mut logged_groups: Vec<crate::records::GroupRecord> = Vec::new();
    let (decision, deciding, json, full) = if explain {
        let verdict = decide_verdict(&loaded, &action, &opts);
        logged_groups = verdict
            .groups
            .iter()
            .map(|g| crate::records::GroupRecord { summary: None, ..crate::records::GroupRecord::of(g) })
            .collect();
        (verdict.verdict, verdict.deciding.clone(), to_json(&verdict)?, Some(verdict))
    } else if let Some(why) = unbound.clone() {
        // No version can be named: indeterminate, saying why (as `eval --batch` does).
        let short = answers::Short { unbound: Some(why), ..answers::Short::new(crate::eval::Decision::Indeterminate) };
        (short.verdict, Vec::new(), to_json(&short)?, None)
    } else if let Some(groups) = action.group_actions() {
        // Several groups of contacts: each decided, then the whole, as the evaluator does.
        let d = compiled.decide_items(&groups, now);
        logged_groups = crate::records::GroupRecord::compiled(&groups, &d);
        let short = answers::Short {
            approvers: d.whole.approvers.clone(),
            deciding: d.whole.deciding.clone(),
            obligations: d.obligations(),
            before_effective: d.before_effective(),
            groups: logged_groups.clone(),
            version: version.bound.clone(),
            ..answers::Short::new(d.whole.verdict)
        };
        let deciding = d.whole.deciding.iter().map(|s| s.to_string()).collect();
        (short.verdict, deciding, to_json(&short)?, None)
    } else {
        let row = crate::compile::FactRow::from_action_at(&action, compiled, now);
        let d = compiled.decide(&row);
        let o = compiled.outcome(&row, &d);
        let deciding = o.deciding.iter().map(|s| s.to_string()).collect();
        let mut obligations = Vec::new();
        compiled.obligations(&row, &mut obligations);
        let short = answers::Short {
            approvers: o.approvers,
            deciding: o.deciding,
            obligations,
            before_effective: compiled.before_effective(&row),
            version: version.bound.clone(),
            ..answers::Short::new(o.verdict)
        };
        (short.verdict, deciding, to_json(&short)?, None)
    };
    let input = match &app.mask {
        Some(m) => m.input(raw.get(), &action.actor.id).map_err(|e| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "action", format!("cannot mask the action: {e}"))
        })?,
        None => raw.get().to_string(),
    };
    let entry = Entry {
        id: id.clone(),
        kind: Kind::Decision,
        recorded_ms: now.as_millisecond(),
        actor: logged_actor,
        action: action.action.as_str().to_string(),
        at_ms: at.as_millisecond(),
        counts: 0,
        policy: Some(loaded.name.clone()),
        policy_hash: Some(version.hash.to_string()),
        verdict: Some(decision.as_str().to_string()),
        deciding,
        decision_id: None,
        input,
        derived_history: derived,
        caller: Some(caller.name.clone()),
        hash: None,
        version: version.bound.as_ref().map(|b| b.version.clone()),
        groups: (!logged_groups.is_empty()).then(|| serde_json::to_string(&logged_groups)).transpose().map_err(
            |e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "", format!("cannot record the groups: {e}")),
        )?,
    };
    app.append(entry).await.map_err(log_failed)?;
    Ok(Decided { id, trusted, verdict: full, json, as_written, file })
}

/// The full verdict of `action` under the served policy: by the version that
/// binds its actor for a policy with versions ([`crate::versions::Versions::evaluate`],
/// as `smpolicy eval`: indeterminate naming the contract date when none can
/// be named), else by the policy itself.
fn decide_verdict(loaded: &Loaded, action: &Action, opts: &EvalOptions) -> crate::eval::Verdict {
    match loaded.chain.as_ref().and_then(|c| c.versions.evaluate(action, opts)) {
        Some((v, _)) => v,
        None => evaluate(&loaded.policy, &loaded.file, action, opts),
    }
}

/// [`decide_verdict`] by the policy as written (no rule of law applied), every version as written, as
/// `smpolicy eval --as-written`.
fn decide_as_written(loaded: &Loaded, action: &Action, opts: &EvalOptions) -> crate::eval::Verdict {
    let Some(chain) = &loaded.chain else {
        return evaluate(&crate::law::as_written(&loaded.policy), &loaded.file, action, opts);
    };
    let versions = crate::versions::Versions {
        versions: chain
            .versions
            .versions
            .iter()
            .map(|v| crate::versions::Version { file: v.file.clone(), policy: crate::law::as_written(&v.policy) })
            .collect(),
    };
    match versions.evaluate(action, opts) {
        Some((v, _)) => v,
        None => evaluate(&crate::law::as_written(&loaded.policy), &loaded.file, action, opts),
    }
}

/// The actor's standing approvals in the log, not revoked (`rows`, as [`super::log::Store::standing`] reads
/// them): as the decision takes them (its `approval`), and as `trusted` shows them, each with
/// whether it counts for an action on `day` on `channel` (see [`standing_of`]).
fn standing_on_file(
    rows: Vec<(String, i64, String)>,
    tz: &jiff::tz::TimeZone,
    day: jiff::civil::Date,
    channel: Option<&str>,
) -> (Vec<crate::data::action::Approval>, Vec<answers::StandingOnFile>) {
    let (mut approvals, mut shown) = (Vec::new(), Vec::new());
    for (id, at_ms, input) in rows {
        let (approval, on_file) = standing_of(id, at_ms, &input, tz, day, channel);
        approvals.extend(approval);
        shown.push(on_file);
    }
    (approvals, shown)
}

/// One standing approval as logged (recorded at `at_ms`): the day it was
/// given is the day of its recording on the deciding policy's clock (`tz`),
/// the clock that gives the action's `day`, so an approval recorded late in
/// the evening west of Greenwich counts that evening (the log's own date is
/// the server's UTC day). One that does not read (written by hand into the
/// log) counts for nothing and says so.
fn standing_of(
    id: String,
    at_ms: i64,
    input: &str,
    tz: &jiff::tz::TimeZone,
    day: jiff::civil::Date,
    channel: Option<&str>,
) -> (Option<crate::data::action::Approval>, answers::StandingOnFile) {
    match serde_json::from_str::<crate::data::action::Approval>(input) {
        Ok(mut a) => {
            if let Ok(t) = jiff::Timestamp::from_millisecond(at_ms) {
                a.given_on = Some(crate::facts::local_of(t, tz).0);
            }
            let counted = crate::semantics::approval_counts(a.on_file(), day, channel);
            let shown = answers::StandingOnFile {
                id,
                words: standing_words(&a),
                counts: counted.is_ok(),
                why_not: counted.err().map(|why| why.words()),
            };
            (Some(a), shown)
        }
        Err(e) => (
            None,
            answers::StandingOnFile {
                id,
                words: "a standing approval that does not read".into(),
                counts: false,
                why_not: Some(format!("its entry in the log does not read: {e}")),
            },
        ),
    }
}

/// `standing approval recorded by TOKEN on DAY: ROLE until DAY[, for CHANNELS]`.
fn standing_words(a: &crate::data::action::Approval) -> String {
    let or_unknown = |d: Option<jiff::civil::Date>| d.map_or_else(|| "?".to_string(), |d| d.to_string());
    let mut out = format!(
        "standing approval recorded by {} on {}: {} until {}",
        a.recorded_by.as_deref().unwrap_or("?"),
        or_unknown(a.given_on),
        a.granted_by.as_deref().unwrap_or("?"),
        or_unknown(a.until)
    );
    if !a.channels.is_empty() {
        out.push_str(&format!(", for {}", a.channels.join(", ")));
    }
    out
}

/// `{"decision_id":"…","trusted":{…},` followed by the verdict's own fields.
fn with_id(id: &str, trusted: &str, verdict_json: &str) -> String {
    let rest = verdict_json.strip_prefix('{').unwrap_or(verdict_json);
    let mut out = String::with_capacity(verdict_json.len() + trusted.len() + 64);
    out.push_str("{\"decision_id\":\"");
    out.push_str(id);
    out.push_str("\",\"trusted\":");
    out.push_str(trusted);
    if rest != "}" {
        out.push(',');
    }
    out.push_str(rest);
    out
}

/// The body of `POST /v1/performed`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PerformedReq {
    /// The decision carried out: issued by this service, allowed or approved, not yet performed.
    decision_id: String,
    /// When it was carried out (only for a token with the `backdate` scope; else the server's clock).
    #[serde(default)]
    at: Option<jiff::Timestamp>,
}

/// Holds a decision id while its `/v1/performed` is checked and recorded.
struct Claim<'a> {
    app: &'a App,
    id: String,
}

impl<'a> Claim<'a> {
    /// Claims `key` (so that two requests on one entry cannot both pass), or 409 with `busy` at `path`.
    fn take(app: &'a App, key: String, path: &str, busy: impl FnOnce() -> String) -> Result<Claim<'a>, ApiError> {
        let mut held = app.performing.lock().unwrap_or_else(|p| p.into_inner());
        if !held.insert(key.clone()) {
            return Err(conflict(path, busy()));
        }
        Ok(Claim { app, id: key })
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        self.app.performing.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.id);
    }
}

fn conflict(path: &str, message: String) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, path, message)
}

/// The decision `id` as logged, and the entries that refer to it; 404 if this service never issued it.
async fn issued(app: &App, id: &str) -> Result<(Entry, Vec<Entry>), ApiError> {
    let mut related = app.reader.related(id).await.map_err(log_failed)?;
    let at = related.iter().position(|e| e.id == id && e.kind == Kind::Decision);
    match at {
        Some(i) => {
            let decision = related.swap_remove(i);
            Ok((decision, related))
        }
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "decision_id",
            format!("no decision `{}` was issued by this service", id.escape_debug()),
        )
        .help("send the `decision_id` of a `/v1/decide` answer")),
    }
}

/// `POST /v1/performed`: records that the action of an allowed (or approved)
/// decision was carried out, once. The action is the one decided, as logged.
async fn performed(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    b: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: PerformedReq = parse(&body(b)?)?;
    let _claim = Claim::take(&app, req.decision_id.clone(), "decision_id", || {
        format!("decision `{}` is being recorded as performed now", req.decision_id)
    })?;
    let (decision, related) = issued(&app, &req.decision_id).await?;
    if let Some(done) = related.iter().find(|e| e.kind == Kind::Performed) {
        return Err(conflict(
            "decision_id",
            format!(
                "decision `{}` was already recorded as performed (entry {}, {})",
                decision.id,
                done.id,
                done.recorded_at()
            ),
        )
        .help("each decision can be performed once; decide again for another action"));
    }
    let verdict = decision.verdict.as_deref().unwrap_or("?");
    let approved = related.iter().any(|e| e.kind == Kind::Approval && e.verdict.as_deref() == Some("allow"));
    let from = match verdict {
        "allow" => answers::PerformedFrom::Allow,
        "require-approval" if approved => answers::PerformedFrom::Approved,
        _ => {
            let help = if verdict == "require-approval" {
                "an approver records the approval with POST /v1/approve"
            } else {
                "only an allowed or approved decision can be performed"
            };
            return Err(conflict(
                "decision_id",
                format!(
                    "decision `{}` was `{verdict}`{}",
                    decision.id,
                    if verdict == "require-approval" { " and has not been approved" } else { "" }
                ),
            )
            .help(help));
        }
    };
    let action = parse_action_json_line(&decision.input).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "decision_id",
            format!("the logged action does not read: {}", e.message),
        )
    })?;
    let now = jiff::Timestamp::now();
    let at_sent = req.at.map(crate::data::action::At::Timestamp);
    let (at, at_taken) = trusted_at(&app, &caller, at_sent, &jiff::tz::TimeZone::UTC, now, "at")?;
    let id = app.ids.next();
    let entry = Entry {
        id: id.clone(),
        kind: Kind::Performed,
        recorded_ms: now.as_millisecond(),
        actor: decision.actor.clone(),
        action: decision.action.clone(),
        at_ms: at.as_millisecond(),
        counts: history::counts(&action),
        policy: decision.policy.clone(),
        policy_hash: None,
        verdict: None,
        deciding: vec![],
        decision_id: Some(decision.id.clone()),
        input: decision.input.clone(),
        derived_history: None,
        caller: Some(caller.name.clone()),
        hash: None,
        version: None,
        groups: None,
    };
    app.append(entry).await.map_err(log_failed)?;
    let ignored: &[Ignored] = if req.at.is_some() && !at_taken { &[Ignored::At] } else { &[] };
    let body = answers::Performed {
        id: &id,
        decision_id: &decision.id,
        actor: &decision.actor,
        action: &decision.action,
        at,
        trusted: answers::PerformedTrusted {
            caller: &caller.name,
            decision: from,
            action_from: answers::ActionFrom::Decision,
            at_from: if at_taken { AtFrom::Request } else { AtFrom::ServerClock },
            ignored,
        },
    };
    Ok(json_response(StatusCode::CREATED, sorted_json(&body)))
}

/// The body of `POST /v1/approve`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ApproveReq {
    /// A decision that required approval.
    decision_id: String,
    /// The role granting it (one of the decision's approvers), or an
    /// external party (`client`, `candidate`) whose consent the caller records.
    role: String,
    /// The day the approval or consent was given (required for an external
    /// party's consent; not after the decided action's day).
    #[serde(default, deserialize_with = "crate::data::de_opt_date")]
    #[schemars(with = "Option<jiff::civil::Date>")]
    given_on: Option<jiff::civil::Date>,
}

/// `POST /v1/approve`: an approver (a token with the `approve` scope, not the
/// one that asked) grants a decision that required approval. The logged
/// action is decided again with the approvals already recorded for it and
/// this one (and the counters and time it was decided with). If that allows,
/// the approval is recorded with `allow`; if the decision still needs other
/// approvers (`all of`) and this one counts towards it, it is recorded with
/// `require-approval` (a part); otherwise it is refused. One token records
/// one approval of a decision: several approvers are several people.
async fn approve(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    b: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: ApproveReq = parse(&body(b)?)?;
    // A token that lists its holder's roles approves only as one of them; one that lists
    // none relays approvals an integration verified itself (documented in the README).
    if caller.lists_roles() {
        role_held(&caller, &req.role)?;
    }
    // One approval of a decision at a time: the parts of an `all of` are read and added in turn.
    let _claim = Claim::take(&app, format!("approve {}", req.decision_id), "decision_id", || {
        format!("decision `{}` is being approved now", req.decision_id)
    })?;
    let (decision, related) = issued(&app, &req.decision_id).await?;
    if decision.verdict.as_deref() != Some("require-approval") {
        return Err(conflict(
            "decision_id",
            format!(
                "decision `{}` was `{}`: only a decision that requires approval can be approved",
                decision.id,
                decision.verdict.as_deref().unwrap_or("?")
            ),
        ));
    }
    if decision.caller.as_deref() == Some(caller.name.as_str()) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "decision_id",
            format!("decision `{}` was asked for by `{}`: the same token cannot approve it", decision.id, caller.name),
        ));
    }
    let recorded: Vec<&Entry> = related.iter().filter(|e| e.kind == Kind::Approval).collect();
    if let Some(a) = recorded.iter().find(|e| e.verdict.as_deref() == Some("allow")) {
        return Err(conflict(
            "decision_id",
            format!("decision `{}` was already approved (entry {})", decision.id, a.id),
        ));
    }
    if let Some(a) = recorded.iter().find(|e| e.caller.as_deref() == Some(caller.name.as_str())) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "decision_id",
            format!(
                "`{}` already recorded an approval of decision `{}` (entry {}): one token records one approval",
                caller.name, decision.id, a.id
            ),
        ));
    }
    let mut on_file: Vec<crate::data::action::Approval> =
        recorded.iter().filter_map(|e| serde_json::from_str(&e.input).ok()).collect();
    if let Some(a) = recorded.iter().find(|e| {
        serde_json::from_str::<crate::data::action::Approval>(&e.input)
            .is_ok_and(|x| x.granted_by.as_deref() == Some(req.role.as_str()))
    }) {
        return Err(conflict(
            "role",
            format!(
                "decision `{}` was already approved by `{}` (entry {})",
                decision.id,
                req.role.escape_debug(),
                a.id
            ),
        ));
    }
    let name = decision.policy.clone().unwrap_or_default();
    let loaded = policy_in(&app.registry.snapshot(), &name, "decision_id")?;
    let mut action = parse_action_json_line(&decision.input).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "decision_id",
            format!("the logged action does not read: {}", e.message),
        )
    })?;
    let at = jiff::Timestamp::from_millisecond(decision.at_ms).map_err(|e| {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "decision_id", format!("the logged time does not read: {e}"))
    })?;
    action.actor.id.clone_from(&decision.actor);
    action.at = Some(crate::data::action::At::Timestamp(at));
    action.history = match &decision.derived_history {
        Some(h) => serde_json::from_str(h).ok(),
        None => None,
    };
    let this = crate::data::action::Approval { given_on: req.given_on, ..crate::data::action::Approval::by(&req.role) };
    on_file.push(this.clone());
    action.approval = Some(on_file);
    // Decided again by the version that decided it (the one that binds the actor), as the decision was.
    let verdict = decide_verdict(&loaded, &action, &EvalOptions { now: at });
    let version = loaded.pick(&action).unwrap_or_else(|_| loaded.own());
    // A part (of an `all of`, or of one of several clauses): the decision still needs approval,
    // from this role among others, and this approval counts for the action (its day, its channel).
    let day = crate::facts::local_of(at, version.tz).0;
    let part = verdict.verdict == crate::eval::Decision::RequireApproval
        && verdict.approvers.contains(&req.role)
        && crate::semantics::approval_counts(this.on_file(), day, action.channel.as_deref()).is_ok();
    if verdict.verdict != crate::eval::Decision::Allow && !part {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "role",
            format!(
                "an approval by `{}` does not allow this action: with it the verdict is `{}`",
                req.role.escape_debug(),
                verdict.verdict.as_str()
            ),
        )
        .help("the decision's answer names its approvers"));
    }
    let now = jiff::Timestamp::now();
    let id = app.ids.next();
    let entry = Entry {
        id: id.clone(),
        kind: Kind::Approval,
        recorded_ms: now.as_millisecond(),
        actor: decision.actor.clone(),
        action: decision.action.clone(),
        at_ms: decision.at_ms,
        counts: 0,
        policy: Some(loaded.name.clone()),
        policy_hash: Some(version.hash.to_string()),
        verdict: Some(verdict.verdict.as_str().to_string()),
        deciding: verdict.deciding.clone(),
        decision_id: Some(decision.id.clone()),
        input: serde_json::to_string(&this).unwrap_or_default(),
        derived_history: None,
        caller: Some(caller.name.clone()),
        hash: None,
        version: version.bound.as_ref().map(|b| b.version.clone()),
        groups: None,
    };
    app.append(entry).await.map_err(log_failed)?;
    let body = answers::Approved {
        id: &id,
        decision_id: &decision.id,
        verdict: verdict.verdict,
        granted_by: &req.role,
        caller: &caller.name,
    };
    Ok(json_response(StatusCode::CREATED, sorted_json(&body)))
}

/// The body of `POST /v1/standing-approvals`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StandingReq {
    /// The actor it is given to (trimmed and lower-cased, as `actor.id` is).
    actor: String,
    /// The role that gives it: one the token's holder has (`roles` in the tokens file).
    role: String,
    /// The last day it counts (the decided action's day, in its policy's timezone).
    #[serde(deserialize_with = "crate::data::de_opt_date")]
    #[schemars(with = "jiff::civil::Date")]
    until: Option<jiff::civil::Date>,
    /// The channels it covers (none: every channel).
    #[serde(default)]
    channels: Vec<String>,
}

/// `POST /v1/standing-approvals`: a token holding a role (`roles` in the
/// tokens file) and the `approve` scope records that role's approval of an
/// actor's actions, given today (the server's clock), until a day, for some
/// channels or all. Every later decision of the actor takes it from the log
/// (while it lasts and on its channels) until it is revoked.
async fn standing(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    b: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: StandingReq = parse(&body(b)?)?;
    let actor = normalize_actor(&req.actor)
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "actor", "expected an actor id; found only spaces"))?;
    let role = req.role.trim();
    if role.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "role", "expected the role that gives the approval"));
    }
    role_held(&caller, role)?;
    let until = req.until.ok_or_else(|| {
        ApiError::new(StatusCode::BAD_REQUEST, "until", "expected the last day the approval counts (`2026-12-31`)")
    })?;
    let now = jiff::Timestamp::now();
    let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
    // Accepted while `until` is still today somewhere: the day at UTC-12, the last to end.
    let earliest = now.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(-12))).date();
    if until < earliest {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "until",
            format!("`until` is {until}, before today ({today}, the server's clock): the approval would never count"),
        ));
    }
    let mut channels: Vec<String> = Vec::new();
    for (i, c) in req.channels.iter().enumerate() {
        let c = c.trim();
        if c.is_empty() {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, format!("channels[{i}]"), "expected a channel name"));
        }
        if !channels.iter().any(|x| x == c) {
            channels.push(c.to_string());
        }
    }
    let logged_actor = app.logged_actor(&actor);
    let held = app.reader.standing(&logged_actor).await.map_err(log_failed)?;
    if held.len() >= super::log::MAX_STANDING {
        return Err(conflict("actor", format!("`{actor}` already has {} standing approvals on file", held.len()))
            .help("revoke ended or unneeded ones with POST /v1/standing-approvals/revoke"));
    }
    let approval = crate::data::action::Approval {
        granted_by: Some(role.to_string()),
        recorded_by: Some(caller.name.clone()),
        given_on: Some(today),
        until: Some(until),
        channels,
    };
    let id = app.ids.next();
    let entry = standing_entry(&id, Kind::StandingApproval, now, logged_actor, None, to_json(&approval)?, &caller);
    app.append(entry).await.map_err(log_failed)?;
    let words = standing_words(&approval);
    let body = answers::StandingRecorded { id: &id, actor: &actor, approval: &approval, words: &words };
    Ok(json_response(StatusCode::CREATED, sorted_json(&body)))
}

/// The log entry of a standing approval (or of its revocation, which refers to it): for any action of
/// `actor`, recorded now by `caller`.
fn standing_entry(
    id: &str,
    kind: Kind,
    now: jiff::Timestamp,
    actor: String,
    refers_to: Option<String>,
    input: String,
    caller: &Caller,
) -> Entry {
    Entry {
        id: id.to_string(),
        kind,
        recorded_ms: now.as_millisecond(),
        actor,
        action: "any".into(),
        at_ms: now.as_millisecond(),
        counts: 0,
        policy: None,
        policy_hash: None,
        verdict: None,
        deciding: vec![],
        decision_id: refers_to,
        input,
        derived_history: None,
        caller: Some(caller.name.clone()),
        hash: None,
        version: None,
        groups: None,
    }
}

/// 403 unless the caller's token holds `role`.
fn role_held(caller: &Caller, role: &str) -> Result<(), ApiError> {
    if caller.holds_role(role) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "role",
        format!(
            "the token `{}` does not hold the role `{}`: only its holder approves as it, or records or revokes its standing approvals",
            caller.name,
            role.escape_debug()
        ),
    )
    .help("a token's roles are listed in the tokens file (`\"roles\": [\"manager\"]`)"))
}

/// The body of `POST /v1/standing-approvals/revoke`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RevokeReq {
    /// The standing approval's entry id (the `id` its recording answered).
    id: String,
}

/// `POST /v1/standing-approvals/revoke`: a token holding the approval's role
/// revokes it, once; decisions after the revocation no longer take it.
async fn revoke(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    b: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: RevokeReq = parse(&body(b)?)?;
    let _claim = Claim::take(&app, format!("revoke {}", req.id), "id", || {
        format!("standing approval `{}` is being revoked now", req.id)
    })?;
    let related = app.reader.related(&req.id).await.map_err(log_failed)?;
    let Some(entry) = related.iter().find(|e| e.id == req.id && e.kind == Kind::StandingApproval) else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "id",
            format!("no standing approval `{}` was recorded by this service", req.id.escape_debug()),
        )
        .help("send the `id` that POST /v1/standing-approvals answered"));
    };
    if let Some(r) = related.iter().find(|e| e.kind == Kind::Revocation) {
        return Err(conflict(
            "id",
            format!("standing approval `{}` was already revoked (entry {}, {})", entry.id, r.id, r.recorded_at()),
        ));
    }
    let approval: crate::data::action::Approval = serde_json::from_str(&entry.input).map_err(|e| {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "id", format!("the logged approval does not read: {e}"))
    })?;
    role_held(&caller, approval.granted_by.as_deref().unwrap_or_default())?;
    let now = jiff::Timestamp::now();
    let id = app.ids.next();
    let input = serde_json::json!({ "id": req.id }).to_string();
    let revocation =
        standing_entry(&id, Kind::Revocation, now, entry.actor.clone(), Some(entry.id.clone()), input, &caller);
    app.append(revocation).await.map_err(log_failed)?;
    let body = answers::Revoked { id: &id, revoked: &entry.id, actor: &entry.actor, caller: &caller.name };
    Ok(json_response(StatusCode::CREATED, sorted_json(&body)))
}

/// The body of `POST /v1/terms`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct TermsReq {
    /// A policy file's stem in the policy directory.
    policy: String,
    /// Employment terms: a contract or an offer.
    #[schemars(with = "crate::data::Contract")]
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

/// The body of `POST /v1/compare`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CompareReq {
    /// The employers' policies, by name (2 to 8).
    policies: Vec<String>,
    /// A policy with a `terms` section: the candidate's deal-breakers.
    #[serde(default)]
    against: Option<String>,
    /// The candidate's jurisdiction (`UK`, `US-CA`).
    #[serde(default)]
    #[schemars(with = "Option<crate::data::Jurisdiction>")]
    jurisdiction: Option<String>,
    /// Whether the candidate supervises others (NLRA §7 protects only non-supervisory employees).
    #[serde(default)]
    supervisor: Option<bool>,
    /// The role the candidate would hold, as a policy declares it.
    #[serde(default)]
    role: Option<String>,
    /// The time used for actions without `at`.
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
    let sides: Vec<Side> = req.policies.into_iter().map(Side::Name).collect();
    let candidate = (req.jurisdiction.as_deref(), req.supervisor, req.role.as_deref());
    let c = compare_named(&app, sides, req.against.map(Side::Name), candidate, req.now).await?;
    Ok(json_response(StatusCode::OK, to_json(&c)?))
}

/// Compares the policies `names` (served ones by name, or texts), with the candidate's deal-breakers `against`
/// (served or a text) and situation (jurisdiction code, whether they supervise others),
/// within the server's budget: what `/v1/compare` answers and the compare page shows.
pub(super) async fn compare_named(
    app: &App,
    names: Vec<Side>,
    against: Option<Side>,
    (jurisdiction_code, supervisor, role): (Option<&str>, Option<bool>, Option<&str>),
    now: Option<jiff::Timestamp>,
) -> Result<crate::compare::Comparison, ApiError> {
    if names.len() > MAX_COMPARE {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "policies",
            format!("{} policies named; a comparison takes at most {MAX_COMPARE}", names.len()),
        )
        .help("compare fewer policies at a time"));
    }
    if names.len() < 2 && against.is_none() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "policies",
            "compare needs at least two policies, or one with `against`",
        ));
    }
    if names.len() + usize::from(against.is_some()) > MAX_COMPARE {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "against",
            format!("a comparison takes at most {MAX_COMPARE} policies, `against` included"),
        ));
    }
    let snap = app.registry.snapshot();
    let mut policies = Vec::new();
    for (i, s) in names.into_iter().enumerate() {
        policies.push(side(&snap, s, &format!("policies[{i}]"))?);
    }
    let against = match against {
        Some(s) => {
            let what = match &s {
                Side::Name(name) => format!("policy `{name}`"),
                Side::Source { file, .. } => format!("`{}`", file.as_deref().unwrap_or("the deal-breakers' text")),
            };
            let (file, policy) = side(&snap, s, "against")?;
            if policy.terms.is_empty() {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "against",
                    format!("{what} has no `terms` section: there are no deal-breakers to check"),
                ));
            }
            Some((file, policy))
        }
        None => None,
    };
    let jurisdiction = match jurisdiction_code {
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
    let role = role.map(str::trim).filter(|r| !r.is_empty()).map(str::to_string);
    let opts = crate::compare::CompareOptions { pack: None, against, jurisdiction, supervisor, role, now };
    // Comparing runs the whole scenario pack: keep it off the request threads, within the budget.
    within_budget(app, "compare", move |cancel| crate::compare::compare_cancellable(&policies, &opts, cancel)).await
}

/// One side of a diff: a loaded policy by name, or a policy's text.
/// A policy: a loaded one by name, or a text.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub(super) enum Side {
    /// A served policy, by name.
    Name(String),
    /// A policy's text.
    Source {
        /// The text.
        source: String,
        /// The name of the file it came from (a page's upload); never read from a request's JSON.
        #[serde(skip)]
        file: Option<String>,
    },
}

/// The body of `POST /v1/diff`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct DiffReq {
    /// The old version.
    old: Side,
    /// The new version.
    new: Side,
    /// The time a diff uses for "now".
    #[serde(default)]
    now: Option<jiff::Timestamp>,
}

pub(super) fn side(
    snap: &Snapshot,
    s: Side,
    path: &str,
) -> Result<(crate::source::SourceFile, crate::policy::Policy), ApiError> {
    match s {
        Side::Name(name) => policy_in(snap, &name, path).map(|l| (l.file.clone(), l.policy.clone())),
        Side::Source { source, file } => {
            let name = file.unwrap_or_else(|| format!("{path}.policy"));
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

/// The most policies one `/v1/compare` takes (`policies` and `against` together).
pub const MAX_COMPARE: usize = 8;

/// Sets the flag when dropped: the request timed out, the client went away, or the budget ran out.
struct CancelOnDrop(Arc<crate::work::Work>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

/// Runs `work` on the blocking pool with a cancel flag that is set once the
/// server's compute budget is spent (or the request is dropped); the work
/// checks it in its loop and stops. Past the budget the answer is 422 naming it.
pub(super) async fn within_budget<T: Send + 'static>(
    app: &App,
    what: &str,
    work: impl FnOnce(&crate::work::Work) -> Option<T> + Send + 'static,
) -> Result<T, ApiError> {
    let flag = Arc::new(crate::work::Work::new());
    let _cancel = CancelOnDrop(flag.clone());
    let task = tokio::task::spawn_blocking(move || work(&flag));
    let budget = app.budget;
    let over = || {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "",
            format!("the {what} did not finish within the budget of {} ms, and was stopped", budget.as_millis()),
        )
        .help("the budget is `smpolicy serve --budget-ms`; the CLI has no budget")
    };
    match tokio::time::timeout(budget, task).await {
        Ok(Ok(Some(v))) => Ok(v),
        Ok(Ok(None)) | Err(_) => Err(over()),
        Ok(Err(e)) => Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "", format!("the {what} failed: {e}"))),
    }
}

/// `POST /v1/diff`: `{"old": NAME | {"source": TEXT}, "new": ..., "now"?: TIME}`, as `diff --format json`.
async fn diff(State(app): State<Arc<App>>, b: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let req: DiffReq = parse(&body(b)?)?;
    let report = diff_sides(&app, req.old, req.new, req.now).await?;
    Ok(json_response(StatusCode::OK, to_json(&report)?))
}

/// The diff of two sides (served policies or texts) within the server's budget: what `/v1/diff`
/// answers and the "what does this change do?" page shows.
pub(super) async fn diff_sides(
    app: &App,
    old: Side,
    new: Side,
    now: Option<jiff::Timestamp>,
) -> Result<crate::diff::DiffReport, ApiError> {
    let snap = app.registry.snapshot();
    let old = side(&snap, old, "old")?;
    let new = side(&snap, new, "new")?;
    diff_loaded(app, old, new, now).await
}

/// The diff of two loaded versions within the server's budget.
pub(super) async fn diff_loaded(
    app: &App,
    old: (crate::source::SourceFile, crate::policy::Policy),
    new: (crate::source::SourceFile, crate::policy::Policy),
    now: Option<jiff::Timestamp>,
) -> Result<crate::diff::DiffReport, ApiError> {
    let opts = crate::diff::DiffOptions { now, max_nodes: None };
    within_budget(app, "diff", move |cancel| {
        crate::diff::diff_cancellable((&old.0, &old.1), (&new.0, &new.1), &opts, cancel)
    })
    .await
}

/// `GET /v1/policies`: each policy with its content hash and any load error.
async fn policies(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    let snap = app.registry.snapshot();
    let list = snap
        .iter()
        .map(|(name, e)| {
            let serving = e.serving.as_ref();
            answers::PolicyStatus {
                name,
                serving: serving.is_some(),
                hash: serving.map(|l| l.hash.as_str()),
                title: serving.map(|l| l.policy.meta.name.as_str()),
                loaded_at: serving.map(|l| l.loaded_at),
                error: e.error.as_ref(),
                binds: serving.and_then(|l| l.chain.as_ref()).map(|c| c.versions.binds()),
                versions: serving.map(|l| versions_of(l)).unwrap_or_default(),
            }
        })
        .collect();
    let body = answers::Policies {
        schema: answers::POLICIES_SCHEMA,
        dir: app.registry.dir().display().to_string(),
        policies: list,
    };
    Ok(json_response(StatusCode::OK, sorted_json(&body)))
}

/// The versions of a served chain, oldest first (none for a policy without versions).
fn versions_of(l: &Loaded) -> Vec<answers::VersionStatus<'_>> {
    let Some(chain) = &l.chain else { return Vec::new() };
    let hashes = chain.earlier.iter().map(|e| e.hash.as_str()).chain(std::iter::once(l.hash.as_str()));
    chain
        .versions
        .versions
        .iter()
        .zip(hashes)
        .map(|(v, hash)| answers::VersionStatus {
            version: v.label(),
            file: std::path::Path::new(&*v.file.name).file_name().and_then(|n| n.to_str()).unwrap_or(&v.file.name),
            effective: v.policy.meta.effective,
            hash,
        })
        .collect()
}

/// The most entries one `GET /v1/log` returns.
pub const MAX_LOG_ENTRIES: i64 = 1000;

/// `GET /v1/log?actor=ID[&limit=N]`: the actor's last N entries (default 100,
/// at most [`MAX_LOG_ENTRIES`]), oldest first, as `smpolicy log --format json`.
async fn log_entries(
    State(app): State<Arc<App>>,
    query: Result<axum::extract::Query<Vec<(String, String)>>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let (mut actor, mut limit) = (None, 100_i64);
    let axum::extract::Query(pairs) =
        query.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "query", format!("cannot read the query: {e}")))?;
    for (name, value) in pairs {
        match name.as_str() {
            "actor" => actor = Some(value),
            "limit" => {
                limit = value.parse::<i64>().ok().filter(|n| (1..=MAX_LOG_ENTRIES).contains(n)).ok_or_else(|| {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "query.limit",
                        format!("expected a number from 1 to {MAX_LOG_ENTRIES}; found `{}`", value.escape_debug()),
                    )
                })?
            }
            other => {
                return Err(ApiError::new(StatusCode::BAD_REQUEST, format!("query.{other}"), "unknown query parameter")
                    .help("the parameters are `actor` and `limit`"))
            }
        }
    }
    let actor = actor
        .as_deref()
        .and_then(normalize_actor)
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, "query.actor", "expected `actor=ID`"))?;
    let entries = app.reader.recent(&app.logged_actor(&actor), limit).await.map_err(log_failed)?;
    let body = answers::LogPage {
        schema: answers::LOG_SCHEMA,
        actor: &actor,
        entries: entries.iter().map(|e| e.record()).collect(),
    };
    Ok(json_response(StatusCode::OK, sorted_json(&body)))
}

/// `GET /healthz`: ready (200) when the log takes a write now (a probe
/// through the same writer that leaves no entry: 4 KiB, or 1 MiB after an
/// append failed); else 503 with the reason.
async fn healthz(State(app): State<Arc<App>>) -> Response {
    let snap = app.registry.snapshot();
    let serving = snap.values().filter(|e| e.serving.is_some()).count();
    // After a failed append, ready again only once a write the size of a large decision goes through.
    let bytes = if app.write_failed.load(std::sync::atomic::Ordering::Relaxed) { 1 << 20 } else { 4096 };
    let probe = match tokio::time::timeout(std::time::Duration::from_secs(2), app.writer.probe(bytes)).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err("the audit log did not take a write within 2 s".to_string()),
    };
    let (status, body) = match &probe {
        Ok(()) => {
            (StatusCode::OK, answers::Health { status: answers::Readiness::Ok, policies_serving: serving, log: "ok" })
        }
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            answers::Health { status: answers::Readiness::NotReady, policies_serving: serving, log: e },
        ),
    };
    json_response(status, sorted_json(&body))
}

/// `GET /openapi.json`.
async fn openapi() -> Response {
    match super::openapi::document() {
        Ok(doc) => json_response(StatusCode::OK, doc.to_string()),
        Err(e) => {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "", format!("the OpenAPI document: {e}")).into_response()
        }
    }
}

/// Gives a 405 or a 408 that has no body (axum's method routing, the
/// request timeout) the JSON error body every other error has.
pub(super) async fn json_errors(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let r = next.run(req).await;
    if r.headers().contains_key(header::CONTENT_TYPE) {
        return r;
    }
    let error = match r.status() {
        StatusCode::METHOD_NOT_ALLOWED => {
            let allowed = r.headers().get(header::ALLOW).and_then(|v| v.to_str().ok()).unwrap_or_default();
            ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "", format!("{path} does not take {method}"))
                .help(format!("it takes {allowed}; GET /openapi.json lists the endpoints"))
        }
        StatusCode::REQUEST_TIMEOUT => ApiError::new(StatusCode::REQUEST_TIMEOUT, "", "the request took too long")
            .help("see `smpolicy serve --timeout-ms`; send the body promptly"),
        _ => return r,
    };
    let (mut parts, _) = r.into_parts();
    let body = error.into_response();
    parts.headers.extend(body.headers().clone());
    Response::from_parts(parts, body.into_body())
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
        assert_eq!(with_id("x", "{}", r#"{"a":1}"#), r#"{"decision_id":"x","trusted":{},"a":1}"#);
        assert_eq!(with_id("x", "{}", "{}"), r#"{"decision_id":"x","trusted":{}}"#);
    }

    /// Recorded at 05:00 UTC on 6 March, which is the evening of 5 March in Los Angeles: under a policy on
    /// Los Angeles time it counts for an action that evening (the log's UTC day, the 6th, would not).
    #[test]
    fn a_standing_approval_is_given_on_the_deciding_policys_day() {
        let at_ms = "2026-03-06T05:00:00Z".parse::<jiff::Timestamp>().unwrap().as_millisecond();
        let input = r#"{"granted_by":"manager","recorded_by":"tok","given_on":"2026-03-06","until":"2026-03-31"}"#;
        let la = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
        let day = jiff::civil::date(2026, 3, 5);
        let (a, shown) = standing_of("s1".into(), at_ms, input, &la, day, Some("linkedin"));
        assert_eq!(a.and_then(|a| a.given_on), Some(day));
        assert!(shown.counts, "{:?}", shown.why_not);
        // On UTC it is the 6th, after an action of the 5th.
        let (_, shown) = standing_of("s1".into(), at_ms, input, &jiff::tz::TimeZone::UTC, day, None);
        assert!(!shown.counts);
        let (a, shown) = standing_of("s2".into(), at_ms, "{not json", &la, day, None);
        assert!(a.is_none() && !shown.counts && shown.why_not.is_some_and(|w| w.contains("does not read")));
    }

    #[test]
    fn jurisdictions() {
        assert_eq!(jurisdiction("us-ca").as_deref(), Some("US-CA"));
        assert_eq!(jurisdiction("California"), None);
    }
}
