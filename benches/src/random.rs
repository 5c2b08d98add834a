//! The second workload: rules that are random conjunctions of 4–8 tests over
//! *different* facts (equality, inequality, set membership, integer
//! thresholds, yes/no facts, list membership), drawn with a fixed seed, as a
//! general-purpose engine's benchmark would draw them — unlike the templated
//! workload of `lib.rs`, whose rules repeat a few shapes.
//!
//! The same rules are written for smpolicy (text), Cedar (one `forbid` or
//! `approve_` `permit` per rule), Rego (one body per rule, and as rows of a
//! data table read by one rule: [`crate::table`]) and decided by two
//! hand-written floors ([`floor`], a linear scan, and [`crate::table::Indexed`]).

use crate::table::{Effect, TableRule};
use crate::Rng;

/// What values a fact takes.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// One of these names.
    Enum(&'static [&'static str]),
    /// A whole number from 0 to this, inclusive.
    Int(u32),
    /// Yes or no.
    Bool,
    /// The list `content.kind`: any subset of these names (a bit mask).
    List(&'static [&'static str]),
}

/// A fact the rules test.
#[derive(Debug, Clone, Copy)]
pub struct Attr {
    /// Its smpolicy path (also the key of the flat Rego input).
    pub path: &'static str,
    /// Its name in the Cedar context (not used for `action`).
    pub cedar: &'static str,
    /// Its values.
    pub kind: Kind,
}

/// Index of `action` in [`ATTRS`] (Cedar tests it on the request's action, not in the context).
pub const ACTION: usize = 0;

/// The facts: thirteen built-in facts of the data model and three declared ones.
pub const ATTRS: &[Attr] = &[
    Attr {
        path: "action",
        cedar: "",
        kind: Kind::Enum(&["post", "share", "comment", "connect", "message", "solicit"]),
    },
    Attr {
        path: "channel",
        cedar: "channel",
        kind: Kind::Enum(&["twitter", "linkedin", "facebook", "youtube", "instagram", "blog"]),
    },
    Attr {
        path: "actor.status",
        cedar: "status",
        kind: Kind::Enum(&["employed", "on_notice", "garden_leave", "departed"]),
    },
    Attr { path: "actor.team", cedar: "team", kind: Kind::Enum(&["recruiting", "marketing", "sales", "finance"]) },
    Attr {
        path: "target.relationship",
        cedar: "relationship",
        kind: Kind::Enum(&["client", "candidate", "colleague", "competitor_staff", "personal", "prospect"]),
    },
    Attr {
        path: "account.kind",
        cedar: "account_kind",
        kind: Kind::Enum(&["personal", "branded", "corporate", "group"]),
    },
    Attr {
        path: "content.kind",
        cedar: "kinds",
        kind: Kind::List(&["job_ad", "industry", "personal", "brand", "announcement"]),
    },
    Attr { path: "history.posts_today", cedar: "posts_today", kind: Kind::Int(24) },
    Attr { path: "history.posts_this_week", cedar: "posts_this_week", kind: Kind::Int(63) },
    Attr { path: "history.invitations_this_week", cedar: "invitations_this_week", kind: Kind::Int(63) },
    Attr { path: "content.names_client", cedar: "names_client", kind: Kind::Bool },
    Attr { path: "content.confidential", cedar: "confidential", kind: Kind::Bool },
    Attr { path: "target.interacted", cedar: "interacted", kind: Kind::Bool },
    Attr {
        path: "facts.region",
        cedar: "region",
        kind: Kind::Enum(&["north", "south", "east", "west", "central", "remote"]),
    },
    Attr { path: "facts.seniority", cedar: "seniority", kind: Kind::Int(10) },
    Attr { path: "facts.flagged", cedar: "flagged", kind: Kind::Bool },
];

/// Number of facts.
pub const NATTR: usize = 16;
const _: () = assert!(ATTRS.len() == NATTR);

/// One test of one fact. Values are indices into the fact's names, whole
/// numbers, or a bit index into the list's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// `= v`.
    Eq(u32),
    /// `!= v`.
    Ne(u32),
    /// `in {…}`.
    In(Vec<u32>),
    /// `not in {…}`.
    NotIn(Vec<u32>),
    /// `>= n`.
    Ge(u32),
    /// `> n`.
    Gt(u32),
    /// `<= n`.
    Le(u32),
    /// `< n`.
    Lt(u32),
    /// The yes/no fact is this.
    Is(bool),
    /// The list has this name.
    Has(u32),
    /// The list does not have this name.
    HasNot(u32),
}

