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

use crate::random::{self, Kind, Op};
use crate::table::Effect;
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

/// A JSON document as regorus's value (read by regorus's own parser).
pub fn value(json: &serde_json::Value) -> Value {
    Value::from_json_str(&json.to_string()).expect("regorus reads the input")
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

fn engine(module: String, data: Option<Value>) -> Engine {
    let mut engine = Engine::new();
    engine.add_policy("generated.rego".to_string(), module).unwrap_or_else(|e| panic!("{e}"));
    if let Some(data) = data {
        engine.add_data(data).unwrap_or_else(|e| panic!("{e}"));
    }
    engine
}

/// The random-conjunction rules as one Rego module, one `deny` or `approval`
/// body per rule (the literal encoding); the input is the smpolicy action's JSON.
pub fn random_module_text(rules: &[random::Rule]) -> String {
    let mut s = String::from(
        "package generated\n\nverdict := \"deny\" if {\n\tdeny\n} else := \"require_approval\" if {\n\tapproval\n} else := \"allow\"\n\n",
    );
    for (i, r) in rules.iter().enumerate() {
        let head = match r.effect {
            Effect::Deny => "deny",
            Effect::Approve => "approval",
        };
        s.push_str(&format!("# r{i}\n{head} if {{\n"));
        for t in &r.tests {
            let a = &random::ATTRS[t.attr];
            let p = format!("input.{}", a.path);
            let name = |x: &u32| match a.kind {
                Kind::Enum(n) | Kind::List(n) => format!("\"{}\"", n[*x as usize]),
                _ => unreachable!("names only for enums and lists"),
            };
            let set = |xs: &[u32]| xs.iter().map(name).collect::<Vec<_>>().join(", ");
            let line = match &t.op {
                Op::Eq(x) => format!("{p} == {}", name(x)),
                Op::Ne(x) => format!("{p} != {}", name(x)),
                Op::In(xs) => format!("{p} in {{{}}}", set(xs)),
                Op::NotIn(xs) => format!("not {p} in {{{}}}", set(xs)),
                Op::Ge(x) => format!("{p} >= {x}"),
                Op::Gt(x) => format!("{p} > {x}"),
                Op::Le(x) => format!("{p} <= {x}"),
                Op::Lt(x) => format!("{p} < {x}"),
                Op::Is(true) => p.clone(),
                Op::Is(false) => format!("not {p}"),
                Op::Has(k) => format!("{} in {p}", name(k)),
                Op::HasNot(k) => format!("not {} in {p}", name(k)),
            };
            s.push_str(&format!("\t{line}\n"));
        }
        s.push_str("}\n\n");
    }
    s
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
        Interpreter::from_module(module_text(rules), None)
    }

    /// Loads a module whose `verdict` is [`ENTRY`], and a data document if any.
    pub fn from_module(module: String, data: Option<Value>) -> Interpreter {
        Interpreter(engine(module, data))
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
        Rvm::from_module(module_text(rules), None)
    }

    /// Loads and compiles a module whose `verdict` is [`ENTRY`]; the data
    /// document, if any, is given to the engine and to the VM.
    pub fn from_module(module: String, data: Option<Value>) -> Rvm {
        let mut engine = engine(module, data.clone());
        let compiled = engine.compile_with_entrypoint(&ENTRY.into()).unwrap_or_else(|e| panic!("{e}"));
        let program = Compiler::compile_from_policy(&compiled, &[ENTRY]).unwrap_or_else(|e| panic!("{e}"));
        let mut vm = RegoVM::new();
        vm.load_program(program);
        // The default limit (25,000 instructions a decision) stops the table
        // encoding at 1,000 rules; a limit is a safety net, not a cost.
        vm.set_max_instructions(usize::MAX);
        if let Some(data) = data {
            vm.set_data(data).unwrap_or_else(|e| panic!("{e}"));
        }
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
