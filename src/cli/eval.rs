//! `smpolicy eval`: one action, or JSON Lines in batch.

use super::{load_policy, print_json, read_text, Exit, Format, Out};
use smpolicy::compile::{compile, Compiled, FactRow};
use smpolicy::data::action::{check_open_values, parse_action, parse_action_json_line, Action};
use smpolicy::data::error::DataError;
use smpolicy::eval::explain::{self, ExplainOptions};
use smpolicy::eval::{evaluate, DutyFilter, EvalOptions, Verdict};
use smpolicy::policy::Policy;
use smpolicy::source::SourceFile;
use std::io::{BufRead, Write};
use std::path::PathBuf;

/// Arguments of `eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The policy.
    pub policy: PathBuf,
    /// The action (YAML or JSON; `-` for standard input). With --batch, JSON Lines (default: standard input).
    pub action: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also list the clauses that did not apply, each with the first condition that failed.
    #[arg(long)]
    pub why_not: bool,
    /// JSON Lines in, JSON Lines out; a bad line gives an error record and the run goes on.
    #[arg(long)]
    pub batch: bool,
    /// In batch mode, also explain each verdict (summary, obligations, advice, law notes, missing facts); slower.
    #[arg(long)]
    pub explain: bool,
    /// In batch mode, write each verdict in full (every clause's tests) rather than the decision record.
    #[arg(long)]
    pub full: bool,
    /// The time used when an action gives no `at` (ISO 8601); the current time by default.
    #[arg(long)]
    pub now: Option<jiff::Timestamp>,
}

/// The declared names an action is checked against.
pub fn validate(action: &Action, policy: &Policy) -> Vec<DataError> {
    let d = &policy.decls;
    let facts: Vec<(String, smpolicy::value::Type)> = d.facts.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let kinds: Vec<String> = d.content_kinds.clone();
    check_open_values(action, &d.roles, &d.teams, &d.channels, &kinds, &facts)
}

/// The declared names a batch checks actions against, gathered once: an
/// action they accept is one [`validate`] finds no error in; one they do not
/// is validated in full, for the error's field path and message.
struct OpenValues<'a> {
    roles: Vec<&'a str>,
    teams: Vec<&'a str>,
    channels: Vec<&'a str>,
    kinds: Vec<&'a str>,
    facts: &'a std::collections::BTreeMap<String, smpolicy::value::Type>,
}

impl<'a> OpenValues<'a> {
    fn new(policy: &'a Policy) -> Self {
        use smpolicy::data::action::{BUILTIN_CHANNELS, BUILTIN_CONTENT_KINDS};
        let d = &policy.decls;
        let with = |builtins: &[&'static str], declared: &'a [String]| -> Vec<&'a str> {
            builtins.iter().copied().chain(declared.iter().map(String::as_str)).collect()
        };
        OpenValues {
            roles: d.roles.iter().map(String::as_str).collect(),
            teams: d.teams.iter().map(String::as_str).collect(),
            channels: with(BUILTIN_CHANNELS, &d.channels),
            kinds: with(BUILTIN_CONTENT_KINDS, &d.content_kinds),
            facts: &d.facts,
        }
    }

    /// Whether every open value of the action is declared (no allocation for a good action).
    fn accepts(&self, a: &Action) -> bool {
        let role_ok = |r: &str| self.roles.is_empty() || self.roles.contains(&r);
        role_ok(&a.actor.role)
            && a.approval.as_ref().and_then(|x| x.granted_by.as_deref()).is_none_or(role_ok)
            && (self.teams.is_empty() || a.actor.team.as_deref().is_none_or(|t| self.teams.contains(&t)))
            && a.channel.as_deref().is_none_or(|c| self.channels.contains(&c))
            && a.content
                .as_ref()
                .and_then(|c| c.kind.as_ref())
                .is_none_or(|ks| ks.iter().all(|k| self.kinds.contains(&k.as_str())))
            && a.facts.iter().all(|(n, v)| self.facts.get(n).is_some_and(|ty| v.typed(ty).is_some()))
    }
}

