//! Markdown reports carry names and reasons written by whoever wrote a policy
//! (a candidate may upload any employer's): none of them may become markup
//! where the report is rendered, a review thread or a page (issue #16).

use crate::util::{run, run_stdin, stdout};

/// A policy whose name, reasons and advice try an HTML tag, an entity and two kinds of link.
const HOSTILE: &str = r#"policy "<img src=x onerror=alert(1)> & [win](javascript:alert(2))"
  effective 2026-01-01
  default allow

roles consultant

rule no-job-ads "<script>alert(3)</script> [here][1]" {
  when action = post and content.kind has job_ad
  then deny
  because "[1]: javascript:alert(4) and <b>bold</b>"
  advise "Ask <i>marketing</i> &amp; co."
}
"#;

fn policy_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("smpolicy-md-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.policy"));
    std::fs::write(&path, text).unwrap();
    path
}

/// No live tag, entity or link survives, outside code spans or in them.
fn inert(what: &str, md: &str) {
    for bad in ["<img", "<script", "<b>", "<i>", "](javascript", "][1]", "[1]: javascript"] {
        let live = md
            .replace("\\]", "")
            .lines()
            .flat_map(|l| l.split('`').step_by(2)) // outside code spans
            .any(|outside| outside.contains(bad));
        assert!(!live, "{what}: `{bad}` is live markup in:\n{md}");
    }
}

#[test]
fn names_and_reasons_are_text_in_every_markdown_report() {
    let p = policy_file("hostile", HOSTILE);
    let ps = p.to_str().unwrap();
    let post = r#"{"action":"post","at":"2026-06-01T10:00:00Z","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"twitter","content":{"kind":["job_ad"]}}"#;
    let md = stdout(&run_stdin(&["eval", ps, "-", "--format", "markdown", "--now", "2026-06-01T12:00:00Z"], post));
    assert!(md.contains("&lt;img src=x onerror=alert(1)>"), "{md}");
    assert!(
        md.contains("ask &lt;i>marketing&lt;/i> &amp;amp; co.")
            || md.contains("Ask &lt;i>marketing&lt;/i> &amp;amp; co."),
        "{md}"
    );
    inert("eval", &md);
    // An export of several groups of contacts: the report's head names the policy too.
    let export = r#"{"action":"export","at":"2026-06-01T10:00:00Z","actor":{"id":"a","role":"consultant","status":"employed"},"contacts":[{"count":3,"origin":"agency_database"},{"count":2,"origin":"before_employment"}]}"#;
    let md = stdout(&run_stdin(&["eval", ps, "-", "--format", "markdown", "--now", "2026-06-01T12:00:00Z"], export));
    assert!(md.contains("### Group ") && md.contains("&lt;img src=x onerror=alert(1)>"), "{md}");
    inert("eval of several groups", &md);

    let fair = policy_file("fair", "policy \"Fair\"\n  effective 2026-01-01\n  default allow\n\nroles consultant\n");
    let md = stdout(&run(&["compare", ps, fair.to_str().unwrap(), "--format", "markdown"]));
    assert!(md.contains("&lt;img"), "{md}");
    inert("compare", &md);

    let md = stdout(&run(&["diff", fair.to_str().unwrap(), ps, "--format", "markdown"]));
    assert!(md.contains("&lt;img"), "{md}");
    inert("diff", &md);
}
