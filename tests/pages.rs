//! The web pages of `smpolicy serve`, in a real browser: headless Chromium
//! driven through chromedriver (W3C WebDriver, with fantoccini), as a user
//! would: choose, fill, submit, read. Every page is also checked with
//! axe-core (no serious or critical finding), at phone width (nothing wider
//! than the screen), and photographed.
//!
//! Needs `chromium`, `chromedriver` and axe-core's `axe.min.js` (`.ci/run`
//! installs them; `SMPOLICY_CHROMIUM`, `SMPOLICY_CHROMEDRIVER` and
//! `SMPOLICY_AXE` override where they are looked for). Without them a test
//! fails under CI and elsewhere passes with a "skipped" line, as the
//! PostgreSQL test does; their names end in `_needs_browser`.
//!
//! Screenshots go to `SMPOLICY_SCREENSHOTS` (the README's come from
//! `SMPOLICY_SCREENSHOTS=docs/screenshots cargo test --locked --test tests pages`, every `pages*` module),
//! else to a directory under the system's temporary directory.

use crate::serve::{shipped_policies, temp_dir, tokens_file, Server};
use crate::util::root;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What the browser tests need, found; `None` (after saying "skipped") when something is missing outside CI.
pub(crate) struct Tools {
    pub(crate) chromium: PathBuf,
    driver: PathBuf,
    axe: String,
}

pub(crate) fn tools(test: &str) -> Option<Tools> {
    let from_env = |var: &str, default: &str| PathBuf::from(std::env::var(var).unwrap_or_else(|_| default.to_string()));
    let chromium = from_env("SMPOLICY_CHROMIUM", "/usr/bin/chromium");
    let driver = from_env("SMPOLICY_CHROMEDRIVER", "/usr/bin/chromedriver");
    let home = std::env::var("HOME").unwrap_or_default();
    let axe = from_env("SMPOLICY_AXE", &format!("{home}/.cache/smpolicy-npm/node_modules/axe-core/axe.min.js"));
    let missing: Vec<String> =
        [&chromium, &driver, &axe].iter().filter(|p| !p.is_file()).map(|p| p.display().to_string()).collect();
    if missing.is_empty() {
        return Some(Tools { chromium, driver, axe: std::fs::read_to_string(&axe).unwrap() });
    }
    let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"));
    let why = format!("not found: {} (bash .ci/run installs chromium, chromedriver and axe-core)", missing.join(", "));
    assert!(!ci, "{test}: {why}");
    let _ = writeln!(std::io::stderr(), "skipped: pages::{test}: {why}");
    None
}

/// chromedriver on a free loopback port and a fresh headless Chromium session; both end when dropped.
pub(crate) struct Browser {
    driver: Child,
    url: String,
    session: Option<String>,
    client: Client,
    profile: PathBuf,
    axe: String,
}

impl Browser {
    pub(crate) async fn start(t: &Tools) -> Browser {
        Browser::launch(t, &[]).await
    }

    /// A session whose pages run no script of their own (as with script turned off); WebDriver still drives it.
    pub(crate) async fn start_without_script(t: &Tools) -> Browser {
        Browser::launch(t, &["--blink-settings=scriptEnabled=false"]).await
    }

