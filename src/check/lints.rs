//! Checker stage: lints. Two passes:
//!
//! - over the AST: outcomes a clause lacks or cannot have, limits without a
//!   counter, empty sections, values out of range, dry runs, a missing default,
//!   modifiers a clause kind ignores;
//! - over the normalized rules ([`Policy`](crate::policy::Policy)): clauses
//!   that can never apply, clauses shadowed by a stricter one, ambiguous
//!   exceptions and conflicting section defaults, using [`logic`](super::logic).
//!
//! This stage reads the AST and the lowered policy; it must not change them
//! or touch the parser, the lowering or the evaluator.

use super::logic::{self, Why};
use super::Checker;
use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::policy::{Policy, Rule, SectionKind};
use crate::source::{Span, Spanned};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The AST lints.
pub(super) fn syntax_tree(cx: &mut Checker<'_>) {
    header(cx);
    let ast = cx.ast;
    for item in &ast.items {
        match &item.node {
            Item::Declaration(_) | Item::Fact(_) | Item::Assume(_) | Item::Brands(_) => {}
            Item::Ownership(clauses) => {
                empty(cx, clauses.is_empty(), "ownership", item.span);
                for c in clauses {
                    dry_run(cx, c.label.as_ref(), c.rule.span, &c.modifiers);
                    if let Some(t) = &c.modifiers.then {
                        let words = cx.text(t.span);
                        cx.diags.push(
                            Diagnostic::error(
                                "misplaced-outcome",
                                format!(
                                    "an ownership clause decides by its owner, so `then {words}` has no meaning here"
                                ),
                                t.span,
                                "no meaning on an ownership clause",
                            )
                            .with_help(
                                "to change who owns it, change the owner after `->`; for guidance add `advise \"...\"`",
                            ),
                        );
                    }
                }
            }
            Item::Departure(clauses) => {
                empty(cx, clauses.is_empty(), "on departure", item.span);
                for c in clauses {
                    dry_run(cx, c.label.as_ref(), c.rule.span, &c.modifiers);
                    owned_by_nobody(cx, c);
                }
            }
            Item::Covenant(c) => covenant(cx, c),
            Item::Posting(s) => {
                empty(cx, s.clauses.is_empty(), "posting", item.span);
                for c in &s.clauses {
                    posting(cx, c);
                }
            }
            Item::Connecting(s) => {
                empty(cx, s.clauses.is_empty(), "connecting", item.span);
                for c in &s.clauses {
                    connecting(cx, c);
                }
            }
            Item::Terms(clauses) => {
                empty(cx, clauses.is_empty(), "terms", item.span);
                for c in clauses {
                    terms(cx, c);
                }
            }
            Item::Rule(r) => {
                dry_run(cx, Some(&r.name), r.name.span, &r.modifiers);
                if r.modifiers.then.is_none() && r.modifiers.advise.is_empty() {
                    cx.diags.push(
                        Diagnostic::error(
                            "missing-outcome",
                            format!("rule `{}` has no outcome", r.name.node),
                            r.name.span,
                            "decides nothing",
                        )
                        .with_help(
                            "add `then deny`, `then allow`, `then require approval from ROLE` or `then advise \"...\"`",
                        ),
                    );
                }
            }
            Item::Exception(e) => dry_run(cx, Some(&e.name), e.name.span, &e.modifiers),
        }
    }
}

fn header(cx: &mut Checker<'_>) {
    let h = &cx.ast.header;
    match &h.default {
        None => cx.diags.push(
            Diagnostic::warning(
                "no-default",
                "actions no clause covers will be indeterminate",
                h.name.span,
                "no `default` in this header",
            )
            .with_help("write `default allow` or `default deny`; or `default none` to say that indeterminate is meant"),
        ),
        Some(d) => {
            if let DefaultVerdict::Outcome(Outcome::Advise(_)) = &d.node {
                advise_default(cx, d.span);
            }
        }
    }
}

fn advise_default(cx: &mut Checker<'_>, span: Span) {
    cx.diags.push(
        Diagnostic::error(
            "misplaced-outcome",
            "a default must decide, but `advise` decides nothing",
            span,
            "decides nothing",
        )
        .with_help("write `default allow`, `default deny`, `default require approval from ROLE` or `default none`"),
    );
}

fn empty(cx: &mut Checker<'_>, is_empty: bool, section: &str, span: Span) {
    if is_empty {
        cx.diags.push(
            Diagnostic::warning("empty-section", format!("the `{section}` section is empty"), span, "no clauses")
                .with_help("add clauses to it or remove it"),
        );
    }
}

/// The first line of a clause, shortened, for messages.
fn short(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 60 {
        let cut: String = line.chars().take(57).collect();
        format!("{}...", cut.trim_end())
    } else {
        line
    }
}

fn dry_run(cx: &mut Checker<'_>, name: Option<&Name>, clause: Span, m: &Modifiers) {
    let Some(span) = m.dry_run else { return };
    let who = name.map_or_else(|| short(&cx.text(clause)), |n| n.node.clone());
    cx.diags.push(
        Diagnostic::warning("dry-run", format!("`{who}` is in dry run: it is reported, not enforced"), span, "dry run")
            .with_help("remove `dry run` once the clause behaves as intended"),
    );
}

/// Modifiers that a clause kind ignores: `(span, modifier)`.
fn ignored(cx: &mut Checker<'_>, what: &str, found: Vec<(Span, &str)>, help: &str) {
    for (span, modifier) in found {
        cx.diags.push(
            Diagnostic::warning("ignored-modifier", format!("{what} ignores `{modifier}`"), span, "has no effect")
                .with_help(help.to_string()),
        );
    }
}

/// `remove connections owned by agency` when no ownership clause gives connections to the agency.
fn owned_by_nobody(cx: &mut Checker<'_>, c: &Clause<DepartureDuty>) {
    let asset = match &c.rule.node {
        DepartureDuty::HandOver { asset, .. }
        | DepartureDuty::Remove { asset, .. }
        | DepartureDuty::Keep { asset }
        | DepartureDuty::NoExport { asset } => asset,
        DepartureDuty::UpdateProfile { .. } => return,
    };
    // Connections or content: `owned by` reads the ownership lines of the same kind.
    let (party, what, example) = match &asset.node {
        Asset::Connections { owned_by: Some(party), .. } => {
            (party, "connections", "connections made during employment")
        }
        Asset::Material { owned_by: Some(party), .. } => (party, "content", "content made for agency"),
        _ => return,
    };
    let same_kind = |a: &Asset| match asset.node {
        Asset::Material { .. } => matches!(a, Asset::Material { .. }),
        _ => matches!(a, Asset::Connections { .. }),
    };
    let owned = cx.ast.items.iter().any(|i| match &i.node {
        Item::Ownership(clauses) => {
            clauses.iter().any(|o| o.rule.node.owner.node == party.node && same_kind(&o.rule.node.asset.node))
        }
        _ => false,
    });
    if !owned {
        let who = party.node.as_str();
        cx.diags.push(
            Diagnostic::warning(
                "never-fires",
                format!("no ownership clause gives {what} to `{who}`, so `owned by {who}` matches nothing"),
                party.span,
                "matches nothing",
            )
            .with_help(format!("add an ownership clause such as `{example} -> {who}`, or name the {what} another way")),
        );
    }
}

