//! The agency test file format (`shared/design/data-model.md`, "Tests
//! written by an agency"): a YAML or JSON list of cases, each an action (or
//! employment terms) with the verdict it must get and, optionally, the clause
//! that must decide it and the role whose approval it needs.

use super::action::{self, Action};
use super::contract::{self, Contract};
use super::error::DataError;
use super::Invalid;
use serde::{Deserialize, Serialize};

closed_set! {
    /// The verdict a test case expects.
    Expect, "expectation" {
        /// The action is refused.
        Deny = "deny",
        /// The action needs an approval first.
        RequireApproval = "require-approval",
        /// The action is allowed.
        Allow = "allow",
        /// No clause decides.
        Indeterminate = "indeterminate",
    }
}

/// What a test case puts to the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// A proposed action (`action:`).
    Action(Box<Action>),
    /// Employment terms (`contract:`); the expectation applies to the terms verdict.
    Contract(Box<Contract>),
}

/// One test case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestCase {
    /// Its position in the file, from 0 (errors and reports say `[2]`).
    pub index: usize,
    /// The name reported when it fails; unique in the file.
    pub name: String,
    /// The action or the terms.
    pub subject: Subject,
    /// The verdict it must get.
    pub expect: Expect,
    /// For an action about several groups of contacts, the verdict each group
    /// must get, in the order of `contacts` (`expect: {verdict: deny, groups:
    /// [deny, allow]}`); `None`: only the whole is checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<Expect>>,
    /// The name of the clause that must decide, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub because: Option<String>,
    /// The role whose approval is required, if given (only with `require-approval`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approver: Option<String>,
}

/// The written form of a [`TestCase`]: one case of an agency test file,
/// with either `action` or `contract`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "TestCase", extend("oneOf" = [{"required": ["action"]}, {"required": ["contract"]}]))]
pub(crate) struct TestCaseForm {
    /// The name reported when it fails; unique in the file.
    name: String,
    /// A proposed action.
    #[serde(default)]
    action: Option<Action>,
    /// Employment terms; the expectation applies to the terms verdict.
    #[serde(default)]
    contract: Option<Contract>,
    /// The verdict it must get: a verdict (`deny`), or, for an action about
    /// several groups of contacts, the whole's verdict with each group's
    /// (`{verdict: deny, groups: [deny, allow]}`).
    expect: ExpectForm,
    /// The id of the clause that must decide, if given.
    #[serde(default)]
    because: Option<String>,
    /// The role whose approval is required (only with `expect: require-approval`).
    #[serde(default)]
    approver: Option<String>,
}

/// What `expect` holds as written: a verdict, or the whole's verdict with each group's.
#[derive(schemars::JsonSchema)]
#[serde(untagged)]
enum ExpectForm {
    /// The verdict (`deny`).
    One(Expect),
    /// The whole's verdict and, optionally, each group's.
    Groups(ExpectGroups),
}

/// `expect: {verdict: deny, groups: [deny, allow, allow]}`.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct ExpectGroups {
    /// The whole action's verdict.
    verdict: Expect,
    /// Each group's verdict, in the order of the action's `contacts` list.
    #[serde(default)]
    groups: Option<Vec<Expect>>,
}

