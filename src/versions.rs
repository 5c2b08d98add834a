//! A policy's version history, and which version binds an actor.
//!
//! A policy names the version it replaces with `previous "FILE"` (a path
//! relative to it), and that one its own, so a file is the newest link of a
//! chain. The newest version's `binds` says which version binds an actor:
//!
//! - `binds as_amended` (the default, and most handbooks: the policy "does
//!   not form part of your contract and may be amended at any time"): the
//!   newest version binds everyone;
//! - `binds at_contract`: the version in force on the day the actor's
//!   contract was signed (`actor.contract_signed_on`), or on the later day it
//!   was varied to take the version then in force (`actor.contract_varied_on`),
//!   binds them. A later version reaches only contracts signed or varied on or
//!   after its `effective` date.
//!
//! Never fail open: under `binds at_contract` an actor with no contract date,
//! or one whose contract predates the oldest version in the chain, is bound by
//! a version the chain cannot name, and the verdict is indeterminate, naming
//! the fact (never the newest version taken silently).
//!
//! The library reads no files: [`load`] asks its caller for each `previous`
//! file. Each version is checked and lowered once, there; every command
//! decides with the version [`Versions::binding`] picks (`eval`, `eval
//! --batch` with each version's compiled form, `test`), and the `diff` of two
//! versions says whom the change reaches ([`Reach`]).

use crate::ast::Binding;
use crate::diagnostic::{Diagnostic, Severity};
use crate::eval::{Basis, Decision, EvalOptions, Facts, Verdict};
use crate::policy::Policy;
use crate::source::{SourceFile, Span};
use crate::value::Value;
use jiff::civil::Date;
use serde::Serialize;

/// The fact that dates the contract.
pub const SIGNED: &str = "actor.contract_signed_on";
/// The fact that dates a variation of the contract.
pub const VARIED: &str = "actor.contract_varied_on";

/// The most versions a chain may hold (a guard against a runaway chain).
pub const MAX_VERSIONS: usize = 64;

/// One version: its file and the policy lowered from it.
#[derive(Debug, Clone)]
pub struct Version {
    /// The file as read.
    pub file: SourceFile,
    /// The policy, checked and lowered.
    pub policy: Policy,
}

impl Version {
    /// `5.1`, or the file's name for a version that states no number.
    pub fn label(&self) -> String {
        self.policy.meta.version.clone().unwrap_or_else(|| self.file.name.to_string())
    }
}

/// A version history, oldest first; the last is the file given.
#[derive(Debug, Clone)]
pub struct Versions {
    /// The versions, oldest first.
    pub versions: Vec<Version>,
}

/// Problems found in one file of a chain.
#[derive(Debug, Clone)]
pub struct Problems {
    /// The file they are in.
    pub file: SourceFile,
    /// What is wrong there (errors and warnings).
    pub diagnostics: Vec<Diagnostic>,
}

/// What the caller's reader answers for a `previous` file: a key that names
/// the file whatever the path written (a canonical path, to find cycles) and
/// its text, or why it cannot be read.
pub type Read<'a> = dyn FnMut(&SourceFile, &str) -> Result<(String, SourceFile), String> + 'a;