fn covenant(cx: &mut Checker<'_>, c: &Covenant) {
    let kind = c.kind.node;
    dry_run(cx, c.label.as_ref(), c.kind.span.join(c.duration.span), &c.modifiers);
    match c.duration.node {
        Some(d) if d.amount == 0 => cx.diags.push(
            Diagnostic::error(
                "invalid-value",
                format!("a covenant lasting `{d}` restrains nothing"),
                c.duration.span,
                "zero",
            )
            .with_help("give its length, as in `for 6 months`, or remove the covenant"),
        ),
        Some(_) => {}
        None => cx.diags.push(
            Diagnostic::warning(
                "covenant-without-end",
                format!("the {} covenant has no end date: it restrains the leaver for ever", kind.as_str()),
                c.duration.span,
                "no end date",
            )
            .with_help("courts rarely uphold a restraint without a time limit; give its length, as in `for 6 months`"),
        ),
    }
    if kind == CovenantKind::NonCompete {
        of_on_non_compete(cx, &c.of);
    }
    // What narrows each kind is one table (`CovenantKind::takes_lookback`,
    // `takes_radius`): the rest is refused, so the engine never applies it.
    if let Some(lb) = c.lookback.as_ref().filter(|_| !kind.takes_lookback()) {
        cx.diags.push(
            Diagnostic::error(
                "invalid-value",
                format!("a lookback narrows covenants about people dealt with, not a `{}`", kind.as_str()),
                lb.span,
                "a non-compete is about no particular people",
            )
            .with_help("remove it: a non-compete is limited by its length and its `radius`"),
        );
    }
    if let Some(r) = c.radius.as_ref().filter(|_| !kind.takes_radius()) {
        cx.diags.push(
            Diagnostic::error(
                "invalid-value",
                format!("a radius narrows a covenant by the distance to its target, not a `{}`", kind.as_str()),
                r.span,
                "no distance narrows this kind",
            )
            .with_help("remove it: a non-poaching covenant protects colleagues wherever they work; narrow it with `of ...` and `lookback ...`"),
        );
    }
    if let Some(t) = &c.modifiers.then {
        if matches!(t.node, Outcome::Allow) {
            cx.diags.push(
                Diagnostic::error(
                    "misplaced-outcome",
                    "a covenant restrains, so `then allow` has no meaning here",
                    t.span,
                    "no meaning on a covenant",
                )
                .with_help("to exempt some cases write `except when ...` or an `exception ... to` the covenant"),
            );
        }
    }
}

fn of_on_non_compete(cx: &mut Checker<'_>, of: &[Name]) {
    let (Some(first), Some(last)) = (of.first(), of.last()) else { return };
    let span = first.span.join(last.span);
    cx.diags.push(
        Diagnostic::error(
            "invalid-value",
            format!("a `non_compete` is not about particular people, so `of {}` does not apply", cx.text(span)),
            span,
            "not for a non-compete",
        )
        .with_help("remove `of ...`, or use `non_solicitation` or `non_dealing` for clients and candidates"),
    );
}

fn zero_limit(cx: &mut Checker<'_>, span: Span, message: String, help: &str) {
    cx.diags.push(Diagnostic::warning("bad-limit", message, span, "zero").with_help(help.to_string()));
}

fn default_clause(cx: &mut Checker<'_>, o: &Spanned<Outcome>, m: &Modifiers) {
    if matches!(o.node, Outcome::Advise(_)) {
        advise_default(cx, o.span);
    }
    let mut found: Vec<(Span, &str)> = m.unless.iter().map(|u| (u.span, "unless")).collect();
    found.extend(m.dry_run.map(|s| (s, "dry run")));
    found.extend(m.oblige.iter().map(|o| (o.text.span, "oblige")));
    found.extend(m.notes.iter().map(|n| (n.span, "note")));
    found.extend(m.consequence.iter().map(|c| (c.span, "consequence")));
    found.extend(m.see.iter().map(|s| (s.span, "see")));
    found.extend(m.priority.iter().map(|p| (p.span, "priority")));
    ignored(cx, "a section default", found, "remove it; a default can be narrowed with `when` only");
}

fn posting(cx: &mut Checker<'_>, c: &Clause<PostingRule>) {
    if !matches!(c.rule.node, PostingRule::Default(_)) {
        dry_run(cx, c.label.as_ref(), c.rule.span, &c.modifiers);
    }
    match &c.rule.node {
        PostingRule::Limit { max, .. } => {
            if max.node == 0 {
                zero_limit(
                    cx,
                    max.span,
                    "a limit of 0 refuses every post".into(),
                    "to refuse such posts outright write `forbid ...`; otherwise give a number above 0",
                );
            }
        }
        PostingRule::Share { percent, kind, .. } => {
            if percent.node == 0 {
                zero_limit(
                    cx,
                    percent.span,
                    format!("a share of 0% refuses every `{}` post", kind.node),
                    &format!("to refuse them outright write `forbid {}`", kind.node),
                );
            }
        }
        PostingRule::Default(o) => default_clause(cx, o, &c.modifiers),
        PostingRule::ForbidKinds(_)
        | PostingRule::OnlyKinds(_)
        | PostingRule::RequireApproval { .. }
        | PostingRule::RequireDisclosure { .. }
        | PostingRule::ForbidFlag(_)
        | PostingRule::ForbidConduct(_) => {}
    }
}

fn connecting(cx: &mut Checker<'_>, c: &Clause<ConnectingRule>) {
    if !matches!(c.rule.node, ConnectingRule::Default(_)) {
        dry_run(cx, c.label.as_ref(), c.rule.span, &c.modifiers);
    }
    match &c.rule.node {
        ConnectingRule::Limit { max, .. } => {
            if max.node == 0 {
                zero_limit(
                    cx,
                    max.span,
                    "a limit of 0 refuses every invitation".into(),
                    "to refuse invitations outright write `forbid invitations`; otherwise give a number above 0",
                );
            }
        }
        ConnectingRule::Default(o) => default_clause(cx, o, &c.modifiers),
        ConnectingRule::RequireInteraction | ConnectingRule::ForbidInvitations { .. } => {}
    }
}

