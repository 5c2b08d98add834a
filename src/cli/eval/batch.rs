//! `smpolicy eval --batch`: JSON Lines in, one record per line out, in input order.
//!
//! The input is read in blocks of about [`BLOCK`] bytes cut at a line end;
//! each block is split in two at a line end near its middle and the halves
//! are decided on two threads, then written in order, so memory stays flat
//! whatever the input size. A line is read in place into the compiled
//! policy's fact row ([`FlatAction::read_json`]: no `Action`, no allocation)
//! and decided by the compiled form, which also lists the obligations; only
//! a line the in-place reader does not take (escaped strings, `null`, an
//! undeclared value, a data error) is parsed in full, for its facts or for
//! its error's field path. `--explain` and `--full` run the evaluator on a
//! full `Action` instead.

use super::Args;
use smpolicy::compile::{compile, Compiled, FactRow, Outcome};
use smpolicy::data::action::{parse_action_json_line, Action};
use smpolicy::data::error::DataError;
use smpolicy::data::flat::{FlatAction, Vocabulary};
use smpolicy::eval::verdict::ObligationOut;
use smpolicy::eval::{evaluate, Decision, EvalOptions, Verdict};
use smpolicy::policy::Policy;
use smpolicy::source::SourceFile;
use std::io::{Read, Write};

/// How many bytes of input are decided at a time (a block ends at a line end).
const BLOCK: usize = 1 << 20;

/// Below this many bytes a block is decided on one thread.
const SPLIT_BELOW: usize = 16 << 10;

/// What a batch decides with: the policy, its compiled form, the options.
struct Engine<'a> {
    args: &'a Args,
    file: &'a SourceFile,
    policy: &'a Policy,
    compiled: &'a Compiled,
    vocab: Vocabulary<'a>,
    opts: &'a EvalOptions,
}

/// What one part of a block produced: the records, and the tallies.
#[derive(Default)]
struct Output {
    text: Vec<u8>,
    counts: [usize; 4],
    bad: usize,
}

impl Output {
    fn decided(&mut self, d: Decision) {
        if let Some(c) = self.counts.get_mut(d as usize) {
            *c += 1;
        }
    }

    fn error(&mut self, line: usize, err: &DataError) {
        let rec = serde_json::json!({"line": line, "error": {"path": err.path, "column": err.column, "message": err.message, "help": err.help}});
        self.record(&rec);
        self.bad += 1;
    }

    fn record(&mut self, rec: &impl serde::Serialize) {
        let _ = serde_json::to_writer(&mut self.text, rec);
        self.text.push(b'\n');
    }
}

/// Per-thread scratch space, reused from line to line.
struct Scratch<'c> {
    row: FactRow,
    outcome: Outcome<'c>,
    obligations: Vec<ObligationOut>,
}

/// Decides the lines of `text`, the first of which is line `first`.
fn decide_part(text: &[u8], first: usize, e: &Engine<'_>) -> Output {
    let mut out = Output { text: Vec::with_capacity(text.len() / 8), ..Output::default() };
    let mut scratch = Scratch {
        row: FactRow::default(),
        outcome: Outcome { verdict: Decision::Indeterminate, approvers: Vec::new(), deciding: Vec::new() },
        obligations: Vec::new(),
    };
    let mut start = 0;
    for (i, end) in
        memchr::memchr_iter(b'\n', text).chain((text.last() != Some(&b'\n')).then_some(text.len())).enumerate()
    {
        let n = first + i;
        let bytes = text.get(start..end).unwrap_or(&[]);
        start = end + 1;
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(line) if line.trim().is_empty() => {}
            Ok(line) => one_line(n, line, e, &mut scratch, &mut out),
            Err(err) => {
                let rec = serde_json::json!({"line": n, "error": {"message": format!("unreadable line: {err}")}});
                out.record(&rec);
                out.bad += 1;
            }
        }
    }
    out
}

fn one_line<'c>(n: usize, line: &str, e: &Engine<'c>, s: &mut Scratch<'c>, out: &mut Output) {
    if !(e.args.full || e.args.explain) {
        match FlatAction::read_json(line, &e.vocab) {
            Some(flat) => s.row.fill(&flat, e.compiled, e.opts.now),
            None => match full_action(line, e) {
                Ok(a) => s.row.fill(&a, e.compiled, e.opts.now),
                Err(err) => return out.error(n, &err),
            },
        }
        let d = e.compiled.decide(&s.row);
        e.compiled.obligations(&s.row, &mut s.obligations);
        e.compiled.outcome_into(&s.row, &d, &mut s.outcome);
        write_decision(n, &s.outcome, &s.obligations, &mut out.text);
        return out.decided(d.verdict);
    }
    let a = match full_action(line, e) {
        Ok(a) => a,
        Err(err) => return out.error(n, &err),
    };
    let v = evaluate(e.policy, e.file, &a, e.opts);
    if e.args.full {
        let mut full = serde_json::to_value(&v).unwrap_or_default();
        if let Some(o) = full.as_object_mut() {
            o.insert("line".into(), n.into());
        }
        out.record(&full);
    } else {
        out.record(&explained(n, &v));
    }
    out.decided(v.verdict);
}

/// A line parsed in full and checked against the policy's declarations.
fn full_action(line: &str, e: &Engine<'_>) -> Result<Action, DataError> {
    let a = parse_action_json_line(line)?;
    if e.vocab.accepts(&a) {
        return Ok(a);
    }
    match super::validate(&a, e.policy).into_iter().next() {
        Some(err) => Err(err),
        None => Ok(a),
    }
}

