//! "What would change it" for an allow: the single change of one given fact that
//! would make a deny or require-approval clause apply (a count reaching its limit,
//! a covenant's window opening, a yes/no fact turning true), on the shipped
//! protective-agency policy, the same in text, markdown and JSON.

use crate::util::{run_stdin, stdout};

const POLICY: &str = "policies/protective-agency.policy";

/// The verdict's counterfactuals from the JSON, and the text and markdown outputs.
fn eval_all(action: &str) -> (String, Vec<String>, String, String) {
    let json = stdout(&run_stdin(&["eval", POLICY, "-", "--format", "json"], action));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
    let verdict = v["verdict"].as_str().unwrap().to_string();
    let cfs = v["counterfactuals"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect();
    let text = stdout(&run_stdin(&["eval", POLICY, "-"], action));
    let md = stdout(&run_stdin(&["eval", POLICY, "-", "--format", "markdown"], action));
    (verdict, cfs, text, md)
}

/// Every counterfactual of the JSON is in the text and the markdown.
fn agree(cfs: &[String], text: &str, md: &str) {
    for c in cfs {
        assert!(text.contains(c), "{c:?} not in the text:\n{text}");
        assert!(md.contains(c), "{c:?} not in the markdown:\n{md}");
    }
}

/// The eleventh-tweet example, with fewer posts today.
fn tweet(posts_today: u32) -> String {
    let base = std::fs::read_to_string(crate::util::root().join("docs/examples/actions/eleventh-tweet.yaml")).unwrap();
    base.replace("posts_today: 10,", &format!("posts_today: {posts_today},"))
}

#[test]
fn an_allowed_tweet_names_the_count_at_which_the_daily_limit_refuses() {
    let (verdict, cfs, text, md) = eval_all(&tweet(9));
    assert_eq!(verdict, "allow", "{text}");
    let line = "once `history.posts_today` (posts today) reaches 10 (it is 9), `twitter-daily-limit` would deny";
    assert!(cfs.iter().any(|c| c == line), "{cfs:#?}");
    assert!(text.contains("what would change it:"), "{text}");
    agree(&cfs, &text, &md);
    // Nearest first: the limit one post away comes before anything further off.
    assert_eq!(cfs.first().map(String::as_str), Some(line), "{cfs:#?}");
    assert!(cfs.len() <= 3, "{cfs:#?}");
    // Further from the limit, the distance is in the line.
    let (_, cfs, _, _) = eval_all(&tweet(3));
    assert!(cfs.iter().any(|c| c.contains("reaches 10 (it is 3), `twitter-daily-limit` would deny")), "{cfs:#?}");
}

#[test]
fn a_refused_tweet_keeps_its_own_routes() {
    // At the limit the tweet is refused: the allow routes do not appear, the deny's do.
    let (verdict, cfs, _, _) = eval_all(&tweet(10));
    assert_eq!(verdict, "deny");
    assert!(!cfs.iter().any(|c| c.contains("reaches")), "{cfs:#?}");
}

#[test]
fn a_yes_no_fact_that_would_bring_a_refusing_clause_in_is_named() {
    let (verdict, cfs, text, md) = eval_all(&tweet(3));
    assert_eq!(verdict, "allow", "{text}");
    let line =
        "if `content.names_client` (names a client) were true, `linkedin-twitter-facebook-no-client-names` would deny";
    assert!(cfs.iter().any(|c| c == line), "{cfs:#?}");
    agree(&cfs, &text, &md);
    // Given as true it applies: the tweet is refused and the route is gone.
    let (verdict, cfs, _, _) = eval_all(&tweet(3).replace("names_client: false", "names_client: true"));
    assert_eq!(verdict, "deny");
    assert!(!cfs.iter().any(|c| c == line), "{cfs:#?}");
}

/// A route is given only when the clause, evaluated again with that one fact
/// changed, applies: a test its condition never reached (it stopped at the first
/// failing one) must hold too.
#[test]
fn a_route_is_given_only_where_the_rest_of_the_clause_holds() {
    let policy = "policies/california-employer.policy";
    let action = "docs/examples/actions/california-leaver-joins-competitor.yaml";
    let route = "if `facts.criticises_company` (criticises company) were true, `supervisors-on-the-company` would deny";
    // A leaver joining a competitor: criticising the company would not bring the
    // supervisors' clause in (it is about posts, and she is not said to supervise).
    let json = stdout(&crate::util::run(&["eval", policy, action, "--format", "json"]));
    assert!(!json.contains(route), "{json}");
    // A supervisor's post: it would.
    let post = "action: post\nat: 2026-03-02T17:00:00Z\nactor: { id: sam, role: recruiter, status: employed, supervisor: true }\nchannel: linkedin\ncontent: { kind: industry, text: \"Our market in Q2\", candidate_personal_data: false, confidential: false }\nfacts: { criticises_company: false }\nhistory: { posts_today: 2, posts_this_week: 5, job_ads_this_week: 1 }\n";
    let json = stdout(&run_stdin(&["eval", policy, "-", "--format", "json"], post));
    assert!(json.contains(route), "{json}");
}

/// The "what would change it" lines of a verdict that name a covenant's window.
fn window_routes(cfs: &[String]) -> Vec<&String> {
    cfs.iter().filter(|c| c.contains("this: its window")).collect()
}

/// A consultant on notice, leaving on 2026-03-01, messages a client she dealt with in December.
const ON_NOTICE: &str = "action: solicit\nat: 2026-02-10T10:00:00Z\nactor: { id: dana, role: consultant, status: on_notice, employed_since: 2020-04-01, departed_on: 2026-03-01 }\nchannel: linkedin\ntarget: { relationship: client, interacted: true, last_dealt_with: 2025-12-01 }\ncontent: { kind: personal, text: \"Lunch next month?\" }\n";

#[test]
fn a_lapsed_covenant_names_the_last_day_it_would_have_refused() {
    let action =
        std::fs::read_to_string(crate::util::root().join("docs/examples/actions/solicit-after-the-covenant.yaml"))
            .unwrap();
    let (verdict, cfs, text, md) = eval_all(&action);
    assert_eq!(verdict, "allow", "{text}");
    // Counted from the start of garden leave (2025-10-31), the 6 months ended on 2026-04-30: the window the clause list shows.
    let line = "on or before 2026-04-30 `client-non-solicitation` would deny this: its window ran from 2026-01-31 to 2026-04-30 inclusive, and the action (2026-08-15) falls after it";
    assert!(cfs.iter().any(|c| c == line), "{cfs:#?}");
    assert!(text.contains("window: from 2026-01-31 (departure) to 2026-04-30 inclusive"), "{text}");
    assert!(
        cfs.iter().any(|c| c.starts_with("on or before 2026-04-30 `client-non-dealing` would deny this")),
        "{cfs:#?}"
    );
    agree(&cfs, &text, &md);
}

#[test]
fn a_covenant_not_yet_started_names_the_day_it_starts_to_refuse() {
    let (verdict, cfs, text, md) = eval_all(ON_NOTICE);
    assert_eq!(verdict, "allow", "{text}");
    let line = "from 2026-03-01 `client-non-solicitation` would deny this: its window runs from 2026-03-01 to 2026-09-01 inclusive, and the action (2026-02-10) falls before it";
    assert!(cfs.iter().any(|c| c == line), "{cfs:#?}");
    agree(&cfs, &text, &md);
    // On the day itself, as a leaver, it is refused and the route is gone.
    let (verdict, cfs, _, _) =
        eval_all(&ON_NOTICE.replace("2026-02-10", "2026-03-01").replace("on_notice", "departed"));
    assert_eq!(verdict, "deny");
    assert!(window_routes(&cfs).is_empty(), "{cfs:#?}");
}

/// On notice, with garden leave to come (the period counted from its start): the
/// route gives the departure date on which the covenants start and the end the
/// offset gives, as a leaver reads it.
#[test]
fn a_leaver_with_garden_leave_ahead_reads_when_the_covenants_start() {
    let action = ON_NOTICE
        .replace("status: on_notice", "status: on_notice, garden_leave_from: 2026-03-01")
        .replace("departed_on: 2026-03-01", "departed_on: 2026-05-31");
    let (_, cfs, text, md) = eval_all(&action);
    agree(&cfs, &text, &md);
    let from = text.find("what would change it:").unwrap_or_else(|| panic!("no routes:\n{text}"));
    insta::assert_snapshot!(text[from..].to_string());
}

#[test]
fn no_window_route_where_the_covenant_would_not_apply_on_that_day() {
    // A director's written release lifts both covenants (the exception `released-contacts`).
    let released = ON_NOTICE.replace("content:", "facts: { waiver_in_writing: true }\ncontent:");
    let (verdict, cfs, text, _) = eval_all(&released);
    assert_eq!(verdict, "allow", "{text}");
    assert!(window_routes(&cfs).is_empty(), "{cfs:#?}");
    // Last dealt with before the 12-month look-back: not covered, whatever the date.
    let (verdict, cfs, text, _) = eval_all(&ON_NOTICE.replace("2025-12-01", "2024-06-01"));
    assert_eq!(verdict, "allow", "{text}");
    assert!(window_routes(&cfs).is_empty(), "{cfs:#?}");
}
