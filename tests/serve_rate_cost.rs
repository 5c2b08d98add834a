//! What a request costs against its token's rate limit: a diff or a
//! comparison draws more from the allowance than a decide (the costs of
//! `smpolicy::serve::auth::ENDPOINTS`), through the API and the web pages.

use crate::serve::{log_json, one_policy, post_action, Server, ALLOW};
use serde_json::json;
use smpolicy::serve::auth::{token_hash, Endpoint};

#[test]
fn a_few_diffs_exhaust_an_allowance_that_many_decides_do_not() {
    let diff = Endpoint::of_path("/v1/diff").unwrap().cost;
    let compare = Endpoint::of_path("/v1/compare").unwrap().cost;
    let decide = Endpoint::of_path("/v1/decide").unwrap().cost;
    assert_eq!((diff, compare, decide), (100, 50, 1), "the README documents these costs");

    let dir = one_policy(ALLOW);
    std::fs::write(dir.join("t2.policy"), ALLOW.replace("policy \"t\"", "policy \"t2\"")).unwrap();
    let log = dir.join("log.sqlite");
    let tokens = dir.join("tokens.json");
    let scopes = ["decide", "admin"];
    // The same allowance for each: 250 requests at once, then 250 an hour.
    let token = |name: &str| json!({"name": name, "sha256": token_hash(name), "scopes": scopes, "rate": "250/h"});
    std::fs::write(&tokens, json!({"tokens": [token("decider"), token("differ"), token("comparer")]}).to_string())
        .unwrap();
    let s = Server::start(&dir, log.to_str().unwrap(), &["--tokens", tokens.to_str().unwrap(), "--sync", "normal"]);

    // 200 decides fit in the allowance.
    let body = json!({"policy": "t", "action": post_action("rae")}).to_string();
    for i in 0..200 {
        let (status, v) = s.post_as(Some("decider"), "/v1/decide?explain=false", &body);
        assert_eq!(status, 200, "decide {i}: {v}");
    }

    // Two diffs take 200 of the 250; the third is refused, before any work, saying what a diff costs.
    let body = json!({"old": "t", "new": "t2"}).to_string();
    for i in 0..2 {
        let (status, v) = s.post_as(Some("differ"), "/v1/diff", &body);
        assert_eq!(status, 200, "diff {i}: {v}");
    }
    let (status, v) = s.post_as(Some("differ"), "/v1/diff", &body);
    assert_eq!(status, 429, "{v}");
    assert_eq!(
        v["error"]["message"],
        "the token `differ` is over its rate limit of 250/h (burst 250); `/v1/diff` costs 100 requests"
    );
    // What is left (50) still takes decides, and no more.
    let decide_body = json!({"policy": "t", "action": post_action("sam")}).to_string();
    for i in 0..50 {
        assert_eq!(s.post_as(Some("differ"), "/v1/decide?explain=false", &decide_body).0, 200, "decide {i}");
    }
    assert_eq!(s.post_as(Some("differ"), "/v1/decide?explain=false", &decide_body).0, 429);

    // A comparison costs 50: five of them, then 429.
    let body = json!({"policies": ["t", "t2"]}).to_string();
    for i in 0..5 {
        let (status, v) = s.post_as(Some("comparer"), "/v1/compare", &body);
        assert_eq!(status, 200, "compare {i}: {v}");
    }
    let (status, v) = s.post_as(Some("comparer"), "/v1/compare", &body);
    assert_eq!(status, 429, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().ends_with("`/v1/compare` costs 50 requests"), "{v}");

    // Only what was done is logged: 250 decides.
    assert_eq!(log_json(log.to_str().unwrap(), None).len(), 250);

    // The OpenAPI document gives each operation's cost.
    let (status, api) = s.get("/openapi.json");
    assert_eq!(status, 200);
    assert_eq!(api["paths"]["/v1/diff"]["post"]["x-smpolicy-cost"], 100);
    assert_eq!(api["paths"]["/v1/decide"]["post"]["x-smpolicy-cost"], 1);
}

#[test]
fn the_change_page_costs_what_a_diff_costs() {
    let dir = one_policy(ALLOW);
    std::fs::write(dir.join("t2.policy"), ALLOW.replace("policy \"t\"", "policy \"t2\"")).unwrap();
    let log = dir.join("log.sqlite");
    // An open server (loopback): everyone is `anonymous`, with the server's default limit.
    let s = Server::start(&dir, log.to_str().unwrap(), &["--rate-limit", "300/h"]);
    let page = s.agent.get(&format!("{}/change", s.base)).call().unwrap();
    let cookie = page.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    let html = page.into_string().unwrap();
    let csrf = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    // The status, whether `Retry-After` came, and the page.
    let send = || {
        let r = s.agent.post(&format!("{}/change", s.base)).set("cookie", &cookie).send_form(&[
            ("csrf", &csrf),
            ("old", "t"),
            ("new", "t2"),
        ]);
        let r = match r {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{e}"),
        };
        (r.status(), r.header("retry-after").is_some(), r.into_string().unwrap())
    };
    // The page (1) and two changes shown (100 each) leave 99 of 300: the third change is refused.
    for i in 0..2 {
        let (status, _, page) = send();
        assert_eq!(status, 200, "change {i}: {page}");
    }
    let (status, retry_after, page) = send();
    assert_eq!(status, 429, "{page}");
    assert!(retry_after);
    assert!(page.contains("this page costs 100 requests"), "{page}");
    // Looking at a page still costs 1.
    assert_eq!(s.agent.get(&format!("{}/change", s.base)).set("cookie", &cookie).call().unwrap().status(), 200);
}