/// The record written per action by default: the decision (keys in
/// alphabetical order, as in the other records; `obligations` only when
/// there are any).
fn write_decision(line: usize, o: &Outcome<'_>, obligations: &[ObligationOut], buf: &mut Vec<u8>) {
    let strings = |buf: &mut Vec<u8>, items: &[&str]| {
        buf.push(b'[');
        for (i, s) in items.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            // Clause ids and roles are names: quoted as they are, unless they need escaping.
            if s.bytes().all(|c| c >= 0x20 && c != b'"' && c != b'\\') {
                buf.push(b'"');
                buf.extend_from_slice(s.as_bytes());
                buf.push(b'"');
            } else {
                let _ = serde_json::to_writer(&mut *buf, s);
            }
        }
        buf.push(b']');
    };
    buf.extend_from_slice(b"{\"approvers\":");
    strings(buf, &o.approvers);
    buf.extend_from_slice(b",\"deciding\":");
    strings(buf, &o.deciding);
    buf.extend_from_slice(b",\"line\":");
    let _ = serde_json::to_writer(&mut *buf, &line);
    if !obligations.is_empty() {
        buf.extend_from_slice(b",\"obligations\":");
        let _ = serde_json::to_writer(&mut *buf, obligations);
    }
    buf.extend_from_slice(b",\"verdict\":\"");
    buf.extend_from_slice(o.verdict.as_str().as_bytes());
    buf.extend_from_slice(b"\"}\n");
}

/// The record written per action with `--explain`.
fn explained(line: usize, v: &Verdict) -> serde_json::Value {
    serde_json::json!({
        "line": line,
        "verdict": v.verdict,
        "approvers": v.approvers,
        "deciding": v.deciding,
        "summary": v.summary,
        "obligations": v.obligations,
        "advice": v.advice,
        "law_notes": v.law_notes,
        "missing": v.missing,
    })
}

/// Decides a block on two threads (one for a small block); the output keeps the input order.
fn decide_block(block: &[u8], first: usize, e: &Engine<'_>) -> (Output, Option<Output>) {
    let mid = if block.len() < SPLIT_BELOW {
        block.len()
    } else {
        let half = block.len() / 2;
        block.get(half..).and_then(|rest| memchr::memchr(b'\n', rest)).map_or(block.len(), |p| half + p + 1)
    };
    let (a, b) = block.split_at(mid);
    if b.is_empty() {
        return (decide_part(a, first, e), None);
    }
    let b_first = first + newlines(a);
    std::thread::scope(|s| {
        let other = s.spawn(|| decide_part(b, b_first, e));
        let mine = decide_part(a, first, e);
        let theirs = other.join().unwrap_or_else(|_| {
            let mut o = Output::default();
            o.record(&serde_json::json!({"error": {"message": "internal error: a worker thread stopped"}}));
            o.bad += 1;
            o
        });
        (mine, Some(theirs))
    })
}

fn newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// Reads until `buf` holds at least `target` bytes or the input ends; returns
/// whether it ended. Reads straight into `buf` (no intermediate copy).
fn fill(input: &mut dyn Read, buf: &mut Vec<u8>, target: usize) -> std::io::Result<bool> {
    let want = target.saturating_sub(buf.len());
    let got = input.take(want as u64).read_to_end(buf)?;
    Ok(got < want)
}

/// Runs `eval --batch`.
pub fn run(args: &Args, file: &SourceFile, policy: &Policy, opts: &EvalOptions) -> super::Exit {
    use super::Exit;
    let mut input: Box<dyn Read> = match &args.action {
        Some(p) if p.as_os_str() != "-" => match std::fs::File::open(p) {
            Ok(f) => Box::new(f),
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", p.display());
                return Exit::Error;
            }
        },
        _ => Box::new(std::io::stdin().lock()),
    };
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let compiled = compile(policy);
    let engine = Engine { args, file, policy, compiled: &compiled, vocab: Vocabulary::new(&policy.decls), opts };
    let mut total = Output::default();
    let mut good = 0usize;
    let mut line = 1usize;
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK + (64 << 10));
    let mut target = BLOCK;
    let mut read_error = None;
    loop {
        let ended = fill(&mut *input, &mut buf, target).unwrap_or_else(|e| {
            read_error = Some(e);
            true
        });
        // A block ends at the last line end; the rest waits for the next block.
        let cut = if ended { Some(buf.len()) } else { memchr::memrchr(b'\n', &buf).map(|p| p + 1) };
        let Some(cut) = cut else {
            // One line longer than a block: read on until it ends.
            target = buf.len() + BLOCK;
            continue;
        };
        target = BLOCK;
        let block = buf.get(..cut).unwrap_or(&[]);
        let (a, b) = decide_block(block, line, &engine);
        line += newlines(block);
        let mut stop = false;
        for part in std::iter::once(a).chain(b) {
            good += part.counts.iter().sum::<usize>();
            for (t, c) in total.counts.iter_mut().zip(part.counts) {
                *t += c;
            }
            total.bad += part.bad;
            stop |= w.write_all(&part.text).is_err();
        }
        buf.drain(..cut);
        if stop || ended {
            break;
        }
    }
    if let Some(e) = read_error {
        let rec = serde_json::json!({"line": line, "error": {"message": format!("unreadable input: {e}")}});
        let _ = writeln!(w, "{rec}");
        total.bad += 1;
    }
    let _ = w.flush();
    let bad = total.bad;
    let c = total.counts;
    eprintln!(
        "{} lines: {good} decided ({} allow, {} require-approval, {} deny, {} indeterminate), {bad} bad",
        good + bad,
        c[0],
        c[1],
        c[2],
        c[3]
    );
    if bad > 0 {
        Exit::Error
    } else {
        Exit::Ok
    }
}
