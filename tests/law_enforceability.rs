//! What enforceability depends on (issue #13, bars A, B and D): the
//! employee's dealings in the look-back, the radius, the capacities a
//! covenant binds in, and the blue-pencil test (Tillman v Egon Zehnder
//! [2019] UKSC 32). Each boundary of the law table's UK entries is tested on
//! both sides, in `terms`, in the `eval` explanation, in `compare`, in `check`
//! and in the JSON; every covenant gets exactly one status.

use smpolicy::data::contract::parse_contract;
use smpolicy::eval::terms::{self, check_terms};
use smpolicy::eval::verdict::Decision;
use smpolicy::eval::{evaluate, EvalOptions};
use smpolicy::source::SourceFile;

/// A candidate's policy with no terms of its own: the law alone speaks.
const CANDIDATE: &str = "policy \"Candidate\"\n  default allow\n";

/// The status `terms` gives one UK covenant written as YAML lines.
fn status_of(covenant: &str) -> (String, serde_json::Value) {
    let (file, p) = crate::scenarios::policy_from("c.policy", CANDIDATE);
    let c = parse_contract(&format!("employer: X\njurisdiction: UK\ncovenants:\n  - {covenant}\n"), "c.yaml")
        .unwrap_or_else(|e| panic!("{e}"));
    let r = check_terms(&p, &file, &c);
    let law = r.clauses[0].law.clone().expect("every covenant gets a status");
    (law.word().to_string(), serde_json::to_value(&law).unwrap())
}

#[test]
fn the_look_back_12_months_is_enforceable_13_is_at_risk_and_none_reaches_strangers() {
    let ns = |extra: &str| status_of(&format!("kind: non_solicitation\n    of: clients\n    months: 6{extra}"));
    assert_eq!(ns("\n    lookback_months: 12").0, "enforceable");
    let (word, json) = ns("\n    lookback_months: 13");
    assert_eq!((word.as_str(), json["rule"].as_str()), ("at risk", Some("uk-lookback-bound")));
    assert!(json["why"].as_str().unwrap().contains("last 13 months"), "{json}");
    // No look-back: it reaches clients the leaver never dealt with (Office Angels).
    let (word, json) = ns("");
    assert_eq!((word.as_str(), json["rule"].as_str()), ("at risk", Some("uk-not-limited-to-dealings")));
    assert_eq!(json["status"], "at-risk");
    // A non-dealing covenant the same.
    let nd = |extra: &str| status_of(&format!("kind: non_dealing\n    of: candidates\n    months: 6{extra}"));
    assert_eq!(nd("\n    lookback_months: 12\n    capacities: [employee, director]").0, "enforceable");
    assert_eq!(nd("\n    capacities: [employee, director]").0, "at risk");
}

#[test]
fn a_radius_of_7_miles_is_enforceable_8_is_at_risk() {
    let nc = |radius: u32| {
        status_of(&format!(
            "kind: non_compete\n    months: 6\n    radius_miles: {radius}\n    capacities: [engaged_in]"
        ))
    };
    assert_eq!(nc(7).0, "enforceable");
    let (word, json) = nc(8);
    assert_eq!((word.as_str(), json["rule"].as_str()), ("at risk", Some("uk-radius-bound")));
    assert!(json["why"].as_str().unwrap().contains("reaches 8 miles"), "{json}");
}

