//! The pages with files and the keyboard, in a real browser (the helpers of `pages.rs`): a candidate uploads
//! employers' policies and their own deal-breakers on the compare page, reaching every control with Tab and
//! sending with Enter; HR uploads a new version on the change page and replays the decisions the service logged.

use crate::pages::{run, serve, tools, Browser};
use crate::serve::{shipped_policies, temp_dir};
use crate::util::root;
use fantoccini::Locator;
use serde_json::json;
use std::collections::BTreeSet;
use std::path::Path;

/// Presses a key on the keyboard, wherever the focus is (a file control takes keys sent to it as file names).
pub(crate) async fn press(b: &Browser, key: char) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let keys =
        KeyActions::new("keyboard".into()).then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
    b.c().perform_actions(keys).await.unwrap();
}

/// WebDriver's Tab and Enter keys.
const TAB: char = '\u{E004}';
pub(crate) const ENTER: char = '\u{E007}';

/// Presses Tab from the top of the page until the element `last` (CSS) has the focus: each control reached, as
/// `tag#id[name=value]`, and whether its focus could be seen (an outline drawn around it).
async fn tab_through(b: &Browser, last: &str) -> Vec<(String, bool)> {
    b.c()
        .execute("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);", vec![])
        .await
        .unwrap();
    let mut reached = Vec::new();
    for _ in 0..80 {
        press(b, TAB).await;
        let v = b
            .c()
            .execute(
                "const e = document.activeElement, s = getComputedStyle(e);
                 return [e.tagName.toLowerCase() + '#' + e.id + '[' + (e.name || '') + '=' + (e.value || '') + ']',
                         s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
                         e.matches(arguments[0])];",
                vec![json!(last)],
            )
            .await
            .unwrap();
        reached.push((v[0].as_str().unwrap().to_string(), v[1].as_bool().unwrap()));
        if v[2].as_bool().unwrap() {
            return reached;
        }
    }
    panic!("Tab never reached `{last}`; it went through {reached:?}");
}

/// Every control of the form `form` (CSS), named as [`tab_through`] names them.
async fn controls_of(b: &Browser, form: &str) -> BTreeSet<String> {
    let v = b
        .c()
        .execute(
            "return [...document.querySelectorAll(arguments[0] + ' input, ' + arguments[0] + ' select, ' + arguments[0] + ' textarea, ' + arguments[0] + ' button')]
               .filter(e => e.type !== 'hidden')
               .map(e => e.tagName.toLowerCase() + '#' + e.id + '[' + (e.name || '') + '=' + (e.value || '') + ']');",
            vec![json!(form)],
        )
        .await
        .unwrap();
    serde_json::from_value(v).unwrap()
}

/// Every control of the form `form` (CSS) is reached with Tab from the top of the page, up to its last button,
/// each with its focus drawn.
async fn every_control_by_tab(b: &Browser, form: &str) {
    let reached = tab_through(b, &format!("{form} button:last-of-type")).await;
    let all = controls_of(b, form).await;
    let seen: BTreeSet<String> = reached.iter().map(|(c, _)| c.clone()).collect();
    let missed: Vec<&String> = all.difference(&seen).collect();
    assert!(missed.is_empty(), "not reached with Tab: {missed:?} (reached {reached:?})");
    let unseen: Vec<&String> = reached.iter().filter(|(c, seen)| all.contains(c) && !seen).map(|(c, _)| c).collect();
    assert!(unseen.is_empty(), "focus not visible on {unseen:?}");
}

/// Tab until `css` has the focus (at most 80 presses).
pub(crate) async fn tab_to(b: &Browser, css: &str) {
    for _ in 0..80 {
        let here =
            b.c().execute("return document.activeElement.matches(arguments[0]);", vec![json!(css)]).await.unwrap();
        if here.as_bool().unwrap() {
            return;
        }
        press(b, TAB).await;
    }
    panic!("Tab never reached `{css}`");
}

/// Types into the focused control.
async fn type_here(b: &Browser, text: &str) {
    b.c().active_element().await.unwrap().send_keys(text).await.unwrap();
}

fn copy_as(from: &str, dir: &Path, name: &str) -> String {
    let to = dir.join(name);
    std::fs::copy(root().join(from), &to).unwrap();
    to.display().to_string()
}

