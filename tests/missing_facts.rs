//! No silent allow from a missing fact (issue #12): a yes/no fact an action
//! leaves out, or sends as `null`, is not given, in the interpreter (`eval`)
//! and the compiled form (`eval --batch`) alike; a policy may state what it
//! takes such a fact as (`assume FACT = VALUE when not given`), and `check`,
//! `fmt` and `diff` know that statement too. Lists (`content.kind`,
//! `content.conduct`) left out are not given either: a post that does not say
//! what it is might be a job advert.

use crate::util::{run, run_stdin, stderr, stdout};

const FORBID: &str = r#"policy "Flags"
  default allow

fact mentions_competitor: bool "The post names a competing agency."

rule no-confidential { when action = post and content.confidential then deny }
rule no-competitors { when action = post and facts.mentions_competitor then deny }
"#;

const ASSUMING: &str = r#"policy "Flags"
  default allow

fact mentions_competitor: bool "The post names a competing agency."

assume content.confidential = false when not given "Our posting tool flags every confidential draft."
assume facts.mentions_competitor = false when not given

rule no-confidential { when action = post and content.confidential then deny }
rule no-competitors { when action = post and facts.mentions_competitor then deny }
"#;

/// One post as a JSON line: `content` and `facts` as given.
fn post(content: &str, facts: &str) -> String {
    format!(
        r#"{{"action":"post","at":"2026-06-01T10:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"twitter","content":{content},"facts":{facts}}}"#
    )
}

/// Writes a policy to a fresh directory and returns its path.
fn policy_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("smpolicy-missing-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.policy"));
    std::fs::write(&path, text).unwrap();
    path
}

/// The verdict and the JSON of `eval` (the interpreter) and of `eval --batch`
/// (the compiled form) for one action.
fn both(policy: &std::path::Path, line: &str) -> (serde_json::Value, serde_json::Value) {
    let p = policy.to_str().unwrap();
    let interp = stdout(&run_stdin(&["eval", p, "-", "--format", "json", "--now", "2026-06-01T12:00:00Z"], line));
    let batch = stdout(&run_stdin(&["eval", p, "--batch", "-", "--explain", "--now", "2026-06-01T12:00:00Z"], line));
    let i: serde_json::Value = serde_json::from_str(&interp).unwrap_or_else(|e| panic!("{e}: {interp}"));
    let b: serde_json::Value =
        serde_json::from_str(batch.lines().next().unwrap_or("")).unwrap_or_else(|e| panic!("{e}: {batch}"));
    (i, b)
}

