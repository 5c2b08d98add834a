//! `compare`: employers' policies side by side, for a candidate choosing between
//! them. Reads normalized [`Policy`]s only (never the AST) and decides actions
//! through [`crate::eval::evaluate`], so every cell of the report is a verdict
//! the engine would give, with its explanation.
//!
//! What a [`Comparison`] holds, per policy:
//! - a [`profile`](profile::Profile) normalized to the same terms: who keeps which
//!   connections (decided by evaluating the pack's `depart`/`export`
//!   situations), what a leaver hands over, removes or keeps and by when,
//!   each covenant kind, posting and connecting rules per channel, defaults
//!   and monitoring of personal accounts;
//! - the verdict of every situation of a scenario [`pack`] (the shipped one,
//!   `src/compare/pack.yaml`, or one the caller gives), each linkable to its
//!   explanation;
//! - transparent [`score`]s per dimension, each explained by the clauses that
//!   produced it, with the rubric ([`score::RUBRIC`]) in the output;
//! - optionally, the candidate's deal-breakers checked against a contract
//!   built from each employer's covenants and ownership ([`against`]), and law
//!   notes for the candidate's jurisdiction.
//!
//! Renderers: [`render::text`] (a terminal table), [`render::markdown`] and
//! [`html::html`] (one self-contained page). The JSON shape is the
//! serialization of [`Comparison`], versioned by [`SCHEMA_VERSION`].
//!
//! This module does no IO and knows nothing of clap.

pub mod against;
pub mod html;
pub mod law;
pub mod pack;
pub mod profile;
pub mod render;
pub mod score;

use crate::data::action::Action;
use crate::eval::{evaluate, Decision, EvalOptions, Verdict};
use crate::policy::{Policy, RuleKind};
use crate::source::SourceFile;
use pack::{Pack, Situation};
use serde::Serialize;
use std::collections::BTreeMap;

/// The version of the JSON shape of a comparison.
pub const SCHEMA_VERSION: &str = "smpolicy.compare/1";

/// What the posture measure is, said wherever it is shown.
pub const POSTURE_NOTE: &str =
    "The posture measure (require-approval clauses and restrictive defaults) is a heuristic \
     that approximates a \"trusting\" policy; it is not a sourced standard.";

/// What to compare with and against.
#[derive(Debug, Clone, Default)]
pub struct CompareOptions {
    /// The scenario pack for the matrix; `None` is the shipped pack. Profiles
    /// and scores always use the shipped pack, so they do not change with it.
    pub pack: Option<Pack>,
    /// The candidate's deal-breakers (a policy with a `terms` section).
    pub against: Option<(SourceFile, Policy)>,
    /// The candidate's jurisdiction (`UK`, `US-CA`): law notes follow it, and
    /// actions that do not say where the actor works get it.
    pub jurisdiction: Option<String>,
    /// Whether the candidate supervises others: actions that do not say get it
    /// (NLRA §7 protects only non-supervisory employees).
    pub supervisor: Option<bool>,
    /// The role the candidate would hold (`recruitment_consultant`): under a
    /// policy that declares it, the situations' author holds it, so the
    /// clauses and sections limited to that role apply.
    pub role: Option<String>,
    /// The time used for actions without `at`; the current time when `None`.
    pub now: Option<jiff::Timestamp>,
}

/// A comparison of two or more policies.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Comparison {
    /// [`SCHEMA_VERSION`].
    #[schemars(extend("const" = SCHEMA_VERSION))]
    pub schema: &'static str,
    /// The policies compared, with the letter that names each in the report.
    pub policies: Vec<PolicyInfo>,
    /// The jurisdiction the law notes are read for.
    pub jurisdiction: law::JurisdictionReport,
    /// One profile per policy, in the same order.
    pub profiles: Vec<profile::Profile>,
    /// One set of scores per policy, in the same order.
    pub scores: Vec<score::Scores>,
    /// How the scores are computed.
    pub rubric: Vec<score::RubricRow>,
    /// The pack whose verdicts fill the matrix.
    pub pack: PackInfo,
    /// The matrix: one row per situation, one cell per policy.
    pub situations: Vec<Row>,
    /// Verdict counts per policy.
    pub tallies: Vec<Tally>,
    /// The candidate's deal-breakers against each employer, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub against: Option<against::Against>,
    /// Caveats that hold for the whole report.
    pub notes: Vec<String>,
}

