//! Loading a policy, stage by stage, for profiling: `cd benches && cargo run
//! --release --example load -- FILE...` parses, checks, lowers and compiles
//! each file once and prints the stages' times; `--dump DIR` first writes
//! the benchmark's generated policies there (templated and random
//! conjunctions, seed 7, at 100, 1,000 and 10,000 rules) with the literal Rego
//! module of the same rules beside each (`NAME-N.rego`), so the CLI and
//! callgrind can load the very text the loading table times.
//!
//! Counting one engine alone (each mode loads its file once and prints
//! nothing but a checksum, so callgrind counts that engine's load and the
//! process's fixed cost, which `--only none` measures on its own):
//!
//! ```text
//! valgrind --tool=callgrind target/release/examples/load --only smpolicy DIR/random-1000.policy
//! valgrind --tool=callgrind target/release/examples/load --only rvm DIR/random-1000.rego
//! valgrind --tool=callgrind target/release/examples/load --only none DIR/random-1000.rego
//! ```
//!
//! `smpolicy` is the CLI's whole load (`check::check_and_lower`, then
//! `compile`); `rvm` is regorus's parse and compile of the module to an RVM
//! program (what the loading table calls "RVM, one body per rule"); `none`
//! only reads the file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "benchmark code: fail loudly")]

use smpolicy_benches::{load_stages, random, rego, rules, smpolicy_text};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut files = Vec::new();
    let mut only: Option<String> = None;
    while let Some(arg) = args.next() {
        if arg == "--dump" {
            let dir = std::path::PathBuf::from(args.next().expect("--dump DIR"));
            std::fs::create_dir_all(&dir).expect("create DIR");
            for n in [100usize, 1000, 10_000] {
                let t = rules(n);
                let r = random::rules(n, 7);
                for (name, text, module) in [
                    ("templated", smpolicy_text(&t), rego::module_text(&t)),
                    ("random", random::smpolicy_text(&r), rego::random_module_text(&r)),
                ] {
                    for (ext, body) in [("policy", text), ("rego", module)] {
                        let path = dir.join(format!("{name}-{n}.{ext}"));
                        std::fs::write(&path, body).expect("write file");
                        eprintln!("wrote {}", path.display());
                    }
                }
            }
        } else if arg == "--only" {
            only = Some(args.next().expect("--only smpolicy|rvm|none"));
        } else {
            files.push(arg);
        }
    }
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read file");
        match only.as_deref() {
            None => {
                let [parse, check, lower, compile] = load_stages(&path, &text);
                println!(
                    "{path}: parse {parse:.2} ms, check {check:.2} ms (lowering included), lower alone {lower:.2} ms, \
                     compile {compile:.2} ms, total {:.2} ms",
                    parse + check + lower + compile
                );
            }
            Some("smpolicy") => {
                let file = smpolicy::source::SourceFile::new(path.as_str(), text.as_str());
                let (_, report, policy) =
                    smpolicy::check::check_and_lower(&file).unwrap_or_else(|e| panic!("{path}: {e:?}"));
                assert!(!report.has_errors(), "{path} has errors");
                let compiled = smpolicy::compile::compile(&policy);
                std::hint::black_box(&compiled);
                println!("{path}: {} rules loaded", policy.rules.len());
            }
            Some("rvm") => {
                std::hint::black_box(rego::Rvm::from_module(text, None));
                println!("{path}: compiled");
            }
            Some("none") => println!("{path}: {} bytes read", std::hint::black_box(text).len()),
            Some(other) => panic!("--only {other}: expected smpolicy, rvm or none"),
        }
    }
}
