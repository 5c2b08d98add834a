//! `compare`: employers' policies side by side. Snapshots of the text and
//! markdown reports for shipped policies, the JSON shape, the HTML page, the
//! candidate scenarios K01, K03, K04 and K06 (their policies are
//! `tests/scenarios/K0*.policy`), and the command line.

#![allow(clippy::unwrap_used, clippy::panic, reason = "test helpers: a failed unwrap is a failed test")]

use smpolicy::compare::profile::OwnershipModel;
use smpolicy::compare::score::Dimension;
use smpolicy::compare::{self, law::Enforceability, pack, CompareOptions, Comparison};
use smpolicy::eval::Decision;
use smpolicy::policy::Policy;
use smpolicy::source::SourceFile;

/// A policy file relative to the repository root: parsed, checked clean, lowered.
fn load(rel: &str) -> (SourceFile, Policy) {
    let file = crate::util::source(rel);
    let (ast, report) = smpolicy::check::check_source(&file).unwrap_or_else(|_| panic!("{rel} does not parse"));
    assert!(!report.has_errors(), "{rel} has check errors");
    let policy = smpolicy::lower::lower(&file, &ast);
    (file, policy)
}

/// Every situation of the shipped pack fixes its `at`; this clock only guards against one that does not.
fn opts() -> CompareOptions {
    CompareOptions { now: Some("2030-01-01T00:00:00Z".parse().unwrap()), ..CompareOptions::default() }
}

fn run(files: &[&str], opts: &CompareOptions) -> Comparison {
    let policies: Vec<(SourceFile, Policy)> = files.iter().map(|f| load(f)).collect();
    compare::compare(&policies, opts)
}

fn trusting_vs_protective() -> Comparison {
    run(&["policies/trusting-agency.policy", "policies/protective-agency.policy"], &opts())
}

/// The cell of a situation under a policy key.
fn cell<'a>(c: &'a Comparison, situation: &str, key: &str) -> &'a compare::Cell {
    let row = c.situations.iter().find(|r| r.id == situation).unwrap_or_else(|| panic!("no situation {situation}"));
    row.cells.iter().find(|x| x.policy == key).unwrap()
}

fn verdict(c: &Comparison, situation: &str, key: &str) -> Decision {
    cell(c, situation, key).verdict
}

fn score(c: &Comparison, key: &str, d: Dimension) -> f64 {
    c.scores
        .iter()
        .find(|s| s.policy == key)
        .unwrap()
        .get(d)
        .unwrap()
        .score
        .0
        .unwrap_or_else(|| panic!("{key} {d:?} not addressed"))
}

#[test]
fn text_report_trusting_vs_protective() {
    insta::assert_snapshot!(compare::render::text(&trusting_vs_protective()));
}

#[test]
fn markdown_report_trusting_vs_protective() {
    insta::assert_snapshot!(compare::render::markdown(&trusting_vs_protective()));
}

#[test]
fn text_report_three_employers_against_deal_breakers_in_california() {
    let mut o = opts();
    o.against = Some(load("policies/candidate-dealbreakers.policy"));
    o.jurisdiction = Some("US-CA".into());
    let c = run(
        &[
            "policies/trusting-agency.policy",
            "policies/protective-agency.policy",
            "policies/california-employer.policy",
        ],
        &o,
    );
    insta::assert_snapshot!(compare::render::text(&c));
}

#[test]
fn the_shipped_pack_has_forty_situations_or_more_in_four_groups() {
    let p = pack::shipped();
    assert_eq!(pack::shipped_error(), None);
    assert!(p.situations.len() >= 40);
    let groups: Vec<String> = p.groups().into_iter().map(|g| g.name).collect();
    assert_eq!(groups, ["posting", "connecting", "leaving", "after-leaving"]);
}

