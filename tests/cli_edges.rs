//! The binary at its edges: a closed pipe, standard input, directories,
//! unknown codes, flags out of place, plain dates, batch input that is too
//! long, not UTF-8, YAML or a fifo, and the set-up's own promises.

use crate::util::root;
use std::io::Write;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_smpolicy");
const PROTECTIVE: &str = "policies/protective-agency.policy";

fn cmd(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args).current_dir(root()).env("NO_COLOR", "1");
    c
}

/// Runs with `input` on standard input (none: /dev/null), standard output
/// going to `stdout`, standard error captured.
fn run_io(args: &[&str], input: Option<&[u8]>, stdout: Stdio) -> Output {
    let mut child = cmd(args)
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = input {
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    child.wait_with_output().unwrap()
}

/// Runs with `input` on standard input (none: /dev/null), output captured.
fn run_with(args: &[&str], input: Option<&[u8]>) -> Output {
    run_io(args, input, Stdio::piped())
}

fn run(args: &[&str]) -> Output {
    run_with(args, None)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Runs with standard output a pipe whose read end is closed before the
/// program starts, so that its first write fails (no race with the reader).
fn run_closed(args: &[&str], input: Option<&[u8]>) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    run_io(args, input, Stdio::from(writer))
}

/// A scratch file, unique to this test run.
fn temp_file(name: &str, contents: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("smpolicy-cli-edges-{}", std::process::id())).join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, contents).unwrap();
    path
}

/// A small policy in Los Angeles that denies before March 2026, and its
/// next version, which denies before April: quick to diff.
const TZ_POLICY: &str = "policy \"tz\"\n  default allow\n  timezone \"America/Los_Angeles\"\n\nroles recruiter\n\nrule before-march {\n  when at < 2026-03-01\n  then deny\n}\n";

