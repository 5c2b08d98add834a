//! Checker stage: precedence. The header's `priorities` and `conflicts
//! most_specific`, and each clause's `priority`: tiers named twice, tiers a
//! clause names that the header does not, tiers no clause uses, and
//! `most_specific` where no clause is more specific than another it disagrees
//! with (then it decides exactly as `most_restrictive`).
//!
//! Reads the AST and the lowered policy; it must not change them. What a tier
//! or a scope *means* is [`crate::semantics`]'s.

use super::Checker;
use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::policy::Policy;

/// Every clause's modifiers, wherever it stands.
pub(super) fn every_modifiers(ast: &PolicyFile) -> Vec<&Modifiers> {
    let mut out = Vec::new();
    for item in &ast.items {
        match &item.node {
            Item::Declaration(_) | Item::Fact(_) | Item::Assume(_) | Item::Brands(_) => {}
            Item::Ownership(cs) => out.extend(cs.iter().map(|c| &c.modifiers)),
            Item::Departure(cs) => out.extend(cs.iter().map(|c| &c.modifiers)),
            Item::Terms(cs) => out.extend(cs.iter().map(|c| &c.modifiers)),
            Item::Posting(s) => out.extend(s.clauses.iter().map(|c| &c.modifiers)),
            Item::Connecting(s) => out.extend(s.clauses.iter().map(|c| &c.modifiers)),
            Item::Covenant(c) => out.push(&c.modifiers),
            Item::Rule(r) => out.push(&r.modifiers),
            Item::Exception(e) => out.push(&e.modifiers),
        }
    }
    out
}

/// The AST checks: the tiers of `priorities` and the `priority` of each clause.
pub(super) fn syntax_tree(cx: &mut Checker<'_>) {
    let ast = cx.ast;
    let tiers: &[Name] = ast.header.priorities.as_ref().map_or(&[], |p| p.node.as_slice());
    for (i, t) in tiers.iter().enumerate() {
        if let Some(first) = tiers.iter().take(i).find(|f| f.node == t.node) {
            cx.diags.push(
                Diagnostic::error(
                    "duplicate-priority",
                    format!("the tier `{}` is named twice", t.node),
                    t.span,
                    "again",
                )
                .with_label(first.span, "first named here")
                .with_help("name each tier once, highest first: `priorities legal > brand > team`"),
            );
        }
    }
    let mut used: Vec<&str> = Vec::new();
    for m in every_modifiers(ast) {
        let Some(p) = &m.priority else { continue };
        if tiers.iter().any(|t| t.node == p.node) {
            used.push(&p.node);
            continue;
        }
        let help = if tiers.is_empty() {
            format!("declare the tiers in the header first, highest first: `priorities {} > ...`", p.node)
        } else {
            match crate::schema::suggest(&p.node, tiers.iter().map(|t| t.node.as_str())) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "the header's tiers are {}",
                    tiers.iter().map(|t| format!("`{}`", t.node)).collect::<Vec<_>>().join(", ")
                ),
            }
        };
        cx.diags.push(
            Diagnostic::error(
                "unknown-priority",
                format!("unknown priority tier `{}`", p.node),
                p.span,
                "not one of the header's `priorities`",
            )
            .with_help(help),
        );
    }
    for t in tiers {
        if !used.contains(&t.node.as_str()) && tiers.iter().find(|f| f.node == t.node).is_some_and(|f| f.span == t.span)
        {
            cx.diags.push(
                Diagnostic::warning(
                    "unused-priority",
                    format!("no clause has `priority {}`", t.node),
                    t.span,
                    "never used",
                )
                .with_help(format!("give a clause `priority {}`, or remove the tier", t.node)),
            );
        }
    }
}

/// The check over the lowered clauses: `conflicts most_specific` that can settle nothing.
pub(super) fn normalized(cx: &mut Checker<'_>, policy: &Policy) {
    let Some(c) = cx.ast.header.conflicts.as_ref().filter(|c| c.node == ConflictMode::MostSpecific) else { return };
    // Each (tier, scope, outcome) once: clauses share few scopes (their sections').
    let mut seen: std::collections::HashSet<(Option<u16>, &crate::semantics::Scope, Option<u8>)> =
        std::collections::HashSet::new();
    let distinct: Vec<(Option<u16>, &crate::semantics::Scope, Option<u8>)> = policy
        .rules
        .iter()
        .filter(|r| !r.dry_run && r.effect.rank().is_some())
        .map(|r| (r.priority, &r.scope, r.effect.rank()))
        .filter(|k| seen.insert(*k))
        .collect();
    // Past this many comparisons, the lint gives up (and stays silent): `check` stays fast.
    let mut budget: usize = 1_000_000;
    let settles_something = distinct.iter().any(|(ta, a, ra)| {
        distinct.iter().any(|(tb, b, rb)| {
            budget = budget.saturating_sub(1);
            budget == 0 || (ra != rb && ta == tb && crate::semantics::more_specific(a, b))
        })
    });
    if !settles_something {
        cx.diags.push(
            Diagnostic::warning(
                "most-specific-unused",
                "no clause is more specific than another clause it disagrees with, so `most_specific` decides as `most_restrictive`",
                c.span,
                "changes nothing here",
            )
            .with_help(
                "a clause is more specific when it names fewer channels, actions, content kinds, roles, teams or relationships than another and none outside it; see the language reference, section 16",
            ),
        );
    }
}
