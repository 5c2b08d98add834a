//! `compare` names employers by name in every report, not by letter (issue 16): the short name each column
//! and list uses ([`compare::short_names`]), headings wrapped to their columns, and hostile names escaped.

use crate::compare_silent::load;
use smpolicy::compare::{self, CompareOptions, Comparison};
use smpolicy::policy::Policy;
use smpolicy::source::SourceFile;

fn shipped(rel: &str) -> (SourceFile, Policy) {
    let f = crate::util::source(rel);
    load(rel, &f.text)
}

/// A policy with only a name and a version, and nothing else to say.
fn named(name: &str, version: &str) -> (SourceFile, Policy) {
    load(&format!("{version}.policy"), &format!("policy \"{name}\" version {version}\n  default allow\n"))
}

fn run(policies: &[(SourceFile, Policy)]) -> Comparison {
    let opts = CompareOptions { now: Some("2030-01-01T00:00:00Z".parse().unwrap()), ..CompareOptions::default() };
    compare::compare(policies, &opts)
}

const HOSTILE: &str = "<script>alert(1)</script> & Sons Recruitment Consultancy of Greater Manchester and Cheshire";

fn shorts(c: &Comparison) -> Vec<&str> {
    c.policies.iter().map(|p| p.short.as_str()).collect()
}

#[test]
fn short_names_are_the_employer_cut_at_the_subject_and_told_apart() {
    let c = run(&[
        shipped("policies/trusting-agency.policy"),
        named("K06 employer A: connect with anyone", "1"),
        named(HOSTILE, "2"),
    ]);
    assert_eq!(shorts(&c), ["Fernhill Talent", "K06 employer A", "<script>alert(1)</script>…"]);
    assert!(shorts(&c).iter().all(|s| s.chars().count() <= compare::SHORT_MAX));

    // Two versions of one employer by version; the same name and version by the whole name, then the key.
    let c = run(&[named("Castlegate — social media", "5"), named("Castlegate — social media", "6")]);
    assert_eq!(shorts(&c), ["Castlegate v5", "Castlegate v6"]);
    let c = run(&[named("Castlegate — leavers", "5"), named("Castlegate — posting", "5")]);
    assert_eq!(shorts(&c), ["Castlegate — leavers", "Castlegate — posting"]);
    let c = run(&[named("Castlegate", "5"), named("Castlegate", "5")]);
    assert_eq!(shorts(&c), ["Castlegate v5 (A)", "Castlegate v5 (B)"]);
}

/// The six employers' policies shipped in `policies/` (the seventh file is a candidate's deal-breakers).
pub(crate) const SHIPPED_EMPLOYERS: [&str; 6] = [
    "policies/trusting-agency.policy",
    "policies/protective-agency.policy",
    "policies/california-employer.policy",
    "policies/brightwater.policy",
    "policies/open-networker.policy",
    "policies/corporate-and-recruiting-teams.policy",
];

#[test]
fn the_text_report_names_seven_employers_in_readable_columns() {
    let mut policies: Vec<(SourceFile, Policy)> = SHIPPED_EMPLOYERS.iter().map(|p| shipped(p)).collect();
    policies.push(named(HOSTILE, "1"));
    let c = run(&policies);
    let text = compare::render::text(&c);
    // No employer is a letter: no row or list line is led by a key.
    for key in ["A", "B", "C", "D", "E", "F", "G"] {
        assert!(
            !text.lines().any(|l| l.starts_with(&format!("  {key}  ")) || l.trim() == format!("{key}:")),
            "{key} in\n{text}"
        );
    }
    // The score table's headings hold every name, word for word (a word wider than its column cut with `…`).
    let scores = text.split("SCORES").nth(1).unwrap();
    let heading: Vec<&str> = scores.lines().skip(1).take_while(|l| !l.contains("network ownership")).collect();
    assert!(heading.len() >= 2, "names wrap on several lines: {heading:?}");
    let words: Vec<&str> = heading.iter().flat_map(|l| l.split_whitespace()).collect();
    for short in shorts(&c) {
        for w in short.split_whitespace() {
            let cut = |h: &&str| h.strip_suffix('…').is_some_and(|h| w.starts_with(h) && h.chars().count() >= 8);
            assert!(
                words.contains(&w) || words.iter().any(cut),
                "{w} of {short} missing from the headings {heading:?}"
            );
        }
    }
    let table: Vec<&str> = scores.lines().take_while(|l| !l.starts_with("  *")).collect();
    let widest = table.iter().map(|l| l.chars().count()).max().unwrap();
    // Names never widen a column past what "not addressed" needs (15): 2 + 36 for the labels, 7 × 15.
    assert!(widest <= 2 + 36 + 7 * 15, "the score table is {widest} characters wide:\n{}", table.join("\n"));
    // Every name leads its own blocks, and the matrix's headings name each employer too.
    for short in shorts(&c) {
        assert!(text.contains(&format!("\n  {short}:\n")), "no score block for {short}");
        assert!(text.contains(&format!("\n  {short}: ")), "no total for {short}");
    }
    let matrix = text.split("SITUATIONS").nth(1).unwrap();
    assert!(matrix.contains("Fernhill") && matrix.contains("Talent"), "{matrix}");
    // The full title is given once, with the short name above it.
    assert!(text.contains(&format!("  {}\n     {HOSTILE} (version 1)\n", shorts(&c)[6])));
}

