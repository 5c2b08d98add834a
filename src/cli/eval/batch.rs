//! `smpolicy eval --batch`: JSON Lines in, one record per line out, in input order.
//!
//! One thread reads the input in blocks of about [`BLOCK`] bytes cut at a
//! line end; [`WORKERS`] threads decide the blocks; one writes the records in
//! input order. Only a few blocks are in flight at once, so memory stays flat
//! whatever the input size. A line is read in place into the compiled
//! policy's fact row ([`FactRow::read_json`]: no `Action`, no allocation)
//! and decided by the compiled form, which also lists the obligations; only
//! a line the in-place reader does not take (escaped strings, `null`, an
//! undeclared value, a data error) is parsed in full, for its facts or for
//! its error's field path. `--explain` and `--full` run the evaluator on a
//! full `Action` instead.
//!
//! Input bounds: a line longer than [`MAX_LINE`] is never held: the reader
//! reports it (an error record) and skips to the next line end, so memory
//! stays flat whatever the input. A line that is not UTF-8 gives an error
//! record with its byte offset. The input is only ever read as a stream (a
//! file, a fifo or standard input alike), never sized first.

use super::Args;
use smpolicy::compile::{compile, Compiled, FactRow, Outcome};
use smpolicy::data::action::{check_open_values, parse_action_json_line, Action};
use smpolicy::data::error::DataError;
use smpolicy::data::flat::{needs_no_escape, LineReader, Vocabulary};
use smpolicy::eval::{evaluate, Decision, EvalOptions, ObligationRef};
use smpolicy::policy::Policy;
use smpolicy::records::{DecisionRecord, ErrorRecord, ExplainedRecord, FullRecord, GroupRecord, LineError};
use smpolicy::source::SourceFile;
use smpolicy::versions::Versions;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// How many bytes of input a worker decides at a time (a block ends at a line end).
const BLOCK: usize = 256 << 10;

/// The longest line accepted, in bytes (1 MiB; the line end not counted).
/// A realistic action is about 1 KB.
pub const MAX_LINE: usize = 1 << 20;

/// How many threads decide (this machine, and the bar, are two cores).
const WORKERS: usize = 2;

/// What a batch decides with: the policy, its compiled form, the options.
struct Engine<'a> {
    args: &'a Args,
    file: &'a SourceFile,
    policy: &'a Policy,
    compiled: &'a Compiled,
    /// The policy's versions, and each one's compiled form (oldest first),
    /// when the version that binds is chosen per actor.
    versions: Option<(&'a Versions, &'a [Compiled])>,
    vocab: Vocabulary<'a>,
    opts: &'a EvalOptions,
}

/// What one part of a block produced: the records, and the tallies.
#[derive(Default)]
struct Output {
    text: Vec<u8>,
    counts: [usize; 4],
    bad: usize,
    /// Bad lines that look like YAML.
    yaml: usize,
    /// Where in the input the part ends (for the progress bar).
    end: u64,
}

impl Output {
    fn decided(&mut self, d: Decision) {
        if let Some(c) = self.counts.get_mut(d as usize) {
            *c += 1;
        }
    }

    fn error(&mut self, line: usize, err: &DataError) {
        let error = LineError {
            path: Some(err.path.clone()),
            column: err.column,
            offset: None,
            message: err.message.clone(),
            help: err.help.clone(),
        };
        self.unreadable(line, error);
    }

    /// An error record for a line that could not be decided.
    fn unreadable(&mut self, line: usize, error: LineError) {
        // Through a `Value`, as the other records: keys in alphabetical order.
        self.record(&serde_json::to_value(ErrorRecord { line, error }).unwrap_or_default());
        self.bad += 1;
    }

    fn record(&mut self, rec: &impl serde::Serialize) {
        let _ = serde_json::to_writer(&mut self.text, rec);
        self.text.push(b'\n');
    }
}

/// A worker's scratch space, reused from line to line.
struct Scratch<'c> {
    reader: LineReader<'c>,
    row: FactRow,
    outcome: Outcome<'c>,
    /// An obligation's due basis, written.
    basis: String,
}

impl<'c> Scratch<'c> {
    fn new(e: &'c Engine<'c>) -> Self {
        Scratch {
            reader: LineReader::new(&e.vocab),
            row: FactRow::default(),
            outcome: Outcome { verdict: Decision::Indeterminate, approvers: Vec::new(), deciding: Vec::new() },
            basis: String::new(),
        }
    }
}

