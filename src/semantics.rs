//! What a condition means and how clause results combine, written once.
//!
//! Every engine calls this module for the meaning of what it evaluates: the
//! interpreter ([`crate::eval::interp`], which adds a trace per test), the
//! compiled form ([`crate::compile`], which works on interned slots) and the
//! diff's search ([`crate::diff`], which adds a fourth value, "not split
//! yet"). None of them decides on its own what `and` does with an unknown
//! side, when a comparison holds, or which clause wins.
//!
//! **Truth.** A test is true, false or [`Tv::Unknown`]. Unknown is never
//! true: it is what a test gives when a fact it reads is not given (absent
//! and `null` alike) and [`crate::facts`] gives its absence no meaning, or
//! when it cannot be decided at all ([`Why`]: a shifted date outside the
//! calendar, values that cannot be compared). `and`/`or`/`not` are Kleene's: a known side settles the answer
//! when it can (`false and ?` is false, `true or ?` is true), and otherwise
//! the answer is unknown.
//!
//! **Combining** ([`settle`], [`blocks`], [`effective_rank`]): an approved
//! require-approval clause counts as allow; among the clauses that apply, the
//! most restrictive outcome wins (deny > require-approval > allow) unless the
//! policy says conflicts (a permission against a restriction) are
//! indeterminate; with no clause applying, a default decides; an undecided
//! clause that could make the verdict stricter makes it indeterminate.

use crate::ast::CmpOp;
use serde::Serialize;
use std::cmp::Ordering;

/// A truth value: Kleene's three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tv {
    /// Holds.
    True,
    /// Does not hold.
    False,
    /// Cannot be told (see [`Why`]).
    Unknown,
}

impl Tv {
    /// `true` → [`Tv::True`], `false` → [`Tv::False`].
    pub fn from_bool(b: bool) -> Tv {
        if b {
            Tv::True
        } else {
            Tv::False
        }
    }

    /// Kleene `and`: false wins, then unknown.
    #[must_use]
    pub fn and(self, other: Tv) -> Tv {
        match (self, other) {
            (Tv::False, _) | (_, Tv::False) => Tv::False,
            (Tv::Unknown, _) | (_, Tv::Unknown) => Tv::Unknown,
            (Tv::True, Tv::True) => Tv::True,
        }
    }

    /// Kleene `or`: true wins, then unknown.
    #[must_use]
    pub fn or(self, other: Tv) -> Tv {
        match (self, other) {
            (Tv::True, _) | (_, Tv::True) => Tv::True,
            (Tv::Unknown, _) | (_, Tv::Unknown) => Tv::Unknown,
            (Tv::False, Tv::False) => Tv::False,
        }
    }
}

impl std::ops::Not for Tv {
    type Output = Tv;

    /// `not`: true and false swap; unknown stays unknown.
    fn not(self) -> Tv {
        match self {
            Tv::True => Tv::False,
            Tv::False => Tv::True,
            Tv::Unknown => Tv::Unknown,
        }
    }
}

/// Kleene `and` of parts evaluated in order, stopping at the first false.
pub fn all(parts: impl IntoIterator<Item = Tv>) -> Tv {
    let mut acc = Tv::True;
    for p in parts {
        acc = acc.and(p);
        if acc == Tv::False {
            break;
        }
    }
    acc
}

/// Kleene `or` of parts evaluated in order, stopping at the first true.
pub fn any(parts: impl IntoIterator<Item = Tv>) -> Tv {
    let mut acc = Tv::False;
    for p in parts {
        acc = acc.or(p);
        if acc == Tv::True {
            break;
        }
    }
    acc
}

/// Why a test is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// The fact is not given (absent or `null`) and its absence has no documented meaning.
    NotGiven,
    /// A date shifted by a duration falls outside the calendar (before year -9999 or after 9999).
    OutOfRange,
    /// The two sides cannot be compared (a declared fact given as the wrong kind of value).
    NotComparable,
}

