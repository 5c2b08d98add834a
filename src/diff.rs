//! Stage 5: what changes between two versions of a policy, for the HR or
//! compliance reviewer who must approve the new one.
//!
//! [`diff`] returns a [`DiffReport`] (versioned JSON shape [`SCHEMA_VERSION`]):
//!
//! - **structural** changes ([`fn@structural`]): clauses matched by id (added,
//!   removed, changed in text or meaning), section defaults, `terms`
//!   constraints, header settings and declarations;
//! - **behavioural** changes: every region of situations whose outcome
//!   differs, in words, as [`Constraint`]s, with one concrete witness action
//!   (the data-model shape `smpolicy eval` reads), the old and new outcomes and
//!   the deciding clauses, and whether the change is stricter or looser.
//!
//! **What counts as a change.** The outcome compared is the verdict word, the
//! approvers of a `require-approval`, and the obligations (their words and
//! deadlines): the scenarios count "allow" becoming "allow with an obligation"
//! as a flip. Advice, law notes, explanations and the names of deciding
//! clauses are not compared (a renamed clause that decides the same is a
//! structural change only). Direction: deny > require-approval > allow; with
//! the same verdict, gaining obligations is stricter and losing them looser,
//! except under deny (a refused action gains nothing by a duty): "other";
//! a change of approvers, or to or from indeterminate, is "other".
//!
//! **Actions about several groups of contacts** (`contacts: [...]`) need no
//! machinery here: their verdict is a function of their groups' verdicts, each
//! group a one-group action this partition already covers
//! ([`crate::eval::items`]), so any change of a many-group verdict is a change
//! of some one-group verdict, reported here with a one-group witness.
//!
//! **How it is complete.** Not by sampling: the situations are cut into the
//! finite partition the constants of both policies induce (`space`), and a
//! decision tree (`search`) splits that partition only where a clause of
//! either policy is still undecided, stopping where both policies' live
//! clauses are identical. Every leaf is decided by the real evaluator, and
//! every reported witness is decided again on the whole policies, so the
//! report and `smpolicy eval` cannot disagree.
//!
//! **Limits.** Exact for tests of one fact against constants (numbers, dates
//! with month arithmetic, times in each policy's timezone, names, lists,
//! yes/no, presence) and for a date compared with one other date (a
//! covenant's window after `actor.departed_on`): the candidate values are the
//! exact crossing points. With three or more dates chained by relations, the
//! combinations tried are those the crossing points of each pair produce,
//! which covers the policies' own windows but is not a proof for arbitrary
//! chains. A share test (`at most 30% job_ad posts per week`) is exact in the
//! job-ad count for each weekly total tried, but the weekly totals are
//! sampled (the report says so). Two facts of the same name compared with
//! each other, and ordering tests between names, are decided on
//! representative values only.
//!
//! The module does no IO.

mod region;
pub mod render;
pub mod replay;
mod search;
mod space;
pub mod structural;

pub use region::{Constraint, DateRange, IntRange, RegionCtx, TimeRange};
pub use replay::{Replay, ReplayReport};
pub use structural::{structural, ClauseView, StructuralChange};

use crate::eval::{evaluate, Decision, EvalOptions, Facts, Verdict};
use crate::policy::Policy;
use crate::source::SourceFile;
use crate::value::Value;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The version of the JSON shape of a diff.
pub const SCHEMA_VERSION: &str = "smpolicy.diff/1";

/// The command line's budget for the search (`--max-nodes`): some seconds of
/// search and some hundred megabytes in a release build; a diff of two
/// versions of a shipped policy needs a quarter of it (Castlegate v5 → v6:
/// about 25,000).
pub const DEFAULT_MAX_NODES: usize = 100_000;

/// Settings for a diff.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// The time standing for "now" (an action without `at`); by default noon on
    /// the new version's effective date (or 2026-01-01), so the output is reproducible.
    pub now: Option<jiff::Timestamp>,
    /// Stop the search after this many sets of situations (`None`: search them
    /// all). A search cut short says which kinds of action it did not finish
    /// ([`DiffReport::unsearched`]); what it did find is exact.
    pub max_nodes: Option<usize>,
}

