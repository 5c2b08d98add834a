//! Many items in one action: an `export`, `depart` or `hand_over` of contacts
//! of mixed provenance (`contacts: [{count: 800, origin: agency_database},
//! {count: 300, origin: before_employment}]`), decided group by group.
//!
//! Each group is decided on its own, as the one-group action it would be
//! alone ([`Action::group_actions`]), by the one evaluator; the whole action's
//! verdict combines the groups' verdicts with the semantics' one combining
//! rule for items ([`crate::semantics::combine_items`]: the most restrictive
//! group decides, and an indeterminate group holds the whole back unless
//! another group already refuses it). The compiled form decides the groups
//! the same way, with the same function ([`crate::compile::Compiled::decide_items`]).
//!
//! The diff needs no machinery of its own for groups: a many-group action's
//! verdict is a function of its groups' verdicts, and each group is a
//! one-group action, a situation the diff already partitions. So a change in
//! any many-group verdict is a change in some one-group verdict (which the
//! diff reports, with a one-group witness), and when no one-group verdict
//! changes, no many-group verdict can.

use super::verdict::{self, Basis, Decision, Verdict};
use super::{evaluate, EvalOptions};
use crate::data::action::{Action, Contacts, Origin};
use crate::policy::Policy;
use crate::semantics;
use crate::source::SourceFile;
use serde::Serialize;

/// One group of a many-group action, decided on its own.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct GroupVerdict {
    /// Its place in the action's `contacts` list, from 0 (as in the field path `contacts[1]`).
    pub index: usize,
    /// The group in words (`800 contacts from the agency's database`).
    pub words: String,
    /// The group as given.
    pub contacts: Contacts,
    /// The group's verdict: what the action would get with this group alone.
    pub verdict: Verdict,
}

/// The whole action's decision from its groups' decisions, in order.
pub fn combine(groups: impl IntoIterator<Item = Decision>) -> Decision {
    Decision::of_rank(semantics::combine_items(groups.into_iter().map(Decision::rank)))
}

/// Where a group of contacts came from, in words.
fn origin_words(o: Option<Origin>) -> &'static str {
    match o {
        Some(Origin::BeforeEmployment) => "made before employment",
        Some(Origin::Employment) => "made during employment",
        Some(Origin::AgencyDatabase) => "from the agency's database",
        None => "of origin not given",
    }
}

/// A group in words: `contacts[1]: 800 contacts from the agency's database`.
pub fn group_words(index: usize, c: &Contacts) -> String {
    format!("contacts[{index}]: {}", contacts_words(c))
}

/// A group in words without its place in the list: `800 contacts from the agency's database`.
pub fn contacts_words(c: &Contacts) -> String {
    let count = match c.count {
        Some(1) => "1 contact".to_string(),
        Some(n) => format!("{n} contacts"),
        None => "contacts (how many not given)".to_string(),
    };
    format!("{count} {}", origin_words(c.origin))
}

/// Decides an action about several groups of contacts (`groups`, from
/// [`Action::group_actions`]): each group alone, then the whole.
pub(crate) fn evaluate_groups(policy: &Policy, file: &SourceFile, groups: &[Action], opts: &EvalOptions) -> Verdict {
    let decided: Vec<GroupVerdict> = groups
        .iter()
        .enumerate()
        .map(|(index, a)| {
            let contacts = a.contact_group().cloned().unwrap_or_default();
            GroupVerdict {
                index,
                words: group_words(index, &contacts),
                contacts,
                verdict: evaluate(policy, file, a, opts),
            }
        })
        .collect();
    whole(decided)
}

/// The whole action's verdict from its groups' verdicts: the combined
/// decision; the groups that decide it (those with the whole's decision)
/// with their clauses and approvers; every group's duties, advice, law
/// notes, missing facts and the law's set-asides, each once. The clauses
/// and facts stay with each group.
fn whole(groups: Vec<GroupVerdict>) -> Verdict {
    let overall = combine(groups.iter().map(|g| g.verdict.verdict));
    let deciding_groups: Vec<&GroupVerdict> = groups.iter().filter(|g| g.verdict.verdict == overall).collect();
    let mut deciding: Vec<String> = Vec::new();
    let mut approvers: Vec<String> = Vec::new();
    let mut approvers_words: Vec<&str> = Vec::new();
    for g in &deciding_groups {
        push_all(&mut deciding, &g.verdict.deciding);
        push_all(&mut approvers, &g.verdict.approvers);
        let w = g.verdict.approvers_words.as_str();
        if !w.is_empty() && !approvers_words.contains(&w) {
            approvers_words.push(w);
        }
    }
    let mut v = match groups.first() {
        Some(first) => first.verdict.clone(),
        None => return Verdict::empty_of_groups(),
    };
    v.verdict = overall;
    v.approvers = if overall == Decision::RequireApproval { approvers } else { Vec::new() };
    v.approvers_words = if overall == Decision::RequireApproval { approvers_words.join("; ") } else { String::new() };
    v.basis = Basis::Groups { groups: deciding_groups.iter().map(|g| g.index).collect() };
    v.deciding = deciding;
    v.default_rationale = None;
    v.default_approved_by = None;
    v.summary = summary(overall, &groups, &deciding_groups);
    v.obligations.clear();
    v.advice.clear();
    v.law_notes.clear();
    v.missing.clear();
    v.undecidable.clear();
    v.conflict = None;
    v.dry_run.clear();
    v.counterfactuals.clear();
    v.law.clear();
    v.rules.clear();
    v.out_of_scope = 0;
    v.facts.clear();
    for g in &groups {
        push_all(&mut v.obligations, &g.verdict.obligations);
        push_all(&mut v.advice, &g.verdict.advice);
        push_all(&mut v.law_notes, &g.verdict.law_notes);
        push_all(&mut v.missing, &g.verdict.missing);
        push_all(&mut v.undecidable, &g.verdict.undecidable);
        push_all(&mut v.dry_run, &g.verdict.dry_run);
        push_all(&mut v.law, &g.verdict.law);
    }
    v.groups = groups;
    v
}