fn missing(v: &serde_json::Value) -> Vec<String> {
    v["missing"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

#[test]
fn a_flag_left_out_or_null_holds_a_refusal_back_in_both_engines() {
    let path = policy_file("forbid", FORBID);
    for content in [r#"{"kind":"industry"}"#, r#"{"kind":"industry","confidential":null}"#] {
        let (i, b) = both(&path, &post(content, r#"{"mentions_competitor":false}"#));
        assert_eq!(
            (i["verdict"].as_str(), b["verdict"].as_str()),
            (Some("indeterminate"), Some("indeterminate")),
            "{i}\n{b}"
        );
        assert_eq!(missing(&i), ["content.confidential"], "{i}");
        assert_eq!(missing(&b), ["content.confidential"], "{b}");
    }
    // A declared yes/no fact left out is not given either.
    let (i, b) = both(&path, &post(r#"{"kind":"industry","confidential":false}"#, "{}"));
    assert_eq!(
        (i["verdict"].as_str(), b["verdict"].as_str()),
        (Some("indeterminate"), Some("indeterminate")),
        "{i}\n{b}"
    );
    assert_eq!(missing(&i), ["facts.mentions_competitor"], "{i}");
    // Both given: decided, in both engines.
    let (i, b) = both(&path, &post(r#"{"kind":"industry","confidential":false}"#, r#"{"mentions_competitor":false}"#));
    assert_eq!((i["verdict"].as_str(), b["verdict"].as_str()), (Some("allow"), Some("allow")), "{i}\n{b}");
    let (i, b) = both(&path, &post(r#"{"kind":"industry","confidential":true}"#, r#"{"mentions_competitor":false}"#));
    assert_eq!((i["verdict"].as_str(), b["verdict"].as_str()), (Some("deny"), Some("deny")), "{i}\n{b}");
    // The explanation names the fact that holds the verdict back.
    let text = stdout(&run_stdin(
        &["eval", path.to_str().unwrap(), "-", "--now", "2026-06-01T12:00:00Z"],
        &post(r#"{"kind":"industry"}"#, r#"{"mentions_competitor":false}"#),
    ));
    assert!(text.contains("content.confidential is not given"), "{text}");
    assert!(!text.contains("taken as no"), "{text}");
}

#[test]
fn a_policy_that_assumes_a_flag_decides_and_says_so() {
    let path = policy_file("assume", ASSUMING);
    assert_eq!(
        run(&["check", path.to_str().unwrap()]).status.code(),
        Some(0),
        "{}",
        stderr(&run(&["check", path.to_str().unwrap()]))
    );
    for content in [r#"{"kind":"industry"}"#, r#"{"kind":"industry","confidential":null}"#] {
        let (i, b) = both(&path, &post(content, "{}"));
        assert_eq!((i["verdict"].as_str(), b["verdict"].as_str()), (Some("allow"), Some("allow")), "{i}\n{b}");
        assert!(missing(&i).is_empty() && missing(&b).is_empty(), "{i}\n{b}");
    }
    // Given, the fact is read as given: the assumption does not overrule it.
    let (i, b) = both(&path, &post(r#"{"kind":"industry","confidential":true}"#, "{}"));
    assert_eq!((i["verdict"].as_str(), b["verdict"].as_str()), (Some("deny"), Some("deny")), "{i}\n{b}");
    // The explanation says where the assumption was used, never `= false`.
    let text = stdout(&run_stdin(
        &["eval", path.to_str().unwrap(), "-", "--why-not", "--now", "2026-06-01T12:00:00Z"],
        &post(r#"{"kind":"industry"}"#, "{}"),
    ));
    assert!(text.contains("content.confidential is not given, taken as no"), "{text}");
    assert!(text.contains("facts.mentions_competitor is not given, taken as no"), "{text}");
    assert!(!text.contains("content.confidential = false"), "{text}");
    // An assumption of yes holds too: a post the tool does not clear is refused.
    let yes =
        policy_file("assume-yes", &ASSUMING.replace("content.confidential = false", "content.confidential = true"));
    let (i, b) = both(&yes, &post(r#"{"kind":"industry"}"#, "{}"));
    assert_eq!((i["verdict"].as_str(), b["verdict"].as_str()), (Some("deny"), Some("deny")), "{i}\n{b}");
}

#[test]
fn check_accepts_only_a_yes_no_fact_assumed_once_and_fmt_keeps_it() {
    let bad = policy_file(
        "assume-bad",
        "policy \"Bad\"\n  default allow\n\nassume history.posts_today = false when not given\nassume content.public = true when not given\nassume content.public = false when not given\nassume content.confidntial = false when not given\n",
    );
    let o = run(&["check", bad.to_str().unwrap()]);
    let err = stderr(&o) + &stdout(&o);
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("only a yes/no fact, a list or a date can be assumed, but `history.posts_today` is"), "{err}");
    assert!(err.contains("`content.public` is assumed twice"), "{err}");
    assert!(err.contains("unknown fact `content.confidntial`"), "{err}");
    // Assuming what the fact table already says is redundant.
    let redundant = policy_file(
        "assume-redundant",
        "policy \"R\"\n  default allow\n\nassume actor.acknowledged_policy = false when not given\n",
    );
    let o = run(&["check", redundant.to_str().unwrap()]);
    assert!((stderr(&o) + &stdout(&o)).contains("redundant-assumption"), "{}", stderr(&o));
    // `fmt` writes it in its one canonical form.
    let messy = policy_file(
        "assume-fmt",
        "policy \"F\"\n  default allow\n\nassume   content.confidential=false   when  not   given \"Flagged by the tool.\"\n",
    );
    assert_eq!(run(&["fmt", messy.to_str().unwrap()]).status.code(), Some(0));
    let out = std::fs::read_to_string(&messy).unwrap();
    assert!(out.contains("assume content.confidential = false when not given \"Flagged by the tool.\"\n"), "{out}");
}

/// Each change's witness replays to its stated verdicts under both versions.
fn replays(changes: &[serde_json::Value], old: &std::path::Path, new: &std::path::Path) {
    for c in changes {
        let w = serde_json::to_string(&c["witness"]).unwrap();
        for (p, side) in [(old, "old"), (new, "new")] {
            let v = stdout(&run_stdin(
                &["eval", p.to_str().unwrap(), "-", "--format", "json", "--now", "2026-06-01T12:00:00Z"],
                &w,
            ));
            let v: serde_json::Value = serde_json::from_str(&v).unwrap();
            assert_eq!(v["verdict"], c[side]["verdict"], "{side} of {w}");
        }
    }
}

#[test]
fn diff_finds_the_posts_an_assumption_decides() {
    let old = policy_file("diff-old", ASSUMING);
    let new = policy_file("diff-new", FORBID);
    let o = run(&["diff", old.to_str().unwrap(), new.to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    let changes = json["changes"].as_array().unwrap();
    let pairs: Vec<(String, String)> = changes
        .iter()
        .map(|c| {
            (
                c["old"]["verdict"].as_str().unwrap_or("").to_string(),
                c["new"]["verdict"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert!(pairs.iter().any(|(o, n)| o == "allow" && n == "indeterminate"), "{json:#}");
    replays(changes, &old, &new);
    // The same policy on both sides: nothing changes.
    let o = run(&["diff", old.to_str().unwrap(), old.to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["changes"].as_array().map(Vec::len), Some(0), "{json:#}");
}

/// A job-ad rule and a conduct rule (on the built-in judgements), each reading a list.
const LISTS: &str = r#"policy "Lists"
  default allow

rule no-job-ads-on-twitter "Job adverts go on LinkedIn." { when action = post and channel = twitter and content.kind has job_ad then deny }
rule no-harassment { when action = post and content.conduct has harassment then deny }
"#;

#[test]
fn a_list_left_out_holds_a_refusal_back_in_both_engines() {
    let path = policy_file("lists", LISTS);
    // Left out, or `null`: the post might be a job advert.
    for content in [r#"{"conduct":[]}"#, r#"{"kind":null,"conduct":[]}"#] {
        let (i, b) = both(&path, &post(content, "{}"));
        assert_eq!(
            (i["verdict"].as_str(), b["verdict"].as_str()),
            (Some("indeterminate"), Some("indeterminate")),
            "{i}\n{b}"
        );
        assert_eq!(missing(&i), ["content.kind"], "{i}");
        assert_eq!(missing(&b), ["content.kind"], "{b}");
    }
    // The built-in conduct judgements the same way.
    let (i, b) = both(&path, &post(r#"{"kind":["industry"]}"#, "{}"));
    assert_eq!(
        (i["verdict"].as_str(), b["verdict"].as_str()),
        (Some("indeterminate"), Some("indeterminate")),
        "{i}\n{b}"
    );
    assert_eq!(missing(&i), ["content.conduct"], "{i}");
    // An empty list says "none of them": decided.
    let (i, b) = both(&path, &post(r#"{"kind":[],"conduct":[]}"#, "{}"));
    assert_eq!((i["verdict"].as_str(), b["verdict"].as_str()), (Some("allow"), Some("allow")), "{i}\n{b}");
    let (i, b) = both(&path, &post(r#"{"kind":["job_ad"],"conduct":[]}"#, "{}"));
    assert_eq!((i["verdict"].as_str(), b["verdict"].as_str()), (Some("deny"), Some("deny")), "{i}\n{b}");
    // A refusal that holds anyway is not held back by the list left out.
    let (i, b) = both(&path, &post(r#"{"conduct":["harassment"]}"#, "{}"));
    assert_eq!((i["verdict"].as_str(), b["verdict"].as_str()), (Some("deny"), Some("deny")), "{i}\n{b}");
    // The explanation names the list, as not given.
    let text = stdout(&run_stdin(
        &["eval", path.to_str().unwrap(), "-", "--now", "2026-06-01T12:00:00Z"],
        &post(r#"{"conduct":[]}"#, "{}"),
    ));
    assert!(text.contains("content.kind is not given"), "{text}");
    assert!(!text.contains("taken as empty"), "{text}");
}

#[test]
fn a_policy_that_assumes_a_list_empty_decides_and_says_so() {
    let text = LISTS.replace(
        "  default allow\n",
        "  default allow\n\nassume content.kind = {} when not given \"Our posting tool sends a kind only for job adverts and brand posts.\"\n",
    );
    let path = policy_file("lists-assumed", &text);
    let o = run(&["check", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (i, b) = both(&path, &post(r#"{"conduct":[]}"#, "{}"));
    assert_eq!((i["verdict"].as_str(), b["verdict"].as_str()), (Some("allow"), Some("allow")), "{i}\n{b}");
    assert!(missing(&i).is_empty() && missing(&b).is_empty(), "{i}\n{b}");
    // Given, the list is read as given.
    let (i, b) = both(&path, &post(r#"{"kind":["job_ad"],"conduct":[]}"#, "{}"));
    assert_eq!((i["verdict"].as_str(), b["verdict"].as_str()), (Some("deny"), Some("deny")), "{i}\n{b}");
    // Only the assumed list: `content.conduct` left out still holds the verdict back.
    let (i, _) = both(&path, &post(r#"{}"#, "{}"));
    assert_eq!(
        (i["verdict"].as_str(), missing(&i)),
        (Some("indeterminate"), vec!["content.conduct".to_string()]),
        "{i}"
    );
    let why = stdout(&run_stdin(
        &["eval", path.to_str().unwrap(), "-", "--why-not", "--now", "2026-06-01T12:00:00Z"],
        &post(r#"{"conduct":[]}"#, "{}"),
    ));
    assert!(why.contains("content.kind is not given, taken as empty"), "{why}");
}

#[test]
fn check_accepts_a_list_assumed_only_empty_and_fmt_keeps_it() {
    let bad = policy_file(
        "assume-list-bad",
        "policy \"Bad\"\n  default allow\n\nassume content.kind = true when not given\nassume content.confidential = {} when not given\n",
    );
    let o = run(&["check", bad.to_str().unwrap()]);
    let err = stderr(&o) + &stdout(&o);
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("`content.kind` is a list: it can only be assumed empty"), "{err}");
    assert!(err.contains("`content.confidential` is a yes/no fact: assume it `true` or `false`"), "{err}");
    // A list with values cannot be assumed: the parser says what it expected.
    let valued = policy_file(
        "assume-list-valued",
        "policy \"V\"\n  default allow\n\nassume content.kind = {brand} when not given\n",
    );
    let o = run(&["check", valued.to_str().unwrap()]);
    let err = stderr(&o) + &stdout(&o);
    assert_ne!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("assume-list-valued.policy:4:"), "{err}");
    // `done` left out is already empty: assuming it so is redundant.
    let redundant =
        policy_file("assume-list-redundant", "policy \"R\"\n  default allow\n\nassume done = {} when not given\n");
    let o = run(&["check", redundant.to_str().unwrap()]);
    let out = stderr(&o) + &stdout(&o);
    assert!(out.contains("redundant-assumption") && out.contains("already taken as empty"), "{out}");
    let messy =
        policy_file("assume-list-fmt", "policy \"F\"\n  default allow\n\nassume content.kind={  }   when not given\n");
    assert_eq!(run(&["fmt", messy.to_str().unwrap()]).status.code(), Some(0));
    let out = std::fs::read_to_string(&messy).unwrap();
    assert!(out.contains("assume content.kind = {} when not given\n"), "{out}");
}

#[test]
fn diff_finds_the_posts_a_list_assumption_decides() {
    let assumed = LISTS.replace("  default allow\n", "  default allow\n\nassume content.kind = {} when not given\n");
    let old = policy_file("diff-list-old", &assumed);
    let new = policy_file("diff-list-new", LISTS);
    let o = run(&["diff", old.to_str().unwrap(), new.to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    let changes = json["changes"].as_array().unwrap();
    // Posts on Twitter that do not say their kind: allowed before, held back now.
    let freed: Vec<&serde_json::Value> =
        changes.iter().filter(|c| c["old"]["verdict"] == "allow" && c["new"]["verdict"] == "indeterminate").collect();
    assert_eq!(freed.len(), 1, "{json:#}");
    assert!(freed[0]["region"].as_str().unwrap_or("").contains("content.kind is not given"), "{json:#}");
    assert_eq!(freed[0]["witness"]["content"].get("kind"), None, "{json:#}");
    // The assumption dropped is a structural change of its own.
    let structural = serde_json::to_string(&json["structural"]).unwrap();
    assert!(structural.contains(r#""kind":"assumptions""#), "{structural}");
    assert!(structural.contains(r#"content.kind = {} when not given"#), "{structural}");
    replays(changes, &old, &new);
    // The same list policy on both sides: nothing changes.
    let o = run(&["diff", new.to_str().unwrap(), new.to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["changes"].as_array().map(Vec::len), Some(0), "{json:#}");
}
