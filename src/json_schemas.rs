//! The machine-readable contract: a JSON Schema (draft 2020-12) for every
//! input smpolicy reads and every JSON output it writes, derived with
//! schemars from the very types serde reads and writes, so a schema cannot
//! drift from the data. `smpolicy schema NAME` prints one; the repository
//! ships them as `docs/schemas/NAME.json` (a test fails when a shipped file
//! differs from the generated one); the service's OpenAPI document uses the
//! same definitions (`components`).
//!
//! Input schemas describe what is accepted (fields with a default are
//! optional); output schemas describe what is written (a field left out when
//! empty is optional), and every output object is closed
//! (`additionalProperties: false`), so an output field that is renamed or
//! added without its type fails validation.

use schemars::generate::{Contract, SchemaSettings};
use schemars::{JsonSchema, Schema, SchemaGenerator};

/// Whether a schema describes something smpolicy reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Read: an action, a contract, a test file.
    Input,
    /// Written: a verdict, a report, a record.
    Output,
}

impl Direction {
    /// `input` or `output`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Input => "input",
            Direction::Output => "output",
        }
    }
}

/// One named schema.
pub struct Named {
    /// The name (`verdict`): `smpolicy schema verdict`, `docs/schemas/verdict.json`.
    pub name: &'static str,
    /// Read or written.
    pub direction: Direction,
    /// What it describes, and where it is read or written.
    pub about: &'static str,
    root: fn(&mut SchemaGenerator) -> Schema,
}

/// The tests file: a list of cases.
type TestsFile = Vec<crate::data::testcase::TestCaseForm>;

/// `diff --format json`.
type DiffOutput<'a> = crate::diff::DiffJson<'a>;

/// Every schema, inputs first.
pub const ALL: &[Named] = &[
    Named {
        name: "action",
        direction: Direction::Input,
        about: "a proposed action (eval, the service's /v1/decide, a line of eval --batch)",
        root: root::<crate::data::Action>,
    },
    Named {
        name: "contract",
        direction: Direction::Input,
        about: "employment terms, a contract or an offer (terms, /v1/terms)",
        root: root::<crate::data::Contract>,
    },
    Named {
        name: "tests",
        direction: Direction::Input,
        about: "an agency test file: a list of cases (test)",
        root: root::<TestsFile>,
    },
    Named {
        name: "verdict",
        direction: Direction::Output,
        about: "a verdict, smpolicy.verdict/1 (eval --format json; /v1/decide adds decision_id and trusted)",
        root: root::<crate::eval::Verdict>,
    },
    Named {
        name: "terms",
        direction: Direction::Output,
        about: "a terms report, smpolicy.terms/1 (terms --format json, /v1/terms)",
        root: root::<crate::eval::terms::TermsReport>,
    },
    Named {
        name: "compare",
        direction: Direction::Output,
        about: "a comparison of employers' policies, smpolicy.compare/1 (compare --format json, /v1/compare)",
        root: root::<crate::compare::Comparison>,
    },
    Named {
        name: "diff",
        direction: Direction::Output,
        about: "what changes between two versions, smpolicy.diff/1 (diff --format json, /v1/diff)",
        root: root::<DiffOutput<'static>>,
    },
    Named {
        name: "batch-record",
        direction: Direction::Output,
        about: "one line of eval --batch output: a decision, explained or full record, or an error record",
        root: root::<crate::records::BatchRecord<'static>>,
    },
    Named {
        name: "check-diagnostic",
        direction: Direction::Output,
        about: "one problem found by check --error-format json (one a line on standard output)",
        root: root::<crate::records::CheckDiagnostic<'static>>,
    },
    Named {
        name: "log-entry",
        direction: Direction::Output,
        about: "one entry of the audit log (log --format json, one a line; /v1/log)",
        root: root::<crate::records::LogEntry<'static>>,
    },
];

fn root<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.root_schema_for::<T>()
}

/// The generator for one direction: draft 2020-12, definitions under
/// `$defs` (or `prefix`), outputs closed.
pub fn generator(direction: Direction, definitions_path: &str) -> SchemaGenerator {
    let mut settings = SchemaSettings::draft2020_12();
    settings.definitions_path = definitions_path.to_string().into();
    settings.contract = match direction {
        Direction::Input => Contract::Deserialize,
        Direction::Output => Contract::Serialize,
    };
    if direction == Direction::Output {
        settings = settings.with_transform(close_objects);
    }
    settings.into_generator()
}