/// Appends the items of `from` that `to` does not hold yet, in order.
fn push_all<T: Clone + PartialEq>(to: &mut Vec<T>, from: &[T]) {
    for x in from {
        if !to.contains(x) {
            to.push(x.clone());
        }
    }
}

/// The whole verdict in one line: how many groups decided it, and which.
fn summary(overall: Decision, groups: &[GroupVerdict], deciding: &[&GroupVerdict]) -> String {
    summary_labelled(overall, groups, deciding, |g| g.words.clone())
}

/// The whole's summary with each group named as people count it, from 1
/// (`group 2: 800 contacts from the agency's database`), not by its field
/// path: for pages, whose groups are "Group 1", "Group 2". `None` for a
/// verdict about one group.
pub fn summary_numbered(v: &Verdict) -> Option<String> {
    let Basis::Groups { groups: deciding } = &v.basis else { return None };
    let deciding: Vec<&GroupVerdict> = v.groups.iter().filter(|g| deciding.binary_search(&g.index).is_ok()).collect();
    // (`deciding` is in group order, as `whole` lists it.)
    let label = |g: &GroupVerdict| format!("group {}: {}", g.index + 1, contacts_words(&g.contacts));
    (!v.groups.is_empty()).then(|| summary_labelled(v.verdict, &v.groups, &deciding, label))
}

fn summary_labelled(
    overall: Decision,
    groups: &[GroupVerdict],
    deciding: &[&GroupVerdict],
    label: impl Fn(&GroupVerdict) -> String,
) -> String {
    let n = groups.len();
    let which = deciding.iter().map(|g| label(g)).collect::<Vec<_>>().join("; ");
    let k = deciding.len();
    let of = if k == n { format!("all {n} groups") } else { format!("{k} of {n} groups") };
    let rule = "each group is decided on its own; the most restrictive decides the whole";
    match overall {
        Decision::Deny => format!("deny: {of} refused ({which}); {rule}"),
        Decision::RequireApproval => {
            let who = deciding.iter().map(|g| g.verdict.approvers_words.as_str()).collect::<Vec<_>>();
            let mut seen: Vec<&str> = Vec::new();
            who.into_iter().filter(|w| !w.is_empty()).for_each(|w| {
                if !seen.contains(&w) {
                    seen.push(w)
                }
            });
            format!("require-approval: {of} need approval from {} ({which}); {rule}", seen.join("; "))
        }
        Decision::Allow => format!("allow: {of} permitted; {rule}"),
        Decision::Indeterminate => format!(
            "indeterminate: {of} cannot be decided ({which}) and no group is refused; each group is decided on its own"
        ),
    }
}