    async fn launch(t: &Tools, extra: &[&str]) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(&t.driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while ureq::get(&format!("{url}/status")).call().is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = temp_dir("chromium-profile");
        let mut caps = serde_json::Map::new();
        let mut args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1280,1000".into(),
            format!("--user-data-dir={}", profile.display()),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        caps.insert("goog:chromeOptions".into(), json!({ "binary": t.chromium, "args": args }));
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector).capabilities(caps).connect(&url).await.unwrap();
        let session = client.session_id().await.unwrap();
        Browser { driver, url, session, client, profile, axe: t.axe.clone() }
    }

    pub(crate) fn c(&self) -> &Client {
        &self.client
    }

    pub(crate) async fn text(&self, css: &str) -> String {
        self.c().find(Locator::Css(css)).await.unwrap().text().await.unwrap()
    }

    /// Waits (up to 30 s: CI machines are busy) until the element's text satisfies `ok`; its text.
    pub(crate) async fn wait_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            if let Ok(e) = self.c().find(Locator::Css(css)).await {
                let t = e.text().await.unwrap_or_default();
                if ok(&t) {
                    return t;
                }
                if started.elapsed() > Duration::from_secs(30) {
                    panic!("`{css}` never got there; it says: {t}");
                }
            } else if started.elapsed() > Duration::from_secs(30) {
                panic!("`{css}` never appeared");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(crate) async fn select(&self, css: &str, value: &str) {
        self.c().find(Locator::Css(css)).await.unwrap().select_by_value(value).await.unwrap();
    }

    pub(crate) async fn fill(&self, css: &str, text: &str) {
        let e = self.c().find(Locator::Css(css)).await.unwrap();
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    pub(crate) async fn click(&self, css: &str) {
        self.c().find(Locator::Css(css)).await.unwrap().click().await.unwrap();
    }

    async fn path(&self) -> String {
        self.c().current_url().await.unwrap().path().to_string()
    }

    /// axe-core over the page: no serious or critical finding.
    pub(crate) async fn accessible(&self, page: &str) {
        self.c().execute(&format!("{}\n;return true;", self.axe), vec![]).await.unwrap();
        let found = self
            .c()
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document).then(r => done(r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                 .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .unwrap();
        let found: Vec<String> = serde_json::from_value(found).unwrap();
        assert!(found.is_empty(), "{page}: axe-core finds:\n{}", found.join("\n"));
    }

    /// At phone width (390 px) nothing is wider than the screen; a screenshot of it.
    pub(crate) async fn phone(&self, page: &str) {
        self.c().set_window_size(390, 844).await.unwrap();
        let wide = self
            .c()
            .execute("return document.documentElement.scrollWidth - document.documentElement.clientWidth;", vec![])
            .await
            .unwrap();
        assert!(wide.as_i64().unwrap() <= 0, "{page}: wider than a phone by {wide} px");
        self.shot(&format!("{page}-phone")).await;
        self.c().set_window_size(1280, 1000).await.unwrap();
    }

    /// A screenshot of the whole page (the window grown to its height).
    pub(crate) async fn shot(&self, name: &str) {
        self.shot_within(name, 4000).await;
    }

    /// A screenshot of the page's top, at most `most` pixels tall.
    pub(crate) async fn shot_within(&self, name: &str, most: u64) {
        let (w, _) = self.c().get_window_size().await.unwrap();
        let h = self.c().execute("return document.documentElement.scrollHeight;", vec![]).await.unwrap();
        let h = h.as_u64().unwrap().clamp(600, most) as u32;
        self.c().set_window_size(w as u32, h + 140).await.unwrap();
        self.c().execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
        let png = self.c().screenshot().await.unwrap();
        let dir = match std::env::var("SMPOLICY_SCREENSHOTS") {
            Ok(d) if !d.is_empty() => root().join(d),
            _ => std::env::temp_dir().join("smpolicy-screenshots"),
        };
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session closes Chromium (straight to chromedriver: a destructor cannot wait on the client).
        if let Some(id) = &self.session {
            let _ = ureq::delete(&format!("{}/session/{id}", self.url)).timeout(Duration::from_secs(10)).call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// WebDriver's Enter and Tab keys.
pub(crate) const ENTER: &str = "\u{E007}";
pub(crate) const TAB: &str = "\u{E004}";

pub(crate) fn run(test: impl std::future::Future<Output = ()>) {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(test);
}

/// The service on `dir`, with its log in it.
pub(crate) fn serve(dir: &std::path::Path, extra: &[&str]) -> Server {
    Server::start(dir, dir.join("log.sqlite").to_str().unwrap(), extra)
}

fn log_of(s: &Server, actor: &str) -> Vec<Value> {
    let (status, v) = s.get(&format!("/v1/log?actor={actor}"));
    assert_eq!(status, 200, "{v}");
    v["entries"].as_array().unwrap().clone()
}

#[test]
fn may_i_answers_in_plain_words_and_logs_the_decision_needs_browser() {
    let Some(t) = tools("may_i_answers_in_plain_words_and_logs_the_decision_needs_browser") else { return };
    let dir = shipped_policies();
    let s = serve(&dir, &[]);
    run(async {
        let b = Browser::start(&t).await;
        b.c().goto(&format!("{}/", s.base)).await.unwrap();
        b.click(".cards a[href='/may-i']").await;
        assert_eq!(b.path().await, "/may-i");
        b.select("#policy-choice", "protective-agency").await;
        b.click("form.choose button").await;
        b.wait_text("h2", |t| t.contains("What do you want to do?")).await;
        b.fill("#f-actor-id", "Alice").await;
        b.select("#f-action", "connect").await;
        b.select("#f-actor-role", "consultant").await;
        b.select("#f-actor-status", "on_notice").await;
        b.select("#f-channel", "linkedin").await;
        b.select("#f-target-relationship", "client").await;
        // Only the questions a clause about connecting reads are shown: nothing about the content.
        let content = b.c().find(Locator::Css("#f-content-kind")).await;
        if let Ok(e) = content {
            assert!(!e.is_displayed().await.unwrap(), "the content's kind is asked for an invitation");
        }
        b.shot("may-i-form").await;
        b.click("form.ask button.primary").await;
        let words = b.wait_text("#verdict-words", |t| !t.is_empty()).await;
        assert!(words.contains("No, you may not."), "{words}");
        // The explanation is the CLI's own, behind a click: the deciding clause and the facts.
        b.click("details.explanation summary").await;
        let explanation = b.text("details.explanation .md").await;
        assert!(explanation.contains("no-clients-on-notice"), "{explanation}");
        assert!(explanation.contains("Decided by"), "{explanation}");
        // The form keeps what was sent, so one change and a resubmit answer "what if".
        let status = b.c().find(Locator::Css("#f-actor-status")).await.unwrap().prop("value").await.unwrap();
        assert_eq!(status.as_deref(), Some("on_notice"));
        b.accessible("may I? (deny)").await;
        b.shot("may-i").await;
        b.phone("may-i").await;

        // The same question by someone still employed, about a candidate: a new decision.
        let first = b.text(".verdict .fine code").await;
        b.select("#f-actor-status", "employed").await;
        b.select("#f-target-relationship", "candidate").await;
        // By keyboard: Enter in a field sends the form.
        b.c().find(Locator::Css("#f-actor-id")).await.unwrap().send_keys(ENTER).await.unwrap();
        b.wait_text(".verdict .fine code", |t| !t.is_empty() && t != first).await;
        b.accessible("may I? (second answer)").await;
    });
    // Logged like an API decision: the actor normalized, the caller named, the verdict shown.
    let entries = log_of(&s, "alice");
    let decisions: Vec<&Value> = entries.iter().filter(|e| e["kind"] == "decision").collect();
    assert_eq!(decisions.len(), 2, "{entries:?}");
    assert_eq!(decisions[0]["verdict"], "deny", "{entries:?}");
    assert_eq!(decisions[0]["caller"], "anonymous", "{entries:?}");
    assert_eq!(decisions[0]["policy"], "protective-agency", "{entries:?}");
}

#[test]
fn write_and_try_shows_problems_at_their_lines_formats_and_decides_needs_browser() {
    let Some(t) = tools("write_and_try_shows_problems_at_their_lines_formats_and_decides_needs_browser") else {
        return;
    };
    let dir = shipped_policies();
    let s = serve(&dir, &[]);
    run(async {
        let b = Browser::start(&t).await;
        b.c().goto(&format!("{}/write", s.base)).await.unwrap();
        b.wait_text("#problems .count", |t| t.contains("No problems")).await;
        // The first Tab reaches the link past the menus, and Enter follows it.
        b.c().find(Locator::Css("body")).await.unwrap().send_keys(TAB).await.unwrap();
        let first = b.c().active_element().await.unwrap();
        assert_eq!(first.text().await.unwrap(), "Skip to the content");
        first.send_keys(ENTER).await.unwrap();
        assert_eq!(b.c().current_url().await.unwrap().fragment(), Some("main"));
        // Typing an error: the problem shows at its line while typing, before any button.
        b.fill(
            "#source",
            "policy \"Draft\" default allow\nroles consultant\n\nposting on twiter {\n  limit 10 posts per day\n}\n",
        )
        .await;
        let problems = b.wait_text("#problems", |t| t.contains("1 error")).await;
        assert!(problems.contains("line 4"), "{problems}");
        assert!(problems.contains("twiter"), "{problems}");
        let at = b.text("#line-4 + .at").await;
        assert!(at.contains("error"), "the problem is shown under its line: {at}");
        b.accessible("write (with a problem)").await;
        b.shot("write-problem").await;

        // Format: the draft comes back in the canonical layout.
        b.fill(
            "#source",
            "policy \"Draft\"   default allow\nroles consultant\nposting on twitter { limit 10 posts per day }\n",
        )
        .await;
        b.click("button[value=fmt]").await;
        b.wait_text(".note", |t| t.contains("Formatted")).await;
        let formatted = b.c().find(Locator::Css("#source")).await.unwrap().prop("value").await.unwrap().unwrap();
        let file = smpolicy::source::SourceFile::new("x.policy", formatted.clone());
        assert_eq!(smpolicy::fmt::format_policy(&file).unwrap(), formatted, "not in the canonical layout");
        assert!(formatted.contains("posting on twitter {\n"), "{formatted}");

        // Try an action under the draft: the eleventh tweet of the day.
        b.fill(
            "#action",
            "action: post\nactor: {id: a, role: consultant, status: employed}\nchannel: twitter\ncontent: {kind: industry}\nhistory: {posts_today: 10}\n",
        )
        .await;
        b.click("button[value=try]").await;
        let words = b.wait_text("#verdict-words", |t| !t.is_empty()).await;
        assert!(words.contains("No, you may not."), "{words}");
        b.accessible("write (tried)").await;
        b.shot("write").await;
        b.phone("write").await;
    });
    // A draft is not a served policy: nothing was logged.
    assert!(log_of(&s, "a").is_empty());
}

#[test]
fn compare_shows_scores_a_timeline_and_the_situations_needs_browser() {
    let Some(t) = tools("compare_shows_scores_a_timeline_and_the_situations_needs_browser") else { return };
    let dir = shipped_policies();
    let s = serve(&dir, &[]);
    run(async {
        let b = Browser::start(&t).await;
        b.c().goto(&format!("{}/compare", s.base)).await.unwrap();
        b.click("input[value='protective-agency']").await;
        b.click("input[value='trusting-agency']").await;
        // A third employer's policy, handed over at interview: pasted, not served.
        let pasted = std::fs::read_to_string(root().join("policies/open-networker.policy")).unwrap();
        b.c().execute("document.getElementById('pasted-1').value = arguments[0];", vec![json!(pasted)]).await.unwrap();
        b.fill("#jurisdiction", "UK").await;
        b.fill("#role", "consultant").await;
        b.click("input[name=supervisor]").await;
        b.click("button[value=show]").await;
        let scores = b.wait_text("table.scores", |t| !t.is_empty()).await;
        // Employers by name, not by letter.
        assert!(scores.contains("Castlegate Recruitment"), "{scores}");
        assert!(scores.contains("covenant burden"), "{scores}");
        assert!(scores.contains("Open Door Search"), "the pasted employer is compared: {scores}");
        // The timeline: one bar per covenant, starting the day you leave, said in words as well.
        let bars = b.c().find_all(Locator::Css("figure.timeline svg rect.bar")).await.unwrap();
        assert!(!bars.is_empty(), "no covenant drawn");
        let caption = b.text("figure.timeline figcaption").await;
        assert!(caption.contains("non-solicitation"), "{caption}");
        let svg = b.c().find(Locator::Css("figure.timeline svg")).await.unwrap().html(false).await.unwrap();
        assert!(svg.contains("you leave") && svg.contains("months"), "{svg}");
        // A cell of the matrix opens on its reasons.
        let cell = b.c().find(Locator::Css("table.matrix td details")).await.unwrap();
        cell.find(Locator::Css("summary")).await.unwrap().click().await.unwrap();
        let reasons = cell.text().await.unwrap();
        assert!(reasons.lines().count() > 1, "{reasons}");
        b.accessible("compare").await;
        b.shot_within("compare", 1900).await;
        b.phone("compare").await;

        // The candidate's own deal-breakers pasted: recognised as theirs, checked against the employers and
        // never shown as one of them.
        let own = std::fs::read_to_string(root().join("policies/candidate-dealbreakers.policy")).unwrap();
        b.c().execute("document.getElementById('pasted-1').value = arguments[0];", vec![json!(own)]).await.unwrap();
        b.click("button[value=show]").await;
        let answer = b.wait_text("ul.answers", |t| !t.is_empty()).await;
        assert!(answer.contains("Castlegate Recruitment") && answer.contains("deal-breakers"), "{answer}");
        let head = b.text("table.matrix thead").await;
        assert!(!head.contains("Priya Shah"), "the deal-breakers are shown as an employer: {head}");
        // With a second set chosen from the list as well: which one is meant is asked, not guessed.
        b.select("#against", "candidate-dealbreakers").await;
        b.click("button[value=show]").await;
        let alert = b.wait_text("p.alert", |t| !t.is_empty()).await;
        assert!(alert.contains("two sets of deal-breakers"), "{alert}");
    });
    // The full report downloads as one self-contained HTML file.
    let page = s.agent.get(&format!("{}/compare", s.base)).call().unwrap();
    let cookie = page.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    let html = page.into_string().unwrap();
    let token = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = s
        .agent
        .post(&format!("{}/compare", s.base))
        .set("cookie", &cookie)
        .send_form(&[("csrf", &token), ("policies", "brightwater"), ("policies", "open-networker"), ("op", "download")])
        .unwrap();
    assert!(r.header("content-disposition").unwrap().starts_with("attachment"));
    let report = r.into_string().unwrap();
    assert!(report.contains("Brightwater") && !report.contains("<script src"), "{}", &report[..200]);
}

#[test]
fn what_a_change_does_shows_each_change_with_an_example_needs_browser() {
    let Some(t) = tools("what_a_change_does_shows_each_change_with_an_example_needs_browser") else { return };
    let dir = temp_dir("change");
    let old = "policy \"Daily limits\" default allow\nroles consultant\n\nposting on twitter {\n  limit 10 posts per day\n}\n";
    std::fs::write(dir.join("limits.policy"), old).unwrap();
    let s = serve(&dir, &[]);
    run(async {
        let b = Browser::start(&t).await;
        b.c().goto(&format!("{}/", s.base)).await.unwrap();
        b.click(".cards a[href='/change']").await;
        b.select("#old", "limits").await;
        b.fill("#new-source", &old.replace("limit 10", "limit 6")).await;
        b.click("button[value=show]").await;
        let report = b.wait_text("section.report", |t| !t.is_empty()).await;
        assert!(report.contains("1 stricter"), "{report}");
        assert!(report.contains("posts_today is 6 to 9"), "{report}");
        assert!(report.contains("limit 6 posts per day"), "{report}");
        // The witnesses fold away, as in the markdown for a review thread.
        let witnesses = b.c().find(Locator::Css("section.report details")).await.unwrap();
        assert_eq!(witnesses.attr("open").await.unwrap(), None, "the witnesses are folded");
        let summary = witnesses.find(Locator::Css("summary")).await.unwrap();
        summary.click().await.unwrap();
        assert!(witnesses.text().await.unwrap().contains("posts_today"));
        b.accessible("what does this change do?").await;
        b.shot("change").await;
        b.phone("change").await;
    });
}

/// A policy whose file name and words try to run script on the page.
const HOSTILE: &str = r#"policy "<img src=x onerror=\"document.title='pwned'\"> & co" default deny
roles consultant

rule no_scripts "<script>document.title='pwned'</script>" {
  when channel = twitter
  then deny
  because "<script>document.title='pwned'</script></details><b onmouseover=\"document.title='pwned'\">bold</b> [click](javascript:document.title='pwned')"
}
"#;

#[test]
fn hostile_names_are_shown_as_text_and_forged_forms_are_refused_needs_browser() {
    let Some(t) = tools("hostile_names_are_shown_as_text_and_forged_forms_are_refused_needs_browser") else {
        return;
    };
    let dir = temp_dir("hostile");
    let name = "x\"><svg onload=document.title='pwned'>";
    std::fs::write(dir.join(format!("{name}.policy")), HOSTILE).unwrap();
    let s = serve(&dir, &[]);
    run(async {
        let b = Browser::start(&t).await;
        b.c().goto(&format!("{}/may-i", s.base)).await.unwrap();
        b.click("form.choose button").await;
        b.wait_text("h2", |t| t.contains("What do you want to do?")).await;
        let choice = b.text("#policy-choice option").await;
        assert!(choice.contains("<img src=x onerror="), "the title is shown as written: {choice}");
        assert!(choice.contains(name), "the file name is shown as written: {choice}");
        b.fill("#f-actor-id", "mallory").await;
        b.select("#f-action", "post").await;
        b.select("#f-actor-role", "consultant").await;
        b.select("#f-actor-status", "employed").await;
        b.select("#f-channel", "twitter").await;
        b.click("form.ask button.primary").await;
        b.wait_text("#verdict-words", |t| t.contains("No, you may not.")).await;
        b.click("details.explanation summary").await;
        let explanation = b.text("details.explanation .md").await;
        assert!(explanation.contains("<script>document.title='pwned'</script>"), "{explanation}");
        assert!(explanation.contains("<b onmouseover="), "{explanation}");
        let tags = b
            .c()
            .execute(
                "return document.querySelectorAll('main script, main img, main svg, main b, main a[href^=javascript]').length;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(tags, json!(0), "markup from the policy became elements");
        assert_ne!(b.c().title().await.unwrap(), "pwned");
        b.shot("hostile").await;
    });

    // Forms without this service's anti-forgery token, or from another site, change nothing.
    let post = |cookie: Option<&str>, origin: Option<&str>, body: &str| {
        let mut r = s.agent.post(&format!("{}/may-i", s.base)).set("content-type", "application/x-www-form-urlencoded");
        if let Some(c) = cookie {
            r = r.set("cookie", c);
        }
        if let Some(o) = origin {
            r = r.set("origin", o);
        }
        match r.send_string(body) {
            Ok(resp) => resp.status(),
            Err(ureq::Error::Status(code, _)) => code,
            Err(e) => panic!("{e}"),
        }
    };
    let form = format!(
        "policy={}&actor.id=forger&action=post&actor.role=consultant&actor.status=employed&channel=twitter",
        urlencode(name)
    );
    assert_eq!(post(None, None, &form), 403, "no token");
    assert_eq!(post(Some("smpolicy_csrf=00112233445566778899aabbccddeeff"), None, &format!("{form}&csrf=abc")), 403);
    // A real cookie and token, read from a page, pass; the same from another origin does not.
    let page = s.agent.get(&format!("{}/may-i?policy={}", s.base, urlencode(name))).call().unwrap();
    let cookie = page.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    let html = page.into_string().unwrap();
    let token = html.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let good = format!("{form}&csrf={token}");
    assert_eq!(post(Some(&cookie), Some("http://evil.example"), &good), 403, "another origin");
    assert!(log_of(&s, "forger").is_empty(), "a refused form was decided");
    assert_eq!(post(Some(&cookie), None, &good), 200);
    assert_eq!(log_of(&s, "forger").len(), 1);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn pages_honour_the_services_tokens_and_scopes_needs_browser() {
    let Some(t) = tools("pages_honour_the_services_tokens_and_scopes_needs_browser") else { return };
    let dir = shipped_policies();
    let tokens =
        tokens_file(&dir, &[("consultant-ann", "ann-secret", &["decide"]), ("auditor", "aud-secret", &["log"])]);
    let s = serve(&dir, &["--tokens", tokens.to_str().unwrap()]);
    // Without a sign-in, no page; the API is unchanged.
    let r = ureq::AgentBuilder::new().redirects(0).build().get(&format!("{}/may-i", s.base)).call();
    match r {
        Err(ureq::Error::Status(303, resp)) | Ok(resp) => {
            assert_eq!(resp.status(), 303);
            assert_eq!(resp.header("location"), Some("/login?next=/may-i"));
        }
        Err(e) => panic!("{e}"),
    }
    run(async {
        let b = Browser::start(&t).await;
        b.c().goto(&format!("{}/may-i", s.base)).await.unwrap();
        assert_eq!(b.path().await, "/login");
        b.fill("#token", "wrong").await;
        b.click("form.stack button").await;
        b.wait_text("main", |t| t.contains("not valid")).await;
        b.accessible("sign in (refused)").await;
        b.shot("sign-in").await;
        // A valid token without the page's scope: 403, in words.
        b.fill("#token", "aud-secret").await;
        b.click("form.stack button").await;
        let text = b.wait_text("main", |t| t.contains("scope")).await;
        assert!(text.contains("auditor") && text.contains("decide"), "{text}");
        b.click("a.relogin").await;
        assert_eq!(b.path().await, "/login");
        b.fill("#token", "ann-secret").await;
        b.click("form.stack button").await;
        b.wait_text("h1", |t| t.contains("What do you want to know?")).await;
        b.click(".cards a[href='/may-i']").await;
        assert_eq!(b.path().await, "/may-i");
        b.select("#policy-choice", "trusting-agency").await;
        b.click("form.choose button").await;
        b.wait_text("h2", |t| t.contains("What do you want to do?")).await;
        b.select("#f-action", "post").await;
        b.select("#f-actor-role", "consultant").await;
        b.select("#f-actor-status", "employed").await;
        b.click("form.ask button.primary").await;
        b.wait_text("#verdict-words", |t| !t.is_empty()).await;
        let who = b.text("form.who").await;
        assert!(who.contains("consultant-ann"), "{who}");
    });
    // The decision is the signed-in token's.
    let mut audit = s.agent.get(&format!("{}/v1/log?actor=consultant-ann", s.base));
    audit = audit.set("authorization", "Bearer aud-secret");
    let v: Value = serde_json::from_str(&audit.call().unwrap().into_string().unwrap()).unwrap();
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{v}");
    assert_eq!(entries[0]["caller"], "consultant-ann", "{v}");
}
