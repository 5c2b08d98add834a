//! The output records that have no Rust value of their own elsewhere: the
//! lines of `eval --batch` and the entries of `smpolicy log --format json`.
//! Each is a type here, so that its JSON Schema ([`crate::json_schemas`]) is
//! derived from the shape that is written.
//!
//! The default batch record ([`DecisionRecord`]) is written by hand in
//! `src/cli/eval/batch.rs` for speed (nothing allocated per line); this type
//! is its exact description, and tests/schemas.rs validates real batch output
//! against the schema derived from it.

use crate::eval::verdict::{LawOverride, Note, ObligationOut};
use crate::eval::{Decision, Verdict};
use crate::policy::BeforeEffective;
use serde::Serialize;

/// One line of `smpolicy eval --batch` output, in input order: a decision
/// record (the default), an explained record (`--explain`), a full verdict
/// with its line (`--full`), or an error record for a line that could not be
/// decided.
#[derive(Debug, Serialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum BatchRecord<'a> {
    /// The default record.
    Decision(DecisionRecord<'a>),
    /// With `--explain`.
    Explained(ExplainedRecord<'a>),
    /// With `--full`.
    Full(FullRecord<'a>),
    /// A line that could not be decided.
    Error(ErrorRecord),
}

/// The record written per action by default: the decision.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DecisionRecord<'a> {
    /// Who must approve, for `require-approval` (else empty).
    pub approvers: Vec<&'a str>,
    /// The action is dated before the policy took effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before_effective: Option<BeforeEffective>,
    /// The clauses that decided (for a default, the default's id).
    pub deciding: Vec<&'a str>,
    /// For an action about several groups of contacts: each group's
    /// decision, in the order given (the decision above combines them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupRecord>,
    /// The input line, from 1.
    pub line: usize,
    /// The duties attached, when there are any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<ObligationOut>,
    /// The policy binds at contract and no version can be named for this
    /// actor: why (the verdict is then indeterminate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unbound: Option<crate::versions::Unbound>,
    /// The decision.
    pub verdict: Decision,
    /// The version that decided and why, for a policy with earlier versions
    /// or one that binds at contract.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<crate::versions::Bound>,
}

/// One group of a many-group action in a batch record: its decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct GroupRecord {
    /// Who must approve it, for `require-approval` (else empty).
    pub approvers: Vec<String>,
    /// The group in words (`contacts[1]: 800 contacts from the agency's database`).
    pub contacts: String,
    /// The clauses that decided it.
    pub deciding: Vec<String>,
    /// Its place in the action's `contacts` list, from 0.
    pub index: usize,
    /// The duties attached, when there are any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<ObligationOut>,
    /// Its verdict in one line (with `--explain`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Its decision.
    pub verdict: Decision,
}

impl GroupRecord {
    /// The records of the groups as the compiled form decided them (no summary).
    pub fn compiled(groups: &[crate::data::action::Action], d: &crate::compile::ItemsOutcome<'_>) -> Vec<GroupRecord> {
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        d.groups
            .iter()
            .zip(groups)
            .enumerate()
            .map(|(index, (g, a))| GroupRecord {
                approvers: strings(&g.outcome.approvers),
                contacts: crate::eval::items::group_words(index, &a.contact_group().cloned().unwrap_or_default()),
                deciding: strings(&g.outcome.deciding),
                index,
                obligations: g.obligations.clone(),
                summary: None,
                verdict: g.outcome.verdict,
            })
            .collect()
    }

    /// The record of a group as the evaluator decided it (with its summary).
    pub fn of(g: &crate::eval::items::GroupVerdict) -> GroupRecord {
        GroupRecord {
            approvers: g.verdict.approvers.clone(),
            contacts: g.words.clone(),
            deciding: g.verdict.deciding.clone(),
            index: g.index,
            obligations: g.verdict.obligations.clone(),
            summary: Some(g.verdict.summary.clone()),
            verdict: g.verdict.verdict,
        }
    }
}

