//! `cargo run --release` (in `benches/`): one run, its tables.
//!
//! Two workloads, each at 10, 100 and 1,000 rules: the templated one
//! (`lib.rs`: three rule shapes in rotation) and random conjunctions of 4–8
//! tests over different facts (`random.rs`). At each size nine engines —
//! smpolicy's compiled form and interpreter (`eval::evaluate`), two
//! hand-written Rust floors (a linear scan and per-fact bitsets of the rules
//! each value satisfies), Cedar, and regorus's interpreter and RVM on two Rego
//! encodings (one body per rule; one rule over a data table of the rules) —
//! decide the same 10,000 generated requests, and must all agree on every one
//! (on a disagreement it prints the request and every verdict and exits 1).
//! Each engine's checked pass is timed (one clock read per call, request
//! built beforehand by each engine's own API); the compiled form and the
//! floors get 20 more passes. Then loading 1,000 rules in each engine, parse +
//! check time for 100, 1,000 and 10,000 rules, and the heap of a loaded
//! 1,000-rule policy. `-- --load` runs only these loading tables.
//!
//! Growth of `smpolicy check` / `eval` with 1k–100k clauses is `growth.sh`.

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

/// One pass over the `n` requests, one clock read per call: the verdicts and
/// each call's nanoseconds.
fn pass(n: usize, mut f: impl FnMut(usize) -> u8) -> (Vec<u8>, Vec<f64>) {
    let mut verdicts = Vec::with_capacity(n);
    let mut ns = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        let v = black_box(f(black_box(i)));
        ns.push(t.elapsed().as_nanos() as f64);
        verdicts.push(v);
    }
    (verdicts, ns)
}

/// Per-decision figures of one engine: median, p99, decisions/s.
#[derive(Clone, Copy)]
struct Timing {
    median: f64,
    p99: f64,
    per_s: f64,
}

fn stats(mut ns: Vec<f64>, per_s: Option<f64>) -> Timing {
    let mean = ns.iter().sum::<f64>() / ns.len() as f64;
    ns.sort_by(|a, b| a.total_cmp(b));
    Timing { median: ns[ns.len() / 2], p99: ns[ns.len() * 99 / 100], per_s: per_s.unwrap_or(1e9 / mean) }
}

/// A fast engine: 20 more passes with a clock read per call (latency), then
/// 20 without (throughput).
fn fast(n: usize, mut f: impl FnMut(usize) -> u8) -> Timing {
    let mut ns = Vec::with_capacity(20 * n);
    for _ in 0..20 {
        ns.extend(pass(n, &mut f).1);
    }
    let start = Instant::now();
    let mut sink = 0u64;
    for _ in 0..20 {
        for i in 0..n {
            sink += u64::from(black_box(f(black_box(i))));
        }
    }
    black_box(sink);
    let per_s = (20 * n) as f64 / start.elapsed().as_secs_f64();
    stats(ns, Some(per_s))
}

fn code(d: Decision) -> u8 {
    match d {
        Decision::Allow => 0,
        Decision::RequireApproval => 1,
        Decision::Deny => 2,
        Decision::Indeterminate => 3,
    }
}

/// Engines, in table order. Floors are 2 and 3, peers 4 to 8.
const NAMES: [&str; 9] = [
    "smpolicy compiled",
    "smpolicy interpreter (with explanation)",
    "floor: linear scan (hand-written Rust)",
    "floor: indexed bitsets (hand-written Rust)",
    "Cedar",
    "regorus interpreter, one body per rule",
    "regorus RVM, one body per rule",
    "regorus interpreter, data table",
    "regorus RVM, data table",
];
const FLOORS: std::ops::Range<usize> = 2..4;
const PEERS: std::ops::Range<usize> = 4..9;
const RVMS: [usize; 2] = [6, 8];

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

