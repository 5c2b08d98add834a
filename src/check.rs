//! Stage 2: the checker. Names, types and lints over a parsed policy.
//!
//! [`check`] never stops at the first problem: it returns every error and
//! warning it finds, sorted by position, as shared
//! [`crate::diagnostic::Diagnostic`]s with a stable kebab-case
//! code each ([`explain_code`] says what a code means). The stages inside:
//!
//! - `names`: declarations, duplicates, references to roles, teams,
//!   channels, content kinds and the other value sets; exception targets;
//! - `types`: the facts and values of every condition;
//! - `lints`: warnings over the AST (empty sections, limits, dry runs) and
//!   over the normalized rules (contradictions, shadowing, ambiguous exceptions),
//!   with `logic` doing the small value-set and interval analysis;
//! - `law`: covenant enforceability and NLRA notes by jurisdiction.
//!
//! The checker reads the AST and the lowered [`Policy`](crate::policy::Policy);
//! it must not change either, and it never touches the parser, the lowering
//! or the evaluator.

mod law;
mod lints;
pub(crate) mod logic;
mod names;
mod precedence;
mod types;

use crate::ast::{Expr, PolicyFile};
use crate::diagnostic::{from_parse_errors, Diagnostic, Severity};
use crate::source::{SourceFile, Span, Spanned};

/// Everything the checker found, errors and warnings, sorted by position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// The diagnostics, sorted by position (errors before warnings at the same spot).
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckReport {
    /// The errors: the policy cannot be used until they are fixed.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Error)
    }

    /// The warnings: the policy works, but probably not as meant.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.severity == Severity::Warning)
    }

    /// Whether any error was found.
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }
}

/// Checks a parsed policy: names, types and lints. Lowers the policy
/// internally for the lints that need the normalized rules.
pub fn check(file: &SourceFile, ast: &PolicyFile) -> CheckReport {
    checked(file, ast).0
}

/// Checks a parsed policy and returns the report with the normalized policy
/// the lints used, if they lowered it (not when a condition is too deep to
/// analyse).
fn checked(file: &SourceFile, ast: &PolicyFile) -> (CheckReport, Option<crate::policy::Policy>) {
    let mut cx = Checker { file, ast, env: names::Env::default(), diags: Vec::new() };
    names::declarations(&mut cx);
    names::references(&mut cx);
    lints::syntax_tree(&mut cx);
    precedence::syntax_tree(&mut cx);
    types::event_dates(&mut cx);
    types::duty_keys(&mut cx);
    law::check(&mut cx);
    let too_deep = deepest_condition(ast);
    let lowered = match too_deep {
        Some(span) => {
            cx.diags.push(
                Diagnostic::warning(
                    "not-analysed",
                    "this condition is nested too deeply to analyse, so some lints were skipped",
                    span,
                    "too deep to analyse",
                )
                .with_help(format!(
                    "conditions nested more than {MAX_ANALYSED_DEPTH} levels deep are not analysed; split it into several rules"
                )),
            );
            names::exception_targets(&mut cx, None);
            None
        }
        None => {
            let policy = crate::lower::lower(file, ast);
            names::exception_targets(&mut cx, Some(&policy));
            lints::normalized(&mut cx, &policy);
            precedence::normalized(&mut cx, &policy);
            law::nlra(&mut cx, &policy);
            types::duty_keys_of_departure(&mut cx, &policy);
            Some(policy)
        }
    };
    names::unused(&mut cx);
    let mut diagnostics = cx.diags;
    diagnostics.sort_by(|a, b| {
        (a.span().start, std::cmp::Reverse(a.severity), &a.code, a.span().end).cmp(&(
            b.span().start,
            std::cmp::Reverse(b.severity),
            &b.code,
            b.span().end,
        ))
    });
    diagnostics.dedup();
    tidy(file, &mut diagnostics);
    (CheckReport { diagnostics }, lowered)
}

/// Parses, checks and lowers a policy: [`check_source`] with the normalized
/// policy as well, lowered once for the lints and the caller both.
pub fn check_and_lower(file: &SourceFile) -> Result<(PolicyFile, CheckReport, crate::policy::Policy), Vec<Diagnostic>> {
    let ast = parse_or_diagnostics(file)?;
    let (report, lowered) = checked(file, &ast);
    let policy = lowered.unwrap_or_else(|| crate::lower::lower(file, &ast));
    Ok((ast, report, policy))
}

