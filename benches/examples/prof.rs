//! A profiling driver: decides one workload's 10,000 requests `passes` times
//! with smpolicy's compiled form (or the indexed floor), nothing else, so that
//! `valgrind --tool=callgrind` counts a decision's instructions (run it with 0
//! passes and with N, and divide the difference by N × 10,000).
//!
//! `cargo run --release --example prof -- templated|random RULES PASSES [floor|naming]`
//! (`naming`: the indexed floor that also names every deciding rule)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "benchmark code: fail loudly")]

use smpolicy::compile::{compile, FactRow};
use smpolicy_benches::*;
use std::hint::black_box;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (workload, n, passes) = match args.get(1..4) {
        Some([w, n, p]) => (w.as_str(), n.parse::<usize>().unwrap(), p.parse::<usize>().unwrap()),
        _ => panic!("usage: prof templated|random RULES PASSES [floor|naming]"),
    };
    let floor = args.get(4).is_some_and(|a| a == "floor" || a == "naming");
    let naming = args.get(4).is_some_and(|a| a == "naming");
    let mut named = Vec::new();
    let now: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
    let (text, actions, indexed, indexed_rows) = match workload {
        "templated" => {
            let reqs = requests(10_000, 42);
            let rules = rules(n);
            let indexed = table::Indexed::new(&TEMPLATED_DOMAINS, &templated_table(&rules));
            let irows: Vec<_> = reqs.iter().map(|r| indexed.rows(&templated_vals(r))).collect();
            (smpolicy_text(&rules), reqs.iter().map(action).collect::<Vec<_>>(), indexed, irows)
        }
        "random" => {
            let reqs = random::requests(10_000, 4242);
            let rules = random::rules(n, 7);
            let indexed = table::Indexed::new(&random::domains(), &random::table_rules(&rules));
            let irows: Vec<_> = reqs.iter().map(|r| indexed.rows(&r.vals)).collect();
            (random::smpolicy_text(&rules), reqs.iter().map(random::action).collect(), indexed, irows)
        }
        other => panic!("unknown workload {other}"),
    };
    let (_, policy) = load(&text);
    let compiled = compile(&policy);
    let rows: Vec<FactRow> = actions.iter().map(|a| FactRow::from_action_at(a, &compiled, now)).collect();
    let mut counts = [0usize; 4];
    for _ in 0..passes {
        if floor {
            for r in &indexed_rows {
                let v = match naming {
                    true => indexed.decide_naming(black_box(r), &mut named),
                    false => indexed.decide(black_box(r)),
                };
                counts[usize::from(black_box(v))] += 1;
            }
        } else {
            for r in &rows {
                let d = black_box(compiled.decide(black_box(r)));
                counts[d.verdict as usize] += 1;
            }
        }
    }
    println!(
        "{workload} {n} rules, {passes} passes{}: {counts:?}",
        if naming {
            " (naming floor)"
        } else if floor {
            " (floor)"
        } else {
            ""
        }
    );
}
