//! "May I?" about many items in one action (issue 14, concept 10): a leaver asks about an export of contacts of
//! mixed provenance in one go, one group of contacts a fieldset, added and removed by buttons that send the form
//! back (no script needed), and sees the whole's answer and each group's, with the clause that decided it. In a
//! real browser (the helpers of `pages.rs`), under the published leavers' contacts policy
//! (`tests/cases/published/leaver-contacts.policy`, which cites its sources).

use crate::pages::{run, serve, tools, Browser, ENTER};
use crate::serve::temp_dir;
use crate::util::root;
use fantoccini::Locator;
use serde_json::Value;

/// A served directory holding the published leavers' contacts policy.
fn leaver_policies() -> std::path::PathBuf {
    let dir = temp_dir("groups");
    let policy = root().join("tests/cases/published/leaver-contacts.policy");
    std::fs::copy(policy, dir.join("leaver-contacts.policy")).unwrap();
    dir
}

/// The id of the element that has the focus.
async fn focused(b: &Browser) -> String {
    b.c().active_element().await.unwrap().attr("id").await.unwrap().unwrap_or_default()
}

async fn value(b: &Browser, css: &str) -> String {
    b.c().find(Locator::Css(css)).await.unwrap().prop("value").await.unwrap().unwrap_or_default()
}

async fn shown(b: &Browser, css: &str) -> bool {
    match b.c().find(Locator::Css(css)).await {
        Ok(e) => e.is_displayed().await.unwrap(),
        Err(_) => false,
    }
}

#[test]
fn a_leaver_asks_about_two_groups_of_contacts_at_once_needs_browser() {
    let Some(t) = tools("a_leaver_asks_about_two_groups_of_contacts_at_once_needs_browser") else { return };
    let s = serve(&leaver_policies(), &[]);
    run(async {
        let b = Browser::start(&t).await;
        b.c().goto(&format!("{}/may-i?policy=leaver-contacts", s.base)).await.unwrap();
        b.wait_text("h2", |t| t.contains("What do you want to do?")).await;
        b.fill("#f-actor-id", "Priya").await;
        b.select("#f-action", "post").await;
        // A post takes no groups of contacts: neither a second group nor the button to add one is offered.
        assert!(!shown(&b, "button.add-group").await, "groups are offered for a post");
        b.select("#f-action", "export").await;
        assert!(shown(&b, "button.add-group").await, "no way to add a group to an export");
        b.select("#f-actor-role", "consultant").await;
        b.select("#f-actor-status", "on_notice").await;
        // The first group: the contacts she had before she joined.
        b.fill("#f-contacts-0-count", "120").await;
        b.select("#f-contacts-0-origin", "before_employment").await;

        // Adding a group sends the form back with one more, everything kept, the new group's first question focused.
        b.click("button.add-group").await;
        b.wait_text("#f-contacts-1 legend", |t| t.contains("Group 2")).await;
        assert_eq!(focused(&b).await, "f-contacts-1-count");
        assert_eq!(
            b.text("#regrouped").await,
            "Group 2 added: say how many contacts it holds and where they came from."
        );
        assert_eq!(value(&b, "#f-contacts-0-count").await, "120");
        assert_eq!(value(&b, "#f-contacts-0-origin").await, "before_employment");
        assert_eq!(value(&b, "#f-action").await, "export");
        assert!(!shown(&b, ".verdict").await, "adding a group decided something");
        b.fill("#f-contacts-1-count", "180").await;
        b.select("#f-contacts-1-origin", "agency_database").await;

        // A third group, left empty: not decided, and said beside the group and at the top, with a link to it.
        b.click("button.add-group").await;
        b.wait_text("#f-contacts-2 legend", |t| t.contains("Group 3")).await;
        b.click("form.ask button.primary").await;
        let alert = b.wait_text("#form-error", |t| !t.is_empty()).await;
        assert!(alert.contains("Not decided: Group 3 of contacts contacts[2]: this group is empty"), "{alert}");
        let beside = b.text("#f-contacts-2 .field-error").await;
        assert!(beside.contains("this group is empty"), "{beside}");
        let link = b.c().find(Locator::Css("#form-error a")).await.unwrap().attr("href").await.unwrap();
        assert_eq!(link.as_deref(), Some("#f-contacts-2"));
        assert!(!shown(&b, ".verdict").await);
        b.accessible("may I? (a group left empty)").await;
        b.shot("may-i-groups-error").await;

        // Removing it: two groups again, theirs kept, and no problem left.
        b.click("#f-contacts-2 button.remove-group").await;
        b.wait_text("#regrouped", |t| t.contains("removed")).await;
        assert!(!shown(&b, "#f-contacts-2").await, "group 3 is still there");
        assert!(!shown(&b, "#form-error").await, "the problem outlived its group");
        assert_eq!(b.text("#regrouped").await, "Group 3 removed (2 left).");
        assert_eq!(value(&b, "#f-contacts-1-count").await, "180");
        assert_eq!(value(&b, "#f-contacts-1-origin").await, "agency_database");
        b.shot("may-i-groups-form").await;

        // Enter in a field asks (it neither adds nor removes a group).
        b.c().find(Locator::Css("#f-contacts-1-count")).await.unwrap().send_keys(ENTER).await.unwrap();
        let words = b.wait_text("#verdict-words", |t| !t.is_empty()).await;
        assert!(words.contains("No, you may not."), "{words}");
        let tally = b.text(".verdict .tally").await;
        assert_eq!(tally, "Allowed: group 1. Not allowed: group 2.");
        // The summary counts the groups as the page does (from 1), not by their field paths.
        let summary = b.text(".verdict .summary").await;
        assert!(
            summary.contains("1 of 2 groups refused (group 2: 180 contacts from the agency's database)"),
            "{summary}"
        );
        let first = b.text("#group-verdict-1").await;
        assert!(first.contains("Group 1, 120 contacts made before employment: allowed"), "{first}");
        assert!(first.contains("joiner-snapshot") && first.contains("they stay yours"), "{first}");
        let second = b.text("#group-verdict-2").await;
        assert!(second.contains("Group 2, 180 contacts from the agency's database: not allowed"), "{second}");
        assert!(
            second.contains("database") && second.contains("no export of contacts from agency_database"),
            "{second}"
        );
        b.accessible("may I? (two groups)").await;
        b.shot_within("may-i-groups", 1500).await;
        b.phone("may-i-groups").await;
        // The full explanation is the CLI's, each group's own behind the whole's.
        b.click("details.explanation summary").await;
        let explanation = b.text("details.explanation .md").await;
        assert!(explanation.contains("Groups (each decided on its own"), "{explanation}");

        // A count below zero: not decided, the data model's own words beside the field.
        b.fill("#f-contacts-0-count", "-120").await;
        b.click("form.ask button.primary").await;
        let beside =
            b.wait_text("#f-contacts-0-count + .field-error, .field.invalid .field-error", |t| !t.is_empty()).await;
        assert!(beside.contains("expected a whole number from 0"), "{beside}");
        let invalid =
            b.c().find(Locator::Css("#f-contacts-0-count")).await.unwrap().attr("aria-invalid").await.unwrap();
        assert_eq!(invalid.as_deref(), Some("true"));
        assert!(!shown(&b, ".verdict").await);
        b.accessible("may I? (a negative count)").await;
    });
    // One decision logged, the one answered, about both groups; nothing for the forms sent back or refused.
    let (status, v) = s.get("/v1/log?actor=priya");
    assert_eq!(status, 200, "{v}");
    let decisions: Vec<&Value> = v["entries"].as_array().unwrap().iter().filter(|e| e["kind"] == "decision").collect();
    assert_eq!(decisions.len(), 1, "{v}");
    assert_eq!(decisions[0]["verdict"], "deny", "{v}");
    let input = &decisions[0]["input"];
    assert_eq!(
        input["contacts"],
        serde_json::json!([{"count": 120, "origin": "before_employment"}, {"count": 180, "origin": "agency_database"}]),
        "{input}"
    );
}