fn terms(cx: &mut Checker<'_>, c: &Clause<TermsRule>) {
    if let TermsRule::MaxCovenant { kind, of, .. } | TermsRule::NoCovenant { kind, of } = &c.rule.node {
        if kind.node == CovenantKind::NonCompete {
            of_on_non_compete(cx, of);
        }
    }
    if let Some(t) = &c.modifiers.then {
        if matches!(t.node, Outcome::Allow | Outcome::RequireApproval(..)) {
            let words = cx.text(t.span);
            cx.diags.push(
                Diagnostic::error(
                    "misplaced-outcome",
                    format!("a terms clause that fails cannot `{words}`, so this outcome has no meaning here"),
                    t.span,
                    "no meaning on a terms clause",
                )
                .with_help("leave it out for a deal-breaker, or write `then advise` for a preference"),
            );
        }
    }
    let m = &c.modifiers;
    let mut found: Vec<(Span, &str)> = m.when.iter().map(|w| (w.span, "when")).collect();
    found.extend(m.unless.iter().map(|u| (u.span, "unless")));
    found.extend(m.dry_run.map(|s| (s, "dry run")));
    found.extend(m.oblige.iter().map(|o| (o.text.span, "oblige")));
    found.extend(m.consequence.iter().map(|c| (c.span, "consequence")));
    found.extend(m.see.iter().map(|s| (s.span, "see")));
    found.extend(m.priority.iter().map(|p| (p.span, "priority")));
    ignored(cx, "a terms clause", found, "remove it: a terms clause applies to every contract it is checked against");
}

// ───────────── lints over the normalized rules ─────────────

/// The lints that need the normalized rules.
pub(super) fn normalized(cx: &mut Checker<'_>, policy: &Policy) {
    never_fires(cx, policy);
    shadowed(cx, policy);
    ambiguous_exceptions(cx, policy);
    conflicting_defaults(cx, policy);
}

/// How a rule is called in a message.
fn called(r: &Rule) -> String {
    if r.named {
        format!("`{}`", r.id)
    } else {
        format!("the clause `{}`", short(&r.source))
    }
}

fn why_text(why: Why<'_>) -> String {
    match why {
        Why::False => "its condition is always false".to_string(),
        Why::Never(l) => format!("`{}` matches nothing", logic::show_lit(l)),
        Why::Both(a, b) => format!("`{}` and `{}` cannot both hold", logic::show_lit(a), logic::show_lit(b)),
    }
}

fn lit_labels(d: Diagnostic, why: Why<'_>, primary: Span) -> Diagnostic {
    let spans: Vec<(Option<Span>, &str)> = match why {
        Why::False => vec![],
        Why::Never(l) => vec![(l.test.span, "matches nothing")],
        Why::Both(a, b) => vec![(a.test.span, "this test"), (b.test.span, "contradicts this test")],
    };
    let mut d = d;
    let mut seen = vec![primary];
    for (span, message) in spans {
        if let Some(span) = span {
            // A test inside the clause's own span would draw over it; the message names it anyway.
            let inside = span.start < primary.end && primary.start < span.end;
            if !inside && !seen.contains(&span) {
                d = d.with_label(span, message);
                seen.push(span);
            }
        }
    }
    d
}

/// The rules one clause lowered to, each with why it can never apply (if it cannot).
type ClauseRules<'a> = Vec<(&'a Rule, Option<Why<'a>>)>;

fn never_fires(cx: &mut Checker<'_>, policy: &Policy) {
    // One clause may lower to several rules: it never fires when none of them can.
    let mut by_clause: BTreeMap<(usize, usize), ClauseRules<'_>> = BTreeMap::new();
    for r in &policy.rules {
        by_clause.entry((r.span.start, r.span.end)).or_default().push((r, logic::never(&r.when)));
    }
    for rules in by_clause.values() {
        if rules.iter().any(|(_, why)| why.is_none()) {
            continue;
        }
        let Some((r, Some(why))) = rules.first() else { continue };
        if matches!(why, Why::False) && r.section == SectionKind::Departure {
            continue; // `owned by` a party that owns nothing: reported on the syntax tree.
        }
        let d = Diagnostic::warning(
            "never-fires",
            format!("{} can never apply: {}", called(r), why_text(*why)),
            r.span,
            "never applies",
        )
        .with_help(match why {
            Why::False => "check what the clause refers to; as written it matches no action".to_string(),
            Why::Both(a, _) if matches!(&a.test.lhs, crate::policy::Term::Fact(p) if p == "at.time_of_day") => {
                "a time range across midnight is written with `or`, as in `at.time_of_day >= 22:00 or at.time_of_day < 06:00`".to_string()
            }
            _ => "fix the condition, or remove the clause".to_string(),
        });
        cx.diags.push(lit_labels(d, *why, r.span));
    }
}

/// A rule that decides, enforced, without exceptions of its own.
fn plain(r: &Rule) -> bool {
    r.effect.rank().is_some() && r.unless.is_empty() && !r.dry_run && r.overrides.is_empty()
}

fn shadowed(cx: &mut Checker<'_>, policy: &Policy) {
    for (ra, rb) in shadowing(policy, true) {
        let help = if rb.named {
            format!("remove it, or make it an exception (`exception NAME to {}`) if it should win", rb.id)
        } else {
            "remove it; if it should win, give the stricter clause a label and write an exception to it".to_string()
        };
        cx.diags.push(
            Diagnostic::warning(
                "shadowed-rule",
                format!(
                    "{} never decides, because {} ({}) applies whenever it does",
                    called(ra),
                    called(rb),
                    rb.effect.describe()
                ),
                ra.span,
                "never decides",
            )
            .with_label(rb.span, format!("stricter ({}) and applies whenever the other does", rb.effect.describe()))
            .with_help(help),
        );
    }
}