/// Which way a change goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// More restrictive: deny > require-approval > allow, or more obligations.
    Stricter,
    /// Less restrictive.
    Looser,
    /// Neither: other approvers, or to or from indeterminate.
    Other,
}

impl Direction {
    /// `stricter`, `looser`, `other`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Stricter => "stricter",
            Direction::Looser => "looser",
            Direction::Other => "other",
        }
    }
}

/// An outcome as the diff compares it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[schemars(rename = "DiffOutcome")]
pub struct Outcome {
    /// The verdict.
    pub verdict: Decision,
    /// Who must approve.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
    /// Duties attached, with their deadlines.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<String>,
    /// The clauses that decide (a section default's id); for a change, every clause
    /// that decides somewhere in its region.
    pub deciding: Vec<String>,
    /// The policy default decides (somewhere in the region, for a change).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub by_default: bool,
}

impl Outcome {
    /// The outcome of a verdict.
    pub fn of(policy: &Policy, v: &Verdict) -> Outcome {
        let (verdict, approvers, obligations) = search::key(policy, v);
        let by_default = v.deciding.is_empty() && verdict != Decision::Indeterminate;
        Outcome { verdict, approvers, obligations, deciding: v.deciding.clone(), by_default }
    }

    /// Whether two outcomes are the same for the diff (deciding clauses aside).
    pub fn same(&self, other: &Outcome) -> bool {
        self.verdict == other.verdict && self.approvers == other.approvers && self.obligations == other.obligations
    }

    /// `allow`, `require-approval (marketing)`, `allow + 1 obligation`.
    pub fn label(&self) -> String {
        let mut s = self.verdict.as_str().to_string();
        if !self.approvers.is_empty() {
            s.push_str(&format!(" ({})", self.approvers.join(" or ")));
        }
        match self.obligations.len() {
            0 => {}
            1 => s.push_str(" + 1 obligation"),
            n => s.push_str(&format!(" + {n} obligations")),
        }
        s
    }

    fn rank(&self) -> Option<u8> {
        self.verdict.rank()
    }
}

/// The direction of a change from `old` to `new`.
pub fn direction(old: &Outcome, new: &Outcome) -> Direction {
    match (old.rank(), new.rank()) {
        (Some(a), Some(b)) if b > a => Direction::Stricter,
        (Some(a), Some(b)) if b < a => Direction::Looser,
        // An action refused before and after is no stricter for gaining a duty
        // (nor looser for losing one): the change is reported, not ranked.
        (Some(2), Some(2)) => Direction::Other,
        (Some(_), Some(_)) if old.approvers != new.approvers => Direction::Other,
        (Some(_), Some(_)) => {
            let new_within_old = new.obligations.iter().all(|o| old.obligations.contains(o));
            let old_within_new = old.obligations.iter().all(|o| new.obligations.contains(o));
            match (new_within_old, old_within_new) {
                (true, false) => Direction::Looser,
                (false, true) => Direction::Stricter,
                _ => Direction::Other,
            }
        }
        _ => Direction::Other,
    }
}

/// Part of a change's region where the same clauses decide.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Part {
    /// The part in words (what it adds to the change's region).
    pub region: String,
    /// The part as constraints: an action is in it when it meets them all.
    pub constraints: Vec<Constraint>,
    /// The clauses that decide here (somewhere in the part) under the old version.
    pub old_deciding: Vec<String>,
    /// The clauses that decide here under the new version.
    pub new_deciding: Vec<String>,
    /// The old version's default decides somewhere in the part.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub old_by_default: bool,
    /// The new version's default decides somewhere in the part.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub new_by_default: bool,
}

impl Part {
    /// Whether an action lies in this part.
    pub fn contains(&self, facts: &dyn Facts) -> bool {
        self.constraints.iter().all(|c| c.contains(facts))
    }
}