impl<'de> Deserialize<'de> for ExpectForm {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{self, Visitor};
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ExpectForm;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a verdict (`deny`) or `{verdict: deny, groups: [deny, allow]}`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ExpectForm, E> {
                Expect::deserialize(de::value::StrDeserializer::new(v)).map(ExpectForm::One)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<ExpectForm, A::Error> {
                ExpectGroups::deserialize(de::value::MapAccessDeserializer::new(map)).map(ExpectForm::Groups)
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// Parses a test file from YAML, or JSON when `file` ends in `.json`.
pub fn parse_tests(text: &str, file: &str) -> Result<Vec<TestCase>, DataError> {
    let forms: Vec<TestCaseForm> = super::parse_document(text, file)?;
    let mut cases: Vec<TestCase> = Vec::with_capacity(forms.len());
    for (index, form) in forms.into_iter().enumerate() {
        let case = build(index, form).map_err(|invalid| invalid.into_error(file, text))?;
        if let Some(first) = cases.iter().find(|c| c.name == case.name) {
            let path = format!("[{index}].name");
            return Err(DataError::new(path.clone(), format!("duplicate test name {:?}", case.name))
                .with_help(Some(format!("the first is [{}]", first.index)))
                .located(file, text, &path));
        }
        cases.push(case);
    }
    Ok(cases)
}

fn build(index: usize, form: TestCaseForm) -> Result<TestCase, Invalid> {
    let here = format!("[{index}]");
    let subject = match (form.action, form.contract) {
        (Some(action), None) => {
            if let Some(invalid) = action::validate(&action) {
                return Err(invalid.within(&format!("{here}.action")));
            }
            Subject::Action(Box::new(action))
        }
        (None, Some(mut terms)) => {
            contract::number(&mut terms);
            if let Some(invalid) = contract::validate(&terms) {
                return Err(invalid.within(&format!("{here}.contract")));
            }
            Subject::Contract(Box::new(terms))
        }
        (action, _) => {
            let found = if action.is_some() { "both" } else { "neither" };
            return Err(Invalid {
                path: here.clone(),
                at: here,
                message: format!("expected either `action` or `contract`; found {found}"),
                help: None,
            });
        }
    };
    let (expect, groups) = match form.expect {
        ExpectForm::One(e) => (e, None),
        ExpectForm::Groups(g) => (g.verdict, g.groups),
    };
    if let Some(groups) = &groups {
        let given = match &subject {
            Subject::Action(a) => a.contacts.as_ref().map_or(0, Vec::len),
            Subject::Contract(_) => 0,
        };
        if given < 2 || groups.len() != given {
            let path = format!("{here}.expect.groups");
            let message = if given < 2 {
                "a verdict per group goes with an action about several groups of contacts (`contacts: [...]`)"
                    .to_string()
            } else {
                format!("expected {given} verdicts, one per group of `contacts`; found {}", groups.len())
            };
            return Err(Invalid { at: path.clone(), path, message, help: None });
        }
    }
    if form.approver.is_some() && expect != Expect::RequireApproval {
        let path = format!("{here}.approver");
        return Err(Invalid {
            at: path.clone(),
            path,
            message: "an approver only goes with `expect: require-approval`".to_string(),
            help: Some(format!("this case expects `{expect}`")),
        });
    }
    Ok(TestCase { index, name: form.name, subject, expect, groups, because: form.because, approver: form.approver })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of `shared/design/data-model.md`, and two more cases.
    const EXAMPLE: &str = r#"
- name: tenth tweet of the day is refused
  action: { action: post, actor: {id: a, role: consultant, status: employed},
            channel: twitter, content: {kind: industry}, history: {posts_today: 10} }
  expect: deny
  because: twitter-daily-limit     # optional: the clause that must decide
- name: brand video needs marketing
  action:
    action: post
    actor: {id: b, role: consultant, status: employed}
    channel: youtube
    content: {kind: brand}
  expect: require-approval
  approver: marketing
- name: a long non-compete is refused
  contract:
    covenants:
      - kind: non_compete
        months: 12
  expect: deny
"#;

    fn err(text: &str) -> String {
        parse_tests(text, "t.yaml").unwrap_err().to_string()
    }

    #[test]
    fn the_example_parses() {
        let cases = parse_tests(EXAMPLE, "t.yaml").unwrap();
        assert_eq!(cases.len(), 3);
        let first = cases.first().unwrap();
        assert_eq!(first.name, "tenth tweet of the day is refused");
        assert_eq!(first.expect, Expect::Deny);
        assert_eq!(first.because.as_deref(), Some("twitter-daily-limit"));
        let Subject::Action(action) = &first.subject else { panic!("not an action") };
        assert_eq!(action.fact("history.posts_today"), Some(crate::value::Value::Int(10)));
        let second = cases.get(1).unwrap();
        assert_eq!((second.expect, second.approver.as_deref()), (Expect::RequireApproval, Some("marketing")));
        let third = cases.get(2).unwrap();
        let Subject::Contract(terms) = &third.subject else { panic!("not a contract") };
        assert_eq!(terms.covenants.first().map(|c| c.path()), Some("covenants[0]".to_string()));
    }

    #[test]
    fn errors_name_the_case() {
        let bad_status = EXAMPLE.replace("role: consultant, status: employed}", "role: consultant, status: left}");
        insta::assert_snapshot!(err(&bad_status),
            @r#"t.yaml:3:68: [0].action.actor.status: expected one of employed, on_notice, garden_leave, departed; found "left""#);
        insta::assert_snapshot!(err("- name: x\n  action: {action: post, actor: {id: a, role: r, status: employed}}\n  expect: refuse\n"),
            @r#"t.yaml:3:11: [0].expect: expected one of deny, require-approval, allow, indeterminate; found "refuse""#);
        insta::assert_snapshot!(err("- name: x\n  action: {action: post, actor: {id: a, role: r, status: employed}}\n  expect: deny\n  becuase: r\n"),
            @"t.yaml:4:3: [0].becuase: unknown field; did you mean `because`?");
        insta::assert_snapshot!(err("- name: x\n  expect: deny\n"),
            @"t.yaml:1:3: [0]: expected either `action` or `contract`; found neither");
        insta::assert_snapshot!(err("- name: x\n  expect: allow\n  action: {action: post, actor: {id: a, role: r, status: departed}}\n"),
            @"t.yaml:3:58: [0].action.actor.departed_on: missing required field; `departed_on` is required when `status` is `departed`");
        insta::assert_snapshot!(err("- name: x\n  expect: deny\n  approver: manager\n  action: {action: post, actor: {id: a, role: r, status: employed}}\n"),
            @"t.yaml:3:13: [0].approver: an approver only goes with `expect: require-approval`; this case expects `deny`");
        let twice = "- name: x\n  expect: deny\n  action: {action: post, actor: {id: a, role: r, status: employed}}\n- name: x\n  expect: allow\n  action: {action: share, actor: {id: a, role: r, status: employed}}\n";
        insta::assert_snapshot!(err(twice), @r#"t.yaml:4:9: [1].name: duplicate test name "x"; the first is [0]"#);
        insta::assert_snapshot!(err("name: x\n"), @"t.yaml:1:1: expected a list; found a mapping");
    }

    #[test]
    fn json_test_files_parse() {
        let json = r#"[{"name": "x", "expect": "allow", "action": {"action": "post", "actor": {"id": "a", "role": "r", "status": "employed"}}}]"#;
        assert_eq!(parse_tests(json, "t.json").unwrap().len(), 1);
        let bad = r#"[{"name": "x", "expect": "allow", "action": {"action": "post", "actor": {"id": "a", "role": "r", "status": "gone"}}}]"#;
        insta::assert_snapshot!(parse_tests(bad, "t.json").unwrap_err(),
            @r#"t.json:1:113: [0].action.actor.status: expected one of employed, on_notice, garden_leave, departed; found "gone""#);
    }
}