/// A test: fact index into [`ATTRS`] and operator.
#[derive(Debug, Clone)]
pub struct Test {
    /// Index into [`ATTRS`].
    pub attr: usize,
    /// The test.
    pub op: Op,
}

/// A rule: all its tests hold → its effect.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Deny, or require approval from manager.
    pub effect: Effect,
    /// 4–8 tests over different facts.
    pub tests: Vec<Test>,
}

/// A request: one value per fact (name index, number, 0/1, or list bit mask).
#[derive(Debug, Clone)]
pub struct Req {
    /// Per fact of [`ATTRS`].
    pub vals: [u32; NATTR],
}

fn names(a: &Attr) -> &'static [&'static str] {
    match a.kind {
        Kind::Enum(n) | Kind::List(n) => n,
        Kind::Int(_) | Kind::Bool => &[],
    }
}

/// Distinct values of an enum, sorted.
fn draw_set(rng: &mut Rng, card: u32, k: u32) -> Vec<u32> {
    let mut out = Vec::new();
    while out.len() < k as usize {
        let v = rng.below(u64::from(card)) as u32;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out.sort_unstable();
    out
}

/// `n` rules drawn with `seed`: each tests 4–8 different facts, the operator
/// drawn by the fact's kind; a third deny, the rest require approval.
pub fn rules(n: usize, seed: u64) -> Vec<Rule> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let k = 4 + rng.below(5) as usize;
            let mut attrs: Vec<usize> = Vec::with_capacity(k);
            while attrs.len() < k {
                let a = rng.below(NATTR as u64) as usize;
                if !attrs.contains(&a) {
                    attrs.push(a);
                }
            }
            let tests = attrs
                .into_iter()
                .map(|attr| {
                    let op = match ATTRS[attr].kind {
                        Kind::Enum(names) => {
                            let card = names.len() as u32;
                            match rng.below(10) {
                                0..=4 => Op::Eq(rng.below(u64::from(card)) as u32),
                                5..=6 => Op::Ne(rng.below(u64::from(card)) as u32),
                                7..=8 => {
                                    let k = 2 + rng.below(2) as u32;
                                    Op::In(draw_set(&mut rng, card, k))
                                }
                                _ => Op::NotIn(draw_set(&mut rng, card, 2)),
                            }
                        }
                        Kind::Int(max) => {
                            let t = 1 + rng.below(u64::from(max) - 1) as u32;
                            match rng.below(4) {
                                0 => Op::Ge(t),
                                1 => Op::Gt(t),
                                2 => Op::Le(t),
                                _ => Op::Lt(t),
                            }
                        }
                        Kind::Bool => Op::Is(rng.below(2) == 0),
                        Kind::List(names) => {
                            let k = rng.below(names.len() as u64) as u32;
                            if rng.below(5) == 0 {
                                Op::HasNot(k)
                            } else {
                                Op::Has(k)
                            }
                        }
                    };
                    Test { attr, op }
                })
                .collect();
            let effect = if rng.below(3) == 0 { Effect::Deny } else { Effect::Approve };
            Rule { effect, tests }
        })
        .collect()
}

/// `n` requests drawn with `seed`, every fact given, each value uniform.
pub fn requests(n: usize, seed: u64) -> Vec<Req> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let vals = std::array::from_fn(|a| match ATTRS[a].kind {
                Kind::Enum(names) => rng.below(names.len() as u64) as u32,
                Kind::Int(max) => rng.below(u64::from(max) + 1) as u32,
                Kind::Bool => rng.below(2) as u32,
                Kind::List(names) => rng.below(1 << names.len()) as u32,
            });
            Req { vals }
        })
        .collect()
}

/// Whether the test holds for the value `v`.
pub fn holds(op: &Op, v: u32) -> bool {
    match op {
        Op::Eq(x) => v == *x,
        Op::Ne(x) => v != *x,
        Op::In(xs) => xs.contains(&v),
        Op::NotIn(xs) => !xs.contains(&v),
        Op::Ge(x) => v >= *x,
        Op::Gt(x) => v > *x,
        Op::Le(x) => v <= *x,
        Op::Lt(x) => v < *x,
        Op::Is(b) => (v != 0) == *b,
        Op::Has(k) => v & (1 << k) != 0,
        Op::HasNot(k) => v & (1 << k) == 0,
    }
}

