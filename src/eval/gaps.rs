//! The engine's own guidance about gaps: an action that touches something the
//! policy is silent on, where a later question will need an answer the policy
//! does not give (who keeps a new connection at exit, who owns an account, whether
//! a leaver may approach a former client). The engine never fills a gap: it
//! invents no owner and assumes no covenant. It only says so, as advice (never
//! binding, never changing the verdict), and adds a law note where the law is
//! known to be unsettled. These notes carry an empty `rule`: no clause attached them.
//!
//! Runs after the clauses are evaluated; reads the results and the facts only.

use super::interp::{eval_cond, Ctx, Truth};
use super::verdict::{Note, RuleResult, Status};
use crate::policy::{OwnershipEntry, Policy, RuleKind};
use crate::value::Value;

/// The actions that approach a person after leaving, which covenants restrain.
const APPROACHES: &[&str] = &["solicit", "message", "deal"];
/// The relationships covenants protect.
const PROTECTED: &[&str] = &["client", "candidate", "colleague", "contract_worker"];

fn symbol(ctx: &Ctx<'_>, path: &str) -> Option<String> {
    match ctx.fact(path) {
        Some(Value::Symbol(s)) | Some(Value::Text(s)) => Some(s),
        _ => None,
    }
}

fn flag(ctx: &Ctx<'_>, path: &str) -> bool {
    matches!(ctx.fact(path), Some(Value::Bool(true)))
}

fn engine(text: String) -> Note {
    Note { text, rule: String::new() }
}

/// Whether an ownership clause about the assets `about` picks out applies to
/// the action, or could (undecided, or set aside by an exception).
fn covered(policy: &Policy, results: &[RuleResult], about: impl Fn(&OwnershipEntry) -> bool) -> bool {
    policy.rules.iter().zip(results).any(|(rule, res)| {
        let about_it = match rule.kind {
            RuleKind::Ownership { index } => policy.ownership.get(index).is_some_and(&about),
            _ => false,
        };
        about_it && matches!(res.status, Status::Applies | Status::Undecided | Status::Overridden)
    })
}

/// Advice and law notes about gaps the action falls into.
pub fn notes(policy: &Policy, results: &[RuleResult], ctx: &Ctx<'_>) -> (Vec<Note>, Vec<Note>) {
    let mut advice = Vec::new();
    let mut law = Vec::new();
    let Some(action) = symbol(ctx, "action") else { return (advice, law) };
    let has = |part: &str| ctx.fact(part).is_some();

    // An account kept or handed over that no ownership clause covers.
    if matches!(action.as_str(), "depart" | "hand_over")
        && has("account")
        && !covered(policy, results, |o| !o.connections && !o.material)
    {
        advice.push(engine(
            "no ownership clause covers this account: the policy does not say who owns it, and smpolicy does not invent an owner"
                .into(),
        ));
        let for_business = flag(ctx, "account.brand_in_handle")
            || flag(ctx, "account.run_as_duty")
            || matches!(symbol(ctx, "account.purpose").as_deref(), Some("business" | "mixed"));
        if symbol(ctx, "account.created_by").as_deref() == Some("employee") && for_business {
            law.push(engine(
                "who owns an account an employee created and ran for the business is unsettled: PhoneDog v Kravitz (N.D. Cal.) settled in December 2012 without a ruling on ownership"
                    .into(),
            ));
        }
    }

    // Content or intellectual property kept, exported or handed over that no ownership
    // clause covers.
    if matches!(action.as_str(), "depart" | "hand_over" | "export")
        && has("material")
        && !covered(policy, results, |o| o.material)
    {
        advice.push(engine(
            "no ownership clause covers this content: the policy does not say who owns it, and smpolicy does not invent an owner"
                .into(),
        ));
    }

    // A new connection, made while employed, that no ownership clause could cover:
    // an exit evaluation will meet the gap. (A leaver's new connections are their own.)
    let employed = symbol(ctx, "actor.status").as_deref() != Some("departed");
    if matches!(action.as_str(), "connect" | "accept") && has("target") && employed {
        let covered = policy.ownership.iter().filter(|o| o.connections).any(|o| {
            let mut trace = Vec::new();
            !matches!(eval_cond(&o.matches, ctx, &mut trace), Truth::False)
        });
        if !covered {
            advice.push(engine(
                "the policy does not say who keeps this connection when you leave: no ownership clause covers it, a gap an exit evaluation would meet"
                    .into(),
            ));
        }
    }

    // A leaver approaching someone no covenant protects.
    if APPROACHES.contains(&action.as_str()) && symbol(ctx, "actor.status").as_deref() == Some("departed") {
        if let Some(rel) = symbol(ctx, "target.relationship").filter(|r| PROTECTED.contains(&r.as_str())) {
            let covenanted = policy.covenants.iter().any(|c| {
                c.applies_to.contains(&action) && (c.of.is_empty() || crate::lower::relationships(&c.of).contains(&rel))
            });
            if !covenanted {
                advice.push(engine(format!(
                    "no covenant in this policy restrains a leaver's `{action}` to a `{rel}` (there is no non-solicitation, non-dealing or non-poaching covenant covering them): nothing in the policy forbids it on that ground"
                )));
            }
        }
    }
    (advice, law)
}
