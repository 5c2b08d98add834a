//! The command line: clap definitions, exit codes and the shared plumbing
//! (loading policies and data, printing diagnostics). One file per
//! subcommand under `cli/`. This module is the only one that prints.

pub mod check;
pub mod compare;
pub mod diff;
pub mod eval;
pub mod fmt;
#[cfg(feature = "server")]
pub mod log;
pub mod progress;
pub mod schema;
#[cfg(feature = "server")]
pub mod serve;
pub mod stdout;
pub mod terms;
pub mod test;

use clap::{Parser, Subcommand, ValueEnum};
use smpolicy::diagnostic::{self, Diagnostic, RenderOptions, Severity};
use smpolicy::policy::Policy;
use smpolicy::source::SourceFile;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Exit codes, stable and documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success; the verdict is allow.
    Ok = 0,
    /// Usage, policy or data error.
    Error = 1,
    /// The verdict is deny.
    Deny = 2,
    /// A check failed: `check` found errors, `fmt --check` found unformatted files, `test` had failures.
    CheckFailed = 3,
    /// The verdict is require-approval.
    RequireApproval = 4,
    /// The verdict is indeterminate.
    Indeterminate = 5,
}

impl Exit {
    /// The exit code for a verdict.
    pub fn for_decision(d: smpolicy::eval::Decision) -> Exit {
        match d {
            smpolicy::eval::Decision::Allow => Exit::Ok,
            smpolicy::eval::Decision::Deny => Exit::Deny,
            smpolicy::eval::Decision::RequireApproval => Exit::RequireApproval,
            smpolicy::eval::Decision::Indeterminate => Exit::Indeterminate,
        }
    }
}

const AFTER_HELP: &str = "\
Examples:
  smpolicy check policies
  smpolicy eval policies/protective-agency.policy docs/examples/actions/eleventh-tweet.yaml
  smpolicy eval policies/trusting-agency.policy - --format json < docs/examples/actions/invite-client-on-notice.yaml
  smpolicy eval policies/protective-agency.policy --batch docs/examples/actions/batch.jsonl
  smpolicy terms policies/candidate-dealbreakers.policy docs/examples/contracts/offer.yaml
  smpolicy test policies/protective-agency.policy
  smpolicy diff policies/protective-agency.policy docs/examples/diff/castlegate-v6.policy

Exit codes: 0 ok/allow, 1 usage, policy or data error, 2 deny, 3 check failed,
4 require-approval, 5 indeterminate.";

/// Policy-as-code for social media in recruitment.
#[derive(Debug, Parser)]
#[command(name = "smpolicy", version, about, after_help = AFTER_HELP, propagate_version = true)]
pub struct Cli {
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    /// On a terminal unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Output formats.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum Format {
    /// Words for a person.
    #[default]
    Text,
    /// JSON for a program (documented, versioned shape).
    Json,
    /// Markdown for a review or a pull request.
    Markdown,
}

/// Output formats of the commands that have no Markdown form (`terms`, `test`).
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum TextOrJson {
    /// Words for a person.
    #[default]
    Text,
    /// JSON for a program (documented, versioned shape).
    Json,
}