#[test]
fn compare_takes_uploaded_policies_and_the_candidates_own_by_keyboard_needs_browser() {
    let Some(t) = tools("compare_takes_uploaded_policies_and_the_candidates_own_by_keyboard_needs_browser") else {
        return;
    };
    let dir = shipped_policies();
    let s = serve(&dir, &[]);
    let files = temp_dir("uploads");
    let brightwater = copy_as("policies/brightwater.policy", &files, "brightwater offer.policy");
    let open_door = copy_as("policies/open-networker.policy", &files, "open-door.policy");
    let own = copy_as("policies/candidate-dealbreakers.policy", &files, "my deal-breakers.policy");
    run(async {
        let b = Browser::start(&t).await;
        b.c().goto(&format!("{}/compare", s.base)).await.unwrap();
        every_control_by_tab(&b, "form.compare-form").await;

        // The candidate fills the form from the keyboard: the two files of employers' policies and their own
        // deal-breakers (a file chooser is the system's: WebDriver hands the paths to the control), their role,
        // where they work, that they would supervise others; Enter sends it.
        b.c()
            .find(Locator::Css("#upload"))
            .await
            .unwrap()
            .send_keys(&[brightwater.as_str(), open_door.as_str(), own.as_str()].join("\n"))
            .await
            .unwrap();
        b.c().execute("window.scrollTo(0, 0); document.activeElement.blur();", vec![]).await.unwrap();
        tab_to(&b, "input[value='trusting-agency']").await;
        type_here(&b, " ").await;
        tab_to(&b, "#jurisdiction").await;
        type_here(&b, "UK").await;
        tab_to(&b, "#role").await;
        type_here(&b, "consultant").await;
        tab_to(&b, "input[name=supervisor]").await;
        type_here(&b, " ").await;
        tab_to(&b, "button[value=show]").await;
        press(&b, ENTER).await;

        // The candidate's answer first: each employer against their deal-breakers, in words.
        let answer = b.wait_text("ul.answers", |t| !t.is_empty()).await;
        for employer in ["Brightwater Recruitment", "Open Door Search", "Fernhill Talent"] {
            assert!(answer.contains(employer), "{employer} missing from the answer: {answer}");
        }
        assert!(answer.contains("of your deal-breakers"), "{answer}");
        let heading = b.text("#answer").await;
        assert!(heading.contains("which employer fits your deal-breakers"), "{heading}");
        let order =
            b.c().execute("return [...document.querySelectorAll('main h2')].map(h => h.id);", vec![]).await.unwrap();
        assert_eq!(order[0], "answer", "the answer is not first: {order}");
        // The deal-breakers file is the candidate's own: never an employer's column.
        let scores_head = b.text("table.scores thead").await;
        let matrix_head = b.text("table.matrix thead").await;
        for head in [&scores_head, &matrix_head] {
            assert!(head.contains("Brightwater Recruitment") && head.contains("Open Door Search"), "{head}");
            assert!(head.contains("Fernhill Talent"), "{head}");
            assert!(!head.contains("Priya Shah"), "the deal-breakers are shown as an employer: {head}");
        }
        let columns = b.c().find_all(Locator::Css("table.matrix thead th")).await.unwrap().len();
        assert_eq!(columns, 4, "a situation column and three employers: {matrix_head}");
        // The timeline draws the uploaded employers' covenants, said in words too.
        let caption = b.text("figure.timeline figcaption").await;
        assert!(caption.contains("Brightwater Recruitment") && caption.contains("non-solicitation"), "{caption}");
        assert!(!b.c().find_all(Locator::Css("figure.timeline svg rect.bar")).await.unwrap().is_empty());
        // A cell of the matrix opens on its reasons.
        let cell = b.c().find(Locator::Css("table.matrix td details")).await.unwrap();
        cell.find(Locator::Css("summary")).await.unwrap().click().await.unwrap();
        assert!(cell.text().await.unwrap().lines().count() > 1);
        // What was typed is kept for the next try.
        let role = b.c().find(Locator::Css("#role")).await.unwrap().prop("value").await.unwrap();
        assert_eq!(role.as_deref(), Some("consultant"));
        let supervisor =
            b.c().find(Locator::Css("input[name=supervisor]")).await.unwrap().prop("checked").await.unwrap();
        assert_eq!(supervisor.as_deref(), Some("true"));
        b.accessible("compare (uploaded, with the answer)").await;
        b.shot_within("compare-upload", 2400).await;
        b.phone("compare-upload").await;

        // A file that is no policy, with a name that tries to run script: refused in words, the name as text.
        let hostile = files.join("x\"><img src=x onerror=\"document.title='pwned'\">.policy");
        std::fs::write(&hostile, [0xff_u8, 0xfe, 0x00, 0x41]).unwrap();
        b.c()
            .find(Locator::Css("#upload"))
            .await
            .unwrap()
            .send_keys(&[hostile.display().to_string(), brightwater.clone()].join("\n"))
            .await
            .unwrap();
        b.click("button[value=show]").await;
        let alert = b.wait_text("p.alert", |t| !t.is_empty()).await;
        assert!(alert.contains("<img src=x onerror="), "{alert}");
        assert!(alert.contains("not a text file"), "{alert}");
        let tags = b.c().execute("return document.querySelectorAll('main img').length;", vec![]).await.unwrap();
        assert_eq!(tags, json!(0), "the file's name became markup");
        assert_ne!(b.c().title().await.unwrap(), "pwned");
        b.accessible("compare (an upload refused)").await;
    });
}

