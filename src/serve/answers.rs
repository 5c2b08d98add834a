//! The service's answer bodies as types: [`super::api`] builds its answers
//! from them, and [`super::openapi`] describes them with the schemas derived
//! from them, so the published document cannot drift from what is answered.
//! Bodies the CLI also writes (a verdict, a terms report, a comparison, a
//! diff, a log entry) are the CLI's own types.

use crate::eval::verdict::ObligationOut;
use crate::eval::{Decision, Verdict};
use crate::policy::BeforeEffective;
use serde::Serialize;

/// An error answer: every status other than 2xx has this body.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ErrorBody<'a> {
    /// The error.
    pub error: ErrorDetail<'a>,
}

/// What went wrong, naming the field.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ErrorDetail<'a> {
    /// The HTTP status.
    pub status: u16,
    /// The offending field, e.g. `action.actor.role`, `query.explain`, `header.authorization`; empty for the whole request.
    pub path: &'a str,
    /// What is wrong.
    pub message: &'a str,
    /// How to fix it, when there is a hint.
    pub help: Option<&'a str>,
}

/// Where a decision's time came from.
#[derive(Debug, Clone, Copy, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AtFrom {
    /// The server's clock.
    ServerClock,
    /// The request (a token with the `backdate` scope, within the skew).
    Request,
}

/// A field of a request the service did not take.
#[derive(Debug, Clone, Copy, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Ignored {
    /// `at` (without the `backdate` scope): the server's clock decided.
    At,
    /// `history`: the counters come from the service's records.
    History,
    /// `approval`: approvals come from `/v1/approve`.
    Approval,
}

/// Where the history counters came from: always the service's own records.
#[derive(Debug, Clone, Copy, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HistoryFrom {
    /// Derived from the performed actions in the audit log.
    Log,
}

/// What a decision rests on. Its fields (and theirs) are declared in the
/// order of their names, so that `serde_json::to_string` writes the same
/// text as [`sorted_json`] without building a `Value` on every decision
/// (tested).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Trusted<'a> {
    /// `action.actor.id` trimmed and lower-cased.
    pub actor_id: &'a str,
    /// The time decided at.
    pub at: jiff::Timestamp,
    /// Where the time came from.
    pub at_from: AtFrom,
    /// The token's name (`anonymous` on a server without tokens).
    pub caller: &'a str,
    /// The counters derived from the service's records.
    #[schemars(with = "crate::data::action::History")]
    pub history: SortedHistory<'a>,
    /// Always `log`.
    pub history_from: HistoryFrom,
    /// Fields of the request the service did not take.
    pub ignored: &'a [Ignored],
    /// The actor's standing approvals in the log (`POST /v1/standing-approvals`), not revoked:
    /// the only approvals a decision takes. Absent when there are none.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub standing_approvals: &'a [StandingOnFile],
}

/// The short answer of `POST /v1/decide?explain=false` (`smpolicy.decision/1`): what the compiled form decides.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Short<'a> {
    /// `smpolicy.decision/1`.
    #[schemars(extend("const" = super::api::DECISION_SCHEMA))]
    pub schema: &'static str,
    /// The decision.
    pub verdict: Decision,
    /// Who must approve, for `require-approval`.
    pub approvers: Vec<&'a str>,
    /// The clauses that decided.
    pub deciding: Vec<&'a str>,
    /// The duties attached, when there are any (as in the full verdict).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<ObligationOut>,
    /// The action is dated before the policy took effect (as in the full verdict).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before_effective: Option<BeforeEffective>,
    /// For an action about several groups of contacts: each group's decision (the decision above combines them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<crate::records::GroupRecord>,
    /// The policy binds at contract and no version can be named for this actor: why (the verdict is then
    /// indeterminate), as in `eval --batch`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unbound: Option<crate::versions::Unbound>,
    /// The version that decided and why, for a policy with earlier versions or one that binds at contract
    /// (as in the full verdict).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<crate::versions::Bound>,
}

impl Short<'_> {
    /// An answer of `verdict` with nothing else yet.
    pub fn new(verdict: Decision) -> Self {
        Short {
            schema: super::api::DECISION_SCHEMA,
            verdict,
            approvers: Vec::new(),
            deciding: Vec::new(),
            obligations: Vec::new(),
            before_effective: None,
            groups: Vec::new(),
            unbound: None,
            version: None,
        }
    }
}