/// Loads the chain that ends with `newest` (already checked and lowered),
/// asking `read` for each `previous` file, named relative to the file that
/// names it. Each earlier version is checked and lowered here, once.
///
/// Errors (each in the file where it was written, at file:line:col): a
/// previous file that cannot be read or does not check, a cycle, `effective`
/// dates that do not increase from version to version, and under `binds
/// at_contract` a version with no `effective` date (then no contract date can
/// say which version binds).
pub fn load(newest: Version, key: String, read: &mut Read<'_>) -> Result<Versions, Vec<Problems>> {
    let mut chain = vec![newest];
    let mut keys = vec![key];
    let mut problems: Vec<Problems> = Vec::new();
    while let Some(last) = chain.last() {
        let (Some(previous), Some(span)) = (last.policy.meta.previous.clone(), last.policy.meta.previous_span) else {
            break;
        };
        let naming = last.file.clone();
        let fail = |code: &str, message: String, label: &str| Problems {
            file: naming.clone(),
            diagnostics: vec![Diagnostic::error(code, message, span, label)],
        };
        if chain.len() >= MAX_VERSIONS {
            problems.push(fail(
                "previous-too-long",
                format!("the chain of previous versions is longer than {MAX_VERSIONS}"),
                "one version too many",
            ));
            break;
        }
        let (key, file) = match read(&naming, &previous) {
            Ok(found) => found,
            Err(why) => {
                problems.push(fail(
                    "previous-not-found",
                    format!("the previous version `{previous}` cannot be read: {why}"),
                    "named here",
                ));
                break;
            }
        };
        if let Some(i) = keys.iter().position(|k| *k == key) {
            let back = chain.get(i).map_or_else(String::new, |v| v.file.name.to_string());
            problems.push(
                fail("previous-cycle", format!("the chain of previous versions comes back to `{back}`"), "a cycle")
                    .with_help("a version names the one it replaces; the oldest names none"),
            );
            break;
        }
        match crate::check::check_and_lower(&file) {
            Ok((_, report, policy)) => {
                let errors = report.diagnostics.iter().any(|d| d.severity == Severity::Error);
                if errors {
                    problems.push(Problems { file: file.clone(), diagnostics: report.diagnostics });
                    break;
                }
                keys.push(key);
                chain.push(Version { file, policy });
            }
            Err(diagnostics) => {
                problems.push(Problems { file, diagnostics });
                break;
            }
        }
    }
    chain.reverse();
    problems.extend(order_problems(&chain));
    if problems.is_empty() {
        Ok(Versions { versions: chain })
    } else {
        Err(problems)
    }
}

impl Problems {
    fn with_help(mut self, help: &str) -> Self {
        for d in &mut self.diagnostics {
            d.help = Some(help.to_string());
        }
        self
    }
}

/// Versions (oldest first) whose `effective` dates do not increase, and under
/// `binds at_contract` versions with none.
fn order_problems(chain: &[Version]) -> Vec<Problems> {
    let mut out = Vec::new();
    let at_contract = chain.last().is_some_and(|v| v.policy.meta.binds == Binding::AtContract);
    for (i, v) in chain.iter().enumerate() {
        let span = v.policy.meta.previous_span.unwrap_or(Span::new(0, 0));
        let older = i.checked_sub(1).and_then(|j| chain.get(j));
        match (v.policy.meta.effective, older.and_then(|o| o.policy.meta.effective)) {
            (Some(new), Some(old)) if new <= old => out.push(Problems {
                file: v.file.clone(),
                diagnostics: vec![Diagnostic::error(
                    "version-order",
                    format!(
                        "this version takes effect on {new}, not after the version it replaces ({}, effective {old})",
                        older.map_or_else(String::new, Version::label)
                    ),
                    span,
                    "replaces a version no older than itself",
                )
                .with_help("each version's `effective` date must be later than the one before")],
            }),
            (None, _) if at_contract => out.push(Problems {
                file: v.file.clone(),
                diagnostics: vec![Diagnostic::error(
                    "version-undated",
                    format!(
                        "version {} states no `effective` date, so no contract date can say whether it binds",
                        v.label()
                    ),
                    header_span(v),
                    "no `effective` date",
                )
                .with_help(
                    "under `binds at_contract` every version states when it took effect: `effective 2025-01-01`",
                )],
            }),
            _ => {}
        }
    }
    out
}

/// The header's first line, to point at when no item of it is to blame.
fn header_span(v: &Version) -> Span {
    let end = v.file.text.find('\n').unwrap_or(v.file.text.len());
    Span::new(0, end)
}

/// Why a version binds the actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Because {
    /// `binds as_amended`: the newest version binds everyone.
    AsAmended,
    /// In force on the day the contract was signed.
    Signed {
        /// `actor.contract_signed_on`.
        on: Date,
    },
    /// In force on the day the policy takes the contract as signed when the actor's
    /// signature date is not given (`assume actor.contract_signed_on = 2019-01-01 when not given`).
    Assumed {
        /// The date assumed.
        on: Date,
    },
    /// In force on the day the contract was varied to take it.
    Varied {
        /// `actor.contract_varied_on`.
        on: Date,
    },
}

/// The version that decided, and why (`version` in a verdict's JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Bound {
    /// The version's number (`5.1`), or its file name when it states none.
    pub version: String,
    /// When that version took effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective: Option<Date>,
    /// Why it binds.
    pub because: Because,
    /// How many versions the chain holds.
    pub of: usize,
}

