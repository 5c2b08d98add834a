//! README features a user relies on, each run as the user runs it and each
//! asserted so that it fails when the feature breaks: `check --strict`,
//! `check --deny CODE`, `--error-format human|short|json`, `eval --format
//! markdown`, `eval --why-not`, `fmt --check` exiting 3, and dry-run clauses
//! (reported, never enforced; scenario `tests/scenarios/R01`).

use crate::util::{root, run, run_stdin, stderr, stdout};
use smpolicy::data::testcase::Subject;
use smpolicy::eval::verdict::{Decision, Status};

/// One warning (`conflicting-defaults`, line 14, column 3), no error.
const ONE_WARNING: &str = "tests/cases/check/conflicting_defaults.policy";
/// Three `dry-run` warnings, no error.
const DRY_RUN: &str = "tests/scenarios/R01.policy";
const PROTECTIVE: &str = "policies/protective-agency.policy";
const ELEVENTH: &str = "docs/examples/actions/eleventh-tweet.yaml";

// ───────────── check ─────────────

#[test]
fn warnings_alone_exit_0_and_strict_makes_them_errors() {
    let o = run(&["check", ONE_WARNING]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning[conflicting-defaults]"), "{}", stderr(&o));
    assert!(stderr(&o).ends_with("checked 1 file: 0 errors, 1 warning\n"), "{}", stderr(&o));

    let o = run(&["check", "--strict", ONE_WARNING]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("error[conflicting-defaults]"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning["), "{}", stderr(&o));
    assert!(stderr(&o).ends_with("checked 1 file: 1 error, 0 warnings\n"), "{}", stderr(&o));

    // A clean file stays clean under --strict.
    let o = run(&["check", "--strict", PROTECTIVE]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn deny_turns_only_the_named_code_into_an_error() {
    let o = run(&["check", "--deny", "conflicting-defaults", ONE_WARNING]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("error[conflicting-defaults]"), "{}", stderr(&o));

    // Another code leaves this warning a warning.
    let o = run(&["check", "--deny", "never-fires", ONE_WARNING]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("warning[conflicting-defaults]"), "{}", stderr(&o));

    // Repeatable: a gate that refuses dry-run clauses in a policy going live.
    let o = run(&["check", "--deny", "never-fires", "--deny", "dry-run", DRY_RUN, ONE_WARNING]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(stderr(&o).matches("error[dry-run]").count(), 3, "{}", stderr(&o));
    assert!(stderr(&o).ends_with("checked 2 files: 3 errors, 1 warning\n"), "{}", stderr(&o));
}

#[test]
fn deny_refuses_a_code_that_does_not_exist() {
    // A typo would otherwise deny nothing and let the gate pass.
    let o = run(&["check", "--deny", "conflicting-default", ONE_WARNING]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "error: --deny: no diagnostic is called `conflicting-default`; did you mean `conflicting-defaults`? (`smpolicy check --list-codes` lists them)\n"
    );
    let o = run(&["check", "--deny", "xyzzy", PROTECTIVE]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stderr(&o),
        "error: --deny: no diagnostic is called `xyzzy` (`smpolicy check --list-codes` lists them)\n"
    );
}

#[test]
fn error_formats_human_short_and_json() {
    let human = run(&["check", "--error-format", "human", ONE_WARNING]);
    let default = run(&["check", ONE_WARNING]);
    assert_eq!(stderr(&human), stderr(&default), "human is the default");
    let text = stderr(&human);
    assert!(text.starts_with("warning[conflicting-defaults]\n"), "{text}");
    assert!(text.contains(&format!("╭─[{ONE_WARNING}:14:3]")), "{text}");
    assert!(text.contains(" 14 │ "), "the source line is shown: {text}");

    let short = run(&["check", "--error-format", "short", ONE_WARNING]);
    assert_eq!(short.status.code(), Some(0));
    let lines: Vec<String> = stderr(&short).lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(
        lines[0].starts_with(&format!("{ONE_WARNING}:14:3: warning[conflicting-defaults]: this default")),
        "{lines:?}"
    );
    assert_eq!(lines[1], "checked 1 file: 0 errors, 1 warning");

    let json = run(&["check", "--error-format", "json", "--strict", ONE_WARNING, "docs/examples/mistakes.policy"]);
    assert_eq!(json.status.code(), Some(3));
    // Only the records go to standard output; the summary stays on standard error.
    let (records, summary) = (stdout(&json), stderr(&json));
    assert_eq!(summary, "checked 2 files: 4 errors, 0 warnings\n");
    let records: Vec<serde_json::Value> = records.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let got: Vec<(&str, u64, u64, &str, &str)> = records
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap(),
                r["line"].as_u64().unwrap(),
                r["column"].as_u64().unwrap(),
                r["code"].as_str().unwrap(),
                r["severity"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (ONE_WARNING, 14, 3, "conflicting-defaults", "error"),
            ("docs/examples/mistakes.policy", 9, 25, "unknown-name", "error"),
            ("docs/examples/mistakes.policy", 13, 43, "type-mismatch", "error"),
            ("docs/examples/mistakes.policy", 17, 10, "unenforceable-covenant", "error"),
        ]
    );
    assert_eq!(records[1]["message"], "unknown role `markting`");
    assert_eq!(records[1]["help"], "did you mean `marketing`?");
}

// ───────────── eval ─────────────

#[test]
fn eval_markdown_is_a_ticket_ready_report() {
    let o = run(&["eval", "--format", "markdown", PROTECTIVE, ELEVENTH]);
    assert_eq!(o.status.code(), Some(2), "the exit code follows the verdict in every format: {}", stderr(&o));
    let md = stdout(&o);
    assert!(md.starts_with("## Verdict: **deny**\n\ndeny: forbidden by `twitter-daily-limit`\n"), "{md}");
    for needle in [
        "### Decided by\n\n- **`twitter-daily-limit`** (policies/protective-agency.policy:91) — deny\n",
        "  - history.posts_today = 10 ≥ 10\n    - computed: with this post: 11 > limit 10\n",
        "### What would change it\n\n- allowed again tomorrow",
    ] {
        assert!(md.contains(needle), "expected {needle:?} in:\n{md}");
    }
    // Markdown, not the text layout.
    assert!(!md.contains("decided by:"), "{md}");
}

#[test]
fn why_not_lists_the_clauses_that_did_not_apply_and_why() {
    let plain = stdout(&run(&["eval", PROTECTIVE, ELEVENTH]));
    assert!(!plain.contains("clauses that did not apply"), "{plain}");
    let o = run(&["eval", "--why-not", PROTECTIVE, ELEVENTH]);
    assert_eq!(o.status.code(), Some(2));
    let text = stdout(&o);
    let (before, after) = text.split_once("\nclauses that did not apply:\n").unwrap_or_else(|| panic!("{text}"));
    assert_eq!(before.trim_end(), plain.trim_end(), "--why-not only adds");
    let listed: Vec<&str> = after.lines().take_while(|l| l.starts_with("  `")).collect();
    assert!(listed.len() >= 30, "{after}");
    assert!(
        listed.contains(
            &"  `client-connections` (policies/protective-agency.policy:43): action = post is not one of {depart, export}"
        ),
        "{after}"
    );
    // Every clause that did not apply is listed, and no clause that did.
    let file = crate::util::source(PROTECTIVE);
    let (file, policy) = crate::scenarios::policy_from(&file.name, &file.text);
    let action =
        smpolicy::data::action::parse_action(&std::fs::read_to_string(root().join(ELEVENTH)).unwrap(), ELEVENTH)
            .unwrap();
    let v = smpolicy::eval::evaluate(&policy, &file, &action, &crate::scenarios::opts());
    for r in &v.rules {
        let shown = listed.iter().any(|l| l.starts_with(&format!("  `{}` (", r.id)));
        assert_eq!(shown, r.status == Status::NotApplicable, "{} ({:?}):\n{after}", r.id, r.status);
    }
}

// ───────────── fmt ─────────────

#[test]
fn fmt_check_exits_3_on_an_unformatted_file_and_changes_nothing() {
    let dir = std::env::temp_dir().join(format!("smpolicy-fmt-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("messy.policy");
    let messy =
        "policy   \"Messy\"   default allow\nroles consultant\nposting on twitter {\nlimit 10 posts per day\n}\n";
    std::fs::write(&path, messy).unwrap();
    let p = path.to_str().unwrap();

    let o = run(&["fmt", "--check", p]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(stderr(&o), format!("{p}: not formatted\n"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), messy, "--check changes nothing");

    // Formatting fixes it; then the check passes and a second run changes nothing.
    let o = run(&["fmt", p]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let formatted = std::fs::read_to_string(&path).unwrap();
    assert_ne!(formatted, messy);
    let o = run(&["fmt", "--check", p]);
    assert_eq!((o.status.code(), stderr(&o)), (Some(0), String::new()));

    // Standard input is checked too, not printed.
    let o = run_stdin(&["fmt", "--check", "-"], messy);
    assert_eq!(
        (o.status.code(), stdout(&o), stderr(&o)),
        (Some(3), String::new(), "<stdin>: not formatted\n".to_string())
    );
    let o = run_stdin(&["fmt", "--check", "-"], &formatted);
    assert_eq!((o.status.code(), stdout(&o), stderr(&o)), (Some(0), String::new(), String::new()));
    let o = run_stdin(&["fmt", "-"], messy);
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), formatted.clone()));

    // One unformatted file among canonical ones fails the check.
    std::fs::write(&path, messy).unwrap();
    let o = run(&["fmt", "--check", PROTECTIVE, p, "policies/brightwater.policy"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

// ───────────── dry run ─────────────

#[test]
fn dry_run_clauses_are_reported_never_enforced() {
    let s = crate::scenarios::load("R01");
    let dry: Vec<&str> = s.policy.rules.iter().filter(|r| r.dry_run).map(|r| r.id.as_str()).collect();
    assert_eq!(dry, ["client-consented", "weekend-quiet", "new-cap"]);
    // (case name start, verdict, deciding, dry-run clauses that would have applied)
    let expected: [(&str, Decision, &[&str], &[&str]); 4] = [
        ("the 7th tweet", Decision::Allow, &[], &["new-cap"]),
        ("the 11th tweet", Decision::Deny, &["twitter-daily-limit"], &["new-cap"]),
        ("naming a client", Decision::Deny, &["no-client-names"], &["client-consented"]),
        ("a job advert on a Saturday", Decision::Allow, &[], &["weekend-quiet"]),
    ];
    for (start, verdict, deciding, would) in expected {
        let case = s.cases.iter().find(|c| c.name.starts_with(start)).unwrap();
        let Subject::Action(action) = &case.subject else { unreachable!() };
        let v = smpolicy::eval::evaluate(&s.policy, &s.file, action.as_ref(), &crate::scenarios::opts());
        assert_eq!(v.verdict, verdict, "{start}");
        assert_eq!(v.deciding, deciding, "{start}");
        assert_eq!(v.dry_run, would, "{start}");
        // A dry-run exception overrides nothing.
        assert!(v.rules.iter().all(|r| r.overridden_by.is_none()), "{start}");
        let text = smpolicy::eval::explain::text(&v, &s.file.name, Default::default());
        assert!(text.contains("\ndry run (reported, not enforced):\n"), "{text}");
        for id in would {
            assert!(text.contains(&format!("  `{id}` (tests/scenarios/R01.policy:")), "{text}");
        }
        // The compiled form (batch) agrees.
        let compiled = smpolicy::compile::compile(&s.policy);
        let row = smpolicy::compile::FactRow::from_action_at(action, &compiled, crate::scenarios::opts().now);
        let d = compiled.decide(&row);
        let o = compiled.outcome(&row, &d);
        assert_eq!((o.verdict, o.deciding), (verdict, deciding.to_vec()), "{start}: compiled");
    }
}

#[test]
fn dry_run_from_the_command_line() {
    let action =
        "action: post\nat: 2025-05-14T12:00:00+01:00\nactor: { id: lee, role: consultant, status: employed }\n\
                  channel: twitter\ncontent: { kind: industry, names_client: false, candidate_personal_data: false, confidential: false }\nhistory: { posts_today: 6 }\n";
    let o = run_stdin(&["eval", DRY_RUN, "-"], action);
    assert_eq!(o.status.code(), Some(0), "the dry-run cap of five does not refuse the 7th: {}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("verdict: allow\n"), "{text}");
    assert!(
        text.contains("dry run (reported, not enforced):\n  `new-cap` (tests/scenarios/R01.policy:37) would deny\n"),
        "{text}"
    );
    let o = run_stdin(&["eval", DRY_RUN, "-", "--format", "json"], action);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((v["verdict"].as_str(), v["dry_run"].clone()), (Some("allow"), serde_json::json!(["new-cap"])));
    let o = run_stdin(
        &["eval", DRY_RUN, "--batch", "-"],
        &format!("{}\n", serde_json::to_string(&serde_yaml::from_str::<serde_json::Value>(action).unwrap()).unwrap()),
    );
    let line: serde_json::Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(line["verdict"], "allow", "{line}");
}
