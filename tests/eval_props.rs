//! Evaluator invariants, property-tested over every scenario policy and every
//! shipped policy, with actions drawn from a small space (action kind, channel,
//! counts, status, relationship, dates, flags):
//!
//! 1. adding `rule extra { when COND then deny }` never turns a deny into an
//!    allow or a require-approval (deny is the most restrictive outcome, and a
//!    clause that cannot be decided only blocks a *less* restrictive verdict);
//! 2. evaluation is deterministic: the same inputs give byte-identical JSON,
//!    also from a policy parsed again;
//! 3. the JSON `verdict` field is the first word of the text explanation's
//!    `verdict:` line.

#![allow(clippy::unwrap_used, clippy::panic, reason = "test helpers: a failure should stop the test loudly")]

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use smpolicy::data::action::{parse_action, Action};
use smpolicy::eval::explain::{self, ExplainOptions};
use smpolicy::eval::verdict::Decision;
use smpolicy::eval::{evaluate, EvalOptions};
use smpolicy::policy::Policy;
use smpolicy::source::SourceFile;
use std::sync::OnceLock;

/// Every policy the properties run over: `tests/scenarios/*.policy` and `policies/*.policy`.
fn sources() -> &'static [SourceFile] {
    static SOURCES: OnceLock<Vec<SourceFile>> = OnceLock::new();
    SOURCES.get_or_init(crate::util::all_policies)
}

fn lowered(file: &SourceFile) -> Policy {
    let ast = smpolicy::parser::parse(file).unwrap_or_else(|e| panic!("{} does not parse: {e:?}", file.name));
    smpolicy::lower::lower(file, &ast)
}

fn policies() -> &'static [(SourceFile, Policy)] {
    static POLICIES: OnceLock<Vec<(SourceFile, Policy)>> = OnceLock::new();
    POLICIES.get_or_init(|| sources().iter().map(|f| (f.clone(), lowered(f))).collect())
}

fn opts() -> EvalOptions {
    EvalOptions { now: "2030-01-01T00:00:00Z".parse().unwrap() }
}

// ───────────── the action space ─────────────

fn date() -> impl Strategy<Value = String> {
    (2021..=2027i32, 1..=12u8, 1..=28u8).prop_map(|(y, m, d)| format!("{y}-{m:02}-{d:02}"))
}

fn at() -> impl Strategy<Value = String> {
    (date(), 0..24u8, 0..60u8, prop::sample::select(vec!["Z", "+01:00", "-05:00"]))
        .prop_map(|(d, h, m, z)| format!("{d}T{h:02}:{m:02}:00{z}"))
}

fn maybe<T: std::fmt::Debug + Clone + 'static>(s: impl Strategy<Value = T> + 'static) -> BoxedStrategy<Option<T>> {
    prop_oneof![1 => Just(None), 3 => s.prop_map(Some)].boxed()
}

fn actor() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["employed", "on_notice", "garden_leave", "departed"]),
        prop::sample::select(vec!["consultant", "manager", "marketing"]),
        maybe(date()),
        date(),
        maybe(any::<bool>()),
        maybe(prop::sample::select(vec!["UK", "US-NY", "US-CA", "US-TX"])),
    )
        .prop_map(|(status, role, since, left, supervisor, jurisdiction)| {
            let mut a = Map::new();
            a.insert("id".into(), json!("p"));
            a.insert("role".into(), json!(role));
            a.insert("status".into(), json!(status));
            if let Some(s) = since {
                a.insert("employed_since".into(), json!(s));
            }
            if status == "departed" {
                a.insert("departed_on".into(), json!(left));
            }
            if let Some(s) = supervisor {
                a.insert("supervisor".into(), json!(s));
            }
            if let Some(j) = jurisdiction {
                a.insert("jurisdiction".into(), json!(j));
            }
            Value::Object(a)
        })
}

fn account() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["personal", "branded", "corporate", "group"]),
        prop::sample::select(vec!["employee", "agency"]),
        prop::sample::select(vec!["business", "personal", "mixed"]),
        any::<bool>(),
    )
        .prop_map(|(kind, by, purpose, brand)| {
            json!({"kind": kind, "created_by": by, "purpose": purpose, "brand_in_handle": brand})
        })
}

fn content() -> impl Strategy<Value = Value> {
    (
        prop::sample::subsequence(vec!["job_ad", "industry", "brand", "opinion", "pay_discussion", "announcement"], 1..3),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(kinds, names_client, confidential, discloses)| {
            json!({"kind": kinds, "names_client": names_client, "confidential": confidential, "discloses_employer": discloses})
        })
}