impl Bound {
    /// `version 5.1, in force on 2025-03-10 when the contract was signed`.
    pub fn words(&self) -> String {
        match &self.because {
            Because::AsAmended => format!(
                "version {}, the newest of {}: the policy binds as amended, so the newest version binds everyone",
                self.version, self.of
            ),
            Because::Signed { on } => {
                format!("version {}, in force on {on} when the contract was signed", self.version)
            }
            Because::Assumed { on } => format!(
                "version {}, in force on {on}, the day the contract is taken as signed ({SIGNED} is {})",
                self.version,
                crate::facts::Absent::Date(*on).words()
            ),
            Because::Varied { on } => {
                format!("version {}, in force on {on} when the contract was varied to take it", self.version)
            }
        }
    }
}

/// Why no version of the chain can be said to bind the actor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unbound {
    /// Neither contract date is given.
    NotGiven,
    /// The contract was signed (or varied) before the oldest version known took effect.
    BeforeOldest {
        /// The contract's date.
        on: Date,
        /// The oldest version known.
        oldest: String,
        /// When it took effect.
        effective: Date,
        /// The date is the one the policy assumes, the signature date not being given.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        assumed: bool,
    },
}

impl Unbound {
    /// The reason in words.
    pub fn words(&self) -> String {
        match self {
            Unbound::NotGiven => {
                format!("the policy binds at contract and {SIGNED} is not given, so which version binds is not known")
            }
            Unbound::BeforeOldest { on, oldest, effective, assumed } => format!(
                "the policy binds at contract and the contract dates from {on}{}, before the oldest version known ({oldest}, effective {effective}): the version that binds is not in the chain"
            ,
                if *assumed { format!(" ({SIGNED} is {})", crate::facts::Absent::Date(*on).words()) } else { String::new() }
            ),
        }
    }
}

/// The date that picks the version under `binds at_contract`: the later of
/// the signature and a variation (a variation dated before the signature was
/// overtaken by it). A signature date not given is the date `policy` assumes
/// of it, if any (`assume actor.contract_signed_on = 2019-01-01 when not given`).
pub fn contract_date(facts: &dyn Facts, policy: &crate::policy::Policy) -> Option<Because> {
    let date = |path| match facts.fact(path) {
        Some(Value::Date(d)) => Some(d),
        _ => None,
    };
    let assumed = match crate::facts::assumed(policy, SIGNED) {
        Some(Value::Date(d)) => Some(Because::Assumed { on: d }),
        _ => None,
    };
    let signed = date(SIGNED).map(|on| Because::Signed { on }).or(assumed);
    let on = |b: &Because| match b {
        Because::Signed { on } | Because::Assumed { on } | Because::Varied { on } => Some(*on),
        Because::AsAmended => None,
    };
    match (signed, date(VARIED)) {
        (Some(s), Some(v)) if on(&s).is_some_and(|s| v > s) => Some(Because::Varied { on: v }),
        (Some(s), _) => Some(s),
        (None, Some(v)) => Some(Because::Varied { on: v }),
        (None, None) => None,
    }
}

impl Versions {
    /// A chain of one (a policy that names no previous version).
    pub fn single(v: Version) -> Versions {
        Versions { versions: vec![v] }
    }

    /// The newest version (the file given).
    pub fn newest(&self) -> Option<&Version> {
        self.versions.last()
    }

    /// How the chain binds (the newest version's `binds`).
    pub fn binds(&self) -> Binding {
        self.newest().map_or(Binding::AsAmended, |v| v.policy.meta.binds)
    }

    /// Whether the choice of version is worth saying: a chain of several, or
    /// a policy that binds at contract. A single policy binding as amended
    /// decides exactly as before and says nothing of versions.
    pub fn is_versioned(&self) -> bool {
        self.versions.len() > 1 || self.binds() == Binding::AtContract
    }

