//! The generated rules as Cedar policies, and the requests as Cedar requests.
//!
//! Cedar decides allow or deny only, so the three verdicts map onto it as a
//! Cedar author would write them: a deny rule is a `forbid`, the policy's
//! `default allow` is one unconditional `permit`, and a require-approval rule
//! is a `permit` whose id starts with `approve_`; the verdict is deny when
//! Cedar denies, require approval when one of the `approve_` permits is among
//! the policies that determined the allow, else allow. One authorization call
//! per decision.
//!
//! Dates are longs (days since 1970-01-01). Cedar has no calendar-month
//! arithmetic, so `actor.departed_on + M months` is carried on the principal
//! as `departed_plus.mM`, computed when the request is built — as the floor
//! does with [`Req::shifted`].

use crate::random::{self, Kind, Op};
use crate::table::Effect;
use crate::{epoch_days, GenRule, Req, CHANNELS, KINDS, RELS, STATUSES};
use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityUid, Policy, PolicyId, PolicySet, Request,
    RestrictedExpression,
};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;

/// The Cedar source of each rule, with its policy id.
pub fn policy_texts(rules: &[GenRule]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| match *r {
            GenRule::Posting { channel, kind, min_posts } => (
                format!("deny_r{i}"),
                format!(
                    "forbid (principal, action == Action::\"post\", resource)\n  when {{ context.channel == \"{}\" && context.kinds.contains(\"{}\") && context.posts_today >= {min_posts} }};",
                    CHANNELS[channel], KINDS[kind]
                ),
            ),
            GenRule::Connecting { rel, status } => (
                format!("approve_r{i}"),
                format!(
                    "permit (principal, action == Action::\"connect\", resource)\n  when {{ resource.relationship == \"{}\" && principal.status == \"{}\" }};",
                    RELS[rel], STATUSES[status]
                ),
            ),
            GenRule::Covenant { rel, months } => (
                format!("deny_r{i}"),
                format!(
                    "forbid (principal, action == Action::\"solicit\", resource)\n  when {{ principal.status == \"departed\" && resource.relationship == \"{}\" && context.at <= principal.departed_plus.m{months} }};",
                    RELS[rel]
                ),
            ),
        })
        .collect();
    out.push(("default_allow".to_string(), "permit (principal, action, resource);".to_string()));
    out
}

/// The whole policy as Cedar text (what a user would write in one file).
pub fn policy_text(rules: &[GenRule]) -> String {
    policy_texts(rules).into_iter().map(|(id, text)| format!("@id(\"{id}\")\n{text}\n\n")).collect()
}

/// A loaded Cedar policy set and its authorizer.
pub struct Cedar {
    authorizer: Authorizer,
    policies: PolicySet,
}

/// One request, built with Cedar's API: the request and its entities.
pub struct CedarReq {
    request: Request,
    entities: Entities,
}

impl Cedar {
    /// Parses every rule.
    pub fn new(rules: &[GenRule]) -> Cedar {
        Cedar::from_texts(policy_texts(rules))
    }

    /// Parses every (policy id, policy text).
    pub fn from_texts(texts: Vec<(String, String)>) -> Cedar {
        let mut policies = PolicySet::new();
        for (id, text) in texts {
            let p = Policy::parse(Some(PolicyId::new(&id)), &text).unwrap_or_else(|e| panic!("{id}: {e}\n{text}"));
            policies.add(p).expect("unique policy ids");
        }
        Cedar { authorizer: Authorizer::new(), policies }
    }

    /// The verdict (0 allow, 1 require approval, 2 deny) and any evaluation errors.
    pub fn decide_checked(&self, q: &CedarReq) -> (u8, usize) {
        let resp = self.authorizer.is_authorized(&q.request, &self.policies, &q.entities);
        (verdict(&resp), resp.diagnostics().errors().count())
    }

    /// The verdict: 0 allow, 1 require approval, 2 deny.
    pub fn decide(&self, q: &CedarReq) -> u8 {
        verdict(&self.authorizer.is_authorized(&q.request, &self.policies, &q.entities))
    }
}