/// Closes every object schema that lists its properties and says nothing of
/// others (`additionalProperties: false`), recursively. An object merged from
/// several (`allOf`) is left open, since each part lists only its own.
fn close_objects(schema: &mut Schema) {
    schemars::transform::transform_subschemas(&mut close_objects, schema);
    if let Some(obj) = schema.as_object_mut() {
        if obj.contains_key("properties") && !obj.contains_key("additionalProperties") && !obj.contains_key("allOf") {
            obj.insert("additionalProperties".into(), false.into());
        }
    }
}

/// The named schema, or `None`.
pub fn find(name: &str) -> Option<&'static Named> {
    ALL.iter().find(|n| n.name == name)
}

impl Named {
    /// The schema as a standalone document (definitions under `$defs`).
    pub fn schema(&self) -> serde_json::Value {
        let mut g = generator(self.direction, "/$defs");
        let mut schema = (self.root)(&mut g);
        if let Some(obj) = schema.as_object_mut() {
            let title = format!("smpolicy {}", self.name);
            obj.insert("title".into(), title.into());
            let about = obj.get("description").and_then(|d| d.as_str()).unwrap_or_default().to_string();
            let description = match about.is_empty() {
                true => format!("The {} of smpolicy: {}.", self.direction.as_str(), self.about),
                false => format!("The {} of smpolicy: {}.\n\n{about}", self.direction.as_str(), self.about),
            };
            obj.insert("description".into(), description.into());
        }
        schema.to_value()
    }

    /// The schema as shipped in `docs/schemas/NAME.json`: pretty JSON ending
    /// in a newline, what it is first and its definitions last.
    pub fn text(&self) -> String {
        let schema = self.schema();
        let mut text = match schema.as_object() {
            Some(map) => {
                let rank = |k: &str| FIRST.iter().position(|f| *f == k).unwrap_or(FIRST.len());
                let mut keys: Vec<(&String, &serde_json::Value)> = map.iter().collect();
                keys.sort_by_key(|(k, _)| (k.as_str() == "$defs", rank(k)));
                serde_json::to_string_pretty(&Ordered(keys))
            }
            None => serde_json::to_string_pretty(&schema),
        }
        .unwrap_or_default();
        text.push('\n');
        text
    }
}

/// The keys a reader looks for first, in this order; the rest follow in
/// alphabetical order, and `$defs` comes last.
const FIRST: &[&str] = &["$schema", "title", "description", "type", "required", "properties"];

/// A map written in the order given.
struct Ordered<'a>(Vec<(&'a String, &'a serde_json::Value)>);

impl serde::Serialize for Ordered<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().copied())
    }
}

/// Schemas for the OpenAPI document: `T`'s schema as a reference into
/// `#/components/schemas/`, adding `T` and what it uses to `defs`. Inputs
/// and outputs come from generators of their own (the same type may read
/// differently from how it is written); a name defined twice differently is
/// an error, never silently one of the two.
pub struct Components {
    input: SchemaGenerator,
    output: SchemaGenerator,
}

impl Default for Components {
    fn default() -> Self {
        Components {
            input: generator(Direction::Input, "/components/schemas"),
            output: generator(Direction::Output, "/components/schemas"),
        }
    }
}

impl Components {
    /// A reference to what `T` reads (a request body).
    pub fn input<T: JsonSchema>(&mut self) -> serde_json::Value {
        self.input.subschema_for::<T>().to_value()
    }

    /// A reference to what `T` writes (a response body).
    pub fn output<T: JsonSchema>(&mut self) -> serde_json::Value {
        self.output.subschema_for::<T>().to_value()
    }

    /// Every definition used, by name; an error names a type defined differently as an input and as an output.
    pub fn into_definitions(mut self) -> Result<serde_json::Map<String, serde_json::Value>, String> {
        let mut defs = self.input.take_definitions(true);
        for (name, schema) in self.output.take_definitions(true) {
            match defs.get(&name) {
                Some(other) if *other != schema => {
                    return Err(format!(
                        "`{name}` reads differently from how it is written; name them apart\nread: {other}\nwritten: {schema}"
                    ))
                }
                _ => {
                    defs.insert(name, schema);
                }
            }
        }
        Ok(defs)
    }
}