/// One workload at one size, every engine built: what each engine needs per request.
struct Setup<'a> {
    file: &'a smpolicy::source::SourceFile,
    policy: &'a smpolicy::policy::Policy,
    actions: &'a [smpolicy::data::action::Action],
    linear_floor: &'a dyn Fn(usize) -> u8,
    indexed: &'a table::Indexed,
    indexed_rows: &'a [Vec<usize>],
    cedar: &'a cedar::Cedar,
    cedar_reqs: &'a [cedar::CedarReq],
    literal: (rego::Interpreter, rego::Rvm),
    literal_inputs: &'a [regorus::Value],
    tabled: (rego::Interpreter, rego::Rvm),
    flat_inputs: &'a [regorus::Value],
    describe: &'a dyn Fn(usize) -> String,
    full: bool,
}

/// Requests the table-driven Rego encoding decides at 1,000 rules without
/// `--full` (it takes 10–20 ms a decision there: 10,000 would be minutes).
const TABLE_AT_1000: usize = 500;

/// Checks that all nine engines agree on every request (the table-driven Rego
/// at 1,000 rules on the first [`TABLE_AT_1000`] only, unless `full`), timing
/// each engine's pass; returns the figures per engine in [`NAMES`] order, the
/// verdict counts and how many requests each engine decided.
fn run(n: usize, s: Setup<'_>) -> ([Timing; 9], [usize; 4], Vec<usize>, Timing) {
    let opts = EvalOptions { now: now() };
    let compiled = compile(s.policy);
    let rows: Vec<FactRow> = s.actions.iter().map(|a| FactRow::from_action_at(a, &compiled, now())).collect();
    let (mut li, mut lr) = s.literal;
    let (mut ti, mut tr) = s.tabled;
    let mut verdicts: Vec<Vec<u8>> = Vec::new();
    let mut timings: Vec<Timing> = Vec::new();

    // The compiled form and the floors: one checked pass, then 20 + 20 timed passes.
    let (v, _) = pass(REQUESTS, |i| code(compiled.decide(&rows[i]).verdict));
    verdicts.push(v);
    let mut explained = Vec::with_capacity(REQUESTS);
    let (v, ns) = pass(REQUESTS, |i| {
        // Only what is compared is kept (a whole explanation at 1,000 rules is large).
        let r = evaluate(s.policy, s.file, &s.actions[i], &opts);
        explained.push((r.deciding, r.approvers));
        code(r.verdict)
    });
    verdicts.push(v);
    let interp = stats(ns, None);
    verdicts.push(pass(REQUESTS, s.linear_floor).0);
    verdicts.push(pass(REQUESTS, |i| s.indexed.decide(&s.indexed_rows[i])).0);
    let mut cedar_errors = 0;
    let (v, ns) = pass(REQUESTS, |i| {
        let (v, errors) = s.cedar.decide_checked(&s.cedar_reqs[i]);
        cedar_errors += errors;
        v
    });
    verdicts.push(v);
    let cedar = stats(ns, None);
    let tabled_n = if s.full || n < 1000 { REQUESTS } else { TABLE_AT_1000 };
    let slow: [(Vec<u8>, Vec<f64>); 4] = [
        pass(REQUESTS, |i| li.decide(&s.literal_inputs[i])),
        pass(REQUESTS, |i| lr.decide(&s.literal_inputs[i])),
        pass(tabled_n, |i| ti.decide(&s.flat_inputs[i])),
        pass(tabled_n, |i| tr.decide(&s.flat_inputs[i])),
    ];
    let mut slow_t = Vec::new();
    for (v, ns) in slow {
        verdicts.push(v);
        slow_t.push(stats(ns, None));
    }

    let mut by_verdict = [0usize; 4];
    for i in 0..REQUESTS {
        let want = verdicts[0][i];
        if verdicts.iter().any(|v| v.get(i).is_some_and(|x| *x != want)) || cedar_errors > 0 {
            eprintln!("{n} rules, request {i}: engines disagree");
            eprintln!("  request: {}", (s.describe)(i));
            for (name, v) in NAMES.iter().zip(&verdicts) {
                eprintln!("  {name}: {}", v.get(i).map_or("(not run)", |x| verdict_name(*x)));
            }
            eprintln!("  Cedar evaluation errors (all requests): {cedar_errors}");
            std::process::exit(1);
        }
        let o = compiled.outcome(&rows[i], &compiled.decide(&rows[i]));
        let (deciding, approvers) = &explained[i];
        assert_eq!(o.deciding, deciding.iter().map(String::as_str).collect::<Vec<_>>(), "request {i}");
        assert_eq!(o.approvers, approvers.iter().map(String::as_str).collect::<Vec<_>>(), "request {i}");
        by_verdict[want as usize] += 1;
    }
    // The floor that names the deciding rules names the ones smpolicy names (rule i is `r{i}`).
    let mut named = Vec::new();
    for (i, row) in rows.iter().enumerate().take(REQUESTS) {
        assert_eq!(s.indexed.decide_naming(&s.indexed_rows[i], &mut named), verdicts[0][i], "request {i}");
        let d = compiled.decide(row);
        let want: Vec<String> = match d.verdict {
            Decision::Allow => vec![],
            _ => compiled.outcome(row, &d).deciding.iter().map(|x| x.to_string()).collect(),
        };
        let got: Vec<String> = named.iter().map(|r| format!("r{r}")).collect();
        assert_eq!(got, want, "{n} rules, request {i}: the deciding rules");
    }

    timings.push(fast(REQUESTS, |i| code(compiled.decide(&rows[i]).verdict)));
    timings.push(interp);
    timings.push(fast(REQUESTS, s.linear_floor));
    timings.push(fast(REQUESTS, |i| s.indexed.decide(&s.indexed_rows[i])));
    let naming = fast(REQUESTS, |i| s.indexed.decide_naming(&s.indexed_rows[i], &mut named));
    timings.push(cedar);
    timings.extend(slow_t);
    let checked: Vec<usize> = verdicts.iter().map(Vec::len).collect();
    (timings.try_into().unwrap_or_else(|_| unreachable!("nine engines")), by_verdict, checked, naming)
}