/// The situations whose outcome changes from one outcome to another.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Change {
    /// The region in words (with the number of parts when there are several).
    pub region: String,
    /// What every situation of the change meets (all of the region when it has one part).
    pub constraints: Vec<Constraint>,
    /// The region exactly: the union of its parts, each with its deciding clauses.
    pub parts: Vec<Part>,
    /// One action of the region, in the data model's shape, decided as stated below.
    #[schemars(with = "crate::data::Action")]
    pub witness: serde_json::Value,
    /// Under the old version (deciding: every clause that decides somewhere in the region).
    pub old: Outcome,
    /// Under the new version.
    pub new: Outcome,
    /// Stricter, looser or other.
    pub direction: Direction,
    /// Caveats about the witness (a value one version does not declare).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The edit behind the change: the added, removed or changed clauses
    /// (by id, as the structural changes name them) that decide somewhere in
    /// it under either version, or whose duties it gains or loses. Changes
    /// are grouped by it, so a change's region only describes situations its
    /// edit reaches. Empty when no edited clause is involved (a header, a
    /// declaration or a default changed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<String>,
}

impl Change {
    /// Whether an action lies in this change's region.
    pub fn contains(&self, facts: &dyn Facts) -> bool {
        self.parts.iter().any(|p| p.contains(facts))
    }
}

/// Which policy file a report is about.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PolicyRef {
    /// The file name.
    pub file: String,
    /// The policy's name.
    pub name: String,
    /// Its version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl PolicyRef {
    fn of(file: &SourceFile, p: &Policy) -> PolicyRef {
        PolicyRef { file: file.name.to_string(), name: p.meta.name.clone(), version: p.meta.version.clone() }
    }
}

/// Counts of behavioural changes by direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, schemars::JsonSchema)]
pub struct Summary {
    /// Stricter changes.
    pub stricter: usize,
    /// Looser changes.
    pub looser: usize,
    /// Other changes.
    pub other: usize,
}

/// How much work the search did (not part of the JSON shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Nodes of the decision tree visited.
    pub nodes: usize,
    /// Leaves decided by the evaluator (twice each).
    pub leaves: usize,
    /// Subtrees cut because both versions' live clauses were identical.
    pub pruned: usize,
    /// Leaves whose outcome changed, before merging into regions.
    pub changed_leaves: usize,
}

/// Everything that differs between two versions.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DiffReport {
    /// [`SCHEMA_VERSION`].
    #[schemars(extend("const" = SCHEMA_VERSION))]
    pub schema: &'static str,
    /// The old version.
    pub old: PolicyRef,
    /// The new version.
    pub new: PolicyRef,
    /// Structural changes.
    pub structural: Vec<StructuralChange>,
    /// Behavioural changes.
    pub changes: Vec<Change>,
    /// Behavioural changes by direction.
    pub summary: Summary,
    /// Where this report is less than exhaustive, in words (empty when it is exhaustive).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<String>,
    /// The kinds of action whose situations the search did not finish, because its
    /// budget (`--max-nodes`) ran out: a change to one of these may be missing.
    /// Absent when every situation was searched.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unsearched: Vec<String>,
    /// Whom the new version reaches: everyone (`binds as_amended`) or only
    /// the actors whose contract was signed or varied on or after its
    /// `effective` date (`binds at_contract`). Given when the new version
    /// binds at contract or names a previous version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reaches: Option<crate::versions::Reach>,
    /// How much work the search did.
    #[serde(skip)]
    pub stats: Stats,
}

impl DiffReport {
    /// Whether nothing changed, structurally or in behaviour.
    pub fn is_empty(&self) -> bool {
        self.structural.is_empty() && self.changes.is_empty()
    }

    /// Whether some behavioural change goes this way (`None`: any change).
    pub fn has(&self, dir: Option<Direction>) -> bool {
        self.changes.iter().any(|c| dir.is_none_or(|d| c.direction == d))
    }
}

/// `diff --format json`: the report, and with `--replay` what replaying
/// history found.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DiffJson<'a> {
    /// The report.
    #[serde(flatten)]
    pub report: &'a DiffReport,
    /// With `--replay`: the decisions of the log decided again under both versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<&'a replay::ReplayReport>,
}

