//! A [`DiffReport`] (and a [`ReplayReport`]) in words: plain text for a
//! terminal, markdown for a pull-request comment. No colour, no IO.

use super::{Change, DiffReport, Outcome, ReplayReport, StructuralChange};
use std::fmt::Write;

/// Clause names, with the policy default when it decides too.
fn names(deciding: &[String], by_default: bool) -> String {
    let mut n: Vec<String> = deciding.iter().map(|d| format!("`{d}`")).collect();
    if by_default {
        n.push("the policy default".to_string());
    }
    n.join(", ")
}

/// An outcome in words: `deny by `twitter-daily-limit``, `allow (policy default)`.
fn outcome(o: &Outcome) -> String {
    let mut s = o.verdict.as_str().to_string();
    if !o.approvers.is_empty() {
        s.push_str(&format!(" from {}", o.approvers.join(" or ")));
    }
    if !o.obligations.is_empty() {
        let ob: Vec<String> = o.obligations.iter().map(|x| format!("\"{x}\"")).collect();
        s.push_str(&format!(" with obligation {}", ob.join(", ")));
    }
    match (o.deciding.len(), o.by_default) {
        (0, true) => s.push_str(" (policy default)"),
        (0, false) => {}
        (1, false) => s.push_str(&format!(" by {}", names(&o.deciding, false))),
        _ => s.push_str(&format!(" (deciding, depending on the situation: {})", names(&o.deciding, o.by_default))),
    }
    s
}

/// The edit behind a change in words: `changed clause `x`, added clause `y``
/// (`None` when no edited clause decides in it).
fn edit_words(r: &DiffReport, c: &Change) -> Option<String> {
    let words: Vec<String> = c
        .edits
        .iter()
        .map(|id| {
            let how = r.structural.iter().find(|s| s.clause_id() == Some(id)).and_then(StructuralChange::edit_words);
            format!("{} `{id}`", how.as_deref().unwrap_or("edited clause"))
        })
        .collect();
    (!words.is_empty()).then(|| words.join(", "))
}

fn summary_line(r: &DiffReport) -> String {
    let n = r.changes.len();
    let behaviour = match n {
        0 => "no behavioural change".to_string(),
        1 => "1 behavioural change".to_string(),
        n => format!("{n} behavioural changes"),
    };
    let dirs = if n == 0 {
        String::new()
    } else {
        format!(" ({} stricter, {} looser, {} other)", r.summary.stricter, r.summary.looser, r.summary.other)
    };
    let s = r.structural.len();
    let structure = match s {
        0 => "no structural change".to_string(),
        1 => "1 structural change".to_string(),
        s => format!("{s} structural changes"),
    };
    let unfinished = if r.unsearched.is_empty() {
        String::new()
    } else {
        format!(" (search not finished for {}: see the limit below)", r.unsearched.join(", "))
    };
    format!("{behaviour}{dirs}, {structure}{unfinished}")
}

fn title(r: &DiffReport, which: &super::PolicyRef) -> String {
    let _ = r;
    match &which.version {
        Some(v) => format!("{} (version {v})", which.name),
        None => which.name.clone(),
    }
}

/// A structural change as a first line and detail lines (`was:`/`now:` in markdown, `-`/`+` in text).
fn structural_line(c: &StructuralChange, code: &dyn Fn(&str) -> String, md: bool) -> Vec<String> {
    let (was, now) = if md { ("was: ", "now: ") } else { ("- ", "+ ") };
    match c {
        StructuralChange::Header { setting, old, new } => vec![format!(
            "header `{setting}`: {} → {}",
            old.as_deref().unwrap_or("(not set)"),
            new.as_deref().unwrap_or("(not set)")
        )],
        StructuralChange::Declaration { kind, added, removed } => {
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("added {}", added.iter().map(|a| code(a)).collect::<Vec<_>>().join(", ")));
            }
            if !removed.is_empty() {
                parts.push(format!("removed {}", removed.iter().map(|a| code(a)).collect::<Vec<_>>().join(", ")));
            }
            vec![format!("declared {kind}: {}", parts.join("; "))]
        }
        StructuralChange::Added { id, what, new } => {
            vec![format!("added {what} {} (new line {}, {}): {}", code(id), new.line, new.effect, code(&new.text))]
        }
        StructuralChange::Removed { id, what, old } => {
            vec![format!("removed {what} {} (old line {}, {}): {}", code(id), old.line, old.effect, code(&old.text))]
        }
        StructuralChange::Changed { id, what, old, new, aspects } => {
            let mut out = vec![format!(
                "changed {what} {} (line {} → {}; {}):",
                code(id),
                old.line,
                new.line,
                aspects.join(", ")
            )];
            if old.text == new.text {
                out.push(format!("same text, new meaning: {}", code(&new.text)));
            } else {
                out.push(format!("{was}{}", code(&old.text)));
                out.push(format!("{now}{}", code(&new.text)));
            }
            if old.effect != new.effect {
                out.push(format!("effect: {} → {}", old.effect, new.effect));
            }
            out
        }
    }
}