/// The record written per action with `--explain`: the decision with its
/// summary, duties, advice, law notes and missing facts.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ExplainedRecord<'a> {
    /// The input line, from 1.
    pub line: usize,
    /// The decision.
    pub verdict: Decision,
    /// Who must approve, for `require-approval` (else empty).
    pub approvers: &'a [String],
    /// The clauses that decided.
    pub deciding: &'a [String],
    /// A one-line summary in words.
    pub summary: &'a str,
    /// Duties attached.
    pub obligations: &'a [ObligationOut],
    /// Guidance attached.
    pub advice: &'a [Note],
    /// Law notes attached.
    pub law_notes: &'a [Note],
    /// Clauses the law sets aside for this action.
    pub law: &'a [LawOverride],
    /// Facts a deciding or undecided clause needed and the action lacked.
    pub missing: &'a [String],
    /// The action is dated before the policy took effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before_effective: Option<BeforeEffective>,
    /// For an action about several groups of contacts: each group's decision and summary.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GroupRecord>,
    /// The version that decided and why, for a policy with earlier versions
    /// or one that binds at contract.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'a crate::versions::Bound>,
}

impl<'a> ExplainedRecord<'a> {
    /// The record of line `line` decided as `v`.
    pub fn new(line: usize, v: &'a Verdict) -> Self {
        ExplainedRecord {
            line,
            verdict: v.verdict,
            approvers: &v.approvers,
            deciding: &v.deciding,
            summary: &v.summary,
            obligations: &v.obligations,
            advice: &v.advice,
            law_notes: &v.law_notes,
            law: &v.law,
            missing: &v.missing,
            before_effective: v.before_effective,
            version: v.version.as_ref(),
            groups: v.groups.iter().map(GroupRecord::of).collect(),
        }
    }
}

/// The record written per action with `--full`: the whole verdict
/// (`smpolicy.verdict/1`) with the input line.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct FullRecord<'a> {
    /// The input line, from 1.
    pub line: usize,
    /// The verdict.
    #[serde(flatten)]
    pub verdict: &'a Verdict,
}

/// A line that could not be decided: its number and what was wrong.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ErrorRecord {
    /// The input line, from 1.
    pub line: usize,
    /// What was wrong.
    pub error: LineError,
}

/// What was wrong with a line. `path`, `column` and `help` are always
/// written (`null` when there is none); `offset` only for a line that could
/// not be read as text.
#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
pub struct LineError {
    /// The offending field of the action (`actor.status`; empty for the whole line), or `null` for a line that
    /// could not be read as text.
    pub path: Option<String>,
    /// The column of the line where the problem is, from 1, when known.
    pub column: Option<usize>,
    /// The byte offset of the problem in the whole input (an overlong or non-UTF-8 line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// One entry of the decision service's audit log, as `smpolicy log --format
/// json` writes it (one object a line) and `GET /v1/log` lists it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct LogEntry<'a> {
    /// The decision id (or, for a performed action or an approval, its own id); unique, sortable by time.
    pub id: &'a str,
    /// What the entry records.
    pub kind: Kind,
    /// When the entry was made (RFC 3339).
    #[schemars(with = "jiff::Timestamp")]
    pub recorded_at: String,
    /// `actor.id`, trimmed and lower-cased.
    pub actor: &'a str,
    /// The action (`post`, `connect`, ...).
    pub action: &'a str,
    /// When the action happens (RFC 3339).
    #[schemars(with = "jiff::Timestamp")]
    pub at: String,
    /// The policy's name.
    pub policy: Option<&'a str>,
    /// SHA-256 (hex) of the policy's content that decided.
    pub policy_hash: Option<&'a str>,
    /// The verdict, for a decision or an approval.
    #[schemars(with = "Option<Decision>")]
    pub verdict: Option<&'a str>,
    /// The deciding clause ids.
    pub deciding: &'a [String],
    /// For a performed action or an approval: the decision it carried out or approved.
    pub decision_id: Option<&'a str>,
    /// For a decision: the `history` counters the service derived from its records.
    #[schemars(with = "Option<crate::data::action::History>")]
    pub derived_history: Option<Box<serde_json::value::RawValue>>,
    /// What the caller sent: for a decision or a performed action the action as sent (a decision's
    /// `history`, `at` and `approval` as sent, before the service replaced them), for an approval
    /// `{"granted_by": ROLE}`.
    #[schemars(with = "Option<serde_json::Value>")]
    pub input: Option<Box<serde_json::value::RawValue>>,
    /// Who asked: the name of the bearer token (`anonymous` on a server without tokens).
    pub caller: Option<&'a str>,
    /// The entry's link in the hash chain (absent in logs written before the chain).
    pub hash: Option<&'a str>,
    /// For a decision under a policy with earlier versions (or one that binds at contract): the version
    /// that decided (`6`, or its file's name when it states no number).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'a str>,
    /// For a decision about several groups of contacts: each group's decision, in the order given
    /// (`verdict` combines them).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<GroupRecord>>")]
    pub groups: Option<Box<serde_json::value::RawValue>>,
    /// In an archive (`log prune --archive`) only: the columns the hash covers,
    /// exactly as stored, so that `log verify --archive` can check the chain
    /// without the database.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chained: Option<ChainedColumns>,
}