/// A policy in the comparison.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PolicyInfo {
    /// `A`, `B`, `C`, ...: how the report names it.
    pub key: String,
    /// The file it was read from.
    pub file: String,
    /// `policy "Name"`.
    pub name: String,
    /// `version ...`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// `jurisdiction ...`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// `effective ...`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective: Option<jiff::civil::Date>,
    /// `owner "..."`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// How the reports name the employer where room is short (columns, lists, the timeline): see [`short_names`].
    #[serde(skip)]
    pub short: String,
}

/// The longest short name, in characters: a table column or the timeline's label, wrapped on two lines at most.
pub const SHORT_MAX: usize = 26;

/// The employers' names as the reports print them in columns and lists: each policy's name before its first
/// ` — `, ` – `, ` - `, `: ` or `, ` (the employer, without the document's subject: "Fernhill Talent" of
/// "Fernhill Talent — social media, the trusting way"), cut at [`SHORT_MAX`] characters with `…`. Two policies
/// that would share a name are told apart by their versions (`v5`), else by the whole name, else by their keys.
pub fn short_names(infos: &[PolicyInfo]) -> Vec<String> {
    let cut = |name: &str| -> String {
        let head = [" — ", " – ", " - ", ": ", ", "]
            .iter()
            .filter_map(|sep| name.find(sep))
            .min()
            .and_then(|i| name.get(..i))
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .unwrap_or(name.trim());
        match (head.chars().count() > SHORT_MAX, head.char_indices().nth(SHORT_MAX - 1)) {
            (true, Some((i, _))) => format!("{}…", head.get(..i).unwrap_or_default().trim_end()),
            _ => head.to_string(),
        }
    };
    let clash = |names: &[String], i: usize| names.iter().enumerate().any(|(j, n)| j != i && Some(n) == names.get(i));
    let mut names: Vec<String> = infos.iter().map(|p| cut(&p.name)).collect();
    let tell_apart = |names: &mut Vec<String>, by: &dyn Fn(&PolicyInfo, &str) -> String| {
        let clashing: Vec<bool> = (0..names.len()).map(|i| clash(names, i)).collect();
        for ((n, info), clashes) in names.iter_mut().zip(infos).zip(clashing) {
            if clashes {
                *n = by(info, n);
            }
        }
    };
    tell_apart(&mut names, &|p, n| p.version.as_ref().map_or_else(|| n.to_string(), |v| format!("{n} v{v}")));
    tell_apart(&mut names, &|p, n| {
        if p.name.chars().count() > n.chars().count() {
            p.name.clone()
        } else {
            n.to_string()
        }
    });
    tell_apart(&mut names, &|p, n| format!("{n} ({})", p.key));
    names
}

impl PolicyInfo {
    /// `Name (version 3)`.
    pub fn title(&self) -> String {
        match &self.version {
            Some(v) => format!("{} (version {v})", self.name),
            None => self.name.clone(),
        }
    }
}

/// The pack used for the matrix.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PackInfo {
    /// `shipped` or the file name.
    pub source: String,
    /// How many situations.
    pub size: usize,
    /// The groups, in order of first appearance, with their sizes.
    pub groups: Vec<GroupInfo>,
}

/// A group of situations.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct GroupInfo {
    /// `posting`, `connecting`, ...
    pub name: String,
    /// How many situations it has.
    pub size: usize,
}

/// A clause, by id and line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct ClauseRef {
    /// The clause id.
    pub id: String,
    /// Its 1-based line in the policy file.
    pub line: usize,
}

impl ClauseRef {
    /// `` `id` (line 12) ``.
    pub fn words(&self) -> String {
        format!("`{}` (line {})", self.id, self.line)
    }
}

