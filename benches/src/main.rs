//! `cargo run --release` (in `benches/`): one run, one table.
//!
//! For 10, 100 and 1,000 generated rules: checks that smpolicy's compiled
//! form, smpolicy's interpreter (`eval::evaluate`), the hand-written Rust
//! floor, Cedar, regorus's interpreter and regorus's RVM agree on every one
//! of 10,000 generated requests (on a disagreement it prints the request and
//! every verdict and exits 1), then times one decision (request already
//! built by each engine's own API) for each, in one table with the ratios;
//! then parse + check time for 100, 1,000 and 10,000 rules and the heap of a
//! loaded (parsed, lowered, compiled) 1,000-rule policy.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "benchmark code: fail loudly")]

use smpolicy::compile::{compile, FactRow};
use smpolicy::eval::{evaluate, Decision, EvalOptions};
use smpolicy_benches::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant;

/// Counts live heap bytes, to measure a loaded policy.
struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator and only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const REQUESTS: usize = 10_000;

fn now() -> jiff::Timestamp {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

/// Per-decision latency in ns over `rounds` passes of the requests: (median, p99, decisions/s).
fn time(rounds: usize, n: usize, mut f: impl FnMut(usize) -> u8) -> (f64, f64, f64) {
    let mut samples = Vec::with_capacity(rounds * n);
    let mut sink = 0u64;
    let start = Instant::now();
    for _ in 0..rounds {
        for i in 0..n {
            let t = Instant::now();
            sink += u64::from(black_box(f(black_box(i))));
            samples.push(t.elapsed().as_nanos() as f64);
        }
    }
    let total = start.elapsed().as_secs_f64();
    black_box(sink);
    samples.sort_by(|a, b| a.total_cmp(b));
    let median = samples[samples.len() / 2];
    let p99 = samples[samples.len() * 99 / 100];
    // Throughput from a tight loop, without the per-call clock reads.
    let start = Instant::now();
    let mut sink = 0u64;
    for _ in 0..rounds {
        for i in 0..n {
            sink += u64::from(black_box(f(black_box(i))));
        }
    }
    black_box(sink);
    let tight = start.elapsed().as_secs_f64();
    let _ = total;
    (median, p99, (rounds * n) as f64 / tight)
}

fn code(d: Decision) -> u8 {
    match d {
        Decision::Allow => 0,
        Decision::RequireApproval => 1,
        Decision::Deny => 2,
        Decision::Indeterminate => 3,
    }
}

/// Requests the slow engines (interpreters and peers) are timed on at `n` rules
/// (the first ones of the 10,000; all of them are checked for agreement).
fn slow_subset(n: usize) -> usize {
    match n {
        0..=10 => REQUESTS,
        11..=100 => 5_000,
        _ => 1_000,
    }
}

const NAMES: [&str; 6] = [
    "smpolicy compiled",
    "smpolicy interpreter (with explanation)",
    "hand-written Rust (floor)",
    "Cedar",
    "regorus interpreter",
    "regorus RVM (compiled)",
];

/// A whole number with thousands separators.
fn grouped(x: f64) -> String {
    let digits = format!("{:.0}", x);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn verdict_name(v: u8) -> &'static str {
    ["allow", "require-approval", "deny", "indeterminate"][v as usize]
}

fn main() {
    let opts = EvalOptions { now: now() };
    let reqs = requests(REQUESTS, 42);
    let actions: Vec<_> = reqs.iter().map(action).collect();
    let cedar_reqs: Vec<_> = reqs.iter().map(cedar::request).collect();
    let rego_inputs: Vec<_> = reqs.iter().map(rego::input).collect();
    println!(
        "requests: {REQUESTS} generated (seed 42); every engine must agree on every request first; \
         timings are per decision with the request already built by each engine's own API\n"
    );
    let mut table = vec![
        "| rules | engine | requests timed | median ns | p99 ns | decisions/s | × floor (median) | fastest peer ÷ this (median) |".to_string(),
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |".to_string(),
    ];
    let mut bars = Vec::new();
    for n in [10usize, 100, 1000] {
        let rules = rules(n);
        let (file, policy) = load(&smpolicy_text(&rules));
        let compiled = compile(&policy);
        let rows: Vec<FactRow> = actions.iter().map(|a| FactRow::from_action_at(a, &compiled, now())).collect();
        let cedar = cedar::Cedar::new(&rules);
        let mut rego_interp = rego::Interpreter::new(&rules);
        let mut rvm = rego::Rvm::new(&rules);

        // Agreement: every request, every engine.
        let mut by_verdict = [0usize; 4];
        for (i, r) in reqs.iter().enumerate() {
            let want = evaluate(&policy, &file, &actions[i], &opts);
            let fast = compiled.decide(&rows[i]);
            let o = compiled.outcome(&rows[i], &fast);
            let (ced, cedar_errors) = cedar.decide_checked(&cedar_reqs[i]);
            let verdicts = [
                code(fast.verdict),
                code(want.verdict),
                floor(&rules, r),
                ced,
                rego_interp.decide(&rego_inputs[i]),
                rvm.decide(&rego_inputs[i]),
            ];
            if verdicts.iter().any(|v| *v != verdicts[0]) || cedar_errors > 0 {
                eprintln!("{n} rules, request {i}: engines disagree");
                eprintln!("  request: {}", action_json(r));
                for (name, v) in NAMES.iter().zip(verdicts) {
                    eprintln!("  {name}: {}", verdict_name(v));
                }
                eprintln!("  Cedar evaluation errors: {cedar_errors}");
                std::process::exit(1);
            }
            assert_eq!(o.deciding, want.deciding.iter().map(String::as_str).collect::<Vec<_>>());
            assert_eq!(o.approvers, want.approvers.iter().map(String::as_str).collect::<Vec<_>>());
            by_verdict[verdicts[0] as usize] += 1;
        }
        eprintln!(
            "{n} rules: all {REQUESTS} requests agree across {} engines (allow {}, require-approval {}, deny {}, indeterminate {})",
            NAMES.len(),
            by_verdict[0],
            by_verdict[1],
            by_verdict[2],
            by_verdict[3]
        );

        let slow = slow_subset(n);
        let interp_n = slow.min(if n >= 1000 { 300 } else { 2000 });
        let results = [
            (NAMES[2], REQUESTS, time(20, REQUESTS, |i| floor(&rules, &reqs[i]))),
            (NAMES[0], REQUESTS, time(20, REQUESTS, |i| code(compiled.decide(&rows[i]).verdict))),
            (NAMES[1], interp_n, time(1, interp_n, |i| code(evaluate(&policy, &file, &actions[i], &opts).verdict))),
            (NAMES[3], slow, time(1, slow, |i| cedar.decide(&cedar_reqs[i]))),
            (NAMES[4], slow, time(1, slow, |i| rego_interp.decide(&rego_inputs[i]))),
            (NAMES[5], slow, time(1, slow, |i| rvm.decide(&rego_inputs[i]))),
        ];
        let floor_median = results[0].2 .0;
        let (peer, peer_median) = results[3..]
            .iter()
            .map(|(name, _, (m, _, _))| (*name, *m))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("three peers");
        for (name, timed, (m, p, t)) in &results {
            table.push(format!(
                "| {} | {name} | {} | {} | {} | {} | {:.2} | {:.2} |",
                grouped(n as f64),
                grouped(*timed as f64),
                grouped(*m),
                grouped(*p),
                grouped(*t),
                m / floor_median,
                peer_median / m
            ));
        }
        let ours = results[1].2 .0;
        let speedup = peer_median / ours;
        let of_floor = ours / floor_median;
        bars.push(format!(
            "{} rules: fastest peer {peer} {} ns, smpolicy compiled {} ns: {speedup:.1}× faster (bar 50×: {}); {of_floor:.2}× the floor (bar 3×: {})",
            grouped(n as f64),
            grouped(peer_median),
            grouped(ours),
            if speedup >= 50.0 { "met" } else { "not met" },
            if of_floor <= 3.0 { "met" } else { "not met" },
        ));
    }
    for line in &table {
        println!("{line}");
    }
    println!(
        "\nThe interpreters and the peers are timed on the first requests only where `requests timed` \
         is below {REQUESTS} (one pass each); every request was checked for agreement.\n"
    );
    for line in &bars {
        println!("{line}");
    }

    println!("\n| rules | parse + check ms | parse + check + lower + compile ms |");
    println!("| ---: | ---: | ---: |");
    for n in [100usize, 1000, 10_000] {
        let text = smpolicy_text(&rules(n));
        let mut best = (f64::MAX, f64::MAX);
        for _ in 0..5 {
            let t = Instant::now();
            let file = smpolicy::source::SourceFile::new("generated.policy", text.as_str());
            let ast = smpolicy::parser::parse(&file).unwrap_or_else(|e| panic!("{e:?}"));
            let report = smpolicy::check::check(&file, &ast);
            assert!(!report.has_errors(), "generated policy has errors");
            let pc = t.elapsed().as_secs_f64() * 1e3;
            let policy = smpolicy::lower::lower(&file, &ast);
            let c = compile(&policy);
            black_box(&c);
            let all = t.elapsed().as_secs_f64() * 1e3;
            best = (best.0.min(pc), best.1.min(all));
        }
        println!("| {n} | {:.1} | {:.1} |", best.0, best.1);
    }

    let text = smpolicy_text(&rules(1000));
    let before = LIVE.load(Ordering::Relaxed);
    let (file, policy) = load(&text);
    let after_policy = LIVE.load(Ordering::Relaxed);
    let compiled = compile(&policy);
    let after_compiled = LIVE.load(Ordering::Relaxed);
    println!(
        "\nheap of a loaded 1,000-rule policy: source + normalized policy {:.2} MB, compiled form {:.2} MB, total {:.2} MB",
        (after_policy - before) as f64 / 1e6,
        (after_compiled - after_policy) as f64 / 1e6,
        (after_compiled - before) as f64 / 1e6
    );
    black_box((&file, &policy, &compiled));
}