#[test]
fn json_has_a_versioned_shape_and_every_cell_a_verdict() {
    let c = trusting_vs_protective();
    let v = serde_json::to_value(&c).unwrap();
    let obj = v.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "jurisdiction",
            "notes",
            "pack",
            "policies",
            "profiles",
            "rubric",
            "schema",
            "scores",
            "situations",
            "tallies"
        ]
    );
    assert_eq!(v["schema"], "smpolicy.compare/1");
    assert_eq!(v["policies"][0]["key"], "A");
    assert_eq!(v["policies"][1]["file"], "policies/protective-agency.policy");
    let rows = v["situations"].as_array().unwrap();
    assert_eq!(rows.len(), v["pack"]["size"].as_u64().unwrap() as usize);
    let mut anchors = std::collections::BTreeSet::new();
    for row in rows {
        let cells = row["cells"].as_array().unwrap();
        assert_eq!(cells.len(), 2);
        for cell in cells {
            let verdict = cell["verdict"].as_str().unwrap();
            assert!(["allow", "require-approval", "deny", "indeterminate"].contains(&verdict), "{verdict}");
            assert_eq!(cell["explanation"]["verdict"], cell["verdict"]);
            assert_eq!(cell["explanation"]["schema"], "smpolicy.verdict/1");
            assert!(anchors.insert(cell["anchor"].as_str().unwrap().to_string()), "anchors are unique");
        }
    }
    for s in v["scores"].as_array().unwrap() {
        for d in s["dimensions"].as_array().unwrap() {
            let x = d["score"].as_f64().unwrap();
            assert!((0.0..=10.0).contains(&x));
        }
    }
    assert!(v["rubric"].as_array().unwrap().len() >= 10);
    // Deterministic: the same inputs give byte-identical output.
    assert_eq!(serde_json::to_string(&c).unwrap(), serde_json::to_string(&trusting_vs_protective()).unwrap());
}

/// The values of every `attr="..."` in an HTML page.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!("{attr}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

#[test]
fn html_is_one_self_contained_page_with_every_situation_linked() {
    let c = trusting_vs_protective();
    let page = compare::html::html(&c);
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    assert!(page.contains("<style>"), "inline CSS");
    assert!(!page.contains("<script"), "no scripts");
    assert!(!page.contains("<link"), "no external stylesheets");
    assert!(!page.contains("http://") && !page.contains("https://"), "nothing from the network");
    assert!(attribute_values(&page, "src").is_empty());
    let ids: Vec<&str> = attribute_values(&page, "id");
    for href in attribute_values(&page, "href") {
        let target = href.strip_prefix('#').unwrap_or_else(|| panic!("link leaves the page: {href}"));
        assert!(ids.contains(&target), "no element with id {target}");
    }
    for row in &c.situations {
        assert!(page.contains(&compare::html::esc(&row.title)), "missing {}", row.title);
        for x in &row.cells {
            assert!(page.contains(&format!("href=\"#{}\"", x.anchor)), "matrix links to {}", x.anchor);
            assert!(page.contains(&format!("id=\"{}\"", x.anchor)), "explanation {}", x.anchor);
        }
    }
    assert!(page.contains("td class=\"v v-deny\""), "cells are coloured by verdict");
    assert!(page.contains("@media print"), "printable");
    // Employers by name in the columns, and the candidate's answer before the scores.
    let first = &c.policies[0];
    let column = format!("<th>{}</th>", compare::html::esc(&first.name));
    assert!(page.matches(&column).count() > 2, "employers are not named in the columns: {column}");
    assert!(page.find("id=\"answer\"").unwrap() < page.find("id=\"scores\"").unwrap(), "the answer comes first");
    assert!(page.contains("not a sourced standard"));
}

#[test]
fn markdown_prints_the_rubric_and_the_heuristic_note() {
    let md = compare::render::markdown(&trusting_vs_protective());
    assert!(md.contains("## Rubric"));
    for row in compare::score::rubric_rows() {
        assert!(md.contains(row.criterion), "rubric row {}", row.criterion);
    }
    assert!(md.contains("heuristic") && md.contains("not a sourced standard"));
}

// ── K01: who keeps my connections? ─────────────────────────────────────