/// One situation of the matrix.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Row {
    /// Stable id from the pack.
    pub id: String,
    /// What the report shows.
    pub title: String,
    /// Its group.
    pub group: String,
    /// The action evaluated (after the candidate's jurisdiction was filled in).
    pub action: Action,
    /// One cell per policy, in the order of [`Comparison::policies`].
    pub cells: Vec<Cell>,
}

/// One verdict of the matrix.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Cell {
    /// The policy's key (`A`).
    pub policy: String,
    /// The anchor of its explanation in markdown and HTML (`tweet-11th-of-day--a`).
    pub anchor: String,
    /// The decision.
    pub verdict: Decision,
    /// Who must approve, for `require-approval`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
    /// The verdict's one-line summary.
    pub summary: String,
    /// The deciding clauses.
    pub deciding: Vec<ClauseRef>,
    /// The deciding clauses worth citing: without departure duties that only attach obligations
    /// to every leaver, unless nothing else decided.
    pub cited: Vec<ClauseRef>,
    /// Clauses the law set aside for this situation (they would have decided as written; the verdict is what binds).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub void_covenants: Vec<String>,
    /// The jurisdiction the law notes were read for (the candidate's, else the policy's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// Law notes for the deciding covenants in the jurisdiction.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub law_notes: Vec<String>,
    /// The full verdict, as `smpolicy eval --format json` prints it.
    pub explanation: Verdict,
}

impl Cell {
    /// `allow`, `deny`, `require-approval (marketing)`, `indeterminate`.
    pub fn label(&self) -> String {
        match self.verdict {
            Decision::RequireApproval if !self.approvers.is_empty() => {
                format!("require-approval ({})", self.approvers.join(" or "))
            }
            d => d.as_str().to_string(),
        }
    }
}

/// Verdict counts for one policy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Counts {
    /// Allowed.
    pub allow: usize,
    /// Needing approval.
    pub require_approval: usize,
    /// Refused.
    pub deny: usize,
    /// Not decided.
    pub indeterminate: usize,
}

impl Counts {
    fn add(&mut self, d: Decision) {
        match d {
            Decision::Allow => self.allow += 1,
            Decision::RequireApproval => self.require_approval += 1,
            Decision::Deny => self.deny += 1,
            Decision::Indeterminate => self.indeterminate += 1,
        }
    }
}

/// How one policy fared over the pack.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Tally {
    /// The policy's key.
    pub policy: String,
    /// Over the whole pack.
    pub total: Counts,
    /// Per group, in pack order.
    pub groups: Vec<(String, Counts)>,
    /// Approvals needed, per approver (a situation naming two approvers counts for both).
    pub approvals: BTreeMap<String, usize>,
}

/// `A`, `B`, ..., `Z`, then `P27`, `P28`, ...
pub fn key_for(index: usize) -> String {
    match u8::try_from(index).ok().filter(|i| *i < 26) {
        Some(i) => char::from(b'A' + i).to_string(),
        None => format!("P{}", index + 1),
    }
}

/// The anchor of a cell's explanation.
pub fn anchor(situation: &str, key: &str) -> String {
    format!("{}--{}", slug(situation), key.to_ascii_lowercase())
}

/// Lowercase letters, digits and single hyphens.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The line of a clause by id, or 0 when the policy has no such clause.
pub(crate) fn line_of(policy: &Policy, file: &SourceFile, id: &str) -> usize {
    if let Some(r) = policy.rules.iter().find(|r| r.id == id) {
        return file.line_col(r.span.start).0;
    }
    if let Some(d) = policy.defaults.iter().find(|d| d.id == id) {
        return file.line_col(d.span.start).0;
    }
    if let Some(t) = policy.terms.iter().find(|t| t.id == id) {
        return file.line_col(t.span.start).0;
    }
    0
}

/// A clause reference by id.
pub(crate) fn clause_ref(policy: &Policy, file: &SourceFile, id: &str) -> ClauseRef {
    ClauseRef { id: id.to_string(), line: line_of(policy, file, id) }
}

/// The deciding clauses of a verdict, as references.
pub(crate) fn deciding_refs(v: &Verdict, policy: &Policy, file: &SourceFile) -> Vec<ClauseRef> {
    v.deciding.iter().map(|id| clause_ref(policy, file, id)).collect()
}

