//! Both workloads' rules as rows of one table, read two ways:
//!
//! - by Rego as a Rego author would write a rule base: one `applies(r)` rule
//!   over `data.rules.deny` and `data.rules.approval` ([`MODULE`]), the input a
//!   flat object keyed by fact path;
//! - by the indexed hand-written floor ([`Indexed`]): for each fact and each
//!   of its values, a bitset of the rules that value satisfies; a request's
//!   rows are AND-ed a 64-rule word at a time, deny rules first.

use regorus::Value;

/// What a rule does when its tests hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// `then deny`.
    Deny,
    /// `then require approval from manager`.
    Approve,
}

/// One row of the table: the rule's tests as `{"op", "fact", "value"}`
/// objects (for Rego), and per fact the bit mask of the values that pass
/// (for [`Indexed`]).
#[derive(Debug, Clone)]
pub struct TableRule {
    /// Its effect.
    pub effect: Effect,
    /// Its tests, in the rule's order.
    pub tests: Vec<serde_json::Value>,
    /// (fact index, bit mask of its values that pass) for the indexed floor.
    pub discrete: Vec<(usize, u64)>,
}

impl TableRule {
    /// A rule with no tests yet.
    pub fn new(effect: Effect) -> TableRule {
        TableRule { effect, tests: vec![], discrete: vec![] }
    }

    /// Adds a test: `op` is one of `eq`, `ne`, `any_of`, `none_of`, `ge`,
    /// `le`, `has`, `has_not`, `within` (see [`MODULE`]).
    pub fn test(&mut self, op: &str, fact: &str, value: impl Into<serde_json::Value>) {
        self.tests.push(serde_json::json!({"op": op, "fact": fact, "value": value.into()}));
    }
}

/// The Rego module of the table encoding (the same for both workloads): a
/// rule applies when every one of its tests holds; `holds` has one body per
/// operator.
///
/// An earlier form of this module grouped the tests by operator
/// (`every f, v in r.eq { input[f] == v }`, then `r.ge`, …); regorus 0.14.1's
/// RVM decided it wrongly in two ways its interpreter did not (found by this
/// benchmark's agreement check): an `every` variable used as an index
/// (`input[f]`) was taken as unbound, so the RVM iterated over every input
/// field; and an `every` over an empty object followed by another `every`
/// made the rule fail. This form is decided the same by both.
pub const MODULE: &str = r#"package generated

verdict := "deny" if {
	deny
} else := "require_approval" if {
	approval
} else := "allow"

deny if {
	some r in data.rules.deny
	applies(r)
}

approval if {
	some r in data.rules.approval
	applies(r)
}

applies(r) if {
	every t in r.tests {
		holds(t)
	}
}

holds(t) if {
	t.op == "eq"
	input[t.fact] == t.value
}

holds(t) if {
	t.op == "ne"
	input[t.fact] != t.value
}

holds(t) if {
	t.op == "any_of"
	input[t.fact] in t.value
}

holds(t) if {
	t.op == "none_of"
	not input[t.fact] in t.value
}

holds(t) if {
	t.op == "ge"
	input[t.fact] >= t.value
}

holds(t) if {
	t.op == "le"
	input[t.fact] <= t.value
}

holds(t) if {
	t.op == "has"
	t.value in input[t.fact]
}

holds(t) if {
	t.op == "has_not"
	not t.value in input[t.fact]
}

holds(t) if {
	t.op == "within"
	input.at <= input.departed_plus[t.value]
}
"#;

/// The table as a JSON data document: `{"rules": {"deny": [...], "approval": [...]}}`.
pub fn data_json(rules: &[TableRule]) -> serde_json::Value {
    let pick = |e: Effect| {
        rules.iter().filter(|r| r.effect == e).map(|r| serde_json::json!({"tests": r.tests})).collect::<Vec<_>>()
    };
    serde_json::json!({"rules": {"deny": pick(Effect::Deny), "approval": pick(Effect::Approve)}})
}

/// The table as regorus's data document (read by regorus's own JSON reader).
pub fn data(rules: &[TableRule]) -> Value {
    Value::from_json_str(&data_json(rules).to_string()).expect("regorus reads the table")
}

/// The indexed floor.
pub struct Indexed {
    words: usize,
    /// The rule at each bit: the deny rules first, then the others, each in rule order
    /// (so the denies fill the first words, as smpolicy's index holds them).
    rule_of: Vec<u32>,
    deny: Vec<u64>,
    approve: Vec<u64>,
    /// First row of each fact.
    base: Vec<usize>,
    /// Row (fact, value) → bitset of the rules it satisfies, `words` words each.
    bits: Vec<u64>,
}

impl Indexed {
    /// Builds the bitsets; `domains[f]` is how many values fact `f` takes.
    pub fn new(domains: &[u32], rules: &[TableRule]) -> Indexed {
        let words = rules.len().div_ceil(64).max(1);
        let mut base = Vec::with_capacity(domains.len());
        let mut rows = 0usize;
        for d in domains {
            assert!(*d <= 64, "a fact takes at most 64 values here");
            base.push(rows);
            rows += *d as usize;
        }
        let mut bits = vec![!0u64; rows * words];
        let mut deny = vec![0u64; words];
        let mut approve = vec![0u64; words];
        let mut rule_of: Vec<u32> = (0..rules.len() as u32).collect();
        rule_of.sort_by_key(|i| rules[*i as usize].effect != Effect::Deny);
        for (i, rule) in rule_of.iter().enumerate() {
            let r = &rules[*rule as usize];
            let (w, bit) = (i / 64, 1u64 << (i % 64));
            match r.effect {
                Effect::Deny => deny[w] |= bit,
                Effect::Approve => approve[w] |= bit,
            }
            for (f, allowed) in &r.discrete {
                for v in 0..domains[*f] {
                    if allowed >> v & 1 == 0 {
                        bits[(base[*f] + v as usize) * words + w] &= !bit;
                    }
                }
            }
        }
        Indexed { words, rule_of, deny, approve, base, bits }
    }

