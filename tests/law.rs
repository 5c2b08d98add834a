//! The law layer (issue #13): a clause that a rule of law sets aside for this
//! actor on this date does not decide the verdict, in the interpreter and the
//! compiled form alike; `--as-written` shows the policy's own view; `terms`
//! and `compare` read the same table. Scenarios from
//! `shared/scenarios/scenarios.md` (C26, C43, K03) and the statutes of
//! `sources.md` (CAL, GER, NLRB), each on both sides of its boundaries.

#![allow(clippy::unwrap_used, clippy::panic, reason = "test helpers: a failure should stop the test loudly")]

use smpolicy::compile::{compile, FactRow};
use smpolicy::data::action::parse_action;
use smpolicy::data::contract::parse_contract;
use smpolicy::eval::explain::{self, ExplainOptions};
use smpolicy::eval::terms::{self, check_terms};
use smpolicy::eval::verdict::{Decision, Status, Verdict};
use smpolicy::eval::{evaluate, EvalOptions};
use smpolicy::policy::Policy;
use smpolicy::source::SourceFile;

fn opts() -> EvalOptions {
    EvalOptions { now: "2030-01-01T00:00:00Z".parse().unwrap() }
}

/// A 3-month non-compete in a Californian policy (the issue's example).
const CA: &str = r#"policy "Pacific test"
  jurisdiction US-CA
  timezone "America/Los_Angeles"
  default allow

roles consultant

covenant nc: non_compete for 3 months
"#;

/// The same covenant in a New York policy.
const NY: &str = r#"policy "Hudson test"
  jurisdiction US-NY
  timezone "America/New_York"
  default allow

roles consultant

covenant nc: non_compete for 3 months
"#;

/// C43: never post negative comments; posts about pay are refused for everyone.
const SPEECH: &str = r#"policy "Speech test"
  jurisdiction US-NY
  timezone "America/New_York"
  default allow

roles consultant, branch_manager

rule no-pay-talk "Do not discuss pay or commission online." {
  when action in {post, share, comment} and content.kind has pay_discussion
  then deny
}

rule us-only-review "Posts by US staff need review." {
  when actor.jurisdiction = US and content.kind has industry
  then require approval from marketing
}
"#;

fn load(text: &str) -> (SourceFile, Policy) {
    crate::scenarios::policy_from("law.policy", text)
}

/// Decides with the evaluator and the compiled form, asserts they agree, and returns the verdict.
fn decide(policy: &(SourceFile, Policy), action: &str) -> Verdict {
    let (file, policy) = policy;
    let a = parse_action(action, "a.yaml").unwrap_or_else(|e| panic!("{e}"));
    let v = evaluate(policy, file, &a, &opts());
    let c = compile(policy);
    let row = FactRow::from_action_at(&a, &c, opts().now);
    let d = c.decide(&row);
    let o = c.outcome(&row, &d);
    let want: Vec<&str> = v.deciding.iter().map(String::as_str).collect();
    assert_eq!((o.verdict, o.deciding), (v.verdict, want), "compiled form and evaluator disagree on {action}");
    v
}

fn as_written(policy: &(SourceFile, Policy), action: &str) -> Verdict {
    let p = (policy.0.clone(), smpolicy::law::as_written(&policy.1));
    decide(&p, action)
}

fn leaver(at: &str, actor_extra: &str) -> String {
    format!(
        "action: compete\nat: {at}\nactor: {{ id: sam, role: consultant, status: departed, employed_since: 2022-01-10, departed_on: 2026-01-31{actor_extra} }}\n"
    )
}

#[test]
fn a_californian_non_compete_never_decides_and_as_written_still_denies() {
    let ca = load(CA);
    let action = leaver("2026-03-01T09:00:00-08:00", ", jurisdiction: US-CA");
    let v = decide(&ca, &action);
    assert_eq!(v.verdict, Decision::Allow);
    assert_eq!(v.law.len(), 1);
    assert_eq!(v.law[0].clause, "nc");
    assert_eq!(v.law[0].law, "us-ca-bpc-16600");
    assert!(v.rules.iter().any(|r| r.id == "nc" && r.status == Status::SetAside));
    // The policy's own view is today's behaviour: deny, labelled.
    let w = as_written(&ca, &action);
    assert_eq!(w.verdict, Decision::Deny);
    assert!(w.law.is_empty());
    // No place of work given: the policy's jurisdiction stands for it.
    assert_eq!(decide(&ca, &leaver("2026-03-01T09:00:00-08:00", "")).verdict, Decision::Allow);
    // A US-CA region code is inside California too.
    assert_eq!(decide(&ca, &leaver("2026-03-01T09:00:00-08:00", ", jurisdiction: US-CA")).verdict, Decision::Allow);
}