/// The clauses to cite for a verdict: the deciding ones, leaving out
/// departure duties that only allow and tested nothing about the connection,
/// contacts or account in question (they attach obligations to every leaver
/// and decide nothing about the situation), unless nothing else decided.
pub(crate) fn cited_refs(v: &Verdict, policy: &Policy, file: &SourceFile) -> Vec<ClauseRef> {
    let main: Vec<ClauseRef> =
        v.deciding.iter().filter(|id| !attaches_only(v, policy, id)).map(|id| clause_ref(policy, file, id)).collect();
    if main.is_empty() {
        deciding_refs(v, policy, file)
    } else {
        main
    }
}

/// Whether a deciding clause is a departure duty every leaver has, rather than one about this asset.
fn attaches_only(v: &Verdict, policy: &Policy, id: &str) -> bool {
    let duty = policy.rules.iter().any(|r| {
        r.id == id && r.section == crate::policy::SectionKind::Departure && r.effect == crate::policy::Effect::Allow
    });
    let about_asset = v.rules.iter().filter(|r| r.id == id).flat_map(|r| &r.tests).any(|t| {
        t.truth.is_true()
            && t.fact.as_deref().is_some_and(|f| ["target.", "contacts.", "account."].iter().any(|p| f.starts_with(p)))
    });
    duty && !about_asset
}

/// The candidate's own situation, filled into every situation that does not say otherwise.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Candidate<'a> {
    /// Where they work.
    pub jurisdiction: Option<&'a str>,
    /// Whether they supervise others.
    pub supervisor: Option<bool>,
    /// The role they would hold, where a policy declares it.
    pub role: Option<&'a str>,
}

/// The action with the candidate's situation filled in where it says nothing
/// (where the actor works, whether they supervise others), and their role
/// where the policy declares it.
fn as_candidate(action: &Action, candidate: Candidate<'_>, policy: &Policy) -> Action {
    let mut action = action.clone();
    if let Some(role) = candidate.role.filter(|r| policy.decls.roles.iter().any(|d| d == r)) {
        action.actor.role = role.to_string();
    }
    if action.actor.jurisdiction.is_none() {
        action.actor.jurisdiction = candidate.jurisdiction.map(str::to_string);
    }
    if action.actor.supervisor.is_none() {
        // Not a supervisor unless the candidate says so (`--supervisor`), as the report's
        // summary reads it: a situation never leaves it out (a flag not given is not "no").
        action.actor.supervisor = Some(candidate.supervisor.unwrap_or(false));
    }
    action
}

/// Evaluates one situation under one policy.
pub(crate) fn decide(
    s: &Situation,
    policy: &Policy,
    file: &SourceFile,
    candidate: Candidate<'_>,
    now: jiff::Timestamp,
) -> (Action, Verdict) {
    let action = as_candidate(&s.action, candidate, policy);
    let v = evaluate(policy, file, &action, &EvalOptions { now });
    (action, v)
}

/// The verdicts of the shipped pack under one policy, by situation id (for profiles and scores).
pub(crate) type Probes = BTreeMap<String, Verdict>;

fn probes(
    reference: &Pack,
    policy: &Policy,
    file: &SourceFile,
    candidate: Candidate<'_>,
    now: jiff::Timestamp,
) -> Probes {
    // The profile's own situations (who owns content) are decided beside the pack's.
    let profile_only = pack::profile_only();
    reference
        .situations
        .iter()
        .chain(&profile_only.situations)
        .chain(brand_situation(policy).as_ref())
        .map(|s| (s.id.clone(), decide(s, policy, file, candidate, now).1))
        .collect()
}

/// The situation behind the profile's brand-names row, for a policy that declares
/// brand names: leaving with your own LinkedIn account (the pack's
/// `keep-personal-account`) whose handle and display name carry one of them
/// (the first written without a space, else the first: `@PhoneDog_you`).
pub(crate) fn brand_situation(policy: &Policy) -> Option<pack::Situation> {
    let names = &policy.decls.brands;
    let brand = names.iter().find(|b| !b.contains(char::is_whitespace)).or(names.first())?;
    let mut s = pack::shipped().get("keep-personal-account")?.clone();
    s.id = "keep-brand-named-account".into();
    s.title = format!("On leaving, keeping your own account named @{brand}_you");
    let account = s.action.account.get_or_insert_with(Default::default);
    account.handle = Some(format!("@{brand}_you"));
    account.display_name = Some(format!("You at {brand}"));
    account.brand_in_handle = Some(true);
    Some(s)
}

