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
    // A breach, not a prohibition: doing the duty ends it.
    assert!(
        text.contains(
            "deny: in breach of `erasure-requests-overdue-erase-data`: the duty is overdue and not recorded as done"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "doing the duty (recording it under `done`) ends the breach of `erasure-requests-overdue-erase-data`"
        ),
        "{text}"
    );
    assert!(text.contains("computed: request.made_on 2026-03-16 + 1 month = 2026-04-16"), "{text}");
    // The duty's own key (`as erase_data`) is the name to record.
    assert!(text.contains("(`done: [erase_data]`)"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&run_stdin(&["eval", PUBLISHED, "-", "--format", "json"], REQUEST))).unwrap();
    let o = &json["obligations"][0];
    assert_eq!(o["due"], "2026-04-16", "{o}");
    assert_eq!(o["done_key"], "erase_data", "{o}");
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

/// A duty's key (`as erase_data`): an identifier, on a duty due from an event,
/// used by one duty only; each mistake is an error at the key's place.
#[test]
fn a_duty_key_is_a_name_used_once() {
    let check = |text: &str| {
        let file = smpolicy::source::SourceFile::new("p.policy", text);
        let (_, report) = smpolicy::check::check_source(&file).unwrap_or_else(|d| panic!("{d:?}"));
        report
            .diagnostics
            .iter()
            .map(|d| {
                let start = d.labels.first().map_or(0, |l| l.span.start);
                (d.code.clone(), text[..start].lines().count(), d.message.clone())
            })
            .collect::<Vec<_>>()
    };
    let head = "policy \"p\" default allow\n";
    let ok = format!(
        "{head}rule r {{ when action = post then allow oblige \"X.\" as do_x within 2 days of request.made_on }}\n"
    );
    assert!(check(&ok).is_empty(), "{:?}", check(&ok));
    let dup = format!(
        "{head}rule r {{ when action = post then allow oblige \"X.\" as do_x within 2 days of request.made_on }}\n\
         rule s {{ when action = share then allow\n  oblige \"Y.\" as do_x within 2 days of request.made_on }}\n"
    );
    assert_eq!(
        check(&dup),
        [("duplicate-name".to_string(), 4, "two duties are recorded as done under the same key `do_x`".to_string())]
    );
    // A key equal to another duty's words joined by underscores is the same key.
    let words = format!(
        "{head}rule r {{ when action = post then allow oblige \"Do x.\" within 2 days of request.made_on }}\n\
         rule s {{ when action = share then allow oblige \"Y.\" as do_x within 2 days of request.made_on }}\n"
    );
    assert_eq!(check(&words).first().map(|d| d.0.as_str()), Some("duplicate-name"), "{:?}", check(&words));
    let bad = format!("{head}rule r {{ when action = post then allow oblige \"X.\" as erase-data within 2 days of request.made_on }}\n");
    assert_eq!(
        check(&bad),
        [(
            "bad-duty-key".to_string(),
            2,
            "a duty's key must be a name of letters, digits and underscores, not `erase-data`".to_string()
        )]
    );
    // A departure duty's key counts too (`hand over credentials` is `hand_over_credentials`).
    let departure = format!(
        "{head}on departure {{\n  hand over credentials within 1 day\n}}\n\
         rule r {{ when action = post then allow oblige \"X.\" as hand_over_credentials within 2 days of request.made_on }}\n"
    );
    assert_eq!(
        check(&departure),
        [(
            "duplicate-name".to_string(),
            5,
            "`hand_over_credentials` is already the key a departure duty is recorded under".to_string()
        )]
    );
    let no_event = format!("{head}rule r {{ when action = post then allow oblige \"X.\" as do_x within 2 days }}\n");
    assert_eq!(
        check(&no_event),
        [("bad-duty-key".to_string(), 2, "the duty `do_x` has a key but no event its time runs from".to_string())]
    );
}