/// How to print policy diagnostics.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Default)]
pub enum ErrorFormat {
    /// The source line with a caret.
    #[default]
    Human,
    /// One line each: file:line:col: severity[code]: message.
    Short,
    /// JSON Lines, on standard output.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse, type-check and lint policies (exit 3 on any error; warnings allowed).
    #[command(
        after_help = "Examples:\n  smpolicy check policies/*.policy\n  smpolicy check policies\n  smpolicy check --deny shadowed-rule my.policy\n  smpolicy check --list-codes\n  smpolicy check --explain never-fires"
    )]
    Check(check::Args),
    /// Format policies canonically (comments kept, meaning unchanged).
    #[command(
        after_help = "Examples:\n  smpolicy fmt policies/*.policy\n  smpolicy fmt --check policies/*.policy\n  smpolicy fmt --check --diff - < my.policy"
    )]
    Fmt(fmt::Args),
    /// Decide a proposed action and explain the verdict.
    #[command(
        after_help = "Examples:\n  smpolicy eval policies/protective-agency.policy docs/examples/actions/eleventh-tweet.yaml\n  smpolicy eval my.policy action.yaml --now 2026-03-01\n  smpolicy eval my.policy - --format json < action.json\n  smpolicy eval my.policy --batch actions.jsonl > verdicts.jsonl\n\nExit codes: 0 allow, 2 deny, 4 require-approval, 5 indeterminate, 1 error."
    )]
    Eval(eval::Args),
    /// Check employment terms (a contract or an offer) clause by clause.
    #[command(
        after_help = "Examples:\n  smpolicy terms policies/candidate-dealbreakers.policy docs/examples/contracts/offer.yaml\n\nExit codes: 0 consistent, 2 a deal-breaker is broken, 5 cannot tell, 1 error."
    )]
    Terms(terms::Args),
    /// Compare employers' policies side by side for a candidate: ownership, covenants, posting, scores and a scenario pack.
    #[command(
        after_help = "Examples:\n  smpolicy compare policies/trusting-agency.policy policies/protective-agency.policy\n  smpolicy compare A.policy B.policy --format html -o report.html\n  smpolicy compare A.policy B.policy --against policies/candidate-dealbreakers.policy --jurisdiction US-CA"
    )]
    Compare(compare::Args),
    /// Run expected-verdict test cases against a policy, with coverage.
    #[command(
        after_help = "Examples:\n  smpolicy test policies/protective-agency.policy\n  smpolicy test my.policy my-cases.yaml\n\nWithout TESTS, runs POLICY's neighbour NAME.tests.yaml."
    )]
    Test(test::Args),
    /// Run the decision service: an HTTP JSON API with hot reload and an audit log.
    #[command(
        after_help = "Examples:\n  smpolicy serve --policies policies --listen 127.0.0.1:8080 --log decisions.sqlite\n  smpolicy serve --policies policies --log postgres://smpolicy@localhost/smpolicy\n\nExit codes: 0 stopped by Ctrl-C or SIGTERM, 1 cannot start."
    )]
    #[cfg(feature = "server")]
    Serve(serve::Args),
    /// Read the decision service's audit log.
    #[command(
        after_help = "Examples:\n  smpolicy log --log decisions.sqlite --actor alice --since 2026-03-01\n  smpolicy log --log decisions.sqlite --format json > decisions.jsonl"
    )]
    #[cfg(feature = "server")]
    Log(log::Args),
    /// Every situation whose verdict changes between two versions of a policy, with a witness action for each.
    #[command(
        after_help = "Examples:\n  smpolicy diff old.policy new.policy\n  smpolicy diff old.policy new.policy --format markdown > comment.md\n  smpolicy diff old.policy new.policy --replay last-month.jsonl\n  smpolicy diff old.policy new.policy --fail-on stricter\n\nExit codes: 0 done, 3 a change matched --fail-on, 1 error."
    )]
    Diff(diff::Args),
    /// Print the JSON Schema of an input (action, contract, tests) or an output (verdict, terms, compare, diff,
    /// batch-record, log-entry); without a name, list them.
    #[command(
        after_help = "Examples:\n  smpolicy schema\n  smpolicy schema verdict > verdict.schema.json\n\nThe same files are in the repository under docs/schemas/."
    )]
    Schema(schema::Args),
    /// Print shell completions.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff): the whole tool's, or one subcommand's; or write them all to a directory.
    Man {
        /// A subcommand (`eval`, `check`, ...): its own page, `smpolicy-eval(1)`.
        subcommand: Option<String>,
        /// Write every page (`smpolicy.1`, `smpolicy-eval.1`, ...) into this directory instead.
        #[arg(long, value_name = "DIR", conflicts_with = "subcommand")]
        out_dir: Option<PathBuf>,
    },
    /// Print a stage's output for a policy: the AST or the normalized policy (for debugging).
    Debug {
        /// What to print.
        #[arg(value_enum)]
        stage: DebugStage,
        /// The policy file.
        policy: PathBuf,
    },
}

