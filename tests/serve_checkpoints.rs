//! Checkpoints signed with an Ed25519 key pair of `smpolicy log keygen`: the
//! server holds the private key, and whoever checks holds only the public one
//! — an auditor who can verify but could not forge a line.

use crate::serve::{decide_and_perform, one_policy, post_action, run, wait_for, Server, ALLOW};
use serde_json::Value;
use std::path::Path;

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap_or_default().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn verify(args: &[&str]) -> (i32, String) {
    let mut all = vec!["log", "verify"];
    all.extend_from_slice(args);
    let (code, out, err) = run(&all);
    (code, format!("{out}{err}"))
}

#[test]
fn checkpoints_signed_with_a_private_key_are_checked_with_the_public_one_alone() {
    let dir = one_policy(ALLOW);
    let (log, checkpoints, name) = (dir.join("log.sqlite"), dir.join("checkpoints.jsonl"), dir.join("audit"));
    let (code, out, err) = run(&["log", "keygen", "--out", name.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let (private, public) = (name.with_extension("key"), name.with_extension("pub"));
    assert!(out.contains("audit.key") && out.contains("audit.pub"), "{out}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&private).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // Never overwritten.
    let (code, _, err) = run(&["log", "keygen", "--out", name.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("never overwritten"), "{err}");

    let (l, c) = (log.to_str().unwrap(), checkpoints.to_str().unwrap());
    let s = Server::start(
        &dir,
        l,
        &["--checkpoints", c, "--checkpoint-key", private.to_str().unwrap(), "--checkpoint-every-s", "1"],
    );
    decide_and_perform(&s, &post_action("ed0"));
    wait_for("a checkpoint", || lines(&checkpoints).iter().any(|c| c["position"] == 2));
    drop(s);
    let made = lines(&checkpoints);
    let first = made.first().unwrap();
    assert_eq!(first["sig"].as_str().unwrap().len(), 128, "an Ed25519 signature: {first}");
    assert!(first.get("mac").is_none(), "{first}");

    // The public key alone checks them.
    let p = public.to_str().unwrap();
    let (code, out) = verify(&["--log", l, "--checkpoints", c, "--checkpoint-key", p]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("checkpoints: ") && !out.contains("not checked"), "{out}");

    // A line edited (its position moved back) no longer carries a valid signature.
    let text = std::fs::read_to_string(&checkpoints).unwrap();
    let edited = dir.join("edited.jsonl");
    std::fs::write(&edited, text.replacen("\"position\":2", "\"position\":1", 1)).unwrap();
    let (code, out) = verify(&["--log", l, "--checkpoints", edited.to_str().unwrap(), "--checkpoint-key", p]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("its signature does not match the key"), "{out}");

    // Another pair's public key does not check them: nobody else could have made these lines.
    let other = dir.join("other");
    assert_eq!(run(&["log", "keygen", "--out", other.to_str().unwrap()]).0, 0);
    let o = other.with_extension("pub");
    let (code, out) = verify(&["--log", l, "--checkpoints", c, "--checkpoint-key", o.to_str().unwrap()]);
    assert_eq!(code, 3, "{out}");

    // A line signed with an HMAC secret instead does not pass for one signed with the private key.
    let forged = dir.join("forged.jsonl");
    let mut line: Value = first.clone();
    line.as_object_mut().unwrap().remove("sig");
    line["mac"] = "00".repeat(32).into();
    std::fs::write(&forged, format!("{line}\n")).unwrap();
    let (code, out) = verify(&["--log", l, "--checkpoints", forged.to_str().unwrap(), "--checkpoint-key", p]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("carries only an HMAC"), "{out}");
}