/// Decides the lines of `text`, the first of which is line `first`, at byte
/// `offset` of the input.
fn decide_part<'c>(text: &[u8], first: usize, offset: u64, e: &Engine<'c>, scratch: &mut Scratch<'c>) -> Output {
    let mut out = Output { text: Vec::with_capacity(text.len() / 8), ..Output::default() };
    let mut start = 0;
    for (i, end) in
        memchr::memchr_iter(b'\n', text).chain((text.last() != Some(&b'\n')).then_some(text.len())).enumerate()
    {
        let n = first + i;
        let bytes = text.get(start..end).unwrap_or(&[]);
        let line_offset = offset + start as u64;
        start = end + 1;
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(line) if line.trim().is_empty() => {}
            Ok(line) => one_line(n, line, e, scratch, &mut out),
            Err(err) => {
                let at = err.valid_up_to();
                let byte = bytes.get(at).copied().unwrap_or_default();
                out.unreadable(
                    n,
                    LineError {
                        column: Some(at + 1),
                        offset: Some(line_offset + at as u64),
                        message: format!(
                            "not UTF-8: byte 0x{byte:02x} at column {} (byte offset {} of the input) does not start a UTF-8 character",
                            at + 1,
                            line_offset + at as u64
                        ),
                        help: Some(
                            "JSON Lines is UTF-8 text; convert the input first (e.g. `iconv -f latin1 -t utf-8`)".into(),
                        ),
                        path: None,
                    },
                );
            }
        }
    }
    out
}

fn one_line<'c>(n: usize, line: &str, e: &Engine<'c>, s: &mut Scratch<'c>, out: &mut Output) {
    if let Some((versions, each)) = e.versions {
        return versioned_line(n, line, e, versions, each, s, out);
    }
    if !(e.args.full || e.args.explain) {
        if !s.row.read_json(line, &mut s.reader, e.compiled, e.opts.now) {
            match full_action(line, e) {
                Ok(a) => match a.group_actions() {
                    // Several groups of contacts: each decided, then the whole (never in place).
                    Some(groups) => return write_groups(n, &groups, e.compiled, None, e, out),
                    None => s.row.fill(&a, e.compiled, e.opts.now),
                },
                Err(err) => return bad_line(n, line, err, out),
            }
        }
        let d = e.compiled.decide(&s.row);
        e.compiled.outcome_into(&s.row, &d, &mut s.outcome);
        write_decision(n, &s.outcome, e.compiled, &s.row, &mut s.basis, &mut out.text);
        return out.decided(d.verdict);
    }
    let a = match full_action(line, e) {
        Ok(a) => a,
        Err(err) => return bad_line(n, line, err, out),
    };
    let v = evaluate(e.policy, e.file, &a, e.opts);
    // Through a `Value`, as the other records: keys in alphabetical order.
    if e.args.full {
        out.record(&serde_json::to_value(FullRecord { line: n, verdict: &v }).unwrap_or_default());
    } else {
        out.record(&serde_json::to_value(ExplainedRecord::new(n, &v)).unwrap_or_default());
    }
    out.decided(v.verdict);
}

/// A line under a policy whose binding version is chosen per actor: the
/// line is read in full (its contract dates pick the version), then decided
/// by that version's compiled form (each compiled once, in [`run`]), or by
/// the evaluator with `--explain` and `--full`.
fn versioned_line<'c>(
    n: usize,
    line: &str,
    e: &Engine<'c>,
    versions: &Versions,
    each: &'c [Compiled],
    s: &mut Scratch<'c>,
    out: &mut Output,
) {
    let a = match full_action(line, e) {
        Ok(a) => a,
        Err(err) => return bad_line(n, line, err, out),
    };
    if e.args.full || e.args.explain {
        let Some((v, _)) = versions.evaluate(&a, e.opts) else { return };
        if e.args.full {
            out.record(&serde_json::to_value(FullRecord { line: n, verdict: &v }).unwrap_or_default());
        } else {
            out.record(&serde_json::to_value(ExplainedRecord::new(n, &v)).unwrap_or_default());
        }
        return out.decided(v.verdict);
    }
    let (i, bound) = match versions.binding(&a) {
        Ok(found) => found,
        Err(why) => {
            let record = DecisionRecord {
                approvers: Vec::new(),
                before_effective: None,
                deciding: Vec::new(),
                groups: Vec::new(),
                line: n,
                obligations: Vec::new(),
                unbound: Some(why),
                verdict: Decision::Indeterminate,
                version: None,
            };
            out.record(&serde_json::to_value(record).unwrap_or_default());
            return out.decided(Decision::Indeterminate);
        }
    };
    let Some(c) = each.get(i) else { return };
    if let Some(groups) = a.group_actions() {
        return write_groups(n, &groups, c, Some(bound), e, out);
    }
    s.row.fill(&a, c, e.opts.now);
    let d = c.decide(&s.row);
    c.outcome_into(&s.row, &d, &mut s.outcome);
    write_decision(n, &s.outcome, c, &s.row, &mut s.basis, &mut out.text);
    // The record's last key, `version`, after `verdict`.
    if out.text.ends_with(b"}\n") {
        out.text.truncate(out.text.len() - 2);
        out.text.extend_from_slice(b",\"version\":");
        let _ = serde_json::to_writer(&mut out.text, &bound);
        out.text.extend_from_slice(b"}\n");
    }
    out.decided(d.verdict);
}