/// Runs `eval`.
pub fn run(args: Args, out: Out) -> Exit {
    let Some((file, policy)) = load_policy(&args.policy, out) else { return Exit::Error };
    let opts = EvalOptions { now: args.now.unwrap_or_else(jiff::Timestamp::now) };
    if args.batch {
        return batch(&args, &file, &policy, &opts);
    }
    let path = args.action.clone().unwrap_or_else(|| PathBuf::from("-"));
    let Some(text) = read_text(&path) else { return Exit::Error };
    let name = if path.as_os_str() == "-" { "<stdin>".to_string() } else { path.display().to_string() };
    let action = match parse_action(&text, &name) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Error;
        }
    };
    let errors = validate(&action, &policy);
    if !errors.is_empty() {
        for e in errors {
            eprintln!("error: {}", e.locate(&name, &text));
        }
        return Exit::Error;
    }
    let v = evaluate(&policy, &file, &action, &opts);
    let eo = ExplainOptions { why_not: args.why_not };
    match args.format {
        Format::Text => print!("{}", paint(explain::text(&v, &file.name, eo), v.verdict, out)),
        Format::Markdown => print!("{}", explain::markdown(&v, &file.name, eo)),
        Format::Json => print_json(&v),
    }
    Exit::for_decision(v.verdict)
}

/// Colours the verdict line on a terminal: deny red, require-approval yellow,
/// allow green, indeterminate magenta. Plain when piped or under NO_COLOR.
fn paint(text: String, d: smpolicy::eval::Decision, out: Out) -> String {
    if !out.color {
        return text;
    }
    let code = match d {
        smpolicy::eval::Decision::Deny => "31",
        smpolicy::eval::Decision::RequireApproval => "33",
        smpolicy::eval::Decision::Allow => "32",
        smpolicy::eval::Decision::Indeterminate => "35",
    };
    match text.split_once('\n') {
        Some((first, rest)) => format!("\x1b[1;{code}m{first}\x1b[0m\n{rest}"),
        None => text,
    }
}

/// The record written per action in batch mode by default: the decision
/// alone, from the compiled form (keys in the same order as the other records).
#[derive(serde::Serialize)]
struct DecisionRecord<'a> {
    approvers: &'a [&'a str],
    deciding: &'a [&'a str],
    line: usize,
    /// Duties attached, when there are any (then from the full evaluation).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    obligations: &'a [smpolicy::eval::verdict::ObligationOut],
    verdict: smpolicy::eval::Decision,
}

/// The record written per action in batch mode with `--explain`.
fn record(line: usize, v: &Verdict) -> serde_json::Value {
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

/// How many lines are read, decided and written at a time (memory stays flat).
const CHUNK: usize = 2048;

/// What one input line produced: its output record, and the verdict if it was decided.
struct LineOut {
    text: String,
    verdict: Option<smpolicy::eval::Decision>,
}

/// What a batch decides with: the policy, its compiled form, the options.
struct Engine<'a> {
    args: &'a Args,
    file: &'a SourceFile,
    policy: &'a Policy,
    compiled: &'a Compiled,
    duties: DutyFilter<'a>,
    open: OpenValues<'a>,
    opts: &'a EvalOptions,
}

fn one_line(n: usize, line: std::io::Result<String>, e: &Engine<'_>, row: &mut FactRow) -> Option<LineOut> {
    let line = match line {
        Ok(l) => l,
        Err(err) => {
            let rec = serde_json::json!({"line": n, "error": {"message": format!("unreadable line: {err}")}});
            return Some(LineOut { text: rec.to_string(), verdict: None });
        }
    };
    if line.trim().is_empty() {
        return None;
    }
    let parsed = parse_action_json_line(&line).and_then(|a| {
        if e.open.accepts(&a) {
            return Ok(a);
        }
        let errs = validate(&a, e.policy);
        match errs.into_iter().next() {
            Some(err) => Err(err),
            None => Ok(a),
        }
    });
    let a = match parsed {
        Ok(a) => a,
        Err(err) => {
            let rec = serde_json::json!({"line": n, "error": {"path": err.path, "column": err.column, "message": err.message, "help": err.help}});
            return Some(LineOut { text: rec.to_string(), verdict: None });
        }
    };
    if !(e.args.full || e.args.explain) {
        row.fill(&a, e.compiled, e.opts.now);
        let d = e.compiled.decide(row);
        let o = e.compiled.outcome(row, &d);
        // Obligations come from the full evaluation, only where a clause with one might apply.
        let obligations = if e.duties.may_apply(&a, e.opts) {
            evaluate(e.policy, e.file, &a, e.opts).obligations
        } else {
            Vec::new()
        };
        let rec = DecisionRecord {
            approvers: &o.approvers,
            deciding: &o.deciding,
            line: n,
            obligations: &obligations,
            verdict: o.verdict,
        };
        let text = serde_json::to_string(&rec).unwrap_or_default();
        return Some(LineOut { text, verdict: Some(o.verdict) });
    }
    let v = evaluate(e.policy, e.file, &a, e.opts);
    let rec = if e.args.full {
        let mut full = serde_json::to_value(&v).unwrap_or_default();
        if let Some(o) = full.as_object_mut() {
            o.insert("line".into(), n.into());
        }
        full
    } else {
        record(n, &v)
    };
    Some(LineOut { text: rec.to_string(), verdict: Some(v.verdict) })
}