fn witness(c: &Change) -> String {
    serde_json::to_string(&c.witness).unwrap_or_default()
}

/// How many parts of a change are listed in words (JSON lists them all).
const PARTS_SHOWN: usize = 3;

/// A change's parts in words, when it has several: what each adds to the region, and who decides there.
fn parts(c: &Change) -> Vec<String> {
    if c.parts.len() < 2 {
        return vec![];
    }
    let who = |d: &[String], default: bool| {
        let n = names(d, default);
        if n.is_empty() {
            "no clause".to_string()
        } else {
            n
        }
    };
    let mut out: Vec<String> = c
        .parts
        .iter()
        .take(PARTS_SHOWN)
        .map(|p| {
            format!(
                "{} (old: {}; new: {})",
                p.region,
                who(&p.old_deciding, p.old_by_default),
                who(&p.new_deciding, p.new_by_default)
            )
        })
        .collect();
    if c.parts.len() > PARTS_SHOWN {
        out.push(format!("and {} more (`--format json` lists every part)", c.parts.len() - PARTS_SHOWN));
    }
    out
}

/// The report for a terminal.
pub fn text(r: &DiffReport, replay: Option<&ReplayReport>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "diff: {} → {}", title(r, &r.old), title(r, &r.new));
    let _ = writeln!(s, "  old: {}", r.old.file);
    let _ = writeln!(s, "  new: {}", r.new.file);
    let _ = writeln!(s, "{}", summary_line(r));
    if let Some(reach) = &r.reaches {
        let _ = writeln!(s, "reaches: {}", reach.words());
    }
    let plain = |x: &str| format!("`{x}`");
    if !r.structural.is_empty() {
        let _ = writeln!(s, "\nstructural changes:");
        for c in &r.structural {
            if let Some((first, rest)) = structural_line(c, &plain, false).split_first() {
                let _ = writeln!(s, "  {first}");
                for line in rest {
                    let _ = writeln!(s, "    {line}");
                }
            }
        }
    }
    if !r.changes.is_empty() {
        let _ = writeln!(s, "\nbehavioural changes:");
        for (i, c) in r.changes.iter().enumerate() {
            let _ = writeln!(s, "  {}. {}: {}", i + 1, c.direction.as_str(), c.region);
            if let Some(e) = edit_words(r, c) {
                let _ = writeln!(s, "     edit: {e}");
            }
            let _ = writeln!(s, "     old: {}", outcome(&c.old));
            let _ = writeln!(s, "     new: {}", outcome(&c.new));
            let _ = writeln!(s, "     witness: {}", witness(c));
            for n in &c.notes {
                let _ = writeln!(s, "     note: {n}");
            }
            let ps = parts(c);
            if !ps.is_empty() {
                let _ = writeln!(s, "     parts:");
                for p in ps {
                    let _ = writeln!(s, "       - {p}");
                }
            }
        }
    }
    for l in &r.limits {
        let _ = writeln!(s, "\nlimit: {l}");
    }
    if let Some(rep) = replay {
        s.push('\n');
        s.push_str(&replay_text(rep));
    }
    s
}