/// Parses and checks a policy. Parse errors come back as diagnostics; a policy
/// that parses comes back with its report (which may still hold errors).
pub fn check_source(file: &SourceFile) -> Result<(PolicyFile, CheckReport), Vec<Diagnostic>> {
    let ast = parse_or_diagnostics(file)?;
    let report = check(file, &ast);
    Ok((ast, report))
}

fn parse_or_diagnostics(file: &SourceFile) -> Result<PolicyFile, Vec<Diagnostic>> {
    crate::parser::parse(file).map_err(|errors| {
        let mut diagnostics = from_parse_errors(&errors);
        tidy(file, &mut diagnostics);
        diagnostics
    })
}

/// Shrinks every label to what the author wrote: syntax-tree spans may run on
/// over the whitespace and comments that follow a clause or a condition.
fn tidy(file: &SourceFile, diagnostics: &mut [Diagnostic]) {
    for d in diagnostics {
        for l in &mut d.labels {
            l.span = trimmed(&file.text, l.span);
        }
    }
}

/// A span without trailing whitespace and comments (unchanged if that would leave nothing).
fn trimmed(text: &str, span: Span) -> Span {
    let Some(mut s) = text.get(span.start..span.end) else { return span };
    loop {
        s = s.trim_end();
        let line_start = s.rfind('\n').map_or(0, |i| i + 1);
        let cut = s.get(line_start..).and_then(comment_start);
        match cut.and_then(|c| s.get(..line_start + c)) {
            Some(shorter) => s = shorter,
            None => break,
        }
    }
    if s.is_empty() {
        span
    } else {
        Span::new(span.start, span.start + s.len())
    }
}

/// Where a `#` comment starts in a line, outside double-quoted texts.
fn comment_start(line: &str) -> Option<usize> {
    let mut in_text = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match (in_text, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') => in_text = false,
            (false, _, '"') => in_text = true,
            (false, _, '#') => return Some(i),
            _ => {}
        }
    }
    None
}

/// The state shared by the checker's stages.
pub(crate) struct Checker<'a> {
    /// The text, for quoting what the author wrote.
    pub(crate) file: &'a SourceFile,
    /// The parsed policy.
    pub(crate) ast: &'a PolicyFile,
    /// Known names, declarations and what was used.
    pub(crate) env: names::Env,
    /// What was found so far.
    pub(crate) diags: Vec<Diagnostic>,
}

