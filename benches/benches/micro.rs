//! Divan micro-benchmarks: parse, check, compile, decide, a batch line and explain, on the
//! generated 100- and 1,000-rule policies, and one decision by each peer
//! (Cedar, regorus's interpreter and RVM). `cargo bench` in `benches/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "benchmark code: fail loudly")]

use smpolicy::compile::{compile, FactRow};
use smpolicy::eval::{evaluate, EvalOptions};
use smpolicy_benches::*;

fn main() {
    divan::main();
}

fn now() -> jiff::Timestamp {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

#[divan::bench(args = [100, 1000])]
fn parse(b: divan::Bencher, n: usize) {
    let text = smpolicy_text(&rules(n));
    b.bench(|| {
        let file = smpolicy::source::SourceFile::new("g.policy", text.as_str());
        smpolicy::parser::parse(&file).unwrap().clone()
    });
}

#[divan::bench(args = [100, 1000])]
fn check(b: divan::Bencher, n: usize) {
    let file = smpolicy::source::SourceFile::new("g.policy", smpolicy_text(&rules(n)));
    let ast = smpolicy::parser::parse(&file).unwrap();
    b.bench(|| smpolicy::check::check(&file, &ast));
}

#[divan::bench(args = [100, 1000])]
fn compile_policy(b: divan::Bencher, n: usize) {
    let (_, policy) = load(&smpolicy_text(&rules(n)));
    b.bench(|| compile(&policy));
}

#[divan::bench(args = [100, 1000])]
fn decide(b: divan::Bencher, n: usize) {
    let (_, policy) = load(&smpolicy_text(&rules(n)));
    let c = compile(&policy);
    let rows: Vec<FactRow> = requests(1000, 7).iter().map(|r| FactRow::from_action_at(&action(r), &c, now())).collect();
    let mut i = 0;
    b.bench_local(|| {
        i = (i + 1) % rows.len();
        c.decide(&rows[i])
    });
}

/// One `eval --batch` line less its output: the JSON line read straight
/// into the fact row (`FactRow::read_json`, as the batch does), the
/// decision and the obligations.
#[divan::bench(args = [100, 1000])]
fn batch_line(b: divan::Bencher, n: usize) {
    use smpolicy::data::flat::{LineReader, Vocabulary};
    let (_, policy) = load(&smpolicy_text(&rules(n)));
    let c = compile(&policy);
    let vocab = Vocabulary::new(&policy.decls);
    let lines: Vec<String> = requests(1000, 7).iter().map(|r| serde_json::to_string(&action(r)).unwrap()).collect();
    let (mut row, mut obligations, mut reader) = (FactRow::default(), Vec::new(), LineReader::new(&vocab));
    assert!(lines.iter().all(|l| row.read_json(l, &mut reader, &c, now())), "every line is read in place");
    let mut i = 0;
    b.bench_local(|| {
        i = (i + 1) % lines.len();
        row.read_json(&lines[i], &mut reader, &c, now());
        c.obligations(&row, &mut obligations);
        c.decide(&row)
    });
}

#[divan::bench(args = [100, 1000])]
fn explain(b: divan::Bencher, n: usize) {
    let (file, policy) = load(&smpolicy_text(&rules(n)));
    let actions: Vec<_> = requests(200, 7).iter().map(action).collect();
    let opts = EvalOptions { now: now() };
    let mut i = 0;
    b.bench_local(|| {
        i = (i + 1) % actions.len();
        let v = evaluate(&policy, &file, &actions[i], &opts);
        smpolicy::eval::explain::text(
            &v,
            &file.name,
            smpolicy::eval::explain::ExplainOptions { why_not: false, all: false },
        )
    });
}

#[divan::bench(args = [100, 1000])]
fn cedar_decide(b: divan::Bencher, n: usize) {
    let cedar = cedar::Cedar::new(&rules(n));
    let reqs: Vec<_> = requests(1000, 7).iter().map(cedar::request).collect();
    let mut i = 0;
    b.bench_local(|| {
        i = (i + 1) % reqs.len();
        cedar.decide(&reqs[i])
    });
}

#[divan::bench(args = [100, 1000])]
fn regorus_interpreter_decide(b: divan::Bencher, n: usize) {
    let mut engine = rego::Interpreter::new(&rules(n));
    let inputs: Vec<_> = requests(1000, 7).iter().map(rego::input).collect();
    let mut i = 0;
    b.bench_local(|| {
        i = (i + 1) % inputs.len();
        engine.decide(&inputs[i])
    });
}

#[divan::bench(args = [100, 1000])]
fn regorus_rvm_decide(b: divan::Bencher, n: usize) {
    let mut vm = rego::Rvm::new(&rules(n));
    let inputs: Vec<_> = requests(1000, 7).iter().map(rego::input).collect();
    let mut i = 0;
    b.bench_local(|| {
        i = (i + 1) % inputs.len();
        vm.decide(&inputs[i])
    });
}
