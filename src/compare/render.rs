//! A comparison as words: [`text`] for a terminal (a profile per dimension,
//! then the matrix as a table) and [`markdown`] for a review (tables side by
//! side, the rubric, and every cell's explanation under an anchor the matrix
//! links to). The HTML page is [`super::html`]; both share the building
//! blocks here.

use super::profile::{ClauseSummary, Profile, SectionSummary};
use super::score::{self, Dimension};
use super::{Cell, Comparison, Counts};
use crate::eval::verdict::{Basis, Status};
use crate::eval::Decision;
use std::fmt::Write as _;

/// The label of the ownership table's row of brand names (text, markdown and the page).
pub const BRAND_ROW: &str = "brand names, and your accounts named for them";

/// The verdict in a matrix cell: `deny`, `require-approval (marketing)`, with `†` when the law set aside a clause that would have decided.
pub fn cell_label(c: &Cell) -> String {
    let mut out = c.label();
    if !c.void_covenants.is_empty() {
        out.push_str(" †");
    }
    out
}

/// The verdict in a terminal matrix cell, short: `approval: marketing`.
fn short_label(c: &Cell) -> String {
    let mut out = match c.verdict {
        Decision::RequireApproval if !c.approvers.is_empty() => format!("approval: {}", c.approvers.join("/")),
        Decision::RequireApproval => "approval".to_string(),
        d => d.as_str().to_string(),
    };
    if !c.void_covenants.is_empty() {
        out.push_str(" †");
    }
    out
}

/// One line of an explanation: its depth (0 = top) and its text (backticks mark code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Nesting.
    pub depth: usize,
    /// The words.
    pub text: String,
}

fn line(depth: usize, text: impl Into<String>) -> Line {
    Line { depth, text: text.into() }
}

