//! `compare` on a policy that is silent on a subject: the dimension shows
//! "not addressed", with no number, and is never scored as the most
//! favourable (issue 16).

use smpolicy::compare::score::{Dimension, Value};
use smpolicy::compare::{self, CompareOptions, Comparison};
use smpolicy::policy::Policy;
use smpolicy::source::SourceFile;

/// Says nothing about connections, accounts or covenants: it only speaks to posting.
const SILENT: &str = r#"policy "Posting only"
  jurisdiction UK
  timezone "Europe/London"
  default allow

roles consultant

posting on linkedin, twitter {
  forbid confidential
  everyday-posts: default allow
}
"#;

/// A policy from its text: parsed, checked clean, lowered (also used by `compare_names`).
pub(crate) fn load(name: &str, text: &str) -> (SourceFile, Policy) {
    let file = SourceFile::new(name.to_string(), text.to_string());
    let (ast, report) = smpolicy::check::check_source(&file).unwrap_or_else(|_| panic!("{name} does not parse"));
    assert!(!report.has_errors(), "{name} has check errors");
    let policy = smpolicy::lower::lower(&file, &ast);
    (file, policy)
}

fn run() -> Comparison {
    let protective = crate::util::source("policies/protective-agency.policy");
    let text = protective.text.to_string();
    let policies = vec![load("silent.policy", SILENT), load("policies/protective-agency.policy", &text)];
    let opts = CompareOptions { now: Some("2030-01-01T00:00:00Z".parse().unwrap()), ..CompareOptions::default() };
    compare::compare(&policies, &opts)
}

fn value(c: &Comparison, key: &str, d: Dimension) -> Value {
    c.scores.iter().find(|s| s.policy == key).unwrap().get(d).unwrap().score
}

#[test]
fn silence_is_not_addressed_not_the_best_score() {
    let c = run();
    // Allowed by the policy's default alone: no number, and no points behind it.
    assert_eq!(value(&c, "A", Dimension::NetworkOwnership), Value(None));
    assert_eq!(value(&c, "A", Dimension::CovenantBurden), Value(None));
    let own = c.scores[0].get(Dimension::NetworkOwnership).unwrap();
    assert!(!own.items.is_empty() && own.items.iter().all(|i| i.points == 0.0), "{:?}", own.items);
    // What it does say is scored; trust is always scored.
    assert!(value(&c, "A", Dimension::PostingAutonomy).0.is_some());
    assert!(value(&c, "A", Dimension::Trust).0.is_some());
    // A policy that does speak to a subject keeps its number.
    assert!(value(&c, "B", Dimension::NetworkOwnership).0.is_some());
    assert!(value(&c, "B", Dimension::CovenantBurden).0.is_some());
}

#[test]
fn reports_say_not_addressed() {
    let c = run();
    let text = compare::render::text(&c);
    assert!(text.contains("network ownership not addressed"), "{text}");
    assert!(text.contains("covenant burden not addressed"), "{text}");
    assert!(!text.contains("network ownership 10/10"), "{text}");
    let md = compare::render::markdown(&c);
    assert!(md.contains("- **covenant burden not addressed**"), "{md}");
    assert!(md.contains(smpolicy::compare::score::NOT_ADDRESSED_RULE), "the rubric states the rule");
    let json = serde_json::to_value(&c).unwrap();
    assert_eq!(json["scores"][0]["dimensions"][0]["score"], serde_json::Value::Null);
}

/// An employer silent on monitoring: the deal-breaker check answers for what the policy states and names what
/// it does not say, instead of a bare "indeterminate"; the verdict stays indeterminate (never fails open).
#[test]
fn deal_breakers_answer_for_what_the_policy_states() {
    let mine = crate::util::source("policies/candidate-dealbreakers.policy");
    let protective = crate::util::source("policies/protective-agency.policy");
    let trusting = crate::util::source("policies/trusting-agency.policy");
    let policies = vec![
        load("policies/trusting-agency.policy", &trusting.text),
        load("policies/protective-agency.policy", &protective.text),
    ];
    let opts = CompareOptions {
        now: Some("2030-01-01T00:00:00Z".parse().unwrap()),
        against: Some(load("policies/candidate-dealbreakers.policy", &mine.text)),
        ..CompareOptions::default()
    };
    let c = compare::compare(&policies, &opts);
    let against = c.against.as_ref().unwrap();
    let b = &against.employers[1];
    assert_eq!(b.verdict, smpolicy::eval::Decision::Indeterminate);
    assert!(b.broken.is_empty(), "{:?}", b.broken);
    assert_eq!(
        b.summary,
        "indeterminate: no deal-breaker is broken by what the policy states; it does not say \
         monitoring_of_personal_accounts (ask the employer)"
    );
    // The trusting agency forbids monitoring: a plain answer.
    assert_eq!(against.employers[0].verdict, smpolicy::eval::Decision::Allow);
    let text = compare::render::text(&c);
    assert!(
        text.contains("Castlegate Recruitment plc: indeterminate: no deal-breaker is broken by what the policy states"),
        "{text}"
    );
}

/// Issue #16: a deal-breakers file is the candidate's own, never an employer column.
#[test]
fn a_deal_breakers_file_is_refused_as_an_employer_and_pointed_to_against() {
    let o = crate::util::run(&["compare", "policies/trusting-agency.policy", "policies/candidate-dealbreakers.policy"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is a candidate's deal-breakers"), "{err}");
    assert!(err.contains("--against policies/candidate-dealbreakers.policy"), "{err}");
    // As deal-breakers, it is taken.
    let o = crate::util::run(&[
        "compare",
        "policies/trusting-agency.policy",
        "--against",
        "policies/candidate-dealbreakers.policy",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
}