/// One size of one workload: rules, figures per engine, verdict counts, requests each engine decided.
type SizeResult = (usize, [Timing; 9], [usize; 4], Vec<usize>, Timing);

/// Prints one workload's table and its ratios.
fn report(title: &str, rows: &[SizeResult]) {
    println!("### {title}\n");
    println!(
        "| rules | engine | requests | median ns | p99 ns | decisions/s | × strongest floor (median) | fastest peer ÷ this (median) |"
    );
    println!("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    let mut bars = Vec::new();
    for (n, t, counts, checked, naming) in rows {
        let floor = FLOORS.map(|i| (i, t[i].median)).min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
        let peer = PEERS.map(|i| (i, t[i].median)).min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
        let rvm = RVMS.map(|i| (i, t[i].median)).into_iter().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
        for ((name, x), c) in NAMES.iter().zip(t).zip(checked) {
            println!(
                "| {} | {name} | {} | {} | {} | {} | {:.2} | {:.2} |",
                grouped(*n as f64),
                grouped(*c as f64),
                grouped(x.median),
                grouped(x.p99),
                grouped(x.per_s),
                x.median / floor.1,
                peer.1 / x.median
            );
        }
        let ours = t[0].median;
        bars.push(format!(
            "{} rules (allow {}, require-approval {}, deny {}, indeterminate {}): smpolicy compiled {} ns; \
             {:.2}× the strongest floor ({}, {} ns; bar 3×: {}); \
             {:.2}× the indexed floor that also names every deciding rule ({} ns); \
             fastest peer {} {} ns is {:.1}× slower; strongest RVM ({}) {} ns is {:.1}× slower (bar 100×: {})",
            grouped(*n as f64),
            counts[0],
            counts[1],
            counts[2],
            counts[3],
            grouped(ours),
            ours / floor.1,
            NAMES[floor.0],
            grouped(floor.1),
            if ours / floor.1 <= 3.0 { "met" } else { "NOT met" },
            ours / naming.median,
            grouped(naming.median),
            NAMES[peer.0],
            grouped(peer.1),
            peer.1 / ours,
            NAMES[rvm.0],
            grouped(rvm.1),
            rvm.1 / ours,
            if *n < 100 {
                "none at 10 rules"
            } else if rvm.1 / ours >= 100.0 {
                "met"
            } else {
                "NOT met"
            },
        ));
    }
    println!();
    for b in bars {
        println!("- {b}");
    }
    println!();
}

/// Best of `k` wall times of `f`, in ms.
fn best_ms<T>(k: usize, mut f: impl FnMut() -> T) -> f64 {
    (0..k)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64() * 1e3
        })
        .fold(f64::MAX, f64::min)
}