    /// The version that binds the actor of `facts` (its place in
    /// [`Versions::versions`]), or why none can be named.
    pub fn binding(&self, facts: &dyn Facts) -> Result<(usize, Bound), Unbound> {
        let of = self.versions.len();
        let bound = |i: usize, because| {
            let v = self.versions.get(i);
            (
                i,
                Bound {
                    version: v.map_or_else(String::new, Version::label),
                    effective: v.and_then(|v| v.policy.meta.effective),
                    because,
                    of,
                },
            )
        };
        if self.binds() == Binding::AsAmended {
            return Ok(bound(of.saturating_sub(1), Because::AsAmended));
        }
        let newest = self.newest().map(|v| &v.policy);
        let because = newest.and_then(|p| contract_date(facts, p)).ok_or(Unbound::NotGiven)?;
        let assumed = matches!(because, Because::Assumed { .. });
        let on = match because {
            Because::Signed { on } | Because::Assumed { on } | Because::Varied { on } => on,
            Because::AsAmended => return Ok(bound(of.saturating_sub(1), because)),
        };
        let in_force = self.versions.iter().rposition(|v| v.policy.meta.effective.is_some_and(|e| e <= on));
        match in_force {
            Some(i) => Ok(bound(i, because)),
            None => {
                let oldest = self.versions.first();
                Err(Unbound::BeforeOldest {
                    on,
                    oldest: oldest.map_or_else(String::new, Version::label),
                    effective: oldest.and_then(|v| v.policy.meta.effective).unwrap_or(on),
                    assumed,
                })
            }
        }
    }

    /// The declared names (actions, roles, teams, channels, content kinds,
    /// facts) that `action` uses and the policy does not know: checked
    /// against the version that binds its actor, which decides it (a name
    /// an earlier version declares is known to the actors it binds). When
    /// no version can be named (the verdict is then indeterminate), a name
    /// any version of the chain declares is known; the errors are then the
    /// newest version's. Every command and the service check actions here.
    pub fn validate(&self, action: &crate::data::action::Action) -> Vec<crate::data::error::DataError> {
        let against = |v: &Version| crate::data::action::check_open_values(action, &v.policy.decls);
        if !self.is_versioned() {
            return self.newest().map(against).unwrap_or_default();
        }
        if let Ok((i, _)) = self.binding(action) {
            return self.versions.get(i).map(against).unwrap_or_default();
        }
        let mut newest = None;
        for v in self.versions.iter().rev() {
            let errors = against(v);
            if errors.is_empty() {
                return errors;
            }
            newest.get_or_insert(errors);
        }
        newest.unwrap_or_default()
    }

    /// Decides `facts` under the version that binds its actor; the verdict
    /// says which version decided and why (`version`). When no version can be
    /// named the verdict is indeterminate ([`Basis::UnknownVersion`]): the
    /// newest version's evaluation is kept for the facts it read, its
    /// decision is not. Returns the version that decided, for its file name.
    pub fn evaluate(&self, facts: &dyn Facts, opts: &EvalOptions) -> Option<(Verdict, &Version)> {
        match self.binding(facts) {
            Ok((i, bound)) => {
                let v = self.versions.get(i)?;
                let mut verdict = crate::eval::evaluate(&v.policy, &v.file, facts, opts);
                if self.is_versioned() {
                    verdict.version = Some(bound);
                }
                Some((verdict, v))
            }
            Err(why) => {
                // Every version decides once; the newest's evaluation (the last) is kept for the facts it read.
                let mut all: Vec<Verdict> =
                    self.versions.iter().map(|v| crate::eval::evaluate(&v.policy, &v.file, facts, opts)).collect();
                let each: Vec<(String, Decision)> =
                    self.versions.iter().zip(&all).map(|(v, d)| (v.label(), d.verdict)).collect();
                let mut verdict = all.pop()?;
                unbound(&mut verdict, &why, &each);
                Some((verdict, self.newest()?))
            }
        }
    }
}

/// Makes `v` indeterminate because no version can be named: what each
/// version would decide is kept (`each`), nothing of one version's decision
/// (its clauses, duties, advice and law notes are dropped; the facts read stay).
pub fn unbound(v: &mut Verdict, why: &Unbound, each: &[(String, Decision)]) {
    let would: Vec<String> =
        each.iter().map(|(label, d)| format!("version {label} would say {}", d.as_str())).collect();
    v.verdict = Decision::Indeterminate;
    v.approvers.clear();
    v.approvers_words.clear();
    v.deciding.clear();
    v.default_rationale = None;
    v.default_approved_by = None;
    v.obligations.clear();
    v.advice.clear();
    v.law_notes.clear();
    v.law.clear();
    v.undecidable.clear();
    v.dry_run.clear();
    v.rules.clear();
    v.out_of_scope = 0;
    v.before_effective = None;
    v.conflict = None;
    v.counterfactuals.clear();
    v.summary = format!("indeterminate: {} ({})", why.words(), would.join("; "));
    if matches!(why, Unbound::NotGiven) && !v.missing.iter().any(|m| m == SIGNED) {
        v.missing.push(SIGNED.to_string());
    }
    v.basis = Basis::UnknownVersion {
        why: why.clone(),
        each: each
            .iter()
            .map(|(version, verdict)| VersionDecision { version: version.clone(), verdict: *verdict })
            .collect(),
    };
}

