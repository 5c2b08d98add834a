//! The generated rules as a Rego module, decided by regorus — its tree-walking
//! interpreter (`Engine::eval_rule`) and its compiled form, the RVM
//! (`Compiler::compile_from_policy` to a `Program`, run by a `RegoVM`).
//!
//! Each rule is one body of `deny` or `approval`; `verdict` applies the
//! precedence smpolicy uses (deny > require approval > the default, allow).
//! Dates are numbers (days since 1970-01-01); `actor.departed_on + M months`
//! is `input.actor.departed_plus[M]`, computed when the request is built, as
//! the floor does with [`Req::shifted`] (Rego's `time.add_date` normalizes
//! month overflow differently from calendar months, so it would not agree).

use crate::{epoch_days, GenRule, Req, CHANNELS, KINDS, RELS, STATUSES};
use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::vm::RegoVM;
use regorus::{Engine, Value};

/// The rule whose value is the verdict.
pub const ENTRY: &str = "data.generated.verdict";

/// The policy as one Rego module (Rego v1 syntax).
pub fn module_text(rules: &[GenRule]) -> String {
    let mut s = String::from(
        "package generated\n\nverdict := \"deny\" if {\n\tdeny\n} else := \"require_approval\" if {\n\tapproval\n} else := \"allow\"\n\n",
    );
    for (i, r) in rules.iter().enumerate() {
        let (head, body) = match *r {
            GenRule::Posting { channel, kind, min_posts } => (
                "deny",
                format!(
                    "\tinput.action == \"post\"\n\tinput.channel == \"{}\"\n\t\"{}\" in input.content.kind\n\tinput.history.posts_today >= {min_posts}",
                    CHANNELS[channel], KINDS[kind]
                ),
            ),
            GenRule::Connecting { rel, status } => (
                "approval",
                format!(
                    "\tinput.action == \"connect\"\n\tinput.target.relationship == \"{}\"\n\tinput.actor.status == \"{}\"",
                    RELS[rel], STATUSES[status]
                ),
            ),
            GenRule::Covenant { rel, months } => (
                "deny",
                format!(
                    "\tinput.action == \"solicit\"\n\tinput.actor.status == \"departed\"\n\tinput.target.relationship == \"{}\"\n\tinput.at <= input.actor.departed_plus[{months}]",
                    RELS[rel]
                ),
            ),
        };
        s.push_str(&format!("# r{i}\n{head} if {{\n{body}\n}}\n\n"));
    }
    s
}

/// The request as regorus's input value (built from JSON by regorus's own parser).
pub fn input(r: &Req) -> Value {
    let kinds: Vec<&str> = (0..KINDS.len()).filter(|k| r.kinds & (1 << k) != 0).map(|k| KINDS[k]).collect();
    let plus: Vec<i64> = r.shifted.iter().map(|d| epoch_days(*d)).collect();
    let action = ["post", "connect", "solicit"][r.action];
    let json = serde_json::json!({
        "action": action,
        "at": epoch_days(r.at),
        "actor": {"status": STATUSES[r.status], "departed_on": epoch_days(r.departed_on), "departed_plus": plus},
        "channel": CHANNELS[r.channel],
        "content": {"kind": kinds},
        "history": {"posts_today": r.posts_today},
        "target": {"relationship": RELS[r.rel]},
    });
    Value::from_json_str(&json.to_string()).expect("regorus reads the input")
}

fn code(v: &Value) -> u8 {
    match v.as_string().map(|s| s.as_ref()) {
        Ok("allow") => 0,
        Ok("require_approval") => 1,
        Ok("deny") => 2,
        _ => panic!("unexpected verdict value {v}"),
    }
}

/// regorus's interpreter with the module loaded.
pub struct Interpreter(Engine);

impl Interpreter {
    /// Loads the module.
    pub fn new(rules: &[GenRule]) -> Interpreter {
        let mut engine = Engine::new();
        engine.add_policy("generated.rego".to_string(), module_text(rules)).unwrap_or_else(|e| panic!("{e}"));
        Interpreter(engine)
    }

    /// The verdict: 0 allow, 1 require approval, 2 deny.
    pub fn decide(&mut self, input: &Value) -> u8 {
        self.0.set_input(input.clone());
        code(&self.0.eval_rule(ENTRY.to_string()).unwrap_or_else(|e| panic!("{e}")))
    }
}

/// regorus's RVM with the module compiled to a program.
pub struct Rvm(RegoVM);

impl Rvm {
    /// Loads and compiles the module.
    pub fn new(rules: &[GenRule]) -> Rvm {
        let mut engine = Engine::new();
        engine.add_policy("generated.rego".to_string(), module_text(rules)).unwrap_or_else(|e| panic!("{e}"));
        let compiled = engine.compile_with_entrypoint(&ENTRY.into()).unwrap_or_else(|e| panic!("{e}"));
        let program = Compiler::compile_from_policy(&compiled, &[ENTRY]).unwrap_or_else(|e| panic!("{e}"));
        let mut vm = RegoVM::new();
        vm.load_program(program);
        Rvm(vm)
    }

    /// The verdict: 0 allow, 1 require approval, 2 deny.
    pub fn decide(&mut self, input: &Value) -> u8 {
        self.0.set_input(input.clone());
        code(&self.0.execute().unwrap_or_else(|e| panic!("{e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{floor, requests, rules};

    #[test]
    fn interpreter_and_rvm_agree_with_the_floor_on_every_verdict() {
        let rules = rules(30);
        let mut interp = Interpreter::new(&rules);
        let mut rvm = Rvm::new(&rules);
        let mut seen = [0usize; 3];
        for r in requests(300, 9) {
            let v = input(&r);
            let want = floor(&rules, &r);
            assert_eq!((interp.decide(&v), rvm.decide(&v)), (want, want), "{r:?}");
            seen[want as usize] += 1;
        }
        assert!(seen.iter().all(|n| *n > 0), "every verdict occurs: {seen:?}");
    }
}
