//! The report on paper and the clauses behind a click, in a real browser (the helpers of `pages.rs`): the
//! seven-employer report prints on a few pages (headless Chromium's own `--print-to-pdf`, the PDF's pages
//! counted), each verdict's reason shows in plain words with its clause ids and fact paths one Enter away, on the
//! downloaded report and on the compare page alike, with axe-core finding nothing serious.

use crate::compare_names::SHIPPED_EMPLOYERS;
use crate::compare_silent::load;
use crate::pages::{run, serve, tools, Browser, Tools};
use crate::pages_upload::{press, tab_to, ENTER};
use crate::serve::{shipped_policies, temp_dir};
use fantoccini::Locator;
use smpolicy::compare::{self, CompareOptions};
use std::path::Path;
use std::process::Command;

/// The six shipped employers and K06's, against the shipped deal-breakers: the report as one HTML page.
fn report(employers: &[&str]) -> String {
    let policies: Vec<_> = employers.iter().map(|p| load(p, &crate::util::source(p).text)).collect();
    let mine = crate::util::source("policies/candidate-dealbreakers.policy");
    let opts = CompareOptions {
        now: Some("2030-01-01T00:00:00Z".parse().unwrap()),
        against: Some(load("policies/candidate-dealbreakers.policy", &mine.text)),
        ..CompareOptions::default()
    };
    compare::html::html(&compare::compare(&policies, &opts))
}

/// The six shipped employers and K06's.
fn seven() -> Vec<&'static str> {
    let mut all = SHIPPED_EMPLOYERS.to_vec();
    all.push("tests/scenarios/K06-A.policy");
    all
}

/// The pages of a PDF: its page objects (`/Type /Page`, not the `/Type /Pages` tree above them).
fn pdf_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type")
        .filter(|(i, _)| {
            let after = text.get(i + 5..).unwrap_or_default().trim_start();
            after.starts_with("/Page") && !after.starts_with("/Pages")
        })
        .count()
}