/// The shadowed rules, each with the earliest stricter clause that applies
/// whenever it does. `narrow`: keep of the rules sharing a set of tests only
/// those that can be an answer ([`shadowers`]); else every one is read (the
/// definition, for the tests: quadratic when many share one).
fn shadowing(policy: &Policy, narrow: bool) -> Vec<(&Rule, &Rule)> {
    let mut out = Vec::new();
    // Under priorities or `most_specific` a less strict clause may win: nothing is shadowed for sure.
    let prec = crate::semantics::Precedence::of(&policy.meta);
    if prec.indeterminate() || !prec.plain() {
        return out;
    }
    let overridden: foldhash::HashSet<&str> =
        policy.rules.iter().flat_map(|r| r.overrides.iter().map(String::as_str)).collect();
    // Each rule's conjunction as sorted ids of its (canonical) tests; ids are
    // given in order of first sight, each rule's tests in key order.
    let mut ids: foldhash::HashMap<String, u32> = foldhash::HashMap::default();
    let mut conjuncts = logic::ConjunctKeys::default();
    let keys: Vec<Vec<u32>> = policy
        .rules
        .iter()
        .map(|r| {
            conjuncts.fill(&r.when);
            let mut k: Vec<u32> = Vec::with_capacity(conjuncts.len());
            let mut previous: Option<&str> = None;
            for key in conjuncts.sorted() {
                if previous == Some(key) {
                    continue;
                }
                previous = Some(key);
                let id = match ids.get(key) {
                    Some(id) => *id,
                    None => {
                        let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
                        ids.insert(key.to_string(), next);
                        next
                    }
                };
                k.push(id);
            }
            k.sort_unstable();
            k.dedup();
            k
        })
        .collect();
    // Possible shadowers by their set of tests, in a trie: a rule's shadowers
    // are those whose set is a subset of its own tests, found by walking only
    // the trie's paths its tests allow.
    let mut by_set = SetTrie::default();
    let mut strongest: Option<u8> = None;
    for (i, (r, k)) in policy.rules.iter().zip(&keys).enumerate() {
        if plain(r) && !overridden.contains(r.id.as_str()) {
            by_set.insert(k, i);
            strongest = strongest.max(r.effect.rank());
        }
    }
    // Of the rules sharing a set of tests only those that can be the answer stay: a
    // thousand clauses with one condition were each read for every one of them (quadratic).
    if narrow {
        by_set.narrow(|rules| shadowers(rules, &policy.rules));
    }
    let mut reported: HashSet<Span> = HashSet::new();
    let mut subsets: Vec<usize> = Vec::new();
    for (a, (ra, ka)) in policy.rules.iter().zip(&keys).enumerate() {
        // A clause that allows with a duty attached (`require disclosure`) is there for the duty.
        if !plain(ra) || !ra.obligations.is_empty() || reported.contains(&ra.span) || ka.len() > MAX_SHADOW_TESTS {
            continue;
        }
        let Some(rank_a) = ra.effect.rank() else { continue };
        if strongest.is_none_or(|top| top <= rank_a) {
            continue; // No possible shadower is stricter.
        }
        let mut stronger: Option<&Rule> = None;
        subsets.clear();
        by_set.subsets_of(0, ka, &mut subsets);
        for &b in &subsets {
            let Some(rb) = policy.rules.get(b) else { continue };
            if b == a || rb.effect.rank().is_none_or(|r| r <= rank_a) || rb.span == ra.span {
                continue;
            }
            if stronger.is_none_or(|s| rb.span.start < s.span.start) {
                stronger = Some(rb);
            }
        }
        let Some(rb) = stronger else { continue };
        reported.insert(ra.span);
        out.push((ra, rb));
    }
    out
}

/// Of the rules (positions in `all`, ascending) whose conditions are one set
/// of tests, those [`shadowed`] can name as the stricter clause: for each
/// rank a shadower must reach (approval, deny), the first rule of each of the
/// two clauses that start earliest. A rule's own clause excludes at most one
/// of the two (its own rules among them); the other is its answer. Narrowed
/// in place (`rules` stay in order; nothing is allocated).
fn shadowers(rules: &mut Vec<usize>, all: &[Rule]) {
    let mut keep: [Option<usize>; 4] = [None; 4];
    for (least, kept) in (1..=2u8).zip(keep.chunks_exact_mut(2)) {
        let mut best: [Option<(usize, &Rule)>; 2] = [None, None];
        for &i in rules.iter() {
            let Some(r) = all.get(i).filter(|r| r.effect.rank().is_some_and(|k| k >= least)) else { continue };
            if best.iter().flatten().any(|(_, b)| b.span == r.span) {
                continue;
            }
            match best {
                [first, _] if first.is_none_or(|(_, b)| r.span.start < b.span.start) => best = [Some((i, r)), first],
                [first, second] if second.is_none_or(|(_, b)| r.span.start < b.span.start) => {
                    best = [first, Some((i, r))]
                }
                _ => {}
            }
        }
        for (k, b) in kept.iter_mut().zip(best) {
            *k = b.map(|(i, _)| i);
        }
    }
    rules.retain(|i| keep.contains(&Some(*i)));
}

/// Rules by their sets of tests (sorted ids), as a trie: the rules whose set
/// is a subset of a given one are found by walking only the trie's paths that
/// the given set allows, not all `2^n` of its subsets.
#[derive(Debug)]
struct SetTrie {
    /// Node 0 is the root (the empty set).
    nodes: Vec<TrieNode>,
}

#[derive(Debug, Default)]
struct TrieNode {
    /// The next id on the path and its node, sorted by id.
    children: Vec<(u32, usize)>,
    /// The rules whose set ends here.
    rules: Vec<usize>,
}

impl Default for SetTrie {
    fn default() -> Self {
        SetTrie { nodes: vec![TrieNode::default()] }
    }
}

impl SetTrie {
    /// Narrows the rules of each set with `f`.
    fn narrow(&mut self, mut f: impl FnMut(&mut Vec<usize>)) {
        for node in &mut self.nodes {
            f(&mut node.rules);
        }
    }

    fn insert(&mut self, set: &[u32], rule: usize) {
        let mut at = 0;
        for id in set {
            let Some(node) = self.nodes.get(at) else { return };
            at = match node.children.binary_search_by_key(id, |c| c.0) {
                Ok(i) => node.children.get(i).map_or(0, |c| c.1),
                Err(i) => {
                    let next = self.nodes.len();
                    self.nodes.push(TrieNode::default());
                    if let Some(node) = self.nodes.get_mut(at) {
                        node.children.insert(i, (*id, next));
                    }
                    next
                }
            };
        }
        if let Some(node) = self.nodes.get_mut(at) {
            node.rules.push(rule);
        }
    }

    /// Adds to `out` the rules under node `at` whose remaining ids are all in `ids` (sorted).
    fn subsets_of(&self, at: usize, ids: &[u32], out: &mut Vec<usize>) {
        let Some(node) = self.nodes.get(at) else { return };
        out.extend(&node.rules);
        for (i, id) in ids.iter().enumerate() {
            if let Ok(c) = node.children.binary_search_by_key(id, |c| c.0) {
                if let (Some(&(_, child)), Some(rest)) = (node.children.get(c), ids.get(i + 1..)) {
                    self.subsets_of(child, rest, out);
                }
            }
        }
    }
}

/// Rules with more top-level tests than this are not checked for shadowing
/// (a bound on the trie walk, whose depth is the number of a rule's tests).
const MAX_SHADOW_TESTS: usize = 12;

fn ambiguous_exceptions(cx: &mut Checker<'_>, policy: &Policy) {
    let exceptions: Vec<&Rule> =
        policy.rules.iter().filter(|r| r.section == SectionKind::Exception && !r.overrides.is_empty()).collect();
    let mut by_target: BTreeMap<&str, Vec<&Rule>> = BTreeMap::new();
    for e in &exceptions {
        for t in &e.overrides {
            by_target.entry(t.as_str()).or_default().push(e);
        }
    }
    let mut reported: HashSet<(&str, &str)> = HashSet::new();
    for (target, list) in by_target {
        let both = |i: usize, j: usize| {
            list.get(i).zip(list.get(j)).is_some_and(|(a, b)| logic::may_both_hold(&a.when, &b.when))
        };
        for (first, second) in contending(&list, both).into_iter().filter_map(|(i, j)| list.get(i).zip(list.get(j))) {
            if reported.contains(&(first.id.as_str(), second.id.as_str())) {
                continue;
            }
            reported.insert((first.id.as_str(), second.id.as_str()));
            cx.diags.push(
                Diagnostic::error(
                    "ambiguous-exception",
                    format!(
                        "exceptions `{}` and `{}` to `{target}` can both apply, with different outcomes",
                        first.id, second.id
                    ),
                    second.span,
                    format!("this one: {}", second.effect.describe()),
                )
                .with_label(first.span, format!("this one: {}", first.effect.describe()))
                .with_help("make their conditions exclusive (for example add `and not ...` to one), or give them the same outcome"),
            );
        }
    }
}

