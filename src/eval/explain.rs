//! Verdict to words: the plain-text and markdown explanations, and the
//! counterfactuals ("what single change would change this verdict").

use super::by_id::{ById, IdSet};
use super::interp::{resolve_date, Ctx, Truth};
use super::verdict::{Basis, Decision, Outcome, RuleResult, Status, Verdict};
use crate::ast::CmpOp;
use crate::policy::{Cond, Effect, Policy, RuleKind, Term, TestOp};
use std::fmt::Write as _;

/// What to include.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExplainOptions {
    /// List clauses that did not apply, each with the tests that made it fail.
    pub why_not: bool,
    /// In the clauses considered, also list those about another action or channel (else only counted).
    pub all: bool,
}

/// One clause as the list of clauses considered shows it: its head
/// (`` `id` (file:line): what became of it ``) and the lines that say why. Text
/// and markdown both print these, so they carry the same content.
fn considered(by_id: &ById<'_, RuleResult>, r: &RuleResult, file: &str) -> (String, Vec<String>) {
    let head = format!("`{}` ({}:{}): {}", r.id, file, r.line, r.outcome.words());
    let mut lines: Vec<String> = Vec::new();
    match r.outcome {
        Outcome::Excepted | Outcome::Undecided => lines.push(status_words(r)),
        Outcome::SetAside => {
            if let Some(l) = &r.set_aside_by {
                // The law's words are under "set aside by law"; here only where to look.
                lines.push(format!("{} under {}: see \"set aside by law\"", l.effect.words(), l.citation));
            }
        }
        Outcome::Overridden => {
            let by = r.overridden_by.clone().unwrap_or_default();
            let why = by_id.get(&by).and_then(|x| x.rationale.clone());
            lines.push(match why {
                Some(why) => format!("overridden by the exception `{by}`: {why}"),
                None => format!("overridden by the exception `{by}`"),
            });
        }
        Outcome::DidNotApply | Outcome::OutOfScope => {
            for t in &r.failed {
                lines.push(format!("✗ {}", t.text));
                lines.extend(t.computed.iter().map(|c| format!("  computed: {c}")));
            }
        }
        Outcome::Decided
        | Outcome::InConflict
        | Outcome::Applies
        | Outcome::DryRun
        | Outcome::Lapsed
        | Outcome::NotYetStarted => {}
    }
    if let Some(w) = &r.window {
        lines.extend(w.words());
    }
    (head, lines)
}

/// The clauses considered, as listed (out-of-scope ones only with `all`), and the heading.
fn considered_list(v: &Verdict, opts: ExplainOptions) -> (String, Vec<&RuleResult>) {
    let listed: Vec<&RuleResult> = v.rules.iter().filter(|r| opts.all || r.outcome != Outcome::OutOfScope).collect();
    let in_scope = v.rules.len() - v.out_of_scope;
    let title = match (v.out_of_scope, opts.all) {
        (0, _) => format!("clauses in scope ({in_scope})"),
        (n, true) => format!("clauses considered ({in_scope} in scope, {n} about another action or channel)"),
        (n, false) => format!(
            "clauses in scope ({in_scope}; {n} more about another action or channel are not listed: --all lists them)"
        ),
    };
    (title, listed)
}

/// How text and markdown lay out a list: the heading, an item, a line under it, and what ends the list.
struct Layout {
    heading: fn(&str) -> String,
    item: &'static str,
    sub: &'static str,
    end: &'static str,
}

impl Layout {
    const TEXT: Layout = Layout { heading: |t| format!("\n{t}:"), item: "  ", sub: "      ", end: "" };
    const MARKDOWN: Layout = Layout {
        heading: |t| {
            let mut c = t.chars();
            let first: String = c.next().map(|f| f.to_uppercase().collect()).unwrap_or_default();
            format!("### {first}{}\n", c.as_str())
        },
        item: "- ",
        sub: "  - ",
        end: "\n",
    };
}

/// The clauses considered and the facts read, in either layout: the same content.
fn write_considered(out: &mut String, v: &Verdict, file: &str, opts: ExplainOptions, l: Layout) {
    let (title, listed) = considered_list(v, opts);
    if !listed.is_empty() {
        let _ = writeln!(out, "{}", (l.heading)(&title));
        let by_id = ById::new(&v.rules, |r| r.id.as_str());
        for r in listed {
            let (head, lines) = considered(&by_id, r, file);
            let _ = writeln!(out, "{}{head}", l.item);
            for line in lines {
                let _ = writeln!(out, "{}{line}", l.sub);
            }
        }
        out.push_str(l.end);
    }
    if !v.facts.is_empty() {
        let _ = writeln!(out, "{}", (l.heading)("facts read"));
        for f in &v.facts {
            let _ = writeln!(out, "{}{}", l.item, fact_line(f));
        }
        out.push_str(l.end);
    }
}