#[test]
fn k01_who_keeps_my_connections() {
    let c = run(&["tests/scenarios/K01-A.policy", "tests/scenarios/K01-B.policy"], &opts());
    let (a, b) = (&c.profiles[0], &c.profiles[1]);
    // The ownership model of each: employee-owned against split by provenance.
    assert_eq!(a.ownership.model, OwnershipModel::EmployeeOwned);
    assert_eq!(b.ownership.model, OwnershipModel::SplitByProvenance);
    // Both let her keep the 1,900 made before joining.
    for key in ["A", "B"] {
        assert_eq!(verdict(&c, "keep-pre-employment-connections", key), Decision::Allow, "{key}");
    }
    // A keeps all 600 client and candidate connections; B requires removing them at exit.
    for id in ["keep-client-connections", "keep-candidate-connections"] {
        assert_eq!(verdict(&c, id, "A"), Decision::Allow, "{id}");
        assert_eq!(verdict(&c, id, "B"), Decision::Deny, "{id}");
        let b_cell = cell(&c, id, "B");
        assert!(b_cell.deciding.iter().any(|r| r.id == "client-connections"), "{:?}", b_cell.deciding);
    }
    let remove = b.departure.iter().find(|d| d.duty == "remove").expect("B has a removal duty");
    assert_eq!(remove.id, "remove-client-connections");
    assert_eq!(remove.within.as_deref(), Some("30 days"));
    assert!(a.departure.iter().all(|d| d.duty != "remove"));
    // B also imposes a joiner snapshot (stated as the advice of its removal duty).
    assert!(remove.advice.iter().any(|x| x.contains("snapshot")));
    let row = b.ownership.rows.iter().find(|r| r.situation == "keep-client-connections").unwrap();
    assert_eq!(row.owners, ["agency"]);
    assert!(
        row.obligations.iter().any(|o| o.starts_with("remove connections owned by agency")),
        "{:?}",
        row.obligations
    );
    // The reports say so.
    let text = compare::render::text(&c);
    assert!(text.contains("employee-owned") && text.contains("split by provenance"));
    assert!(score(&c, "A", Dimension::NetworkOwnership) > score(&c, "B", Dimension::NetworkOwnership));
}

// ── K03: the same contracts, a candidate in California ─────────────────

#[test]
fn k03_california_voids_the_non_compete_and_does_not_guess_the_rest() {
    let files = ["tests/scenarios/K03-A.policy", "tests/scenarios/K03-B.policy"];
    let mut ca = opts();
    ca.jurisdiction = Some("US-CA".into());
    let c = run(&files, &ca);
    let b = &c.profiles[1];
    let kind = |k: &str| b.covenants.iter().find(|x| x.kind == k).unwrap();
    let nc = &kind("non_compete").covenants[0];
    assert_eq!(nc.id, "rival-agency");
    assert_eq!(nc.law.status, Enforceability::Void);
    assert!(nc.law.notes.iter().any(|n| n.contains("§16600")));
    let ns = &kind("non_solicitation").covenants[0];
    assert_eq!(ns.law.status, Enforceability::NotEncoded);
    assert_eq!(c.profiles[0].covenants[0].covenants[0].law.status, Enforceability::NotEncoded);
    assert_eq!(c.jurisdiction.void.len(), 1);
    let summary = c.jurisdiction.summary.join("\n");
    assert!(summary.contains("B's `rival-agency` (non_compete) is void in US-CA"), "{summary}");
    assert!(summary.contains("not encoded for US-CA: reported as indeterminate, not guessed"), "{summary}");
    // The matrix shows what binds: the void covenant is set aside, and marked.
    let joining = cell(&c, "join-competitor-2-months", "B");
    assert_eq!(joining.verdict, Decision::Allow);
    assert_eq!(joining.void_covenants, ["rival-agency"]);
    assert_eq!(joining.explanation.law[0].clause, "rival-agency");
    assert!(compare::render::text(&c).contains("allow †"));
    // A void covenant costs nothing in the burden score.
    let in_ca = score(&c, "B", Dimension::CovenantBurden);

    // The comparison changes with the candidate's jurisdiction.
    let mut uk = opts();
    uk.jurisdiction = Some("UK".into());
    let c_uk = run(&files, &uk);
    assert_eq!(
        c_uk.profiles[1].covenants.iter().find(|x| x.kind == "non_compete").unwrap().covenants[0].law.status,
        Enforceability::NotEncoded
    );
    assert!(cell(&c_uk, "join-competitor-2-months", "B").void_covenants.is_empty());
    assert!(c_uk.jurisdiction.void.is_empty());
    assert!(score(&c_uk, "B", Dimension::CovenantBurden) < in_ca);
    // And the actions carry the candidate's jurisdiction.
    assert!(c.situations.iter().all(|r| r.action.actor.jurisdiction.as_deref() == Some("US-CA")));
}

// ── K04: posting burden ────────────────────────────────────────────────

