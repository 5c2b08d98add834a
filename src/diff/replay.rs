//! Replaying a history of real actions under both versions: how many
//! verdicts flip, from what to what, and the first few lines that flip.
//! The caller reads and parses the lines (this module does no IO).

use super::Outcome;
use crate::data::action::{check_open_values, parse_action_json_line, Action};
use crate::eval::{evaluate, EvalOptions};
use crate::policy::Policy;
use crate::source::SourceFile;
use serde::Serialize;

/// How many flipped lines are listed.
pub const EXAMPLES: usize = 5;

/// A count of flips from one outcome to another.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FlipCount {
    /// The old outcome (`allow`, `require-approval (marketing)`, `allow + 1 obligation`).
    pub old: String,
    /// The new outcome.
    pub new: String,
    /// How many lines.
    pub count: usize,
}

/// One flipped line.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct FlipExample {
    /// The 1-based line number.
    pub line: usize,
    /// Under the old version.
    pub old: Outcome,
    /// Under the new version.
    pub new: Outcome,
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BadLine {
    /// The 1-based line number.
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

/// What a replay found.
#[derive(Debug, Clone, PartialEq, Serialize, Default, schemars::JsonSchema)]
pub struct ReplayReport {
    /// Lines read (blank lines excluded).
    pub lines: usize,
    /// Actions decided under both versions.
    pub decided: usize,
    /// Actions whose outcome did not change.
    pub unchanged: usize,
    /// Flips by (old, new) outcome, most frequent first.
    pub flips: Vec<FlipCount>,
    /// The first flipped lines.
    pub examples: Vec<FlipExample>,
    /// Lines that could not be read (the first few are listed; `bad_count` counts them all).
    pub bad: Vec<BadLine>,
    /// How many lines could not be read.
    pub bad_count: usize,
}

impl ReplayReport {
    /// How many actions flipped, whatever from and to.
    pub fn flipped(&self) -> usize {
        self.flips.iter().map(|f| f.count).sum()
    }
}

/// Re-decides actions under both versions, one at a time.
pub struct Replay<'a> {
    old: (&'a SourceFile, &'a Policy),
    new: (&'a SourceFile, &'a Policy),
    opts: EvalOptions,
    report: ReplayReport,
}

impl<'a> Replay<'a> {
    /// A replay of the two versions; `opts.now` stands for actions without `at`.
    pub fn new(old: (&'a SourceFile, &'a Policy), new: (&'a SourceFile, &'a Policy), opts: EvalOptions) -> Self {
        Replay { old, new, opts, report: ReplayReport::default() }
    }

    /// Decides one line of a JSON Lines history (`line` is its 1-based number): a line that does not parse,
    /// or names a value neither version declares, is counted as unreadable (`None`); else whether it flipped.
    pub fn line(&mut self, line: usize, text: &str) -> Option<bool> {
        match parse_action_json_line(text) {
            Ok(action) => {
                let old_errors = check_open_values(&action, &self.old.1.decls);
                let new_errors = check_open_values(&action, &self.new.1.decls);
                match new_errors.into_iter().next() {
                    Some(e) if !old_errors.is_empty() => {
                        self.bad(line, format!("{}: {}", e.path, e.message));
                        None
                    }
                    _ => Some(self.action(line, &action)),
                }
            }
            Err(e) => {
                self.bad(line, e.to_string());
                None
            }
        }
    }

    /// Decides one action under both versions: whether its outcome flipped.
    pub fn action(&mut self, line: usize, action: &Action) -> bool {
        self.report.lines += 1;
        self.report.decided += 1;
        let ov = evaluate(self.old.1, self.old.0, action, &self.opts);
        let nv = evaluate(self.new.1, self.new.0, action, &self.opts);
        let (o, n) = (Outcome::of(self.old.1, &ov), Outcome::of(self.new.1, &nv));
        if o.same(&n) {
            self.report.unchanged += 1;
            return false;
        }
        let (ol, nl) = (o.label(), n.label());
        match self.report.flips.iter_mut().find(|f| f.old == ol && f.new == nl) {
            Some(f) => f.count += 1,
            None => self.report.flips.push(FlipCount { old: ol, new: nl, count: 1 }),
        }
        if self.report.examples.len() < EXAMPLES {
            self.report.examples.push(FlipExample { line, old: o, new: n });
        }
        true
    }

    /// Records a line that could not be read.
    pub fn bad(&mut self, line: usize, message: String) {
        self.report.lines += 1;
        self.report.bad_count += 1;
        if self.report.bad.len() < EXAMPLES {
            self.report.bad.push(BadLine { line, message });
        }
    }

    /// The report, flips most frequent first.
    pub fn finish(mut self) -> ReplayReport {
        self.report.flips.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| (&a.old, &a.new).cmp(&(&b.old, &b.new))));
        self.report
    }
}