/// The record of an action about several groups of contacts, decided by the
/// compiled form group by group ([`Compiled::decide_items`]).
fn write_groups(
    n: usize,
    groups: &[Action],
    compiled: &Compiled,
    version: Option<smpolicy::versions::Bound>,
    e: &Engine<'_>,
    out: &mut Output,
) {
    let d = compiled.decide_items(groups, e.opts.now);
    let record = DecisionRecord {
        approvers: d.whole.approvers.clone(),
        before_effective: d.before_effective(),
        deciding: d.whole.deciding.clone(),
        groups: GroupRecord::compiled(groups, &d),
        line: n,
        obligations: d.obligations(),
        unbound: None,
        verdict: d.whole.verdict,
        version,
    };
    // Through a `Value`, as the other records: keys in alphabetical order.
    out.record(&serde_json::to_value(record).unwrap_or_default());
    out.decided(d.whole.verdict);
}

/// An error record for a line that is not an action; with a hint when the
/// line looks like YAML (`--batch` reads JSON Lines).
fn bad_line(n: usize, line: &str, mut err: DataError, out: &mut Output) {
    if looks_like_yaml(line) {
        err.help = Some(format!("this looks like YAML: {YAML_HINT}"));
        out.yaml += 1;
    }
    out.error(n, &err);
}

/// What a YAML line is told.
const YAML_HINT: &str = "--batch reads JSON Lines (one JSON object a line); evaluate a YAML file without \
                         --batch, or convert it (`yq -o=json -I=0`)";

/// A line that is not JSON but reads as YAML: `key: value`, `- item`, `---`
/// or a comment.
fn looks_like_yaml(line: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with(['{', '[', '"']) {
        return false;
    }
    if t == "---" || t.starts_with("- ") || t == "-" || t.starts_with('#') {
        return true;
    }
    match t.split_once(':') {
        Some((key, rest)) => {
            !key.is_empty()
                && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
                && (rest.is_empty() || rest.starts_with(' '))
        }
        None => false,
    }
}

/// A line parsed in full and checked against the policy's declarations.
fn full_action(line: &str, e: &Engine<'_>) -> Result<Action, DataError> {
    let a = parse_action_json_line(line)?;
    // A line of a versioned policy is checked against the version that binds it.
    if let Some((versions, _)) = e.versions {
        return match super::validate(&a, versions).into_iter().next() {
            Some(err) => Err(err),
            None => Ok(a),
        };
    }
    if e.vocab.accepts(&a) {
        return Ok(a);
    }
    match check_open_values(&a, &e.policy.decls).into_iter().next() {
        Some(err) => Err(err),
        None => Ok(a),
    }
}

