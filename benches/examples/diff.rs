//! Time `diff` between a generated policy and an edited copy, at 10, 100 and
//! 1,000 rules: `cd benches && cargo run --release --example diff`.
//!
//! The edit changes the threshold of every seventh posting rule and the length
//! of every eleventh covenant rule, as a policy review would. Reported: the best
//! and the median of a few runs of the whole `smpolicy::diff::diff` (structural
//! and behavioural), and the size of the report and of the search.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "benchmark code: fail loudly")]

use smpolicy::compile::{compile, FactRow};
use smpolicy::diff::{diff, DiffOptions};
use smpolicy_benches::{action, load, requests, rules, smpolicy_text, GenRule};
use std::time::Instant;

fn edited(n: usize) -> Vec<GenRule> {
    rules(n)
        .into_iter()
        .enumerate()
        .map(|(i, r)| match r {
            GenRule::Posting { channel, kind, min_posts } if i % 7 == 0 => {
                GenRule::Posting { channel, kind, min_posts: min_posts + 2 }
            }
            GenRule::Covenant { rel, months } if i % 11 == 0 => GenRule::Covenant { rel, months: months + 3 },
            other => other,
        })
        .collect()
}

fn main() {
    let mut flipped = Vec::new();
    println!(
        "| rules | runs | best ms | median ms | structural | behavioural changes | their parts | tree nodes | leaves |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (n, runs) in [(10usize, 9usize), (100, 5), (1000, 3)] {
        let old = load(&smpolicy_text(&rules(n)));
        let new = load(&smpolicy_text(&edited(n)));
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..runs {
            let t = Instant::now();
            let r = diff((&old.0, &old.1), (&new.0, &new.1), &DiffOptions::default());
            times.push(t.elapsed().as_secs_f64() * 1e3);
            last = Some(r);
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let r = last.unwrap();
        // Completeness on 10,000 generated requests: every flip lies in a reported change.
        // (Decided by the compiled form, which agrees with the interpreter, to keep this quick.)
        let now = smpolicy::diff::default_now(&old.1, &new.1);
        let (co, cn) = (compile(&old.1), compile(&new.1));
        let mut flips = 0;
        for req in requests(10_000, 42) {
            let a = action(&req);
            let o = co.decide(&FactRow::from_action_at(&a, &co, now)).verdict;
            let n = cn.decide(&FactRow::from_action_at(&a, &cn, now)).verdict;
            if o != n {
                flips += 1;
                assert!(
                    r.changes.iter().any(|c| c.contains(&a)),
                    "a flip outside every change: {}",
                    smpolicy_benches::action_json(&req)
                );
            }
        }
        flipped.push((n, flips));
        println!(
            "| {n} | {runs} | {:.1} | {:.1} | {} | {} | {} | {} | {} |",
            times[0],
            times[times.len() / 2],
            r.structural.len(),
            r.changes.len(),
            r.changes.iter().map(|c| c.parts.len()).sum::<usize>(),
            r.stats.nodes,
            r.stats.leaves
        );
    }
    for (n, flips) in flipped {
        println!("{n} rules: {flips} of 10,000 generated requests flip; every one lies in a reported change");
    }
}