/// Stages `debug` can print.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DebugStage {
    /// The syntax tree.
    Ast,
    /// The normalized policy as JSON.
    Policy,
}

/// `--now`: a time (`2026-03-01T09:00:00Z`), or a plain date (`2026-03-01`)
/// standing for midnight at the start of that day in the policy's timezone,
/// as a plain date in an action's `at` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Now {
    /// A point in time.
    Time(jiff::Timestamp),
    /// A day, started in the policy's timezone.
    Date(jiff::civil::Date),
}

impl std::str::FromStr for Now {
    type Err = String;

    fn from_str(s: &str) -> Result<Now, String> {
        let s = s.trim();
        if let Ok(t) = s.parse::<jiff::Timestamp>() {
            return Ok(Now::Time(t));
        }
        // Only a date alone: jiff also reads the date out of a date and time.
        if let Some(d) = s.parse::<jiff::civil::Date>().ok().filter(|d| d.to_string() == s) {
            // Every day must have a start in UTC, the fallback of `at`.
            if d.to_zoned(jiff::tz::TimeZone::UTC).is_ok() {
                return Ok(Now::Date(d));
            }
            return Err(format!("`{s}` is outside the supported range of dates"));
        }
        let hint = match s.parse::<jiff::civil::DateTime>() {
            Ok(dt) => format!("; a time needs an offset: write `{dt}Z` for UTC"),
            Err(_) => String::new(),
        };
        Err(format!("expected a date such as `2026-03-01` or a time such as `2026-03-01T09:00:00Z`{hint}"))
    }
}

impl Now {
    /// The point in time for `policy`: a plain date starts in its timezone
    /// (UTC if that leaves the supported range).
    pub fn at(self, policy: &Policy) -> jiff::Timestamp {
        match self {
            Now::Time(t) => t,
            Now::Date(d) => {
                let tz = jiff::tz::TimeZone::get(&policy.meta.timezone).unwrap_or(jiff::tz::TimeZone::UTC);
                d.to_zoned(tz)
                    .or_else(|_| d.to_zoned(jiff::tz::TimeZone::UTC))
                    .map(|z| z.timestamp())
                    .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            }
        }
    }

    /// `--now` for `policy`, or the current time.
    pub fn or_current(now: Option<Now>, policy: &Policy) -> jiff::Timestamp {
        now.map_or_else(jiff::Timestamp::now, |n| n.at(policy))
    }
}

/// Shared output settings.
#[derive(Debug, Clone, Copy)]
pub struct Out {
    /// Colour on stdout.
    pub color: bool,
    /// Colour on stderr.
    pub color_err: bool,
}

impl Out {
    /// Decides colour from the flag, the terminal and NO_COLOR.
    pub fn new(choice: ColorChoice) -> Out {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let pick = |tty: bool| match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        Out { color: pick(std::io::stdout().is_terminal()), color_err: pick(std::io::stderr().is_terminal()) }
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Exit {
    let out = Out::new(cli.color);
    match cli.command {
        Command::Check(a) => check::run(a, out),
        Command::Fmt(a) => fmt::run(a, out),
        Command::Eval(a) => eval::run(a, out),
        Command::Terms(a) => terms::run(a, out),
        Command::Compare(a) => compare::run(a, out),
        Command::Test(a) => test::run(a, out),
        #[cfg(feature = "server")]
        Command::Serve(a) => serve::run(a, out),
        #[cfg(feature = "server")]
        Command::Log(a) => log::run(a, out),
        Command::Diff(a) => diff::run(a, out),
        Command::Schema(a) => schema::run(a),
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            // Into memory first: the generators panic on a write error.
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut cmd, "smpolicy", &mut buf);
            let _ = std::io::Write::write_all(&mut stdout::Stdout, &buf);
            Exit::Ok
        }
        Command::Man { subcommand, out_dir } => man(subcommand.as_deref(), out_dir.as_deref()),
        Command::Debug { stage, policy } => {
            let Some(file) = read_source(&policy) else { return Exit::Error };
            match smpolicy::parser::parse(&file) {
                Ok(ast) => {
                    match stage {
                        DebugStage::Ast => println!("{ast:#?}"),
                        DebugStage::Policy => {
                            let p = smpolicy::lower::lower(&file, &ast);
                            println!("{}", serde_json::to_string_pretty(&p).unwrap_or_default());
                        }
                    }
                    Exit::Ok
                }
                Err(e) => {
                    print_diagnostics(&diagnostic::from_parse_errors(&e), &file, out, ErrorFormat::Human);
                    Exit::Error
                }
            }
        }
    }
}