fn replay_text(rep: &ReplayReport) -> String {
    let mut s = String::new();
    let flipped = rep.flipped();
    let _ = writeln!(
        s,
        "replay: {} lines, {} decided, {} flipped, {} unchanged, {} unreadable",
        rep.lines, rep.decided, flipped, rep.unchanged, rep.bad_count
    );
    for f in &rep.flips {
        let _ = writeln!(s, "  {} → {}: {}", f.old, f.new, f.count);
    }
    if !rep.examples.is_empty() {
        let _ = writeln!(s, "first flips:");
        for e in &rep.examples {
            let _ = writeln!(s, "  line {}: {} → {}", e.line, outcome(&e.old), outcome(&e.new));
        }
    }
    for b in &rep.bad {
        let _ = writeln!(s, "  line {}: unreadable: {}", b.line, b.message);
    }
    s
}

use crate::markdown::cell;

/// The report for a pull-request comment.
pub fn markdown(r: &DiffReport, replay: Option<&ReplayReport>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "### Policy diff: `{}` → `{}`\n", r.old.file.replace('`', "'"), r.new.file.replace('`', "'"));
    let _ = writeln!(
        s,
        "**{}** → **{}**: {}.",
        crate::markdown::text(&title(r, &r.old)),
        crate::markdown::text(&title(r, &r.new)),
        summary_line(r)
    );
    if let Some(reach) = &r.reaches {
        let _ = writeln!(s, "\n**Reaches:** {}", crate::markdown::text(&reach.words()));
    }
    if !r.changes.is_empty() {
        let _ = writeln!(s, "\n#### Behavioural changes\n");
        let _ = writeln!(s, "| # | change | edit | situations | old | new |");
        let _ = writeln!(s, "| --- | --- | --- | --- | --- | --- |");
        for (i, c) in r.changes.iter().enumerate() {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                i + 1,
                c.direction.as_str(),
                cell(&edit_words(r, c).unwrap_or_else(|| "—".to_string())),
                cell(&c.region),
                cell(&outcome(&c.old)),
                cell(&outcome(&c.new))
            );
        }
        let _ = writeln!(
            s,
            "\n<details><summary>A witness action for each change (feed it to <code>smpolicy eval</code>), and the parts of each region</summary>\n"
        );
        for (i, c) in r.changes.iter().enumerate() {
            let _ = writeln!(s, "{}. `{}`", i + 1, witness(c));
            for n in &c.notes {
                let _ = writeln!(s, "   - note: {}", crate::markdown::text(n));
            }
            for p in parts(c) {
                let _ = writeln!(s, "   - part: {}", crate::markdown::text(&p));
            }
        }
        let _ = writeln!(s, "\n</details>");
    }
    if !r.structural.is_empty() {
        let _ = writeln!(s, "\n#### Structural changes\n");
        let code = |x: &str| format!("`{}`", x.replace('`', "'"));
        for c in &r.structural {
            if let Some((first, rest)) = structural_line(c, &code, true).split_first() {
                let _ = writeln!(s, "- {}", crate::markdown::text(first));
                for l in rest {
                    let _ = writeln!(s, "  - {}", crate::markdown::text(l));
                }
            }
        }
    }
    if !r.limits.is_empty() {
        let _ = writeln!(s, "\n#### Limits\n");
        for l in &r.limits {
            let _ = writeln!(s, "- {}", crate::markdown::text(l));
        }
    }
    if let Some(rep) = replay {
        let _ = writeln!(s, "\n#### Replay\n");
        let flipped = rep.flipped();
        let _ = writeln!(
            s,
            "{} lines: {} decided, **{} flipped**, {} unchanged, {} unreadable.\n",
            rep.lines, rep.decided, flipped, rep.unchanged, rep.bad_count
        );
        if !rep.flips.is_empty() {
            let _ = writeln!(s, "| old | new | lines |\n| --- | --- | --- |");
            for f in &rep.flips {
                let _ = writeln!(s, "| {} | {} | {} |", cell(&f.old), cell(&f.new), f.count);
            }
        }
        if !rep.examples.is_empty() {
            let _ = writeln!(s, "\nFirst flips:\n");
            for e in &rep.examples {
                let _ = writeln!(s, "- line {}: {} → {}", e.line, outcome(&e.old), outcome(&e.new));
            }
        }
        for b in &rep.bad {
            let _ = writeln!(s, "- line {}: unreadable: {}", b.line, crate::markdown::text(&b.message));
        }
    }
    s
}