/// Five job tweets a day, Monday to Friday, from the team's branded account.
fn week_of_job_tweets() -> pack::Pack {
    let mut yaml = String::new();
    for (day, date) in ["08", "09", "10", "11", "12"].iter().enumerate() {
        for n in 0..5 {
            yaml.push_str(&format!(
                "- id: day{}-tweet{}\n  title: Job tweet {} of day {}\n  group: week\n  action:\n    action: post\n    \
                 at: 2026-06-{date}T{:02}:00:00Z\n    actor: {{id: sofia, role: consultant, status: employed}}\n    \
                 channel: twitter\n    account: {{kind: branded, created_by: agency, brand_in_handle: true}}\n    \
                 content: {{kind: job_ad}}\n    history: {{posts_today: {n}, posts_this_week: {}, job_ads_this_week: {}}}\n",
                day + 1,
                n + 1,
                n + 1,
                day + 1,
                9 + n,
                day * 5 + n,
                day * 5 + n,
            ));
        }
    }
    pack::parse_pack(&yaml, "week.yaml").unwrap()
}

#[test]
fn k04_posting_burden() {
    let mut o = opts();
    o.pack = Some(week_of_job_tweets());
    let c = run(&["tests/scenarios/K04-A.policy", "tests/scenarios/K04-B.policy"], &o);
    assert_eq!(c.pack.size, 25);
    let (a, b) = (&c.tallies[0], &c.tallies[1]);
    // A: all allowed, 0 approvals.
    assert_eq!((a.total.allow, a.total.require_approval, a.total.deny), (25, 0, 0));
    assert!(a.approvals.is_empty());
    // B: all require approval, 25 a week, from marketing.
    assert_eq!((b.total.allow, b.total.require_approval, b.total.deny), (0, 25, 0));
    assert_eq!(b.approvals.get("marketing"), Some(&25));
    assert!(c.situations.iter().all(|r| r.cells[1].approvers == ["marketing"]));
    assert!(compare::render::text(&c).contains("approvals from marketing × 25"));
    // Profiles and scores still use the shipped pack.
    assert!(c.notes.iter().any(|n| n.contains("shipped scenario pack")));
    assert!(score(&c, "A", Dimension::PostingAutonomy) > score(&c, "B", Dimension::PostingAutonomy));
}

// ── K06: networking and defaults ───────────────────────────────────────

#[test]
fn k06_networking_and_defaults() {
    let c = run(&["tests/scenarios/K06-A.policy", "tests/scenarios/K06-B.policy"], &opts());
    // A: allow both. B: deny stranger invitations and deny TikTok posting.
    assert_eq!(verdict(&c, "invite-stranger", "A"), Decision::Allow);
    assert_eq!(verdict(&c, "job-video-tiktok", "A"), Decision::Allow);
    assert_eq!(verdict(&c, "invite-stranger", "B"), Decision::Deny);
    assert_eq!(verdict(&c, "job-video-tiktok", "B"), Decision::Deny);
    assert_eq!(cell(&c, "job-video-tiktok", "B").deciding[0].id, "unlisted-channels");
    assert_eq!(cell(&c, "invite-stranger", "B").deciding[0].id, "known-people-only");
    // Posture summary: restrictive defaults A = 0, B = 2.
    let restrictive: Vec<usize> = c.scores.iter().map(|s| s.posture.restrictive_defaults.len()).collect();
    assert_eq!(restrictive, [0, 2]);
    let ids: Vec<&str> = c.scores[1].posture.restrictive_defaults.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["unlisted-channels", "known-people-only"]);
    assert!(score(&c, "A", Dimension::Trust) > score(&c, "B", Dimension::Trust));
    // The explanation says the posture measure is a heuristic, not a sourced standard.
    for report in [compare::render::text(&c), compare::render::markdown(&c), compare::html::html(&c)] {
        assert!(report.contains("heuristic") && report.contains("not a sourced standard"));
    }
    assert!(c.scores.iter().all(|s| s.posture.note.contains("not a sourced standard")));
}

// ── Every shipped policy, and the command line ─────────────────────────