/// The largest file (or standard input) read whole: 64 MiB. A policy, an
/// action, a contract or a test suite is far smaller; `eval --batch` streams
/// its input and has no such limit.
pub const MAX_FILE: u64 = 64 << 20;

/// Reads a file (or standard input for `-`), at most [`MAX_FILE`] bytes,
/// reporting a failure on stderr.
pub fn read_text(path: &Path) -> Option<String> {
    read_text_up_to(path, MAX_FILE)
}

/// Reads a file (or standard input for `-`) of at most `cap` bytes, as a
/// stream (a fifo or a device is read until it ends, never sized first).
pub fn read_text_up_to(path: &Path, cap: u64) -> Option<String> {
    use std::io::Read as _;
    let name = if path == Path::new("-") { "standard input".to_string() } else { format!("`{}`", path.display()) };
    let mut bytes = Vec::new();
    let read = if path == Path::new("-") {
        std::io::stdin().lock().take(cap + 1).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(cap + 1).read_to_end(&mut bytes))
    };
    if let Err(e) = read {
        eprintln!("error: cannot read {name}: {e}");
        return None;
    }
    if bytes.len() as u64 > cap {
        eprintln!("error: {name} is larger than {} MiB, more than smpolicy reads whole", cap >> 20);
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(s) => Some(s),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = bytes.get(..at).map_or(0, |b| memchr::memchr_iter(b'\n', b).count()) + 1;
            let column = at - bytes.get(..at).and_then(|b| memchr::memrchr(b'\n', b)).map_or(0, |p| p + 1) + 1;
            eprintln!(
                "error: {name} is not UTF-8 text: byte 0x{:02x} at line {line}, column {column} (byte offset {at})",
                bytes.get(at).copied().unwrap_or_default()
            );
            None
        }
    }
}

/// Reads a policy file as a source file named by its path.
pub fn read_source(path: &Path) -> Option<SourceFile> {
    read_text(path).map(|t| SourceFile::new(path.display().to_string(), t))
}

/// Prints diagnostics on stderr.
pub fn print_diagnostics(diags: &[Diagnostic], file: &SourceFile, out: Out, format: ErrorFormat) {
    for d in diags {
        match format {
            ErrorFormat::Human => {
                eprintln!("{}", diagnostic::render(d, file, RenderOptions { color: out.color_err, width: 100 }))
            }
            ErrorFormat::Short => eprintln!("{}", diagnostic::short(d, file)),
            ErrorFormat::Json => {
                let (line, column) = file.line_col(d.span().start);
                let d = smpolicy::records::CheckDiagnostic {
                    file: &file.name,
                    line,
                    column,
                    code: &d.code,
                    severity: d.severity,
                    message: &d.message,
                    help: d.help.as_deref(),
                };
                // On standard output, alone there: a program reads it (through
                // a `Value`, as before: keys in alphabetical order).
                println!("{}", serde_json::to_value(d).unwrap_or_default());
            }
        }
    }
}

