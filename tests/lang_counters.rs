//! Counters (issue #14, concept 9): per day, week, month and rolling N days;
//! by kind, per channel, shares left out; the counting rule in the
//! explanation; the history that carries the counts; the service that
//! derives them. The published policy is a university's posting-frequency
//! guide for the accounts its departments run (a social media FAQ,
//! http://howto-writearticles.com/social/faq.html, read in December 2026;
//! paraphrased in tests/cases/published/university-posting-guide.policy).

use crate::util::{run, run_stdin, stderr, stdout};
use serde_json::Value;

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let d = std::env::temp_dir().join(format!("smpolicy-counters-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

const PUBLISHED: &str = "tests/cases/published/university-posting-guide.policy";

#[test]
fn the_published_guide_holds_its_cases_in_both_engines() {
    crate::util::published_cases_hold_in_both_engines("university-posting-guide");
}

/// Five tweets today and none on Instagram: the Instagram post is allowed, as the
/// guide means it; the same limit without `per channel` counts every channel and refuses it.
#[test]
fn per_channel_counts_only_this_channel() {
    let post = r#"{"action":"post","at":"2026-03-05T16:00:00-05:00","actor":{"id":"d","role":"staff","status":"employed"},"channel":"instagram","content":{"kind":"announcement"},"history":{"posts_today":5,"counts":{"posts_today_on_this_channel":0}}}"#;
    let o = run_stdin(&["eval", PUBLISHED, "-", "--format", "json"], post);
    assert_eq!(json(&stdout(&o))["verdict"], "allow", "{}", stdout(&o));
    let dir = temp_dir("channel");
    let every = dir.join("every.policy");
    let text = std::fs::read_to_string(crate::util::root().join(PUBLISHED)).unwrap();
    std::fs::write(&every, text.replace("per day per channel", "per day")).unwrap();
    let o = run_stdin(&["eval", every.to_str().unwrap(), "-", "--format", "json"], post);
    assert_eq!(json(&stdout(&o))["verdict"], "deny", "{}", stdout(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

const COUNTING: &str = r#"policy "Counting"
  timezone "Europe/London"
  default allow

roles consultant

posting on twitter, linkedin {
  limit 3 posts per day per channel excluding shares
  limit 40 posts per month
  limit 4 job_ad posts per rolling 7 days
  at most 50% job_ad posts per month
}

connecting on linkedin {
  limit 80 invitations per month per channel
}
"#;

fn action(kind: &str, content: &str, history: &str) -> String {
    format!(
        r#"{{"action":"{kind}","at":"2026-03-10T12:00:00Z","actor":{{"id":"a","role":"consultant","status":"employed"}},"channel":"linkedin","content":{{"kind":"{content}"}},"target":{{"relationship":"prospect","interacted":true}},"history":{}}}"#,
        history
    )
}

/// Each counter decides at its threshold, the same way in the interpreter and the compiled form.
#[test]
fn each_counter_decides_at_its_limit_in_both_engines() {
    let dir = temp_dir("engines");
    let p = dir.join("p.policy");
    std::fs::write(&p, COUNTING).unwrap();
    let p = p.to_str().unwrap();
    let o = run(&["check", p]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    // Every counter the policy reads at 0, but those given.
    let with = |given: &[(&str, u32)]| {
        let mut counts: serde_json::Map<String, Value> = [
            "posts_today_on_this_channel_excluding_shares",
            "posts_this_month",
            "job_ad_posts_last_7_days",
            "job_ad_posts_this_month",
        ]
        .iter()
        .map(|k| (k.to_string(), Value::from(0)))
        .collect();
        for (k, n) in given {
            counts.insert(k.to_string(), Value::from(*n));
        }
        serde_json::json!({ "counts": counts }).to_string()
    };
    let day = "posts_today_on_this_channel_excluding_shares";
    let cases = [
        (action("post", "industry", &with(&[(day, 2)])), "allow", ""),
        (
            action("post", "industry", &with(&[(day, 3)])),
            "deny",
            "twitter-linkedin-limit-posts-per-day-per-channel-excluding-shares",
        ),
        (action("post", "industry", &with(&[("posts_this_month", 39)])), "allow", ""),
        (
            action("post", "industry", &with(&[("posts_this_month", 40)])),
            "deny",
            "twitter-linkedin-limit-posts-per-month",
        ),
        (
            action("post", "job_ad", &with(&[("job_ad_posts_last_7_days", 4), ("posts_this_month", 20)])),
            "deny",
            "twitter-linkedin-limit-job-ad-posts-per-rolling-days",
        ),
        // The share: with this post, 11 of 21 job ads this month is above 50%; 10 of 21 is not.
        (
            action("post", "job_ad", &with(&[("job_ad_posts_this_month", 10), ("posts_this_month", 20)])),
            "deny",
            "twitter-linkedin-job-ad-share-per-month",
        ),
        (action("post", "job_ad", &with(&[("job_ad_posts_this_month", 9), ("posts_this_month", 20)])), "allow", ""),
        (
            action("connect", "industry", r#"{"counts":{"invitations_this_month_on_this_channel":80}}"#),
            "deny",
            "linkedin-limit-invitations-per-month-per-channel",
        ),
        (action("connect", "industry", r#"{"counts":{"invitations_this_month_on_this_channel":79}}"#), "allow", ""),
        // A count the action does not carry is never taken as zero.
        (action("post", "industry", "{}"), "indeterminate", ""),
    ];
    let lines: String = cases.iter().map(|(l, _, _)| format!("{l}\n")).collect();
    let o = run_stdin(&["eval", "--batch", p, "-"], &lines);
    let batch: Vec<Value> = stdout(&o).lines().map(json).collect();
    assert_eq!(batch.len(), cases.len(), "{}", stderr(&o));
    for (i, (line, verdict, by)) in cases.iter().enumerate() {
        let o = run_stdin(&["eval", p, "-", "--format", "json"], line);
        let v = json(&stdout(&o));
        assert_eq!(v["verdict"], *verdict, "{line}: {v}");
        assert_eq!(batch[i]["verdict"], *verdict, "batch: {line}: {}", batch[i]);
        if !by.is_empty() {
            assert_eq!(v["deciding"], serde_json::json!([by]), "{line}: {v}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The explanation shows the count against the limit, the window on the
/// policy's clock and the counting rule; the way out names the window.
#[test]
fn the_explanation_shows_the_counting_rule() {
    let dir = temp_dir("explain");
    let p = dir.join("p.policy");
    std::fs::write(&p, COUNTING).unwrap();
    let p = p.to_str().unwrap();
    let line = action("post", "industry", r#"{"counts":{"posts_today_on_this_channel_excluding_shares":3}}"#);
    let o = run_stdin(&["eval", p, "-"], &line);
    let out = stdout(&o);
    for want in [
        "✓ history.counts.posts_today_on_this_channel_excluding_shares = 3 ≥ 3",
        "computed: with this post: 4 > limit 3",
        "computed: the day counted: 2026-03-10 in Europe/London (the policy's timezone, not the device's)",
        "computed: what is counted: posts and comments (shares are not counted) on this action's channel only, today, before this one",
        "history.counts.posts_today_on_this_channel_excluding_shares (posts today on this channel, shares not counted): 3",
        "allowed again tomorrow, when the daily count starts again (the limit is 3)",
    ] {
        assert!(out.contains(want), "missing `{want}` in:\n{out}");
    }
    let line = action(
        "post",
        "job_ad",
        r#"{"counts":{"job_ad_posts_last_7_days":4,"posts_this_month":1,"job_ad_posts_this_month":0}}"#,
    );
    let out = stdout(&run_stdin(&["eval", p, "-"], &line));
    for want in [
        "computed: the 7 days counted: from 2026-03-03 12:00:00 to 2026-03-10 12:00:00 in Europe/London (a rolling window, not calendar days)",
        "computed: what is counted: posts, comments and shares whose content kind has job_ad on every channel, in the last 7 days, before this one",
        "allowed again once the oldest counted post is more than 7 days old (the limit is 4)",
    ] {
        assert!(out.contains(want), "missing `{want}` in:\n{out}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `history.counts` takes counter names only, and a counter with a field of its own only there.
#[test]
fn a_counter_name_that_names_no_counter_is_an_error() {
    let dir = temp_dir("names");
    let p = dir.join("p.policy");
    std::fs::write(&p, COUNTING).unwrap();
    let p = p.to_str().unwrap();
    let o = run_stdin(&["eval", p, "-"], &action("post", "industry", r#"{"counts":{"posts_this_year":3}}"#));
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("`posts_this_year` names no counter"), "{}", stderr(&o));
    let o = run_stdin(&["eval", p, "-"], &action("post", "industry", r#"{"counts":{"posts_today":3}}"#));
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("write `history.posts_today`"), "{}", stderr(&o));
    // A rule may read a counter too; a misspelt one is unknown to `check`.
    let rule = format!(
        "{COUNTING}\nrule busy {{\n  when history.counts.posts_this_month > 30\n  then advise \"Slow down.\"\n}}\n"
    );
    std::fs::write(dir.join("r.policy"), &rule).unwrap();
    let o = run(&["check", dir.join("r.policy").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    std::fs::write(dir.join("bad.policy"), rule.replace("posts_this_month >", "posts_this_moth >")).unwrap();
    let o = run(&["check", dir.join("bad.policy").to_str().unwrap()]);
    assert_ne!(o.status.code(), Some(0));
    assert!((stdout(&o) + &stderr(&o)).contains("unknown fact `history.counts.posts_this_moth`"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `fmt` writes the new clauses back as written; `diff` finds the situations a
/// tighter monthly limit refuses, with a witness that carries the count.
#[test]
fn fmt_keeps_and_diff_compares_the_new_counters() {
    let dir = temp_dir("diff");
    let new = dir.join("new.policy");
    std::fs::write(&new, COUNTING).unwrap();
    let o = run(&["fmt", "--check", new.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let old = dir.join("old.policy");
    std::fs::write(&old, COUNTING.replace("limit 40 posts per month", "limit 60 posts per month")).unwrap();
    let o = run(&["diff", old.to_str().unwrap(), new.to_str().unwrap(), "--format", "json"]);
    let v = json(&stdout(&o));
    let changes = v["changes"].as_array().unwrap();
    let month = changes
        .iter()
        .find(|c| c.to_string().contains("twitter-linkedin-limit-posts-per-month"))
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(month["direction"], "stricter", "{month}");
    // The witness carries the monthly count where the data model puts it, at the new limit.
    assert_eq!(month["witness"]["history"]["counts"]["posts_this_month"], 40, "{month}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The service derives the new counters from what was recorded as performed.
#[cfg(feature = "server")]
#[test]
fn the_service_derives_the_counters_the_policy_reads() {
    use crate::serve::{decide_and_perform, log_json, one_policy, post_action, Server};
    use serde_json::json;
    let policy = "policy \"t\" default allow\n\nroles consultant\n\nposting on linkedin {\n  limit 2 posts per day per channel excluding shares\n}\n";
    let dir = one_policy(policy);
    let log = dir.join("log.sqlite");
    let s = Server::start_trusted(&dir, log.to_str().unwrap(), 2 * 86_400);
    // A share and a post on twitter do not count; one post on linkedin does.
    let mut share = post_action("dana");
    share["action"] = json!("share");
    decide_and_perform(&s, &share);
    let mut tweet = post_action("dana");
    tweet["channel"] = json!("twitter");
    decide_and_perform(&s, &tweet);
    decide_and_perform(&s, &post_action("dana"));
    // The second linkedin post is the limit: allowed; the third is refused.
    decide_and_perform(&s, &post_action("dana"));
    let (status, v) = s.post("/v1/decide", &json!({"policy": "t", "action": post_action("dana")}).to_string());
    assert_eq!((status, v["verdict"].as_str()), (200, Some("deny")), "{v}");
    let entries = log_json(log.to_str().unwrap(), Some("dana"));
    let decision = entries.iter().rev().find(|e| e["kind"] == "decision").unwrap();
    let h = &decision["derived_history"];
    assert_eq!(h["counts"]["posts_today_on_this_channel_excluding_shares"], 2, "{h}");
    assert_eq!(h["posts_today"], 4, "{h}");
}