impl Checker<'_> {
    /// The text a span covers, whitespace folded.
    pub(crate) fn text(&self, span: Span) -> String {
        self.file.slice(span).split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// Conditions nested deeper than this are not lowered for the lints.
pub const MAX_ANALYSED_DEPTH: usize = 256;

/// The first condition nested deeper than [`MAX_ANALYSED_DEPTH`], if any.
fn deepest_condition(ast: &PolicyFile) -> Option<Span> {
    let mut found = None;
    names::each_condition(ast, &mut |e: &Spanned<Expr>| {
        if found.is_none() && depth(e) > MAX_ANALYSED_DEPTH {
            found = Some(e.span);
        }
    });
    found
}

/// How deeply a condition nests, counted without recursion.
pub(crate) fn depth(e: &Spanned<Expr>) -> usize {
    let mut max = 0;
    let mut stack = vec![(e, 1usize)];
    while let Some((e, d)) = stack.pop() {
        max = max.max(d);
        match &e.node {
            Expr::And(a, b) | Expr::Or(a, b) => {
                stack.push((a, d + 1));
                stack.push((b, d + 1));
            }
            Expr::Not(a) | Expr::Group(a) => stack.push((a, d + 1)),
            Expr::Compare { .. }
            | Expr::In { .. }
            | Expr::Has { .. }
            | Expr::Contains { .. }
            | Expr::Presence { .. }
            | Expr::Truthy(_) => {}
        }
    }
    max
}

/// One code the checker (or the parser) reports.
struct CodeDoc {
    code: &'static str,
    text: &'static str,
}

/// What every code means, for `smpolicy check --explain CODE`.
const CODES: &[CodeDoc] = &[
    // ── parse errors (reported by the parser, explained here) ──
    CodeDoc {
        code: "syntax",
        text: "The text does not follow the policy language's grammar. The message says what was expected at \
               that point (\"expected a length of time such as `3 months`\") and what was found instead. \
               Common causes: a misspelt keyword, `==` instead of `=`, single quotes instead of double \
               quotes, a duration in years (write `12 months`), or a `{` that is never closed.",
    },
    CodeDoc {
        code: "too-deep",
        text: "Parentheses in one condition nest more deeply than the parser accepts. Split the condition \
               into several rules, or simplify it.",
    },
    CodeDoc {
        code: "too-large",
        text: "One condition joins more tests with `and` and `or` than the parser accepts (256), or stacks \
               too many `not`s. Split it into several rules, or use `in {...}` for a list of values.",
    },
    CodeDoc {
        code: "invalid-literal",
        text: "A value has the right shape but no meaning: a date that does not exist (`2026-02-31`), a \
               number too large, a share above 100%, or an unknown timezone name.",
    },
    CodeDoc {
        code: "duplicate",
        text: "Something that may be said once in a clause or in the header was said twice, such as two \
               `when` conditions or two `default` verdicts. Keep one; join conditions with `and`.",
    },
    CodeDoc {
        code: "previous-not-found",
        text: "The header's `previous \"FILE\"` names the version this one replaces, a path relative to this \
               file, and that file cannot be read. Fix the path, or remove `previous` if this is the first version.",
    },
    CodeDoc {
        code: "previous-cycle",
        text: "Following `previous` from version to version comes back to a file already in the chain. Each \
               version names the one it replaces; the oldest names none.",
    },
    CodeDoc {
        code: "previous-too-long",
        text: "The chain of `previous` versions is longer than smpolicy follows (64). Start a new chain from \
               a version whose contracts no longer matter.",
    },
    CodeDoc {
        code: "version-order",
        text: "A version takes effect on or before the version it replaces (its `previous`). Each version's \
               `effective` date must be later than the one before, or no date could say which is in force.",
    },
    CodeDoc {
        code: "version-undated",
        text: "The policy binds at contract (`binds at_contract`) but a version of its chain states no \
               `effective` date, so no contract date can say whether that version binds. Give every version \
               its `effective` date.",
    },
    CodeDoc { code: "misplaced", text: "A modifier or value was written where it has no meaning." },
    CodeDoc {
        code: "internal",
        text: "The grammar and smpolicy's syntax tree disagree. This is a bug in smpolicy; please report it \
               with the policy file.",
    },
    // ── names ──
    CodeDoc {
        code: "unknown-name",
        text: "A name is neither built in nor declared: a role, team, channel, content kind, action, \
               relationship (`of clients`), status (`while on_notice`), origin, account purpose, \
               ownership field, or the value of a fact (`actor.status = departd`). Roles and teams exist \
               only when the policy declares them (`roles consultant, manager`); channels, content kinds \
               and actions have built-in values that declarations extend. The help suggests the closest \
               known name.",
    },
    CodeDoc {
        code: "unknown-fact",
        text: "A condition names a fact an action does not carry (`actor.stauts`), a `facts.NAME` the \
               policy never declared, or a bare word where a fact is needed (`status = departed` instead \
               of `actor.status = departed`). Declare extra facts with `fact NAME: TYPE`. The help \
               suggests the closest known fact.",
    },
    CodeDoc {
        code: "duplicate-name",
        text: "Two clauses, rules or exceptions have the same name, or a name is declared twice. Names are \
               how explanations, tests and diffs refer to clauses, so each must be unique. The first \
               definition is labelled.",
    },
    CodeDoc {
        code: "redundant-declaration",
        text: "A declaration repeats a built-in channel, content kind or action. It does no harm, and can \
               be removed.",
    },
    CodeDoc {
        code: "unused-declaration",
        text: "A declared channel, content kind, action or fact is never used by any clause. Roles and \
               teams are exempt: they also list the values an action may carry in `actor.role` and \
               `actor.team`, so declaring one that no clause names is normal.",
    },
    CodeDoc {
        code: "unknown-rule",
        text: "An `exception ... to NAME` names no clause of the policy. Name clauses with a label \
               (`twitter-daily-limit: limit 10 posts per day`) or a rule name, then refer to that name.",
    },
    CodeDoc {
        code: "duplicate-priority",
        text: "The header's `priorities` names a tier twice. Tiers are listed once, highest first \
               (`priorities legal > brand > team`).",
    },
    CodeDoc {
        code: "unknown-priority",
        text: "A clause's `priority` names a tier the header's `priorities` does not list (or the header \
               lists none). Declare the tiers in the header, highest first, then give clauses one of them.",
    },
    CodeDoc {
        code: "unused-priority",
        text: "A tier of the header's `priorities` is given to no clause. It does no harm; remove it or \
               give it to the clauses it was meant for.",
    },
    CodeDoc {
        code: "most-specific-unused",
        text: "`conflicts most_specific` is set but no clause is more specific than another clause with a \
               different outcome (in the same priority tier), so the policy decides exactly as under \
               `most_restrictive`. A clause is more specific when what it names (channels, actions, content \
               kinds, roles, teams, relationships) lies within what the other names, and is narrower on at \
               least one of them.",
    },
    CodeDoc {
        code: "exception-cycle",
        text: "An exception overrides itself, or exceptions override each other in a circle, so no order \
               of precedence exists. Point each exception at the clause it really relaxes.",
    },
    // ── types ──
    CodeDoc {
        code: "type-mismatch",
        text: "A comparison puts together values of different kinds: a count with a text \
               (`history.posts_today = \"ten\"`), a date with a number (`actor.departed_on > 3`), a list \
               with a single value (`content.kind = job_ad`: write `content.kind has job_ad`), `has` on \
               something that is not a list, or `<` and `>` on names, yes/no values or texts. To test time \
               since an event, shift the date: `at > actor.departed_on + 3 months`. `is missing` and \
               `is present` work on any fact.",
    },
    CodeDoc {
        code: "not-boolean",
        text: "A fact that is not yes/no stands on its own as a condition (`when history.posts_today`). \
               Compare it instead: `when history.posts_today >= 10`.",
    },
    CodeDoc {
        code: "invalid-value",
        text: "A value is out of range or does not fit its clause: a share above 100%, a covenant lasting \
               0 months, `of clients` on a non-compete (an error: a non-compete is not about particular \
               people), or a `radius` on a covenant other than a non-compete and a `lookback` on a \
               non-compete (warnings: they narrow the covenant in a way that was probably not meant).",
    },
    // ── structure ──
    CodeDoc {
        code: "missing-outcome",
        text: "A `rule` has neither `then` nor `advise`, so it decides nothing and says nothing. Add \
               `then deny`, `then allow`, `then require approval from ROLE` or `then advise \"...\"`.",
    },
    CodeDoc {
        code: "misplaced-outcome",
        text: "An outcome was written where it has no meaning: `then ...` on an ownership clause (the owner \
               after `->` decides), `then allow` or `then require approval` on a terms clause (a terms \
               clause that fails is a deal-breaker, or with `then advise` a preference), `then allow` on a \
               covenant (use `except` or an exception instead), or a `default advise` (a default must \
               decide).",
    },
    CodeDoc {
        code: "no-counter",
        text: "A limit counts something no action carries a count of. The counters are \
               `history.posts_today` (posts per day), `history.posts_last_24h` (per rolling day), \
               `history.posts_this_week` (per week), `history.job_ads_this_week` (job_ad posts per week) \
               and `history.invitations_this_week` (invitations per week). So `limit 5 job_ad posts per \
               day`, `limit 5 brand posts per week`, `limit 10 invitations per day` and \
               `at most 30% job_ad posts per day` cannot be enforced.",
    },
    CodeDoc {
        code: "bad-limit",
        text: "A limit of 0 (or a share of 0%) refuses every matching action. If that is meant, say it \
               plainly with `forbid ...` or a rule with `then deny`.",
    },
    CodeDoc { code: "empty-section", text: "A section has no clauses. Add clauses or remove it." },
    CodeDoc {
        code: "ignored-modifier",
        text: "A modifier was written on a clause whose kind does not use it, so it has no effect: `when` \
               or `unless` on a terms clause, `unless`, `oblige` or `dry run` on a section default.",
    },
    CodeDoc {
        code: "dry-run",
        text: "A clause is marked `dry run`: the evaluator reports what it would decide but does not \
               enforce it. Useful to roll out a change; remove `dry run` once it behaves as intended.",
    },
    CodeDoc {
        code: "no-default",
        text: "The header has no `default`, so actions that no clause covers get the verdict \
               `indeterminate`. Write `default allow`, `default deny` or `default require approval from \
               ROLE`; or `default none` to say that indeterminate is meant.",
    },
    CodeDoc {
        code: "conflicting-defaults",
        text: "Two section defaults cover exactly the same actions with different outcomes. Keep one.",
    },
    // ── logic ──
    CodeDoc {
        code: "never-fires",
        text: "A clause's condition contradicts itself, so it can never apply: the same fact equal to two \
               different values, bounds that cannot both hold (`x >= 10 and x < 5`), a test and its \
               negation, `x in {}`, or a condition that contradicts the section it sits in (a `when \
               action = connect` in a posting section). The analysis is exact for such simple cases and \
               silent otherwise.",
    },
    CodeDoc {
        code: "shadowed-rule",
        text: "A clause can never decide, because a stricter clause applies whenever it does (its \
               condition includes every test of the stricter one) and the most restrictive outcome wins. \
               Remove it, or turn it into an `exception ... to` the stricter clause if it should win. \
               Clauses with `unless` are not compared, and nothing is reported under \
               `conflicts indeterminate`, `conflicts most_specific` or `priorities`, where a less strict \
               clause may win.",
    },
    CodeDoc {
        code: "ambiguous-exception",
        text: "Two exceptions to the same clause have different outcomes and their conditions can both \
               hold (the checker cannot prove them exclusive), so the verdict would depend on an \
               arbitrary pick. Make their conditions exclusive or give them the same outcome.",
    },
    CodeDoc {
        code: "not-analysed",
        text: "A condition is nested too deeply for the lints that work on the normalized rules; those \
               lints were skipped for the whole policy. Split the condition into several rules.",
    },
    // ── law ──
    CodeDoc {
        code: "unenforceable-covenant",
        text: "A covenant is void under the law of the policy's jurisdiction: any non-compete in \
               California (Cal. Bus. & Prof. Code §16600, §16600.5, regardless of where the contract was \
               signed), or a non-compete longer than 2 years in Germany (HGB §74a). It stays a warning \
               because the policy may serve several jurisdictions, but the engine will attach the note to \
               every verdict that relies on it.",
    },
    CodeDoc {
        code: "suspect-covenant",
        text: "A covenant may not be enforced: in the UK, a non-compete, non-solicitation or non-dealing \
               covenant longer than 12 months fails the common-law reasonableness test more often than \
               not (there is no statutory cap: the 3-month cap proposed in 2023 was never enacted, and the \
               2025 working paper has decided nothing); in Germany, a non-compete binds only if agreed in \
               writing with compensation of at least 50% of the last pay (HGB §74). In the US, the FTC's \
               2024 non-compete rule was set aside by the courts and never took effect, so it is not used \
               here.",
    },
    CodeDoc {
        code: "pending-law",
        text: "A covenant is affected by a change announced but not yet law, such as Australia's ban on \
               non-competes for workers below the high-income threshold, announced for 2027. The checker \
               never applies a proposed rule; it only says that one is coming.",
    },
    CodeDoc {
        code: "nlra-risk",
        text: "Under a US jurisdiction, a clause forbids or restricts posts about pay (`pay_discussion`) or \
               opinions without being limited to supervisors. Section 7 of the NLRA protects non-supervisory \
               staff who discuss pay and working conditions, online too, and under Stericycle (NLRB, 2023) \
               a rule that could reasonably be read to chill that is presumed unlawful. Scope the clause \
               with `when actor.supervisor`.",
    },
];

/// What a diagnostic code means, in a paragraph; `None` for an unknown code.
pub fn explain_code(code: &str) -> Option<&'static str> {
    CODES.iter().find(|c| c.code == code).map(|c| c.text)
}