#[test]
fn interested_in_is_severed_beside_other_capacities_but_not_alone() {
    // Tillman: "engage or be concerned or interested in"; `interested_in` struck, the rest enforced.
    let (word, json) =
        status_of("kind: non_compete\n    months: 6\n    capacities: [engaged_in, concerned_in, interested_in]");
    assert_eq!(word, "enforceable as severed");
    assert_eq!(json["status"], "enforceable-as-severed");
    assert_eq!(json["severance"]["words"], serde_json::json!(["interested_in"]));
    let criteria = json["severance"]["criteria"].as_array().unwrap();
    assert_eq!(criteria.len(), 3, "{json}");
    assert!(criteria.iter().all(|c| c["met"] == true), "{json}");
    // Alone, striking it leaves nothing: the blue pencil cannot save it.
    let (word, json) = status_of("kind: non_compete\n    months: 6\n    capacities: [interested_in]");
    assert_eq!(word, "at risk");
    let unmet: Vec<&str> = json["severance"]["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["met"] == false)
        .map(|c| c["test"].as_str().unwrap())
        .collect();
    assert_eq!(
        unmet,
        [
            "removable without adding to or modifying the words that remain",
            "no major change to the overall effect of the restraint"
        ]
    );
    // A capacity the law does not object to needs no severing.
    assert_eq!(
        status_of("kind: non_compete\n    months: 6\n    capacities: [engaged_in, concerned_in]").0,
        "enforceable"
    );
    // Palmer: `shareholder` in a non-dealing covenant, severed.
    let (word, _) = status_of(
        "kind: non_dealing\n    of: clients\n    months: 6\n    lookback_months: 12\n    capacities: [principal, partner, shareholder, director, employee]",
    );
    assert_eq!(word, "enforceable as severed");
}

#[test]
fn a_missing_fact_the_law_needs_is_not_assessed_never_enforceable() {
    let (word, json) = status_of("kind: non_compete\n    months: 6");
    assert_eq!(word, "not assessed");
    assert_eq!(json["missing"], serde_json::json!(["capacities"]));
}

/// The `terms` report a UK leaver reads: each covenant with its one status,
/// what it rests on, and the blue-pencil criteria where words are struck.
#[test]
fn the_terms_report_gives_each_covenant_one_status() {
    let (file, p) = crate::scenarios::policy_from("c.policy", CANDIDATE);
    let contract = parse_contract(
        "employer: Northgate Search Ltd
jurisdiction: UK
covenants:
  - kind: non_solicitation
    of: clients
    months: 6
    lookback_months: 12
  - kind: non_dealing
    of: candidates
    months: 6
    lookback_months: 13
    capacities: [employee]
  - kind: non_compete
    months: 6
    capacities: [engaged_in, concerned_in, interested_in]
  - kind: non_compete
    months: 6
    radius_miles: 25
    capacities: [interested_in]
  - kind: non_compete
    months: 6
",
        "c.yaml",
    )
    .unwrap();
    let r = check_terms(&p, &file, &contract);
    let words: Vec<&str> = r.clauses.iter().map(|c| c.law.as_ref().unwrap().word()).collect();
    assert_eq!(words, ["enforceable", "at risk", "enforceable as severed", "at risk", "not assessed"]);
    insta::assert_snapshot!("law_enforceability_terms_uk", terms::text(&r, "c.policy"));
}

const UK: &str = r#"policy "Northgate — social media"
  jurisdiction UK
  timezone "Europe/London"
  default allow

roles consultant

covenant clients: non_solicitation of clients for 6 months lookback 13 months

covenant compete: non_compete for 6 months capacities engaged_in, concerned_in, interested_in
"#;

fn explain(text: &str, action: &str) -> (Decision, Vec<String>) {
    let (file, policy) = crate::scenarios::policy_from("uk.policy", text);
    let a = smpolicy::data::action::parse_action(action, "a.yaml").unwrap_or_else(|e| panic!("{e}"));
    let v = evaluate(&policy, &file, &a, &EvalOptions { now: "2030-01-01T00:00:00Z".parse().unwrap() });
    (v.verdict, v.law_notes.iter().map(|n| n.text.clone()).collect())
}

const LEAVER: &str = "actor: { id: sam, role: consultant, status: departed, employed_since: 2022-01-10, departed_on: 2026-01-31 }\nat: 2026-03-02T09:00:00Z\n";

#[test]
fn the_explanation_states_the_status_and_at_risk_never_changes_the_verdict() {
    // The client was dealt with 13 months before departure: inside the policy's look-back, beyond the law's bound.
    let solicit = format!(
        "action: solicit\n{LEAVER}channel: linkedin\ntarget: {{ relationship: client, last_dealt_with: 2025-01-10 }}\n"
    );
    let (verdict, notes) = explain(UK, &solicit);
    assert_eq!(verdict, Decision::Deny, "{notes:?}");
    assert!(notes.iter().any(|n| n == "`clients` in UK: status: at risk (uk-lookback-bound)"), "{notes:?}");
    // With the look-back at the bound, the same covenant is enforceable.
    let (verdict, notes) = explain(&UK.replace("lookback 13 months", "lookback 12 months"), &solicit);
    assert_eq!(verdict, Decision::Allow, "13 months back is outside a 12-month look-back: {notes:?}");
    let recent = solicit.replace("2025-01-10", "2025-06-10");
    let (verdict, notes) = explain(&UK.replace("lookback 13 months", "lookback 12 months"), &recent);
    assert_eq!(verdict, Decision::Deny);
    assert!(notes.iter().any(|n| n.starts_with("`clients` in UK: status: enforceable (meets ")), "{notes:?}");
    // Tillman: the non-compete is enforced as severed, and the explanation names the words and criteria.
    let (verdict, notes) = explain(UK, &format!("action: compete\n{LEAVER}"));
    assert_eq!(verdict, Decision::Deny);
    assert!(
        notes.iter().any(|n| n
            == "`compete` in UK: status: enforceable as severed: read without `interested_in` (uk-capacity-interested-in)"),
        "{notes:?}"
    );
    for criterion in [
        "✓ removable without adding to or modifying the words that remain",
        "✓ what remains is still supported by consideration",
        "✓ no major change to the overall effect of the restraint",
    ] {
        let want = format!("`compete` in UK: blue-pencil test: {criterion}");
        assert!(notes.iter().any(|n| n.starts_with(&want)), "{notes:?}");
    }
}

#[test]
fn capacities_parse_check_and_format_round_trip() {
    let file = SourceFile::new("uk.policy", UK);
    let formatted = smpolicy::fmt::format_policy(&file).unwrap();
    assert!(formatted.contains("capacities engaged_in, concerned_in, interested_in"), "{formatted}");
    let again = smpolicy::fmt::format_policy(&SourceFile::new("uk.policy", formatted.as_str())).unwrap();
    assert_eq!(formatted, again);
    let a = smpolicy::parser::parse(&file).unwrap();
    let b = smpolicy::parser::parse(&SourceFile::new("uk.policy", formatted.as_str())).unwrap();
    assert_eq!(a, b, "fmt keeps the capacities");
    // `check` reads the same table: the look-back beyond 12 months and the severable capacity.
    let (_, report) = smpolicy::check::check_source(&file).unwrap();
    let labels: Vec<String> = report
        .diagnostics
        .iter()
        .filter(|d| d.code == "suspect-covenant")
        .map(|d| d.labels.first().map_or(String::new(), |l| l.message.clone()))
        .collect();
    assert!(labels.iter().any(|l| l == "look-back longer than 12 months: at risk"), "{labels:?}");
    assert!(labels.iter().any(|l| l == "too wide, but the words can be severed (blue-pencil test)"), "{labels:?}");
    let alone = UK.replace("capacities engaged_in, concerned_in, interested_in", "capacities interested_in");
    let (_, report) = smpolicy::check::check_source(&SourceFile::new("uk.policy", alone.as_str())).unwrap();
    assert!(
        report.diagnostics.iter().any(|d| d
            .labels
            .first()
            .is_some_and(|l| l.message == "too wide, and the words cannot be severed: at risk")),
        "{:?}",
        report.diagnostics
    );
}

#[test]
fn compare_reports_each_covenants_status_in_json() {
    let dir = std::env::temp_dir().join(format!("smpolicy-enf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let a = dir.join("uk.policy");
    std::fs::write(&a, UK).unwrap();
    let out =
        crate::util::run(&["compare", a.to_str().unwrap(), "policies/trusting-agency.policy", "--format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"status\": \"enforceable-as-severed\""), "{text}");
    assert!(text.contains("\"rule\": \"uk-lookback-bound\""), "{text}");
    let out = crate::util::run(&["compare", a.to_str().unwrap(), "policies/trusting-agency.policy"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("enforceable as severed: read without `interested_in`"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