/// smpolicy's whole load as the CLI does it (`cli::load_policy`): parse,
/// check (no errors) and lower (`check::check_and_lower`, which keeps the
/// policy the checker lowered for its lints), then compile.
fn smpolicy_load(text: &str) -> smpolicy::compile::Compiled {
    let file = smpolicy::source::SourceFile::new("generated.policy", text);
    let (_, report, policy) = smpolicy::check::check_and_lower(&file).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(!report.has_errors(), "generated policy has errors");
    compile(&policy)
}

/// Loading the same 1,000 rules in each engine, best of 5 each, interleaved.
fn loading(title: &str, smp: &str, cedar_text: &str, literal: &str, table_data: &serde_json::Value) {
    let data_text = table_data.to_string();
    let table_value = || Some(regorus::Value::from_json_str(&data_text).expect("table"));
    let cases: [(&str, &dyn Fn() -> f64); 6] = [
        ("smpolicy: parse + check + lower + compile", &|| best_ms(1, || smpolicy_load(smp))),
        ("Cedar: parse the policy set", &|| {
            best_ms(1, || cedar_text.parse::<cedar_policy::PolicySet>().expect("Cedar parses"))
        }),
        ("regorus interpreter, one body per rule: parse (ready to evaluate)", &|| {
            best_ms(1, || rego::Interpreter::from_module(literal.to_string(), None))
        }),
        ("regorus RVM, one body per rule: parse + compile to a program", &|| {
            best_ms(1, || rego::Rvm::from_module(literal.to_string(), None))
        }),
        ("regorus interpreter, data table: read the table + parse", &|| {
            best_ms(1, || rego::Interpreter::from_module(table::MODULE.to_string(), table_value()))
        }),
        ("regorus RVM, data table: read the table + parse + compile", &|| {
            best_ms(1, || rego::Rvm::from_module(table::MODULE.to_string(), table_value()))
        }),
    ];
    let mut best = [f64::MAX; 6];
    for _ in 0..5 {
        for (i, (_, f)) in cases.iter().enumerate() {
            best[i] = best[i].min(f());
        }
    }
    println!("### Loading 1,000 rules: {title}\n");
    println!("| engine | best of 5 ms | ÷ smpolicy |");
    println!("| --- | ---: | ---: |");
    for ((name, _), ms) in cases.iter().zip(best) {
        println!("| {name} | {ms:.1} | {:.2} |", ms / best[0]);
    }
    // Where smpolicy's load goes: parse; check (which lowers the policy for
    // its lints); lowering alone (what the check's share of it is); compile.
    let mut stages = [f64::MAX; 4];
    for _ in 0..5 {
        for (b, ms) in stages.iter_mut().zip(load_stages("generated.policy", smp)) {
            *b = b.min(ms);
        }
    }
    println!(
        "\nsmpolicy's load by stage (best of 5 each): parse {:.1} ms, check {:.1} ms (lowering included), \
         lower alone {:.1} ms, compile {:.1} ms",
        stages[0], stages[1], stages[2], stages[3]
    );
    let rvm = best[3].min(best[5]);
    println!(
        "\nsmpolicy {:.1} ms against regorus's compile to the RVM {:.1} ms (the faster encoding): bar (no longer than regorus): {}\n",
        best[0],
        rvm,
        if best[0] <= rvm { "met" } else { "NOT met" }
    );
}