/// The answer of `POST /v1/decide`: the decision id and what it rests on,
/// then the verdict's own fields (written by splicing the verdict's JSON, so
/// this type only describes it; tests/schemas.rs holds real answers to it).
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum DecideAnswer<'a> {
    /// The full verdict (`smpolicy.verdict/1`, as `eval --format json`), the default.
    Explained {
        /// Unique, sortable by time; the key of the audit log entry.
        decision_id: String,
        /// What the decision rests on.
        trusted: Trusted<'a>,
        /// The verdict.
        #[serde(flatten)]
        verdict: &'a Verdict,
        /// With `?as_written=true`: the verdict of the policy as written, with no rule of law applied
        /// (`as_written: true`), for the same trusted action. Not what binds the employee, and not logged:
        /// the decision logged and answered above is the one with the law applied.
        #[serde(skip_serializing_if = "Option::is_none")]
        policy_as_written: Option<&'a Verdict>,
    },
    /// With `?explain=false`: the short answer (`smpolicy.decision/1`).
    Short {
        /// Unique, sortable by time; the key of the audit log entry.
        decision_id: String,
        /// What the decision rests on.
        trusted: Trusted<'a>,
        /// The decision.
        #[serde(flatten)]
        short: Short<'a>,
    },
}

/// What a performed action rests on.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PerformedTrusted<'a> {
    /// The token's name.
    pub caller: &'a str,
    /// What the decision was: `allow`, or `approved` (a `require-approval` decision approved through `/v1/approve`).
    pub decision: PerformedFrom,
    /// Always `decision`: the action recorded is the one decided.
    pub action_from: ActionFrom,
    /// Where the time came from.
    pub at_from: AtFrom,
    /// Fields of the request the service did not take.
    pub ignored: &'a [Ignored],
}

/// What made a decision performable.
#[derive(Debug, Clone, Copy, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PerformedFrom {
    /// It allowed the action.
    Allow,
    /// It required approval and was approved.
    Approved,
}

/// Where a performed action's content came from: always the decision.
#[derive(Debug, Clone, Copy, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ActionFrom {
    /// The logged decision's action.
    Decision,
}

/// The answer of `POST /v1/performed` (201).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Performed<'a> {
    /// The entry's own id.
    pub id: &'a str,
    /// The decision carried out.
    pub decision_id: &'a str,
    /// The decision's actor.
    pub actor: &'a str,
    /// The decision's action.
    pub action: &'a str,
    /// When it was carried out.
    pub at: jiff::Timestamp,
    /// What it rests on.
    pub trusted: PerformedTrusted<'a>,
}

/// The answer of `POST /v1/approve` (201).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Approved<'a> {
    /// The approval's own entry id.
    pub id: &'a str,
    /// The decision approved.
    pub decision_id: &'a str,
    /// The verdict with the approvals recorded so far: `allow`, or `require-approval` when this
    /// approval is a part of an `all of` and others are still needed (an approval that neither
    /// allows nor counts towards one is refused, 403).
    pub verdict: Decision,
    /// The approving role.
    pub granted_by: &'a str,
    /// The approver's token name.
    pub caller: &'a str,
}

/// The answer of `POST /v1/standing-approvals` (201).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct StandingRecorded<'a> {
    /// The standing approval's entry id (to revoke it).
    pub id: &'a str,
    /// The actor it is given to, trimmed and lower-cased.
    pub actor: &'a str,
    /// The approval as later decisions of the actor take it from the log.
    pub approval: &'a crate::data::action::Approval,
    /// The same in words.
    pub words: &'a str,
}

/// The answer of `POST /v1/standing-approvals/revoke` (201).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Revoked<'a> {
    /// The revocation's own entry id.
    pub id: &'a str,
    /// The standing approval revoked.
    pub revoked: &'a str,
    /// Its actor.
    pub actor: &'a str,
    /// The revoking token's name.
    pub caller: &'a str,
}

/// A standing approval a decision found in the log for its actor (in `trusted`; fields in the order of their names).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct StandingOnFile {
    /// Whether it counts for this action (its days and channels).
    pub counts: bool,
    /// Its entry id.
    pub id: String,
    /// Why it does not count, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_not: Option<String>,
    /// `standing approval recorded by TOKEN on DAY: ROLE until DAY[, for CHANNELS]`.
    pub words: String,
}

/// History counters written with their names in order (as [`sorted_json`] would write them).
#[derive(Debug, Clone, Copy)]
pub struct SortedHistory<'a>(pub &'a crate::data::action::History);

impl Serialize for SortedHistory<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let h = self.0;
        let mut m = s.serialize_map(None)?;
        if !h.counts.is_empty() {
            m.serialize_entry("counts", &h.counts)?;
        }
        let fields = [
            ("invitations_this_week", h.invitations_this_week),
            ("job_ads_this_week", h.job_ads_this_week),
            ("posts_last_24h", h.posts_last_24h),
            ("posts_this_week", h.posts_this_week),
            ("posts_today", h.posts_today),
        ];
        for (name, v) in fields {
            if let Some(v) = v {
                m.serialize_entry(name, &v)?;
            }
        }
        m.end()
    }
}