/// The pairs of exceptions (positions in `list`, the earlier first, in order)
/// with different outcomes (advice decides nothing, so it cannot contradict)
/// that `both` says may both hold. Only pairs that do not pin one fact to two
/// values ([`logic::pins`]) are tried, found by splitting the exceptions on
/// the fact most of them pin: exceptions to one clause told apart by one fact
/// (`history.posts_today = 1`, `= 2`, ...) are not tried pairwise. Trying
/// every two was quadratic (`check` of 16,000 such exceptions: 35 s).
fn contending(list: &[&Rule], mut both: impl FnMut(usize, usize) -> bool) -> Vec<(usize, usize)> {
    let split = Split { list, pins: list.iter().map(|e| logic::pins(&e.when)).collect() };
    let decided: Vec<usize> = (0..list.len()).filter(|&i| split.effect(i).is_some()).collect();
    let mut out = Vec::new();
    split.pairs(decided, &mut Vec::new(), &mut |i, j| {
        if both(i, j) {
            out.push((i, j));
        }
    });
    out.sort_unstable();
    out
}

/// The exceptions to one clause and the facts each pins, for [`contending`].
struct Split<'a> {
    list: &'a [&'a Rule],
    pins: Vec<Vec<(&'a str, logic::Pin<'a>)>>,
}

impl<'a> Split<'a> {
    /// Below this many exceptions a set is not split further.
    const SMALL: usize = 8;

    /// The outcome of exception `i`, if it decides (advice does not).
    fn effect(&self, i: usize) -> Option<&'a crate::policy::Effect> {
        self.list.get(i).map(|e| &e.effect).filter(|e| e.rank().is_some())
    }

    /// What exception `i` pins `path` to.
    fn pin(&self, i: usize, path: &str) -> Option<logic::Pin<'a>> {
        self.pins.get(i)?.iter().find(|(p, _)| *p == path).map(|(_, v)| *v)
    }

    /// To `out`, once each, the pairs among `items` that may contend (earlier
    /// first); `done`: the facts already split on.
    fn pairs(&self, items: Vec<usize>, done: &mut Vec<&'a str>, out: &mut impl FnMut(usize, usize)) {
        let Some((path, groups)) = self.split(&items, done) else {
            self.across(&items, &items, out);
            return;
        };
        let rest: Vec<usize> = items.into_iter().filter(|&i| self.pin(i, path).is_none()).collect();
        done.push(path);
        for group in groups {
            self.across(&group, &rest, out);
            self.pairs(group, done, out);
        }
        self.pairs(rest, done, out);
        done.pop();
    }

    /// The fact to split `items` on and the groups of those pinning it, no two
    /// of which can both hold: the fact most of them pin, all to sets of values
    /// of one kind (grouped by shared values) or all to ranges of one domain
    /// (grouped by ranges that meet, one after another), in at least two
    /// groups; none for a small set.
    fn split(&self, items: &[usize], done: &[&str]) -> Option<(&'a str, Vec<Vec<usize>>)> {
        if items.len() <= Self::SMALL {
            return None;
        }
        let mut by_path: BTreeMap<&'a str, Vec<(usize, logic::Pin<'a>)>> = BTreeMap::new();
        for &i in items {
            for (path, pin) in self.pins.get(i).into_iter().flatten() {
                if !done.contains(path) {
                    by_path.entry(path).or_default().push((i, *pin));
                }
            }
        }
        let mut best: Option<(&'a str, usize, Vec<Vec<usize>>)> = None;
        for (path, pinned) in by_path {
            if best.as_ref().is_some_and(|(_, n, _)| *n >= pinned.len()) {
                continue;
            }
            let n = pinned.len();
            if let Some(groups) = Self::groups(pinned).filter(|g| g.len() > 1) {
                best = Some((path, n, groups));
            }
        }
        best.map(|(path, _, groups)| (path, groups))
    }

    /// The exceptions pinning one fact in groups no two of which can both hold,
    /// if their pins are of one kind ([`logic::Pin::kind`]).
    fn groups(pinned: Vec<(usize, logic::Pin<'a>)>) -> Option<Vec<Vec<usize>>> {
        use logic::{Pin, PinKind};
        let kind = pinned.first()?.1.kind();
        if pinned.iter().any(|(_, p)| p.kind() != kind) {
            return None;
        }
        match kind? {
            PinKind::Values(_) => {
                // Exceptions sharing a value are joined (union-find over the first to name each
                // value); the groups are what is left: no two share a value.
                let mut parent: Vec<usize> = (0..pinned.len()).collect();
                let mut first: foldhash::HashMap<&crate::value::Value, usize> = foldhash::HashMap::default();
                for (k, (_, pin)) in pinned.iter().enumerate() {
                    let Pin::Among(values) = pin else { return None };
                    for v in values.iter() {
                        match first.get(v) {
                            Some(&j) => join(&mut parent, k, j),
                            None => {
                                first.insert(v, k);
                            }
                        }
                    }
                }
                let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
                for (k, (i, _)) in pinned.iter().enumerate() {
                    groups.entry(root(&mut parent, k)).or_default().push(*i);
                }
                Some(groups.into_values().collect())
            }
            PinKind::Line(_) => {
                let mut ranges = Vec::with_capacity(pinned.len());
                for (i, pin) in pinned {
                    let Pin::Range(_, lo, hi) = pin else { return None };
                    ranges.push((lo, hi, i));
                }
                // By lowest end: a range meets the group so far when it starts by the group's highest end.
                ranges.sort_unstable();
                let mut groups: Vec<Vec<usize>> = Vec::new();
                let mut reach = i128::MIN;
                for (lo, hi, i) in ranges {
                    match groups.last_mut() {
                        Some(group) if lo <= reach => group.push(i),
                        _ => groups.push(vec![i]),
                    }
                    reach = if lo <= reach { reach.max(hi) } else { hi };
                }
                // Each group's exceptions in order, as [`Split::pairs`] takes them.
                groups.iter_mut().for_each(|g| g.sort_unstable());
                Some(groups)
            }
        }
    }

    /// To `out`, every pair of one of `a` and one of `b` with different
    /// outcomes (earlier first), once: `a` and `b` are disjoint or the same
    /// set (its pairs, found by outcome: exceptions with one outcome are not
    /// paired at all).
    fn across(&self, a: &[usize], b: &[usize], out: &mut impl FnMut(usize, usize)) {
        let same = std::ptr::eq(a, b);
        let mut by_effect: Vec<(&crate::policy::Effect, Vec<usize>)> = Vec::new();
        for &j in b {
            let Some(effect) = self.effect(j) else { continue };
            match by_effect.iter_mut().find(|(e, _)| **e == *effect) {
                Some((_, members)) => members.push(j),
                None => by_effect.push((effect, vec![j])),
            }
        }
        for &i in a {
            let Some(effect) = self.effect(i) else { continue };
            for (_, members) in by_effect.iter().filter(|(e, _)| **e != *effect) {
                for &j in members.iter().filter(|&&j| !same || j > i) {
                    out(i.min(j), i.max(j));
                }
            }
        }
    }
}