/// The time a diff uses for "now".
pub fn default_now(old: &Policy, new: &Policy) -> jiff::Timestamp {
    let anchor = anchor(old, new);
    let tz = jiff::tz::TimeZone::get(&old.meta.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
    anchor.at(12, 0, 0, 0).to_zoned(tz).map(|z| z.timestamp()).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

fn anchor(old: &Policy, new: &Policy) -> jiff::civil::Date {
    new.meta.effective.or(old.meta.effective).unwrap_or(jiff::civil::date(2026, 1, 1))
}

type GroupKey = (search::Key, search::Key, Vec<String>, Vec<String>);

/// What makes one reported change: the old and new outcomes and the edit behind them.
type ChangeKey = (search::Key, search::Key, Vec<String>);

/// A merged region, the changed leaf it came from, and the old and new deciding clauses.
type PartSeed = (region::Region, usize, Vec<String>, Vec<String>);

/// Compares two versions of a policy.
pub fn diff(old: (&SourceFile, &Policy), new: (&SourceFile, &Policy), opts: &DiffOptions) -> DiffReport {
    diff_until(old, new, opts, &crate::work::Work::new())
}

/// [`diff`], stopped as soon as `work` is cancelled (checked at every node
/// of the search, each node a step of its progress): `None` if it was, since
/// a partial search is not a complete answer.
pub fn diff_cancellable(
    old: (&SourceFile, &Policy),
    new: (&SourceFile, &Policy),
    opts: &DiffOptions,
    work: &crate::work::Work,
) -> Option<DiffReport> {
    let report = diff_until(old, new, opts, work);
    (!work.cancelled()).then_some(report)
}

fn diff_until(
    old: (&SourceFile, &Policy),
    new: (&SourceFile, &Policy),
    opts: &DiffOptions,
    work: &crate::work::Work,
) -> DiffReport {
    let (of, op) = old;
    let (nf, np) = new;
    let now = opts.now.unwrap_or_else(|| default_now(op, np));
    let eopts = EvalOptions { now };
    let sp = space::build(op, np, now, anchor(op, np));
    let found = search::search(&sp, [op, np], &eopts, work, opts.max_nodes);
    let structural = structural(old, new);
    let edited: Vec<&str> = structural.iter().filter_map(StructuralChange::clause_id).collect();
    // A change's edit: the edited clauses deciding its leaves under either
    // version, and those whose duties it gains or loses.
    let owns_duty = |id: &str, duties: &[&String]| {
        [op, np].iter().any(|p| {
            p.rules.iter().any(|r| r.id == id && r.obligations.iter().any(|o| duties.contains(&&search::duty_key(o))))
        })
    };
    let edits_of = |ok: &search::Key, nk: &search::Key, od: &[String], nd: &[String]| {
        let gained = nk.2.iter().filter(|d| !ok.2.contains(d));
        let changed: Vec<&String> = ok.2.iter().filter(|d| !nk.2.contains(d)).chain(gained).collect();
        let mut e: Vec<String> = od
            .iter()
            .chain(nd)
            .map(String::as_str)
            .chain(edited.iter().copied().filter(|id| !changed.is_empty() && owns_duty(id, &changed)))
            .filter(|d| edited.contains(d))
            .map(str::to_string)
            .collect();
        e.sort();
        e.dedup();
        e
    };

    // Leaves with the same outcomes and deciding clauses, as regions, merged; then one
    // change per pair of outcomes, its parts the merged regions.
    let mut groups: Vec<(GroupKey, Vec<(region::Region, usize)>)> = Vec::new();
    for (i, leaf) in found.changed.iter().enumerate() {
        let [(ok, od), (nk, nd)] = &leaf.outcomes;
        let k: GroupKey = (ok.clone(), nk.clone(), od.clone(), nd.clone());
        let region = sp.region(&leaf.state, &leaf.atoms);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, v)) => v.push((region, i)),
            None => groups.push((k, vec![(region, i)])),
        }
    }
    let ctx = sp
        .sides
        .first()
        .map(|s| Arc::new(RegionCtx { tz: s.tz.clone(), tz_name: s.tz_name.clone(), types: s.types.clone(), now }));
    let Some(ctx) = ctx else {
        return empty_report(old, new, found_stats(&found));
    };
    // One change per pair of outcomes and edit.
    let mut by_outcome: Vec<(ChangeKey, Vec<PartSeed>)> = Vec::new();
    for ((ok, nk, od, nd), regions) in groups {
        let merged = sp.merge_regions(regions);
        let edits = edits_of(&ok, &nk, &od, &nd);
        let slot = match by_outcome.iter_mut().position(|(k, _)| k.0 == ok && k.1 == nk && k.2 == edits) {
            Some(i) => i,
            None => {
                by_outcome.push(((ok, nk, edits), Vec::new()));
                by_outcome.len() - 1
            }
        };
        if let Some((_, parts)) = by_outcome.get_mut(slot) {
            parts.extend(merged.into_iter().map(|(r, l)| (r, l, od.clone(), nd.clone())));
        }
    }
    let mut changes = Vec::new();
    for ((ok, nk, edits), parts) in by_outcome {
        changes.extend(change(&sp, ok, nk, parts, &found, old, new, &eopts, &ctx).map(|c| Change { edits, ..c }));
    }
    // Stricter first, then looser, then the rest; within each, the simplest
    // regions (fewest constraints) first, then by the words.
    let order = |d: Direction| match d {
        Direction::Stricter => 0,
        Direction::Looser => 1,
        Direction::Other => 2,
    };
    changes.sort_by(|a, b| {
        (order(a.direction), a.constraints.len(), &a.region, a.old.label(), a.new.label(), &a.edits).cmp(&(
            order(b.direction),
            b.constraints.len(),
            &b.region,
            b.old.label(),
            b.new.label(),
            &b.edits,
        ))
    });
    let mut summary = Summary::default();
    for c in &changes {
        match c.direction {
            Direction::Stricter => summary.stricter += 1,
            Direction::Looser => summary.looser += 1,
            Direction::Other => summary.other += 1,
        }
    }
    let mut limits = Vec::new();
    if sp.exhausted.get() > 0 {
        limits.push(format!(
            "{} sets of situations relating several dates were set aside after a bounded search for an example \
             found none; a change there may be missing",
            sp.exhausted.get()
        ));
    }
    if found.sampled {
        limits.push(
            "share limits (`at most N% ... per week`) were explored for every job-ad count but only at sampled weekly \
             totals (9, 99, and the totals other clauses name)"
                .to_string(),
        );
    }
    if !found.unfinished.is_empty() {
        limits.push(format!(
            "the search stopped at its budget of {} sets of situations before it finished {}: a change to these \
             may be missing (the changes shown are exact; raise `--max-nodes` to search further)",
            opts.max_nodes.unwrap_or(found.nodes),
            found.unfinished.join(", ")
        ));
    }
    let _ = (of, nf);
    DiffReport {
        schema: SCHEMA_VERSION,
        old: PolicyRef::of(of, op),
        new: PolicyRef::of(nf, np),
        structural,
        changes,
        summary,
        limits,
        unsearched: found.unfinished.clone(),
        reaches: reaches(op, np),
        stats: Stats { changed_leaves: found.changed.len(), ..found_stats(&found) },
    }
}

