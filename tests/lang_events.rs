//! Duties due from an event other than leaving (issue #14, concept 4):
//! `oblige "..." within 1 month of request.made_on` and, for an error found,
//! a declared date fact (`within 1 business day of facts.error_found_on`).
//! The due date is counted from the event's date on the policy's calendar
//! (business days, timezone) and shown; once overdue and not recorded as done,
//! the clause's actions are refused, as a departure duty's are. Both engines,
//! the explanation, `check` and `fmt`.
//!
//! The published texts: Closomat's and Westlakes Recruitment's recruitment
//! privacy notices (deletion within one month of a request) and Pyramidion's
//! "Social media: what's your policy?" (correct a wrong post), read in
//! December 2026 and paraphrased in tests/cases/published/event-duties.policy.

use crate::util::{run_stdin, stdout};

const PUBLISHED: &str = "tests/cases/published/event-duties.policy";

/// Every case of the published policy, in the interpreter (`test`) and in the
/// compiled form (`eval --batch`), and the file is as `fmt` writes it.
#[test]
fn the_published_policy_holds_its_cases_in_both_engines() {
    crate::util::published_cases_hold_in_both_engines("event-duties");
}

const REQUEST: &str = r#"{"action":"message","at":"2026-04-17T10:00:00Z","actor":{"id":"ann","role":"consultant","status":"employed"},"channel":"email","target":{"relationship":"candidate"},"request":{"made_on":"2026-03-16"}}"#;

/// The explanation gives the due date computed from the event, how late it
/// is, the clause that refuses, and the name to record the duty as done.
#[test]
fn an_overdue_duty_refuses_and_says_when_it_was_due() {
    let text = stdout(&run_stdin(&["eval", PUBLISHED, "-"], REQUEST));
    assert!(text.starts_with("verdict: deny"), "{text}");
    assert!(
        text.contains("forbidden by `erasure-requests-overdue-delete-the-candidate-s-personal-data-from-every-system`"),
        "{text}"
    );
    assert!(text.contains("computed: request.made_on 2026-03-16 + 1 month = 2026-04-16"), "{text}");
    assert!(text.contains("done: [delete_the_candidate_s_personal_data_from_every_system]"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run_stdin(&["eval", PUBLISHED, "-", "--format", "json"], REQUEST))).unwrap();
    let o = &json["obligations"][0];
    assert_eq!(o["due"], "2026-04-16", "{o}");
    // Business days on the policy's calendar: found on a Friday, due on Monday.
    let post = r#"{"action":"post","at":"2026-03-09T10:00:00Z","actor":{"id":"bo","role":"consultant","status":"employed"},"channel":"linkedin","content":{"kind":"industry"},"facts":{"error_found_on":"2026-03-06"}}"#;
    let text = stdout(&run_stdin(&["eval", PUBLISHED, "-"], post));
    assert!(text.starts_with("verdict: allow"), "{text}");
    assert!(text.contains("facts.error_found_on 2026-03-06 + 1 business day = 2026-03-09"), "{text}");
}

/// `check` wants the event to be a date the action carries.
#[test]
fn the_event_is_a_date_fact() {
    let check = |text: &str| {
        let file = smpolicy::source::SourceFile::new("p.policy", text);
        let (_, report) = smpolicy::check::check_source(&file).unwrap_or_else(|d| panic!("{d:?}"));
        report.diagnostics.iter().map(|d| (d.code.clone(), d.message.clone())).collect::<Vec<_>>()
    };
    let d = check("policy \"p\" default allow\nrule r { when action = post then allow oblige \"X.\" within 2 days of actor.status }\n");
    assert_eq!(
        d,
        [("type-mismatch".to_string(), "a duty's time runs from a date, but `actor.status` is a status".to_string())]
    );
    let d = check("policy \"p\" default allow\nrule r { when action = post then allow oblige \"X.\" within 2 days of request.made_n }\n");
    assert_eq!(d.first().map(|x| x.0.as_str()), Some("unknown-fact"), "{d:?}");
    assert!(check("policy \"p\" default allow\nrule r { when action = post then allow oblige \"X.\" within 2 days of request.made_on }\n").is_empty());
}
