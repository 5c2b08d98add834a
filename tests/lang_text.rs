//! Facts as at a date and text tests (issue #14, concept 6): an account's
//! handle and display name at departure beside the ones it has now, so that
//! renaming a branded account on the way out does not change whose it was;
//! `contains` (ignoring case by Unicode case folding) against texts and the
//! declared `brand names`, in any condition. Both engines, `check`, `fmt`,
//! the data reader and the diff.
//!
//! The published texts: PhoneDog v Kravitz as reported (the PhoneDog_Noah
//! naming convention and the rename to @noahkravitz; Mashable's interview
//! reprinted at http://el4mmm.blogspot.com/2011/12/meet-writer-being-sued-for-his-17000.html,
//! and https://www.dailydot.com/news/twitter-handle-followers-lawsuit/), and
//! Morehouse School of Medicine's company social media policy
//! (http://www.msm.edu/socialMedia/MSMpolicy.aspx), read in December 2026 and
//! paraphrased in tests/cases/published/brand-handles.policy.

use crate::util::{run, run_stdin, stderr, stdout};
use serde_json::Value;

const PUBLISHED: &str = "tests/cases/published/brand-handles.policy";

pub(crate) fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

/// A scratch directory of its own for each test (shared with other language tests).
pub(crate) fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("smpolicy-lang-text-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// Every case of the published policy, in the interpreter (`test`) and in the
/// compiled form (`eval --batch`), and the file is as `fmt` writes it.
#[test]
fn the_published_policy_holds_its_cases_in_both_engines() {
    crate::util::published_cases_hold_in_both_engines("brand-handles");
}

const RENAMED: &str = r#"{"action":"depart","at":"2010-10-20T10:00:00Z","actor":{"id":"noah","role":"writer","status":"departed","departed_on":"2010-10-15"},"account":{"kind":"personal","handle":"@noahkravitz""#;

/// The explanation says which handle decided ownership: the one at departure
/// when the action gives it (and the handle now is not read), else the one now.
#[test]
fn the_explanation_names_the_handle_it_read() {
    let at_departure = format!(r#"{RENAMED},"handle_at_departure":"@PhoneDog_Noah"}}}}"#);
    let out = stdout(&run_stdin(&["eval", PUBLISHED, "-"], &at_departure));
    assert!(out.contains("verdict: deny"), "{out}");
    assert!(
        out.contains(
            r#"account.handle_at_departure = "@PhoneDog_Noah" contains the brand name "PhoneDog" (ignoring case)"#
        ),
        "{out}"
    );
    assert!(!out.contains(r#"account.handle = "@noahkravitz""#), "the handle now is not what decided: {out}");

    let now_only = format!(r#"{RENAMED}}}}}"#);
    let out = stdout(&run_stdin(&["eval", PUBLISHED, "-"], &now_only));
    assert!(out.contains("verdict: allow"), "{out}");
    assert!(out.contains("account.handle_at_departure is missing"), "{out}");
    assert!(
        out.contains(r#"account.handle = "@noahkravitz" contains none of the brand names "PhoneDog", "Phone Dog""#),
        "{out}"
    );
}

/// A text not given is not given: the clause that reads it holds the verdict
/// back, naming the fact, in both engines; given as the wrong kind of value it
/// is refused by the reader, naming the field.
#[test]
fn a_text_not_given_holds_the_verdict_back() {
    let post = r#"{"action":"post","at":"2010-06-01T10:00:00Z","actor":{"id":"n","role":"writer","status":"employed"},"channel":"twitter","account":{"kind":"personal","display_name":"Noah"},"content":{"kind":"personal"}}"#;
    let out = stdout(&run_stdin(&["eval", PUBLISHED, "-"], post));
    assert!(out.contains("verdict: indeterminate"), "{out}");
    assert!(out.contains("content.text is not given"), "{out}");
    let o = run_stdin(&["eval", "--batch", PUBLISHED, "-"], &format!("{post}\n"));
    assert_eq!(json(stdout(&o).lines().next().unwrap())["verdict"], "indeterminate", "{}", stderr(&o));

    let bad = post.replace(r#""display_name":"Noah""#, r#""display_name":7"#);
    let o = run_stdin(&["eval", "--batch", PUBLISHED, "-"], &format!("{bad}\n"));
    let line = json(stdout(&o).lines().next().unwrap());
    assert!(line["error"].to_string().contains("account.display_name"), "{line}");
}

/// `contains` ignores case by Unicode case folding, in both engines: `ß` and
/// `SS`, Greek final sigma, Cyrillic; a declared text fact is tested too.
#[test]
fn contains_folds_case_in_both_engines() {
    let dir = scratch("fold");
    let policy = write(
        &dir,
        "fold.policy",
        "policy \"Fold\" default allow\n\nfact campaign: text \"The campaign.\"\n\nbrand names {\"Straße Personal\", \"ΟΔΥΣΣΕΥΣ\"}\n\nrule brand \"Brand names need marketing.\" {\n  when content.text contains a brand name or facts.campaign contains \"кадры\"\n  then deny\n}\n",
    );
    let o = run(&["check", &policy]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let line = |text: &str, campaign: &str| {
        format!(
            r#"{{"action":"post","actor":{{"id":"a","role":"x","status":"employed"}},"channel":"twitter","content":{{"text":{text:?}}},"facts":{{"campaign":{campaign:?}}}}}"#
        )
    };
    let cases = [
        (line("join STRASSE PERSONAL today", "spring"), "deny"),
        (line("join straße personal", "spring"), "deny"),
        (line("Οδυσσευς recruits", "spring"), "deny"),
        (line("nothing to see", "КАДРЫ 2026"), "deny"),
        (line("Strasse-Personal", "spring"), "allow"),
        (line("nothing to see", "spring"), "allow"),
    ];
    let lines: String = cases.iter().map(|(l, _)| format!("{l}\n")).collect();
    let o = run_stdin(&["eval", "--batch", &policy, "-"], &lines);
    let got: Vec<Value> = stdout(&o).lines().map(json).collect();
    assert_eq!(got.len(), cases.len(), "{}", stderr(&o));
    for ((l, want), g) in cases.iter().zip(&got) {
        assert_eq!(g["verdict"], *want, "batch: {l}");
        let one = stdout(&run_stdin(&["eval", &policy, "-", "--format", "json"], l));
        assert_eq!(json(&one)["verdict"], *want, "eval: {l}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `check` refuses `contains` on a fact that is not a text, `a brand name`
/// without brand names, an empty text and a second `brand names`; it warns of
/// a brand name listed twice in other case.
#[test]
fn check_names_what_a_text_test_needs() {
    let dir = scratch("check");
    let cases = [
        (
            "rule r \"x\" { when history.posts_today contains \"a\" then deny }",
            "only a text can be tested with `contains`",
        ),
        (
            "rule r \"x\" { when account.handle contains a brand name then deny }",
            "`a brand name` needs the policy's brand names",
        ),
        ("rule r \"x\" { when account.handle contains \"\" then deny }", "`contains \"\"` holds for every text"),
        ("brand names {\"A1\"}\nbrand names {\"B2\"}", "`brand names` is declared twice"),
        ("brand names {\"--\"}", "a brand name needs a letter or a digit"),
    ];
    for (i, (body, message)) in cases.iter().enumerate() {
        let p = write(&dir, &format!("c{i}.policy"), &format!("policy \"C\" default allow\n{body}\n"));
        let o = run(&["check", &p]);
        let all = format!("{}{}", stdout(&o), stderr(&o));
        assert_ne!(o.status.code(), Some(0), "{body}: {all}");
        assert!(all.contains(message), "{body}: {all}");
    }
    let p = write(&dir, "w.policy", "policy \"W\" default allow\nbrand names {\"Brightwater\", \"BRIGHTWATER\"}\n");
    let o = run(&["check", &p]);
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(0), "{all}");
    assert!(all.contains("is listed twice (brand names are compared ignoring case)"), "{all}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `fmt` writes text tests and brand names back as the author wrote them
/// (one text bare, several in braces) and formatting is stable.
#[test]
fn fmt_keeps_text_tests() {
    let dir = scratch("fmt");
    let p = write(
        &dir,
        "f.policy",
        "policy \"F\" default allow\nbrand names   {\"BW\",\"Brightwater\"}\nrule r \"x\" { when content.text contains {\"a\",\"b\"} or account.display_name_at_departure contains \"BW\" or content.text contains a brand name then deny }\n",
    );
    // `fmt` rewrites the file in place; `fmt --check` then finds nothing to change.
    let o = run(&["fmt", &p]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let once = std::fs::read_to_string(&p).unwrap();
    assert!(once.contains("brand names {\"BW\", \"Brightwater\"}"), "{once}");
    assert!(once.contains("content.text contains {\"a\", \"b\"}"), "{once}");
    assert!(once.contains("account.display_name_at_departure contains \"BW\""), "{once}");
    assert!(once.contains("content.text contains a brand name"), "{once}");
    let o = run(&["fmt", "--check", &p]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The diff finds what changes when a brand name is added: a handle holding
/// only the new name changes owner, with a witness that holds it, and the
/// region says so in words; with no change there is nothing to report.
#[test]
fn the_diff_sees_a_new_brand_name() {
    let dir = scratch("diff");
    let head = "policy \"D\" default allow\n\nownership {\n  accounts with brand in handle -> agency\n}\n\n";
    let old = write(&dir, "old.policy", &format!("{head}brand names {{\"Brightwater\"}}\n"));
    let new = write(&dir, "new.policy", &format!("{head}brand names {{\"Brightwater\", \"BW Recruit\"}}\n"));
    let o = run(&["diff", &old, &new, "--format", "json"]);
    let v = json(&stdout(&o));
    let changes = v["changes"].as_array().unwrap_or_else(|| panic!("{v}"));
    let owned = changes
        .iter()
        .find(|c| c["old"]["verdict"] == "allow" && c["new"]["verdict"] == "deny")
        .unwrap_or_else(|| panic!("no allow → deny change: {v}"));
    let witness = owned["witness"].to_string().to_lowercase();
    assert!(witness.contains("bw recruit") && !witness.contains("brightwater"), "{witness}");
    let text = stdout(&run(&["diff", &old, &new]));
    assert!(
        text.contains("contains one of \"Brightwater\", \"BW Recruit\"") || text.contains("\"BW Recruit\""),
        "{text}"
    );
    let o = run(&["diff", &new, &new, "--format", "json"]);
    assert_eq!(json(&stdout(&o))["changes"].as_array().map(Vec::len), Some(0), "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}