#[test]
fn markdown_and_html_name_employers_and_escape_hostile_names() {
    let c = run(&[shipped("policies/trusting-agency.policy"), named(HOSTILE, "1")]);
    let md = compare::render::markdown(&c);
    assert!(md.starts_with("# ") && md.contains("|  | **Fernhill Talent** | **"), "{md}");
    assert!(md.contains("**Fernhill Talent: allow**"));
    assert!(!md.contains("| **A** |") && !md.contains("**A: "), "a letter names an employer");
    let html = compare::html::html(&c);
    assert!(!html.contains("<script>"), "a policy's name reached the page unescaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons"));
    assert!(html.contains("<h4>Fernhill Talent: allow</h4>"), "{html}");
    assert!(!html.contains("<small>(A)</small>"));
}

/// Issue 16: the report gives each verdict's reason in plain words; its clause ids and fact paths are in a
/// `<details>` (one click, or Enter, away; left off the paper), as are the clauses behind each point and item.
#[test]
fn the_html_report_shows_reasons_and_keeps_ids_behind_a_click() {
    let c = run(&[shipped("policies/trusting-agency.policy"), shipped("policies/protective-agency.policy")]);
    let html = compare::html::html(&c);
    let sections: Vec<&str> =
        html.split("<section class=\"cell").skip(1).map(|s| s.split("</section>").next().unwrap()).collect();
    assert_eq!(sections.len(), c.situations.len() * 2);
    for s in &sections {
        let (shown, behind) = s.split_once("<details class=\"refs\"><summary>").unwrap_or((s, ""));
        assert!(!shown.contains("<code>") && !shown.contains('`'), "an id shows before the click: {shown}");
        assert!(shown.matches("<li>").count() >= 1, "no reason: {shown}");
        assert!(behind.is_empty() || behind.contains("<code>"), "nothing behind the click: {behind}");
    }
    let behind = sections.iter().filter(|s| s.contains("<details class=\"refs\">")).count();
    assert!(behind * 10 >= sections.len() * 9, "only {behind} of {} verdicts have their clauses", sections.len());
    // Where a clause decided, its own words (here Castlegate's daily limit), never its id, are the reason.
    let tweet = sections.iter().find(|s| s.contains("id=\"tweet-11th-of-day--b\"")).unwrap();
    assert!(tweet.contains("<li>deny: limit 10 posts per day</li>"), "{tweet}");
    // Score points and the profile's items: the words shown, the clauses they cite behind a click.
    let scores = html.split("How each score was reached").nth(1).unwrap().split("id=\"ownership\"").next().unwrap();
    assert!(scores.contains("you keep connections made before you joined: allow<"), "{scores}");
    let shown: String =
        scores.split("<details").map(|part| part.split_once("</details>").map_or(part, |x| x.1)).collect();
    assert!(!shown.contains("(line "), "a clause's line shows before the click: {shown}");
    assert!(scores.matches("<details class=\"refs\">").count() >= 8, "{scores}");
    // On paper the details stay shut and the explanations are left off, said in words.
    assert!(html.contains("details.refs,.screen-only{display:none}"));
    assert!(html.contains("class=\"print-only note\""));
}
