//! The binary as a user runs it: exit codes, output formats, batch mode,
//! completions and the man page.

use crate::util::{root, run, run_stdin, stderr, stdout};

const PROTECTIVE: &str = "policies/protective-agency.policy";

#[test]
fn eval_exit_codes_follow_the_verdict() {
    let deny = run(&["eval", PROTECTIVE, "docs/examples/actions/eleventh-tweet.yaml"]);
    assert_eq!(deny.status.code(), Some(2), "{}", stderr(&deny));
    let approval = run(&["eval", PROTECTIVE, "docs/examples/actions/tiktok-job-video.yaml"]);
    assert_eq!(approval.status.code(), Some(4), "{}{}", stdout(&approval), stderr(&approval));
}

#[test]
fn eval_json_has_a_versioned_shape_and_agrees_with_text() {
    let json = run(&["eval", PROTECTIVE, "docs/examples/actions/eleventh-tweet.yaml", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["schema"], "smpolicy.verdict/1");
    assert_eq!(v["verdict"], "deny");
    assert!(v["deciding"].as_array().unwrap().iter().any(|d| d == "twitter-daily-limit"));
    let text = run(&["eval", PROTECTIVE, "docs/examples/actions/eleventh-tweet.yaml"]);
    assert!(stdout(&text).starts_with("verdict: deny"), "{}", stdout(&text));
}

#[test]
fn eval_reads_standard_input() {
    let action = std::fs::read_to_string(root().join("docs/examples/actions/eleventh-tweet.yaml")).unwrap();
    let o = run_stdin(&["eval", PROTECTIVE, "-", "--format", "json"], &action);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn a_data_error_names_the_field_path_and_exits_1() {
    let o = run_stdin(
        &["eval", PROTECTIVE, "-"],
        "action: post\nactor: { id: a, role: consultant, status: left }\nchannel: twitter\n",
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("actor.status"), "{err}");
    assert!(err.contains("employed, on_notice, garden_leave, departed"), "{err}");
}

#[test]
fn an_unknown_role_gets_a_suggestion() {
    let o = run_stdin(
        &["eval", PROTECTIVE, "-"],
        "action: post\nactor: { id: a, role: consulant, status: employed }\nchannel: twitter\n",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("consultant"), "{}", stderr(&o));
}

#[test]
fn batch_mode_reports_bad_lines_and_goes_on() {
    let o = run(&["eval", PROTECTIVE, "--batch", "docs/examples/actions/batch.jsonl"]);
    let out = stdout(&o);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert_eq!(lines[0]["verdict"], "allow");
    assert_eq!(lines[1]["verdict"], "deny");
    assert_eq!(lines[2]["line"], 3);
    assert!(lines[2]["error"]["path"].as_str().unwrap().contains("actor.status"), "{}", lines[2]);
    assert_eq!(lines[3]["verdict"], "deny");
    assert!(stderr(&o).contains("4 lines: 3 decided"), "{}", stderr(&o));
    assert!(stderr(&o).contains("1 bad"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn check_exits_3_on_errors_and_0_on_shipped_policies() {
    let ok = run(&["check", "policies/brightwater.policy"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let bad = run_stdin(
        &["check", "-"],
        "policy \"x\" default allow\nroles consultant\nrule r { when actor.role = consulant then deny }\n",
    );
    assert_eq!(bad.status.code(), Some(3), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("consultant"), "{}", stderr(&bad));
}

#[test]
fn fmt_check_passes_on_shipped_policies() {
    let o = run(&["fmt", "--check", "policies/brightwater.policy", PROTECTIVE]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn terms_exit_2_when_a_deal_breaker_is_broken() {
    let o = run(&["terms", "policies/candidate-dealbreakers.policy", "docs/examples/contracts/offer.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("non_compete"), "{}", stdout(&o));
}

#[test]
fn help_completions_and_man_page_come_from_one_definition() {
    let help = run(&["--help"]);
    assert!(stdout(&help).contains("Exit codes"));
    for sub in ["check", "fmt", "eval", "terms", "test"] {
        let h = run(&[sub, "--help"]);
        assert!(stdout(&h).contains("Examples:"), "{sub} --help has no examples");
    }
    let bash = run(&["completions", "bash"]);
    assert!(stdout(&bash).contains("smpolicy"));
    let man = run(&["man"]);
    assert!(stdout(&man).contains(".TH"));
}

#[test]
fn usage_errors_exit_2_from_clap_are_mapped_to_1() {
    let o = run(&["eval"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

/// The law decides (issue #13): a California leaver's non-compete is void
/// there, so it does not decide (allow, with the clause set aside in `law`);
/// `--as-written` shows the policy's own deny, labelled; a UK leaver's
/// covenant decides, with the note that the 3-month proposal is not law (C24).
#[test]
fn the_law_of_the_actors_jurisdiction_sets_a_void_covenant_aside() {
    let action = |j: &str| {
        format!(
            r#"{{"action":"compete","at":"2026-06-30","actor":{{"id":"x","role":"consultant","status":"departed","departed_on":"2026-04-30","jurisdiction":"{j}"}},"target":{{"distance_miles":3}}}}"#
        )
    };
    let eval = |j: &str, extra: &[&str]| {
        let mut args = vec!["eval", "policies/protective-agency.policy", "-", "--format", "json"];
        args.extend_from_slice(extra);
        let o = run_stdin(&args, &action(j));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        (o.status.code(), v)
    };
    let (code, ca) = eval("US-CA", &[]);
    assert_eq!(code, Some(0), "{ca:#}");
    assert_eq!(ca["law"][0]["clause"], "rival-agency");
    assert_eq!(ca["law"][0]["effect"], "void");
    assert!(ca["summary"].as_str().unwrap().contains("the law sets aside `rival-agency` (void)"), "{ca:#}");
    let (code, written) = eval("US-CA", &["--as-written"]);
    assert_eq!(code, Some(2));
    assert_eq!(written["as_written"], true);
    assert_eq!(written["deciding"], serde_json::json!(["rival-agency"]));
    let (code, uk) = eval("UK", &[]);
    assert_eq!(code, Some(2));
    assert_eq!(uk["deciding"], serde_json::json!(["rival-agency"]));
    assert!(uk.get("law").is_none(), "{uk:#}");
    let notes: Vec<&str> = uk["law_notes"].as_array().unwrap().iter().map(|n| n["text"].as_str().unwrap()).collect();
    assert!(notes.iter().any(|n| n.contains("never enacted") && n.starts_with("`rival-agency` in UK")), "{notes:#?}");
    assert!(!notes.iter().any(|n| n.contains("California")), "{notes:#?}");
}

/// The default batch record (lines read in place, decided and given their
/// obligations by the compiled form) says what the full evaluation says: for
/// every situation of the compare pack under every shipped policy, the
/// compact record's verdict, deciding clauses, approvers and obligations (a
/// leaver's hand-over duties) equal the `--explain` record's.
#[test]
fn batch_records_carry_the_same_obligations_as_the_explained_ones() {
    let lines: Vec<String> = smpolicy::compare::pack::shipped()
        .situations
        .iter()
        .map(|s| serde_json::to_string(&s.action).unwrap())
        .collect();
    let input = lines.join("\n");
    let mut with_duties = 0;
    for entry in std::fs::read_dir(root().join("policies")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("policy") {
            continue;
        }
        let p = path.to_str().unwrap();
        let records = |extra: &[&str]| -> Vec<serde_json::Value> {
            let mut args = vec!["eval", p, "--batch", "-", "--now", "2026-06-01T00:00:00Z"];
            args.extend_from_slice(extra);
            let o = run_stdin(&args, &input);
            stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
        };
        let (compact, explained) = (records(&[]), records(&["--explain"]));
        assert_eq!(compact.len(), lines.len(), "{p}");
        for (c, x) in compact.iter().zip(&explained) {
            // A situation naming a value this policy does not declare is an error record either way.
            if c.get("error").is_some() || x.get("error").is_some() {
                assert_eq!(c.get("error"), x.get("error"), "{p} line {}", c["line"]);
                continue;
            }
            let empty = serde_json::json!([]);
            let got = c.get("obligations").unwrap_or(&empty);
            assert_eq!(got, &x["obligations"], "{p} line {}", c["line"]);
            assert_eq!(c["verdict"], x["verdict"], "{p} line {}", c["line"]);
            assert_eq!(c["deciding"], x["deciding"], "{p} line {}", c["line"]);
            assert_eq!(c["approvers"], x["approvers"], "{p} line {}", c["line"]);
            with_duties += usize::from(got.as_array().is_some_and(|a| !a.is_empty()));
        }
    }
    assert!(with_duties > 0, "no situation of the pack gets an obligation under any shipped policy");
}

/// A batch larger than one block (1 MB) keeps every line, in order, with its
/// own line number: blank lines are skipped but counted, CRLF endings and a
/// line longer than a block (under the 1 MiB cap) are read, a line that is not UTF-8 and a line
/// with a data error give error records and the run goes on.
#[test]
fn batch_keeps_order_and_line_numbers_across_blocks() {
    let good = std::fs::read_to_string(root().join("docs/examples/actions/batch.jsonl")).unwrap();
    let first = good.lines().next().unwrap().to_string();
    let long =
        first.replace(r#""kind":"industry""#, &format!(r#""kind":"industry","text":"{}""#, "x".repeat(1_000_000)));
    let escaped = first.replace(r#""id":"a""#, r#""id":"\u0061""#);
    let mut input: Vec<u8> = Vec::new();
    let mut expect: Vec<(usize, &str)> = Vec::new();
    for n in 1..=12_000usize {
        let line: &[u8] = match n % 1000 {
            7 => b"",
            250 => b"\xff\xfe not UTF-8",
            500 => br#"{"action":"post","actor":{"id":"a","role":"consultant","status":"retired"}}"#,
            750 => escaped.as_bytes(),
            _ if n == 6001 => long.as_bytes(),
            _ => first.as_bytes(),
        };
        input.extend_from_slice(line);
        input.extend_from_slice(if n % 3 == 0 { b"\r\n" } else { b"\n" });
        match n % 1000 {
            7 => {}
            250 | 500 => expect.push((n, "error")),
            _ => expect.push((n, "allow")),
        }
    }
    let path = std::env::temp_dir().join(format!("smpolicy-batch-{}.jsonl", std::process::id()));
    std::fs::write(&path, &input).unwrap();
    let o = run(&["eval", PROTECTIVE, "--batch", path.to_str().unwrap(), "--now", "2026-06-01T00:00:00Z"]);
    let _ = std::fs::remove_file(&path);
    let records: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let got: Vec<(usize, &str)> = records
        .iter()
        .map(|r| {
            let kind = if r.get("error").is_some() { "error" } else { r["verdict"].as_str().unwrap() };
            (r["line"].as_u64().unwrap() as usize, kind)
        })
        .collect();
    assert_eq!(got.len(), expect.len());
    for (g, e) in got.iter().zip(&expect) {
        assert_eq!(g, e);
    }
    assert!(stderr(&o).contains("11988 lines: 11964 decided"), "{}", stderr(&o));
    assert_eq!(o.status.code(), Some(1));
}