/// Without any script on the page, groups are still added and removed (the buttons send the form back) and the
/// question is answered group by group; every question is shown, for every action.
#[test]
fn groups_of_contacts_need_no_script_needs_browser() {
    let Some(t) = tools("groups_of_contacts_need_no_script_needs_browser") else { return };
    let s = serve(&leaver_policies(), &[]);
    run(async {
        let b = Browser::start_without_script(&t).await;
        b.c().goto(&format!("{}/may-i?policy=leaver-contacts", s.base)).await.unwrap();
        b.wait_text("h2", |t| t.contains("What do you want to do?")).await;
        b.fill("#f-actor-id", "Sam").await;
        b.select("#f-action", "post").await;
        // No script hides what a post does not need: the page's script is not running.
        assert!(shown(&b, "button.add-group").await, "the page's script ran");
        b.select("#f-action", "depart").await;
        b.select("#f-actor-role", "consultant").await;
        b.select("#f-actor-status", "on_notice").await;
        b.fill("#f-contacts-0-count", "300").await;
        b.select("#f-contacts-0-origin", "employment").await;
        b.click("button.add-group").await;
        b.wait_text("#f-contacts-1 legend", |t| t.contains("Group 2")).await;
        b.click("button.add-group").await;
        b.wait_text("#f-contacts-2 legend", |t| t.contains("Group 3")).await;
        b.fill("#f-contacts-2-count", "120").await;
        b.select("#f-contacts-2-origin", "before_employment").await;
        // The empty middle group removed: the third moves up, with its answers.
        b.click("#f-contacts-1 button.remove-group").await;
        b.wait_text("#regrouped", |t| t.contains("removed")).await;
        assert!(!shown(&b, "#f-contacts-2").await, "three groups are left");
        assert_eq!(b.text("#regrouped").await, "Group 2 removed; the groups after it moved up (2 left).");
        assert_eq!(value(&b, "#f-contacts-1-count").await, "120");
        assert_eq!(value(&b, "#f-contacts-1-origin").await, "before_employment");
        b.click("form.ask button.primary").await;
        let words = b.wait_text("#verdict-words", |t| !t.is_empty()).await;
        assert!(words.contains("No, you may not."), "{words}");
        assert_eq!(b.text(".verdict .tally").await, "Not allowed: group 1. Allowed: group 2.");
    });
    let (status, v) = s.get("/v1/log?actor=sam");
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["entries"].as_array().unwrap().len(), 1, "{v}");
}