/// The linear-scan floor: every rule's tests in order, stopping at the first
/// deny. 0 allow, 1 require approval, 2 deny.
pub fn floor(rules: &[Rule], r: &Req) -> u8 {
    let mut best = 0u8;
    for rule in rules {
        if (best == 0 || rule.effect == Effect::Deny) && rule.tests.iter().all(|t| holds(&t.op, r.vals[t.attr])) {
            match rule.effect {
                Effect::Deny => return 2,
                Effect::Approve => best = 1,
            }
        }
    }
    best
}

fn smpolicy_test(t: &Test) -> String {
    let a = &ATTRS[t.attr];
    let p = a.path;
    let n = names(a);
    let set = |xs: &[u32]| xs.iter().map(|x| n[*x as usize]).collect::<Vec<_>>().join(", ");
    match &t.op {
        Op::Eq(x) => format!("{p} = {}", n[*x as usize]),
        Op::Ne(x) => format!("{p} != {}", n[*x as usize]),
        Op::In(xs) => format!("{p} in {{{}}}", set(xs)),
        Op::NotIn(xs) => format!("{p} not in {{{}}}", set(xs)),
        Op::Ge(x) => format!("{p} >= {x}"),
        Op::Gt(x) => format!("{p} > {x}"),
        Op::Le(x) => format!("{p} <= {x}"),
        Op::Lt(x) => format!("{p} < {x}"),
        Op::Is(true) => p.to_string(),
        Op::Is(false) => format!("not {p}"),
        Op::Has(k) => format!("{p} has {}", n[*k as usize]),
        Op::HasNot(k) => format!("not {p} has {}", n[*k as usize]),
    }
}

/// The policy as smpolicy text: four declared facts, one `rule` per rule.
pub fn smpolicy_text(rules: &[Rule]) -> String {
    let mut s = String::from(
        "policy \"random conjunctions\"\n  timezone \"Europe/London\"\n  default allow\n\n\
         roles consultant, manager\n\nteams recruiting, marketing, sales, finance\n\n\
         fact region: enum { north, south, east, west, central, remote } \"Where the consultant works.\"\n\
         fact seniority: int \"Years in post.\"\n\
         fact flagged: bool \"Compliance has flagged the account.\"\n\n",
    );
    for (i, r) in rules.iter().enumerate() {
        let cond = r.tests.iter().map(smpolicy_test).collect::<Vec<_>>().join(" and ");
        let then = match r.effect {
            Effect::Deny => "deny",
            Effect::Approve => "require approval from manager",
        };
        s.push_str(&format!("rule r{i} {{\n  when {cond}\n  then {then}\n}}\n\n"));
    }
    s
}

/// The request as the JSON an smpolicy caller sends (regorus's literal
/// encoding reads the same document).
pub fn action_value(r: &Req) -> serde_json::Value {
    let mut obj = serde_json::json!({
        "at": "2026-01-01T09:00:00Z",
        "actor": {"id": "a", "role": "consultant", "departed_on": "2025-10-01"},
    });
    for (a, v) in ATTRS.iter().zip(r.vals) {
        let value = json_value(a, v);
        let mut at = &mut obj;
        let mut parts = a.path.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                at[part] = value.clone();
            } else {
                if at.get(part).is_none() {
                    at[part] = serde_json::json!({});
                }
                at = &mut at[part];
            }
        }
    }
    obj
}

/// The request as JSON text.
pub fn action_json(r: &Req) -> String {
    action_value(r).to_string()
}

fn json_value(a: &Attr, v: u32) -> serde_json::Value {
    match a.kind {
        Kind::Enum(n) => serde_json::Value::from(n[v as usize]),
        Kind::Int(_) => serde_json::Value::from(v),
        Kind::Bool => serde_json::Value::from(v != 0),
        Kind::List(n) => {
            serde_json::Value::from((0..n.len()).filter(|k| v & (1 << k) != 0).map(|k| n[k]).collect::<Vec<_>>())
        }
    }
}

/// The request as the flat input of the table-driven Rego encoding: each
/// fact's path is a key.
pub fn flat_input(r: &Req) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for (a, v) in ATTRS.iter().zip(r.vals) {
        m.insert(a.path.to_string(), json_value(a, v));
    }
    serde_json::Value::Object(m)
}

/// The request as an smpolicy action.
pub fn action(r: &Req) -> smpolicy::data::action::Action {
    smpolicy::data::action::parse_action_json_line(&action_json(r))
        .unwrap_or_else(|e| panic!("generated action does not parse: {e:?}\n{}", action_json(r)))
}