/// A fact as the explanation lists it: `history.posts_today (posts today): 10`.
fn fact_line(f: &super::verdict::FactUsed) -> String {
    format!("{} ({}): {}", f.path, f.label, f.value)
}

fn effect_words(e: &Effect) -> String {
    e.describe()
}

fn status_words(r: &RuleResult) -> String {
    match r.status {
        Status::Applies if r.dry_run => "would apply (dry run: not enforced)".into(),
        Status::Applies => match &r.approved_by {
            Some(a) => format!("applies; approval already granted by {a}"),
            None => "applies".into(),
        },
        Status::NotApplicable => "does not apply".into(),
        Status::Excepted => match &r.excepted_reason {
            Some(why) => format!("excepted: unless {} — {why}", r.excepted_by.clone().unwrap_or_default()),
            None => format!("excepted: unless {}", r.excepted_by.clone().unwrap_or_default()),
        },
        Status::Overridden => format!("overridden by `{}`", r.overridden_by.clone().unwrap_or_default()),
        Status::SetAside => match &r.set_aside_by {
            Some(l) => format!("set aside by law: {} ({})", l.effect.words(), l.citation),
            None => "set aside by law".into(),
        },
        Status::Undecided => {
            let mut why: Vec<String> = Vec::new();
            if !r.missing.is_empty() {
                why.push(format!("missing {}", r.missing.join(", ")));
            }
            why.extend(r.undecidable.iter().cloned());
            format!("cannot be decided: {}", why.join("; "))
        }
    }
}

/// Writes a clause and its tests. For a clause that applies only the tests that
/// count for it are shown (`only_true`); for one that could not be decided, those
/// and the unknown ones. A test that failed there sat in an alternative that did
/// not matter. A test shown once is not repeated.
/// A requirement before acting, in words: what holds the action back, as
/// opposed to a duty attached to an allowed action.
fn requirement_words(first: &str) -> String {
    format!("required before acting: {first}; the action is held back until it is met (not a duty to do afterwards)")
}

/// What a breach of a clause that refuses or holds back the action leads to
/// (`consequence "..."`), and the documents it refers to (`see "..."`), in words.
fn consequence_lines(r: &RuleResult) -> Vec<String> {
    let restricts = r.effect.rank().is_some_and(|rank| rank > 0);
    let consequence = r.consequence.iter().filter(|_| restricts).map(|c| format!("if breached: {c}"));
    consequence.chain(r.see.iter().map(|s| format!("see: {s}"))).collect()
}

fn write_rule(out: &mut String, r: &RuleResult, file: &str, only_true: bool) {
    let _ = writeln!(out, "  `{}` ({}:{}:{}): {}", r.id, file, r.line, r.column, effect_words(&r.effect));
    match &r.description {
        Some(d) => {
            let _ = writeln!(out, "    clause:  {} \"{d}\"", r.source);
        }
        None => {
            let _ = writeln!(out, "    clause:  {}", r.source);
        }
    }
    if let Some(why) = &r.rationale {
        let _ = writeln!(out, "    because: {why}");
    }
    for line in consequence_lines(r) {
        let _ = writeln!(out, "    {line}");
    }
    if let Some(first) = &r.requirement {
        let _ = writeln!(out, "    {}", requirement_words(first));
    }
    if let Some(refused) = &r.approval_refused {
        let _ = writeln!(out, "    approval: {refused}");
    }
    let mut shown: Vec<&str> = Vec::new();
    for t in &r.tests {
        let skip = match t.truth {
            Truth::True => false,
            Truth::False => true,
            Truth::Unknown(_) => only_true,
        };
        if skip || shown.contains(&t.text.as_str()) {
            continue;
        }
        shown.push(&t.text);
        let mark = match t.truth {
            Truth::True => "✓",
            Truth::False => "✗",
            Truth::Unknown(_) => "?",
        };
        let _ = writeln!(out, "    {mark} {}", t.text);
        for c in &t.computed {
            let _ = writeln!(out, "      computed: {c}");
        }
    }
    if let Some(e) = &r.excepted_by {
        let _ = writeln!(out, "    excepted: unless {e}");
    }
    if let Some(a) = &r.approved_by {
        let _ = writeln!(out, "    approval already granted by {a}");
    }
}

/// The tests that made a clause fail, in words ("its condition" if none was recorded).
fn failed_words(r: &RuleResult) -> String {
    if r.failed.is_empty() {
        return "its condition".to_string();
    }
    r.failed.iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join("; ")
}

/// Who attached a note: the clause in backticks, or `smpolicy` for the engine's own notes.
fn attribution(rule: &str) -> String {
    if rule.is_empty() {
        "smpolicy".to_string()
    } else {
        format!("`{rule}`")
    }
}