/// What one version would decide (listed when no version can be named).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct VersionDecision {
    /// The version.
    pub version: String,
    /// Its decision.
    pub verdict: Decision,
}

/// Whom a change from one version to the next reaches (`diff`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reach {
    /// `binds as_amended`: everyone, from the new version's `effective` date (if it states one).
    Everyone {
        /// The new version's `effective` date.
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<Date>,
    },
    /// `binds at_contract`: only actors whose contract was signed or varied
    /// on or after the new version's `effective` date; the others stay under
    /// the old version.
    ContractsFrom {
        /// The new version's `effective` date.
        from: Date,
        /// The new version.
        new: String,
        /// The old version, which still binds the others.
        old: String,
        /// What an actor whose signature date is not given is taken as, when
        /// the change alters it (`assume actor.contract_signed_on = ... when
        /// not given` added, removed or changed): that decides which version
        /// binds them.
        #[serde(skip_serializing_if = "Option::is_none")]
        undated: Option<Undated>,
    },
}

/// The signature date assumed where none is given, before and after a change (`None`: none is assumed,
/// so no version can be named and such an actor is indeterminate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Undated {
    /// The old version's assumption.
    pub old: Option<Date>,
    /// The new version's.
    pub new: Option<Date>,
}

impl Undated {
    /// The date `p` assumes of a signature not given.
    fn of(p: &Policy) -> Option<Date> {
        match crate::facts::assumed(p, SIGNED) {
            Some(crate::value::Value::Date(d)) => Some(d),
            _ => None,
        }
    }

    fn words(&self) -> String {
        let taken = |d: &Option<Date>| match d {
            Some(d) => format!("taken as signed on {d}"),
            None => "not decided (no version can be named)".to_string(),
        };
        format!("an actor whose {SIGNED} is not given was {}, and is now {}", taken(&self.old), taken(&self.new))
    }
}

impl Reach {
    /// Whom a change from `old` to `new` reaches (`new` binds as it says).
    /// `None` under `binds at_contract` when `new` states no `effective`
    /// date: then `check` refuses the chain.
    pub fn of(old: &Policy, new: &Policy) -> Option<Reach> {
        let label = |p: &Policy| p.meta.version.clone().unwrap_or_else(|| p.meta.name.clone());
        match new.meta.binds {
            Binding::AsAmended => Some(Reach::Everyone { from: new.meta.effective }),
            Binding::AtContract => {
                let (was, now) = (Undated::of(old), Undated::of(new));
                let undated = (was != now).then_some(Undated { old: was, new: now });
                Some(Reach::ContractsFrom { from: new.meta.effective?, new: label(new), old: label(old), undated })
            }
        }
    }

