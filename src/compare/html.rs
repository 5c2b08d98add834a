//! A comparison as one self-contained HTML page: inline CSS, no scripts and
//! nothing fetched from the network, readable on screen and printable. The
//! matrix cells are coloured by verdict (and say it in words, so colour is
//! never the only signal) and link to their explanations further down.

use super::profile::Profile;
use super::render::{
    cell_label, class, connecting_rows, count_words, covenant_items, departure_rows, explanation, named, posting_rows,
    reason, tally_words, Rows,
};
use super::score::{self, Dimension};
use super::Comparison;
use std::fmt::Write as _;

const CSS: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;line-height:1.45;color:#1b1b1b;
max-width:72rem;margin:0 auto;padding:1.5rem;background:#fff}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}
h3{margin-top:1.6rem}table{border-collapse:collapse;width:100%;margin:.6rem 0 1rem}
th,td{border:1px solid #ccc;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#f2f2f2}code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;
background:#f5f5f5;padding:0 .2em;border-radius:3px}
ul.items{margin:0;padding-left:1.1rem}.none{color:#595959}
td.v-allow{background:#d9f2de}td.v-approval{background:#fff0c2}td.v-deny{background:#f9d3d3}
td.v-indeterminate{background:#e4e4e4}td.v a{color:#111;text-decoration:none;display:block}
td.v a:hover{text-decoration:underline}.legend span{display:inline-block;padding:.1rem .5rem;margin-right:.4rem;
border:1px solid #ccc}.v-allow{background:#d9f2de}.v-approval{background:#fff0c2}.v-deny{background:#f9d3d3}
.v-indeterminate{background:#e4e4e4}.note{border-left:4px solid #b0b0b0;padding:.3rem .8rem;background:#fafafa}
section.cell{border:1px solid #ddd;border-left-width:6px;padding:.4rem .8rem;margin:.6rem 0}
section.cell.allow{border-left-color:#3c9a52}section.cell.approval{border-left-color:#d4a400}
section.cell.deny{border-left-color:#c43c3c}section.cell.indeterminate{border-left-color:#888}
section.cell h4{margin:.2rem 0}li.d1{margin-left:1.3rem;list-style:circle}
li.d2,li.d3{margin-left:2.6rem;list-style:square}.score{font-weight:600;text-align:right}.back{font-size:.85em}
details.refs{margin:.2rem 0;font-size:.9em}details.refs summary{cursor:pointer;color:#444}
summary:focus-visible,a:focus-visible{outline:3px solid #f0a500;outline-offset:2px}.print-only{display:none}
@media print{body{max-width:none;padding:0;font-size:10pt}a{color:inherit;text-decoration:none}
h2{page-break-after:avoid}tr,section.cell{page-break-inside:avoid}.back{display:none}
td.v-allow,td.v-approval,td.v-deny,td.v-indeterminate,section.cell{-webkit-print-color-adjust:exact;
print-color-adjust:exact}details.refs,.screen-only{display:none}.print-only{display:block}
table{font-size:8.5pt;margin:.3rem 0 .6rem}th,td{padding:.12rem .3rem}h2{margin-top:1.2rem}h3{margin-top:.8rem}
ul.items{padding-left:.9rem}}
";

/// The paper: margins that leave the tables room.
const PAGE: &str = "@page{margin:12mm}\n";
/// The paper for a wide comparison.
const PAGE_WIDE: &str = "@page{size:A4 landscape;margin:10mm}\n";

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text and turns `backticked` parts into `<code>`.
pub(crate) fn inline(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

/// An item's words and the clause reference they cite, apart: `words [`id` (line 3)]` or `` `id` (line 3): words ``.
fn split_ref(item: &str) -> (&str, Option<&str>) {
    if item.ends_with(']') {
        if let Some((words, refs)) = item.rsplit_once(" [") {
            return (words, refs.strip_suffix(']'));
        }
    }
    if item.starts_with('`') {
        if let Some(i) = item.find("): ") {
            if let (Some(r), Some(words)) = (item.get(..=i), item.get(i + 3..)) {
                return (words, Some(r));
            }
        }
    }
    (item, None)
}

/// The clause ids, lines and fact paths behind some plain words, one click away (and not printed).
fn behind_a_click(label: &str, lines: &str) -> String {
    format!("<details class=\"refs\"><summary>{}</summary>{lines}</details>", esc(label))
}

/// A table cell's items in words; the clauses they cite behind a click.
fn items(list: &[String]) -> String {
    if list.is_empty() {
        return "<span class=\"none\">none</span>".to_string();
    }
    let split: Vec<(&str, Option<&str>)> = list.iter().map(|s| split_ref(s)).collect();
    let words = if split.len() == 1 {
        split.first().map(|(w, _)| inline(w)).unwrap_or_default()
    } else {
        let lis: String = split.iter().map(|(w, _)| format!("<li>{}</li>", inline(w))).collect();
        format!("<ul class=\"items\">{lis}</ul>")
    };
    let refs: Vec<String> = split.iter().filter_map(|(_, r)| r.map(|r| format!("<li>{}</li>", inline(r)))).collect();
    if refs.is_empty() {
        words
    } else {
        format!("{words}{}", behind_a_click("the clauses", &format!("<ul>{}</ul>", refs.concat())))
    }
}

fn table(out: &mut String, head: &[String], rows: &[Vec<String>]) {
    out.push_str("<table>\n<thead><tr>");
    for h in head {
        let _ = write!(out, "<th>{h}</th>");
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for (i, cell) in r.iter().enumerate() {
            if i == 0 {
                let _ = write!(out, "<th scope=\"row\">{cell}</th>");
            } else {
                let _ = write!(out, "<td>{cell}</td>");
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// The whole report as one HTML page.
pub fn html(c: &Comparison) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let names: Vec<String> = c.policies.iter().map(|p| p.name.clone()).collect();
    let _ = writeln!(out, "<title>{}</title>", esc(&format!("Comparing {}", names.join(" / "))));
    // Four employers or more print across the page.
    let paper = if c.policies.len() > 3 { PAGE_WIDE } else { PAGE };
    let _ = writeln!(out, "<style>{CSS}{paper}</style>\n</head>\n<body>");
    let _ = writeln!(out, "<h1 id=\"top\">Comparing employers' social media policies</h1>");
    let _ = writeln!(
        out,
        "<p>{} policies, {} situations ({} pack). Each verdict in the <a href=\"#situations\">matrix</a> links to its \
         explanation. Contents: <a href=\"#scores\">scores</a> · <a href=\"#ownership\">who keeps what</a> · \
         <a href=\"#profile\">profile</a> · <a href=\"#jurisdiction\">jurisdiction</a>{} · \
         <a href=\"#situations\">situations</a> · <a href=\"#explanations\">explanations</a> · \
         <a href=\"#rubric\">rubric</a></p>",
        c.policies.len(),
        c.pack.size,
        esc(&c.pack.source),
        if c.against.is_some() { " · <a href=\"#against\">deal-breakers</a>" } else { "" }
    );

    let _ = writeln!(out, "<h2 id=\"answer\">Your answer</h2>\n<ul>");
    for a in super::render::answer(c) {
        let _ = writeln!(out, "<li>{}</li>", inline(&a));
    }
    out.push_str("</ul>\n");

    // Employers by name in every column.
    let column = |p: &super::PolicyInfo| esc(&p.name);
    let mut head = vec![String::new()];
    head.extend(c.policies.iter().map(column));
    let row = |label: &str, f: &dyn Fn(&super::PolicyInfo) -> String| -> Vec<String> {
        let mut r = vec![esc(label)];
        r.extend(c.policies.iter().map(f));
        r
    };
    let rows = vec![
        row("policy", &|p| esc(&p.title())),
        row("file", &|p| format!("<code>{}</code>", esc(&p.file))),
        row("jurisdiction", &|p| esc(p.jurisdiction.as_deref().unwrap_or("not stated"))),
        row("effective", &|p| p.effective.map_or_else(|| "not stated".into(), |d| d.to_string())),
        row("owner", &|p| esc(p.owner.as_deref().unwrap_or("not stated"))),
    ];
    table(&mut out, &head, &rows);

    // Scores.
    let _ = writeln!(out, "<h2 id=\"scores\">Scores</h2>");
    let _ = writeln!(
        out,
        "<p>0–10 per dimension, 10 being the most favourable to you (see the <a href=\"#rubric\">rubric</a>).</p>"
    );
    let mut srows: Vec<Vec<String>> = Dimension::ALL
        .iter()
        .map(|d| {
            let mut r = vec![format!("{}<br><small>{}</small>", esc(d.title()), esc(d.meaning()))];
            r.extend(c.scores.iter().map(|s| {
                format!(
                    "<span class=\"score\">{}</span>",
                    s.get(*d).map_or_else(|| "-".into(), |x| x.score.to_string())
                )
            }));
            r
        })
        .collect();
    let mut r = vec!["require-approval clauses".to_string()];
    r.extend(c.scores.iter().map(|s| s.posture.approval_clauses.len().to_string()));
    srows.push(r);
    let mut r = vec!["restrictive defaults".to_string()];
    r.extend(c.scores.iter().map(|s| s.posture.restrictive_defaults.len().to_string()));
    srows.push(r);
    table(&mut out, &head, &srows);
    let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(super::POSTURE_NOTE));
    let _ = writeln!(out, "<div class=\"screen-only\">\n<h3>How each score was reached</h3>");
    for (s, info) in c.scores.iter().zip(&c.policies) {
        let _ = writeln!(out, "<h4>{}</h4>\n<ul>", esc(&info.title()));
        for d in &s.dimensions {
            let words: Vec<String> = d.items.iter().map(score::ScoreItem::words).collect();
            let _ = writeln!(
                out,
                "<li><strong>{} {}</strong>{}</li>",
                esc(d.dimension.title()),
                d.score.out_of_ten(),
                if words.is_empty() { String::new() } else { items(&words) }
            );
        }
        out.push_str("</ul>\n");
    }

    out.push_str("</div>\n");

    // Ownership.
    let _ = writeln!(out, "<h2 id=\"ownership\">Who keeps what when you leave</h2>");
    let mut rows = vec![{
        let mut r = vec!["ownership model".to_string()];
        r.extend(c.profiles.iter().map(|p| esc(p.ownership.model.words())));
        r
    }];
    if let Some(first) = c.profiles.first() {
        for (i, orow) in first.ownership.rows.iter().enumerate() {
            let mut r = vec![esc(&orow.asset)];
            for p in &c.profiles {
                r.push(p.ownership.rows.get(i).map_or_else(String::new, |x| {
                    let mut list = vec![x.words()];
                    list.extend(x.obligations.iter().map(|o| format!("obligation: {o}")));
                    items(&list)
                }));
            }
            rows.push(r);
        }
    }
    let mut r = vec![esc(super::render::BRAND_ROW)];
    r.extend(c.profiles.iter().map(|p| items(&p.brands.items())));
    rows.push(r);
    table(&mut out, &head, &rows);

    let _ = writeln!(out, "<h2 id=\"profile\">Profile</h2>");
    let side = |out: &mut String, title: &str, rows: &dyn Fn(&Profile) -> Rows| {
        let _ = writeln!(out, "<h3>{}</h3>", esc(title));
        let per: Vec<Rows> = c.profiles.iter().map(rows).collect();
        let labels: Vec<&'static str> = per.first().map(|r| r.iter().map(|(l, _)| *l).collect()).unwrap_or_default();
        let body: Vec<Vec<String>> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut r = vec![esc(l)];
                r.extend(per.iter().map(|p| items(&p.get(i).map(|(_, x)| x.clone()).unwrap_or_default())));
                r
            })
            .collect();
        table(out, &head, &body);
    };
    side(&mut out, "What a leaver owes", &departure_rows);
    side(&mut out, "Covenants", &|p: &Profile| {
        crate::ast::CovenantKind::ALL.iter().map(|k| (k.as_str(), covenant_items(p, k.as_str()))).collect()
    });
    // Posting and connecting clause by clause are for the screen: on paper the situations show what they decide.
    out.push_str("<div class=\"screen-only\">\n");
    side(&mut out, "Posting", &posting_rows);
    side(&mut out, "Connecting", &connecting_rows);
    out.push_str("</div>\n");
    side(&mut out, "Defaults, general rules and monitoring", &|p: &Profile| {
        let refs = p.monitoring.clauses.iter().map(super::ClauseRef::words).collect::<Vec<_>>().join(", ");
        let m = if refs.is_empty() { p.monitoring.words.clone() } else { format!("{} [{refs}]", p.monitoring.words) };
        vec![
            ("policy default", vec![p.defaults.policy.words()]),
            ("restrictive defaults", vec![p.defaults.restrictive.to_string()]),
            ("when clauses disagree", vec![p.defaults.conflicts.clone()]),
            ("which version binds you", vec![p.defaults.binds.clone()]),
            (
                "general rules",
                p.rules.iter().map(|r| format!("{} — {} [`{}`, line {}]", r.text, r.effect, r.id, r.line)).collect(),
            ),
            ("monitoring of personal accounts", vec![m]),
        ]
    });

    let _ = writeln!(out, "<h2 id=\"jurisdiction\">Jurisdiction</h2>\n<ul>");
    for s in &c.jurisdiction.summary {
        let _ = writeln!(out, "<li>{}</li>", inline(s));
    }
    out.push_str("</ul>\n");

    if let Some(a) = &c.against {
        let _ =
            writeln!(out, "<h2 id=\"against\">Deal-breakers: {} (<code>{}</code>)</h2>", esc(&a.name), esc(&a.file));
        let issue = |i: &super::against::Issue| i.words();
        let pick = |label: &str, f: &dyn Fn(&super::against::EmployerCheck) -> String| {
            let mut r = vec![esc(label)];
            r.extend(a.employers.iter().map(f));
            r
        };
        let body = vec![
            pick("verdict", &|e| esc(&super::render::verdict_words(e))),
            pick("broken", &|e| items(&e.broken.iter().map(issue).collect::<Vec<_>>())),
            pick("cannot tell", &|e| items(&e.unknown.iter().map(issue).collect::<Vec<_>>())),
            pick("preferences not met", &|e| items(&e.preferences.iter().map(issue).collect::<Vec<_>>())),
            pick("set aside by law", &|e| items(&e.set_aside.iter().map(issue).collect::<Vec<_>>())),
            pick("read from the employer's policy", &|e| items(&e.derivation)),
        ];
        table(&mut out, &head, &body);
    }

    // Matrix.
    let _ = writeln!(out, "<h2 id=\"situations\">Situations</h2>");
    let _ = writeln!(
        out,
        "<p class=\"legend\"><span class=\"v-allow\">allow</span><span class=\"v-approval\">require-approval</span>\
         <span class=\"v-deny\">deny</span><span class=\"v-indeterminate\">indeterminate</span> \
         † the law set aside a clause that would have decided (the verdict shown is what binds)</p>"
    );
    let mut mhead = vec!["situation".to_string()];
    // The matrix is the widest table: its columns carry the short names (the whole names head the tables above).
    mhead.extend(c.policies.iter().map(|p| format!("<span title=\"{}\">{}</span>", esc(&p.name), esc(&p.short))));
    let mut group = "";
    let mut open = false;
    for r in &c.situations {
        if r.group != group {
            if open {
                out.push_str("</tbody>\n</table>\n");
            }
            group = &r.group;
            let _ = writeln!(out, "<h3>{}</h3>\n<table>\n<thead><tr>", esc(group));
            for h in &mhead {
                let _ = write!(out, "<th>{h}</th>");
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            open = true;
        }
        let _ = write!(out, "<tr id=\"row-{}\"><th scope=\"row\">{}</th>", esc(&super::slug(&r.id)), esc(&r.title));
        for x in &r.cells {
            let _ = write!(
                out,
                "<td class=\"v v-{}\"><a href=\"#{}\">{}</a></td>",
                class(x.verdict),
                esc(&x.anchor),
                esc(&cell_label(x))
            );
        }
        out.push_str("</tr>\n");
    }
    if open {
        out.push_str("</tbody>\n</table>\n");
    }
    let _ = writeln!(out, "<h3>Totals</h3>\n<ul>");
    for t in &c.tallies {
        let approvals = if t.approvals.is_empty() {
            String::new()
        } else {
            format!(
                "; approvals from {}",
                t.approvals.iter().map(|(k, n)| format!("{k} × {n}")).collect::<Vec<_>>().join(", ")
            )
        };
        let _ = writeln!(
            out,
            "<li><strong>{}</strong>: {}{}</li>",
            esc(named(c, &t.policy)),
            tally_words(&t.total),
            esc(&approvals)
        );
    }
    out.push_str("</ul>\n");

    // Explanations.
    // On paper the matrix's verdicts stand alone: the explanations stay in the file (a few pages, not dozens).
    let _ = writeln!(
        out,
        "<p class=\"print-only note\">Left off the paper, and in the HTML file this was printed from: how each \
         score was reached, the posting and connecting clauses one by one, each verdict's explanation, and the \
         clauses and facts behind them.</p>\n<div class=\"screen-only\">"
    );
    let _ = writeln!(out, "<h2 id=\"explanations\">Explanations</h2>");
    for r in &c.situations {
        let _ = writeln!(out, "<h3>{}</h3>", esc(&r.title));
        for x in &r.cells {
            let _ = writeln!(
                out,
                "<section class=\"cell {}\" id=\"{}\">\n<h4>{}: {}</h4>\n<ul>",
                class(x.verdict),
                esc(&x.anchor),
                esc(named(c, &x.policy)),
                esc(&cell_label(x))
            );
            for words in reason(x) {
                let _ = write!(out, "<li>{}</li>", esc(&words));
            }
            let lines = explanation(x);
            // Behind the click only when there is more than the words: clause ids, lines, fact paths.
            let behind = if lines.iter().any(|l| l.text.contains('`')) {
                let lis: String = lines
                    .iter()
                    .map(|l| format!("<li class=\"d{}\">{}</li>", l.depth.min(3), inline(&l.text)))
                    .collect();
                behind_a_click("the clauses and facts behind this", &format!("<ul>{lis}</ul>"))
            } else {
                String::new()
            };
            let _ = writeln!(out, "\n</ul>\n{behind}");
            let _ = writeln!(
                out,
                "<p class=\"back\"><a href=\"#row-{}\">back to the matrix</a></p>\n</section>",
                esc(&super::slug(&r.id))
            );
        }
    }

    out.push_str("</div>\n");

    // Rubric.
    let _ = writeln!(out, "<h2 id=\"rubric\">Rubric</h2>");
    let body: Vec<Vec<String>> = c
        .rubric
        .iter()
        .map(|r| {
            vec![
                esc(r.dimension.title()),
                inline(r.criterion),
                r.situation.map_or_else(String::new, |s| format!("<code>{}</code>", esc(s))),
                esc(&r.points),
            ]
        })
        .collect();
    table(&mut out, &["dimension".into(), "criterion".into(), "situation".into(), "points".into()], &body);
    let _ = writeln!(out, "<p>{}</p>\n<p>{}</p>\n<ul>", esc(score::CREDIT_RULE), esc(score::NOT_ADDRESSED_RULE));
    for d in Dimension::ALL {
        let _ = writeln!(
            out,
            "<li><strong>{}</strong>: {}; {}.</li>",
            esc(d.title()),
            esc(d.meaning()),
            if d.deducts() { "starts at 10 and deducts" } else { "adds points earned, 10 in all" }
        );
    }
    out.push_str("</ul>\n<h2>Notes</h2>\n<ul>\n");
    for n in &c.notes {
        let _ = writeln!(out, "<li>{}</li>", inline(n));
    }
    let _ = writeln!(
        out,
        "</ul>\n<p class=\"back\">{} · generated by smpolicy compare</p>\n</body>\n</html>",
        count_words(c.situations.len(), "situation", "situations")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_code() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(inline("rule `a<b` here"), "rule <code>a&lt;b</code> here");
    }
}