/// The rules as rows of the data table, and each rule's allowed values per
/// fact (for the indexed floor).
pub fn table_rules(rules: &[Rule]) -> Vec<TableRule> {
    rules
        .iter()
        .map(|r| {
            let mut t = TableRule::new(r.effect);
            for test in &r.tests {
                let a = &ATTRS[test.attr];
                let key = a.path;
                let n = names(a);
                let name = |x: &u32| serde_json::Value::from(n[*x as usize]);
                match &test.op {
                    Op::Eq(x) => t.test("eq", key, name(x)),
                    Op::Ne(x) => t.test("ne", key, name(x)),
                    Op::In(xs) => t.test("any_of", key, xs.iter().map(name).collect::<Vec<_>>()),
                    Op::NotIn(xs) => t.test("none_of", key, xs.iter().map(name).collect::<Vec<_>>()),
                    Op::Ge(x) => t.test("ge", key, *x),
                    Op::Gt(x) => t.test("ge", key, x + 1),
                    Op::Le(x) => t.test("le", key, *x),
                    Op::Lt(x) => t.test("le", key, x - 1),
                    Op::Is(b) => t.test("eq", key, *b),
                    Op::Has(k) => t.test("has", key, name(k)),
                    Op::HasNot(k) => t.test("has_not", key, name(k)),
                }
                // The discrete form: which values of this fact pass.
                let domain = domain(a);
                let mut allowed = 0u64;
                for v in 0..domain {
                    if holds(&test.op, v) {
                        allowed |= 1 << v;
                    }
                }
                t.discrete.push((test.attr, allowed));
            }
            t
        })
        .collect()
}

/// How many values a fact takes in the discrete form (at most 64).
pub fn domain(a: &Attr) -> u32 {
    match a.kind {
        Kind::Enum(n) => n.len() as u32,
        Kind::Int(max) => max + 1,
        Kind::Bool => 2,
        Kind::List(n) => 1 << n.len(),
    }
}

/// Domain sizes of every fact, for [`crate::table::Indexed`].
pub fn domains() -> Vec<u32> {
    ATTRS.iter().map(domain).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_test_four_to_eight_different_facts_with_every_operator() {
        let rules = rules(300, 7);
        let mut ops = std::collections::HashSet::new();
        for r in &rules {
            assert!((4..=8).contains(&r.tests.len()));
            let mut seen: Vec<usize> = r.tests.iter().map(|t| t.attr).collect();
            seen.sort_unstable();
            seen.dedup();
            assert_eq!(seen.len(), r.tests.len(), "facts differ within a rule");
            for t in &r.tests {
                ops.insert(std::mem::discriminant(&t.op));
            }
        }
        assert_eq!(ops.len(), 11, "every operator is drawn");
    }

    #[test]
    fn the_action_json_carries_every_fact() {
        let r = &requests(1, 3)[0];
        let v = action_value(r);
        for a in ATTRS {
            let mut at = &v;
            for part in a.path.split('.') {
                at = at.get(part).unwrap_or_else(|| panic!("{} missing in {v}", a.path));
            }
        }
    }

    #[test]
    fn smpolicy_checks_the_policy_and_agrees_with_the_floor() {
        let rules = rules(60, 7);
        let text = smpolicy_text(&rules);
        let file = smpolicy::source::SourceFile::new("random.policy", text.as_str());
        let ast = smpolicy::parser::parse(&file).expect("parses");
        assert!(!smpolicy::check::check(&file, &ast).has_errors(), "no errors");
        let (file, policy) = crate::load(&text);
        let compiled = smpolicy::compile::compile(&policy);
        let now: jiff::Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let opts = smpolicy::eval::EvalOptions { now };
        let mut seen = [0usize; 3];
        for r in requests(300, 9) {
            let a = action(&r);
            let want = floor(&rules, &r);
            let row = smpolicy::compile::FactRow::from_action_at(&a, &compiled, now);
            let code = |d| match d {
                smpolicy::eval::Decision::Allow => 0,
                smpolicy::eval::Decision::RequireApproval => 1,
                smpolicy::eval::Decision::Deny => 2,
                smpolicy::eval::Decision::Indeterminate => 3,
            };
            let got = (
                code(compiled.decide(&row).verdict),
                code(smpolicy::eval::evaluate(&policy, &file, &a, &opts).verdict),
            );
            assert_eq!(got, (want, want), "{}", action_json(&r));
            seen[want as usize] += 1;
        }
        assert!(seen.iter().all(|n| *n > 0), "every verdict occurs: {seen:?}");
    }
}