/// Prints an HTML file as Chromium prints it (`--print-to-pdf`, no header or footer): its page count.
fn printed_pages(t: &Tools, html: &Path) -> usize {
    let dir = temp_dir("print");
    let pdf = dir.join("out.pdf");
    let out = Command::new(&t.chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            "--disable-background-networking",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    let bytes =
        std::fs::read(&pdf).unwrap_or_else(|e| panic!("no PDF ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    pdf_pages(&bytes)
}

#[test]
fn the_seven_employer_report_prints_on_a_few_pages_needs_browser() {
    let Some(t) = tools("the_seven_employer_report_prints_on_a_few_pages_needs_browser") else { return };
    let dir = temp_dir("report-print");
    let seven_html = dir.join("seven.html");
    std::fs::write(&seven_html, report(&seven())).unwrap();
    let two = dir.join("two.html");
    std::fs::write(&two, report(&seven()[..2])).unwrap();
    // Measured: 73 pages before the print styles, 8 after (across A4 for four employers or more); the
    // two-employer report (portrait) went from 8 to 9 pages when the comparison gained its row "which
    // version binds you" (Chromium 148). Both are held to ten pages.
    let pages = printed_pages(&t, &seven_html);
    assert!((3..=10).contains(&pages), "the seven-employer report prints on {pages} pages");
    let pages = printed_pages(&t, &two);
    assert!((2..=10).contains(&pages), "the two-employer report prints on {pages} pages");
}

/// Saves a picture of one element where the pages' screenshots go (`SMPOLICY_SCREENSHOTS`, as `pages.rs` says).
async fn shot_of(e: &fantoccini::elements::Element, name: &str) {
    let png = e.screenshot().await.unwrap();
    let dir = match std::env::var("SMPOLICY_SCREENSHOTS") {
        Ok(d) if !d.is_empty() => crate::util::root().join(d),
        _ => std::env::temp_dir().join("smpolicy-screenshots"),
    };
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

/// The visible words of the first element `css` matches (what a closed `<details>` holds is not rendered).
async fn shown(b: &Browser, css: &str) -> String {
    b.c().find(Locator::Css(css)).await.unwrap().text().await.unwrap()
}

#[test]
fn the_reports_clauses_and_facts_are_one_enter_away_needs_browser() {
    let Some(t) = tools("the_reports_clauses_and_facts_are_one_enter_away_needs_browser") else { return };
    let dir = temp_dir("report-click");
    let file = dir.join("report.html");
    std::fs::write(&file, report(&seven()[..3])).unwrap();
    run(async {
        let b = Browser::start(&t).await;
        b.c().goto(&format!("file://{}", file.display())).await.unwrap();
        // The 11th tweet under Castlegate: refused by its daily limit, said in the employer's words.
        let cell = "section.cell#tweet-11th-of-day--b";
        let before = shown(&b, cell).await;
        assert!(before.contains("Castlegate Recruitment plc: deny"), "{before}");
        assert!(before.contains("deny: limit 10 posts per day"), "the reason in words: {before}");
        assert!(!before.contains("twitter-daily-limit") && !before.contains("history."), "ids shown: {before}");
        // Reached by keyboard: the summary takes the focus and Enter opens it on the clause and the facts.
        b.c()
            .execute(
                "document.querySelector(arguments[0] + ' details.refs summary').focus();",
                vec![serde_json::json!(cell)],
            )
            .await
            .unwrap();
        press(&b, ENTER).await;
        let after = shown(&b, cell).await;
        assert!(after.contains("twitter-daily-limit") && after.contains("history.posts_today"), "{after}");
        shot_of(&b.c().find(Locator::Css(cell)).await.unwrap(), "report-explanation").await;
        b.accessible("report").await;
    });
}

#[test]
fn the_compare_pages_cells_give_the_reason_and_hide_the_clauses_needs_browser() {
    let Some(t) = tools("the_compare_pages_cells_give_the_reason_and_hide_the_clauses_needs_browser") else { return };
    let dir = shipped_policies();
    let s = serve(&dir, &[]);
    run(async {
        let b = Browser::start(&t).await;
        b.c().goto(&format!("{}/compare", s.base)).await.unwrap();
        b.click("input[value='trusting-agency']").await;
        b.click("input[value='protective-agency']").await;
        b.click("button[value=show]").await;
        b.wait_text("table.matrix", |t| !t.is_empty()).await;
        // The 11th tweet's row: Castlegate's column says why in words; the clause's name is behind the click.
        let row = "//table[contains(@class,'matrix')]//tr[th[contains(., '11th tweet of the day')]]";
        let refused = format!("{row}/td[contains(., 'refused')]");
        let cell = b.c().find(Locator::XPath(&refused)).await.unwrap();
        let before = cell.text().await.unwrap();
        assert!(before.contains("refused") && before.contains("limit 10 posts per day"), "{before}");
        assert!(!before.contains("twitter-daily-limit"), "the clause id shows before the click: {before}");
        // By keyboard: Tab reaches the cell's summary, Enter opens it.
        let id: String = b
            .c()
            .execute(
                "const s = document.evaluate(arguments[0], document, null, 9, null).singleNodeValue.querySelector('summary');
                 s.id = 'the-clauses'; return s.id;",
                vec![serde_json::json!(refused)],
            )
            .await
            .unwrap()
            .as_str()
            .unwrap()
            .to_string();
        b.c()
            .execute("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);", vec![])
            .await
            .unwrap();
        tab_to(&b, &format!("#{id}")).await;
        press(&b, ENTER).await;
        let after = cell.text().await.unwrap();
        assert!(after.contains("twitter-daily-limit"), "{after}");
        let row_of_cell = b.c().find(Locator::XPath(row)).await.unwrap();
        shot_of(&row_of_cell, "compare-cell").await;
        b.accessible("compare (a cell opened)").await;
    });
}

/// The compare page itself, as a candidate prints it from the browser: the page as shown (its HTML after
/// the form was sent, with the service's own style sheet) printed by Chromium as `--print-to-pdf` does, which
/// honours the page's paper size (WebDriver's Print Page does not). Six employers' answer on a few pages, the
/// form and what is behind a click left off.
#[test]
fn the_compare_page_prints_on_a_few_pages_needs_browser() {
    let Some(t) = tools("the_compare_page_prints_on_a_few_pages_needs_browser") else { return };
    let dir = shipped_policies();
    let s = serve(&dir, &[]);
    let html = run_html(async {
        let b = Browser::start(&t).await;
        b.c().goto(&format!("{}/compare", s.base)).await.unwrap();
        for p in SHIPPED_EMPLOYERS {
            let name = Path::new(p).file_stem().unwrap().to_string_lossy().to_string();
            b.click(&format!("input[value='{name}']")).await;
        }
        b.click("button[value=show]").await;
        b.wait_text("table.matrix", |t| !t.is_empty()).await;
        // Every cell opened, as a reader might leave them: on paper they stay closed all the same.
        b.c().execute("document.querySelectorAll('details').forEach(d => d.open = true);", vec![]).await.unwrap();
        b.c().source().await.unwrap()
    });
    assert!(html.contains("table class=\"matrix\""), "no matrix on the page");
    let file = temp_dir("compare-page-print").join("compare.html");
    // The served style sheet, inline: a file printed from disk reaches no server.
    let css = std::fs::read_to_string(crate::util::root().join("src/serve/pages/app.css")).unwrap();
    let link = "<link rel=\"stylesheet\" href=\"/static/app.css\">";
    assert!(html.contains(link), "the page no longer links its style sheet as this test expects");
    std::fs::write(&file, html.replace(link, &format!("<style>{css}</style>"))).unwrap();
    let pages = printed_pages(&t, &file);
    // Measured when written: 16 pages before the page's print styles for six employers, 7 after.
    assert!((2..=8).contains(&pages), "the six-employer compare page prints on {pages} pages");
}

/// Runs a browser session that ends with a page's HTML.
fn run_html(session: impl std::future::Future<Output = String>) -> String {
    let mut out = String::new();
    run(async { out = session.await });
    out
}
