//! `smpolicy check`: parse, type-check and lint policies.

use super::{print_diagnostics, read_source, ErrorFormat, Exit, Out};
use smpolicy::ast::Binding;
use smpolicy::diagnostic::Severity;
use std::path::{Path, PathBuf};

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Policy files, or directories (every `.policy` file under them, in name order).
    #[arg(required_unless_present_any = ["explain", "list_codes"])]
    pub policies: Vec<PathBuf>,
    /// Treat these warning codes as errors (repeatable; see --list-codes).
    #[arg(long = "deny", value_name = "CODE")]
    pub deny: Vec<String>,
    /// Treat every warning as an error.
    #[arg(long)]
    pub strict: bool,
    /// How to print diagnostics (`json`: JSON Lines on standard output, nothing else there).
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub error_format: ErrorFormat,
    /// Explain a diagnostic code and exit.
    #[arg(long, value_name = "CODE", conflicts_with_all = ["policies", "deny", "strict", "error_format", "list_codes"])]
    pub explain: Option<String>,
    /// List every diagnostic code with its meaning in one line, and exit.
    #[arg(long, conflicts_with_all = ["policies", "deny", "strict", "error_format"])]
    pub list_codes: bool,
}

/// The first sentence of a code's explanation: up to a full stop followed
/// by a capital, after a word (not `...`, not an abbreviation such as `Cal.`).
fn first_sentence(text: &str) -> &str {
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices(". ") {
        let next_is_capital = bytes.get(i + 2).is_some_and(u8::is_ascii_uppercase);
        let word = text.get(..i).and_then(|t| t.rsplit(' ').next()).unwrap_or("");
        let word = word.trim_start_matches(['(', '`']);
        if next_is_capital && word.len() > 4 && word.bytes().last().is_some_and(|b| b != b'.') {
            return text.get(..=i).unwrap_or(text);
        }
    }
    text
}

/// The known code closest to `code`, if one is close.
fn closest_code(code: &str) -> Option<&'static str> {
    smpolicy::check::codes()
        .map(|c| (strsim::jaro_winkler(c, code), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Every `.policy` file under `dir`, in path order (symbolic links to
/// directories are not followed).
fn policies_under(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries = std::fs::read_dir(dir)?.collect::<std::io::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        if e.file_type()?.is_dir() {
            policies_under(&path, found)?;
        } else if path.extension().is_some_and(|x| x == "policy") {
            found.push(path);
        }
    }
    Ok(())
}

/// The files the arguments name: files as given, directories expanded.
/// Errors are printed; `None` when any argument cannot be used.
pub fn expand(args: &[PathBuf]) -> Option<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut ok = true;
    for path in args {
        if path.as_os_str() == "-" || !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let before = files.len();
        if let Err(e) = policies_under(path, &mut files) {
            eprintln!("error: cannot read the directory `{}`: {e}", path.display());
            ok = false;
        } else if files.len() == before {
            eprintln!("error: no `.policy` file under `{}`", path.display());
            ok = false;
        }
    }
    ok.then_some(files)
}

/// Runs `check`.
pub fn run(args: Args, out: Out) -> Exit {
    if let Some(code) = &args.explain {
        return match smpolicy::check::explain_code(code) {
            Some(text) => {
                println!("{code}: {text}");
                Exit::Ok
            }
            None => {
                unknown_code(code, "--explain");
                Exit::Error
            }
        };
    }
    if args.list_codes {
        let width = smpolicy::check::codes().map(str::len).max().unwrap_or(0);
        for code in smpolicy::check::codes() {
            let text = smpolicy::check::explain_code(code).unwrap_or_default();
            println!("{code:width$}  {}", first_sentence(text));
        }
        return Exit::Ok;
    }
    let mut usage_error = false;
    for code in &args.deny {
        if smpolicy::check::explain_code(code).is_none() {
            unknown_code(code, "--deny");
            usage_error = true;
        }
    }
    if usage_error {
        return Exit::Error;
    }
    let Some(paths) = expand(&args.policies) else { return Exit::Error };
    let mut failed = false;
    let mut io_error = false;
    let (mut files, mut n_err, mut n_warn) = (0usize, 0usize, 0usize);
    for path in &paths {
        let Some(file) = read_source(path) else {
            io_error = true;
            continue;
        };
        files += 1;
        let (mut diags, policy) = match smpolicy::check::check_and_lower(&file) {
            Ok((_, report, policy)) => (report.diagnostics, Some(policy)),
            Err(diags) => (diags, None),
        };
        // The earlier versions it names (`previous`), once it has no error of its own.
        let clean = !diags.iter().any(|d| d.severity == Severity::Error);
        let chain = policy.filter(|p| clean && (p.meta.previous.is_some() || p.meta.binds == Binding::AtContract));
        let mut elsewhere = Vec::new();
        if let Some(Err(problems)) = chain.map(|p| super::version_chain(file.clone(), p)) {
            for p in problems {
                if p.file.name == file.name {
                    diags.extend(p.diagnostics);
                } else {
                    elsewhere.push(p);
                }
            }
        }
        for p in &mut elsewhere {
            for d in &mut p.diagnostics {
                failed |= d.severity == Severity::Error;
                n_err += usize::from(d.severity == Severity::Error);
            }
            print_diagnostics(&p.diagnostics, &p.file, out, args.error_format);
        }
        for d in &mut diags {
            if d.severity == Severity::Warning && (args.strict || args.deny.contains(&d.code)) {
                d.severity = Severity::Error;
            }
        }
        let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
        n_err += errors;
        n_warn += diags.len() - errors;
        failed |= errors > 0;
        print_diagnostics(&diags, &file, out, args.error_format);
    }
    let unread = paths.len() - files;
    eprintln!(
        "checked {files} file{}: {n_err} error{}, {n_warn} warning{}{}",
        if files == 1 { "" } else { "s" },
        if n_err == 1 { "" } else { "s" },
        if n_warn == 1 { "" } else { "s" },
        if unread > 0 { format!("; {unread} could not be read") } else { String::new() }
    );
    if io_error {
        Exit::Error
    } else if failed {
        Exit::CheckFailed
    } else {
        Exit::Ok
    }
}

/// Reports a code no diagnostic has, with the closest one.
fn unknown_code(code: &str, flag: &str) {
    match closest_code(code) {
        Some(near) => eprintln!(
            "error: {flag}: no diagnostic is called `{code}`; did you mean `{near}`? (`smpolicy check --list-codes` lists them)"
        ),
        None => eprintln!("error: {flag}: no diagnostic is called `{code}` (`smpolicy check --list-codes` lists them)"),
    }
}