fn target() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["client", "candidate", "colleague", "contract_worker", "prospect", "unknown"]),
        any::<bool>(),
        maybe(prop::sample::select(vec!["before_employment", "employment", "agency_database"])),
        maybe(date()),
        maybe(date()),
    )
        .prop_map(|(rel, interacted, origin, connected, dealt)| {
            let mut t = Map::new();
            t.insert("relationship".into(), json!(rel));
            t.insert("interacted".into(), json!(interacted));
            if let Some(o) = origin {
                t.insert("origin".into(), json!(o));
            }
            if let Some(c) = connected {
                t.insert("connected_on".into(), json!(c));
            }
            if let Some(d) = dealt {
                t.insert("last_dealt_with".into(), json!(d));
            }
            Value::Object(t)
        })
}

fn history() -> impl Strategy<Value = Value> {
    (0..15u32, 0..15u32, 0..60u32, 0..20u32, 0..120u32).prop_map(|(today, day, week, ads, inv)| {
        json!({"posts_today": today, "posts_last_24h": day, "posts_this_week": week.max(ads),
               "job_ads_this_week": ads, "invitations_this_week": inv})
    })
}

/// A random action, as the JSON a caller would send.
fn action() -> impl Strategy<Value = Action> {
    (
        prop::sample::select(vec![
            "post",
            "share",
            "comment",
            "connect",
            "accept",
            "message",
            "solicit",
            "deal",
            "export",
            "depart",
            "hand_over",
            "compete",
        ]),
        at(),
        actor(),
        maybe(prop::sample::select(vec!["twitter", "linkedin", "facebook", "youtube", "tiktok", "blog"])),
        (maybe(account()), maybe(content()), maybe(target()), maybe(history())),
        maybe(prop::sample::select(vec!["marketing", "manager"])),
    )
        .prop_map(|(kind, at, actor, channel, (account, content, target, history), approval)| {
            let mut a = Map::new();
            a.insert("action".into(), json!(kind));
            a.insert("at".into(), json!(at));
            a.insert("actor".into(), actor);
            let parts = [("channel", channel.map(|c| json!(c))), ("account", account), ("content", content)];
            for (k, v) in parts.into_iter().chain([("target", target), ("history", history)]) {
                if let Some(v) = v {
                    a.insert(k.into(), v);
                }
            }
            if let Some(by) = approval {
                a.insert("approval".into(), json!({"granted_by": by}));
            }
            let text = Value::Object(a).to_string();
            parse_action(&text, "generated.json").unwrap_or_else(|e| panic!("{e}: {text}"))
        })
}

/// A condition for the extra rule.
fn condition() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "channel = twitter",
        "action in {post, share, comment}",
        "action = connect",
        "actor.status = departed",
        "target.relationship = client",
        "content.kind has job_ad",
        "history.posts_today >= 5",
        "at >= 2025-06-01",
        "not target.interacted",
        "account.kind = branded",
        "target.connected_on >= actor.employed_since",
        "actor.supervisor",
    ]);
    (atoms.clone(), prop::option::of((prop::sample::select(vec!["and", "or"]), atoms))).prop_map(|(a, rest)| match rest
    {
        Some((op, b)) => format!("{a} {op} {b}"),
        None => a.to_string(),
    })
}

fn first_word_of_verdict_line(text: &str) -> String {
    let line = text.lines().find(|l| l.starts_with("verdict:")).unwrap();
    line.trim_start_matches("verdict:").split_whitespace().next().unwrap().to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn an_extra_deny_rule_never_loosens_a_deny(action in action(), cond in condition()) {
        for (file, policy) in policies() {
            let before = evaluate(policy, file, &action, &opts());
            if before.verdict != Decision::Deny {
                continue;
            }
            let text = format!("{}\n\nrule extra \"A stricter rule.\" {{\n  when {cond}\n  then deny\n}}\n", file.text);
            let extended = SourceFile::new(file.name.clone(), text);
            let after = evaluate(&lowered(&extended), &extended, &action, &opts());
            prop_assert!(
                !matches!(after.verdict, Decision::Allow | Decision::RequireApproval),
                "{}: deny became {:?} with `when {}`:\n{}",
                file.name, after.verdict, cond,
                explain::text(&after, &file.name, ExplainOptions::default())
            );
        }
    }

    #[test]
    fn evaluation_is_deterministic(action in action()) {
        for (file, policy) in policies() {
            let once = serde_json::to_string(&evaluate(policy, file, &action, &opts())).unwrap();
            let twice = serde_json::to_string(&evaluate(policy, file, &action, &opts())).unwrap();
            prop_assert_eq!(&once, &twice);
            let again = serde_json::to_string(&evaluate(&lowered(file), file, &action, &opts())).unwrap();
            prop_assert_eq!(&once, &again, "{}: a policy parsed again decides differently", file.name);
        }
    }

    #[test]
    fn the_json_verdict_is_the_explanations_verdict(action in action()) {
        for (file, policy) in policies() {
            let v = evaluate(policy, file, &action, &opts());
            let json: Value = serde_json::to_value(&v).unwrap();
            let text = explain::text(&v, &file.name, ExplainOptions { why_not: true });
            prop_assert_eq!(json["verdict"].as_str().unwrap(), first_word_of_verdict_line(&text), "{}", file.name);
        }
    }
}