/// Compares policies.
pub fn compare(policies: &[(SourceFile, Policy)], opts: &CompareOptions) -> Comparison {
    compare_until(policies, opts, &crate::work::Work::new())
}

/// [`compare`], stopped as soon as `work` is cancelled (checked before each
/// policy's profile and each situation, each of them a step of its progress):
/// `None` if it was.
pub fn compare_cancellable(
    policies: &[(SourceFile, Policy)],
    opts: &CompareOptions,
    work: &crate::work::Work,
) -> Option<Comparison> {
    let c = compare_until(policies, opts, work);
    (!work.cancelled()).then_some(c)
}

fn compare_until(policies: &[(SourceFile, Policy)], opts: &CompareOptions, work: &crate::work::Work) -> Comparison {
    let stopped = || work.cancelled();
    let now = opts.now.unwrap_or_else(jiff::Timestamp::now);
    let shipped = pack::shipped();
    let chosen: &Pack = opts.pack.as_ref().unwrap_or(&shipped);
    let candidate_j = opts.jurisdiction.as_deref();
    let candidate = Candidate { jurisdiction: candidate_j, supervisor: opts.supervisor, role: opts.role.as_deref() };

    let mut infos: Vec<PolicyInfo> = policies
        .iter()
        .enumerate()
        .map(|(i, (file, p))| PolicyInfo {
            key: key_for(i),
            file: file.name.to_string(),
            name: p.meta.name.clone(),
            version: p.meta.version.clone(),
            jurisdiction: p.meta.jurisdiction.clone(),
            effective: p.meta.effective,
            owner: p.meta.owner.clone(),
            short: String::new(),
        })
        .collect();
    let shorts = short_names(&infos);
    for (info, short) in infos.iter_mut().zip(shorts) {
        info.short = short;
    }

    let mut jurisdiction = law::report(policies, &infos, candidate_j, opts.supervisor);
    if let Some(role) = &opts.role {
        // Said once, with the report's other readings of the candidate.
        // Employers by short name, joined with "and", and how many (for the verb).
        let names = |named: bool| {
            let n: Vec<String> = infos
                .iter()
                .zip(policies)
                .filter(|(_, (_, p))| p.decls.roles.contains(role) == named)
                .map(|(i, _)| i.short.clone())
                .collect();
            (n.join(" and "), n.len())
        };
        let ((named, n_named), (not, n_not)) = (names(true), names(false));
        let words = match (n_named, n_not) {
            (0, _) => format!("No policy names the role `{role}`: the situations keep the pack's role, consultant."),
            (_, 0) => format!("The situations are read with your role, `{role}` (every policy names it)."),
            _ => format!(
                "The situations are read with your role, `{role}`, under {named}, which name{} it; {not} do{} not, so there they keep the pack's role, consultant.",
                if n_named == 1 { "s" } else { "" },
                if n_not == 1 { "es" } else { "" }
            ),
        };
        jurisdiction.summary.push(words);
    }

    let mut profiles = Vec::new();
    let mut scores = Vec::new();
    let mut all_probes: Vec<Probes> = Vec::new();
    work.set_total((policies.len() + chosen.situations.len()) as u64);
    for ((file, p), info) in policies.iter().zip(&infos) {
        if stopped() {
            break;
        }
        work.step();
        let effective_j = candidate_j.or(p.meta.jurisdiction.as_deref());
        let probe = probes(&shipped, p, file, candidate, now);
        let prof = profile::profile(&info.key, p, file, &probe, effective_j);
        scores.push(score::score(&info.key, p, file, &probe, &prof));
        profiles.push(prof);
        all_probes.push(probe);
    }

    let mut rows = Vec::new();
    let mut tallies: Vec<Tally> = infos
        .iter()
        .map(|i| Tally { policy: i.key.clone(), total: Counts::default(), groups: vec![], approvals: BTreeMap::new() })
        .collect();
    for s in &chosen.situations {
        if stopped() {
            break;
        }
        work.step();
        let mut cells = Vec::new();
        let mut evaluated = s.action.clone();
        for ((((file, p), info), tally), probe) in policies.iter().zip(&infos).zip(tallies.iter_mut()).zip(&all_probes)
        {
            // The shipped pack was already decided for the profile; reuse those verdicts.
            let (action, v) = match probe.get(&s.id).filter(|_| opts.pack.is_none()) {
                Some(v) => (as_candidate(&s.action, candidate, p), v.clone()),
                None => decide(s, p, file, candidate, now),
            };
            evaluated = action;
            let effective_j = candidate_j.or(p.meta.jurisdiction.as_deref());
            let (void_covenants, law_notes) = covenant_law(&v, p, effective_j);
            tally.total.add(v.verdict);
            match tally.groups.iter_mut().find(|(g, _)| g == &s.group) {
                Some((_, c)) => c.add(v.verdict),
                None => {
                    let mut c = Counts::default();
                    c.add(v.verdict);
                    tally.groups.push((s.group.clone(), c));
                }
            }
            if v.verdict == Decision::RequireApproval {
                for a in &v.approvers {
                    *tally.approvals.entry(a.clone()).or_insert(0) += 1;
                }
            }
            cells.push(Cell {
                policy: info.key.clone(),
                anchor: anchor(&s.id, &info.key),
                verdict: v.verdict,
                approvers: v.approvers.clone(),
                summary: v.summary.clone(),
                deciding: deciding_refs(&v, p, file),
                cited: cited_refs(&v, p, file),
                void_covenants,
                jurisdiction: effective_j.map(str::to_string),
                law_notes,
                explanation: v,
            });
        }
        rows.push(Row { id: s.id.clone(), title: s.title.clone(), group: s.group.clone(), action: evaluated, cells });
    }

    let against = opts.against.as_ref().map(|(file, mine)| against::against(file, mine, policies, &infos, candidate_j));

    let mut notes = vec![
        POSTURE_NOTE.to_string(),
        "Verdicts are the engine's reading of each policy as written; they are not legal advice. Covenants are \
         applied as written even where the law may not enforce them; law notes say where."
            .to_string(),
    ];
    if opts.pack.is_some() {
        notes.push("Profiles and scores use the shipped scenario pack; the matrix uses the pack given.".to_string());
    }

    Comparison {
        schema: SCHEMA_VERSION,
        policies: infos,
        jurisdiction,
        profiles,
        scores,
        rubric: score::rubric_rows(),
        pack: PackInfo { source: chosen.source.clone(), size: chosen.situations.len(), groups: chosen.groups() },
        situations: rows,
        tallies,
        against,
        notes,
    }
}

