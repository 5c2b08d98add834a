//! `/v1/decide?as_written=true`: beside the decision the law decides (the one
//! logged and answered), the policy's own view of the same trusted action,
//! labelled as such, for the agency that wants to see it.

use crate::serve::{log_json, one_policy, Server};
use serde_json::json;

const CA: &str = "policy \"Pacific test\"\n  jurisdiction US-CA\n  timezone \"America/Los_Angeles\"\n  default allow\n\nroles consultant\n\ncovenant nc: non_compete for 12 months\n";

#[test]
fn as_written_shows_the_policys_own_view_beside_the_binding_decision() {
    let dir = one_policy(CA);
    let log = dir.join("log.sqlite");
    let l = log.to_str().unwrap();
    let s = Server::start(&dir, l, &[]);
    // Left a month ago; the service's clock is now, so the covenant's window holds today.
    let departed = jiff::Zoned::now().date().checked_sub(jiff::Span::new().days(30)).unwrap();
    let action = json!({"action": "compete", "actor": {"id": "sam", "role": "consultant", "status": "departed",
                        "employed_since": "2022-01-10", "departed_on": departed.to_string(), "jurisdiction": "US-CA"}});
    let body = json!({"policy": "t", "action": action}).to_string();
    let (status, plain) = s.post("/v1/decide", &body);
    assert_eq!(status, 200, "{plain}");
    assert_eq!(plain["verdict"], "allow", "California sets the non-compete aside: {plain}");
    assert!(plain.get("policy_as_written").is_none(), "{plain}");

    let (status, v) = s.post("/v1/decide?as_written=true", &body);
    assert_eq!(status, 200, "{v}");
    // The decision is the law's, as without the switch...
    assert_eq!(v["verdict"], "allow", "{v}");
    assert_eq!(v["law"][0]["clause"], "nc", "{v}");
    // ...and beside it the policy as written: deny, labelled, with no law applied.
    let w = &v["policy_as_written"];
    assert_eq!(w["verdict"], "deny", "{v}");
    assert_eq!(w["as_written"], true, "{v}");
    assert_eq!(w["deciding"], json!(["nc"]), "{v}");
    assert!(w.get("law").is_none_or(|l| l.as_array().is_some_and(Vec::is_empty)), "{w}");
    // Only the binding decisions are logged, each once, with the law's verdict.
    let logged = log_json(l, None);
    assert_eq!(logged.len(), 2, "{logged:?}");
    assert!(logged.iter().all(|e| e["verdict"] == "allow"), "{logged:?}");

    // Asked of the short answer, or with a value that is not true or false: a 400 naming the parameter.
    let (status, e) = s.post("/v1/decide?explain=false&as_written=true", &body);
    assert_eq!((status, e["error"]["path"].as_str()), (400, Some("query.as_written")), "{e}");
    let (status, e) = s.post("/v1/decide?as_written=yes", &body);
    assert_eq!((status, e["error"]["path"].as_str()), (400, Some("query.as_written")), "{e}");
}