#[test]
fn the_change_page_takes_an_uploaded_version_and_replays_logged_decisions_needs_browser() {
    let Some(t) = tools("the_change_page_takes_an_uploaded_version_and_replays_logged_decisions_needs_browser") else {
        return;
    };
    let dir = temp_dir("replay");
    let old = "policy \"Job ads\" default allow\nroles consultant\n\nrule no_candidate_data \"Never publish candidates' personal data.\" {\n  when content.candidate_personal_data\n  then deny\n}\n";
    std::fs::write(dir.join("jobs.policy"), old).unwrap();
    let new = format!(
        "{old}\nrule no_job_ads_on_twitter \"Job ads go on LinkedIn.\" {{\n  when channel = twitter and content.kind has job_ad\n  then deny\n}}\n"
    );
    let files = temp_dir("replay-files");
    std::fs::write(files.join("jobs-v2.policy"), &new).unwrap();
    let s = serve(&dir, &[]);
    // Three decisions logged through the API: two job ads on Twitter (allowed now, refused by the new version)
    // and an industry post on LinkedIn (allowed by both).
    for (channel, kind) in [("twitter", "job_ad"), ("linkedin", "industry"), ("twitter", "job_ad")] {
        let action = json!({"action": "post", "actor": {"id": "sam", "role": "consultant", "status": "employed"},
                            "channel": channel, "content": {"kind": kind, "candidate_personal_data": false}});
        let (status, v) = s.post("/v1/decide", &json!({"policy": "jobs", "action": action}).to_string());
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["verdict"], "allow", "{v}");
    }
    run(async {
        let b = Browser::start(&t).await;
        b.c().goto(&format!("{}/change", s.base)).await.unwrap();
        every_control_by_tab(&b, "form.editor").await;

        b.select("#old", "jobs").await;
        let path = files.join("jobs-v2.policy").display().to_string();
        b.c().find(Locator::Css("#new-file")).await.unwrap().send_keys(&path).await.unwrap();
        b.c().execute("window.scrollTo(0, 0); document.activeElement.blur();", vec![]).await.unwrap();
        tab_to(&b, "#replay").await;
        type_here(&b, " ").await;
        tab_to(&b, "button[value=show]").await;
        press(&b, ENTER).await;

        let count = b.wait_text("#replay-count", |t| !t.is_empty()).await;
        assert!(count.contains("2 of the 3 decisions logged would flip"), "{count}");
        // The chart: one day with decisions, its bar of 3 and, hatched within it, the 2 that flip; in numbers too.
        let logged = b.c().find_all(Locator::Css(".replay-chart rect.logged")).await.unwrap();
        let flipped = b.c().find_all(Locator::Css(".replay-chart rect.flipped")).await.unwrap();
        assert!(!logged.is_empty());
        assert_eq!(flipped.len(), 1, "one day with flips");
        let h = |e: &fantoccini::elements::Element| {
            let e = e.clone();
            async move { e.attr("height").await.unwrap().unwrap().parse::<f64>().unwrap() }
        };
        let tallest = {
            let mut m = 0.0_f64;
            for e in &logged {
                m = m.max(h(e).await);
            }
            m
        };
        let ratio = h(&flipped[0]).await / tallest;
        assert!((ratio - 2.0 / 3.0).abs() < 0.02, "the flipped bar is 2/3 of the logged one: {ratio}");
        let cells = b
            .c()
            .execute(
                "return [...document.querySelectorAll('table.replay-days tbody td')].map(c => c.textContent);",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(cells, json!(["3", "2"]), "one day: 3 logged, 2 would flip");
        // The written report: the changes, and the replay's table as `diff --replay` gives it; the upload named.
        let report = b.wait_text("section.report", |t| !t.is_empty()).await;
        assert!(report.contains("jobs-v2.policy"), "{report}");
        assert!(report.contains("no_job_ads_on_twitter") || report.contains("no-job-ads-on-twitter"), "{report}");
        assert!(report.contains("2 flipped"), "{report}");
        b.accessible("what does this change do? (replayed)").await;
        b.shot("change-replay").await;
        b.phone("change-replay").await;

        // A period that ends before it starts: said, not guessed.
        b.c().execute("document.getElementById('replay-to').value = '2020-01-01';", vec![]).await.unwrap();
        b.click("button[value=show]").await;
        let alert = b.wait_text("p.alert", |t| !t.is_empty()).await;
        assert!(alert.contains("before it starts"), "{alert}");
    });
}