/// Every code [`explain_code`] knows, parse codes included.
pub fn codes() -> impl Iterator<Item = &'static str> {
    CODES.iter().map(|c| c.code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> CheckReport {
        let file = SourceFile::new("t.policy", text);
        match check_source(&file) {
            Ok((_, report)) => report,
            Err(d) => panic!("does not parse: {d:?}"),
        }
    }

    fn codes_of(text: &str) -> Vec<String> {
        run(text).diagnostics.into_iter().map(|d| d.code).collect()
    }

    #[test]
    fn a_clean_policy_has_no_diagnostics() {
        let r =
            run("policy \"x\" default allow\nroles consultant\nrule r { when actor.role = consultant then deny }\n");
        assert_eq!(r.diagnostics, vec![]);
        assert!(!r.has_errors());
    }

    #[test]
    fn errors_and_warnings_are_kept_apart_and_sorted() {
        let r = run("policy \"x\"\nrule r { when actor.stauts = departed }\n");
        assert!(r.has_errors());
        assert_eq!(r.errors().count(), 2, "{r:?}");
        assert_eq!(r.warnings().count(), 1, "{r:?}");
        let starts: Vec<usize> = r.diagnostics.iter().map(|d| d.span().start).collect();
        let mut sorted = starts.clone();
        sorted.sort();
        assert_eq!(starts, sorted);
    }

    #[test]
    fn every_reported_code_is_explained() {
        for code in [
            "unknown-name",
            "unknown-fact",
            "type-mismatch",
            "not-boolean",
            "duplicate-name",
            "unknown-rule",
            "ambiguous-exception",
            "exception-cycle",
            "duplicate-priority",
            "unknown-priority",
            "unused-priority",
            "most-specific-unused",
            "missing-outcome",
            "no-counter",
            "bad-limit",
            "empty-section",
            "misplaced-outcome",
            "invalid-value",
            "never-fires",
            "shadowed-rule",
            "unused-declaration",
            "dry-run",
            "no-default",
            "conflicting-defaults",
            "unenforceable-covenant",
            "suspect-covenant",
            "pending-law",
            "nlra-risk",
            "redundant-declaration",
            "ignored-modifier",
            "not-analysed",
            "syntax",
            "too-deep",
            "too-large",
            "invalid-literal",
        ] {
            assert!(explain_code(code).is_some(), "{code} has no explanation");
        }
        assert_eq!(explain_code("no-such-code"), None);
        assert!(codes().count() >= 30);
    }

    #[test]
    fn parse_errors_become_diagnostics() {
        let file = SourceFile::new("t.policy", "policy \"x\"\nrule r { when a == b then deny }\n");
        let Err(d) = check_source(&file) else { panic!("parsed") };
        assert_eq!(d.first().map(|d| d.code.as_str()), Some("syntax"));
    }

    #[test]
    fn default_none_silences_no_default() {
        assert!(codes_of("policy \"x\"\n").contains(&"no-default".to_string()));
        assert!(codes_of("policy \"x\" default none\n").is_empty());
    }

    #[test]
    fn spans_lose_trailing_whitespace_and_comments() {
        let text = "when a = b   # why \"x\"\n  # more\n  then deny";
        let end = text.find("then").unwrap_or(0);
        assert_eq!(trimmed(text, Span::new(5, end)), Span::new(5, 10));
        assert_eq!(trimmed(text, Span::new(0, 3)), Span::new(0, 3));
        assert_eq!(trimmed("  \n ", Span::new(0, 4)), Span::new(0, 4));
        assert_eq!(trimmed("x \"#\" ", Span::new(0, 6)), Span::new(0, 5));
        assert_eq!(comment_start("a \"\\\"#\" # b"), Some(8));
    }

    #[test]
    fn depth_counts_without_recursion() {
        let text = format!(
            "policy \"x\" default allow\nrule r {{ when {} content.confidential then deny }}\n",
            "not ".repeat(300)
        );
        // The parser bounds the size of a condition, so such a policy is refused
        // before any recursive stage sees it.
        let file = SourceFile::new("x.policy", text);
        let Err(diags) = check_source(&file) else { panic!("300 stacked `not`s should be refused") };
        assert!(diags.iter().any(|d| d.code == "too-large"), "{diags:?}");
    }
}
