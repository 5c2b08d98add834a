//! Verdict to words: the plain-text and markdown explanations, and the
//! counterfactuals ("what single change would change this verdict").

use super::interp::{resolve_date, Ctx, Truth};
use super::verdict::{Basis, Decision, RuleResult, Status, Verdict};
use crate::ast::{CmpOp, Period};
use crate::policy::{Cond, Effect, Policy, RuleKind, Term, TestOp};
use std::fmt::Write as _;

/// What to include.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExplainOptions {
    /// List clauses that did not apply, each with the first condition that failed.
    pub why_not: bool,
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

/// Who attached a note: the clause in backticks, or `smpolicy` for the engine's own notes.
fn attribution(rule: &str) -> String {
    if rule.is_empty() {
        "smpolicy".to_string()
    } else {
        format!("`{rule}`")
    }
}

/// The plain-text explanation.
pub fn text(v: &Verdict, file: &str, opts: ExplainOptions) -> String {
    let mut out = String::new();
    let head = match v.verdict {
        Decision::RequireApproval => format!("require-approval (from {})", v.approvers.join(" or ")),
        d => d.as_str().to_string(),
    };
    let _ = writeln!(out, "verdict: {head}");
    let _ = writeln!(out, "  {}", v.summary);
    if let Some(b) = &v.before_effective {
        let _ = writeln!(out, "  warning: {}", b.words());
    }
    let _ = writeln!(out, "policy: {}", v.policy);
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
            if !v.missing.is_empty() {
                let _ = writeln!(out, "  missing facts: {}", v.missing.join(", "));
            }
            for u in &v.undecidable {
                let _ = writeln!(out, "  undecidable: {u}");
            }
        }
        Basis::SectionDefault { id, line } => {
            let _ = writeln!(out, "\nno clause applies; section default `{id}` ({file}:{line}) decides");
            if let Some(why) = &v.default_rationale {
                let _ = writeln!(out, "  because: {why}");
            }
        }
        Basis::PolicyDefault => {
            let _ = writeln!(out, "\nno clause applies; the policy default decides");
        }
        Basis::NoClause => {
            let _ = writeln!(out, "\nno clause applies and the policy states no default");
        }
    }
    let also: Vec<&RuleResult> =
        v.rules.iter().filter(|r| r.status == Status::Applies && !v.deciding.contains(&r.id) && !r.dry_run).collect();
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
        for id in &v.dry_run {
            if let Some(r) = v.rules.iter().find(|r| &r.id == id) {
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
    if opts.why_not {
        let not: Vec<&RuleResult> = v.rules.iter().filter(|r| r.status == Status::NotApplicable).collect();
        if !not.is_empty() {
            let _ = writeln!(out, "\nclauses that did not apply:");
            for r in not {
                let first = r.first_failure();
                let words = first.map_or_else(|| "its condition".to_string(), |t| t.text.clone());
                let _ = writeln!(out, "  `{}` ({}:{}): {}", r.id, file, r.line, words);
                for c in first.iter().flat_map(|t| &t.computed) {
                    let _ = writeln!(out, "      computed: {c}");
                }
            }
        }
    }
    out
}

/// The markdown explanation.
pub fn markdown(v: &Verdict, file: &str, opts: ExplainOptions) -> String {
    let mut out = String::new();
    let head = match v.verdict {
        Decision::RequireApproval => format!("require-approval (from {})", v.approvers.join(" or ")),
        d => d.as_str().to_string(),
    };
    let _ = writeln!(out, "## Verdict: **{head}**\n");
    let _ = writeln!(out, "{}\n", v.summary);
    if let Some(b) = &v.before_effective {
        let _ = writeln!(out, "> **Warning:** {}\n", b.words());
    }
    let _ = writeln!(out, "Policy: {}\n", v.policy);
    let deciding: Vec<&RuleResult> = v.deciding_results().collect();
    if !deciding.is_empty() {
        let _ = writeln!(out, "### Deciding clauses\n");
        for r in deciding {
            let _ = writeln!(out, "- **`{}`** ({}:{}) — {}", r.id, file, r.line, effect_words(&r.effect));
            let _ = writeln!(out, "  - clause: `{}`", r.source);
            if let Some(why) = &r.rationale {
                let _ = writeln!(out, "  - because: {why}");
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
    if let Some(c) = &v.conflict {
        let _ = writeln!(out, "{}\n", c.words());
    }
    let sections: [(&str, Vec<String>); 4] = [
        (
            "Obligations",
            v.obligations
                .iter()
                .map(|o| {
                    let due = o.due.map(|d| format!(" (due {d})")).unwrap_or_default();
                    let late = o.overdue_days.map(|n| format!(", overdue by {n} days")).unwrap_or_default();
                    format!("{}{due}{late} — `{}`", o.text, o.rule)
                })
                .collect(),
        ),
        ("Advice", v.advice.iter().map(|a| format!("{} — {}", a.text, attribution(&a.rule))).collect()),
        ("Law notes", v.law_notes.iter().map(|a| format!("{} — {}", a.text, attribution(&a.rule))).collect()),
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
    if opts.why_not {
        let _ = writeln!(out, "### Clauses that did not apply\n");
        for r in v.rules.iter().filter(|r| r.status == Status::NotApplicable) {
            let first = r.first_failure().map_or_else(|| "its condition".to_string(), |t| t.text.clone());
            let _ = writeln!(out, "- `{}` (line {}): {}", r.id, r.line, first);
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
        Decision::Allow => return out,
        Decision::Deny | Decision::RequireApproval => {}
    }
    let single = v.deciding.len() == 1;
    for id in &v.deciding {
        let Some(rule) = policy.rules.iter().find(|r| &r.id == id) else { continue };
        match &rule.kind {
            RuleKind::Covenant { .. } => {
                if let Some(end) = window_end(&rule.when, ctx) {
                    if let Ok(next) = end.tomorrow() {
                        out.push(format!("from {next} `{id}` no longer applies (its window ends on {end}, inclusive)"));
                    }
                }
            }
            RuleKind::Limit { max, per, .. } => {
                let when = match per {
                    Period::Day => "tomorrow, when the daily count starts again",
                    Period::RollingDay => "once the oldest counted post is more than 24 hours old",
                    Period::Week => "next week, when the weekly count starts again",
                };
                out.push(format!("allowed again {when} (the limit is {max})"));
            }
            RuleKind::Duty { overdue: true, .. } => {
                out.push(format!("doing the duty (recording it under `done`) ends the breach of `{id}`"));
            }
            _ => {}
        }
        if let Effect::RequireApproval { approvers } = &rule.effect {
            out.push(format!("approval from {} (`approval.granted_by`) would permit it", approvers.join(" or ")));
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
            if let Some(r) = v.rules.iter().find(|r| &r.id == id) {
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

/// The last date of a covenant window: the `at <= DATE` test in its condition.
fn window_end(c: &Cond, ctx: &Ctx<'_>) -> Option<jiff::civil::Date> {
    c.tests().into_iter().find_map(|t| match (&t.lhs, &t.op) {
        (Term::Fact(p), TestOp::Cmp(CmpOp::Le, rhs)) if p == "at" => resolve_date(rhs, ctx),
        _ => None,
    })
}