fn verdict(resp: &cedar_policy::Response) -> u8 {
    match resp.decision() {
        Decision::Deny => 2,
        Decision::Allow => {
            u8::from(resp.diagnostics().reason().any(|id| AsRef::<str>::as_ref(id).starts_with("approve_")))
        }
    }
}

fn uid(s: &str) -> EntityUid {
    EntityUid::from_str(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// The request as a Cedar request: principal `Consultant::"a"` (status,
/// departed_on, departed_plus), action `Action::"post"|"connect"|"solicit"`,
/// resource `Target::"t"` (relationship), context (channel, kinds, posts_today, at).
pub fn request(r: &Req) -> CedarReq {
    let principal = uid("Consultant::\"a\"");
    let resource = uid("Target::\"t\"");
    let action = uid(&format!("Action::\"{}\"", ["post", "connect", "solicit"][r.action]));
    let plus = RestrictedExpression::new_record(
        r.shifted.iter().enumerate().map(|(m, d)| (format!("m{m}"), RestrictedExpression::new_long(epoch_days(*d)))),
    )
    .expect("distinct fields");
    let consultant = Entity::new(
        principal.clone(),
        HashMap::from([
            ("status".to_string(), RestrictedExpression::new_string(STATUSES[r.status].to_string())),
            ("departed_on".to_string(), RestrictedExpression::new_long(epoch_days(r.departed_on))),
            ("departed_plus".to_string(), plus),
        ]),
        HashSet::new(),
    )
    .expect("principal entity");
    let target = Entity::new(
        resource.clone(),
        HashMap::from([("relationship".to_string(), RestrictedExpression::new_string(RELS[r.rel].to_string()))]),
        HashSet::new(),
    )
    .expect("resource entity");
    let entities = Entities::from_entities([consultant, target], None).expect("entities");
    let kinds = (0..KINDS.len())
        .filter(|k| r.kinds & (1 << k) != 0)
        .map(|k| RestrictedExpression::new_string(KINDS[k].to_string()));
    let context = Context::from_pairs([
        ("channel".to_string(), RestrictedExpression::new_string(CHANNELS[r.channel].to_string())),
        ("kinds".to_string(), RestrictedExpression::new_set(kinds)),
        ("posts_today".to_string(), RestrictedExpression::new_long(i64::from(r.posts_today))),
        ("at".to_string(), RestrictedExpression::new_long(epoch_days(r.at))),
    ])
    .expect("context");
    let request = Request::new(principal, action, resource, context, None).expect("request");
    CedarReq { request, entities }
}

/// The random-conjunction rules as Cedar policies, with their ids: a deny
/// rule is a `forbid`, a require-approval rule an `approve_` `permit`; an
/// equality test of the action goes in the scope, as a Cedar author would put
/// it; every other fact is in the context.
pub fn random_policy_texts(rules: &[random::Rule]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = rules
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut scope = "action".to_string();
            let mut conds = Vec::new();
            for t in &r.tests {
                let a = &random::ATTRS[t.attr];
                if t.attr == random::ACTION {
                    let Kind::Enum(n) = a.kind else { unreachable!("action is an enum") };
                    let uid = |x: &u32| format!("Action::\"{}\"", n[*x as usize]);
                    let list = |xs: &[u32]| xs.iter().map(uid).collect::<Vec<_>>().join(", ");
                    match &t.op {
                        Op::Eq(x) => scope = format!("action == {}", uid(x)),
                        Op::Ne(x) => conds.push(format!("action != {}", uid(x))),
                        Op::In(xs) => conds.push(format!("action in [{}]", list(xs))),
                        Op::NotIn(xs) => conds.push(format!("!(action in [{}])", list(xs))),
                        op => unreachable!("no {op:?} on the action"),
                    }
                    continue;
                }
                let c = format!("context.{}", a.cedar);
                let name = |x: &u32| match a.kind {
                    Kind::Enum(n) | Kind::List(n) => format!("\"{}\"", n[*x as usize]),
                    _ => unreachable!("names only for enums and lists"),
                };
                let set = |xs: &[u32]| xs.iter().map(name).collect::<Vec<_>>().join(", ");
                conds.push(match &t.op {
                    Op::Eq(x) => format!("{c} == {}", name(x)),
                    Op::Ne(x) => format!("{c} != {}", name(x)),
                    Op::In(xs) => format!("[{}].contains({c})", set(xs)),
                    Op::NotIn(xs) => format!("!([{}].contains({c}))", set(xs)),
                    Op::Ge(x) => format!("{c} >= {x}"),
                    Op::Gt(x) => format!("{c} > {x}"),
                    Op::Le(x) => format!("{c} <= {x}"),
                    Op::Lt(x) => format!("{c} < {x}"),
                    Op::Is(true) => c,
                    Op::Is(false) => format!("!{c}"),
                    Op::Has(k) => format!("{c}.contains({})", name(k)),
                    Op::HasNot(k) => format!("!({c}.contains({}))", name(k)),
                });
            }
            let (id, head) = match r.effect {
                Effect::Deny => (format!("deny_r{i}"), "forbid"),
                Effect::Approve => (format!("approve_r{i}"), "permit"),
            };
            (id, format!("{head} (principal, {scope}, resource)\n  when {{ {} }};", conds.join(" && ")))
        })
        .collect();
    out.push(("default_allow".to_string(), "permit (principal, action, resource);".to_string()));
    out
}