/// [`DiffReport::reaches`].
fn reaches(old: &Policy, new: &Policy) -> Option<crate::versions::Reach> {
    let versioned = new.meta.binds == crate::ast::Binding::AtContract || new.meta.previous.is_some();
    versioned.then(|| crate::versions::Reach::of(old, new)).flatten()
}

fn found_stats(found: &search::Found) -> Stats {
    Stats { nodes: found.nodes, leaves: found.leaves, pruned: found.pruned, changed_leaves: found.changed.len() }
}

fn empty_report(old: (&SourceFile, &Policy), new: (&SourceFile, &Policy), stats: Stats) -> DiffReport {
    DiffReport {
        schema: SCHEMA_VERSION,
        old: PolicyRef::of(old.0, old.1),
        new: PolicyRef::of(new.0, new.1),
        structural: structural(old, new),
        changes: vec![],
        summary: Summary::default(),
        limits: vec![],
        unsearched: vec![],
        reaches: reaches(old.1, new.1),
        stats,
    }
}

fn decide(p: &Policy, facts: &BTreeMap<String, Value>, eopts: &EvalOptions) -> Outcome {
    // The file only gives line numbers to the explanation; an empty one keeps
    // `evaluate` linear in the number of clauses.
    let empty = SourceFile::new("", "");
    Outcome::of(p, &evaluate(p, &empty, facts, eopts))
}