impl Why {
    /// The reason in words, after the fact or term it is about.
    pub fn words(self) -> &'static str {
        match self {
            Why::NotGiven => "is not given",
            Why::OutOfRange => "falls outside the calendar (years -9999 to 9999), so it cannot be compared",
            Why::NotComparable => "cannot be compared with the other side",
        }
    }
}

/// One reason a test is unknown: the fact (or term, in words) and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Undecided {
    /// The fact path (`actor.departed_on`), or the term in words for a computed date.
    pub fact: String,
    /// Why it could not be decided.
    pub why: Why,
}

impl Undecided {
    /// A fact that is not given.
    pub fn not_given(fact: impl Into<String>) -> Undecided {
        Undecided { fact: fact.into(), why: Why::NotGiven }
    }

    /// `actor.departed_on is not given`.
    pub fn words(&self) -> String {
        format!("{} {}", self.fact, self.why.words())
    }
}

/// Whether a comparison holds, given how its two sides order. Sides that
/// cannot be ordered give unknown ([`Why::NotComparable`]), never false.
pub fn compare_holds(op: CmpOp, ord: Option<Ordering>) -> Tv {
    match ord {
        Some(o) => Tv::from_bool(op.holds(o)),
        None => Tv::Unknown,
    }
}

/// `at most P% KIND posts`: whether the share, *with this action counted*, is
/// above `percent`. `part` posts of the kind among `whole` posts so far.
pub fn share_above(part: i64, whole: i64, percent: i64) -> bool {
    let (after_part, after_whole) = share_after(part, whole);
    after_part.saturating_mul(100) > percent.saturating_mul(after_whole)
}

/// The counts once this action is included: (`part + 1`, `whole + 1`, at least 1).
pub fn share_after(part: i64, whole: i64) -> (i64, i64) {
    (part.saturating_add(1), whole.saturating_add(1).max(1))
}

/// The restrictiveness a clause counts with: an approved require-approval
/// clause (the action carries an approval by one of its approvers) counts as
/// allow. Ranks are [`crate::policy::Effect::rank`]'s: 0 allow, 1
/// require-approval, 2 deny.
pub fn effective_rank(rank: u8, approved: bool) -> u8 {
    if rank == 1 && approved {
        0
    } else {
        rank
    }
}

/// How the clauses that apply settle the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// No enforced clause applies: a default decides (or nothing does).
    NoClause,
    /// The clauses of this rank decide (the most restrictive that applies).
    Clauses(u8),
    /// A permission and a restriction both apply and the policy says
    /// conflicts are indeterminate.
    Conflict,
}

/// Settles the verdict from how many enforced clauses of each effective rank
/// (allow, require-approval, deny) apply.
pub fn settle(applies: [usize; 3], conflicts_indeterminate: bool) -> Settled {
    let [allow, approval, deny] = applies;
    if allow + approval + deny == 0 {
        Settled::NoClause
    } else if conflicts_indeterminate && allow > 0 && approval + deny > 0 {
        Settled::Conflict
    } else if deny > 0 {
        Settled::Clauses(2)
    } else if approval > 0 {
        Settled::Clauses(1)
    } else {
        Settled::Clauses(0)
    }
}

/// The rank an effect decides with: one requiring an approval that the
/// approval on file meets (`met`) decides as allow (rank 0), as a clause does.
pub fn approved_rank(rank: Option<u8>, met: bool) -> Option<u8> {
    if met {
        Some(0)
    } else {
        rank
    }
}

