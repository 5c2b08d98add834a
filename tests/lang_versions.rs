//! Versions by contract date (issue #14, concept 8): a policy names the
//! version it replaces (`previous "FILE"`), and `binds at_contract` makes the
//! version in force when the actor's contract was signed (or varied to take a
//! later one) bind them; `binds as_amended` (the default) the newest. `eval`,
//! `eval --batch`, `test` and the explanation agree; an actor with no contract
//! date is indeterminate naming `actor.contract_signed_on` (never fail open);
//! `diff` says whom a change reaches; `check` reports a broken chain at
//! file:line:col; `compare` shows how the policy binds.
//!
//! The published texts: Business Rocks' social media policy
//! (https://businessrocks.co/policies/social-media-policy/: no references on
//! networking sites; "does not form part of any employee's contract ... may be
//! amended at any time") and Department for Transport v Sparks [2016] EWCA Civ
//! 360 as summarised by Collingwood Legal (a handbook incorporated into the
//! contract cannot be changed by the employer alone), both read in December
//! 2026 and paraphrased in tests/cases/published/castlegate-v5.policy and -v6.

use crate::util::{root, run, run_stdin, stderr, stdout};

const V6: &str = "tests/cases/published/castlegate-v6.policy";

/// One action line: `recommend` on LinkedIn by an actor with these extra fields.
fn action(extra: &str) -> String {
    format!(
        r#"{{"action":"recommend","at":"2026-09-01T10:00:00Z","channel":"linkedin","actor":{{"id":"a","role":"consultant","status":"employed"{extra}}}}}"#
    )
}

const SIGNED_BEFORE: &str = r#","contract_signed_on":"2025-03-10""#;
const SIGNED_AFTER: &str = r#","contract_signed_on":"2026-07-01""#;
const VARIED: &str = r#","contract_signed_on":"2025-03-10","contract_varied_on":"2026-07-01""#;
const BEFORE_OLDEST: &str = r#","contract_signed_on":"2019-03-10""#;

fn eval_json(policy: &str, line: &str) -> serde_json::Value {
    let o = run_stdin(&["eval", "--format", "json", policy, "-"], line);
    serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&o), stderr(&o)))
}