#[test]
fn the_california_rule_starts_on_1_january_2024() {
    let ca = load(CA);
    // Departed 31 Oct 2023: the covenant runs to 31 Jan 2024. The table's entry is in force from 1 Jan 2024.
    let before = "action: compete\nat: 2023-12-31T12:00:00-08:00\nactor: { id: sam, role: consultant, status: departed, employed_since: 2022-01-10, departed_on: 2023-10-31, jurisdiction: US-CA }\n";
    let on = before.replace("2023-12-31T12:00:00", "2024-01-01T12:00:00");
    assert_eq!(decide(&ca, before).verdict, Decision::Deny);
    assert_eq!(decide(&ca, &on).verdict, Decision::Allow);
}

#[test]
fn which_law_applies_place_of_work_or_governing_law() {
    let ny = load(NY);
    // A New York policy and a New York employee: no rule sets the covenant aside (C26's Texas likewise).
    assert_eq!(decide(&ny, &leaver("2026-03-01T09:00:00-05:00", ", jurisdiction: US-NY")).verdict, Decision::Deny);
    // Cal. Bus. & Prof. Code §16600.5(a) (SB 699, in force 1 Jan 2024; text found via the search tool and
    // paraphrased): a void non-compete stays unenforceable whatever the place or date of signing, so a
    // New York policy cannot bind someone who works in California.
    let v = decide(&ny, &leaver("2026-03-01T09:00:00-05:00", ", jurisdiction: US-CA"));
    assert_eq!(v.verdict, Decision::Allow);
    assert!(v.law[0].applies_because.contains("the place of work, US-CA"), "{}", v.law[0].applies_because);
    // A contract naming California law, for someone working in New York: California's rule follows it.
    let v = decide(&ny, &leaver("2026-03-01T09:00:00-05:00", ", jurisdiction: US-NY, governing_law: US-CA"));
    assert_eq!(v.verdict, Decision::Allow);
    assert!(v.law[0].applies_because.contains("the law the contract names, US-CA"));
    // A Californian policy but an employee working in the UK under no named law: the UK's law, and the policy decides.
    let ca = load(CA);
    assert_eq!(decide(&ca, &leaver("2026-03-01T09:00:00-08:00", ", jurisdiction: UK")).verdict, Decision::Deny);
}

/// A personal Facebook post of this content kind, by an employee (`actor` adds fields to the actor).
fn post_of(kind: &str, actor: &str) -> String {
    format!(
        "action: post\nat: 2025-09-03T18:00:00-04:00\nactor: {{ id: rosa, role: consultant, status: employed{actor} }}\nchannel: facebook\naccount: {{ kind: personal, created_by: employee }}\ncontent: {{ kind: {kind} }}\n"
    )
}

#[test]
fn nlra_protects_non_supervisors_discussing_pay_c43() {
    let p = load(SPEECH);
    let post = |actor: &str| post_of("pay_discussion", actor);
    let v = decide(&p, &post(", jurisdiction: US-NY, supervisor: false"));
    assert_eq!(v.verdict, Decision::Allow, "{}", v.summary);
    assert_eq!(v.law[0].law, "us-nlra-7");
    // Variant: a branch manager is a supervisor, outside section 7: the policy decides.
    assert_eq!(decide(&p, &post(", jurisdiction: US-NY, supervisor: true")).verdict, Decision::Deny);
    // Outside the US: the policy decides.
    assert_eq!(decide(&p, &post(", jurisdiction: UK")).verdict, Decision::Deny);
    // As written: deny, as before.
    assert_eq!(as_written(&p, &post(", jurisdiction: US-NY")).verdict, Decision::Deny);
}

#[test]
fn a_policy_test_of_a_country_holds_for_its_regions() {
    let p = load(SPEECH);
    let post = |j: &str| post_of("industry", &format!(", jurisdiction: {j}"));
    for j in ["US", "US-CA", "US-NY"] {
        assert_eq!(decide(&p, &post(j)).verdict, Decision::RequireApproval, "{j}");
    }
    for j in ["UK", "DE", "GB-SCT"] {
        assert_eq!(decide(&p, &post(j)).verdict, Decision::Allow, "{j}");
    }
}