    /// The population in words.
    pub fn words(&self) -> String {
        match self {
            Reach::Everyone { from: Some(from) } => {
                format!("everyone, from {from}: the policy binds as amended, so the new version binds every actor")
            }
            Reach::Everyone { from: None } => {
                "everyone: the policy binds as amended, so the new version binds every actor".to_string()
            }
            Reach::ContractsFrom { from, new, old, undated } => {
                let mut w = format!(
                    "actors whose contract was signed or varied on or after {from} (version {new}); the others stay under version {old}"
                );
                if let Some(u) = undated {
                    w.push_str("; ");
                    w.push_str(&u.words());
                }
                w
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::action::parse_action;

    fn version(name: &str, text: &str) -> Version {
        let file = SourceFile::new(name, text);
        let (_, _, policy) = crate::check::check_and_lower(&file).expect("parses");
        Version { file, policy }
    }

    /// Loads `newest`'s chain with its earlier versions read from `files` (by name).
    fn load_from(newest: Version, files: &[Version]) -> Result<Versions, Vec<Problems>> {
        let key = newest.file.name.to_string();
        let mut read = |_: &SourceFile, name: &str| {
            files
                .iter()
                .find(|v| &*v.file.name == name)
                .map(|v| (name.to_string(), v.file.clone()))
                .ok_or("no".to_string())
        };
        load(newest, key, &mut read)
    }

    fn chain() -> Versions {
        let old = version("v5.policy", "policy \"P\" version 5 effective 2024-01-01 binds at_contract default allow\n");
        let new = version(
            "v6.policy",
            "policy \"P\" version 6 effective 2026-06-01 binds at_contract previous \"v5.policy\" default deny\n",
        );
        load_from(new, &[old]).expect("loads")
    }

    fn actor(extra: &str) -> crate::data::action::Action {
        let yaml =
            format!("action: post\nchannel: linkedin\nactor: {{id: a, role: consultant, status: employed{extra}}}\n");
        parse_action(&yaml, "a.yaml").expect("action")
    }

    #[test]
    fn the_version_in_force_at_the_contract_date_binds() {
        let c = chain();
        let pick = |extra: &str| c.binding(&actor(extra)).map(|(i, b)| (i, b.because));
        let d = |s: &str| s.parse::<Date>().expect("date");
        assert_eq!(pick(", contract_signed_on: 2025-03-10"), Ok((0, Because::Signed { on: d("2025-03-10") })));
        // The day a version takes effect, it is in force.
        assert_eq!(pick(", contract_signed_on: 2026-06-01"), Ok((1, Because::Signed { on: d("2026-06-01") })));
        assert_eq!(
            pick(", contract_signed_on: 2025-03-10, contract_varied_on: 2026-07-01"),
            Ok((1, Because::Varied { on: d("2026-07-01") }))
        );
        // A variation dated before the signature was overtaken by it.
        assert_eq!(
            pick(", contract_signed_on: 2025-03-10, contract_varied_on: 2024-07-01"),
            Ok((0, Because::Signed { on: d("2025-03-10") }))
        );
        assert_eq!(pick(""), Err(Unbound::NotGiven));
        assert!(matches!(pick(", contract_signed_on: 2020-01-01"), Err(Unbound::BeforeOldest { .. })));
    }

    #[test]
    fn an_actor_with_no_contract_date_is_never_decided_by_the_newest() {
        let c = chain();
        let (v, _) = c.evaluate(&actor(""), &EvalOptions::default()).expect("decides");
        assert_eq!(v.verdict, Decision::Indeterminate);
        assert!(v.missing.iter().any(|m| m == SIGNED), "{:?}", v.missing);
        assert!(v.summary.contains("version 5 would say allow; version 6 would say deny"), "{}", v.summary);
    }

    #[test]
    fn the_chain_is_checked() {
        let old = version("v5.policy", "policy \"P\" version 5 effective 2026-06-01 default allow\n");
        let new =
            version("v6.policy", "policy \"P\" version 6 effective 2026-06-01 previous \"v5.policy\" default deny\n");
        let codes = |r: Result<Versions, Vec<Problems>>| -> Vec<String> {
            r.err().unwrap_or_default().iter().flat_map(|p| p.diagnostics.iter().map(|d| d.code.clone())).collect()
        };
        assert_eq!(codes(load_from(new, &[old])), ["version-order"]);
        let lost = version("v7.policy", "policy \"P\" version 7 effective 2027-01-01 previous \"gone.policy\"\n");
        assert_eq!(codes(load_from(lost, &[])), ["previous-not-found"]);
        let own = version("v8.policy", "policy \"P\" version 8 effective 2027-01-01 previous \"v8.policy\"\n");
        assert_eq!(codes(load_from(own.clone(), &[own])), ["previous-cycle"]);
        let undated = version("u.policy", "policy \"P\" version 1 binds at_contract default allow\n");
        assert_eq!(codes(load_from(undated, &[])), ["version-undated"]);
    }

    #[test]
    fn a_change_reaches_contracts_from_its_date_or_everyone() {
        let c = chain();
        let [old, new] = [&c.versions[0].policy, &c.versions[1].policy];
        assert_eq!(
            Reach::of(old, new).map(|r| r.words()).unwrap_or_default(),
            "actors whose contract was signed or varied on or after 2026-06-01 (version 6); the others stay under version 5"
        );
        let mut amended = new.clone();
        amended.meta.binds = Binding::AsAmended;
        assert!(Reach::of(old, &amended)
            .map(|r| r.words())
            .unwrap_or_default()
            .starts_with("everyone, from 2026-06-01"));
    }
}