/// Decides a chunk of lines on two threads; the results keep the input order.
fn decide_chunk(chunk: Vec<(usize, std::io::Result<String>)>, e: &Engine<'_>) -> Vec<Option<LineOut>> {
    let run = |part: Vec<(usize, std::io::Result<String>)>| -> Vec<Option<LineOut>> {
        let mut row = FactRow::default();
        part.into_iter().map(|(n, l)| one_line(n, l, e, &mut row)).collect()
    };
    if chunk.len() < 64 {
        return run(chunk);
    }
    let mut first = chunk;
    let second = first.split_off(first.len() / 2);
    std::thread::scope(|s| {
        let other = s.spawn(|| run(second));
        let mut out = run(first);
        match other.join() {
            Ok(rest) => out.extend(rest),
            Err(_) => out.push(Some(LineOut {
                text: serde_json::json!({"error": {"message": "internal error: a worker thread stopped"}}).to_string(),
                verdict: None,
            })),
        }
        out
    })
}

fn batch(args: &Args, file: &SourceFile, policy: &Policy, opts: &EvalOptions) -> Exit {
    let input: Box<dyn BufRead> = match &args.action {
        Some(p) if p.as_os_str() != "-" => match std::fs::File::open(p) {
            Ok(f) => Box::new(std::io::BufReader::new(f)),
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", p.display());
                return Exit::Error;
            }
        },
        _ => Box::new(std::io::stdin().lock()),
    };
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    let (mut good, mut bad) = (0usize, 0usize);
    let mut counts = [0usize; 4];
    let compiled = compile(policy);
    let engine = Engine {
        args,
        file,
        policy,
        compiled: &compiled,
        duties: DutyFilter::new(policy),
        open: OpenValues::new(policy),
        opts,
    };
    let mut lines = input.lines().enumerate();
    'chunks: loop {
        let chunk: Vec<(usize, std::io::Result<String>)> =
            lines.by_ref().take(CHUNK).map(|(i, l)| (i + 1, l)).collect();
        if chunk.is_empty() {
            break;
        }
        for out in decide_chunk(chunk, &engine).into_iter().flatten() {
            match out.verdict {
                Some(v) => {
                    good += 1;
                    if let Some(c) = counts.get_mut(v as usize) {
                        *c += 1;
                    }
                }
                None => bad += 1,
            }
            if writeln!(w, "{}", out.text).is_err() {
                break 'chunks;
            }
        }
    }
    let _ = w.flush();
    eprintln!(
        "{} lines: {good} decided ({} allow, {} require-approval, {} deny, {} indeterminate), {bad} bad",
        good + bad,
        counts[0],
        counts[1],
        counts[2],
        counts[3]
    );
    if bad > 0 {
        Exit::Error
    } else {
        Exit::Ok
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    /// The batch's quick check accepts exactly the actions `validate` finds no error in.
    #[test]
    fn open_values_accept_exactly_what_validate_accepts() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(root.join("policies/protective-agency.policy")).unwrap();
        let file = SourceFile::new("protective-agency.policy", text.as_str());
        let ast = smpolicy::parser::parse(&file).unwrap();
        let policy = smpolicy::lower::lower(&file, &ast);
        let open = OpenValues::new(&policy);
        let base = r#"{"action":"post","actor":{"id":"a","role":"consultant","team":"recruiting","status":"employed"},"channel":"twitter","content":{"kind":["job_ad","industry"]},"approval":{"granted_by":"manager"},"facts":{"hirer_authority":true}}"#;
        let variants = [
            base.to_string(),
            base.replace("\"consultant\"", "\"consulant\""),
            base.replace("\"recruiting\"", "\"sales\""),
            base.replace("\"twitter\"", "\"myspace\""),
            base.replace("\"industry\"", "\"gossip\""),
            base.replace("\"manager\"", "\"boss\""),
            base.replace("hirer_authority", "hirer_authorty"),
            base.replace("true}}", "3}}"),
        ];
        let mut rejected = 0;
        for v in &variants {
            let a = parse_action_json_line(v).unwrap();
            let ok = validate(&a, &policy).is_empty();
            assert_eq!(open.accepts(&a), ok, "{v}");
            rejected += usize::from(!ok);
        }
        assert_eq!(rejected, variants.len() - 1);
    }
}
