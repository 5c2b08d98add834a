//! Files uploaded on the compare and change pages stay on the page when it comes back, with an error or a
//! result (issue 16): carried in ticked checkboxes (name and text, escaped), read again under the uploads'
//! limits once the form's anti-forgery token has been checked; untick one to leave it out. In a real browser
//! (the helpers of `pages.rs`).

use crate::pages::{run, serve, tools};
use crate::serve::{shipped_policies, temp_dir};
use crate::util::root;
use fantoccini::Locator;
use serde_json::json;

/// A file whose name tries to run script; its text a real policy (Brightwater's).
const HOSTILE: &str = "x\"><img src=x onerror=\"document.title='pwned'\">.policy";

#[test]
fn the_compare_page_keeps_uploaded_policies_across_an_error_and_a_result_needs_browser() {
    let Some(t) = tools("the_compare_page_keeps_uploaded_policies_across_an_error_and_a_result_needs_browser") else {
        return;
    };
    let s = serve(&shipped_policies(), &[]);
    let files = temp_dir("kept-uploads");
    let hostile = files.join(HOSTILE);
    std::fs::copy(root().join("policies/brightwater.policy"), &hostile).unwrap();
    let binary = files.join("scan.policy");
    std::fs::write(&binary, [0xff_u8, 0xfe, 0x00, 0x41]).unwrap();
    run(async {
        let b = crate::pages::Browser::start(&t).await;
        b.c().goto(&format!("{}/compare", s.base)).await.unwrap();
        let both = [hostile.display().to_string(), binary.display().to_string()].join("\n");
        b.c().find(Locator::Css("#upload")).await.unwrap().send_keys(&both).await.unwrap();
        b.click("input[value='trusting-agency']").await;
        b.click("button[value=show]").await;
        // Refused for the file that is no text; the good one is still there, by its name, as text.
        let alert = b.wait_text("p.alert", |t| !t.is_empty()).await;
        assert!(alert.contains("not a text file"), "{alert}");
        let kept = b.text("fieldset.kept").await;
        // (Chromium sends a `"` in a file's name as `%22`.)
        assert!(kept.contains("><img src=x onerror=") && kept.ends_with(".policy"), "the file was not kept: {kept}");
        assert!(!kept.contains("scan.policy"), "the unreadable file is kept: {kept}");
        let tags = b.c().execute("return document.querySelectorAll('main img').length;", vec![]).await.unwrap();
        assert_eq!(tags, json!(0), "the file's name became markup");
        assert_ne!(b.c().title().await.unwrap(), "pwned");
        b.accessible("compare (a file kept after an error)").await;

        // Sent again without choosing the file again: it is compared.
        b.click("button[value=show]").await;
        let head = b.wait_text("table.matrix thead", |t| !t.is_empty()).await;
        assert!(head.contains("Brightwater Recruitment") && head.contains("Fernhill Talent"), "{head}");
        // Still there under the result, for the next try; unticked, it is left out.
        b.click("fieldset.kept input[type=checkbox]").await;
        b.click("input[value='protective-agency']").await;
        b.click("button[value=show]").await;
        let head = b.wait_text("table.matrix thead", |t| t.contains("Castlegate")).await;
        assert!(!head.contains("Brightwater"), "an unticked file was compared: {head}");
        let left = b.c().find_all(Locator::Css("fieldset.kept")).await.unwrap();
        assert!(left.is_empty(), "an unticked file is still carried");
    });

    // A file carried back is only read with the form's token: without it, refused before anything is read.
    let page = s.agent.get(&format!("{}/compare", s.base)).call().unwrap();
    let cookie = page.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    let brightwater = std::fs::read_to_string(root().join("policies/brightwater.policy")).unwrap();
    let kept = format!("b.policy\n{brightwater}");
    let r = s.agent.post(&format!("{}/compare", s.base)).set("cookie", &cookie).send_form(&[
        ("csrf", "forged"),
        ("policies", "trusting-agency"),
        ("kept:upload", &kept),
    ]);
    assert!(matches!(r, Err(ureq::Error::Status(403, _))), "{r:?}");
    // Over the uploads' size limit: said, not read.
    let html =
        s.agent.get(&format!("{}/compare", s.base)).set("cookie", &cookie).call().unwrap().into_string().unwrap();
    let token = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let huge = format!("big.policy\n{}", "#".repeat(300 * 1024));
    let r = s.agent.post(&format!("{}/compare", s.base)).set("cookie", &cookie).send_form(&[
        ("csrf", &token),
        ("policies", "trusting-agency"),
        ("kept:upload", &huge),
    ]);
    let Err(ureq::Error::Status(400, r)) = r else { panic!("a kept file over the limit was read: {r:?}") };
    assert!(r.into_string().unwrap().contains("larger than 256 KiB"));
}

#[test]
fn the_change_page_keeps_an_uploaded_version_across_an_error_needs_browser() {
    let Some(t) = tools("the_change_page_keeps_an_uploaded_version_across_an_error_needs_browser") else { return };
    let dir = temp_dir("kept-change-served");
    let old = "policy \"Daily limits\" default allow\nroles consultant\n\nposting on twitter {\n  limit 10 posts per day\n}\n";
    std::fs::write(dir.join("limits.policy"), old).unwrap();
    let s = serve(&dir, &[]);
    let files = temp_dir("kept-change");
    let v2 = files.join("limits-v2.policy");
    std::fs::write(&v2, old.replace("limit 10", "limit 6")).unwrap();
    run(async {
        let b = crate::pages::Browser::start(&t).await;
        b.c().goto(&format!("{}/change", s.base)).await.unwrap();
        b.select("#old", "limits").await;
        b.fill("#old-source", "policy \"broken\n").await;
        b.c().find(Locator::Css("#new-file")).await.unwrap().send_keys(&v2.display().to_string()).await.unwrap();
        b.click("button[value=show]").await;
        let alert = b.wait_text("p.alert", |t| !t.is_empty()).await;
        assert!(alert.contains("Not compared"), "{alert}");
        let kept = b.text("label.kept").await;
        assert!(kept.contains("limits-v2.policy"), "{kept}");
        b.accessible("what does this change do? (a file kept after an error)").await;
        // The pasted text mended (emptied: the served version is meant), sent again without the file chosen again.
        b.fill("#old-source", "").await;
        b.click("button[value=show]").await;
        // The page before this request already says "Not compared" and names the kept file, so waiting for
        // either raced with the navigation: wait for the answer itself (an alert still there is a failure,
        // reported with the page's text once the wait gives up).
        let main = b.wait_text("main", |t| t.contains("limits-v2.policy") && !t.contains("Not compared")).await;
        assert!(!main.contains("Not compared"), "{main}");
        let report = b.wait_text("section.report", |t| !t.is_empty()).await;
        assert!(report.contains("limits-v2.policy"), "the kept file was not the new version: {report}");
    });
}