fn union(lists: impl Iterator<Item = Vec<String>>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in lists {
        for x in l {
            if !out.contains(&x) {
                out.push(x);
            }
        }
    }
    out
}

/// A pair of outcomes as a reported change: its parts, their hull in words, and
/// a witness decided again on the whole policies.
#[allow(clippy::too_many_arguments, reason = "one call site; a struct would only rename the arguments")]
fn change(
    sp: &space::Space,
    ok: search::Key,
    nk: search::Key,
    parts: Vec<PartSeed>,
    found: &search::Found,
    old: (&SourceFile, &Policy),
    new: (&SourceFile, &Policy),
    eopts: &EvalOptions,
    ctx: &Arc<RegionCtx>,
) -> Option<Change> {
    let hull = sp.hull(&parts.iter().map(|(r, ..)| r).collect::<Vec<_>>());
    let hull_constraints = sp.constraints(&hull, ctx);
    let hull_json: Vec<String> =
        hull_constraints.iter().map(|c| serde_json::to_string(c).unwrap_or_default()).collect();
    let mut views: Vec<(Part, usize)> = parts
        .iter()
        .map(|(r, leaf, od, nd)| {
            let constraints = sp.constraints(r, ctx);
            let extra: Vec<Constraint> = constraints
                .iter()
                .filter(|c| !hull_json.contains(&serde_json::to_string(c).unwrap_or_default()))
                .cloned()
                .collect();
            let words = if extra.is_empty() { "the whole region".to_string() } else { region::describe_rest(&extra) };
            let ids = |d: &[String]| d.iter().filter(|x| !x.is_empty()).cloned().collect::<Vec<_>>();
            let part = Part {
                region: words,
                constraints,
                old_deciding: ids(od),
                new_deciding: ids(nd),
                old_by_default: od.iter().any(String::is_empty),
                new_by_default: nd.iter().any(String::is_empty),
            };
            (part, *leaf)
        })
        .collect();
    views.sort_by(|a, b| (a.0.constraints.len(), &a.0.region).cmp(&(b.0.constraints.len(), &b.0.region)));
    // A witness: the smallest action of the simplest part whose outcomes are the change's.
    let want = |o: &Outcome, n: &Outcome| {
        o.verdict == ok.0
            && o.approvers == ok.1
            && o.obligations == ok.2
            && n.verdict == nk.0
            && n.approvers == nk.1
            && n.obligations == nk.2
    };
    let mut chosen = None;
    for (part, leaf) in views.iter().take(4) {
        let Some(leaf) = found.changed.get(*leaf) else { continue };
        let small = region::minimal(&leaf.facts, &part.constraints);
        for facts in [employed(&small, &part.constraints), small, leaf.facts.clone()] {
            let (o, n) = (decide(old.1, &facts, eopts), decide(new.1, &facts, eopts));
            if want(&o, &n) && part.constraints.iter().all(|c| c.contains(&facts)) {
                chosen = Some((facts, o, n));
                break;
            }
        }
        if chosen.is_some() {
            break;
        }
    }
    let (facts, wo, wn) = chosen?;
    let witness = region::to_action_json(&facts);
    let mut notes = Vec::new();
    for (label, p) in [("old", old.1), ("new", new.1)] {
        if let Some(msg) = undeclared(&witness, p) {
            notes.push(format!(
                "`smpolicy eval` with the {label} version rejects this witness ({msg}); the evaluator itself decides it as shown"
            ));
        }
    }
    let parts: Vec<Part> = views.into_iter().map(|(p, _)| p).collect();
    let o = Outcome {
        deciding: union(parts.iter().map(|p| p.old_deciding.clone()).chain([wo.deciding.clone()])),
        by_default: wo.by_default || parts.iter().any(|p| p.old_by_default),
        ..wo
    };
    let n = Outcome {
        deciding: union(parts.iter().map(|p| p.new_deciding.clone()).chain([wn.deciding.clone()])),
        by_default: wn.by_default || parts.iter().any(|p| p.new_by_default),
        ..wn
    };
    let mut words = region::describe(&hull_constraints);
    if parts.len() > 1 {
        words.push_str(&format!(" ({} parts)", parts.len()));
    }
    let direction = direction(&o, &n);
    Some(Change {
        region: words,
        constraints: hull_constraints,
        parts,
        witness,
        old: o,
        new: n,
        direction,
        notes,
        edits: vec![],
    })
}