#[test]
fn the_law_never_makes_a_verdict_stricter_than_the_policy_as_written() {
    // Every scenario action on every shipped and scenario policy: with the law, a verdict is never
    // more restrictive than as written, and an allow as written stays an allow.
    let mut compared = 0;
    let mut relaxed = 0;
    let actions: Vec<(String, smpolicy::data::action::Action)> = crate::scenarios::ids()
        .into_iter()
        .flat_map(|id| crate::scenarios::load(&id).cases)
        .filter_map(|case| match case.subject {
            smpolicy::data::testcase::Subject::Action(a) => Some((case.name, *a)),
            smpolicy::data::testcase::Subject::Contract(_) => None,
        })
        // Each action as written, and moved to places whose law sets clauses aside, by a supervisor or not.
        .flat_map(|(name, a)| {
            let moved =
                [("US-CA", false), ("US-NY", false), ("US-NY", true), ("DE", false), ("UK", false)].map(|(j, sup)| {
                    let mut m = a.clone();
                    m.actor.jurisdiction = Some(j.to_string());
                    m.actor.supervisor = Some(sup);
                    (format!("{name} ({j}, supervisor {sup})"), m)
                });
            std::iter::once((name, a)).chain(moved)
        })
        .collect();
    for file in crate::util::all_policies() {
        let ast = smpolicy::parser::parse(&file).unwrap();
        let policy = smpolicy::lower::lower(&file, &ast);
        let written = smpolicy::law::as_written(&policy);
        for (name, a) in &actions {
            {
                let with = evaluate(&policy, &file, a, &opts());
                let without = evaluate(&written, &file, a, &opts());
                compared += 1;
                let rank = |d: Decision| match d {
                    Decision::Allow => 0,
                    Decision::RequireApproval => 1,
                    Decision::Deny => 2,
                    Decision::Indeterminate => 3,
                };
                if without.verdict == Decision::Allow {
                    assert_eq!(with.verdict, Decision::Allow, "{} {}", file.name, name);
                }
                if with.verdict != Decision::Indeterminate {
                    assert!(rank(with.verdict) <= rank(without.verdict), "{} {}", file.name, name);
                }
                if with.verdict != without.verdict {
                    relaxed += 1;
                    assert!(!with.law.is_empty(), "{} {}: changed without a law note", file.name, name);
                }
            }
        }
    }
    assert!(compared > 1000 && relaxed > 0, "{compared} compared, {relaxed} relaxed");
}

#[test]
fn the_explanation_says_what_the_clause_would_have_done_and_why_not() {
    let ca = load(CA);
    let action = leaver("2026-03-01T09:00:00-08:00", ", jurisdiction: US-CA");
    let v = decide(&ca, &action);
    insta::assert_snapshot!("law_california_non_compete", explain::text(&v, "ca.policy", ExplainOptions::default()));
    let mut w = as_written(&ca, &action);
    w.as_written = true;
    let text = explain::text(&w, "ca.policy", ExplainOptions::default());
    assert!(text.starts_with("as written: the policy's own view"), "{text}");
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["schema"], "smpolicy.verdict/1");
    assert_eq!(json["law"][0]["effect"], "void");
    assert_eq!(json["law"][0]["in_force_since"], "2024-01-01");
    assert_eq!(json["law"][0]["employer_duties"][0]["due"], "2024-02-14");
}

#[test]
fn terms_gives_each_covenant_one_status_and_never_calls_a_void_one_consistent() {
    let policy = r#"policy "Candidate"
  default allow

terms {
  non_compete at most 3 months
}
"#;
    let (file, p) = load(policy);
    let contract = |j: &str, extra: &str| {
        parse_contract(
            &format!("employer: X\njurisdiction: {j}\ncovenants:\n  - kind: non_compete\n    months: 6\n{extra}"),
            "c.yaml",
        )
        .unwrap()
    };
    // California: void, so the too-long covenant breaks nothing.
    let r = check_terms(&p, &file, &contract("US-CA", ""));
    assert_eq!(r.verdict, Decision::Allow);
    let text = terms::text(&r, "p.policy");
    assert!(!text.contains("consistent with the policy\n  law"), "{text}");
    assert!(text.contains("⚖ void: the law sets it aside"), "{text}");
    // Germany (HGB §74): not binding below half pay or without writing; binding at 50% and in writing.
    let status = |extra: &str| {
        let r = check_terms(&p, &file, &contract("DE", extra));
        (r.verdict, r.clauses[0].law.as_ref().unwrap().word())
    };
    assert_eq!(status("    compensation_percent: 30\n    in_writing: true\n"), (Decision::Allow, "not binding"));
    assert_eq!(status("    compensation_percent: 49\n    in_writing: true\n"), (Decision::Allow, "not binding"));
    assert_eq!(status("    compensation_percent: 50\n    in_writing: true\n"), (Decision::Deny, "enforceable"));
    assert_eq!(status("    compensation_percent: 60\n    in_writing: false\n"), (Decision::Allow, "not binding"));
    assert_eq!(status(""), (Decision::Deny, "not assessed"));
    // The UK: at risk above 12 months, and the policy decides.
    let r = check_terms(&p, &file, &contract("UK", ""));
    assert_eq!(r.verdict, Decision::Deny);
}