/// Every case of the published pair, in the interpreter (`test`) and in the
/// compiled form (`eval --batch`), and both files are as `fmt` writes them.
#[test]
fn the_published_versions_hold_their_cases_in_both_engines() {
    crate::util::published_cases_hold_in_both_engines("castlegate-v6");
    let o = run(&["fmt", "--check", "tests/cases/published/castlegate-v5.policy"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

/// The version in force on the contract date decides, and every output says
/// which and why; the batch record (compiled form), `--explain` and `--full`
/// name the same version as `eval`.
#[test]
fn the_version_in_force_at_the_contract_date_decides_everywhere() {
    let cases = [
        (SIGNED_BEFORE, "require-approval", "5", "version 5, in force on 2025-03-10 when the contract was signed"),
        (SIGNED_AFTER, "deny", "6", "version 6, in force on 2026-07-01 when the contract was signed"),
        (VARIED, "deny", "6", "version 6, in force on 2026-07-01 when the contract was varied to take it"),
    ];
    let lines: String = cases.iter().map(|(extra, ..)| action(extra) + "\n").collect();
    let batch = stdout(&run_stdin(&["eval", "--batch", V6, "-"], &lines));
    let explained = stdout(&run_stdin(&["eval", "--batch", "--explain", V6, "-"], &lines));
    let full = stdout(&run_stdin(&["eval", "--batch", "--full", V6, "-"], &lines));
    for (i, (extra, verdict, version, words)) in cases.iter().enumerate() {
        let v = eval_json(V6, &action(extra));
        assert_eq!(v["verdict"], *verdict, "{v}");
        assert_eq!(v["version"]["version"], *version, "{v}");
        let text = stdout(&run_stdin(&["eval", V6, "-"], &action(extra)));
        assert!(text.contains(&format!("version: {words}\n")), "{text}");
        let md = stdout(&run_stdin(&["eval", "--format", "markdown", V6, "-"], &action(extra)));
        assert!(md.contains(&format!("Version: {words}\n")), "{md}");
        for (what, out) in [("batch", &batch), ("--explain", &explained), ("--full", &full)] {
            let rec: serde_json::Value = serde_json::from_str(out.lines().nth(i).unwrap()).unwrap();
            assert_eq!(rec["verdict"], *verdict, "{what}: {rec}");
            assert_eq!(rec["version"], v["version"], "{what}: {rec}");
        }
    }
    // The clause lines point into the version that decided.
    let text = stdout(&run_stdin(&["eval", V6, "-"], &action(SIGNED_BEFORE)));
    assert!(text.contains("castlegate-v5.policy:"), "{text}");
}

/// No contract date, or one older than the chain: indeterminate, naming the
/// fact, with what each version would decide; the batch agrees.
#[test]
fn no_contract_date_is_never_decided_by_the_newest_version() {
    let v = eval_json(V6, &action(""));
    assert_eq!(v["verdict"], "indeterminate", "{v}");
    assert_eq!(v["missing"], serde_json::json!(["actor.contract_signed_on"]), "{v}");
    assert_eq!(v["basis"]["kind"], "unknown_version", "{v}");
    assert_eq!(v["basis"]["each"][1], serde_json::json!({"version": "6", "verdict": "deny"}), "{v}");
    assert_eq!(v["deciding"], serde_json::json!([]), "{v}");
    let old = eval_json(V6, &action(BEFORE_OLDEST));
    assert_eq!(old["verdict"], "indeterminate", "{old}");
    assert_eq!(old["basis"]["why"]["kind"], "before_oldest", "{old}");
    let o = run_stdin(&["eval", V6, "-"], &action(""));
    assert_eq!(o.status.code(), Some(5), "indeterminate's exit code");
    insta::assert_snapshot!(stdout(&o), @r"
    verdict: indeterminate
      indeterminate: the policy binds at contract and actor.contract_signed_on is not given, so which version binds is not known (version 5 would say require-approval; version 6 would say deny)
    policy: Castlegate Recruitment — references on social media (version 6)

    what each version would decide (none can be named for this actor):
      version 5: require-approval
      version 6: deny

    missing facts:
      actor.contract_signed_on

    facts read:
      action (kind of action): recommend
    ");
    let lines = action("") + "\n" + &action(BEFORE_OLDEST) + "\n";
    let batch = stdout(&run_stdin(&["eval", "--batch", V6, "-"], &lines));
    let recs: Vec<serde_json::Value> = batch.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(recs[0]["verdict"], "indeterminate", "{batch}");
    assert_eq!(recs[0]["unbound"]["kind"], "not_given", "{batch}");
    assert_eq!(recs[1]["unbound"]["kind"], "before_oldest", "{batch}");
}

/// A temporary directory of policy files, removed when dropped.
struct Dir(std::path::PathBuf);

impl Dir {
    fn new(name: &str, files: &[(&str, &str)]) -> Dir {
        let dir = std::env::temp_dir().join(format!("smpolicy-versions-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (f, text) in files {
            std::fs::write(dir.join(f), text).unwrap();
        }
        Dir(dir)
    }

    fn path(&self, f: &str) -> String {
        self.0.join(f).display().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `binds as_amended` (the default): the newest version binds everyone,
/// contract date or not, and the explanation says so. (The newest version's
/// `binds` decides for the chain; the diff shows the change of binding.)
#[test]
fn as_amended_the_newest_version_binds_everyone() {
    let v5 = std::fs::read_to_string(root().join("tests/cases/published/castlegate-v5.policy")).unwrap();
    let v6 = std::fs::read_to_string(root().join(V6)).unwrap();
    let d = Dir::new(
        "amended",
        &[("castlegate-v5.policy", &v5), ("castlegate-v6.policy", &v6.replace("  binds at_contract\n", ""))],
    );
    for extra in ["", SIGNED_BEFORE, BEFORE_OLDEST] {
        let v = eval_json(&d.path("castlegate-v6.policy"), &action(extra));
        assert_eq!(v["verdict"], "deny", "{extra}: {v}");
        assert_eq!(v["version"]["because"]["kind"], "as_amended", "{v}");
    }
    let o = run(&["diff", &d.path("castlegate-v5.policy"), &d.path("castlegate-v6.policy")]);
    assert!(
        stdout(&o).contains(
            "reaches: everyone, from 2026-06-01: the policy binds as amended, so the new version binds every actor\n"
        ),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("header `binds`: at_contract → as_amended"), "{}", stdout(&o));
}

/// `diff OLD NEW` says whom the change reaches, in text, markdown and JSON.
#[test]
fn diff_says_which_population_a_change_reaches() {
    let old = "tests/cases/published/castlegate-v5.policy";
    let text = stdout(&run(&["diff", old, V6]));
    let reach = text.lines().find(|l| l.starts_with("reaches: ")).unwrap_or_default();
    insta::assert_snapshot!(reach, @"reaches: actors whose contract was signed or varied on or after 2026-06-01 (version 6); the others stay under version 5");
    let md = stdout(&run(&["diff", "--format", "markdown", old, V6]));
    assert!(md.contains("**Reaches:** actors whose contract was signed or varied on or after 2026-06-01"), "{md}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&run(&["diff", "--format", "json", old, V6]))).unwrap();
    assert_eq!(
        json["reaches"],
        serde_json::json!({"kind": "contracts_from", "from": "2026-06-01", "new": "6", "old": "5"}),
        "{json}"
    );
}

/// `check` reports a broken chain where it was written (file:line:col).
#[test]
fn check_reports_a_broken_chain_where_it_is_written() {
    let head = |v: &str, eff: &str, prev: &str| {
        format!("policy \"P\" version {v}\n  effective {eff}\n  binds at_contract\n{prev}  default allow\n")
    };
    let d = Dir::new(
        "broken",
        &[
            ("lost.policy", &head("2", "2026-01-01", "  previous \"gone.policy\"\n")),
            ("a.policy", &head("1", "2026-01-01", "  previous \"b.policy\"\n")),
            ("b.policy", &head("2", "2026-02-01", "  previous \"a.policy\"\n")),
            ("old.policy", &head("1", "2026-05-01", "")),
            ("early.policy", &head("2", "2026-01-01", "  previous \"old.policy\"\n")),
            ("undated.policy", "policy \"P\" version 1 binds at_contract default allow\n"),
        ],
    );
    let check = |f: &str| {
        let o = run(&["check", "--error-format", "short", &d.path(f)]);
        assert_eq!(o.status.code(), Some(3), "{f}: {}", stderr(&o));
        stderr(&o).replace(&format!("{}/", d.0.display()), "")
    };
    let lost = check("lost.policy");
    assert!(lost.contains("lost.policy:4:3: error[previous-not-found]"), "{lost}");
    assert!(check("b.policy").contains("error[previous-cycle]"), "cycle");
    let early = check("early.policy");
    assert!(early.contains("early.policy:4:3: error[version-order]"), "{early}");
    assert!(early.contains("takes effect on 2026-01-01, not after the version it replaces (1, effective 2026-05-01)"));
    assert!(check("undated.policy").contains("undated.policy:1:1: error[version-undated]"));
    // `eval` refuses a chain `check` refuses.
    let o = run_stdin(&["eval", &d.path("lost.policy"), "-"], &action(SIGNED_BEFORE));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot be used"), "{}", stderr(&o));
}

/// `compare` shows a candidate how each employer's policy binds.
#[test]
fn compare_shows_how_the_policy_binds() {
    let o = run(&["compare", V6, "policies/brightwater.policy"]);
    let out = stdout(&o);
    let at = out.find("which version binds you").unwrap_or_else(|| panic!("{out}"));
    let row: Vec<&str> = out[at..].lines().take(3).collect();
    assert!(row[1].contains("Castlegate Recruitment: the version in force when the contract was signed"), "{row:?}");
    assert!(row[2].contains("Brightwater Recruitment: the newest version binds everyone"), "{row:?}");
}

/// `assume actor.contract_signed_on = DATE when not given`: a policy says what
/// a missing signature date is taken as. The version choice reads it (the
/// newest version's assumption), every rule that reads the fact reads it (each
/// version's own), in `eval`, `--batch` (compiled form) and `test`, and the
/// explanation says it was taken, not given. Without it, the default stays
/// (indeterminate, naming the fact: `no_contract_date_is_never_decided_by_the_newest_version`).
#[test]
fn an_assumed_contract_date_picks_the_version_and_says_so() {
    let v5 = std::fs::read_to_string(root().join("tests/cases/published/castlegate-v5.policy")).unwrap();
    let v6 = std::fs::read_to_string(root().join(V6)).unwrap();
    let assume = |date: &str| {
        format!(
            "actions recommend\n\nassume actor.contract_signed_on = {date} when not given \"Contracts our HR system has no date for were signed before it went live.\"\n"
        )
    };
    // Version 5 also reads the date itself: an advice for contracts signed before 2025.
    let v5 = v5.replace("actions recommend\n", &assume("2024-06-01"))
        + "\nrule older-contracts \"Contracts signed before 2025 predate the references guidance.\" {\n  when action = recommend and actor.contract_signed_on < 2025-01-01\n  then advise \"Read the 2025 references guidance before writing one.\"\n}\n";
    let d = Dir::new(
        "assumed",
        &[
            ("castlegate-v5.policy", &v5),
            ("castlegate-v6.policy", &v6.replace("actions recommend\n", &assume("2024-06-01"))),
            ("old-v6.policy", &v6.replace("actions recommend\n", &assume("2019-01-01"))),
        ],
    );
    let p6 = d.path("castlegate-v6.policy");
    // Not given: taken as 2024-06-01, so version 5 binds; its rule reads the same date.
    let v = eval_json(&p6, &action(""));
    assert_eq!(v["verdict"], "require-approval", "{v}");
    assert_eq!(v["version"]["because"], serde_json::json!({"kind": "assumed", "on": "2024-06-01"}), "{v}");
    let text = stdout(&run_stdin(&["eval", &p6, "-"], &action("")));
    assert!(
        text.contains("version 5, in force on 2024-06-01, the day the contract is taken as signed (actor.contract_signed_on is not given, taken as 2024-06-01)"),
        "{text}"
    );
    assert!(text.contains("is not given, taken as 2024-06-01"), "{text}");
    assert!(text.contains("Read the 2025 references guidance"), "{text}");
    // Given, the date is read as given: signed after 2026-06-01, version 6.
    assert_eq!(eval_json(&p6, &action(SIGNED_AFTER))["verdict"], "deny");
    // The compiled form (`--batch`) decides the same.
    let batch = stdout(&run_stdin(&["eval", "--batch", &p6, "-"], &(action("") + "\n" + &action(SIGNED_AFTER) + "\n")));
    let verdicts: Vec<String> = batch
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|l| l["verdict"].as_str().map(str::to_string))
        .collect();
    assert_eq!(verdicts, ["require-approval", "deny"], "{batch}");
    // An assumed date older than the chain: still not known which version binds, and said so.
    let v = eval_json(&d.path("old-v6.policy"), &action(""));
    assert_eq!(v["verdict"], "indeterminate", "{v}");
    let why = v.to_string();
    assert!(
        why.contains("the contract dates from 2019-01-01 (actor.contract_signed_on is not given, taken as 2019-01-01)"),
        "{why}"
    );
}

/// `check` accepts an assumed date only where the absence means "older than our
/// records": the contract's signature, or a date fact of the policy's own that no
/// duty runs from; never an event (a departure, a request), and never a date for a
/// yes/no fact.
#[test]
fn check_rejects_dates_that_cannot_be_assumed() {
    let codes = |body: &str| {
        let text = format!("policy \"p\" default allow\n{body}");
        let file = smpolicy::source::SourceFile::new("p.policy", text.as_str());
        let (_, report) = smpolicy::check::check_source(&file).unwrap_or_else(|d| panic!("{d:?}"));
        report.diagnostics.iter().map(|d| (d.code.clone(), d.message.clone())).collect::<Vec<_>>()
    };
    assert!(codes("assume actor.contract_signed_on = 2019-01-01 when not given\n").is_empty());
    assert!(codes("fact hired_on: date\nassume facts.hired_on = 2019-01-01 when not given\n").is_empty());
    assert_eq!(
        codes("assume actor.departed_on = 2019-01-01 when not given\n"),
        [(
            "bad-assumption".to_string(),
            "`actor.departed_on` cannot be assumed when not given: it records an event (a departure, a request, a connection), and assuming it would invent one".to_string()
        )]
    );
    let event = "fact found_on: date\nassume facts.found_on = 2019-01-01 when not given\nrule r { when action = post then allow oblige \"Fix.\" within 1 day of facts.found_on }\n";
    assert_eq!(codes(event).first().map(|d| d.0.as_str()), Some("bad-assumption"), "{:?}", codes(event));
    assert_eq!(
        codes("assume content.confidential = 2019-01-01 when not given\n"),
        [(
            "type-mismatch".to_string(),
            "`content.confidential` is a yes/no value, so it cannot be assumed `2019-01-01`".to_string()
        )]
    );
    assert_eq!(
        codes("assume actor.contract_signed_on = false when not given\n").first().map(|d| d.0.as_str()),
        Some("type-mismatch")
    );
}

/// `diff` reads an added date assumption as a change of behaviour where a rule
/// reads the date: an actor with no contract date goes from indeterminate to
/// decided, and the region says the date is not given.
#[test]
fn diff_shows_what_an_assumed_date_changes() {
    let body = |assume: &str| {
        format!(
            "policy \"Castlegate\" version 6\n  default allow\n\n{assume}rule older-contracts \"Contracts signed before 2025 predate the guidance.\" {{\n  when action = post and actor.contract_signed_on < 2025-01-01\n  then deny\n}}\n"
        )
    };
    let d = Dir::new(
        "assumed-diff",
        &[
            ("old.policy", &body("")),
            ("new.policy", &body("assume actor.contract_signed_on = 2024-06-01 when not given\n\n")),
        ],
    );
    let text = stdout(&run(&["diff", &d.path("old.policy"), &d.path("new.policy")]));
    assert!(
        text.contains("declared assumptions: added `actor.contract_signed_on = 2024-06-01 when not given`"),
        "{text}"
    );
    assert!(text.contains("posts when actor.contract_signed_on is not given"), "{text}");
    assert!(text.contains("old: indeterminate by `older-contracts`\n     new: deny by `older-contracts`"), "{text}");
}

/// Under `binds at_contract`, an assumed signature date also decides which
/// version binds an actor who gives none: `diff` says whom that reaches, in
/// words and in the JSON (`reaches.undated`).
#[test]
fn diff_says_which_version_an_assumed_date_binds() {
    let v5 = std::fs::read_to_string(root().join("tests/cases/published/castlegate-v5.policy")).unwrap();
    let v6 = std::fs::read_to_string(root().join(V6)).unwrap();
    let assumed = format!("{v6}\nassume actor.contract_signed_on = 2024-06-01 when not given\n");
    let d = Dir::new("assumed-reach", &[("castlegate-v5.policy", &v5), ("old.policy", &v6), ("new.policy", &assumed)]);
    let text = stdout(&run(&["diff", &d.path("old.policy"), &d.path("new.policy")]));
    assert!(
        text.contains("an actor whose actor.contract_signed_on is not given was not decided (no version can be named), and is now taken as signed on 2024-06-01"),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&run(&[
        "diff",
        &d.path("old.policy"),
        &d.path("new.policy"),
        "--format",
        "json",
    ])))
    .unwrap();
    assert_eq!(json["reaches"]["undated"], serde_json::json!({"old": null, "new": "2024-06-01"}), "{json}");
    // The same assumption on both sides reaches no one new.
    let same = stdout(&run(&["diff", &d.path("new.policy"), &d.path("new.policy")]));
    assert!(!same.contains("is not given was"), "{same}");
}

/// The names an action may use are the version's that binds it: an action
/// version 5 declares and version 6 dropped is known to the actors version 5
/// binds (in `eval`, `eval --batch` and `test`), and refused, naming the
/// field, for those version 6 binds; with no contract date a name some
/// version declares reads, and the verdict is indeterminate.
#[test]
fn the_declared_names_are_those_of_the_version_that_binds() {
    let v5 = std::fs::read_to_string(root().join("tests/cases/published/castlegate-v5.policy")).unwrap();
    let v6 = std::fs::read_to_string(root().join(V6)).unwrap();
    let tests = "- name: a version 5 actor may still endorse\n  action: {action: endorse, at: 2026-09-01T10:00:00Z, channel: linkedin, actor: {id: a, role: consultant, status: employed, contract_signed_on: 2025-03-10}}\n  expect: allow\n";
    let d = Dir::new(
        "names",
        &[
            ("castlegate-v5.policy", &v5.replace("actions recommend\n", "actions recommend, endorse\n")),
            ("castlegate-v6.policy", &v6),
            ("endorse.tests.yaml", tests),
        ],
    );
    let p = d.path("castlegate-v6.policy");
    let endorse = |extra: &str| action(extra).replace("\"recommend\"", "\"endorse\"");
    let v = eval_json(&p, &endorse(SIGNED_BEFORE));
    assert_eq!((v["verdict"].as_str(), v["version"]["version"].as_str()), (Some("allow"), Some("5")), "{v}");
    let o = run_stdin(&["eval", &p, "-"], &endorse(SIGNED_AFTER));
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("action: unknown action \"endorse\""), "{}", stderr(&o));
    assert_eq!(eval_json(&p, &endorse(""))["verdict"], "indeterminate");
    let lines = [SIGNED_BEFORE, SIGNED_AFTER, ""].map(|e| endorse(e) + "\n").concat();
    let batch = stdout(&run_stdin(&["eval", "--batch", &p, "-"], &lines));
    let recs: Vec<serde_json::Value> = batch.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(recs[0]["verdict"], "allow", "{batch}");
    assert_eq!(recs[1]["error"]["path"], "action", "{batch}");
    assert_eq!(recs[2]["verdict"], "indeterminate", "{batch}");
    let o = run(&["test", &p, &d.path("endorse.tests.yaml")]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
}