#[test]
fn every_shipped_policy_can_be_compared() {
    let mut files: Vec<String> = std::fs::read_dir(crate::util::root().join("policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .map(|p| format!("policies/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    files.sort();
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    let c = run(&refs, &opts());
    assert_eq!(c.policies.len(), files.len());
    assert!(c.situations.iter().all(|r| r.cells.len() == files.len()));
    for render in [compare::render::text, compare::render::markdown, compare::html::html] {
        assert!(!render(&c).is_empty());
    }
}

fn smpolicy(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_smpolicy"))
        .args(args)
        .current_dir(crate::util::root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn cli_writes_each_format_and_refuses_a_single_policy_without_against() {
    let a = "policies/trusting-agency.policy";
    let b = "policies/protective-agency.policy";
    let out = smpolicy(&["compare", a, b, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "smpolicy.compare/1");

    let dir = std::env::temp_dir().join(format!("smpolicy-compare-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let html = dir.join("report.html");
    let out = smpolicy(&["compare", a, b, "--format", "html", "--output", html.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert!(std::fs::read_to_string(&html).unwrap().starts_with("<!DOCTYPE html>"));
    std::fs::remove_dir_all(&dir).unwrap();

    let out = smpolicy(&["compare", a]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least two policies"));
    let out =
        smpolicy(&["compare", a, "--against", "policies/candidate-dealbreakers.policy", "--jurisdiction", "us-ca"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("DEAL-BREAKERS"));
    let out = smpolicy(&["compare", a, b, "--pack", "no-such-pack.yaml"]);
    assert_eq!(out.status.code(), Some(1));
}

/// The candidate reads conditions in plain words: the text report of the shipped
/// employers' policies, and every profile line the other reports build from, show
/// no fact path (`target.origin`, `approval.granted_by`, `facts.hirer_authority`);
/// clause ids and lines stay. (A cell's explanation, behind a click in HTML and
/// in the markdown's appendix, is the evaluator's and names facts by path and label.)
#[test]
fn profiles_name_facts_in_plain_words_not_paths() {
    let files: Vec<String> = std::fs::read_dir(crate::util::root().join("policies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "policy") && !p.ends_with("candidate-dealbreakers.policy"))
        .map(|p| format!("policies/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    let c = run(&names, &opts());
    let mut lines = vec![compare::render::text(&c)];
    for p in &c.profiles {
        for s in p.posting.iter().chain(&p.connecting) {
            lines.extend(s.clauses.iter().map(|x| x.words()));
        }
        for k in &p.covenants {
            lines.extend(k.covenants.iter().flat_map(|x| x.exceptions.clone()));
        }
    }
    for line in &lines {
        for path in ["target.", "content.kind", "account.kind", "approval.granted_by", "facts."] {
            assert!(!line.contains(path), "`{path}` shown to the candidate in: {line}");
        }
    }
    assert!(
        lines[0].contains(
            "except if where the contact came from is before employment (People you knew before you joined are yours.)"
        ),
        "{}",
        lines[0]
    );
}

/// The brand-names row (issue #14, concept 6): each employer's declared brand
/// names, the clauses that read them (one a line written), and who keeps a
/// personal account named for them on leaving, decided as the ownership rows
/// are; "none declared" for a policy without names. Text, markdown, JSON and
/// the page say the same. The published texts are those of
/// tests/cases/published/brand-handles.policy (PhoneDog v Kravitz; Morehouse
/// School of Medicine's policy).
#[test]
fn brand_names_row_in_every_format() {
    let c =
        run(&["tests/cases/published/brand-handles.policy", "tests/cases/published/content-ownership.policy"], &opts());
    let row = |report: &str, start: &str, lines: usize| -> String {
        let at = report.find(start).unwrap_or_else(|| panic!("no brand row in:\n{report}"));
        report[at..].lines().take(lines).collect::<Vec<_>>().join("\n")
    };
    let text = compare::render::text(&c);
    insta::assert_snapshot!("brand_names_text", row(&text, compare::render::BRAND_ROW, 5));
    let md = compare::render::markdown(&c);
    insta::assert_snapshot!("brand_names_markdown", row(&md, &format!("| {}", compare::render::BRAND_ROW), 1));
    let page = compare::html::html(&c);
    let cells = row(&page, &format!("<th scope=\"row\">{}</th>", compare::html::esc(compare::render::BRAND_ROW)), 1);
    insta::assert_snapshot!("brand_names_html", cells.split("</tr>").next().unwrap_or_default());
    let json = serde_json::to_value(&c).unwrap();
    let brands: Vec<serde_json::Value> =
        json["profiles"].as_array().unwrap().iter().map(|p| p["brands"].clone()).collect();
    insta::assert_json_snapshot!("brand_names_json", brands);
    // The account the row decides carries the first name written without a space.
    assert_eq!(brands[0]["handle"], "@PhoneDog_you");
    assert_eq!(brands[0]["leaving"]["verdict"], "deny");
}