/// The service applies the law too, in full and in short (the compiled form).
#[cfg(feature = "server")]
#[test]
fn the_service_sets_a_void_covenant_aside() {
    let dir = crate::serve::shipped_policies();
    let log = dir.join("log.sqlite");
    let s = crate::serve::Server::start_trusted(&dir, log.to_str().unwrap(), 100 * 365 * 86_400);
    let action = std::fs::read_to_string(
        crate::util::root().join("docs/examples/actions/california-leaver-joins-competitor.yaml"),
    )
    .unwrap();
    let action: serde_json::Value = serde_yaml::from_str(&action).unwrap();
    let body = serde_json::json!({"policy": "california-employer", "action": action}).to_string();
    let (status, v) = s.post("/v1/decide", &body);
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["verdict"], "allow", "{v}");
    assert_eq!(v["law"][0]["clause"], "template-non-compete");
    let (status, short) = s.post("/v1/decide?explain=false", &body);
    assert_eq!(status, 200, "{short}");
    assert_eq!(short["verdict"], "allow", "{short}");
}

/// `eval --batch` (the compiled form) sets the clause aside too; `--as-written` restores the policy's view.
#[test]
fn the_batch_applies_the_law_and_as_written_does_not() {
    let line = r#"{"action":"compete","at":"2026-03-02T09:00:00-08:00","actor":{"id":"dana","role":"recruiter","status":"departed","employed_since":"2023-05-01","departed_on":"2026-01-31","jurisdiction":"US-CA"},"target":{"distance_miles":12}}"#;
    let batch = |extra: &[&str]| {
        let mut args = vec!["eval", "policies/california-employer.policy", "--batch"];
        args.extend_from_slice(extra);
        let o = crate::util::run_stdin(&args, &format!("{line}\n"));
        serde_json::from_str::<serde_json::Value>(String::from_utf8_lossy(&o.stdout).trim()).unwrap()
    };
    assert_eq!(batch(&[])["verdict"], "allow");
    assert_eq!(batch(&["--explain"])["law"][0]["clause"], "template-non-compete");
    let written = batch(&["--as-written"]);
    assert_eq!(written["verdict"], "deny");
    assert_eq!(written["deciding"], serde_json::json!(["template-non-compete"]));
}

/// A 36-month non-compete in a German policy (HGB §§74, 74a; `sources.md` GER).
const DE: &str = r#"policy "Berlin test"
  jurisdiction DE
  timezone "Europe/Berlin"
  default allow

roles consultant

covenant nc: non_compete for 36 months
"#;

/// HGB §74a(1): a non-compete binds for at most two years, so a longer one
/// still binds for its first 24 months and the law sets it aside only after;
/// §74: it binds only if paid (at least half the last pay) and in writing,
/// and the eval reads both from the action. Not given, they are not guessed:
/// the covenant binds as written and the explanation says it was not assessed.
#[test]
fn a_german_non_compete_binds_two_years_and_only_if_paid_and_in_writing() {
    let de = load(DE);
    let paid = ", jurisdiction: DE, non_compete_compensation_percent: 50, non_compete_in_writing: true";
    // Departed 31 Jan 2026: month 24 ends on 31 Jan 2028.
    let v = decide(&de, &leaver("2028-01-31T12:00:00+01:00", paid));
    assert_eq!((v.verdict, v.law.len()), (Decision::Deny, 0), "{}", v.summary);
    let v = decide(&de, &leaver("2028-02-01T12:00:00+01:00", paid));
    assert_eq!(v.verdict, Decision::Allow, "{}", v.summary);
    assert_eq!(v.law[0].law, "de-hgb-74a-cap");
    assert!(
        v.law[0].words.contains("a 36-month non-compete does not bind beyond its 24th month"),
        "{}",
        v.law[0].words
    );
    // §74 inside the two years: below half pay, or not in writing, it does not bind.
    let month_6 = "2026-07-31T12:00:00+02:00";
    let unpaid = ", jurisdiction: DE, non_compete_compensation_percent: 49, non_compete_in_writing: true";
    let v = decide(&de, &leaver(month_6, unpaid));
    assert_eq!((v.verdict, v.law[0].law.as_str()), (Decision::Allow, "de-hgb-74-compensation"), "{}", v.summary);
    let oral = ", jurisdiction: DE, non_compete_compensation_percent: 60, non_compete_in_writing: false";
    assert_eq!(decide(&de, &leaver(month_6, oral)).verdict, Decision::Allow);
    assert_eq!(decide(&de, &leaver(month_6, paid)).verdict, Decision::Deny);
    // Not stated: binds as written (never a silent allow), with a note naming what is missing.
    let v = decide(&de, &leaver(month_6, ", jurisdiction: DE"));
    assert_eq!(v.verdict, Decision::Deny);
    let notes: Vec<&str> = v.law_notes.iter().map(|n| n.text.as_str()).collect();
    assert!(
        notes.iter().any(|n| n.contains("not assessed") && n.contains("not stated: the compensation paid")),
        "{notes:?}"
    );
    // Outside Germany the German rules do nothing.
    assert_eq!(
        decide(&de, &leaver(month_6, ", jurisdiction: UK, non_compete_compensation_percent: 0")).verdict,
        Decision::Deny
    );
}

