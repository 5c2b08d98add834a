//! Ownership of content and intellectual property (issue #14, concept 5):
//! posts, articles, videos, blogs, the member list of a group, recruiting
//! material; who owns each by when, for whom and on what it was made, and the
//! departure duties over them. Every stage: the reader (`material`), `check`,
//! `fmt`, both engines (`eval`, `eval --batch`), `diff` and `compare`.
//!
//! The published texts are cited clause by clause in the header of
//! tests/cases/published/content-ownership.policy (paraphrased, never copied):
//! Staffing Advisors' social media agreement as published by its recruiter
//! (Fistful of Talent, March 2015), Whitmar Publications v Gamage [2013] EWHC
//! 1881 (Ch) as reported (LinkedIn groups run for the employer), HR Examiner's
//! "Social Media at Work: Who Owns the Content?" and the Social Media Law
//! Bulletin's drafting guide (March 2013).

use crate::lang_text::{json, scratch, write};
use crate::util::{run, run_stdin, stderr, stdout};
use serde_json::Value;

const PUBLISHED: &str = "tests/cases/published/content-ownership.policy";

/// A leaver, employed from 2023-01-09 to 2026-01-31.
const LEAVER: &str = r#""actor":{"id":"kelly","role":"consultant","status":"departed","employed_since":"2023-01-09","departed_on":"2026-01-31"}"#;