/// A clause the law sets aside, in lines of words: the clause, what it would
/// have decided, why the law sets it aside, and what follows.
pub fn law_lines(l: &super::verdict::LawOverride, r: Option<&RuleResult>, file: &str) -> Vec<String> {
    let mut out = Vec::new();
    let at = r.map(|r| format!(" ({file}:{}:{})", r.line, r.column)).unwrap_or_default();
    let would = if l.applied {
        format!("it applies and would decide: {}", l.would_decide.describe())
    } else {
        format!("it would decide {} once its facts were known", l.would_decide.describe())
    };
    out.push(format!("`{}`{at}: {}; {would}", l.clause, l.effect.words()));
    if let Some(r) = r {
        out.push(format!("  clause:  {}", r.source));
    }
    let since = l.in_force_since.map(|d| format!(", in force since {d}")).unwrap_or_default();
    out.push(format!("  law:     {} ({}{since})", l.words, l.citation));
    out.push(format!("  applies: {}", l.applies_because));
    out.push(format!("  follows: {}", l.advice));
    for d in &l.employer_duties {
        let due = d.due.map(|d| format!("; due {d}")).unwrap_or_default();
        out.push(format!("  employer's duty: {} ({}{due})", d.text, d.basis));
    }
    out
}

/// The plain-text explanation.
pub fn text(v: &Verdict, file: &str, opts: ExplainOptions) -> String {
    if !v.groups.is_empty() {
        return groups_text(v, file, opts);
    }
    let mut out = String::new();
    // With clauses set aside by law, the others are what is left.
    let other = if v.law.is_empty() { "" } else { "other " };
    if v.as_written {
        let _ = writeln!(
            out,
            "as written: the policy's own view, with no rule of law applied (not what binds the employee)"
        );
    }
    let head = match v.verdict {
        Decision::RequireApproval => format!("require-approval (from {})", v.approvers_words),
        d => d.as_str().to_string(),
    };
    let _ = writeln!(out, "verdict: {head}");
    let _ = writeln!(out, "  {}", v.summary);
    if let Some(b) = &v.before_effective {
        let _ = writeln!(out, "  warning: {}", b.words());
    }
    let _ = writeln!(out, "policy: {}", v.policy);
    if let Some(b) = &v.version {
        let _ = writeln!(out, "version: {}", b.words());
    }
    match &v.basis {
        Basis::Clauses | Basis::Conflict { .. } => {
            let _ = writeln!(out, "\ndecided by:");
            for r in v.deciding_results() {
                write_rule(&mut out, r, file, true);
            }
            if let Some(c) = &v.conflict {
                let _ = writeln!(out, "  {}", c.words());
            }
        }
        Basis::MissingFacts { .. } => {
            let _ = writeln!(out, "\nundecided clauses (they could change the verdict):");
            for r in v.deciding_results() {
                write_rule(&mut out, r, file, false);
            }
        }
        Basis::SectionDefault { id, line } => {
            let _ = writeln!(out, "\nno {other}clause applies; section default `{id}` ({file}:{line}) decides");
            if let Some(why) = &v.default_rationale {
                let _ = writeln!(out, "  because: {why}");
            }
        }
        Basis::PolicyDefault => {
            let _ = writeln!(out, "\nno {other}clause applies; the policy default decides");
        }
        Basis::NoClause => {
            let _ = writeln!(out, "\nno {other}clause applies and the policy states no default");
        }
        // A verdict of groups is written by `groups_text`.
        Basis::Groups { .. } => {}
        Basis::UnknownVersion { each, .. } => {
            let _ = writeln!(out, "\nwhat each version would decide (none can be named for this actor):");
            for e in each {
                let _ = writeln!(out, "  version {}: {}", e.version, e.verdict.as_str());
            }
        }
    }
    // Only a deciding default's approval is recorded here.
    if let Some(g) = &v.default_approved_by {
        let _ = writeln!(out, "  approval already granted by {g}");
    }
    if !v.missing.is_empty() {
        let _ = writeln!(out, "\nmissing facts:\n  {}", v.missing.join(", "));
    }
    if !v.undecidable.is_empty() {
        let _ = writeln!(out, "\nundecidable tests:");
        for u in &v.undecidable {
            let _ = writeln!(out, "  - {u}");
        }
    }
    if !v.law.is_empty() {
        let _ = writeln!(out, "\nset aside by law (these clauses do not decide):");
        let by_id = ById::new(&v.rules, |r| r.id.as_str());
        for l in &v.law {
            for line in law_lines(l, by_id.get(&l.clause), file) {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
    let deciding = IdSet::new(&v.deciding);
    let also: Vec<&RuleResult> =
        v.rules.iter().filter(|r| r.status == Status::Applies && !deciding.contains(&r.id) && !r.dry_run).collect();
    if !also.is_empty() {
        let _ = writeln!(out, "\nalso applies:");
        for r in also {
            let _ = writeln!(out, "  `{}` ({}:{}): {}", r.id, file, r.line, effect_words(&r.effect));
        }
    }
    let excepted: Vec<&RuleResult> =
        v.rules.iter().filter(|r| matches!(r.status, Status::Excepted | Status::Overridden)).collect();
    if !excepted.is_empty() {
        let _ = writeln!(out, "\nexceptions:");
        for r in excepted {
            let _ = writeln!(out, "  `{}` ({}:{}) {}", r.id, file, r.line, status_words(r));
        }
    }
    if !v.obligations.is_empty() {
        let _ = writeln!(out, "\nobligations:");
        for o in &v.obligations {
            let mut line = format!("  - {} [`{}`]", o.text, o.rule);
            if let Some(d) = o.due {
                let _ = write!(line, "; due {d}");
            }
            if let Some(n) = o.overdue_days {
                let _ = write!(line, "; overdue by {n} day{}", if n == 1 { "" } else { "s" });
            }
            let _ = writeln!(out, "{line}");
            if let Some(k) = &o.done_key {
                let _ = writeln!(out, "      once done, record it as `done: [{k}]`");
            }
            if let Some(b) = &o.due_basis {
                let _ = writeln!(out, "      computed: {b}");
            }
        }
    }
    if !v.advice.is_empty() {
        let _ = writeln!(out, "\nadvice (not binding):");
        for a in &v.advice {
            let _ = writeln!(out, "  - {} [{}]", a.text, attribution(&a.rule));
        }
    }
    if !v.law_notes.is_empty() {
        let _ = writeln!(out, "\nlaw notes:");
        for n in &v.law_notes {
            let _ = writeln!(out, "  - {} [{}]", n.text, attribution(&n.rule));
        }
    }
    if !v.dry_run.is_empty() {
        let _ = writeln!(out, "\ndry run (reported, not enforced):");
        let by_id = ById::new(&v.rules, |r| r.id.as_str());
        for id in &v.dry_run {
            if let Some(r) = by_id.get(id) {
                let _ = writeln!(out, "  `{}` ({}:{}) would {}", r.id, file, r.line, effect_words(&r.effect));
            }
        }
    }
    if !v.counterfactuals.is_empty() {
        let _ = writeln!(out, "\nwhat would change it:");
        for c in &v.counterfactuals {
            let _ = writeln!(out, "  - {c}");
        }
    }
    // The long list last: what the reader must do or could change comes first.
    write_considered(&mut out, v, file, opts, Layout::TEXT);
    if opts.why_not {
        let not: Vec<&RuleResult> = v.rules.iter().filter(|r| r.status == Status::NotApplicable).collect();
        if !not.is_empty() {
            let _ = writeln!(out, "\nclauses that did not apply:");
            for r in not {
                let words = failed_words(r);
                let _ = writeln!(out, "  `{}` ({}:{}): {}", r.id, file, r.line, words);
                for c in r.failed.iter().flat_map(|t| &t.computed) {
                    let _ = writeln!(out, "      computed: {c}");
                }
            }
        }
    }
    out
}

/// The markdown explanation.
pub fn markdown(v: &Verdict, file: &str, opts: ExplainOptions) -> String {
    if !v.groups.is_empty() {
        return groups_markdown(v, file, opts);
    }
    let mut out = String::new();
    let head = match v.verdict {
        Decision::RequireApproval => format!("require-approval (from {})", v.approvers_words),
        d => d.as_str().to_string(),
    };
    if v.as_written {
        let _ = writeln!(out, "_As written: the policy's own view, with no rule of law applied._\n");
    }
    let _ = writeln!(out, "## Verdict: **{head}**\n");
    let _ = writeln!(out, "{}\n", v.summary);
    if let Some(b) = &v.before_effective {
        let _ = writeln!(out, "> **Warning:** {}\n", b.words());
    }
    let _ = writeln!(out, "Policy: {}\n", v.policy);
    if let Some(b) = &v.version {
        let _ = writeln!(out, "Version: {}\n", b.words());
    }
    if let Basis::UnknownVersion { each, .. } = &v.basis {
        let _ = writeln!(out, "### What each version would decide (none can be named for this actor)\n");
        for e in each {
            let _ = writeln!(out, "- version {}: **{}**", e.version, e.verdict.as_str());
        }
        out.push('\n');
    }
    let deciding: Vec<&RuleResult> = v.deciding_results().collect();
    if !deciding.is_empty() {
        let title = match v.basis {
            Basis::MissingFacts { .. } => "Undecided clauses (they could change the verdict)",
            _ => "Decided by",
        };
        let _ = writeln!(out, "### {title}\n");
        for r in deciding {
            let _ = writeln!(out, "- **`{}`** ({}:{}) — {}", r.id, file, r.line, effect_words(&r.effect));
            let _ = writeln!(out, "  - clause: `{}`", r.source);
            if let Some(why) = &r.rationale {
                let _ = writeln!(out, "  - because: {why}");
            }
            for line in consequence_lines(r) {
                let _ = writeln!(out, "  - {line}");
            }
            if let Some(first) = &r.requirement {
                let _ = writeln!(out, "  - {}", requirement_words(first));
            }
            if let Some(refused) = &r.approval_refused {
                let _ = writeln!(out, "  - approval: {refused}");
            }
            for t in &r.tests {
                let _ = writeln!(out, "  - {}", t.text);
                for c in &t.computed {
                    let _ = writeln!(out, "    - computed: {c}");
                }
            }
        }
        out.push('\n');
    }
    if !v.missing.is_empty() {
        let _ = writeln!(
            out,
            "### Missing facts\n\n{}\n",
            v.missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
        );
    }
    if !v.undecidable.is_empty() {
        let _ = writeln!(out, "### Undecidable tests\n");
        for u in &v.undecidable {
            let _ = writeln!(out, "- {u}");
        }
        out.push('\n');
    }
    if let Some(c) = &v.conflict {
        let _ = writeln!(out, "{}\n", c.words());
    }
    if !v.law.is_empty() {
        let _ = writeln!(out, "### Set aside by law\n");
        let by_id = ById::new(&v.rules, |r| r.id.as_str());
        for l in &v.law {
            let lines = law_lines(l, by_id.get(&l.clause), file);
            for (k, line) in lines.iter().enumerate() {
                let _ = writeln!(out, "{}{}", if k == 0 { "- " } else { "  - " }, line.trim_start());
            }
        }
        out.push('\n');
    }
    let deciding = IdSet::new(&v.deciding);
    let also = v.rules.iter().filter(|r| r.status == Status::Applies && !deciding.contains(&r.id) && !r.dry_run);
    let by_id = ById::new(&v.rules, |r| r.id.as_str());
    let excepted = v.rules.iter().filter(|r| matches!(r.status, Status::Excepted | Status::Overridden));
    let sections: [(&str, Vec<String>); 7] = [
        (
            "Also applies",
            also.map(|r| format!("`{}` ({}:{}): {}", r.id, file, r.line, effect_words(&r.effect))).collect(),
        ),
        ("Exceptions", excepted.map(|r| format!("`{}` ({}:{}) {}", r.id, file, r.line, status_words(r))).collect()),
        (
            "Obligations",
            v.obligations
                .iter()
                .map(|o| {
                    let due = o.due.map(|d| format!(" (due {d})")).unwrap_or_default();
                    let late = o.overdue_days.map(|n| format!(", overdue by {n} days")).unwrap_or_default();
                    let mut item = format!("{}{due}{late} — `{}`", o.text, o.rule);
                    if let Some(k) = &o.done_key {
                        let _ = write!(item, "\n  - once done, record it as `done: [{k}]`");
                    }
                    if let Some(b) = &o.due_basis {
                        let _ = write!(item, "\n  - computed: {b}");
                    }
                    item
                })
                .collect(),
        ),
        ("Advice", v.advice.iter().map(|a| format!("{} — {}", a.text, attribution(&a.rule))).collect()),
        ("Law notes", v.law_notes.iter().map(|a| format!("{} — {}", a.text, attribution(&a.rule))).collect()),
        (
            "Dry run (reported, not enforced)",
            v.dry_run
                .iter()
                .filter_map(|id| by_id.get(id))
                .map(|r| format!("`{}` ({}:{}) would {}", r.id, file, r.line, effect_words(&r.effect)))
                .collect(),
        ),
        ("What would change it", v.counterfactuals.clone()),
    ];
    for (title, items) in sections {
        if !items.is_empty() {
            let _ = writeln!(out, "### {title}\n");
            for i in items {
                let _ = writeln!(out, "- {i}");
            }
            out.push('\n');
        }
    }
    write_considered(&mut out, v, file, opts, Layout::MARKDOWN);
    if opts.why_not {
        let _ = writeln!(out, "### Clauses that did not apply\n");
        for r in v.rules.iter().filter(|r| r.status == Status::NotApplicable) {
            let _ = writeln!(out, "- `{}` (line {}): {}", r.id, r.line, failed_words(r));
        }
    }
    // Every text of the policy and the action is written as text, never as markup.
    crate::markdown::text(&out)
}

/// The verdict's head: `deny`, `require-approval (from marketing)`.
fn head_words(v: &Verdict) -> String {
    match v.verdict {
        Decision::RequireApproval => format!("require-approval (from {})", v.approvers_words),
        d => d.as_str().to_string(),
    }
}

/// The plain-text explanation of an action about several groups of contacts:
/// the whole verdict, a line per group, then each group's own explanation
/// (indented), as a one-group action would get it.
fn groups_text(v: &Verdict, file: &str, opts: ExplainOptions) -> String {
    let mut out = String::new();
    if v.as_written {
        let _ = writeln!(
            out,
            "as written: the policy's own view, with no rule of law applied (not what binds the employee)"
        );
    }
    let _ = writeln!(out, "verdict: {}", head_words(v));
    let _ = writeln!(out, "  {}", v.summary);
    if let Some(b) = &v.before_effective {
        let _ = writeln!(out, "  warning: {}", b.words());
    }
    let _ = writeln!(out, "policy: {}", v.policy);
    if let Some(b) = &v.version {
        let _ = writeln!(out, "version: {}", b.words());
    }
    let _ = writeln!(out, "\ngroups (each decided on its own, as if it were the only one):");
    for g in &v.groups {
        let _ = writeln!(out, "  {}: {}", g.words, head_words(&g.verdict));
    }
    for g in &v.groups {
        let _ = writeln!(out, "\ngroup {}:", g.words);
        for line in text(&g.verdict, file, opts).lines() {
            match line {
                "" => out.push('\n'),
                l => {
                    let _ = writeln!(out, "    {l}");
                }
            }
        }
    }
    out
}

/// The markdown explanation of an action about several groups of contacts:
/// the same parts as [`groups_text`], each group's explanation under its own
/// heading with its headings one level down.
fn groups_markdown(v: &Verdict, file: &str, opts: ExplainOptions) -> String {
    let mut out = String::new();
    if v.as_written {
        let _ = writeln!(out, "_As written: the policy's own view, with no rule of law applied._\n");
    }
    let _ = writeln!(out, "## Verdict: **{}**\n", head_words(v));
    let _ = writeln!(out, "{}\n", v.summary);
    if let Some(b) = &v.before_effective {
        let _ = writeln!(out, "> **Warning:** {}\n", b.words());
    }
    let _ = writeln!(out, "Policy: {}\n", v.policy);
    if let Some(b) = &v.version {
        let _ = writeln!(out, "Version: {}\n", b.words());
    }
    let _ = writeln!(out, "### Groups (each decided on its own, as if it were the only one)\n");
    for g in &v.groups {
        let _ = writeln!(out, "- {}: **{}**", g.words, head_words(&g.verdict));
    }
    // The policy's name and the summary are written as text, never as markup (each group's
    // own explanation below is already: `markdown` writes it through `crate::markdown::text`).
    let mut out = crate::markdown::text(&out);
    for g in &v.groups {
        let _ = writeln!(out, "\n### Group {}\n", crate::markdown::text(&g.words));
        for line in markdown(&g.verdict, file, opts).lines() {
            if line.starts_with('#') {
                let _ = writeln!(out, "##{line}");
            } else {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    out
}

/// What single change would change a deny or require-approval (or settle an indeterminate).
pub fn counterfactuals(v: &Verdict, policy: &Policy, ctx: &Ctx<'_>) -> Vec<String> {
    let mut out = Vec::new();
    match v.verdict {
        Decision::Indeterminate => {
            if !v.missing.is_empty() {
                out.push(format!("giving {} would let the policy decide", v.missing.join(", ")));
            }
            if matches!(v.basis, Basis::NoClause) {
                out.push("a `default` in the policy header, or a clause covering this action, would decide it".into());
            }
            return out;
        }
        Decision::Allow => return allow_routes(v, policy, ctx),
        Decision::Deny | Decision::RequireApproval => {}
    }
    let single = v.deciding.len() == 1;
    let rules = ById::new(&policy.rules, |r| r.id.as_str());
    let results = ById::new(&v.rules, |r| r.id.as_str());
    for id in &v.deciding {
        let Some(rule) = rules.get(id) else { continue };
        match &rule.kind {
            RuleKind::Covenant { .. } => {
                if let Some(end) = window_end(&rule.when, ctx) {
                    if let Ok(next) = end.tomorrow() {
                        out.push(format!("from {next} `{id}` no longer applies (its window ends on {end}, inclusive)"));
                    }
                }
            }
            RuleKind::Limit { max, per, .. } => {
                out.push(format!("allowed again {} (the limit is {max})", per.again_words()));
            }
            kind if kind.is_overdue_duty() => {
                out.push(format!("doing the duty (recording it under `done`) ends the breach of `{id}`"));
            }
            _ => {}
        }
        if let Effect::RequireApproval { approvers, join } = &rule.effect {
            out.push(format!("approval from {} (`approval.granted_by`) would permit it", join.words(approvers)));
        }
        // The clause's own exceptions are routes too: each would lift it.
        for (k, u) in rule.unless.iter().enumerate() {
            let words = crate::check::logic::key(u);
            let words = words.strip_prefix('(').and_then(|w| w.strip_suffix(')')).unwrap_or(&words);
            let route = match words.strip_prefix("not (").and_then(|w| w.strip_suffix(')')) {
                Some(inner) => format!("if {inner} did not hold"),
                None => format!("if {words} held"),
            };
            let reason = rule.unless_reasons.get(k).cloned().flatten().map(|r| format!(" ({r})")).unwrap_or_default();
            out.push(format!("{route}, `{id}` would not apply{reason}"));
        }
        if single {
            if let Some(r) = results.get(id) {
                for t in r.tests.iter().filter(|t| matches!(t.truth, Truth::True)) {
                    // Only yes/no facts (`content.confidential`), not the presence of a part (`account`).
                    let yes_no = t.fact.as_deref().is_some_and(|f| f.contains('.'));
                    if let (true, Some(f), Some(crate::value::Value::Bool(true))) = (yes_no, &t.fact, &t.value) {
                        out.push(format!("with `{f}: false` `{id}` would not apply"));
                    }
                }
            }
        }
    }
    out.dedup();
    out
}

/// The most routes an allow lists: the nearest first.
const ALLOW_ROUTES: usize = 3;

/// What single change of one fact would make an allow refused or held for
/// approval: each enforced deny or require-approval clause in scope that did not
/// apply because of exactly one test on a yes/no fact or a count below its
/// threshold, and that, evaluated again with only that fact changed, applies
/// (its whole condition holds and none of its exceptions does); and each such
/// covenant that covered the action outside its window ([`window_route`]).
/// Nearest first (covenant windows, counts by how far they are from the
/// threshold, then yes/no facts).
fn allow_routes(v: &Verdict, policy: &Policy, ctx: &Ctx<'_>) -> Vec<String> {
    use crate::value::Value;
    let mut routes: Vec<(u8, i64, String)> = Vec::new();
    // Under priorities or `most_specific`, a restriction that came to apply changes the verdict
    // only if no clause that applies beats it (the semantics' one rule).
    let prec = crate::semantics::Precedence::of(&policy.meta);
    let contender = crate::semantics::Contender::of;
    let idx = Clauses::of(policy);
    let applying: Vec<crate::semantics::Contender<'_>> = v
        .rules
        .iter()
        .filter(|r| r.status == Status::Applies && !r.dry_run && r.effect.rank().is_some())
        .filter_map(|r| idx.by_id.get(&r.id))
        .map(contender)
        .collect();
    let field = crate::semantics::Field::new(prec, &applying);
    for r in &v.rules {
        if let Some(line) = window_route(r, &idx, ctx) {
            routes.push((0, 0, line));
            continue;
        }
        let blocks = matches!(r.effect, Effect::Deny | Effect::RequireApproval { .. });
        let ([t], true, Outcome::DidNotApply, false) = (r.failed.as_slice(), blocks, r.outcome, r.dry_run) else {
            continue;
        };
        let (Some(rule), Some(f)) = (idx.by_id.get(&r.id), &t.fact) else { continue };
        let (id, effect) = (&r.id, effect_words(&r.effect));
        let named = format!("`{f}` ({})", crate::facts::label(f));
        let (rank, distance, changed, line) = match ctx.fact(f) {
            Some(Value::Bool(false)) => {
                (1, 0, Value::Bool(true), format!("if {named} were true, `{id}` would {effect}"))
            }
            Some(Value::Int(now)) => {
                // The threshold the failing test sets (`>= 10`, `> 9`), when it is a number.
                let at = rule.when.tests().into_iter().find_map(|w| match (&w.lhs, &w.op) {
                    (Term::Fact(p), TestOp::Cmp(CmpOp::Ge, Term::Const(Value::Int(n)))) if p == f => Some(*n),
                    (Term::Fact(p), TestOp::Cmp(CmpOp::Gt, Term::Const(Value::Int(n)))) if p == f => n.checked_add(1),
                    _ => None,
                });
                let Some(at) = at.filter(|at| *at > now) else { continue };
                let line = format!("once {named} reaches {at} (it is {now}), `{id}` would {effect}");
                (0, at - now, Value::Int(at), line)
            }
            _ => continue,
        };
        let facts = Changed { base: ctx.facts, changes: vec![(f, changed)] };
        if !field.beaten(contender(rule)) && applies_with(rule, &idx, &facts, ctx.at, ctx) {
            routes.push((rank, distance, line));
        }
    }
    routes.sort_by_key(|(rank, distance, _)| (*rank, *distance));
    routes.into_iter().take(ALLOW_ROUTES).map(|(_, _, line)| line).collect()
}

/// A policy's clauses as the routes to a refusal look them up: by id, and
/// the enforced exception clauses that name each (`exception x to it`), each
/// found once rather than by a scan of every clause per route.
struct Clauses<'a> {
    by_id: ById<'a, crate::policy::Rule>,
    overriders: std::collections::HashMap<&'a str, Vec<&'a crate::policy::Rule>>,
}

impl<'a> Clauses<'a> {
    fn of(policy: &'a Policy) -> Clauses<'a> {
        let mut overriders: std::collections::HashMap<&str, Vec<&crate::policy::Rule>> = Default::default();
        for x in policy.rules.iter().filter(|x| !x.dry_run) {
            for o in &x.overrides {
                overriders.entry(o.as_str()).or_default().push(x);
            }
        }
        Clauses { by_id: ById::new(&policy.rules, |r| r.id.as_str()), overriders }
    }
}

/// Whether a clause applies with the action's facts changed (and the action at
/// `at`): its whole condition holds, none of its exceptions does, and no
/// enforced exception clause that names it (`exception x to it`) applies.
fn applies_with(
    rule: &crate::policy::Rule,
    idx: &Clauses<'_>,
    facts: &Changed<'_>,
    at: jiff::Timestamp,
    ctx: &Ctx<'_>,
) -> bool {
    let again = Ctx { facts, tz: ctx.tz, at, types: ctx.types };
    let truth = |c: &Cond| super::interp::eval_cond(c, &again, &mut Vec::new());
    let applies =
        |r: &crate::policy::Rule| truth(&r.when) == Truth::True && r.unless.iter().all(|u| truth(u) == Truth::False);
    let overridden = || idx.overriders.get(rule.id.as_str()).is_some_and(|xs| xs.iter().any(|x| applies(x)));
    applies(rule) && !overridden()
}

/// For an enforced deny or require-approval covenant that covered the action
/// but whose window had not started or had ended: the dates on which it would
/// apply, read from the window the evaluator computed ([`Verdict`]'s
/// `rules[].window`). Given only when the covenant, evaluated again on the
/// window's first (not started) or last (lapsed) day, with the actor departed,
/// applies.
fn window_route(r: &RuleResult, idx: &Clauses<'_>, ctx: &Ctx<'_>) -> Option<String> {
    use super::verdict::Position;
    let blocks = matches!(r.effect, Effect::Deny | Effect::RequireApproval { .. });
    let (Some(w), true, false) = (&r.window, blocks, r.dry_run) else { return None };
    let rule = idx.by_id.get(&r.id)?;
    let (id, effect, from) = (&r.id, effect_words(&r.effect), w.from?);
    let runs = match w.until {
        Some(until) => format!("from {from} to {until} inclusive"),
        None => format!("from {from}, with no end date"),
    };
    let (on, line) = match (r.outcome, w.action_falls) {
        (Outcome::NotYetStarted, Position::Before) if from > w.action_on => (
            from,
            format!(
                "from {from} `{id}` would {effect} this: its window runs {runs}, and the action ({}) falls before it",
                w.action_on
            ),
        ),
        (Outcome::Lapsed, Position::After) => {
            let until = w.until?;
            let line = format!(
                "on or before {until} `{id}` would {effect} this: its window ran {runs}, and the action ({}) falls after it",
                w.action_on
            );
            (until, line)
        }
        _ => return None,
    };
    // The action's own time of day, on that date, in the policy's timezone.
    let time = ctx.at.to_zoned(ctx.tz.clone()).time();
    let at = on.to_datetime(time).to_zoned(ctx.tz.clone()).ok()?.timestamp();
    let departed = crate::value::Value::Symbol("departed".to_string());
    let facts = Changed {
        base: ctx.facts,
        changes: vec![("at", crate::value::Value::Timestamp(at)), ("actor.status", departed)],
    };
    applies_with(rule, idx, &facts, at, ctx).then_some(line)
}

/// The action's facts with some of them changed, for a counterfactual.
struct Changed<'a> {
    base: &'a dyn super::Facts,
    changes: Vec<(&'a str, crate::value::Value)>,
}

impl Changed<'_> {
    fn changed(&self, path: &str) -> Option<crate::value::Value> {
        self.changes.iter().find(|(p, _)| *p == path).map(|(_, v)| v.clone())
    }
}

impl super::Facts for Changed<'_> {
    fn approvals(&self) -> Option<&[crate::data::action::Approval]> {
        self.base.approvals()
    }

    fn fact(&self, path: &str) -> Option<crate::value::Value> {
        self.changed(path).or_else(|| self.base.fact(path))
    }

    fn fact_typed(&self, path: &str, ty: Option<&crate::value::Type>) -> Option<crate::value::Value> {
        self.changed(path).or_else(|| self.base.fact_typed(path, ty))
    }
}

/// The last date of a covenant window: the `at <= DATE` test in its condition.
fn window_end(c: &Cond, ctx: &Ctx<'_>) -> Option<jiff::civil::Date> {
    c.tests().into_iter().find_map(|t| match (&t.lhs, &t.op) {
        (Term::Fact(p), TestOp::Cmp(CmpOp::Le, rhs)) if p == "at" => resolve_date(rhs, ctx),
        _ => None,
    })
}