/// The record written per action by default: the decision, written by hand
/// as serde would write a [`smpolicy::records::DecisionRecord`] (keys in
/// alphabetical order, as in the other records; `obligations` only when
/// there are any). tests/schemas.rs holds it to that type's schema.
fn write_decision(line: usize, o: &Outcome<'_>, c: &Compiled, row: &FactRow, basis: &mut String, buf: &mut Vec<u8>) {
    let strings = |buf: &mut Vec<u8>, items: &[&str]| {
        buf.push(b'[');
        for (i, s) in items.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            string(buf, s);
        }
        buf.push(b']');
    };
    buf.extend_from_slice(b"{\"approvers\":");
    strings(buf, &o.approvers);
    if let Some(b) = c.before_effective(row) {
        buf.extend_from_slice(b",\"before_effective\":");
        let _ = serde_json::to_writer(&mut *buf, &b);
    }
    buf.extend_from_slice(b",\"deciding\":");
    strings(buf, &o.deciding);
    buf.extend_from_slice(b",\"line\":");
    let _ = serde_json::to_writer(&mut *buf, &line);
    let mut first = true;
    c.each_obligation(row, |ob| {
        buf.extend_from_slice(if first { b",\"obligations\":[" } else { b"," });
        first = false;
        write_obligation(ob, basis, buf);
    });
    if !first {
        buf.push(b']');
    }
    buf.extend_from_slice(b",\"verdict\":\"");
    buf.extend_from_slice(o.verdict.as_str().as_bytes());
    buf.extend_from_slice(b"\"}\n");
}

/// A JSON string: quoted as it is, unless it needs escaping.
fn string(buf: &mut Vec<u8>, s: &str) {
    if needs_no_escape(s) {
        buf.push(b'"');
        buf.extend_from_slice(s.as_bytes());
        buf.push(b'"');
    } else {
        let _ = serde_json::to_writer(&mut *buf, s);
    }
}

/// An obligation as `serde_json` writes its [`ObligationOut`] (fields in
/// order, absent ones left out), nothing allocated, dates written without
/// jiff's printer; `basis` is scratch space.
fn write_obligation(o: &ObligationRef<'_>, basis: &mut String, buf: &mut Vec<u8>) {
    buf.extend_from_slice(b"{\"text\":");
    string(buf, &o.spec.text);
    buf.extend_from_slice(b",\"rule\":");
    string(buf, o.rule);
    if let Some(due) = o.due {
        buf.extend_from_slice(b",\"due\":");
        match smpolicy::value::date_text(due) {
            Some(text) => {
                buf.push(b'"');
                buf.extend_from_slice(&text);
                buf.push(b'"');
            }
            None => {
                let _ = serde_json::to_writer(&mut *buf, &due);
            }
        }
    }
    basis.clear();
    if o.write_basis(basis) {
        buf.extend_from_slice(b",\"due_basis\":");
        string(buf, basis);
    }
    if let Some(days) = o.overdue_days {
        buf.extend_from_slice(b",\"overdue_days\":");
        let _ = serde_json::to_writer(&mut *buf, &days);
    }
    if let Some(key) = &o.spec.done_key {
        buf.extend_from_slice(b",\"done_key\":");
        string(buf, key);
    }
    buf.push(b'}');
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

/// A block of whole lines, numbered in input order, with its first line's
/// number and its byte offset in the input; or, when `too_long`, the line
/// `first` alone, which was longer than [`MAX_LINE`] and skipped (`text` empty).
struct Block {
    seq: usize,
    first: usize,
    offset: u64,
    text: Vec<u8>,
    too_long: bool,
}

/// The error record of a line longer than [`MAX_LINE`].
fn too_long(line: usize, offset: u64) -> Output {
    let mut out = Output::default();
    out.unreadable(
        line,
        LineError {
            offset: Some(offset),
            message: format!("the line is longer than {} bytes (1 MiB) and was skipped", MAX_LINE),
            help: Some("one action a line: a JSON object with no line breaks, under 1 MiB".into()),
            ..LineError::default()
        },
    );
    out
}

/// Reads the input into blocks of whole lines and hands them to the workers;
/// returns the number the next line would have and the read error, if any.
/// A line longer than [`MAX_LINE`] is handed on as a `too_long` block and
/// the rest of it is read and dropped, never held.
fn read_blocks(
    input: &mut dyn Read,
    to_workers: &std::sync::mpsc::SyncSender<Block>,
    stop: &AtomicBool,
) -> (usize, Option<std::io::Error>) {
    let read = |input: &mut dyn Read, buf: &mut Vec<u8>, target: usize| match fill(input, buf, target) {
        Ok(ended) => (ended, None),
        Err(e) => (true, Some(e)),
    };
    let mut line = 1usize;
    let mut offset = 0u64;
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK);
    let mut target = BLOCK;
    let mut seq = 0;
    // The end of the input, when it was met while skipping a long line.
    let mut met_end = None;
    loop {
        let (ended, error) = met_end.take().unwrap_or_else(|| read(input, &mut buf, target));
        // A block ends at the last line end; the rest waits for the next block.
        let last_end = memchr::memrchr(b'\n', &buf);
        if last_end.is_none() && buf.len() > MAX_LINE {
            // `buf` is the start of one line, too long: report it, and drop
            // the rest of it as it is read.
            if to_workers.send(Block { seq, first: line, offset, text: Vec::new(), too_long: true }).is_err() {
                return (line, error);
            }
            seq += 1;
            let (mut ended, mut error) = (ended, error);
            loop {
                if let Some(p) = memchr::memchr(b'\n', &buf) {
                    offset += p as u64 + 1;
                    line += 1;
                    buf.drain(..=p);
                    break;
                }
                offset += buf.len() as u64;
                buf.clear();
                if ended || stop.load(Ordering::Relaxed) {
                    return (line, error);
                }
                (ended, error) = read(input, &mut buf, BLOCK);
            }
            target = BLOCK;
            if ended {
                met_end = Some((ended, error));
            }
            continue;
        }
        let cut = if ended { Some(buf.len()) } else { last_end.map(|p| p + 1) };
        let Some(cut) = cut else {
            // A line longer than a block: read on until it ends, or is too long.
            target = (buf.len() + BLOCK).min(MAX_LINE + 1);
            continue;
        };
        target = BLOCK;
        let rest = buf.get(cut..).unwrap_or(&[]).to_vec();
        buf.truncate(cut);
        let first = line;
        line += newlines(&buf);
        let text = std::mem::replace(&mut buf, rest);
        let at = offset;
        offset += text.len() as u64;
        buf.reserve(BLOCK);
        if !text.is_empty() && to_workers.send(Block { seq, first, offset: at, text, too_long: false }).is_err() {
            return (line, error);
        }
        seq += 1;
        if ended || stop.load(Ordering::Relaxed) {
            return (line, error);
        }
    }
}