/// The answer of `GET /v1/log` (`smpolicy.log/1`).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LogPage<'a> {
    /// `smpolicy.log/1`.
    #[schemars(extend("const" = LOG_SCHEMA))]
    pub schema: &'static str,
    /// The actor, as the service keeps it.
    pub actor: &'a str,
    /// The entries, oldest first (as `smpolicy log --format json`).
    pub entries: Vec<crate::records::LogEntry<'a>>,
}

/// The version of `GET /v1/log`'s answer.
pub const LOG_SCHEMA: &str = "smpolicy.log/1";

/// The version of `GET /v1/policies`' answer.
pub const POLICIES_SCHEMA: &str = "smpolicy.policies/1";

/// The answer of `GET /v1/policies` (`smpolicy.policies/1`).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Policies<'a> {
    /// `smpolicy.policies/1`.
    #[schemars(extend("const" = POLICIES_SCHEMA))]
    pub schema: &'static str,
    /// The policy directory.
    pub dir: String,
    /// Every policy file, by name.
    pub policies: Vec<PolicyStatus<'a>>,
}

/// One policy file of the directory.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PolicyStatus<'a> {
    /// Its stem: what requests name.
    pub name: &'a str,
    /// Whether a version of it is served.
    pub serving: bool,
    /// SHA-256 of the served version's content.
    pub hash: Option<&'a str>,
    /// The served version's `policy "..."` name.
    pub title: Option<&'a str>,
    /// When the served version was loaded.
    pub loaded_at: Option<jiff::Timestamp>,
    /// Why the file's current content is not served (the last good version, if any, still is).
    pub error: Option<&'a super::registry::LoadError>,
    /// For a policy with earlier versions (`previous`) or one that binds at contract: how the chain binds
    /// (`at_contract`: the version in force at each actor's contract date; `as_amended`: the newest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub binds: Option<crate::ast::Binding>,
    /// The chain served, oldest first (the last is this file's own), when there is one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<VersionStatus<'a>>,
}

/// One version of a served chain.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct VersionStatus<'a> {
    /// The version's number (`5`), or its file's name when it states none: what answers and the log name.
    pub version: String,
    /// Its file's name in the policy directory.
    pub file: &'a str,
    /// When it took effect.
    pub effective: Option<jiff::civil::Date>,
    /// SHA-256 of its file's content (the log's `policy_hash` for a decision it made).
    pub hash: &'a str,
}

/// Readiness.
#[derive(Debug, Clone, Copy, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Readiness {
    /// The audit log takes a write.
    Ok,
    /// It does not: see `log`.
    NotReady,
}

/// The answer of `GET /healthz` (200 ready, 503 not).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Health<'a> {
    /// Ready or not.
    pub status: Readiness,
    /// How many policies are served.
    pub policies_serving: usize,
    /// `ok`, or why the audit log does not take a write.
    pub log: &'a str,
}

/// A body as JSON text, keys in alphabetical order (as every answer built
/// with `serde_json::json!` had them).
pub fn sorted_json(v: &impl Serialize) -> String {
    serde_json::to_value(v).map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_is_written_in_the_order_of_its_names() {
        // Every field given (a new field of `History` stops this from compiling until it is written in order).
        let h = crate::data::action::History {
            posts_today: Some(1),
            posts_this_week: Some(2),
            job_ads_this_week: Some(3),
            invitations_this_week: Some(4),
            posts_last_24h: Some(5),
            counts: [("posts_this_month".to_string(), 6), ("job_ad_posts_last_7_days".to_string(), 7)].into(),
        };
        let standing = [
            StandingOnFile { counts: true, id: "a".into(), why_not: None, words: "w".into() },
            StandingOnFile { counts: false, id: "b".into(), why_not: Some("n".into()), words: "v".into() },
        ];
        let empty = crate::data::action::History::default();
        for (history, standing) in [(&h, &standing[..]), (&empty, &[][..])] {
            let t = Trusted {
                actor_id: "alice",
                at: jiff::Timestamp::UNIX_EPOCH,
                at_from: AtFrom::ServerClock,
                caller: "tool",
                history: SortedHistory(history),
                history_from: HistoryFrom::Log,
                ignored: &[Ignored::At, Ignored::History, Ignored::Approval],
                standing_approvals: standing,
            };
            assert_eq!(serde_json::to_string(&t).unwrap(), sorted_json(&t));
        }
    }
}