/// A cell's explanation, compact: the summary, the deciding clauses with the
/// facts they tested, what is attached, and what would change it. The JSON
/// output carries the full verdict.
pub fn explanation(c: &Cell) -> Vec<Line> {
    let v = &c.explanation;
    let mut out = vec![line(0, v.summary.clone())];
    let show_all_tests = matches!(v.basis, Basis::MissingFacts { .. });
    let others: Vec<String> = v
        .deciding_results()
        .filter(|r| !c.cited.iter().any(|x| x.id == r.id))
        .map(|r| format!("`{}` (line {})", r.id, r.line))
        .collect();
    for r in v.deciding_results().filter(|r| c.cited.iter().any(|x| x.id == r.id)) {
        let words = super::profile::clause_words(&r.id, &r.source);
        let mut head = format!("`{}` (line {}): {} — `{}`", r.id, r.line, r.effect.describe(), words);
        if let Some(a) = &r.approved_by {
            head.push_str(&format!(" (approval already granted by {a})"));
        }
        out.push(line(0, head));
        if let Some(why) = &r.rationale {
            out.push(line(1, format!("because: {why}")));
        }
        let mut seen: Vec<&str> = Vec::new();
        for t in &r.tests {
            if seen.contains(&t.text.as_str()) {
                continue;
            }
            seen.push(&t.text);
            let mark = match t.truth {
                crate::eval::interp::Truth::True => "✓",
                crate::eval::interp::Truth::False => "✗",
                crate::eval::interp::Truth::Unknown(_) => "?",
            };
            if show_all_tests || mark == "✓" {
                out.push(line(1, format!("{mark} {}", t.text)));
                for comp in &t.computed {
                    out.push(line(2, format!("computed: {comp}")));
                }
            }
        }
    }
    if !others.is_empty() {
        out.push(line(0, format!("also permitted by the duties every leaver has: {}", others.join(", "))));
    }
    if let Basis::SectionDefault { id, line: l } = &v.basis {
        if !v.deciding.iter().any(|d| d == id) {
            out.push(line(0, format!("section default `{id}` (line {l})")));
        }
    }
    let excepted: Vec<String> = v
        .rules
        .iter()
        .filter(|r| matches!(r.status, Status::Excepted | Status::Overridden))
        .map(|r| match r.status {
            Status::Overridden => {
                format!("`{}` (line {}) overridden by `{}`", r.id, r.line, r.overridden_by.clone().unwrap_or_default())
            }
            _ => format!("`{}` (line {}) excepted: unless {}", r.id, r.line, r.excepted_by.clone().unwrap_or_default()),
        })
        .collect();
    for e in excepted {
        out.push(line(0, format!("exception: {e}")));
    }
    for o in &v.obligations {
        let mut t = format!(
            "obligation: {}{}",
            o.text,
            if o.rule.is_empty() { String::new() } else { format!(" [`{}`]", o.rule) }
        );
        if let Some(d) = o.due {
            t.push_str(&format!("; due {d}"));
        }
        if let Some(n) = o.overdue_days {
            t.push_str(&format!("; overdue by {n} day{}", if n == 1 { "" } else { "s" }));
        }
        out.push(line(0, t));
    }
    let from = |rule: &str| if rule.is_empty() { " [smpolicy]".to_string() } else { format!(" [`{rule}`]") };
    for a in &v.advice {
        out.push(line(0, format!("advice: {}{}", a.text, from(&a.rule))));
    }
    for n in &v.law_notes {
        out.push(line(0, format!("law: {}{}", n.text, from(&n.rule))));
    }
    // The verdict carries the law table's notes for its deciding covenants already.
    for n in c.law_notes.iter().filter(|n| !v.law_notes.iter().any(|x| x.text.contains(n.as_str()))) {
        let j = c.jurisdiction.as_deref().unwrap_or("the jurisdiction");
        out.push(line(0, format!("law in {j} for the deciding covenant: {n} [smpolicy]")));
    }
    if !v.missing.is_empty() {
        out.push(line(
            0,
            format!("missing facts: {}", v.missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")),
        ));
    }
    for cf in &v.counterfactuals {
        out.push(line(0, format!("would change it: {cf}")));
    }
    out
}

/// A text without its `code` spans (clause ids, fact paths), its spaces closed up.
fn without_code(s: &str) -> String {
    let words: String = s.split('`').step_by(2).collect();
    words.split_whitespace().collect::<Vec<_>>().join(" ").replace(" ;", ";").replace(" ,", ",")
}

/// A cell's reason in plain words, shown first; its clause ids and fact paths are in [`explanation`], one click
/// away. Each deciding clause says why in the employer's words (its `because`, else its description, else the
/// rule without its conditions); when a section's default decided, the verdict's summary without the default's
/// id; then the duties, advice and law notes attached, without their clause ids.
pub fn reason(c: &Cell) -> Vec<String> {
    let v = &c.explanation;
    let mut out: Vec<String> = v
        .deciding_results()
        .filter(|r| c.cited.iter().any(|x| x.id == r.id))
        .map(|r| {
            let why = r.rationale.clone().or_else(|| r.description.clone()).unwrap_or_else(|| {
                let source = r.source.strip_prefix(&format!("{}:", r.id)).unwrap_or(&r.source).trim();
                super::profile::split_clause(source).0
            });
            format!("{}: {}", r.effect.describe(), without_code(&why))
        })
        .collect();
    if out.is_empty() {
        out.push(without_code(&v.summary));
    }
    out.extend(v.obligations.iter().map(|o| format!("you must: {}", without_code(&o.text))));
    out.extend(v.advice.iter().map(|a| format!("advice: {}", without_code(&a.text))));
    out.extend(v.law_notes.iter().map(|n| format!("the law: {}", without_code(&n.text))));
    out.dedup();
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn counts_words(c: &Counts) -> String {
    format!(
        "{} allow, {} require-approval, {} deny, {} indeterminate",
        c.allow, c.require_approval, c.deny, c.indeterminate
    )
}

/// The cut-off form of a text for a table column (characters, not bytes).
fn fit(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n <= width {
        format!("{s}{}", " ".repeat(width - n))
    } else {
        let cut: String = s.chars().take(width.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// The short name of the employer whose key is `key` (a report's parts name employers by key).
pub(crate) fn named<'a>(c: &'a Comparison, key: &'a str) -> &'a str {
    c.policies.iter().find(|p| p.key == key).map_or(key, |p| p.short.as_str())
}

/// A name word-wrapped to `width` characters a line (a longer word is cut with `…`).
fn wrap(name: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in name.split_whitespace() {
        let word = if word.chars().count() > width { fit(word, width) } else { word.to_string() };
        match lines.last_mut() {
            Some(l) if l.chars().count() + 1 + word.chars().count() <= width => {
                l.push(' ');
                l.push_str(&word);
            }
            _ => lines.push(word),
        }
    }
    lines
}

/// The characters a column needs for the longest word of the names (so a name wraps between words).
fn widest_word(names: &[&str]) -> usize {
    names.iter().flat_map(|n| n.split_whitespace()).map(|w| w.chars().count()).max().unwrap_or(1)
}

/// Column headings naming the employers: each name wrapped to its column (`width`, less two spaces between
/// columns), the lines bottom-aligned so each name ends just above its column; right-aligned for numbers.
fn heading_lines(names: &[&str], width: usize, right: bool) -> Vec<String> {
    let wrapped: Vec<Vec<String>> = names.iter().map(|n| wrap(n, width.saturating_sub(2).max(1))).collect();
    let height = wrapped.iter().map(Vec::len).max().unwrap_or(0);
    (0..height)
        .map(|row| {
            wrapped
                .iter()
                .map(|lines| {
                    let text =
                        (row + lines.len()).checked_sub(height).and_then(|i| lines.get(i)).map_or("", |l| l.as_str());
                    if right {
                        format!("{text:>width$}")
                    } else {
                        fit(text, width)
                    }
                })
                .collect::<String>()
        })
        .collect()
}

/// A part of the profile as labelled rows: `(label, items)`.
pub(crate) type Rows = Vec<(&'static str, Vec<String>)>;

/// The clauses of a section summary grouped for the profile: `(label, items)`.
pub(crate) fn posting_rows(p: &Profile) -> Rows {
    section_rows(
        &p.posting,
        &[
            ("limits", &["limit", "share"]),
            ("forbidden", &["forbid"]),
            ("only these kinds", &["only"]),
            ("approvals", &["approval"]),
            ("disclosure", &["disclosure"]),
            ("other clauses", &["other", "interaction"]),
        ],
    )
}

/// The connecting clauses grouped for the profile.
pub(crate) fn connecting_rows(p: &Profile) -> Rows {
    section_rows(
        &p.connecting,
        &[
            ("interaction required", &["interaction"]),
            ("invitation limits", &["limit"]),
            ("forbidden targets", &["forbid"]),
            ("other clauses", &["other", "only", "approval", "share", "disclosure"]),
        ],
    )
}

fn section_rows(sections: &[SectionSummary], groups: &[(&'static str, &[&str])]) -> Rows {
    let mut out = Vec::new();
    for (label, cats) in groups {
        let mut items = Vec::new();
        for s in sections {
            for c in s.clauses.iter().filter(|c| cats.contains(&c.category.as_str())) {
                items.push(format!("{}: {}", s.heading(), c.words()));
            }
        }
        out.push((*label, items));
    }
    let defaults: Vec<String> = sections.iter().filter_map(|s| s.default.as_ref().map(|d| d.words())).collect();
    out.push(("section defaults", defaults));
    out
}

/// The departure duties grouped: `(label, items)`.
pub(crate) fn departure_rows(p: &Profile) -> Rows {
    let groups: [(&'static str, &[&str]); 4] = [
        ("hand over", &["hand_over"]),
        ("remove", &["remove"]),
        ("keep / no export", &["keep", "no_export"]),
        ("update profile", &["update_profile"]),
    ];
    groups
        .iter()
        .map(|(label, duties)| {
            let items = p
                .departure
                .iter()
                .filter(|d| duties.contains(&d.duty.as_str()))
                .map(|d| {
                    let mut w = format!("{} [`{}`, line {}]", d.words, d.id, d.line);
                    for a in &d.advice {
                        w.push_str(&format!(" (advice: {a})"));
                    }
                    w
                })
                .collect();
            (*label, items)
        })
        .collect()
}

/// The covenants of one kind in words, or `none`.
pub(crate) fn covenant_items(p: &Profile, kind: &str) -> Vec<String> {
    let Some(k) = p.covenants.iter().find(|k| k.kind == kind) else { return vec![] };
    k.covenants
        .iter()
        .map(|c| {
            let mut w = format!("`{}` (line {}): {}", c.id, c.line, c.words());
            for e in &c.exceptions {
                w.push_str(&format!("; {e}"));
            }
            w.push_str(&format!(
                " — {}{}",
                c.law.standing.summary(),
                c.law.jurisdiction.as_ref().map(|j| format!(" in {j}")).unwrap_or_default()
            ));
            w
        })
        .collect()
}

fn general_rules(p: &Profile) -> Vec<String> {
    p.rules.iter().map(rule_words).collect()
}

fn rule_words(r: &ClauseSummary) -> String {
    format!("{} — {} [`{}`, line {}]", r.text, r.effect, r.id, r.line)
}

/// The whole report as text for a terminal.
pub fn text(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "smpolicy compare: {} policies, {} situations ({} pack)\n",
        c.policies.len(),
        c.pack.size,
        c.pack.source
    );
    let _ = writeln!(out, "YOUR ANSWER");
    for a in answer(c) {
        let _ = writeln!(out, "  {a}");
    }
    out.push('\n');
    let _ = writeln!(out, "THE EMPLOYERS (named below by the first words of their policies' names)");
    for (info, prof) in c.policies.iter().zip(&c.profiles) {
        let _ = writeln!(out, "  {}", info.short);
        let _ = writeln!(out, "     {}", info.title());
        let _ = writeln!(
            out,
            "     {} · jurisdiction {} · default {}",
            info.file,
            info.jurisdiction.as_deref().unwrap_or("not stated"),
            prof.defaults.policy.effect
        );
    }

    // Scores.
    let names: Vec<&str> = c.policies.iter().map(|p| p.short.as_str()).collect();
    let _ = writeln!(out, "\nSCORES (0–10; 10 = most favourable to you; rubric: --format markdown)");
    // Columns widen to hold "not addressed" when a policy is silent on a dimension, and a name's longest word.
    let w = if c.scores.iter().flat_map(|s| &s.dimensions).any(|d| d.score.0.is_none()) {
        score::Value::NOT_ADDRESSED.len() + 2
    } else {
        8
    }
    .max((widest_word(&names) + 2).min(14));
    for head in heading_lines(&names, w, true) {
        let _ = writeln!(out, "  {}{}", fit("", 36), head.trim_end());
    }
    for d in Dimension::ALL {
        let mark = if d == Dimension::Trust { "*" } else { "" };
        let vals: String = c
            .scores
            .iter()
            .map(|s| format!("{:>w$}", s.get(d).map_or_else(|| "-".to_string(), |x| x.score.to_string())))
            .collect();
        let _ = writeln!(out, "  {}{vals}", fit(&format!("{}{mark}", d.title()), 36));
    }
    let posture =
        |f: &dyn Fn(&score::Scores) -> usize| -> String { c.scores.iter().map(|s| format!("{:>w$}", f(s))).collect() };
    let _ =
        writeln!(out, "  {}{}", fit("  require-approval clauses", 36), posture(&|s| s.posture.approval_clauses.len()));
    let _ =
        writeln!(out, "  {}{}", fit("  restrictive defaults", 36), posture(&|s| s.posture.restrictive_defaults.len()));
    let _ = writeln!(out, "  * {}", super::POSTURE_NOTE);
    for s in &c.scores {
        let _ = writeln!(out, "\n  {}:", named(c, &s.policy));
        for d in &s.dimensions {
            let _ = writeln!(out, "    {} {}", d.dimension.title(), d.score.out_of_ten());
            for i in &d.items {
                let _ = writeln!(out, "      {}", i.words());
            }
        }
    }

    // Ownership.
    let _ = writeln!(out, "\nWHO KEEPS WHAT WHEN YOU LEAVE");
    for p in &c.profiles {
        let _ = writeln!(out, "  {}: {}", named(c, &p.policy), p.ownership.model.words());
    }
    if let Some(first) = c.profiles.first() {
        for (i, row) in first.ownership.rows.iter().enumerate() {
            let _ = writeln!(out, "  {}", row.asset);
            for p in &c.profiles {
                if let Some(r) = p.ownership.rows.get(i) {
                    let _ = writeln!(out, "    {}: {}", named(c, &p.policy), r.words());
                    for o in &r.obligations {
                        let _ = writeln!(out, "      obligation: {o}");
                    }
                }
            }
        }
    }
    let _ = writeln!(out, "  {BRAND_ROW}");
    for p in &c.profiles {
        for (k, item) in p.brands.items().iter().enumerate() {
            let indent = if k == 0 { format!("    {}: ", named(c, &p.policy)) } else { "      ".to_string() };
            let _ = writeln!(out, "{indent}{item}");
        }
    }

    let grouped = |out: &mut String, title: &str, rows: &dyn Fn(&Profile) -> Rows| {
        let _ = writeln!(out, "\n{title}");
        let per: Vec<(&str, Rows)> = c.profiles.iter().map(|p| (named(c, &p.policy), rows(p))).collect();
        let labels: Vec<&'static str> =
            per.first().map(|(_, r)| r.iter().map(|(l, _)| *l).collect()).unwrap_or_default();
        for (i, label) in labels.iter().enumerate() {
            let _ = writeln!(out, "  {label}");
            for (key, rows) in &per {
                let items = rows.get(i).map(|(_, items)| items.clone()).unwrap_or_default();
                if items.is_empty() {
                    let _ = writeln!(out, "    {key}: none");
                }
                for item in items {
                    let _ = writeln!(out, "    {key}: {item}");
                }
            }
        }
    };
    grouped(&mut out, "WHAT A LEAVER OWES (on departure)", &departure_rows);
    grouped(&mut out, "COVENANTS", &|p: &Profile| {
        crate::ast::CovenantKind::ALL.iter().map(|k| (k.as_str(), covenant_items(p, k.as_str()))).collect()
    });
    grouped(&mut out, "POSTING", &posting_rows);
    grouped(&mut out, "CONNECTING", &connecting_rows);
    grouped(&mut out, "DEFAULTS AND GENERAL RULES", &|p: &Profile| {
        vec![
            ("policy default", vec![p.defaults.policy.words()]),
            ("restrictive defaults", vec![p.defaults.restrictive.to_string()]),
            ("when clauses disagree", vec![p.defaults.conflicts.clone()]),
            ("which version binds you", vec![p.defaults.binds.clone()]),
            ("general rules", general_rules(p)),
        ]
    });
    grouped(&mut out, "MONITORING OF PERSONAL ACCOUNTS", &|p: &Profile| {
        let refs = p.monitoring.clauses.iter().map(super::ClauseRef::words).collect::<Vec<_>>().join(", ");
        let w = if refs.is_empty() { p.monitoring.words.clone() } else { format!("{} [{refs}]", p.monitoring.words) };
        vec![("monitoring", vec![w])]
    });

    // Jurisdiction.
    let _ = writeln!(out, "\nJURISDICTION");
    for s in &c.jurisdiction.summary {
        let _ = writeln!(out, "  {s}");
    }

    // Deal-breakers.
    if let Some(a) = &c.against {
        let _ = writeln!(out, "\nDEAL-BREAKERS: {} ({})", a.name, a.file);
        for e in &a.employers {
            let _ = writeln!(out, "  {}: {}", named(c, &e.policy), verdict_words(e));
            for i in &e.broken {
                let _ = writeln!(out, "    ✗ {}", i.words());
            }
            for i in &e.unknown {
                let _ = writeln!(out, "    ? {}", i.words());
            }
            for i in &e.preferences {
                let _ = writeln!(out, "    i {}", i.words());
            }
            for i in &e.set_aside {
                let _ = writeln!(out, "    ⚖ {}", i.words());
            }
        }
    }

    // Matrix.
    let _ = writeln!(out, "\nSITUATIONS (verdict under each policy; explanations: --format markdown, html or json)");
    let col = c
        .situations
        .iter()
        .flat_map(|r| r.cells.iter().map(|x| short_label(x).chars().count()))
        .max()
        .unwrap_or(5)
        .max(5)
        .max(widest_word(&names).min(16))
        + 2;
    let room = 116usize.saturating_sub(col * names.len());
    let longest = c.situations.iter().map(|r| r.title.chars().count()).max().unwrap_or(10);
    let title_w = longest.min(room.max(40));
    let mut group = "";
    for r in &c.situations {
        if r.group != group {
            group = &r.group;
            let heads = heading_lines(&names, col, false);
            out.push('\n');
            for (i, head) in heads.iter().enumerate() {
                let label = if i + 1 == heads.len() { group } else { "" };
                let _ = writeln!(out, "  {} {}", fit(label, title_w + 2), head.trim_end());
            }
        }
        let cells: String = r.cells.iter().map(|x| fit(&short_label(x), col)).collect();
        let _ = writeln!(out, "    {} {}", fit(&r.title, title_w), cells.trim_end());
    }
    let voids: Vec<String> = c
        .situations
        .iter()
        .flat_map(|r| {
            r.cells.iter().filter(|x| !x.void_covenants.is_empty()).map(move |x| {
                format!(
                    "{} under {}: the law sets aside `{}` in {}",
                    r.id,
                    named(c, &x.policy),
                    x.void_covenants.join("`, `"),
                    x.jurisdiction.as_deref().unwrap_or("the jurisdiction")
                )
            })
        })
        .collect();
    if !voids.is_empty() {
        let _ = writeln!(
            out,
            "\n  † the law set aside a clause that would have decided (the verdict shown is what binds):"
        );
        for v in voids {
            let _ = writeln!(out, "    {v}");
        }
    }
    let _ = writeln!(out, "\nTOTALS");
    for t in &c.tallies {
        let approvals = if t.approvals.is_empty() {
            String::new()
        } else {
            format!(
                "; approvals from {}",
                t.approvals.iter().map(|(k, n)| format!("{k} × {n}")).collect::<Vec<_>>().join(", ")
            )
        };
        let _ = writeln!(out, "  {}: {}{approvals}", named(c, &t.policy), counts_words(&t.total));
    }
    let _ = writeln!(out, "\nNOTES");
    for n in &c.notes {
        let _ = writeln!(out, "  - {n}");
    }
    out
}

/// Escapes a text for a markdown table cell.
/// Text from a policy or an upload in a table cell ([`crate::markdown::cell`]).
fn md_cell(s: &str) -> String {
    crate::markdown::cell(s)
}

fn md_items(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_string()
    } else {
        items.iter().map(|i| md_cell(i)).collect::<Vec<_>>().join("<br>")
    }
}

fn md_table(out: &mut String, head: &[String], rows: &[Vec<String>]) {
    let _ = writeln!(out, "| {} |", head.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
    for r in rows {
        let _ = writeln!(out, "| {} |", r.join(" | "));
    }
    out.push('\n');
}

/// The whole report as markdown.
pub fn markdown(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Comparing employers' social media policies\n");
    let _ = writeln!(
        out,
        "{} policies, {} situations ({} pack). Each verdict in the matrix links to its explanation below.\n",
        c.policies.len(),
        c.pack.size,
        c.pack.source
    );
    let _ = writeln!(out, "## Your answer\n");
    for a in answer(c) {
        let _ = writeln!(out, "- {}", md_cell(&a));
    }
    out.push('\n');
    let mut head = vec![String::new()];
    head.extend(c.policies.iter().map(|p| format!("**{}**", md_cell(&p.short))));
    let mut rows = vec![
        {
            let mut r = vec!["policy".to_string()];
            r.extend(c.policies.iter().map(|p| md_cell(&p.title())));
            r
        },
        {
            let mut r = vec!["file".to_string()];
            r.extend(c.policies.iter().map(|p| format!("`{}`", p.file)));
            r
        },
        {
            let mut r = vec!["jurisdiction".to_string()];
            r.extend(c.policies.iter().map(|p| p.jurisdiction.clone().unwrap_or_else(|| "not stated".into())));
            r
        },
    ];
    let mut r = vec!["effective".to_string()];
    r.extend(c.policies.iter().map(|p| p.effective.map_or_else(|| "not stated".into(), |d| d.to_string())));
    rows.push(r);
    md_table(&mut out, &head, &rows);

    // Scores.
    let _ = writeln!(out, "## Scores\n");
    let _ = writeln!(out, "0–10 per dimension, 10 being the most favourable to you. The rubric is at the end.\n");
    let mut shead = vec!["dimension".to_string()];
    shead.extend(c.policies.iter().map(|p| md_cell(&p.short)));
    let mut srows: Vec<Vec<String>> = Dimension::ALL
        .iter()
        .map(|d| {
            let mut r = vec![format!("{} ({})", d.title(), d.meaning())];
            r.extend(c.scores.iter().map(|s| s.get(*d).map_or_else(|| "-".into(), |x| x.score.to_string())));
            r
        })
        .collect();
    let mut r = vec!["require-approval clauses".to_string()];
    r.extend(c.scores.iter().map(|s| s.posture.approval_clauses.len().to_string()));
    srows.push(r);
    let mut r = vec!["restrictive defaults".to_string()];
    r.extend(c.scores.iter().map(|s| s.posture.restrictive_defaults.len().to_string()));
    srows.push(r);
    md_table(&mut out, &shead, &srows);
    let _ = writeln!(out, "> {}\n", super::POSTURE_NOTE);
    let _ = writeln!(out, "### How each score was reached\n");
    for (s, info) in c.scores.iter().zip(&c.policies) {
        let _ = writeln!(out, "#### {}\n", md_cell(&info.title()));
        for d in &s.dimensions {
            let _ = writeln!(out, "- **{} {}**", d.dimension.title(), d.score.out_of_ten());
            for i in &d.items {
                let _ = writeln!(out, "  - {}", i.words());
            }
        }
        out.push('\n');
    }

    // Profile.
    let _ = writeln!(out, "## Who keeps what when you leave\n");
    let mut rows = vec![{
        let mut r = vec!["ownership model".to_string()];
        r.extend(c.profiles.iter().map(|p| p.ownership.model.words().to_string()));
        r
    }];
    if let Some(first) = c.profiles.first() {
        for (i, row) in first.ownership.rows.iter().enumerate() {
            let mut r = vec![md_cell(&row.asset)];
            for p in &c.profiles {
                let cell = p.ownership.rows.get(i).map_or_else(String::new, |x| {
                    let mut items = vec![x.words()];
                    items.extend(x.obligations.iter().map(|o| format!("obligation: {o}")));
                    md_items(&items)
                });
                r.push(cell);
            }
            rows.push(r);
        }
    }
    let mut r = vec![BRAND_ROW.to_string()];
    r.extend(c.profiles.iter().map(|p| md_items(&p.brands.items())));
    rows.push(r);
    md_table(&mut out, &head, &rows);

    let side = |out: &mut String, title: &str, rows: &dyn Fn(&Profile) -> Rows| {
        let _ = writeln!(out, "## {title}\n");
        let per: Vec<Rows> = c.profiles.iter().map(rows).collect();
        let labels: Vec<&'static str> = per.first().map(|r| r.iter().map(|(l, _)| *l).collect()).unwrap_or_default();
        let body: Vec<Vec<String>> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut r = vec![l.to_string()];
                r.extend(per.iter().map(|p| md_items(&p.get(i).map(|(_, x)| x.clone()).unwrap_or_default())));
                r
            })
            .collect();
        md_table(out, &head, &body);
    };
    side(&mut out, "What a leaver owes", &departure_rows);
    side(&mut out, "Covenants", &|p: &Profile| {
        crate::ast::CovenantKind::ALL.iter().map(|k| (k.as_str(), covenant_items(p, k.as_str()))).collect()
    });
    side(&mut out, "Posting", &posting_rows);
    side(&mut out, "Connecting", &connecting_rows);
    side(&mut out, "Defaults, general rules and monitoring", &|p: &Profile| {
        let refs = p.monitoring.clauses.iter().map(super::ClauseRef::words).collect::<Vec<_>>().join(", ");
        let m = if refs.is_empty() { p.monitoring.words.clone() } else { format!("{} [{refs}]", p.monitoring.words) };
        vec![
            ("policy default", vec![p.defaults.policy.words()]),
            ("restrictive defaults", vec![p.defaults.restrictive.to_string()]),
            ("when clauses disagree", vec![p.defaults.conflicts.clone()]),
            ("which version binds you", vec![p.defaults.binds.clone()]),
            ("general rules", general_rules(p)),
            ("monitoring of personal accounts", vec![m]),
        ]
    });

    let _ = writeln!(out, "## Jurisdiction\n");
    for s in &c.jurisdiction.summary {
        let _ = writeln!(out, "- {s}");
    }
    out.push('\n');

    if let Some(a) = &c.against {
        let _ = writeln!(out, "## Deal-breakers: {} (`{}`)\n", md_cell(&a.name), a.file);
        let issue = |i: &super::against::Issue| i.words();
        let body = vec![
            {
                let mut r = vec!["verdict".to_string()];
                r.extend(a.employers.iter().map(|e| md_cell(&verdict_words(e))));
                r
            },
            {
                let mut r = vec!["broken".to_string()];
                r.extend(a.employers.iter().map(|e| md_items(&e.broken.iter().map(issue).collect::<Vec<_>>())));
                r
            },
            {
                let mut r = vec!["cannot tell".to_string()];
                r.extend(a.employers.iter().map(|e| md_items(&e.unknown.iter().map(issue).collect::<Vec<_>>())));
                r
            },
            {
                let mut r = vec!["preferences not met".to_string()];
                r.extend(a.employers.iter().map(|e| md_items(&e.preferences.iter().map(issue).collect::<Vec<_>>())));
                r
            },
            {
                let mut r = vec!["set aside by law".to_string()];
                r.extend(a.employers.iter().map(|e| md_items(&e.set_aside.iter().map(issue).collect::<Vec<_>>())));
                r
            },
            {
                let mut r = vec!["read from the employer's policy".to_string()];
                r.extend(a.employers.iter().map(|e| md_items(&e.derivation)));
                r
            },
        ];
        md_table(&mut out, &head, &body);
    }

    // Matrix.
    let _ = writeln!(out, "## Situations\n");
    let _ = writeln!(
        out,
        "Verdicts: `allow`, `require-approval (who)`, `deny`, `indeterminate` (the policy cannot decide). \
         † marks a verdict where the law set aside a clause that would have decided: the verdict shown is what binds.\n"
    );
    let mut group = "";
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut mhead = vec!["situation".to_string()];
    mhead.extend(c.policies.iter().map(|p| md_cell(&p.short)));
    for r in &c.situations {
        if r.group != group {
            if !rows.is_empty() {
                md_table(&mut out, &mhead, &rows);
                rows.clear();
            }
            group = &r.group;
            let _ = writeln!(out, "### {group}\n");
        }
        let mut row = vec![md_cell(&r.title)];
        row.extend(r.cells.iter().map(|x| format!("[{}](#{})", md_cell(&cell_label(x)), x.anchor)));
        rows.push(row);
    }
    if !rows.is_empty() {
        md_table(&mut out, &mhead, &rows);
    }
    let _ = writeln!(out, "### Totals\n");
    let mut thead = vec![String::new()];
    thead.extend(c.policies.iter().map(|p| md_cell(&p.short)));
    let mut body = Vec::new();
    for (label, f) in [
        ("allow", (|x: &Counts| x.allow) as fn(&Counts) -> usize),
        ("require-approval", |x: &Counts| x.require_approval),
        ("deny", |x: &Counts| x.deny),
        ("indeterminate", |x: &Counts| x.indeterminate),
    ] {
        let mut r = vec![label.to_string()];
        r.extend(c.tallies.iter().map(|t| f(&t.total).to_string()));
        body.push(r);
    }
    let mut r = vec!["approvals needed".to_string()];
    r.extend(c.tallies.iter().map(|t| {
        if t.approvals.is_empty() {
            "none".to_string()
        } else {
            t.approvals.iter().map(|(k, n)| format!("{k} × {n}")).collect::<Vec<_>>().join(", ")
        }
    }));
    body.push(r);
    md_table(&mut out, &thead, &body);

    // Explanations.
    let _ = writeln!(out, "## Explanations\n");
    for r in &c.situations {
        let _ = writeln!(out, "### {}\n", md_cell(&r.title));
        for x in &r.cells {
            let _ = writeln!(out, "<a id=\"{}\"></a>\n", x.anchor);
            let _ = writeln!(out, "**{}: {}**\n", md_cell(named(c, &x.policy)), md_cell(&cell_label(x)));
            for l in explanation(x) {
                let _ = writeln!(out, "{}- {}", "  ".repeat(l.depth), crate::markdown::text(&l.text));
            }
            out.push('\n');
        }
    }

    // Rubric.
    let _ = writeln!(out, "## Rubric\n");
    let body: Vec<Vec<String>> = c
        .rubric
        .iter()
        .map(|r| {
            vec![
                Dimension::title(r.dimension).to_string(),
                md_cell(r.criterion),
                r.situation.map_or_else(String::new, |s| format!("`{s}`")),
                r.points.clone(),
            ]
        })
        .collect();
    md_table(&mut out, &["dimension".into(), "criterion".into(), "situation".into(), "points".into()], &body);
    let _ = writeln!(out, "{}\n\n{}\n", score::CREDIT_RULE, score::NOT_ADDRESSED_RULE);
    for d in Dimension::ALL {
        let _ = writeln!(
            out,
            "- **{}**: {}; {}.",
            d.title(),
            d.meaning(),
            if d.deducts() { "starts at 10 and deducts" } else { "adds points earned, 10 in all" }
        );
    }
    let _ = writeln!(out, "\n## Notes\n");
    for n in &c.notes {
        let _ = writeln!(out, "- {}", crate::markdown::text(n));
    }
    out
}

/// A deal-breaker check's summary with the jurisdiction it was read in.
/// The candidate's answer, in plain words, before anything else in every report (text, markdown, HTML): each
/// employer, by name, against their deal-breakers when given; then, per dimension, the employers most favourable
/// to them.
pub fn answer(c: &Comparison) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(a) = &c.against {
        for (e, info) in a.employers.iter().zip(&c.policies) {
            out.push(format!("{} {}.", info.name, answer_words(e)));
        }
    }
    for d in Dimension::ALL {
        let scored: Vec<(f64, &str)> = c
            .scores
            .iter()
            .zip(&c.policies)
            .filter_map(|(s, p)| s.get(d).and_then(|x| x.score.0).map(|v| (v, p.name.as_str())))
            .collect();
        let Some(best) = scored.iter().map(|x| x.0).reduce(f64::max) else { continue };
        let names: Vec<&str> = scored.iter().filter(|x| (x.0 - best).abs() < 1e-9).map(|x| x.1).collect();
        let best = score::Value(Some(best));
        if names.len() == scored.len() && names.len() > 1 {
            out.push(format!("On {}, all score the same ({best}/10).", d.title()));
        } else {
            out.push(format!("Most favourable to you on {}: {} ({best}/10).", d.title(), names.join(" and ")));
        }
    }
    out
}

/// The candidate's answer for one employer, in plain words: whether it meets their deal-breakers.
pub fn answer_words(e: &super::against::EmployerCheck) -> String {
    match (e.broken.len(), e.unknown.len()) {
        (0, 0) => "meets all your deal-breakers".to_string(),
        (0, u) => format!("breaks none of your deal-breakers, but its policy does not say enough to check {u} of them"),
        (b, 0) => format!("breaks {b} of your deal-breakers"),
        (b, u) => format!("breaks {b} of your deal-breakers, and does not say enough to check {u} more"),
    }
}

pub(crate) fn verdict_words(e: &super::against::EmployerCheck) -> String {
    match &e.jurisdiction {
        Some(j) => format!("{} (read in {j})", e.summary),
        None => e.summary.clone(),
    }
}

/// The decision as a CSS class suffix.
pub(crate) fn class(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "allow",
        Decision::RequireApproval => "approval",
        Decision::Deny => "deny",
        Decision::Indeterminate => "indeterminate",
    }
}

/// `3 allow, ...` for a tally.
pub(crate) fn tally_words(c: &Counts) -> String {
    counts_words(c)
}

/// `2 clauses`.
pub(crate) fn count_words(n: usize, one: &str, many: &str) -> String {
    plural(n, one, many)
}