/// Writes the workers' outputs in input order (they may finish out of
/// order); returns the tallies. Stops the reader when the output is closed.
fn write_in_order(
    from_workers: std::sync::mpsc::Receiver<(usize, Output)>,
    w: &mut impl Write,
    stop: &AtomicBool,
    bar: Option<&indicatif::ProgressBar>,
) -> Output {
    let mut total = Output::default();
    let mut waiting: std::collections::BTreeMap<usize, Output> = std::collections::BTreeMap::new();
    let mut next = 0;
    for (seq, out) in from_workers {
        waiting.insert(seq, out);
        while let Some(part) = waiting.remove(&next) {
            for (t, c) in total.counts.iter_mut().zip(part.counts) {
                *t += c;
            }
            total.bad += part.bad;
            total.yaml += part.yaml;
            if !stop.load(Ordering::Relaxed) && w.write_all(&part.text).is_err() {
                stop.store(true, Ordering::Relaxed);
            }
            if let Some(bar) = bar {
                bar.set_position(part.end);
                bar.set_message(format!("{} lines", total.counts.iter().sum::<usize>() + total.bad));
            }
            next += 1;
        }
    }
    total
}

/// A progress bar on standard error, only when it is a terminal: bytes of a
/// file against its size, or bytes and lines of a stream.
fn progress_bar(size: Option<u64>) -> Option<indicatif::ProgressBar> {
    crate::cli::progress::bar(
        size,
        "{bytes}/{total_bytes} [{bar:30}] {msg}, {bytes_per_sec}, {eta} left",
        "{spinner} {bytes} read, {msg}, {bytes_per_sec}",
    )
}

