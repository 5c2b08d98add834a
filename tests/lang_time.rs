//! Language v2, concepts 11 and 12 (issue #14): the local time and weekday of
//! an action and the device it is carried out from; what a breach leads to,
//! references to other documents, and covenants without an end date. End to
//! end, through the commands a user runs.

use crate::util::{run, run_stdin, stderr, stdout};
use serde_json::Value;

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let d = std::env::temp_dir().join(format!("smpolicy-lang-time-{tag}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes `text` to `name` in a fresh directory; returns the path.
fn write(tag: &str, name: &str, text: &str) -> String {
    let p = temp_dir(tag).join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// A Sydney firm: no personal posting in its working hours, business posts only from its devices.
const HOURS: &str = r#"policy "Working hours" version 1
  jurisdiction AU
  timezone "Australia/Sydney"
  default allow

roles consultant, manager

rule no-personal-posting-in-working-hours "Personal posting waits until after work." {
  when action = post and content.kind has personal
    and at.weekday not in {saturday, sunday}
    and at.time_of_day >= 09:00
    and at.time_of_day < 17:30
  then deny
  consequence "a written warning; repeated breaches lead to dismissal"
  see "Acceptable Use Policy"
}

rule business-only-from-agency-devices "Business accounts are used from agency devices." {
  when account.purpose = business and device != agency
  then require approval from manager
  see "Device Policy"
}
"#;

/// A personal post at `at` (UTC) from `device` (or none).
fn personal_post(at: &str, device: Option<&str>) -> String {
    let device = device.map(|d| format!(r#","device":"{d}""#)).unwrap_or_default();
    format!(
        r#"{{"action":"post","at":"{at}","actor":{{"id":"kim","role":"consultant","status":"employed"}},"channel":"instagram"{device},"account":{{"kind":"personal","purpose":"personal"}},"content":{{"kind":["personal"]}}}}"#
    )
}

/// The verdict of one action under the interpreter (`eval`), and under the compiled form (`eval --batch`).
fn both(policy: &str, line: &str) -> (Value, Value) {
    let o = run_stdin(&["eval", policy, "-", "--format", "json"], line);
    let v = json(&stdout(&o));
    let o = run_stdin(&["eval", "--batch", policy, "-"], &format!("{line}\n"));
    let b = json(stdout(&o).lines().next().unwrap_or_else(|| panic!("no batch line: {}", stderr(&o))));
    assert_eq!(v["verdict"], b["verdict"], "the two engines disagree on {line}: {v} / {b}");
    (v, b)
}

#[test]
fn working_hours_are_the_policys_local_time_and_weekday() {
    let p = write("hours", "hours.policy", HOURS);
    // Friday 13 March 2026, 10:15 in Sydney (AEDT, UTC+11) is 23:15 UTC on Thursday.
    let (v, _) = both(&p, &personal_post("2026-03-12T23:15:00Z", Some("personal")));
    assert_eq!(v["verdict"], "deny", "{v}");
    assert_eq!(v["deciding"], serde_json::json!(["no-personal-posting-in-working-hours"]));
    // 17:29 is still working hours; 17:30 is not (the end is excluded, as written).
    assert_eq!(both(&p, &personal_post("2026-03-13T06:29:00Z", Some("personal"))).0["verdict"], "deny");
    assert_eq!(both(&p, &personal_post("2026-03-13T06:30:00Z", Some("personal"))).0["verdict"], "allow");
    // 08:59 is before it.
    assert_eq!(both(&p, &personal_post("2026-03-12T21:59:00Z", Some("personal"))).0["verdict"], "allow");
    // Saturday 10:15 in Sydney is Friday 23:15 UTC: the weekday is Sydney's, not UTC's.
    assert_eq!(both(&p, &personal_post("2026-03-13T23:15:00Z", Some("personal"))).0["verdict"], "allow");
    // In winter (AEST, UTC+10) 10:15 in Sydney is 00:15 UTC: still working hours.
    assert_eq!(both(&p, &personal_post("2026-06-12T00:15:00Z", Some("personal"))).0["verdict"], "deny");
}

#[test]
fn an_action_dated_without_a_time_has_a_weekday_but_no_time_of_day() {
    let p = write("hours", "hours.policy", HOURS);
    // A weekday given only as a date: the hours cannot be told, and the refusal could apply.
    let (v, _) = both(&p, &personal_post("2026-03-13", Some("personal")));
    assert_eq!(v["verdict"], "indeterminate", "{v}");
    assert!(v["missing"].to_string().contains("at.time_of_day"), "{v}");
    // A Saturday given as a date is outside working hours whatever the time.
    assert_eq!(both(&p, &personal_post("2026-03-14", Some("personal"))).0["verdict"], "allow");
}

#[test]
fn an_absent_device_is_neither_agency_nor_personal() {
    let p = write("hours", "hours.policy", HOURS);
    let business = |device: &str| {
        format!(
            r#"{{"action":"post","at":"2026-03-14T01:00:00Z","actor":{{"id":"kim","role":"consultant","status":"employed"}},"channel":"linkedin"{device},"account":{{"kind":"branded","purpose":"business"}},"content":{{"kind":["job_ad"]}}}}"#
        )
    };
    assert_eq!(both(&p, &business(r#","device":"agency""#)).0["verdict"], "allow");
    assert_eq!(both(&p, &business(r#","device":"personal""#)).0["verdict"], "require-approval");
    // Not given: the clause cannot be decided, so the verdict is not allow.
    let (v, _) = both(&p, &business(""));
    assert_eq!(v["verdict"], "indeterminate", "{v}");
    assert_eq!(v["missing"], serde_json::json!(["device"]), "{v}");
    // A device outside the closed set is refused, naming the field, by both readers.
    let bad = business(r#","device":"laptop""#);
    let o = run_stdin(&["eval", &p, "-"], &bad);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("device"), "{}", stderr(&o));
    let o = run_stdin(&["eval", "--batch", &p, "-"], &format!("{bad}\n"));
    let line = json(stdout(&o).lines().next().unwrap());
    assert_eq!(line["error"]["path"], "device", "{line}");
}

#[test]
fn explanations_read_the_clock_and_the_device_in_plain_words() {
    let p = write("hours", "hours.policy", HOURS);
    let o = run_stdin(&["eval", &p, "-"], &personal_post("2026-03-12T23:15:00Z", Some("personal")));
    let text = stdout(&o);
    assert!(text.contains("✓ at.weekday = friday is not one of {saturday, sunday}"), "{text}");
    assert!(text.contains("✓ at.time_of_day = 10:15 ≥ 09:00"), "{text}");
    assert!(text.contains("at.time_of_day (local time of day): 10:15"), "{text}");
    assert!(text.contains("at.weekday (local day of the week): friday"), "{text}");
    // The device is read (and named) by the clause about business accounts.
    let business = personal_post("2026-03-12T23:15:00Z", Some("personal"))
        .replace(r#""purpose":"personal""#, r#""purpose":"business""#);
    let text = stdout(&run_stdin(&["eval", &p, "-"], &business));
    assert!(text.contains("device (device used): personal"), "{text}");
}

#[test]
fn a_deny_says_what_a_breach_leads_to_and_what_to_read() {
    let p = write("hours", "hours.policy", HOURS);
    let line = personal_post("2026-03-12T23:15:00Z", Some("personal"));
    let text = stdout(&run_stdin(&["eval", &p, "-"], &line));
    assert!(text.contains("    if breached: a written warning; repeated breaches lead to dismissal\n"), "{text}");
    assert!(text.contains("    see: Acceptable Use Policy\n"), "{text}");
    let md = stdout(&run_stdin(&["eval", &p, "-", "--format", "markdown"], &line));
    assert!(md.contains("  - if breached: a written warning; repeated breaches lead to dismissal\n"), "{md}");
    assert!(md.contains("  - see: Acceptable Use Policy\n"), "{md}");
    let v = json(&stdout(&run_stdin(&["eval", &p, "-", "--format", "json"], &line)));
    let rule = v["rules"].as_array().unwrap().iter().find(|r| r["id"] == "no-personal-posting-in-working-hours");
    let rule = rule.unwrap_or_else(|| panic!("{v}"));
    assert_eq!(rule["consequence"], "a written warning; repeated breaches lead to dismissal");
    assert_eq!(rule["see"], serde_json::json!(["Acceptable Use Policy"]));
    // A clause that only holds an action back for approval names its references, and a
    // consequence is never printed for a clause that allowed the action.
    let allowed = personal_post("2026-03-13T23:15:00Z", Some("personal"));
    let text = stdout(&run_stdin(&["eval", &p, "-"], &allowed));
    assert!(!text.contains("if breached"), "{text}");
}

#[test]
fn check_knows_the_new_names_and_says_what_was_meant() {
    let bad = "policy \"Typos\" default allow\n\nrule a \"x\" {\n  when at.weekday in {saturdy} and device = agncy and at.time_of_dya >= 09:00\n  then deny\n}\n";
    let p = write("check", "typos.policy", bad);
    let o = run(&["check", &p]);
    assert_eq!(o.status.code(), Some(3));
    let text = stderr(&o) + &stdout(&o);
    assert!(text.contains("unknown day of the week `saturdy`") && text.contains("did you mean `saturday`?"), "{text}");
    assert!(text.contains("unknown device `agncy`") && text.contains("did you mean `agency`?"), "{text}");
    assert!(text.contains("did you mean `at.time_of_day`?"), "{text}");
    // Types: a time of day is not a number, and weekdays have no order.
    let bad = "policy \"Types\" default allow\n\nrule a \"x\" {\n  when at.time_of_day >= 9 or at.weekday < friday\n  then deny\n}\n";
    let text = stderr(&run(&["check", &write("check", "types.policy", bad)]));
    assert!(text.contains("cannot compare `at.time_of_day` (a time of day) with `9` (a number)"), "{text}");
    assert!(text.contains("but `at.weekday` is a weekday"), "{text}");
    // A time that is not on the clock.
    let bad = "policy \"Clock\" default allow\n\nrule a \"x\" {\n  when at.time_of_day < 24:00\n  then deny\n}\n";
    let text = stderr(&run(&["check", &write("check", "clock.policy", bad)]));
    assert!(text.contains("`24:00` is not a time of day"), "{text}");
}

#[test]
fn an_impossible_time_range_is_flagged_with_the_way_to_write_a_night() {
    let night = "policy \"Night\" default allow\n\nrule quiet-night \"No posting at night.\" {\n  when at.time_of_day >= 22:00 and at.time_of_day < 06:00\n  then deny\n}\n";
    let o = run(&["check", &write("check", "night.policy", night)]);
    let text = stderr(&o) + &stdout(&o);
    assert!(text.contains("warning[never-fires]"), "{text}");
    assert!(text.contains("a time range across midnight is written with `or`"), "{text}");
    // Written with `or`, it fires at 23:00 and not at noon.
    let fixed = night.replace(" and at.time_of_day < 06:00", " or at.time_of_day < 06:00");
    let p = write("check", "night.policy", &fixed);
    let o = run(&["check", &p]);
    assert!(!(stderr(&o) + &stdout(&o)).contains("never-fires"));
    assert_eq!(both(&p, &personal_post("2026-01-05T23:00:00Z", None)).0["verdict"], "deny");
    assert_eq!(both(&p, &personal_post("2026-01-05T12:00:00Z", None)).0["verdict"], "allow");
}

#[test]
fn fmt_keeps_times_and_cuts_long_conditions_at_their_operators() {
    let long = "policy \"Long\" default allow\n\nrule long \"x\" {\n  when action = post and content.kind has personal and at.weekday not in {saturday, sunday} and at.time_of_day >= 09:00 and at.time_of_day < 17:30\n  then deny consequence \"a warning\" see \"Handbook\"\n}\n";
    let p = write("fmt", "long.policy", long);
    let o = run(&["fmt", &p]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let printed = std::fs::read_to_string(&p).unwrap();
    let want = "rule long \"x\" {\n  when action = post\n    and content.kind has personal\n    and at.weekday not in {saturday, sunday}\n    and at.time_of_day >= 09:00\n    and at.time_of_day < 17:30\n  then deny\n  consequence \"a warning\"\n  see \"Handbook\"\n}\n";
    assert!(printed.ends_with(want), "{printed}");
    assert!(printed.lines().all(|l| l.chars().count() <= 100), "{printed}");
    // Printing again changes nothing, and the meaning is the same as before.
    assert_eq!(run(&["fmt", "--check", &p]).status.code(), Some(0));
    let before = write("fmt", "before.policy", long);
    for at in ["2026-03-13T10:15:00Z", "2026-03-13T18:00:00Z", "2026-03-14T10:15:00Z"] {
        let line = personal_post(at, None);
        assert_eq!(both(&p, &line).0["verdict"], both(&before, &line).0["verdict"], "{at}");
    }
    // A condition that fits stays on one line.
    let short = "policy \"Short\"\n  default allow\n\nrule s \"x\" {\n  when at.time_of_day >= 09:00 and device = agency\n  then deny\n}\n";
    let p = write("fmt", "short.policy", short);
    assert_eq!(run(&["fmt", "--check", &p]).status.code(), Some(0), "{}", stdout(&run(&["fmt", "--check", &p])));
}

#[test]
fn diff_finds_the_hour_a_change_of_working_hours_moves() {
    let old = write("diff", "old.policy", HOURS);
    let new = write("diff", "new.policy", &HOURS.replace("at.time_of_day < 17:30", "at.time_of_day < 18:00"));
    let o = run(&["diff", &old, &new, "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&stdout(&o));
    let changes = v["changes"].as_array().unwrap();
    assert!(!changes.is_empty(), "{v}");
    // Every witness is a real action: decided as the diff says by both versions.
    for c in changes {
        let w = serde_json::to_string(&c["witness"]).unwrap();
        let (o_v, _) = both(&old, &w);
        let (n_v, _) = both(&new, &w);
        assert_eq!(o_v["verdict"], c["old"]["verdict"], "{c}");
        assert_eq!(n_v["verdict"], c["new"]["verdict"], "{c}");
    }
    // 17:45 on a Friday in Sydney flips from allow to deny; 18:15 does not.
    assert!(changes.iter().any(|c| c["old"]["verdict"] == "allow" && c["new"]["verdict"] == "deny"), "{v}");
    let flip = personal_post("2026-03-13T06:45:00Z", Some("personal"));
    assert_eq!(
        (both(&old, &flip).0["verdict"].clone(), both(&new, &flip).0["verdict"].clone()),
        ("allow".into(), "deny".into())
    );
}

#[test]
fn a_covenant_without_end_is_flagged_unlimited_and_named_by_terms() {
    let text = "policy \"Forever\" version 1\n  jurisdiction UK\n  default allow\n\nroles consultant\n\ncovenant clients-forever: non_solicitation of clients indefinitely\n";
    let p = write("cov", "forever.policy", text);
    // check: a warning with its code.
    let o = run(&["check", &p]);
    assert_eq!(o.status.code(), Some(0));
    let out = stderr(&o) + &stdout(&o);
    assert!(out.contains("warning[covenant-without-end]"), "{out}");
    assert!(out.contains("the non_solicitation covenant has no end date"), "{out}");
    // fmt keeps it.
    assert_eq!(run(&["fmt", "--check", &p]).status.code(), Some(0));
    // eval: the window has no last day, years on.
    let solicit = r#"{"action":"solicit","at":"2031-03-13T10:00:00Z","actor":{"id":"kim","role":"consultant","status":"departed","departed_on":"2026-01-31"},"target":{"relationship":"client"}}"#;
    let (v, _) = both(&p, solicit);
    assert_eq!(v["verdict"], "deny", "{v}");
    let explained = stdout(&run_stdin(&["eval", &p, "-"], solicit));
    assert!(explained.contains("window: from 2026-01-31 (departure), with no end date"), "{explained}");
    // compare: unlimited.
    let o = run(&["compare", &p, "policies/brightwater.policy"]);
    let report = stdout(&o);
    assert!(report.contains("`clients-forever` (line 7): unlimited, of clients"), "{report}");
    assert!(report.contains("−2 non_solicitation `clients-forever`: 2 × 12 / 12 (unlimited: no end date)"), "{report}");
    // A candidate's deal-breakers read it as longer than any maximum.
    let o = run(&["compare", &p, "--against", "policies/candidate-dealbreakers.policy"]);
    let report = stdout(&o);
    assert!(
        report.contains("✗ covenants[0]: non_solicitation has no end date; at most 6 months is acceptable"),
        "{report}"
    );
    // terms: a contract's covenant with no end date, against a maximum.
    let limited = write(
        "cov",
        "limited.policy",
        "policy \"Limit\" version 1\n  jurisdiction UK\n  default allow\n\nterms {\n  non_solicitation at most 6 months\n}\n",
    );
    let contract = write(
        "cov",
        "offer.yaml",
        "employer: X\njurisdiction: UK\ncovenants:\n  - kind: non_solicitation\n    of: clients\n    no_end: true\n",
    );
    let o = run(&["terms", &limited, &contract]);
    let out = stdout(&o);
    assert!(out.contains("non_solicitation of clients with no end date: deny"), "{out}");
    assert!(out.contains("non_solicitation has no end date; at most 6 months is acceptable"), "{out}");
    // A covenant both with no end and with months is refused, naming the field.
    let both_given = write(
        "cov",
        "bad.yaml",
        "employer: X\njurisdiction: UK\ncovenants:\n  - kind: non_solicitation\n    months: 6\n    no_end: true\n",
    );
    let o = run(&["terms", &limited, &both_given]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("covenants[0].no_end"), "{}", stderr(&o));
}

#[test]
fn the_published_handbook_holds_its_cases_in_both_engines() {
    let policy = "tests/cases/published/uk-employer-handbook.policy";
    let tests = "tests/cases/published/uk-employer-handbook.tests.yaml";
    let o = run(&["test", policy, tests]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("12 passed, 0 failed"), "{}", stdout(&o));
    assert_eq!(run(&["check", policy]).status.code(), Some(0));
    assert_eq!(run(&["fmt", "--check", policy]).status.code(), Some(0));
    let text = std::fs::read_to_string(crate::util::root().join(tests)).unwrap();
    let cases: Vec<serde_yaml::Value> = serde_yaml::from_str(&text).unwrap();
    for case in cases {
        let line = serde_json::to_string(&case["action"]).unwrap();
        let expect = case["expect"].as_str().unwrap();
        let (v, _) = both(&crate::util::root().join(policy).to_string_lossy(), &line);
        assert_eq!(v["verdict"], expect, "{line}");
    }
}