/// The representative of `k`'s set in a union-find forest (`parent`), the
/// path halved on the way.
fn root(parent: &mut [usize], mut k: usize) -> usize {
    while let Some(&p) = parent.get(k) {
        if p == k {
            break;
        }
        let grand = parent.get(p).copied().unwrap_or(p);
        if let Some(slot) = parent.get_mut(k) {
            *slot = grand;
        }
        k = grand;
    }
    k
}

/// Joins the sets of `a` and `b` (the lower representative stays).
fn join(parent: &mut [usize], a: usize, b: usize) {
    let (a, b) = (root(parent, a), root(parent, b));
    if let Some(slot) = parent.get_mut(a.max(b)) {
        *slot = a.min(b);
    }
}

fn conflicting_defaults(cx: &mut Checker<'_>, policy: &Policy) {
    let mut first: HashMap<String, usize> = HashMap::new();
    for (i, d) in policy.defaults.iter().enumerate() {
        let k = logic::key(&d.scope);
        match first.get(&k).and_then(|j| policy.defaults.get(*j)) {
            Some(earlier) if earlier.effect != d.effect => cx.diags.push(
                Diagnostic::warning(
                    "conflicting-defaults",
                    format!(
                        "this default ({}) covers the same actions as an earlier one ({})",
                        d.effect.describe(),
                        earlier.effect.describe()
                    ),
                    d.span,
                    "conflicts",
                )
                .with_label(earlier.span, "the earlier default")
                .with_help("keep one of them"),
            ),
            Some(_) => {}
            None => {
                first.insert(k, i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn diags(text: &str) -> Vec<Diagnostic> {
        let file = SourceFile::new("t.policy", text);
        match crate::check::check_source(&file) {
            Ok((_, r)) => r.diagnostics,
            Err(d) => panic!("does not parse: {d:?}"),
        }
    }

    fn codes(text: &str) -> Vec<String> {
        diags(text).into_iter().map(|d| d.code).collect()
    }

    const H: &str = "policy \"x\" default allow\nroles consultant, manager\n";

    /// The policy lowered, not checked (these tests read the lints' own pieces).
    fn lowered(text: String) -> Policy {
        let file = SourceFile::new("t.policy", text);
        let ast = crate::parser::parse(&file).unwrap_or_else(|e| panic!("{e:?}"));
        crate::lower::lower(&file, &ast)
    }

    /// The ids of each shadowed rule and its shadower.
    fn ids(pairs: Vec<(&Rule, &Rule)>) -> Vec<(String, String)> {
        pairs.into_iter().map(|(a, b)| (a.id.clone(), b.id.clone())).collect()
    }

    /// Exceptions to one clause are paired across outcomes only, each pair once (the same
    /// pairs as asking every two gave, before the pairing went by outcome groups), and
    /// advice pairs with nothing.
    #[test]
    fn ambiguous_exceptions_are_the_pairs_with_different_outcomes_in_order() {
        let mut text = format!("{H}rule r {{ when action = post then require approval from manager }}\n");
        for (name, then) in [("e1", "allow"), ("e2", "deny"), ("e3", "allow"), ("e4", "deny"), ("e5", "advise")] {
            text.push_str(&format!("exception {name} to r {{ when content.public then {then} }}\n"));
        }
        let pairs: Vec<String> = diags(&text)
            .into_iter()
            .filter(|d| d.code == "ambiguous-exception")
            .map(|d| d.message.split('`').skip(1).step_by(2).take(2).collect::<Vec<_>>().join(" "))
            .collect();
        assert_eq!(pairs, ["e1 e2", "e2 e3", "e1 e4", "e3 e4"]);
    }

    /// Exceptions told apart by one fact, pinned to a value, a set of values or a range,
    /// alone or in a conjunction, are not tried pairwise: of 2,000 of them, outcomes
    /// alternating, no two are tried (not a million pairs).
    #[test]
    fn exceptions_told_apart_by_a_fact_are_not_tried_pairwise() {
        let numbers = |i: usize| match i % 3 {
            0 => format!("history.posts_today = {}", 10 * i),
            1 => format!("channel != blog and history.posts_today = {}", 10 * i),
            _ => format!("history.posts_today >= {} and history.posts_today < {}", 10 * i, 10 * i + 10),
        };
        let names = |i: usize| match i % 2 {
            0 => format!("actor.id = \"u{i}\" and content.public"),
            _ => format!("actor.id in {{\"u{i}\", \"v{i}\"}}"),
        };
        for (kind, when) in [("numbers", &numbers as &dyn Fn(usize) -> String), ("names", &names)] {
            let mut text = format!("{H}rule r {{ when action = post then deny }}\n");
            for i in 0..2_000 {
                let then = if i % 2 == 0 { "allow" } else { "require approval from manager" };
                text.push_str(&format!("exception e{i} to r {{ when {} then {then} }}\n", when(i)));
            }
            let policy = lowered(text);
            let list: Vec<&Rule> = policy.rules.iter().filter(|r| r.section == SectionKind::Exception).collect();
            let mut tried = 0;
            let found = contending(&list, |_, _| {
                tried += 1;
                true
            });
            assert!(found.is_empty(), "{kind}: {found:?}");
            assert_eq!(tried, 0, "{kind}: every exception pins its own value");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Splitting exceptions on the facts they pin tries every pair that may both
        /// hold, so it finds the same pairs as trying every two with different outcomes.
        #[test]
        fn splitting_on_pins_finds_the_pairs_trying_every_two_finds(
            exceptions in proptest::collection::vec((proptest::collection::vec(0..22usize, 1..4), 0..4usize), 1..40)
        ) {
            // (`content.kind = ...` is a type error `check` reports; it is no pin: a list is not one value.)
            const TESTS: [&str; 22] = [
                "channel = twitter", "channel = linkedin", "channel = blog", "history.posts_today = 1",
                "history.posts_today = 2", "actor.role = consultant", "actor.role = manager", "content.public",
                "not content.public", "history.posts_today > 1", "channel != twitter", "channel in {twitter, blog}",
                "content.kind = job_ad", "content.kind = brand", "history.posts_today < 1", "history.posts_today <= 2",
                "history.posts_today >= 3", "history.posts_today != 2", "at >= 2026-03-01", "at < 2026-03-01",
                "channel in {linkedin, facebook}", "actor.role in {consultant, manager}",
            ];
            const THEN: [&str; 4] = ["allow", "deny", "require approval from manager", "advise \"x\""];
            let mut text = format!("{H}rule r {{ when action = post then deny }}\n");
            for (k, (tests, then)) in exceptions.iter().enumerate() {
                let when: Vec<&str> = tests.iter().filter_map(|t| TESTS.get(*t).copied()).collect();
                let then = THEN.get(*then).copied().unwrap_or("allow");
                text.push_str(&format!("exception e{k} to r {{ when {} then {then} }}\n", when.join(" and ")));
            }
            let policy = lowered(text);
            let list: Vec<&Rule> = policy.rules.iter().filter(|r| r.section == SectionKind::Exception).collect();
            let both = |i: usize, j: usize| logic::may_both_hold(&list[i].when, &list[j].when);
            let mut every_two = Vec::new();
            for i in 0..list.len() {
                for j in i + 1..list.len() {
                    let decides = |k: usize| list[k].effect.rank().is_some();
                    if decides(i) && decides(j) && list[i].effect != list[j].effect && both(i, j) {
                        every_two.push((i, j));
                    }
                }
            }
            proptest::prop_assert_eq!(contending(&list, both), every_two);
        }
    }

    fn shadowing_ids(text: String) -> Vec<(String, String)> {
        ids(shadowing(&lowered(text), true))
    }

    /// Of the stricter clauses that apply whenever a clause does, the earliest in the file is
    /// named, whichever the walk reaches first (`r1`, of fewer tests, is reached before `r0`).
    #[test]
    fn the_earliest_stricter_clause_is_named() {
        let text = format!(
            "{H}rule r0 {{ when channel = twitter and action = post then deny }}\n\
             rule r1 {{ when action = post then deny }}\n\
             rule a {{ when action = post and channel = twitter then allow }}\n"
        );
        assert_eq!(shadowing_ids(text), [("a".to_string(), "r0".to_string())]);
    }

    /// A clause of more than [`MAX_SHADOW_TESTS`] tests is not looked at (the subsets of its
    /// tests to walk double with each); one of exactly that many is.
    #[test]
    fn shadowing_is_looked_for_in_clauses_of_up_to_twelve_tests() {
        for (tests, found) in [(MAX_SHADOW_TESTS, 1), (MAX_SHADOW_TESTS + 1, 0)] {
            let when: Vec<String> = (1..tests).map(|i| format!("history.posts_today != {i}")).collect();
            let text = format!(
                "{H}rule strict {{ when action = post then deny }}\n\
                 rule a {{ when action = post and {} then allow }}\n",
                when.join(" and ")
            );
            assert_eq!(shadowing_ids(text).len(), found, "{tests} tests");
        }
    }

    /// [`shadowers`] keeps the two clauses that start earliest whatever the order of the
    /// rules (the lowering need not give them in the file's order).
    #[test]
    fn the_two_earliest_clauses_are_kept_in_any_order() {
        let text = format!(
            "{H}rule r0 {{ when action = post then deny }}\nrule r1 {{ when action = post then deny }}\n\
             rule r2 {{ when action = post then deny }}\n"
        );
        let policy = lowered(text);
        let spans: Vec<Span> = policy.rules.iter().map(|r| r.span).collect();
        // Spans given to r0, r1, r2 (0: the earliest), and the rules kept.
        for (order, kept) in [([2, 1, 0], [1, 2]), ([1, 0, 2], [0, 1]), ([0, 2, 1], [0, 2]), ([0, 1, 2], [0, 1])] {
            let mut rules = policy.rules.clone();
            for (r, k) in rules.iter_mut().zip(order) {
                r.span = spans[k];
            }
            let mut narrowed = vec![0, 1, 2];
            shadowers(&mut narrowed, &rules);
            assert_eq!(narrowed, kept, "spans {order:?}");
        }
    }

    /// One clause can lower into rules of different outcomes (an ownership or departure
    /// clause): a rule is not shadowed by its own clause, so of a set's stricter rules the
    /// first of two clauses is kept, for the rule whose own clause is the first.
    #[test]
    fn a_rule_own_clause_does_not_hide_the_next_shadower() {
        let text = format!(
            "{H}rule a {{ when action = post then require approval from manager }}\n\
             rule b {{ when action = post then deny }}\nrule c {{ when action = post then deny }}\n"
        );
        let mut policy = lowered(text);
        let span = policy.rules[0].span;
        policy.rules[1].span = span; // `b` as if `a`'s clause had lowered into it too
        assert_eq!(ids(shadowing(&policy, true)), [("a".to_string(), "c".to_string())]);
        assert_eq!(ids(shadowing(&policy, false)), ids(shadowing(&policy, true)));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Keeping of the rules that share a set of tests only those that can be an answer
        /// names the same shadowed rules and shadowers as reading every one.
        #[test]
        fn narrowed_shadowers_are_the_ones_every_rule_read_names(
            rules in proptest::collection::vec((proptest::collection::vec(0..5usize, 0..3), 0..4usize, 1..3usize), 1..60)
        ) {
            const TESTS: [&str; 5] =
                ["channel = twitter", "content.public", "actor.role = manager", "history.posts_today > 3", "channel != blog"];
            const THEN: [&str; 4] = ["allow", "deny", "require approval from manager", "require approval from consultant"];
            let mut text = H.to_string();
            for (k, (tests, then, channels)) in rules.iter().enumerate() {
                let mut when: Vec<&str> = vec!["action = post"];
                when.extend(tests.iter().filter_map(|t| TESTS.get(*t).copied()));
                let then = THEN.get(*then).copied().unwrap_or("allow");
                // Some clauses on two channels: one clause, two rules with one span.
                let on = if *channels == 2 { " and channel in {twitter, linkedin}" } else { "" };
                text.push_str(&format!("rule r{k} {{ when {}{on} then {then} }}\n", when.join(" and ")));
            }
            let policy = lowered(text);
            let every = ids(shadowing(&policy, false));
            proptest::prop_assert_eq!(ids(shadowing(&policy, true)), every);
        }
    }

    #[test]
    fn missing_outcome_is_an_error() {
        assert_eq!(codes(&format!("{H}rule r {{ when content.confidential }}\n")), ["missing-outcome"]);
        assert!(codes(&format!("{H}rule r {{ when content.confidential advise \"careful\" }}\n")).is_empty());
    }

    #[test]
    fn every_limit_has_a_counter() {
        // Each of these was `no-counter` before `history.counts`: now each is counted.
        for clause in [
            "posting on twitter {\n  limit 5 job_ad posts per day\n}",
            "posting on twitter {\n  limit 5 brand posts per month per channel excluding shares\n}",
            "connecting on linkedin {\n  limit 10 invitations per day per channel\n}",
            "posting on twitter {\n  at most 30% job_ad posts per rolling 30 days\n}",
            "posting on twitter {\n  limit 5 job_ad posts per week\n  limit 9 posts per rolling day\n}",
        ] {
            assert!(codes(&format!("{H}{clause}\n")).is_empty(), "{clause}");
        }
    }

    #[test]
    fn zero_limits_and_empty_sections_warn() {
        let c = codes(&format!("{H}posting on twitter {{\n  limit 0 posts per day\n}}\nterms {{\n}}\n"));
        assert_eq!(c, ["bad-limit", "empty-section"]);
    }

    #[test]
    fn covenant_values_are_checked() {
        let c = codes(&format!("{H}covenant non_compete of clients for 0 months lookback 12 months\n"));
        assert_eq!(
            c,
            ["invalid-value", "invalid-value", "invalid-value"],
            "{:#?}",
            diags(&format!("{H}covenant non_compete of clients for 0 months lookback 12 months\n"))
        );
        // One table says what narrows each kind: a radius narrows a non-dealing or
        // non-solicitation covenant (the client's distance), not a non-poaching one.
        for kind in CovenantKind::ALL {
            let of = match kind {
                CovenantKind::NonCompete => "",
                CovenantKind::NonPoaching => "of staff ",
                _ => "of clients ",
            };
            let radius = codes(&format!("{H}covenant {} {of}for 6 months radius 5 miles\n", kind.as_str()));
            assert_eq!(radius.is_empty(), kind.takes_radius(), "{kind:?}: {radius:?}");
            let lookback = codes(&format!("{H}covenant {} {of}for 6 months lookback 12 months\n", kind.as_str()));
            assert_eq!(lookback.is_empty(), kind.takes_lookback(), "{kind:?}: {lookback:?}");
        }
    }

    #[test]
    fn dry_runs_are_reminded() {
        let d = diags(&format!("{H}rule quiet {{ when content.confidential then deny dry run }}\n"));
        assert_eq!(d.len(), 1);
        assert_eq!(d.first().map(|d| d.message.as_str()), Some("`quiet` is in dry run: it is reported, not enforced"));
    }

    #[test]
    fn contradictions_never_fire() {
        let d = diags(&format!("{H}rule r {{ when actor.status = employed and actor.status = departed then deny }}\n"));
        assert_eq!(d.len(), 1, "{d:#?}");
        let n = d.first().unwrap();
        assert_eq!(n.code, "never-fires");
        assert_eq!(
            n.message,
            "`r` can never apply: `actor.status = employed` and `actor.status = departed` cannot both hold"
        );
        assert_eq!(n.labels.len(), 3);
    }

    #[test]
    fn a_posting_clause_about_invitations_never_fires() {
        let d = diags(&format!("{H}posting on twitter {{\n  forbid confidential when action = connect\n}}\n"));
        assert_eq!(d.first().map(|d| d.code.as_str()), Some("never-fires"), "{d:#?}");
    }

    #[test]
    fn a_stricter_rule_shadows_a_narrower_one() {
        let d = diags(&format!(
            "{H}rule no-confidential {{ when content.confidential then deny }}\nrule ok-for-managers {{ when content.confidential and actor.role = manager then allow }}\n"
        ));
        assert_eq!(d.len(), 1, "{d:#?}");
        let s = d.first().unwrap();
        assert_eq!(s.code, "shadowed-rule");
        assert_eq!(
            s.message,
            "`ok-for-managers` never decides, because `no-confidential` (deny) applies whenever it does"
        );
    }

    #[test]
    fn no_shadowing_under_indeterminate_conflicts_or_with_unless() {
        let body = "rule a { when content.confidential then deny }\nrule b { when content.confidential and actor.role = manager then allow }\n";
        assert!(codes(&format!("policy \"x\" default allow conflicts indeterminate\nroles manager\n{body}")).is_empty());
        let body = "rule a { when content.confidential unless actor.role = manager then deny }\nrule b { when content.confidential and actor.role = manager then allow }\n";
        assert!(codes(&format!("{H}{body}")).is_empty());
    }

    #[test]
    fn owned_by_on_content_with_no_content_line_never_fires() {
        // Connections given to the agency do not make content the agency's.
        let text = format!("{H}ownership {{\n  connections made during employment -> agency\n}}\non departure {{\n  no export of videos owned by agency\n}}\n");
        let d = diags(&text);
        let w: Vec<&str> = d.iter().filter(|d| d.code == "never-fires").map(|d| d.message.as_str()).collect();
        assert_eq!(w, ["no ownership clause gives content to `agency`, so `owned by agency` matches nothing"]);
        let text = format!("{H}ownership {{\n  content made for agency -> agency\n}}\non departure {{\n  no export of videos owned by agency\n}}\n");
        assert!(diags(&text).iter().all(|d| d.code != "never-fires"));
    }

    #[test]
    fn overlapping_exceptions_with_different_outcomes_are_ambiguous() {
        let text = format!(
            "{H}rule no-posts {{ when action = post then deny }}\nexception a to no-posts {{ when actor.role = manager then allow }}\nexception b to no-posts {{ when content.confidential then require approval from manager }}\n"
        );
        assert_eq!(codes(&text), ["ambiguous-exception"]);
        let text = format!(
            "{H}rule no-posts {{ when action = post then deny }}\nexception a to no-posts {{ when actor.role = manager then allow }}\nexception b to no-posts {{ when actor.role = consultant then require approval from manager }}\n"
        );
        assert!(codes(&text).is_empty());
    }

    #[test]
    fn conflicting_section_defaults_warn() {
        let text =
            format!("{H}posting on twitter {{\n  default allow\n}}\nposting on twitter {{\n  default deny\n}}\n");
        assert_eq!(codes(&text), ["conflicting-defaults"]);
    }

    #[test]
    fn misplaced_outcomes_are_errors() {
        let text = format!("{H}ownership {{\n  branded accounts -> agency then allow\n}}\nterms {{\n  non_compete at most 3 months then allow\n}}\n");
        assert_eq!(codes(&text), ["misplaced-outcome", "misplaced-outcome"]);
        assert!(codes(&format!("{H}terms {{\n  non_compete at most 3 months then advise\n}}\n")).is_empty());
    }

    #[test]
    fn a_blanket_deny_shadows_every_allow() {
        let d = diags(&format!(
            "{H}rule lockdown {{ then deny }}\nrule a {{ when content.confidential then allow }}\nrule b {{ when channel = twitter and actor.role = manager then require approval from manager }}\n"
        ));
        assert_eq!(d.iter().filter(|d| d.code == "shadowed-rule").count(), 2, "{d:#?}");
    }

    #[test]
    fn owned_by_a_party_that_owns_nothing_never_fires() {
        let text = format!("{H}ownership {{\n  connections made during employment -> employee\n}}\non departure {{\n  remove connections owned by agency within 30 days\n}}\n");
        let d = diags(&text);
        assert_eq!(d.len(), 1, "{d:#?}");
        assert_eq!(
            d.first().map(|d| d.message.as_str()),
            Some("no ownership clause gives connections to `agency`, so `owned by agency` matches nothing")
        );
    }

    #[test]
    fn duties_are_not_shadowed() {
        let text = format!("{H}posting on youtube {{\n  require approval from manager\n  require disclosure\n}}\n");
        assert!(codes(&text).is_empty(), "{:#?}", diags(&text));
    }

    #[test]
    fn short_shortens() {
        assert_eq!(short("a  b\n c"), "a b c");
        assert_eq!(short(&"x".repeat(80)).chars().count(), 60);
    }
}