/// Loads a policy for use: parse, check, lower. Errors are printed and give `None`.
pub fn load_policy(path: &Path, out: Out) -> Option<(SourceFile, Policy)> {
    let file = read_source(path)?;
    match smpolicy::check::check_and_lower(&file) {
        Ok((_, report, policy)) => {
            let errors: Vec<Diagnostic> =
                report.diagnostics.iter().filter(|d| d.severity == Severity::Error).cloned().collect();
            if !errors.is_empty() {
                print_diagnostics(&errors, &file, out, ErrorFormat::Human);
                eprintln!(
                    "error: `{}` has {} error(s); run `smpolicy check` for details",
                    path.display(),
                    errors.len()
                );
                return None;
            }
            Some((file, policy))
        }
        Err(diags) => {
            print_diagnostics(&diags, &file, out, ErrorFormat::Human);
            None
        }
    }
}

/// The version history that ends with `file` (`previous "FILE"`, each path
/// relative to the file that names it), each version checked and lowered once.
pub fn version_chain(
    file: SourceFile,
    policy: Policy,
) -> Result<smpolicy::versions::Versions, Vec<smpolicy::versions::Problems>> {
    let key = |path: &Path| {
        std::fs::canonicalize(path).map_or_else(|_| path.display().to_string(), |p| p.display().to_string())
    };
    let top = key(Path::new(&*file.name));
    let mut read = |naming: &SourceFile, rel: &str| -> Result<(String, SourceFile), String> {
        let dir = Path::new(&*naming.name).parent().unwrap_or(Path::new(""));
        let path = dir.join(rel);
        let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
        Ok((key(&path), SourceFile::new(path.display().to_string(), text)))
    };
    smpolicy::versions::load(smpolicy::versions::Version { file, policy }, top, &mut read)
}

/// Loads a policy with its earlier versions for deciding: [`load_policy`],
/// then [`version_chain`]. Errors are printed and give `None`.
pub fn load_versions(path: &Path, out: Out) -> Option<smpolicy::versions::Versions> {
    let (file, policy) = load_policy(path, out)?;
    match version_chain(file, policy) {
        Ok(chain) => Some(chain),
        Err(problems) => {
            for p in &problems {
                print_diagnostics(&p.diagnostics, &p.file, out, ErrorFormat::Human);
            }
            eprintln!("error: the versions of `{}` cannot be used; run `smpolicy check` for details", path.display());
            None
        }
    }
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json(v: &impl serde::Serialize) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("error: cannot write JSON: {e}"),
    }
}

/// `smpolicy man [SUBCOMMAND] [--out-dir DIR]`.
fn man(subcommand: Option<&str>, out_dir: Option<&std::path::Path>) -> Exit {
    let mut cmd = <Cli as clap::CommandFactory>::command().disable_help_subcommand(true);
    // Built, subcommands carry their page names (`smpolicy-eval`).
    cmd.build();
    if let Some(dir) = out_dir {
        return match clap_mangen::generate_to(cmd, dir) {
            Ok(()) => {
                eprintln!("wrote the man pages to {}", dir.display());
                Exit::Ok
            }
            Err(e) => {
                eprintln!("error: --out-dir {}: {e}", dir.display());
                Exit::Error
            }
        };
    }
    let page = match subcommand {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let names: Vec<&str> = cmd.get_subcommands().map(clap::Command::get_name).collect();
                let hint = smpolicy::data::error::suggest(name, names.iter().copied())
                    .map_or_else(|| format!("one of {}", names.join(", ")), |s| format!("did you mean `{s}`?"));
                eprintln!("error: no subcommand `{name}`; {hint}");
                return Exit::Error;
            }
        },
    };
    let mut buf = Vec::new();
    if clap_mangen::Man::new(page).render(&mut buf).is_err() {
        return Exit::Error;
    }
    let _ = std::io::Write::write_all(&mut stdout::Stdout, &buf);
    Exit::Ok
}