/// The witness as an employed consultant when its region says nothing of the
/// actor's status: a reviewer should not wonder why a tweet was sent by a leaver.
fn employed(facts: &BTreeMap<String, Value>, constraints: &[Constraint]) -> BTreeMap<String, Value> {
    let about = |path: &str| {
        constraints.iter().any(|c| match c {
            Constraint::Test { facts, .. } => facts.iter().any(|f| f == path),
            other => other.fact() == path,
        })
    };
    let mut out = facts.clone();
    if !about("actor.status") {
        out.insert("actor.status".into(), Value::Symbol("employed".into()));
        if !about("actor.departed_on") {
            out.remove("actor.departed_on");
        }
    }
    out
}

/// Why the data check of a policy would reject a witness (a value it does not declare).
fn undeclared(witness: &serde_json::Value, p: &Policy) -> Option<String> {
    let action: crate::data::action::Action = match serde_json::from_value(witness.clone()) {
        Ok(a) => a,
        Err(e) => return Some(e.to_string()),
    };
    let errors = crate::data::action::check_open_values(&action, &p.decls);
    let first = errors.into_iter().next()?;
    Some(format!("{}: {}", first.path, first.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(v: Decision, obligations: &[&str]) -> Outcome {
        Outcome {
            verdict: v,
            approvers: vec![],
            obligations: obligations.iter().map(|s| s.to_string()).collect(),
            deciding: vec![],
            by_default: false,
        }
    }

    #[test]
    fn directions_follow_restrictiveness_then_obligations() {
        assert_eq!(direction(&out(Decision::Allow, &[]), &out(Decision::Deny, &[])), Direction::Stricter);
        assert_eq!(direction(&out(Decision::Deny, &[]), &out(Decision::RequireApproval, &[])), Direction::Looser);
        assert_eq!(direction(&out(Decision::Allow, &[]), &out(Decision::Allow, &["disclose"])), Direction::Stricter);
        assert_eq!(direction(&out(Decision::Allow, &["a"]), &out(Decision::Allow, &[])), Direction::Looser);
        assert_eq!(direction(&out(Decision::Allow, &["a"]), &out(Decision::Allow, &["b"])), Direction::Other);
        // A post refused either way is not "stricter" for gaining an obligation.
        assert_eq!(direction(&out(Decision::Deny, &[]), &out(Decision::Deny, &["disclose"])), Direction::Other);
        assert_eq!(direction(&out(Decision::Deny, &["disclose"]), &out(Decision::Deny, &[])), Direction::Other);
        assert_eq!(
            direction(&out(Decision::RequireApproval, &[]), &out(Decision::RequireApproval, &["disclose"])),
            Direction::Stricter
        );
        assert_eq!(direction(&out(Decision::Indeterminate, &[]), &out(Decision::Deny, &[])), Direction::Other);
    }
}