impl Verdict {
    /// A verdict about no group at all: indeterminate (never reached: a
    /// many-group action has two groups or more).
    fn empty_of_groups() -> Verdict {
        Verdict {
            schema: verdict::SCHEMA_VERSION,
            verdict: Decision::Indeterminate,
            approvers: Vec::new(),
            approvers_words: String::new(),
            basis: Basis::Groups { groups: Vec::new() },
            deciding: Vec::new(),
            default_rationale: None,
            default_approved_by: None,
            summary: "indeterminate: the action names no group of contacts".to_string(),
            obligations: Vec::new(),
            advice: Vec::new(),
            law_notes: Vec::new(),
            missing: Vec::new(),
            undecidable: Vec::new(),
            conflict: None,
            dry_run: Vec::new(),
            counterfactuals: Vec::new(),
            law: Vec::new(),
            as_written: false,
            rules: Vec::new(),
            out_of_scope: 0,
            facts: Vec::new(),
            policy: String::new(),
            before_effective: None,
            version: None,
            groups: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    //! The groups' words and the whole's summary, on the published leavers'
    //! contacts policy (`tests/cases/published/leaver-contacts.policy`).
    use super::*;
    use crate::data::action::parse_action_json_line;

    fn decide(contacts: &str) -> Verdict {
        let file = SourceFile::new(
            "leaver-contacts.policy",
            include_str!("../../tests/cases/published/leaver-contacts.policy"),
        );
        let ast = crate::parser::parse(&file).unwrap();
        let policy = crate::lower::lower(&file, &ast);
        let action = parse_action_json_line(&format!(
            r#"{{"action":"export","at":"2026-03-14T10:00:00Z","actor":{{"id":"ann","role":"consultant","status":"on_notice","employed_since":"2023-01-09"}},"contacts":{contacts}}}"#
        ))
        .unwrap();
        evaluate(&policy, &file, &action, &EvalOptions { now: "2026-03-16T09:00:00Z".parse().unwrap() })
    }

    #[test]
    fn each_group_is_named_by_its_count_and_origin() {
        let words = |c: Contacts| group_words(2, &c);
        assert_eq!(
            words(Contacts { count: Some(800), origin: Some(Origin::AgencyDatabase) }),
            "contacts[2]: 800 contacts from the agency's database"
        );
        assert_eq!(
            words(Contacts { count: Some(1), origin: Some(Origin::BeforeEmployment) }),
            "contacts[2]: 1 contact made before employment"
        );
        assert_eq!(
            words(Contacts { count: None, origin: Some(Origin::Employment) }),
            "contacts[2]: contacts (how many not given) made during employment"
        );
        assert_eq!(words(Contacts { count: Some(3), origin: None }), "contacts[2]: 3 contacts of origin not given");
    }

    /// The summary says how many of the groups decide the whole: "all" only when every one does.
    #[test]
    fn the_summary_counts_the_groups_that_decide() {
        let v = decide(
            r#"[{"count":800,"origin":"agency_database"},{"count":300,"origin":"before_employment"},{"count":100,"origin":"employment"}]"#,
        );
        assert_eq!(v.verdict, Decision::Deny);
        assert!(v.summary.starts_with("deny: 2 of 3 groups refused (contacts[0]: 800 contacts from the agency's database; contacts[2]: 100 contacts made during employment)"), "{}", v.summary);
        // The same, as a page counts its groups (from 1); a verdict about one group has none.
        assert_eq!(
            summary_numbered(&v).as_deref(),
            Some(
                "deny: 2 of 3 groups refused (group 1: 800 contacts from the agency's database; group 3: 100 contacts made during employment); each group is decided on its own; the most restrictive decides the whole"
            )
        );
        assert_eq!(summary_numbered(&v.groups[0].verdict), None);
        let v = decide(r#"[{"count":800,"origin":"agency_database"},{"count":100,"origin":"employment"}]"#);
        assert!(v.summary.starts_with("deny: all 2 groups refused"), "{}", v.summary);
        let v = decide(r#"[{"count":300,"origin":"before_employment"},{"count":30,"origin":"before_employment"}]"#);
        assert_eq!(v.verdict, Decision::Allow);
        assert!(v.summary.starts_with("allow: all 2 groups permitted"), "{}", v.summary);
    }

    /// Groups that each need an approval: the whole needs every approver, each
    /// named once, and the words say who (a mutation survivor: the approvers'
    /// words of the deciding groups were never read).
    #[test]
    fn the_whole_needs_each_groups_approver_once() {
        let text = "policy \"Approvals by group\" default allow\nroles consultant, manager, compliance\n\n\
                    rule database { when action = export and contacts.origin = agency_database then require approval from compliance }\n\
                    rule own { when action = export and contacts.origin = employment then require approval from manager }\n";
        let file = SourceFile::new("approvals.policy", text);
        let policy = crate::lower::lower(&file, &crate::parser::parse(&file).unwrap());
        let action = parse_action_json_line(
            r#"{"action":"export","at":"2026-03-14T10:00:00Z","actor":{"id":"ann","role":"consultant","status":"on_notice"},"contacts":[{"count":8,"origin":"agency_database"},{"count":3,"origin":"employment"},{"count":2,"origin":"agency_database"}]}"#,
        )
        .unwrap();
        let v = evaluate(&policy, &file, &action, &EvalOptions { now: "2026-03-16T09:00:00Z".parse().unwrap() });
        assert_eq!(v.verdict, Decision::RequireApproval, "{}", v.summary);
        assert_eq!(v.approvers, ["compliance", "manager"]);
        assert_eq!(v.approvers_words, "compliance; manager");
        // The summary names each approver once too (mutation survivor: compliance twice, for groups 1 and 3).
        assert!(
            v.summary.starts_with("require-approval: all 3 groups need approval from compliance; manager ("),
            "{}",
            v.summary
        );
    }
}
