//! Loading a policy, stage by stage, for profiling: `cd benches && cargo run
//! --release --example load -- FILE...` parses, checks, lowers and compiles
//! each file once and prints the stages' times; `--dump DIR` first writes
//! the benchmark's generated policies there (templated and random
//! conjunctions, seed 7, at 1,000 and 10,000 rules) so the CLI and callgrind
//! can load the very text the loading table times
//! (`valgrind --tool=callgrind target/release/examples/load DIR/random-1000.policy`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "benchmark code: fail loudly")]

use smpolicy_benches::{load_stages, random, rules, smpolicy_text};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut files = Vec::new();
    while let Some(arg) = args.next() {
        if arg == "--dump" {
            let dir = std::path::PathBuf::from(args.next().expect("--dump DIR"));
            std::fs::create_dir_all(&dir).expect("create DIR");
            for n in [1000usize, 10_000] {
                for (name, text) in
                    [("templated", smpolicy_text(&rules(n))), ("random", random::smpolicy_text(&random::rules(n, 7)))]
                {
                    let path = dir.join(format!("{name}-{n}.policy"));
                    std::fs::write(&path, text).expect("write policy");
                    eprintln!("wrote {}", path.display());
                }
            }
        } else {
            files.push(arg);
        }
    }
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read policy");
        let [parse, check, lower, compile] = load_stages(&path, &text);
        println!(
            "{path}: parse {parse:.2} ms, check {check:.2} ms (lowering included), lower alone {lower:.2} ms, \
             compile {compile:.2} ms, total {:.2} ms",
            parse + check + lower + compile
        );
    }
}
