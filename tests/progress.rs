//! Progress of long work on standard error: drawn on a terminal, never in a
//! pipe. The terminal is a pseudo-terminal from util-linux's `script`
//! (Debian's essential `bsdutils`).

use crate::util::root;
use std::process::Command;

const DIFF: [&str; 3] = ["diff", "policies/protective-agency.policy", "docs/examples/diff/castlegate-v6.policy"];

#[test]
fn a_long_diff_shows_its_search_on_a_terminal_and_nothing_in_a_pipe() {
    // On a terminal: standard output goes to /dev/null, so what `script` records is standard error.
    let cmd = format!("{} {} > /dev/null", env!("CARGO_BIN_EXE_smpolicy"), DIFF.join(" "));
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(root())
        .env("TERM", "xterm")
        .output()
        .expect("`script` (util-linux) runs");
    let seen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{seen}");
    assert!(seen.contains("searching the situations (nodes)"), "no progress drawn on a terminal: {seen:?}");
    // In a pipe: the report on standard output, and not a byte of progress.
    let out = Command::new(env!("CARGO_BIN_EXE_smpolicy")).args(DIFF).current_dir(root()).output().unwrap();
    assert!(out.status.success() || out.status.code() == Some(3), "{out:?}");
    assert!(!out.stdout.is_empty());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "", "progress leaked into a pipe");
}