fn main() {
    let (full, load_only) = match std::env::args().nth(1).as_deref() {
        None => (false, false),
        Some("--full") => (true, false),
        Some("--load") => (false, true),
        Some(other) => {
            eprintln!("unknown argument {other}; usage: smpolicy-benches [--full | --load]");
            std::process::exit(2);
        }
    };
    let start = Instant::now();
    if load_only {
        // `--load`: the loading tables only (a minute, not five).
        loading_tables();
        println!("\nwhole run: {:.0} s", start.elapsed().as_secs_f64());
        return;
    }
    let table_note = if full {
        "--full: every engine decides every request".to_string()
    } else {
        format!("the table-driven Rego at 1,000 rules decides the first {TABLE_AT_1000} only; --full for all")
    };
    println!(
        "requests: {REQUESTS} generated per workload; at each size the nine engines must agree on every request \
         ({table_note}; on a disagreement the run prints the request and exits 1); timings are per decision with \
         the request already built by each engine's own API; the slow engines are timed on their one checked \
         pass, the compiled form and the floors on 20 more\n"
    );

    // The templated workload (lib.rs).
    let reqs = requests(REQUESTS, 42);
    let actions: Vec<_> = reqs.iter().map(action).collect();
    let cedar_reqs: Vec<_> = reqs.iter().map(cedar::request).collect();
    let literal_inputs: Vec<_> = reqs.iter().map(rego::input).collect();
    let flat_inputs: Vec<_> = reqs.iter().map(|r| rego::value(&templated_flat_input(r))).collect();
    let mut rows = Vec::new();
    for n in [10usize, 100, 1000] {
        let rules = rules(n);
        let (file, policy) = load(&smpolicy_text(&rules));
        let t = templated_table(&rules);
        let indexed = table::Indexed::new(&TEMPLATED_DOMAINS, &t);
        let indexed_rows: Vec<_> = reqs.iter().map(|r| indexed.rows(&templated_vals(r))).collect();
        let cedar = cedar::Cedar::new(&rules);
        let data = table::data(&t);
        let (timings, counts, checked, naming) = run(
            n,
            Setup {
                file: &file,
                policy: &policy,
                actions: &actions,
                linear_floor: &|i| floor(&rules, &reqs[i]),
                indexed: &indexed,
                indexed_rows: &indexed_rows,
                cedar: &cedar,
                cedar_reqs: &cedar_reqs,
                literal: (rego::Interpreter::new(&rules), rego::Rvm::new(&rules)),
                literal_inputs: &literal_inputs,
                tabled: (
                    rego::Interpreter::from_module(table::MODULE.to_string(), Some(data.clone())),
                    rego::Rvm::from_module(table::MODULE.to_string(), Some(data)),
                ),
                flat_inputs: &flat_inputs,
                describe: &|i| action_json(&reqs[i]),
                full,
            },
        );
        eprintln!("templated, {n} rules: the nine engines agree on every request each decided {checked:?} {counts:?}");
        rows.push((n, timings, counts, checked, naming));
    }
    report("Templated workload (three rule shapes in rotation)", &rows);

    // The random-conjunction workload (random.rs).
    let rreqs = random::requests(REQUESTS, 4242);
    let ractions: Vec<_> = rreqs.iter().map(random::action).collect();
    let rcedar: Vec<_> = rreqs.iter().map(cedar::random_request).collect();
    let rliteral: Vec<_> = rreqs.iter().map(|r| rego::value(&random::action_value(r))).collect();
    let rflat: Vec<_> = rreqs.iter().map(|r| rego::value(&random::flat_input(r))).collect();
    let domains = random::domains();
    let mut rows = Vec::new();
    for n in [10usize, 100, 1000] {
        let rules = random::rules(n, 7);
        let (file, policy) = load(&random::smpolicy_text(&rules));
        let t = random::table_rules(&rules);
        let indexed = table::Indexed::new(&domains, &t);
        let indexed_rows: Vec<_> = rreqs.iter().map(|r| indexed.rows(&r.vals)).collect();
        let cedar = cedar::Cedar::from_texts(cedar::random_policy_texts(&rules));
        let data = table::data(&t);
        let literal = rego::random_module_text(&rules);
        let (timings, counts, checked, naming) = run(
            n,
            Setup {
                file: &file,
                policy: &policy,
                actions: &ractions,
                linear_floor: &|i| random::floor(&rules, &rreqs[i]),
                indexed: &indexed,
                indexed_rows: &indexed_rows,
                cedar: &cedar,
                cedar_reqs: &rcedar,
                literal: (rego::Interpreter::from_module(literal.clone(), None), rego::Rvm::from_module(literal, None)),
                literal_inputs: &rliteral,
                tabled: (
                    rego::Interpreter::from_module(table::MODULE.to_string(), Some(data.clone())),
                    rego::Rvm::from_module(table::MODULE.to_string(), Some(data)),
                ),
                flat_inputs: &rflat,
                describe: &|i| random::action_json(&rreqs[i]),
                full,
            },
        );
        eprintln!("random, {n} rules: the nine engines agree on every request each decided {checked:?} {counts:?}");
        rows.push((n, timings, counts, checked, naming));
    }
    report("Random conjunctions of 4–8 tests over different facts (seed 7; requests seed 4242)", &rows);
    loading_tables();
    println!("\nwhole run: {:.0} s", start.elapsed().as_secs_f64());
}