/// Whether an undecided clause of rank `undecided` holds the verdict back
/// (makes it indeterminate): it could make the verdict stricter than `current`
/// (the rank decided so far, `None` when nothing decided), or nothing at all
/// decided (`no_decision`: no clause, no default).
pub fn blocks(undecided: u8, current: Option<u8>, no_decision: bool) -> bool {
    match current {
        Some(c) => undecided > c,
        None => no_decision,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Tv; 3] = [Tv::True, Tv::False, Tv::Unknown];

    #[test]
    fn kleene_tables() {
        for a in ALL {
            for b in ALL {
                // De Morgan, and the tables' symmetry.
                assert_eq!(!a.and(b), (!a).or(!b));
                assert_eq!(a.and(b), b.and(a));
                assert_eq!(a.or(b), b.or(a));
            }
            assert_eq!(!!a, a);
        }
        assert_eq!(Tv::Unknown.and(Tv::True), Tv::Unknown);
        assert_eq!(Tv::Unknown.and(Tv::False), Tv::False);
        assert_eq!(Tv::Unknown.or(Tv::True), Tv::True);
        assert_eq!(Tv::Unknown.or(Tv::False), Tv::Unknown);
    }

    #[test]
    fn unknown_is_never_absorbed_into_true() {
        assert_eq!(all([Tv::True, Tv::Unknown, Tv::True]), Tv::Unknown);
        assert_eq!(all([Tv::Unknown, Tv::False]), Tv::False);
        assert_eq!(any([Tv::False, Tv::Unknown]), Tv::Unknown);
        assert_eq!(all([]), Tv::True);
        assert_eq!(any([]), Tv::False);
    }

    #[test]
    fn reasons_read_as_words() {
        let u = Undecided::not_given("actor.departed_on");
        assert_eq!(u.words(), "actor.departed_on is not given");
        let o = Undecided { fact: "actor.departed_on + 6 months".into(), why: Why::OutOfRange };
        assert!(o.words().starts_with("actor.departed_on + 6 months falls outside the calendar"), "{}", o.words());
        let words: Vec<&str> = [Why::NotGiven, Why::OutOfRange, Why::NotComparable].map(Why::words).to_vec();
        assert!(words.iter().all(|w| !w.is_empty()));
        assert_ne!(words[1], words[2]);
    }

    #[test]
    fn comparisons_that_cannot_be_ordered_are_unknown() {
        assert_eq!(compare_holds(CmpOp::Ne, None), Tv::Unknown);
        assert_eq!(compare_holds(CmpOp::Ge, Some(Ordering::Equal)), Tv::True);
        assert_eq!(compare_holds(CmpOp::Lt, Some(Ordering::Equal)), Tv::False);
    }

    #[test]
    fn shares_count_this_action() {
        // 2 job ads of 9 posts; with this one, 3 of 10 = 30 %: not above 30 %.
        assert!(!share_above(2, 9, 30));
        assert!(share_above(3, 9, 30));
        assert!(share_above(0, 0, 99));
        assert!(!share_above(i64::MAX, i64::MAX, 100));
    }

    #[test]
    fn the_most_restrictive_applicable_outcome_settles() {
        assert_eq!(settle([0, 0, 0], false), Settled::NoClause);
        // A single kind of outcome on its own settles too.
        assert_eq!(settle([0, 0, 2], false), Settled::Clauses(2));
        assert_eq!(settle([0, 2, 0], false), Settled::Clauses(1));
        assert_eq!(settle([2, 0, 0], true), Settled::Clauses(0));
        assert_eq!(settle([3, 1, 0], false), Settled::Clauses(1));
        assert_eq!(settle([3, 1, 1], false), Settled::Clauses(2));
        assert_eq!(settle([1, 0, 0], true), Settled::Clauses(0));
        assert_eq!(settle([1, 0, 1], true), Settled::Conflict);
        assert_eq!(settle([0, 1, 1], true), Settled::Clauses(2));
        assert_eq!(effective_rank(1, true), 0);
        assert_eq!(effective_rank(2, true), 2);
        assert!(blocks(2, Some(1), false));
        assert!(!blocks(1, Some(1), false));
        assert!(blocks(0, None, true));
        assert!(!blocks(2, None, false));
        // The compiled form relies on the blocking ranks being a suffix.
        for current in [None, Some(0), Some(1), Some(2)] {
            for nd in [false, true] {
                for u in 0..2u8 {
                    assert!(!blocks(u, current, nd) || blocks(u + 1, current, nd));
                }
            }
        }
    }
}
