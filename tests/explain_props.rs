//! Text, markdown and JSON explanations carry the same content: over the
//! scenario and shipped policies and the scenario actions with a few fields
//! changed (the generators of `eval_props`), everything the JSON verdict says
//! (the verdict word and summary, every clause in scope and what became of it,
//! each covenant window's dates, every excepted clause's reason, obligation,
//! advice, law note, missing fact, clause set aside by law, dry run, fact read
//! and counterfactual) is in the plain text and in the markdown, with and
//! without `--all`, and under the same headings in both.
//!
//! A case reaches the assertion when its verdict says something beyond the
//! verdict and the list of clauses (a counterfactual, a duty, a note, a missing
//! fact, a window, an exception's reason, a law override, a dry run); the reach
//! rate is reported and fails below 50 %.

use crate::eval_props::{materialise, opts, property, Reach};
use proptest::test_runner::TestCaseError;
use serde_json::Value as Json;
use smpolicy::eval::evaluate;
use smpolicy::eval::explain::{self, ExplainOptions};

/// The strings of `field` of each object in the JSON array `v[list]`.
fn strings<'a>(v: &'a Json, list: &str, field: &str) -> Vec<&'a str> {
    let items = v[list].as_array().map(Vec::as_slice).unwrap_or_default();
    items.iter().filter_map(|i| if field.is_empty() { i.as_str() } else { i[field].as_str() }).collect()
}