/// The clauses the law set aside in this verdict (they would have decided),
/// and the law notes of the covenants that decided or were set aside.
fn covenant_law(v: &Verdict, policy: &Policy, jurisdiction: Option<&str>) -> (Vec<String>, Vec<String>) {
    let void: Vec<String> = v.law.iter().map(|l| l.clause.clone()).collect();
    let mut notes = Vec::new();
    let deciding = if v.verdict == Decision::Deny { v.deciding.iter().collect::<Vec<_>>() } else { vec![] };
    for id in deciding.into_iter().chain(&void) {
        let Some(rule) = policy.rules.iter().find(|r| &r.id == id) else { continue };
        let RuleKind::Covenant { index } = rule.kind else { continue };
        let Some(spec) = policy.covenants.get(index) else { continue };
        for n in law::status(spec, jurisdiction).notes {
            if !notes.contains(&n) {
                notes.push(n);
            }
        }
    }
    (void, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_anchors() {
        assert_eq!(key_for(0), "A");
        assert_eq!(key_for(25), "Z");
        assert_eq!(key_for(26), "P27");
        assert_eq!(anchor("tweet-11th-of-day", "B"), "tweet-11th-of-day--b");
        assert_eq!(slug("Hello, World_2"), "hello-world-2");
    }
}