/// The columns of an audit log entry that its hash covers and that its JSON
/// shows otherwise (times as RFC 3339, `input` as parsed JSON), as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChainedColumns {
    /// When the entry was made, ms since the epoch.
    pub recorded_ms: i64,
    /// When the action happens, ms since the epoch.
    pub at_ms: i64,
    /// What a performed action counts towards (0 for the other kinds).
    pub counts: i64,
    /// The deciding clause ids, as stored (JSON text).
    pub deciding: String,
    /// What the caller sent, as stored (JSON text).
    pub input: String,
    /// The derived `history`, as stored (JSON text).
    pub derived_history: Option<String>,
    /// Each group's decision, as stored (JSON text), for a decision about several groups of contacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<String>,
}

/// What an audit log entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A decision (`POST /v1/decide`).
    Decision,
    /// An action recorded as carried out (`POST /v1/performed`).
    Performed,
    /// An approval of a decision that required one (`POST /v1/approve`).
    Approval,
    /// A standing approval for an actor, given once for a scope until a day (`POST /v1/standing-approvals`).
    StandingApproval,
    /// The revocation of a standing approval (`POST /v1/standing-approvals/revoke`).
    Revocation,
}

/// Every kind of entry.
pub const KINDS: [Kind; 5] =
    [Kind::Decision, Kind::Performed, Kind::Approval, Kind::StandingApproval, Kind::Revocation];

impl Kind {
    /// The name in the log, as serde writes it: `decision`, `performed`,
    /// `approval`, `standing_approval` or `revocation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Decision => "decision",
            Kind::Performed => "performed",
            Kind::Approval => "approval",
            Kind::StandingApproval => "standing_approval",
            Kind::Revocation => "revocation",
        }
    }

    /// The inverse of [`Kind::as_str`].
    pub fn parse(s: &str) -> Option<Kind> {
        KINDS.into_iter().find(|k| k.as_str() == s)
    }
}

/// One problem `smpolicy check --error-format json` found, one object a line
/// on standard output (nothing else is written there).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CheckDiagnostic<'a> {
    /// The policy file, as named on the command line (`<stdin>` for `-`).
    pub file: &'a str,
    /// The line where the problem is, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
    /// The diagnostic's code (`smpolicy check --explain CODE`).
    pub code: &'a str,
    /// Error or warning (a warning made an error by `--deny` or `--strict` is an error).
    pub severity: crate::diagnostic::Severity,
    /// What is wrong.
    pub message: &'a str,
    /// How to fix it.
    pub help: Option<&'a str>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kind_is_stored_as_its_json_name() {
        for k in KINDS {
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.as_str()));
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("standing"), None);
    }
}