/// A rendering cut at its headings: each heading (normalised: lower case,
/// without `###`, a closing colon or a parenthesised count) with its lines.
/// Text headings stand at the margin and end with a colon (`law notes:`);
/// markdown headings are `###` lines. What comes before the first heading is
/// under the heading `""`.
fn sections(rendering: &str, markdown: bool) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), String::new())];
    for line in rendering.lines() {
        let heading = if markdown {
            line.strip_prefix("### ")
        } else {
            line.strip_suffix(':').filter(|_| !line.starts_with(' ') && !line.is_empty())
        };
        match heading {
            Some(h) => {
                let h = h.split(" (").next().unwrap_or(h).trim_end_matches(':').to_lowercase();
                out.push((h, String::new()));
            }
            None => {
                if let Some((_, body)) = out.last_mut() {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    out
}

/// The headings under which `item` appears.
fn headings_of(sections: &[(String, String)], item: &str) -> Vec<String> {
    let mut hs: Vec<String> = sections.iter().filter(|(_, b)| b.contains(item)).map(|(h, _)| h.clone()).collect();
    hs.sort();
    hs.dedup();
    hs
}

/// Each of `wanted` is in both renderings, under the same headings; returns how many were checked.
fn in_both(what: &str, wanted: &[String], text: &str, md: &str) -> Result<usize, TestCaseError> {
    let (ts, ms) = (sections(text, false), sections(md, true));
    for w in wanted {
        if !text.contains(w.as_str()) {
            return Err(TestCaseError::fail(format!("{what} {w:?} is in the JSON but not in the text:\n{text}")));
        }
        // The markdown writes text as text (`<` as `&lt;`).
        let in_md = smpolicy::markdown::text(w);
        if !md.contains(&in_md) {
            return Err(TestCaseError::fail(format!("{what} {w:?} is in the JSON but not in the markdown:\n{md}")));
        }
        let (th, mh) = (headings_of(&ts, w), headings_of(&ms, &in_md));
        if th != mh {
            return Err(TestCaseError::fail(format!(
                "{what} {w:?} sits under {th:?} in the text but under {mh:?} in the markdown:\n{text}\n{md}"
            )));
        }
    }
    Ok(wanted.len())
}

/// Checks one verdict's three renderings under `opts`; returns how many items beyond the verdict and the clause list it checked.
fn agree(v: &Json, text: &str, md: &str, all: bool) -> Result<usize, TestCaseError> {
    let owned = |xs: Vec<&str>| xs.into_iter().map(str::to_string).collect::<Vec<_>>();
    let word = v["verdict"].as_str().unwrap();
    in_both("the verdict", &[v["summary"].as_str().unwrap().to_string()], text, md)?;
    if !text.contains(&format!("verdict: {word}")) || !md.contains(&format!("**{word}")) {
        return Err(TestCaseError::fail(format!("the verdict {word:?} is not in both:\n{text}\n{md}")));
    }
    let rules = v["rules"].as_array().unwrap();
    let listed = rules.iter().filter(|r| all || r["outcome"] != "out_of_scope");
    in_both(
        "the clause",
        &listed.clone().map(|r| format!("`{}`", r["id"].as_str().unwrap())).collect::<Vec<_>>(),
        text,
        md,
    )?;
    let order = |r: &str, markdown: bool| sections(r, markdown).into_iter().map(|(h, _)| h).collect::<Vec<_>>();
    if order(text, false) != order(md, true) {
        return Err(TestCaseError::fail(format!(
            "the headings differ: {:?} in the text, {:?} in the markdown",
            order(text, false),
            order(md, true)
        )));
    }
    let mut n = 0;
    let windows: Vec<String> = listed
        .clone()
        .filter_map(|r| r["window"].as_object())
        .flat_map(|w| ["from", "until", "until_without_offset", "action_on"].map(|k| w.get(k).and_then(Json::as_str)))
        .flatten()
        .map(str::to_string)
        .collect();
    n += in_both("a window's date", &windows, text, md)?;
    let reasons: Vec<String> = rules.iter().filter_map(|r| r["excepted_reason"].as_str()).map(str::to_string).collect();
    n += in_both("an exception's reason", &reasons, text, md)?;
    n += in_both("a duty", &owned(strings(v, "obligations", "text")), text, md)?;
    n += in_both("advice", &owned(strings(v, "advice", "text")), text, md)?;
    n += in_both("a law note", &owned(strings(v, "law_notes", "text")), text, md)?;
    n += in_both("a missing fact", &owned(strings(v, "missing", "")), text, md)?;
    n += in_both("the undecidable test", &owned(strings(v, "undecidable", "")), text, md)?;
    let law: Vec<String> = strings(v, "law", "clause").into_iter().map(|c| format!("`{c}`")).collect();
    n += in_both("a clause set aside by law", &law, text, md)?;
    n += in_both("advice of the law", &owned(strings(v, "law", "advice")), text, md)?;
    let dry: Vec<String> = strings(v, "dry_run", "").into_iter().map(|c| format!("`{c}`")).collect();
    n += in_both("a dry run", &dry, text, md)?;
    n += in_both("a counterfactual", &owned(strings(v, "counterfactuals", "")), text, md)?;
    let facts = v["facts"].as_array().unwrap().iter();
    let facts: Vec<String> = facts
        .map(|f| {
            format!(
                "{} ({}): {}",
                f["path"].as_str().unwrap(),
                f["label"].as_str().unwrap(),
                f["value"].as_str().unwrap()
            )
        })
        .collect();
    in_both("a fact read", &facts, text, md)?;
    Ok(n)
}

#[test]
fn text_markdown_and_json_carry_the_same_content() {
    property("text, markdown and JSON agree", |input| {
        let Some((l, _, action)) = materialise(input) else { return Ok(Reach::Dropped) };
        let v = evaluate(&l.policy, &l.file, &action, &opts());
        let json = serde_json::to_value(&v).unwrap();
        let mut beyond = 0;
        for all in [false, true] {
            let o = ExplainOptions { why_not: false, all };
            let (text, md) = (explain::text(&v, &l.file.name, o), explain::markdown(&v, &l.file.name, o));
            beyond += agree(&json, &text, &md, all)
                .map_err(|e| TestCaseError::fail(format!("{} on {}: {e}", l.file.name, json["summary"])))?;
        }
        Ok(if beyond > 0 { Reach::Reached } else { Reach::Missed })
    });
}