/// Runs `eval --batch`: one thread reads blocks, [`WORKERS`] decide them,
/// one writes the records in input order. At most a few blocks are in
/// flight, so memory stays flat.
pub fn run(args: &Args, versions: &Versions, opts: &EvalOptions) -> super::Exit {
    let Some(newest) = versions.newest() else { return super::Exit::Error };
    let (file, policy) = (&newest.file, &newest.policy);
    use super::Exit;
    use std::sync::mpsc::sync_channel;
    let mut size = None;
    let mut input: Box<dyn Read + Send> = match &args.action {
        Some(p) if p.as_os_str() != "-" => match std::fs::File::open(p) {
            Ok(f) => {
                // Only for the progress bar: a fifo or a device has no size, and is read all the same.
                size = f.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
                Box::new(f)
            }
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", p.display());
                return Exit::Error;
            }
        },
        _ => Box::new(std::io::stdin()),
    };
    let bar = progress_bar(size);
    let compiled = compile(policy);
    // Each version compiled once; only when the version is chosen per actor.
    let each: Vec<Compiled> = if versions.is_versioned() {
        versions.versions.iter().map(|v| compile(&v.policy)).collect()
    } else {
        Vec::new()
    };
    let versioned = versions.is_versioned().then_some((versions, each.as_slice()));
    let engine = Engine {
        args,
        file,
        policy,
        compiled: &compiled,
        versions: versioned,
        vocab: Vocabulary::new(&policy.decls),
        opts,
    };
    let stop = AtomicBool::new(false);
    let (to_workers, blocks) = sync_channel::<Block>(2 * WORKERS);
    let blocks = std::sync::Mutex::new(blocks);
    let (to_writer, outputs) = sync_channel::<(usize, Output)>(2 * WORKERS);
    let mut w = std::io::BufWriter::new(crate::cli::stdout::Stdout);
    let (total, (line, read_error)) = std::thread::scope(|s| {
        for _ in 0..WORKERS {
            let to_writer = to_writer.clone();
            let (blocks, engine) = (&blocks, &engine);
            s.spawn(move || {
                let mut scratch = Scratch::new(engine);
                loop {
                    let next = blocks.lock().ok().and_then(|rx| rx.recv().ok());
                    let Some(block) = next else { break };
                    let mut out = if block.too_long {
                        too_long(block.first, block.offset)
                    } else {
                        decide_part(&block.text, block.first, block.offset, engine, &mut scratch)
                    };
                    let len = if block.too_long { MAX_LINE + 1 } else { block.text.len() };
                    out.end = block.offset + len as u64;
                    if to_writer.send((block.seq, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(to_writer);
        let stop = &stop;
        let reader = s.spawn(move || read_blocks(&mut *input, &to_workers, stop));
        let total = write_in_order(outputs, &mut w, stop, bar.as_ref());
        let read = reader.join().unwrap_or_else(|_| (0, Some(std::io::Error::other("the reading thread stopped"))));
        (total, read)
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let mut total = total;
    if let Some(e) = read_error {
        let error = LineError { message: format!("unreadable input: {e}"), ..LineError::default() };
        let rec = serde_json::to_value(ErrorRecord { line, error }).unwrap_or_default();
        let _ = writeln!(w, "{rec}");
        total.bad += 1;
    }
    let _ = w.flush();
    let bad = total.bad;
    let c = total.counts;
    let good: usize = c.iter().sum();
    eprintln!(
        "{} lines: {good} decided ({} allow, {} require-approval, {} deny, {} indeterminate), {bad} bad",
        good + bad,
        c[0],
        c[1],
        c[2],
        c[3]
    );
    if total.yaml > 0 {
        eprintln!("hint: {} bad line(s) look like YAML: {YAML_HINT}", total.yaml);
    }
    if bad > 0 {
        Exit::Error
    } else {
        Exit::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written record is the one `serde_json` writes, byte for byte.
    #[test]
    fn obligations_are_written_as_serde_writes_them() {
        use smpolicy::policy::ObligationSpec;
        use smpolicy::value::{Duration, TimeUnit};
        let date = |y, m, d| jiff::civil::Date::new(y, m, d).unwrap();
        let full = ObligationSpec {
            text: "Hand over \"branded\" accounts\n(all of them) £".into(),
            within: Some(Duration::new(1, TimeUnit::BusinessDay)),
            from: vec!["actor.departed_on".into()],
            done_key: Some("hand_over_accounts".into()),
        };
        let bare = ObligationSpec { within: None, from: vec![], done_key: None, ..full.clone() };
        let start = Some(("actor.departed_on", date(2026, 1, 2)));
        let cases = [
            ObligationRef::new(&full, "hand-over", start, date(2026, 1, 9)),
            ObligationRef::new(&full, "hand-over", start, date(2026, 1, 1)),
            ObligationRef::new(&full, "hand-over", Some(("the action", date(-12, 3, 4))), date(-12, 3, 4)),
            ObligationRef::new(&full, "hand-over", None, date(2026, 1, 1)),
            ObligationRef::new(&bare, "keep", start, date(2026, 1, 1)),
        ];
        assert!(cases[0].overdue_days.is_some() && cases[2].due.is_some_and(|d| d.year() < 0));
        let mut basis = String::new();
        for o in cases {
            let mut buf = Vec::new();
            write_obligation(&o, &mut basis, &mut buf);
            assert_eq!(String::from_utf8(buf).unwrap(), serde_json::to_string(&o.to_out()).unwrap());
        }
    }
}