/// Many good batch lines (more than one block), for a run that writes a lot.
fn many_lines(n: usize) -> Vec<u8> {
    let line = br#"{"action":"post","at":"2026-03-14T15:05:00Z","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"twitter","content":{"kind":"industry"}}"#;
    let mut out = Vec::with_capacity(n * (line.len() + 1));
    for _ in 0..n {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out
}

#[test]
fn a_closed_pipe_ends_every_command_quietly_with_its_own_exit_code() {
    let policy = std::fs::read(root().join(PROTECTIVE)).unwrap();
    let batch = many_lines(2_000);
    let old = temp_file("pipe-old.policy", TZ_POLICY.as_bytes());
    let new = temp_file("pipe-new.policy", TZ_POLICY.replace("03-01", "04-01").as_bytes());
    let (old, new) = (old.to_str().unwrap(), new.to_str().unwrap());
    let cases: &[(&[&str], Option<&[u8]>)] = &[
        (&["eval", PROTECTIVE, "docs/examples/actions/eleventh-tweet.yaml"], None),
        (&["eval", PROTECTIVE, "docs/examples/actions/eleventh-tweet.yaml", "--format", "json"], None),
        (&["eval", PROTECTIVE, "docs/examples/actions/solicit-after-leaving.yaml", "--format", "markdown"], None),
        (&["eval", PROTECTIVE, "--batch", "--now", "2026-03-14T12:00:00Z"], Some(&batch)),
        (&["eval", PROTECTIVE, "--batch", "--explain", "--now", "2026-03-14T12:00:00Z"], Some(&batch)),
        (&["check", "--explain", "never-fires"], None),
        (&["check", "--list-codes"], None),
        (&["check", "--error-format", "json", "docs/examples/mistakes.policy"], None),
        (&["fmt", "-"], Some(&policy)),
        (&["terms", "policies/candidate-dealbreakers.policy", "docs/examples/contracts/offer.yaml"], None),
        (&["test", PROTECTIVE], None),
        (&["test", PROTECTIVE, "--format", "json"], None),
        (&["compare", "policies/trusting-agency.policy", PROTECTIVE], None),
        (&["compare", "policies/trusting-agency.policy", PROTECTIVE, "--format", "json"], None),
        (&["diff", old, new], None),
        (&["diff", old, new, "--format", "json"], None),
        (&["diff", old, new, "--fail-on", "stricter"], None),
        (&["completions", "bash"], None),
        (&["man"], None),
        (&["debug", "ast", PROTECTIVE], None),
    ];
    for (args, input) in cases {
        let open = run_with(args, *input);
        assert!(!open.stdout.is_empty(), "{args:?} writes nothing: {}", text(&open.stderr));
        let closed = run_closed(args, *input);
        let err = text(&closed.stderr);
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{args:?}: {err}");
        assert_eq!(closed.status.code(), open.status.code(), "{args:?}: {err}");
    }
}

#[test]
fn a_failed_write_that_is_not_a_closed_pipe_is_an_error() {
    // /dev/full takes no bytes: output was lost, so success would be a lie.
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else { return };
    let o = cmd(&["check", "--list-codes"]).stdout(full).stderr(Stdio::piped()).output().unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("error: cannot write to standard output"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn fmt_check_on_standard_input_fails_when_it_is_not_formatted_and_can_show_the_diff() {
    let messy = "policy \"x\"   default allow\nroles consultant\nrule r { when actor.role = consultant then deny }\n";
    let o = run_with(&["fmt", "--check", "-"], Some(messy.as_bytes()));
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    assert_eq!(text(&o.stderr), "<stdin>: not formatted\n");
    assert!(o.stdout.is_empty(), "--check changes nothing and prints nothing without --diff");

    let o = run_with(&["fmt", "--check", "--diff", "-"], Some(messy.as_bytes()));
    assert_eq!(o.status.code(), Some(3));
    let diff = text(&o.stdout);
    assert!(diff.starts_with("--- <stdin>\n+++ <stdin> (formatted)\n@@ -1,3 +1,9 @@\n"), "{diff}");
    assert!(diff.contains("\n-rule r { when actor.role = consultant then deny }\n+\n+rule r {\n"), "{diff}");

    // Formatted input passes, on standard input as for a file.
    let clean = std::fs::read(root().join(PROTECTIVE)).unwrap();
    let o = run_with(&["fmt", "--check", "--diff", "-"], Some(&clean));
    assert_eq!((o.status.code(), o.stdout.len()), (Some(0), 0), "{}", text(&o.stderr));
    let messy_file = temp_file("fmt/messy.policy", messy.as_bytes());
    let o = run(&["fmt", "--check", "--diff", PROTECTIVE, messy_file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    assert!(text(&o.stdout).starts_with(&format!("--- {}\n", messy_file.display())), "{}", text(&o.stdout));
    assert_eq!(std::fs::read_to_string(&messy_file).unwrap(), messy, "--check writes nothing");

    // A directory stands for its policies.
    let o = run(&["fmt", "--check", "policies"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let o = run(&["fmt", "--check", messy_file.parent().unwrap().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("messy.policy: not formatted"), "{}", text(&o.stderr));

    // --diff is a way of checking, not of writing.
    let o = run(&["fmt", "--diff", PROTECTIVE]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("--check"), "{}", text(&o.stderr));
}

#[test]
fn check_reads_every_policy_under_a_directory_in_name_order() {
    let o = run(&["check", "--error-format", "short", "policies", "docs/examples"]);
    let err = text(&o.stderr);
    let mut expected = 0;
    for dir in ["policies", "docs/examples"] {
        let mut stack = vec![root().join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "policy") {
                    expected += 1;
                }
            }
        }
    }
    assert!(expected > 8);
    assert!(err.contains(&format!("checked {expected} files: 2 errors, 2 warnings")), "{err}");
    assert_eq!(o.status.code(), Some(3), "mistakes.policy has errors: {err}");
    assert!(err.contains("docs/examples/mistakes.policy:9:25: error[unknown-name]"), "{err}");

    // Under a directory: every `.policy` file at any depth, in name order, nothing else.
    let warned = b"policy \"x\"\nroles r\nrule r { when actor.role = r then deny }\n";
    let tree = temp_file("tree/z.policy", b"").parent().unwrap().to_path_buf();
    std::fs::create_dir_all(tree.join("a")).unwrap();
    for name in ["z.policy", "a.policy", "a/b.policy"] {
        std::fs::write(tree.join(name), warned).unwrap();
    }
    std::fs::write(tree.join("notes.txt"), "not a policy").unwrap();
    let o = run(&["check", "--error-format", "short", tree.to_str().unwrap()]);
    let err = text(&o.stderr);
    let files: Vec<String> = err
        .lines()
        .filter_map(|l| l.split(':').next())
        .filter_map(|f| f.strip_prefix(tree.to_str().unwrap()))
        .map(str::to_string)
        .collect();
    assert_eq!(files, ["/a/b.policy", "/a.policy", "/z.policy"], "{err}");
    assert!(err.contains("checked 3 files: 0 errors, 3 warnings"), "{err}");
    assert_eq!(o.status.code(), Some(0), "{err}");

    let o = run(&["check", "policies"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    let o = run(&["check", "no/such/place"]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("cannot read `no/such/place`") && err.contains("checked 0 files"), "{err}");

    let empty = std::env::temp_dir().join(format!("smpolicy-cli-edges-{}-empty", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let o = run(&["check", empty.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "nothing to check is not a pass");
    assert!(text(&o.stderr).contains("no `.policy` file under"), "{}", text(&o.stderr));
}

#[test]
fn unknown_codes_are_errors_with_a_suggestion_and_every_code_is_listed() {
    let o = run(&["check", "--deny", "shadowed-rul", PROTECTIVE]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("no diagnostic is called `shadowed-rul`; did you mean `shadowed-rule`?"), "{err}");
    let o = run(&["check", "--deny", "shadowed-rule", "--deny", "zzzz", PROTECTIVE]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("`zzzz`") && !text(&o.stderr).contains("`shadowed-rule`?"));
    let o = run(&["check", "--deny", "shadowed-rule", PROTECTIVE]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));

    let o = run(&["check", "--list-codes"]);
    assert_eq!(o.status.code(), Some(0));
    let listed = text(&o.stdout);
    let codes: Vec<&str> = listed.lines().map(|l| l.split_whitespace().next().unwrap()).collect();
    let known: Vec<&str> = smpolicy::check::codes().collect();
    assert_eq!(codes, known);
    for line in listed.lines() {
        let meaning = line.split_once("  ").unwrap().1.trim();
        assert!(meaning.ends_with('.') && meaning.len() > 20, "{line}");
    }
    assert!(listed.contains("(Cal. Bus. & Prof. Code"), "an abbreviation does not end the sentence");
}

#[test]
fn flags_that_do_not_apply_to_the_mode_are_errors() {
    let action = "docs/examples/actions/eleventh-tweet.yaml";
    let refused: &[&[&str]] = &[
        &["eval", PROTECTIVE, action, "--explain"],
        &["eval", PROTECTIVE, action, "--full"],
        &["eval", PROTECTIVE, "--batch", "--why-not"],
        &["eval", PROTECTIVE, "--batch", "--format", "json"],
        &["eval", PROTECTIVE, "--batch", "--explain", "--full"],
        &["check", "--explain", "never-fires", PROTECTIVE],
        &["check", "--explain", "never-fires", "--strict"],
        &["check", "--list-codes", "--deny", "never-fires"],
        &["check", "--list-codes", "--error-format", "json"],
        &["fmt", "--diff", PROTECTIVE],
        &[
            "terms",
            "policies/candidate-dealbreakers.policy",
            "docs/examples/contracts/offer.yaml",
            "--format",
            "markdown",
        ],
        &["test", PROTECTIVE, "--format", "markdown"],
    ];
    for args in refused {
        let o = run_with(args, Some(b""));
        assert_eq!(o.status.code(), Some(1), "{args:?} should be refused: {}", text(&o.stderr));
        assert!(text(&o.stderr).starts_with("error: "), "{args:?}: {}", text(&o.stderr));
    }
    let o = run_with(&["eval", PROTECTIVE, "--batch", "--explain"], Some(b""));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
}

#[test]
fn check_error_format_json_writes_only_json_lines_on_standard_output() {
    let o = run(&["check", "--error-format", "json", "docs/examples/mistakes.policy", PROTECTIVE]);
    assert_eq!(o.status.code(), Some(3));
    let out = text(&o.stdout);
    assert_eq!(out.lines().count(), 3, "{out}");
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["code"].is_string() && v["severity"].is_string() && v["line"].is_u64(), "{line}");
    }
    assert!(text(&o.stderr).contains("checked 2 files"), "the summary stays on standard error");
}

#[test]
fn now_takes_a_plain_date_as_midnight_in_the_policys_timezone() {
    let policy = temp_file("tz.policy", TZ_POLICY.as_bytes());
    let action =
        temp_file("no-at.yaml", b"action: post\nactor: {id: a, role: recruiter, status: employed}\nchannel: twitter\n");
    let eval = |now: &str| {
        let o = run(&["eval", policy.to_str().unwrap(), action.to_str().unwrap(), "--now", now]);
        (o.status.code(), text(&o.stdout).lines().next().unwrap_or_default().to_string(), text(&o.stderr))
    };
    // Midnight on 1 March in Los Angeles is 08:00 UTC: March there, February in a UTC reading.
    assert_eq!(eval("2026-03-01").0, Some(0), "{:?}", eval("2026-03-01"));
    assert_eq!(eval("2026-03-01T07:59:59Z").0, Some(2));
    assert_eq!(eval("2026-03-01T08:00:00Z").0, Some(0));
    assert_eq!(eval("2026-02-28").0, Some(2));
    let (code, _, err) = eval("2026-03-01T10:00");
    assert_eq!(code, Some(1));
    assert!(err.contains("a time needs an offset: write `2026-03-01T10:00:00Z` for UTC"), "{err}");
    let (code, _, err) = eval("March");
    assert_eq!(code, Some(1));
    assert!(err.contains("expected a date such as `2026-03-01`"), "{err}");
    // The same reading in `test`.
    let cases = temp_file(
        "tz.tests.yaml",
        b"- name: first of March\n  action: {action: post, actor: {id: a, role: recruiter, status: employed}, channel: twitter}\n  expect: allow\n",
    );
    let o = run(&["test", policy.to_str().unwrap(), cases.to_str().unwrap(), "--now", "2026-03-01"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", text(&o.stdout), text(&o.stderr));
    let o = run(&["test", policy.to_str().unwrap(), cases.to_str().unwrap(), "--now", "2026-02-28"]);
    assert_eq!(o.status.code(), Some(3), "{}{}", text(&o.stdout), text(&o.stderr));
}

/// One good batch line (155 bytes with its line end).
const GOOD: &[u8] = br#"{"action":"post","at":"2026-03-14T15:05:00Z","actor":{"id":"a","role":"consultant","status":"employed"},"channel":"twitter","content":{"kind":"industry"}}"#;

fn records(out: &[u8]) -> Vec<serde_json::Value> {
    text(out).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// The peak resident memory of a running process, in KB (Linux).
fn peak_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_line_over_the_cap_is_an_error_record_and_is_never_held() {
    let mut child = cmd(&["eval", PROTECTIVE, "--batch", "--now", "2026-03-14T12:00:00Z"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(GOOD).unwrap();
    stdin.write_all(b"\n{\"x\":\"").unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..64 {
        stdin.write_all(&chunk).unwrap();
    }
    // 64 MiB of one line went in and the program is waiting for its end.
    let peak = peak_kb(child.id());
    stdin.write_all(b"\"}\n").unwrap();
    stdin.write_all(GOOD).unwrap();
    stdin.write_all(b"\n").unwrap();
    drop(stdin);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "a bad line makes the run fail: {}", text(&o.stderr));
    let recs = records(&o.stdout);
    assert_eq!(recs.len(), 3, "{recs:?}");
    assert_eq!(recs[0]["line"], 1);
    assert!(recs[0]["verdict"].is_string());
    assert_eq!(recs[1]["line"], 2);
    assert_eq!(recs[1]["error"]["offset"], GOOD.len() + 1);
    assert_eq!(recs[1]["error"]["message"], "the line is longer than 1048576 bytes (1 MiB) and was skipped");
    assert_eq!((recs[2]["line"].as_u64(), recs[2]["verdict"].is_string()), (Some(3), true), "{:?}", recs[2]);
    assert!(text(&o.stderr).contains("3 lines: 2 decided"), "{}", text(&o.stderr));
    if let Some(kb) = peak {
        assert!(kb < 48 * 1024, "peak memory {kb} KB: the long line was held");
    }

    // A line of exactly the cap is read (and is bad JSON here, not too long);
    // one byte more is too long; the last line may end without a line end.
    let mut input = GOOD.to_vec();
    input.push(b'\n');
    input.extend(std::iter::repeat_n(b' ', (1 << 20) - 2));
    input.extend_from_slice(b"[]\n");
    input.extend(std::iter::repeat_n(b' ', (1 << 20) - 1));
    input.extend_from_slice(b"[]\n");
    input.extend(std::iter::repeat_n(b'x', (1 << 20) + 1));
    let o = run_with(&["eval", PROTECTIVE, "--batch", "--now", "2026-03-14T12:00:00Z"], Some(&input));
    let recs = records(&o.stdout);
    assert_eq!(recs.len(), 4, "{recs:?}");
    assert!(recs[1]["error"]["message"].as_str().unwrap().contains("an action is a JSON object"), "{:?}", recs[1]);
    assert!(recs[2]["error"]["message"].as_str().unwrap().contains("longer than"), "{:?}", recs[2]);
    assert_eq!(recs[3]["line"], 4);
    assert!(recs[3]["error"]["message"].as_str().unwrap().contains("longer than"), "{:?}", recs[3]);
}

#[test]
fn a_line_that_is_not_utf8_is_named_with_its_byte_offset() {
    let mut input = GOOD.to_vec();
    input.extend_from_slice(b"\n{\"a\":\"caf\xe9\"}\n");
    input.extend_from_slice(GOOD);
    let o = run_with(&["eval", PROTECTIVE, "--batch", "--now", "2026-03-14T12:00:00Z"], Some(&input));
    assert_eq!(o.status.code(), Some(1));
    let recs = records(&o.stdout);
    assert_eq!(recs.len(), 3);
    let e = &recs[1]["error"];
    assert_eq!((recs[1]["line"].as_u64(), e["column"].as_u64(), e["offset"].as_u64()), (Some(2), Some(10), Some(164)));
    assert_eq!(
        e["message"],
        "not UTF-8: byte 0xe9 at column 10 (byte offset 164 of the input) does not start a UTF-8 character"
    );
    assert!(recs[2]["verdict"].is_string());

    // A file read whole says where, too.
    let action = temp_file("latin1.yaml", b"action: post\ncontent: {text: \"caf\xe9\"}\n");
    let o = run(&["eval", PROTECTIVE, action.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("is not UTF-8 text: byte 0xe9 at line 2, column 21 (byte offset 33)"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn yaml_fed_to_batch_gets_a_hint() {
    let yaml = std::fs::read(root().join("docs/examples/actions/eleventh-tweet.yaml")).unwrap();
    let o = run_with(&["eval", PROTECTIVE, "--batch"], Some(&yaml));
    assert_eq!(o.status.code(), Some(1));
    let recs = records(&o.stdout);
    assert!(!recs.is_empty());
    for r in &recs {
        let help = r["error"]["help"].as_str().unwrap_or_default();
        assert!(help.starts_with("this looks like YAML: --batch reads JSON Lines"), "{r}");
    }
    assert!(text(&o.stderr).contains("look like YAML: --batch reads JSON Lines"), "{}", text(&o.stderr));
    // Broken JSON is not called YAML.
    let o = run_with(&["eval", PROTECTIVE, "--batch"], Some(b"{\"action\": post}\n"));
    let recs = records(&o.stdout);
    assert!(!recs[0]["error"]["help"].as_str().unwrap_or_default().contains("YAML"), "{:?}", recs[0]);
}

#[test]
fn a_fifo_is_read_as_a_stream_and_a_device_is_capped() {
    let dir = temp_file("fifo/.keep", b"").parent().unwrap().to_path_buf();
    let fifo = dir.join("actions.fifo");
    let _ = std::fs::remove_file(&fifo);
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.map(|s| s.success()).unwrap_or(false) {
        let child = cmd(&["eval", PROTECTIVE, "--batch", fifo.to_str().unwrap(), "--now", "2026-03-14T12:00:00Z"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
                for _ in 0..3 {
                    f.write_all(GOOD).unwrap();
                    f.write_all(b"\n").unwrap();
                    f.flush().unwrap();
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
            })
        };
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(child.wait_with_output()));
        let o =
            rx.recv_timeout(std::time::Duration::from_secs(60)).expect("eval --batch on a fifo never ended").unwrap();
        writer.join().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
        assert_eq!(records(&o.stdout).len(), 3);
    }
    // A device that never ends is refused once the cap is read, not read forever.
    if std::path::Path::new("/dev/zero").exists() {
        let o = run(&["eval", PROTECTIVE, "/dev/zero"]);
        assert_eq!(o.status.code(), Some(1));
        assert!(text(&o.stderr).contains("`/dev/zero` is larger than 64 MiB"), "{}", text(&o.stderr));
    }
}

/// The `rust-version` in Cargo.toml is true: no package in the locked
/// dependency graph that is built (for the binary, the library or the tests,
/// on this platform) asks for a newer Rust. The README says the same version.
#[test]
fn rust_version_covers_every_locked_dependency() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let vv = Command::new(&rustc).arg("-vV").output().unwrap();
    let host = text(&vv.stdout).lines().find_map(|l| l.strip_prefix("host: ").map(str::to_string)).unwrap();
    let o = Command::new(cargo)
        .args(["metadata", "--locked", "--offline", "--format-version", "1", "--filter-platform", &host])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    let m: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // `1.88` and `1.88.0` are the same version.
    let version = |v: &serde_json::Value| -> [u64; 3] {
        let mut out = [0; 3];
        for (o, p) in out.iter_mut().zip(v.as_str().unwrap_or("0").split('.')) {
            *o = p.parse().unwrap();
        }
        out
    };
    let packages: std::collections::HashMap<&str, &serde_json::Value> =
        m["packages"].as_array().unwrap().iter().map(|p| (p["id"].as_str().unwrap(), p)).collect();
    let nodes: std::collections::HashMap<&str, &serde_json::Value> =
        m["resolve"]["nodes"].as_array().unwrap().iter().map(|n| (n["id"].as_str().unwrap(), n)).collect();
    let root_id = m["resolve"]["root"].as_str().unwrap();
    let ours = &packages[root_id];
    assert_eq!(ours["name"], "smpolicy");
    let promised = version(&ours["rust_version"]);
    // Every package reached through normal and build dependencies, and the
    // root's dev-dependencies (the tests are built too).
    let mut seen = std::collections::BTreeSet::new();
    let mut stack = vec![root_id];
    let mut too_new = Vec::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        let p = packages[id];
        if version(&p["rust_version"]) > promised {
            too_new.push(format!("{} {} needs Rust {}", p["name"], p["version"], p["rust_version"]));
        }
        for dep in nodes[id]["deps"].as_array().unwrap() {
            let kinds = dep["dep_kinds"].as_array().unwrap();
            let built = kinds.iter().any(|k| !k["kind"].is_string() || k["kind"] == "build" || id == root_id);
            if built {
                stack.push(dep["pkg"].as_str().unwrap());
            }
        }
    }
    assert!(seen.len() > 100, "the graph was walked: {}", seen.len());
    assert!(too_new.is_empty(), "Cargo.toml promises Rust {}: {too_new:?}", ours["rust_version"]);
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let said = format!("Rust {} or newer", ours["rust_version"].as_str().unwrap());
    assert!(readme.contains(&said), "README.md should say `{said}`");
}

/// Every file named in the examples of `--help` (the top level's and each
/// subcommand's) exists, except names that stand for the reader's own files.
#[test]
fn help_examples_name_files_that_exist() {
    let mut helps = vec![text(&run(&["--help"]).stdout)];
    for sub in ["check", "fmt", "eval", "terms", "compare", "test", "diff", "serve", "log"] {
        helps.push(text(&run(&[sub, "--help"]).stdout));
    }
    let mut named = 0;
    for (i, help) in helps.iter().enumerate() {
        let examples = help.split_once("Examples:").map(|(_, e)| e).unwrap_or_default();
        for line in examples.lines().filter(|l| l.trim_start().starts_with("smpolicy ")) {
            for word in line.split_whitespace() {
                let file = word.trim_end_matches([',', ';']);
                let is_file = [".policy", ".yaml", ".json", ".jsonl", ".sqlite"].iter().any(|x| file.ends_with(x));
                if !is_file || file.contains("://") {
                    continue;
                }
                // The top level's examples all run as written; a subcommand's may
                // name the reader's own files, written without a directory.
                if i == 0 || file.contains('/') {
                    named += 1;
                    let exists = match file.split_once("/*") {
                        // A glob: its directory holds at least one such file.
                        Some((dir, ext)) => std::fs::read_dir(root().join(dir))
                            .map(|mut d| d.any(|e| e.unwrap().file_name().to_string_lossy().ends_with(ext)))
                            .unwrap_or(false),
                        None => root().join(file).exists(),
                    };
                    assert!(exists, "`{file}` in `{}` does not exist", line.trim());
                }
            }
        }
    }
    assert!(named >= 8, "only {named} files checked");
}

/// Every file the README links to is in the repository (the data contract
/// included), and its set-up commands build exactly the locked versions.
#[test]
fn readme_links_resolve_and_set_up_uses_the_lock_file() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut linked = Vec::new();
    for part in readme.split("](").skip(1) {
        let target = part.split(')').next().unwrap();
        let path = target.split('#').next().unwrap();
        if path.is_empty() || path.contains("://") || path.starts_with("mailto:") {
            continue;
        }
        assert!(root().join(path).exists(), "README.md links to `{path}`, which is not in the repository");
        linked.push(path.to_string());
    }
    assert!(linked.iter().any(|p| p == "docs/data-model.md"), "README.md should link the data contract: {linked:?}");
    for line in readme.lines().filter(|l| l.starts_with("cargo ")) {
        assert!(line.contains("--locked"), "README.md set-up command without --locked: {line}");
    }
}

#[test]
fn color_is_honoured_by_clap_messages_too() {
    let usage = |args: &[&str], force: bool| {
        let mut c = Command::new(BIN);
        c.args(args).current_dir(root()).env_remove("NO_COLOR").env_remove("CLICOLOR");
        if force {
            c.env("CLICOLOR_FORCE", "1");
        } else {
            c.env_remove("CLICOLOR_FORCE");
        }
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(1), "a usage error: {}", text(&o.stderr));
        text(&o.stderr)
    };
    assert!(usage(&["--color", "always", "eval"], false).contains("\x1b["), "--color always colours clap's error");
    assert!(usage(&["eval", "--color=always"], false).contains("\x1b["));
    assert!(!usage(&["eval", "--color", "never"], true).contains('\x1b'), "--color never wins over CLICOLOR_FORCE");
    assert!(!usage(&["eval"], false).contains('\x1b'), "not a terminal: no colour");
    assert!(!usage(&["--color", "always", "eval", "--color", "never"], true).contains('\x1b'), "the last one counts");
}

#[test]
fn batch_shows_progress_on_a_terminal_only() {
    let input = temp_file("progress.jsonl", &many_lines(20_000));
    let args = format!("eval {PROTECTIVE} --batch {} --now 2026-03-14T12:00:00Z", input.display());
    // Not a terminal: standard error is the summary alone.
    let o = run(&args.split(' ').collect::<Vec<_>>());
    assert_eq!(
        text(&o.stderr),
        "20000 lines: 20000 decided (0 allow, 0 require-approval, 0 deny, 20000 indeterminate), 0 bad\n"
    );
    // A terminal (util-linux `script` gives the program one): a bar with the lines counted.
    let Ok(o) = Command::new("script")
        .args(["-qfec", &format!("stty cols 150; {BIN} {args} > /dev/null"), "/dev/null"])
        .current_dir(root())
        .stdin(Stdio::null())
        .output()
    else {
        return;
    };
    if !o.status.success() {
        return; // not util-linux's `script`
    }
    let tty = text(&o.stdout);
    assert!(tty.contains("20000 lines: 20000 decided"), "{tty}");
    assert!(tty.contains(" lines, ") && tty.contains("/s, ") && tty.contains(" left"), "no progress bar: {tty:?}");
}

/// A man page per subcommand: `smpolicy man eval` is `smpolicy-eval(1)`, an
/// unknown name is refused with a suggestion, and `--out-dir` writes every page.
#[test]
fn man_pages_per_subcommand() {
    let out = run(&["man", "eval"]);
    assert!(out.status.success());
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH smpolicy-eval 1"), "{page}");
    assert!(page.contains("\\-\\-why\\-not"), "{page}");
    let out = run(&["man", "evl"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `eval`?"));
    let dir = std::env::temp_dir().join(format!("smpolicy-man-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = run(&["man", "--out-dir", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for name in ["smpolicy.1", "smpolicy-eval.1", "smpolicy-check.1", "smpolicy-log-verify.1", "smpolicy-schema.1"] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(text.starts_with(".ie"), "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