/// A random-workload request as a Cedar request: principal `Consultant::"a"`,
/// action from the `action` fact, resource `Target::"t"`, every other fact in
/// the context (the list `content.kind` as a set of strings).
pub fn random_request(r: &random::Req) -> CedarReq {
    let mut pairs = Vec::new();
    let mut action = String::new();
    for (i, (a, v)) in random::ATTRS.iter().zip(r.vals).enumerate() {
        let value = match a.kind {
            Kind::Enum(n) if i == random::ACTION => {
                action = n[v as usize].to_string();
                continue;
            }
            Kind::Enum(n) => RestrictedExpression::new_string(n[v as usize].to_string()),
            Kind::Int(_) => RestrictedExpression::new_long(i64::from(v)),
            Kind::Bool => RestrictedExpression::new_bool(v != 0),
            Kind::List(n) => RestrictedExpression::new_set(
                (0..n.len()).filter(|k| v & (1 << k) != 0).map(|k| RestrictedExpression::new_string(n[k].to_string())),
            ),
        };
        pairs.push((a.cedar.to_string(), value));
    }
    let context = Context::from_pairs(pairs).expect("context");
    let request = Request::new(
        uid("Consultant::\"a\""),
        uid(&format!("Action::\"{action}\"")),
        uid("Target::\"t\""),
        context,
        None,
    )
    .expect("request");
    CedarReq { request, entities: Entities::empty() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{floor, requests, rules};

    #[test]
    fn agrees_with_the_floor_on_every_verdict() {
        let rules = rules(30);
        let cedar = Cedar::new(&rules);
        let mut seen = [0usize; 3];
        for r in requests(300, 9) {
            let (v, errors) = cedar.decide_checked(&request(&r));
            assert_eq!((v, errors), (floor(&rules, &r), 0), "{r:?}");
            seen[v as usize] += 1;
        }
        assert!(seen.iter().all(|n| *n > 0), "every verdict occurs: {seen:?}");
    }

    #[test]
    fn random_conjunctions_agree_with_the_floor() {
        let rules = random::rules(100, 7);
        let cedar = Cedar::from_texts(random_policy_texts(&rules));
        let mut seen = [0usize; 3];
        for r in random::requests(3000, 9) {
            let (v, errors) = cedar.decide_checked(&random_request(&r));
            assert_eq!((v, errors), (random::floor(&rules, &r), 0), "{r:?}");
            seen[v as usize] += 1;
        }
        assert!(seen.iter().all(|n| *n > 0), "every verdict occurs: {seen:?}");
    }

    #[test]
    fn the_text_form_parses_as_one_policy_set() {
        let set: PolicySet = policy_text(&rules(9)).parse().expect("parses");
        assert_eq!(set.policies().count(), 10);
    }
}