/// Loading 1,000 rules in every engine, parse + check at 100 to 10,000
/// rules, and the heap of a loaded policy.
fn loading_tables() {
    let t = rules(1000);
    let table_json = table::data_json(&templated_table(&t));
    loading("templated", &smpolicy_text(&t), &cedar::policy_text(&t), &rego::module_text(&t), &table_json);
    let r = random::rules(1000, 7);
    let table_json = table::data_json(&random::table_rules(&r));
    let cedar_text: String =
        cedar::random_policy_texts(&r).into_iter().map(|(id, text)| format!("@id(\"{id}\")\n{text}\n\n")).collect();
    loading("random conjunctions", &random::smpolicy_text(&r), &cedar_text, &rego::random_module_text(&r), &table_json);

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

    println!();
    for (name, text) in [
        ("templated", smpolicy_text(&rules(1000))),
        ("random", random::smpolicy_text(&random::rules(10, 7))),
        ("random", random::smpolicy_text(&random::rules(100, 7))),
        ("random", random::smpolicy_text(&random::rules(1000, 7))),
    ] {
        let before = LIVE.load(Ordering::Relaxed);
        let (file, policy) = load(&text);
        let after_policy = LIVE.load(Ordering::Relaxed);
        let t = Instant::now();
        let compiled = compile(&policy);
        let compile_ms = t.elapsed().as_secs_f64() * 1e3;
        let after_compiled = LIVE.load(Ordering::Relaxed);
        println!(
            "heap of a loaded {}-rule {name} policy: source + normalized policy {:.2} MB, compiled form {:.2} MB \
             (compile alone {compile_ms:.1} ms), total {:.2} MB",
            grouped(policy.rules.len() as f64),
            (after_policy - before) as f64 / 1e6,
            (after_compiled - after_policy) as f64 / 1e6,
            (after_compiled - before) as f64 / 1e6
        );
        black_box((&file, &policy, &compiled));
    }
}