/// `compare` reads the candidate's own situation: NLRA §7 protects a
/// non-supervisor's post about pay (the PEO handbook's no-disparagement rule
/// is set aside), not a supervisor's (`--supervisor`: the rule decides).
#[test]
fn compare_reads_the_candidate_as_a_supervisor_or_not() {
    let cell = |extra: &[&str]| {
        let mut args = vec![
            "compare",
            "tests/cases/published/peo-handbook.policy",
            "policies/trusting-agency.policy",
            "--jurisdiction",
            "US-NY",
            "--now",
            "2026-06-01",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = crate::util::run(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let s = c["situations"].as_array().unwrap().iter().find(|s| s["id"] == "pay-complaint-facebook").unwrap();
        (
            s["action"]["actor"]["supervisor"].clone(),
            s["cells"][0]["verdict"].clone(),
            c["jurisdiction"]["summary"].clone(),
        )
    };
    let (given, verdict, summary) = cell(&[]);
    // Not a supervisor unless `--supervisor` says so: the situations say it, never leave it out.
    assert_eq!((given, verdict), (serde_json::json!(false), serde_json::json!("allow")));
    assert!(summary.to_string().contains("Read as a non-supervisory employee"), "{summary}");
    let (given, verdict, summary) = cell(&["--supervisor"]);
    assert_eq!((given, verdict), (serde_json::json!(true), serde_json::json!("deny")));
    assert!(summary.to_string().contains("You supervise others"), "{summary}");
}

/// `compare --role`: under a policy that names the candidate's role, the
/// situations are theirs, so a clause limited to that role applies; under
/// one that does not, they keep the pack's role, and the report says which.
#[test]
fn compare_reads_the_situations_with_the_candidates_role() {
    let dir = std::env::temp_dir().join(format!("smpolicy-role-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = dir.join("a.policy");
    let b = dir.join("b.policy");
    std::fs::write(&a, "policy \"Recruiters review\"\n  default allow\n\nroles consultant, recruiter, manager\n\nrule recruiter-posts \"Recruiters' posts are reviewed.\" {\n  when actor.role = recruiter and action in {post, share}\n  then require approval from manager\n}\n").unwrap();
    std::fs::write(&b, "policy \"Open\"\n  default allow\n\nroles consultant, manager\n").unwrap();
    let verdict_of_first_post = |extra: &[&str]| {
        let mut args =
            vec!["compare", a.to_str().unwrap(), b.to_str().unwrap(), "--now", "2026-06-01", "--format", "json"];
        args.extend_from_slice(extra);
        let out = crate::util::run(&args);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let s = c["situations"].as_array().unwrap().iter().find(|s| s["action"]["action"] == "post").unwrap().clone();
        (s["cells"][0]["verdict"].clone(), s["cells"][1]["verdict"].clone(), c["jurisdiction"]["summary"].to_string())
    };
    let (a_v, b_v, _) = verdict_of_first_post(&[]);
    assert_eq!((a_v, b_v), (serde_json::json!("allow"), serde_json::json!("allow")));
    let (a_v, b_v, summary) = verdict_of_first_post(&["--role", "recruiter"]);
    assert_eq!((a_v, b_v), (serde_json::json!("require-approval"), serde_json::json!("allow")));
    assert!(
        summary.contains("read with your role, `recruiter`, under Recruiters review, which names it; Open does not"),
        "{summary}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
