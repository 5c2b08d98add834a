//! `test`: an agency's expected-verdict cases run against its policy, with a
//! failure report that shows the explanation produced, and the clauses that
//! no case exercised (coverage).

use super::verdict::{Decision, Status, Verdict};
use super::{evaluate, EvalOptions};
use crate::data::testcase::{Subject, TestCase};
use crate::policy::Policy;
use crate::source::SourceFile;
use serde::Serialize;

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Its index in the file.
    pub index: usize,
    /// Whether it passed.
    pub passed: bool,
    /// What was expected, in words (`deny because twitter-daily-limit`).
    pub expected: String,
    /// What happened, in words.
    pub actual: String,
    /// The clauses that decided.
    pub deciding: Vec<String>,
    /// The explanation produced, for failures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
}

/// The outcome of a test file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuiteReport {
    /// Case by case.
    pub cases: Vec<CaseResult>,
    /// How many passed.
    pub passed: usize,
    /// How many failed.
    pub failed: usize,
    /// Clauses that applied in at least one case.
    pub covered: Vec<String>,
    /// Clauses that applied in no case.
    pub uncovered: Vec<String>,
}

fn expected_words(c: &TestCase) -> String {
    let mut w = c.expect.as_str().to_string();
    if let Some(a) = &c.approver {
        w.push_str(&format!(" from {a}"));
    }
    if let Some(b) = &c.because {
        w.push_str(&format!(" because `{b}`"));
    }
    w
}

/// Runs the cases.
pub fn run(policy: &Policy, file: &SourceFile, cases: &[TestCase], opts: &EvalOptions) -> SuiteReport {
    let mut results = Vec::new();
    let mut covered: Vec<String> = Vec::new();
    for c in cases {
        let (decision, deciding, explanation, approvers, applied) = match &c.subject {
            Subject::Action(action) => {
                let v: Verdict = evaluate(policy, file, action.as_ref(), opts);
                let applied: Vec<String> =
                    v.rules.iter().filter(|r| r.status == Status::Applies).map(|r| r.id.clone()).collect();
                let text = super::explain::text(&v, &file.name, super::explain::ExplainOptions::default());
                (v.verdict, v.deciding.clone(), text, v.approvers.clone(), applied)
            }
            Subject::Contract(contract) => {
                let r = super::terms::check_terms(policy, file, contract);
                let rules: Vec<String> = r
                    .clauses
                    .iter()
                    .flat_map(|c| c.findings.iter().map(|f| f.rule.clone()))
                    .filter(|r| !r.is_empty())
                    .collect();
                let text = super::terms::text(&r, &file.name);
                (r.verdict, rules.clone(), text, vec![], rules)
            }
        };
        for a in applied {
            if !covered.contains(&a) {
                covered.push(a);
            }
        }
        let expect = Decision::parse(c.expect.as_str()).unwrap_or(Decision::Indeterminate);
        let mut ok = decision == expect;
        if let Some(b) = &c.because {
            ok &= deciding.contains(b);
        }
        if let Some(a) = &c.approver {
            ok &= approvers.contains(a);
        }
        let mut actual = decision.as_str().to_string();
        if !approvers.is_empty() {
            actual.push_str(&format!(" from {}", approvers.join(" or ")));
        }
        if !deciding.is_empty() {
            actual.push_str(&format!(
                " because {}",
                deciding.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        results.push(CaseResult {
            name: c.name.clone(),
            index: c.index,
            passed: ok,
            expected: expected_words(c),
            actual,
            deciding,
            explanation: (!ok).then_some(explanation),
        });
    }
    let uncovered: Vec<String> = policy
        .rules
        .iter()
        .map(|r| r.id.clone())
        .filter(|id| !covered.contains(id))
        .chain(policy.terms.iter().map(|t| t.id.clone()).filter(|id| !covered.contains(id)))
        .collect();
    let passed = results.iter().filter(|r| r.passed).count();
    SuiteReport { failed: results.len() - passed, passed, cases: results, covered, uncovered }
}

/// The report as text.
pub fn text(r: &SuiteReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for c in &r.cases {
        let _ = writeln!(out, "{} {}", if c.passed { "ok  " } else { "FAIL" }, c.name);
        if !c.passed {
            let _ = writeln!(out, "  expected: {}", c.expected);
            let _ = writeln!(out, "  actual:   {}", c.actual);
            if let Some(e) = &c.explanation {
                for line in e.lines() {
                    let _ = writeln!(out, "  | {line}");
                }
            }
        }
    }
    let total = r.covered.len() + r.uncovered.len();
    let _ = writeln!(out, "\ncoverage: {} of {} clauses exercised", r.covered.len().min(total), total);
    if !r.uncovered.is_empty() {
        let _ = writeln!(
            out,
            "  not exercised: {}",
            r.uncovered.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join(", ")
        );
    }
    let _ = writeln!(out, "\n{} passed, {} failed", r.passed, r.failed);
    out
}