    /// A request's row offsets (built before timing, as each engine's request is).
    pub fn rows(&self, vals: &[u32]) -> Vec<usize> {
        self.base.iter().zip(vals).map(|(b, v)| (b + *v as usize) * self.words).collect()
    }

    /// The rules of word `w` of `mask` that `rows` all satisfy: the word ANDed
    /// with each row's, stopping once none is left.
    #[inline(always)]
    fn word(&self, mask: u64, w: usize, rows: &[usize]) -> u64 {
        let mut acc = mask;
        for r in rows {
            if acc == 0 {
                break;
            }
            acc &= self.bits[r + w];
        }
        acc
    }

    /// Whether `rows` satisfy a rule of `mask` (stopping at the first word with one).
    fn any(&self, mask: &[u64], rows: &[usize]) -> bool {
        for (w, m) in mask.iter().enumerate() {
            if self.word(*m, w, rows) != 0 {
                return true;
            }
        }
        false
    }

    /// Every rule of `mask` that `rows` satisfy, in rule order, into `out`
    /// (the words without a rule of `mask` skipped); whether any.
    fn all(&self, mask: &[u64], rows: &[usize], out: &mut Vec<u32>) -> bool {
        for (w, m) in mask.iter().enumerate().filter(|(_, m)| **m != 0) {
            let mut acc = self.word(*m, w, rows);
            while acc != 0 {
                out.push(self.rule_of[w * 64 + acc.trailing_zeros() as usize]);
                acc &= acc - 1;
            }
        }
        !out.is_empty()
    }

    /// [`Indexed::decide`] that also names the rules that decided, as
    /// smpolicy's decision does (its audit log and answer list them): every
    /// satisfied rule of the winning effect, in rule order, into `out` (cleared
    /// first; none for allow). So it reads every word of the denies, where
    /// [`Indexed::decide`] stops at the first satisfied deny.
    pub fn decide_naming(&self, rows: &[usize], out: &mut Vec<u32>) -> u8 {
        out.clear();
        if self.all(&self.deny, rows, out) {
            2
        } else {
            u8::from(self.all(&self.approve, rows, out))
        }
    }

    /// 0 allow, 1 require approval, 2 deny.
    pub fn decide(&self, rows: &[usize]) -> u8 {
        if self.any(&self.deny, rows) {
            2
        } else {
            u8::from(self.any(&self.approve, rows))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{random, rego};

    #[test]
    fn indexed_floor_agrees_with_the_linear_scans() {
        let rules = crate::rules(300);
        let indexed = Indexed::new(&crate::TEMPLATED_DOMAINS, &crate::templated_table(&rules));
        let mut seen = [0usize; 3];
        for r in crate::requests(2000, 9) {
            let v = indexed.decide(&indexed.rows(&crate::templated_vals(&r)));
            assert_eq!(v, crate::floor(&rules, &r), "{r:?}");
            seen[v as usize] += 1;
        }
        assert!(seen.iter().all(|n| *n > 0), "every verdict occurs: {seen:?}");
        for n in [10, 100, 300] {
            let rules = random::rules(n, 7);
            let indexed = Indexed::new(&random::domains(), &random::table_rules(&rules));
            let mut seen = [0usize; 3];
            for r in random::requests(2000, 9) {
                let v = indexed.decide(&indexed.rows(&r.vals));
                assert_eq!(v, random::floor(&rules, &r), "{n} rules, {r:?}");
                seen[v as usize] += 1;
            }
            assert!(seen.iter().all(|n| *n > 0), "every verdict occurs at {n} rules: {seen:?}");
        }
    }

    #[test]
    fn the_rego_table_agrees_with_the_floors() {
        let rules = crate::rules(30);
        let data = data(&crate::templated_table(&rules));
        let mut interp = rego::Interpreter::from_module(MODULE.to_string(), Some(data.clone()));
        let mut rvm = rego::Rvm::from_module(MODULE.to_string(), Some(data));
        for r in crate::requests(300, 9) {
            let v = rego::value(&crate::templated_flat_input(&r));
            let want = crate::floor(&rules, &r);
            assert_eq!((interp.decide(&v), rvm.decide(&v)), (want, want), "{r:?}");
        }
        let rules = random::rules(40, 7);
        let data = super::data(&random::table_rules(&rules));
        let mut interp = rego::Interpreter::from_module(MODULE.to_string(), Some(data.clone()));
        let mut rvm = rego::Rvm::from_module(MODULE.to_string(), Some(data));
        let mut literal = rego::Interpreter::from_module(rego::random_module_text(&rules), None);
        let mut seen = [0usize; 3];
        for r in random::requests(300, 9) {
            let flat = rego::value(&random::flat_input(&r));
            let nested = rego::value(&random::action_value(&r));
            let want = random::floor(&rules, &r);
            assert_eq!((interp.decide(&flat), rvm.decide(&flat), literal.decide(&nested)), (want, want, want), "{r:?}");
            seen[want as usize] += 1;
        }
        assert!(seen.iter().all(|n| *n > 0), "every verdict occurs: {seen:?}");
    }
}