/// `{"action":ACTION,"at":...,LEAVER,MORE}` as one JSON line.
fn leaver(action: &str, more: &str) -> String {
    format!(r#"{{"action":"{action}","at":"2026-03-02T10:00:00Z",{LEAVER}{more}}}"#)
}

fn verdict(policy: &str, line: &str) -> Value {
    let o = run_stdin(&["eval", policy, "-", "--format", "json"], line);
    json(&stdout(&o))
}

/// Every case of the published policy holds in the interpreter (`test`) and
/// in the compiled form (`eval --batch`), and the file is as `fmt` writes it.
#[test]
fn the_published_policy_holds_its_cases_in_both_engines() {
    crate::util::published_cases_hold_in_both_engines("content-ownership");
}

/// The explanation of a former employer's video posted again: the clause, its
/// reason, and the facts that decided it.
#[test]
fn reposting_the_agencys_video_after_leaving_is_explained() {
    let o = run(&["eval", PUBLISHED, "docs/examples/actions/repost-agency-video.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    insta::assert_snapshot!(stdout(&o));
}

/// Whose it is follows when, for whom and on what it was made: each line
/// decides exactly the content it describes, in words an owner can check.
#[test]
fn owners_follow_when_and_for_whom_content_was_made() {
    let m = |fields: &str| format!(r#","material":{{{fields}}}"#);
    let cases = [
        // Made for the agency during employment: the agency's.
        (r#""kind":"post","made_on":"2024-02-01","made_for":"agency""#, "deny", "made-for-agency"),
        // Made privately during employment: not caught by that line (and no other covers a post).
        (r#""kind":"post","made_on":"2024-02-01","made_for":"employee""#, "allow", ""),
        // Made before joining: the employee's, whatever it was made for.
        (r#""kind":"article","made_on":"2022-12-31","made_for":"employee""#, "allow", "before-joining"),
        // The first day of employment counts as during it.
        (r#""kind":"article","made_on":"2023-01-09","made_for":"agency""#, "deny", "made-for-agency"),
        // The day of departure too; the day after does not.
        (r#""kind":"article","made_on":"2026-01-31","made_for":"agency""#, "deny", "made-for-agency"),
        (r#""kind":"article","made_on":"2026-02-01","made_for":"agency""#, "allow", ""),
        // Recruiting material is the agency's whenever and for whomever it was made.
        (r#""kind":"recruiting_material","made_on":"2021-01-01","made_for":"employee""#, "deny", "recruiting-material"),
    ];
    for (fields, want, clause) in cases {
        let v = verdict(PUBLISHED, &leaver("depart", &m(fields)));
        assert_eq!(v["verdict"], want, "{fields}: {v}");
        if !clause.is_empty() {
            let deciding: Vec<&str> = v["deciding"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
            assert!(deciding.contains(&clause), "{fields}: {deciding:?}");
        }
    }
}

/// A fact a deciding line needs and the action leaves out is not given: the
/// verdict is indeterminate and names it, in both engines; never an allow.
#[test]
fn a_date_not_given_holds_the_verdict_back() {
    let line = leaver("export", r#","material":{"kind":"article","made_for":"agency"}"#);
    let v = verdict(PUBLISHED, &line);
    assert_eq!(v["verdict"], "indeterminate", "{v}");
    let missing: Vec<&str> = v["missing"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert!(missing.contains(&"material.made_on"), "{missing:?}");
    let out = stdout(&run_stdin(&["eval", PUBLISHED, "-"], &line));
    assert!(out.contains("? material.made_on is not given"), "{out}");
    let batch = stdout(&run_stdin(&["eval", "--batch", PUBLISHED, "-"], &format!("{line}\n")));
    assert_eq!(json(batch.trim())["verdict"], "indeterminate", "{batch}");
    // Given, it decides.
    let dated = leaver("export", r#","material":{"kind":"article","made_for":"agency","made_on":"2024-01-01"}"#);
    assert_eq!(verdict(PUBLISHED, &dated)["verdict"], "deny");
}

/// `eval --batch` decides every combination of the facts content lines read
/// as `eval` does, each fact given or left out.
#[test]
fn the_batch_decides_content_as_eval_does() {
    let kinds = ["post", "article", "video", "blog", "group_members", "recruiting_material"];
    let dates = [None, Some("2021-06-01"), Some("2023-01-09"), Some("2026-01-31"), Some("2026-02-20")];
    let parties = [None, Some("agency"), Some("employee")];
    let mut lines = Vec::new();
    for (i, kind) in kinds.iter().enumerate() {
        for (j, date) in dates.iter().enumerate() {
            for (k, made_for) in parties.iter().enumerate() {
                let action = ["depart", "export", "hand_over", "post", "share"][(i + j + k) % 5];
                let mut fields = vec![format!(r#""kind":"{kind}""#)];
                if let Some(d) = date {
                    fields.push(format!(r#""made_on":"{d}""#));
                }
                if let Some(p) = made_for {
                    fields.push(format!(r#""made_for":"{p}""#));
                }
                if (i + j) % 2 == 0 {
                    fields.push(format!(r#""agency_equipment":{}"#, k % 2 == 0));
                }
                let channel = if action == "post" || action == "share" { r#","channel":"youtube""# } else { "" };
                lines.push(leaver(action, &format!(r#"{channel},"material":{{{}}}"#, fields.join(","))));
            }
        }
    }
    let o = run_stdin(&["eval", "--batch", PUBLISHED, "-"], &(lines.join("\n") + "\n"));
    let got: Vec<Value> = stdout(&o).lines().map(json).collect();
    assert_eq!(got.len(), lines.len(), "{}", stderr(&o));
    let mut seen = std::collections::BTreeSet::new();
    for (line, b) in lines.iter().zip(&got) {
        let v = verdict(PUBLISHED, line);
        assert_eq!(b["verdict"], v["verdict"], "{line}");
        assert_eq!(b["deciding"], v["deciding"], "{line}");
        seen.insert(v["verdict"].as_str().unwrap().to_string());
    }
    // The sample reaches every verdict a content line can give.
    assert!(seen.contains("deny") && seen.contains("allow") && seen.contains("indeterminate"), "{seen:?}");
}

/// A line's `unless` narrows what its owner holds, and `owned by` in a
/// departure duty honours it: privately made content is not caught.
#[test]
fn owned_by_honours_the_ownership_lines_exceptions() {
    let dir = scratch("own-unless");
    let policy = write(
        &dir,
        "p.policy",
        "policy \"x\" default allow\n\nownership {\n  content -> agency unless material.made_for = employee\n}\n\non departure {\n  no export of content owned by agency\n}\n",
    );
    let private = leaver("export", r#","material":{"kind":"blog","made_for":"employee"}"#);
    let v = verdict(&policy, &private);
    assert_eq!(v["verdict"], "allow", "{v}");
    let agency = leaver("export", r#","material":{"kind":"blog","made_for":"agency"}"#);
    let v = verdict(&policy, &agency);
    assert_eq!(v["verdict"], "deny", "{v}");
    let deciding = v["deciding"].to_string();
    assert!(deciding.contains("no-export-of-content-owned-by-agency"), "{deciding}");
    // Not given, the exception cannot be ruled out: the export is held back.
    let unsaid = leaver("export", r#","material":{"kind":"blog"}"#);
    assert_eq!(verdict(&policy, &unsaid)["verdict"], "indeterminate");
}

/// Leaving in general attaches the hand-over duties with their due dates; a
/// hand-over of the material is what they ask; once overdue and not done,
/// leaving is refused, naming the duty to record.
#[test]
fn hand_over_duties_run_from_departure() {
    let on_time = leaver("depart", "").replace("2026-03-02T10:00:00Z", "2026-02-01T10:00:00Z");
    let v = verdict(PUBLISHED, &on_time);
    assert_eq!(v["verdict"], "allow", "{v}");
    let duties: Vec<String> = v["obligations"].as_array().unwrap().iter().map(|o| o["text"].to_string()).collect();
    assert!(duties.iter().any(|d| d.contains("hand over recruiting material")), "{duties:?}");
    let late = leaver("depart", "");
    let out = stdout(&run_stdin(&["eval", PUBLISHED, "-"], &late));
    assert!(out.contains("verdict: deny"), "{out}");
    assert!(out.contains("hand_over_recruiting_material"), "{out}");
    let done =
        leaver("depart", r#","done":["hand_over_recruiting_material","hand_over_group_member_lists_owned_by_agency"]"#);
    assert_eq!(verdict(PUBLISHED, &done)["verdict"], "allow");
}

/// The reader names a wrong value by its field path, with the allowed values.
#[test]
fn a_wrong_material_value_is_refused_with_its_field_path() {
    let line = leaver("depart", r#","material":{"kind":"vlog"}"#);
    let o = run_stdin(&["eval", PUBLISHED, "-"], &line);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("material.kind"), "{err}");
    assert!(err.contains("recruiting_material"), "{err}");
    let line = leaver("depart", r#","material":{"kind":"video","made_by":"agency"}"#);
    let err = stderr(&run_stdin(&["eval", PUBLISHED, "-"], &line));
    assert!(err.contains("material.made_by: unknown field"), "{err}");
}

/// `check`: a misspelt kind gets a suggestion; a line that a stricter line
/// covers entirely is reported as shadowed, as for other ownership lines.
#[test]
fn check_suggests_kinds_and_reports_shadowed_lines() {
    let dir = scratch("own-check");
    let typo = write(&dir, "typo.policy", "policy \"x\" default allow\nownership {\n  vidoes -> agency\n}\n");
    let o = run(&["check", &typo]);
    assert_ne!(o.status.code(), Some(0));
    let text = stdout(&o) + &stderr(&o);
    assert!(text.contains("did you mean `videos`?"), "{text}");
    let shadowed = write(
        &dir,
        "shadow.policy",
        "policy \"x\" default allow\nownership {\n  content -> agency\n  videos -> employee\n}\n",
    );
    let o = run(&["check", &shadowed]);
    assert_eq!(o.status.code(), Some(0), "a warning, not an error");
    let text = stdout(&o) + &stderr(&o);
    assert!(text.contains("warning[shadowed-rule]"), "{text}");
    assert!(text.contains("the clause `videos -> employee` never decides"), "{text}");
}

/// `fmt` writes content lines canonically (single spaces, filters in the
/// grammar's order) and the result means the same.
#[test]
fn fmt_writes_content_lines_canonically() {
    let messy = "policy \"x\" default allow\nownership {\n    group   member\n lists  made   for agency ->  agency\n  content created by employee on agency equipment made privately made before employment -> employee\n}\non departure {\n hand   over recruiting  material within 2 days\n}\n";
    let o = run_stdin(&["fmt", "-"], messy);
    let out = stdout(&o);
    assert!(out.contains("  group member lists made for agency -> agency\n"), "{out}");
    assert!(
        out.contains(
            "  content made before employment made privately on agency equipment created by employee -> employee\n"
        ),
        "{out}"
    );
    assert!(out.contains("  hand over recruiting material within 2 days\n"), "{out}");
    assert_eq!(stdout(&run_stdin(&["fmt", "-"], &out)), out, "fmt is idempotent");
}

/// `diff`: giving videos to the employee instead of the agency is a change in
/// behaviour, with a witness about a video.
#[test]
fn a_change_of_owner_of_videos_is_a_behavioural_change() {
    let dir = scratch("own-diff");
    let old =
        write(&dir, "old.policy", "policy \"x\" default allow\nownership {\n  videos made for agency -> agency\n}\n");
    let new =
        write(&dir, "new.policy", "policy \"x\" default allow\nownership {\n  videos made for agency -> employee\n}\n");
    let o = run(&["diff", &old, &new, "--format", "json"]);
    let report = json(&stdout(&o));
    let changes = report["changes"].as_array().unwrap_or_else(|| panic!("{report}"));
    // Keeping a video made for the agency: refused before, allowed now.
    let keep = changes
        .iter()
        .find(|c| c["old"]["verdict"] == "deny" && c["new"]["verdict"] == "allow" && c["witness"]["action"] == "depart")
        .unwrap_or_else(|| panic!("no looser change for keeping: {report}"));
    assert_eq!(keep["witness"]["material"]["kind"], "video", "{keep}");
    assert_eq!(keep["witness"]["material"]["made_for"], "agency", "{keep}");
    assert_eq!(keep["edits"][0], "owner-videos-made-for-agency", "{keep}");
    // The witness flips as stated when decided by `eval`.
    let witness = keep["witness"].to_string();
    assert_eq!(verdict(&old, &witness)["verdict"], "deny");
    assert_eq!(verdict(&new, &witness)["verdict"], "allow");
    // Handing it over: allowed before, refused now.
    assert!(changes.iter().any(|c| c["witness"]["action"] == "hand_over" && c["direction"] == "stricter"), "{report}");
}

/// `compare`: the profile says who owns content; a policy with no line about
/// it is "not addressed" there, whatever its default decides.
#[test]
fn compare_says_who_owns_content() {
    let o = run(&["compare", "policies/trusting-agency.policy", PUBLISHED]);
    let out = stdout(&o);
    let row = |title: &str| -> String {
        let at = out.find(title).unwrap_or_else(|| panic!("no row {title}: {out}"));
        out[at..].lines().take(3).collect::<Vec<_>>().join("\n")
    };
    let videos = row("videos made for the agency");
    assert!(videos.contains("not addressed"), "{videos}");
    assert!(videos.contains("owner: agency"), "{videos}");
    let articles = row("articles before joining");
    assert!(articles.contains("owner: employee"), "{articles}");
}

/// An action about content that no ownership line covers gets the engine's
/// advice that the policy does not say who owns it; no owner is invented.
#[test]
fn content_no_line_covers_gets_advice_not_an_owner() {
    let v = verdict("policies/trusting-agency.policy", &leaver("depart", r#","material":{"kind":"video"}"#));
    let advice = v["advice"].to_string();
    assert!(advice.contains("no ownership clause covers this content"), "{advice}");
    let v = verdict(PUBLISHED, &leaver("depart", r#","material":{"kind":"video","made_for":"agency"}"#));
    assert!(!v["advice"].to_string().contains("no ownership clause covers this content"), "{v}");
}

/// Employment terms say who owns content too (`ownership.content_made_for_agency`,
/// `content_made_privately`, `content_before_employment`, `group_member_lists`,
/// `recruiting_material`: the policy's own words with underscores, one table for
/// both). `terms` reports each field a contract states and lines it up with the
/// policy's ownership lines; a candidate's `require FIELD -> OWNER` checks it; and
/// `compare --against` reads the employer's policy into the same fields.
#[test]
fn terms_and_compare_line_up_content_ownership_with_the_policy() {
    let dir = scratch("terms-content");
    let contract = write(
        &dir,
        "offer.yaml",
        "employer: Kelly Staffing\njurisdiction: UK\nownership:\n  content_made_for_agency: employee\n  \
         content_made_privately: employee\n  recruiting_material: agency\n",
    );
    let o = run(&["terms", PUBLISHED, &contract, "--format", "json"]);
    let report = json(&stdout(&o));
    let clause = |path: &str| -> Value {
        report["clauses"].as_array().unwrap().iter().find(|c| c["path"] == path).cloned().unwrap_or(Value::Null)
    };
    // The contract gives content made for the agency to the employee; the policy's
    // `made-for-agency` line gives it to the agency.
    let made_for = clause("ownership.content_made_for_agency");
    assert_eq!(made_for["verdict"], "deny", "{report}");
    assert_eq!(
        made_for["findings"][0]["text"],
        "the contract gives content_made_for_agency to the employee; the policy gives them to the agency",
        "{made_for}"
    );
    assert_eq!(made_for["findings"][0]["rule"], "made-for-agency", "{made_for}");
    // Agreeing fields pass: blogs made privately are the employee's in the policy.
    assert_eq!(clause("ownership.content_made_privately")["verdict"], "allow", "{report}");
    assert_eq!(clause("ownership.recruiting_material")["verdict"], "allow", "{report}");
    assert_eq!(report["verdict"], "deny", "{report}");

    // A candidate's deal-breakers: content made before joining stays mine.
    let mine = write(
        &dir,
        "mine.policy",
        "policy \"My deal-breakers\" owner \"A candidate\"\n\nterms {\n  require content_before_employment -> employee\n  require content_made_for_agency -> employee\n}\n",
    );
    let o = run(&["terms", &mine, &contract]);
    let text = stdout(&o);
    assert!(text.contains("the contract does not say who owns content_before_employment"), "{text}");
    // Against the employer's policy, the content fields are read from its ownership lines.
    let o = run(&["compare", "--against", &mine, PUBLISHED, "--format", "json"]);
    let out = stdout(&o);
    assert!(out.contains("content_before_employment: employee from `before-joining`"), "{out}{}", stderr(&o));
    assert!(out.contains("content_made_for_agency: agency from `made-for-agency`"), "{out}");
    assert!(out.contains("the contract gives content_made_for_agency to the agency; it must be the employee"), "{out}");
    // `check` knows the fields, with a suggestion for a slip.
    let slip =
        write(&dir, "slip.policy", "policy \"Slip\"\n\nterms {\n  require content_made_privatly -> employee\n}\n");
    let o = run(&["check", &slip]);
    assert!(stderr(&o).contains("did you mean `content_made_privately`?"), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A second recruitment business's published texts on ownership (Contract
/// Personnel's "LinkedIn Contacts – Who Owns Them?" and HR Employment Bureau's
/// social media policy, cited in tests/cases/published/recruiter-account-ownership.policy):
/// a personal account is its holder's, contacts made at work are left open by the
/// source (indeterminate, never guessed), a work email is not used for a personal
/// sign-up. Both engines, `check` clean and as `fmt` writes it.
#[test]
fn a_second_recruiters_published_ownership_holds_its_cases_in_both_engines() {
    crate::util::published_cases_hold_in_both_engines("recruiter-account-ownership");
}
