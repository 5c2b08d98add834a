//! `/openapi.json` is a well-formed OpenAPI 3.1 document, not only a JSON
//! file whose schemas fit real answers (`schemas::openapi_conformance`). The
//! object rules below are the specification's (OpenAPI 3.1.0, sections 4.8.1
//! to 4.8.14: the fields each object may and must have, the status-code keys,
//! path parameters required, security requirements naming declared schemes),
//! written out here; every schema in it must compile as a draft 2020-12
//! schema (boon checks each against the draft's meta-schema), and every
//! `$ref` must resolve. No copy of the published meta-schema is needed: there
//! is no network here, and its rules are short.

use crate::schemas::Validator;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// A problem, with the JSON pointer where it is.
type Problems = Vec<String>;

/// The fields an object may have (`x-` extensions always may) and must have.
fn fields(at: &str, v: &Value, allowed: &[&str], required: &[&str], out: &mut Problems) -> Map<String, Value> {
    let Some(o) = v.as_object() else {
        out.push(format!("{at}: expected an object"));
        return Map::new();
    };
    for k in o.keys() {
        if !allowed.contains(&k.as_str()) && !k.starts_with("x-") {
            out.push(format!("{at}: `{k}` is not a field of this object"));
        }
    }
    for r in required {
        if !o.contains_key(*r) {
            out.push(format!("{at}: `{r}` is required"));
        }
    }
    o.clone()
}

fn string(at: &str, v: Option<&Value>, out: &mut Problems) {
    if let Some(v) = v {
        if !v.is_string() {
            out.push(format!("{at}: expected a string"));
        }
    }
}

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn status_key(k: &str) -> bool {
    k == "default"
        || (k.len() == 3
            && matches!(k.as_bytes().first(), Some(b'1'..=b'5'))
            && (k[1..].bytes().all(|b| b.is_ascii_digit()) || &k[1..] == "XX"))
}

fn media(at: &str, content: &Value, schemas: &mut Vec<(String, Value)>, out: &mut Problems) {
    let Some(types) = content.as_object() else {
        out.push(format!("{at}: expected a map of media types"));
        return;
    };
    if types.is_empty() {
        out.push(format!("{at}: no media type"));
    }
    for (mt, m) in types {
        let at = format!("{at}/{}", mt.replace('~', "~0").replace('/', "~1"));
        let m = fields(&at, m, &["schema", "example", "examples", "encoding"], &[], out);
        if let Some(s) = m.get("schema") {
            schemas.push((format!("{at}/schema"), s.clone()));
        }
    }
}

fn parameter(at: &str, p: &Value, out: &mut Problems) {
    let allowed = [
        "name",
        "in",
        "description",
        "required",
        "deprecated",
        "allowEmptyValue",
        "style",
        "explode",
        "allowReserved",
        "schema",
        "example",
        "examples",
        "content",
    ];
    let p = fields(at, p, &allowed, &["name", "in"], out);
    string(&format!("{at}/name"), p.get("name"), out);
    match p.get("in").and_then(Value::as_str) {
        Some("path") if p.get("required") != Some(&Value::Bool(true)) => {
            out.push(format!("{at}: a path parameter must be `required: true`"))
        }
        Some("path" | "query" | "header" | "cookie") => {}
        other => out.push(format!("{at}: `in` is {other:?}, not path, query, header or cookie")),
    }
    if p.contains_key("schema") == p.contains_key("content") {
        out.push(format!("{at}: exactly one of `schema` and `content`"));
    }
}

/// Every problem the document has against the rules of OpenAPI 3.1, and the schemas it holds (pointer, schema).
fn problems(doc: &Value) -> (Problems, Vec<(String, Value)>) {
    let mut out = Problems::new();
    let mut schemas = Vec::new();
    let top = [
        "openapi",
        "info",
        "jsonSchemaDialect",
        "servers",
        "paths",
        "webhooks",
        "components",
        "security",
        "tags",
        "externalDocs",
    ];
    let d = fields("", doc, &top, &["openapi", "info"], &mut out);
    if !["paths", "components", "webhooks"].iter().any(|k| d.contains_key(*k)) {
        out.push("one of `paths`, `components`, `webhooks` is required".into());
    }
    let version = d.get("openapi").and_then(Value::as_str).unwrap_or_default();
    let parts: Vec<&str> = version.splitn(3, '.').collect();
    if parts.len() != 3 || parts[0] != "3" || parts[1] != "1" || !parts[2].bytes().all(|b| b.is_ascii_digit()) {
        out.push(format!("/openapi: `{version}` is not a 3.1.x version"));
    }
    let info = fields(
        "/info",
        d.get("info").unwrap_or(&Value::Null),
        &["title", "summary", "description", "termsOfService", "contact", "license", "version"],
        &["title", "version"],
        &mut out,
    );
    string("/info/title", info.get("title"), &mut out);
    string("/info/version", info.get("version"), &mut out);
    // Components, and the security schemes that requirements must name.
    let comps = d.get("components").cloned().unwrap_or(Value::Object(Map::new()));
    let kinds = [
        "schemas",
        "responses",
        "parameters",
        "examples",
        "requestBodies",
        "headers",
        "securitySchemes",
        "links",
        "callbacks",
        "pathItems",
    ];
    let comps = fields("/components", &comps, &kinds, &[], &mut out);
    for (kind, entries) in &comps {
        for name in entries.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
            if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
                out.push(format!("/components/{kind}/{name}: a component name is letters, digits and `._-`"));
            }
        }
    }
    if let Some(s) = comps.get("schemas").and_then(Value::as_object) {
        schemas.extend(s.iter().map(|(k, v)| (format!("/components/schemas/{k}"), v.clone())));
    }
    let schemes: BTreeSet<String> = comps
        .get("securitySchemes")
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    for (name, s) in comps.get("securitySchemes").and_then(Value::as_object).into_iter().flatten() {
        let at = format!("/components/securitySchemes/{name}");
        let s = fields(
            &at,
            s,
            &["type", "description", "name", "in", "scheme", "bearerFormat", "flows", "openIdConnectUrl"],
            &["type"],
            &mut out,
        );
        match s.get("type").and_then(Value::as_str) {
            Some("http") if !s.contains_key("scheme") => out.push(format!("{at}: an http scheme needs `scheme`")),
            Some("apiKey" | "http" | "mutualTLS" | "oauth2" | "openIdConnect") => {}
            other => out.push(format!("{at}: unknown type {other:?}")),
        }
    }
    let requirement = |at: &str, r: &Value, out: &mut Problems| {
        for req in r.as_array().into_iter().flatten() {
            for name in req.as_object().into_iter().flat_map(|o| o.keys()) {
                if !schemes.contains(name) {
                    out.push(format!("{at}: security requirement `{name}` names no declared scheme"));
                }
            }
        }
    };
    if let Some(r) = d.get("security") {
        requirement("/security", r, &mut out);
    }
    // Paths, operations, parameters, bodies and responses.
    let mut operation_ids = BTreeSet::new();
    for (path, item) in d.get("paths").and_then(Value::as_object).into_iter().flatten() {
        let at = format!("/paths/{}", path.replace('~', "~0").replace('/', "~1"));
        if !path.starts_with('/') {
            out.push(format!("{at}: a path starts with `/`"));
        }
        let mut allowed = vec!["$ref", "summary", "description", "servers", "parameters"];
        allowed.extend(METHODS);
        let item = fields(&at, item, &allowed, &[], &mut out);
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let at = format!("{at}/{method}");
            let op = fields(
                &at,
                op,
                &[
                    "tags",
                    "summary",
                    "description",
                    "externalDocs",
                    "operationId",
                    "parameters",
                    "requestBody",
                    "responses",
                    "callbacks",
                    "deprecated",
                    "security",
                    "servers",
                ],
                &["responses"],
                &mut out,
            );
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                if !operation_ids.insert(id.to_string()) {
                    out.push(format!("{at}: operationId `{id}` is used twice"));
                }
            }
            for (i, p) in op.get("parameters").and_then(Value::as_array).into_iter().flatten().enumerate() {
                parameter(&format!("{at}/parameters/{i}"), p, &mut out);
            }
            // Every `{name}` in the path is a path parameter of the operation.
            for name in path.split('{').skip(1).filter_map(|s| s.split_once('}').map(|(n, _)| n)) {
                let declared = op.get("parameters").and_then(Value::as_array).into_iter().flatten().any(|p| {
                    p.get("in").and_then(Value::as_str) == Some("path")
                        && p.get("name").and_then(Value::as_str) == Some(name)
                });
                if !declared {
                    out.push(format!("{at}: path parameter `{name}` is not declared"));
                }
            }
            if let Some(b) = op.get("requestBody") {
                let b = fields(
                    &format!("{at}/requestBody"),
                    b,
                    &["description", "content", "required"],
                    &["content"],
                    &mut out,
                );
                media(
                    &format!("{at}/requestBody/content"),
                    b.get("content").unwrap_or(&Value::Null),
                    &mut schemas,
                    &mut out,
                );
            }
            if let Some(r) = op.get("security") {
                requirement(&format!("{at}/security"), r, &mut out);
            }
            let responses = op.get("responses").and_then(Value::as_object).cloned().unwrap_or_default();
            if responses.is_empty() {
                out.push(format!("{at}/responses: at least one response"));
            }
            for (status, r) in &responses {
                let at = format!("{at}/responses/{status}");
                if !status_key(status) {
                    out.push(format!("{at}: `{status}` is not a status code, a range like 4XX or `default`"));
                }
                let r = fields(&at, r, &["description", "headers", "content", "links"], &["description"], &mut out);
                string(&format!("{at}/description"), r.get("description"), &mut out);
                if let Some(c) = r.get("content") {
                    media(&format!("{at}/content"), c, &mut schemas, &mut out);
                }
            }
        }
    }
    (out, schemas)
}

/// Every `$ref` in `v`, with where it stands.
fn refs(at: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.push((at.to_string(), r.clone())),
                    _ => refs(&format!("{at}/{k}"), x, out),
                }
            }
        }
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| refs(&format!("{at}/{i}"), x, out)),
        _ => {}
    }
}

fn document() -> Value {
    smpolicy::serve::openapi::document().unwrap()
}

#[test]
fn the_openapi_document_follows_the_openapi_3_1_rules() {
    let doc = document();
    let (problems, schemas) = problems(&doc);
    assert!(problems.is_empty(), "/openapi.json breaks OpenAPI 3.1:\n{}", problems.join("\n"));
    assert!(schemas.len() > 40, "too few schemas reached: {}", schemas.len());
    // Every reference resolves inside the document.
    let mut rs = Vec::new();
    refs("", &doc, &mut rs);
    assert!(!rs.is_empty());
    for (at, r) in &rs {
        let target = r.strip_prefix('#').and_then(|p| doc.pointer(p));
        assert!(target.is_some(), "{at}: `$ref` {r} resolves to nothing");
    }
    // Every schema is a draft 2020-12 schema: boon validates it against the draft's meta-schema as it compiles.
    let mut v = Validator::new();
    v.add("file:///openapi.json", doc.clone());
    for (at, _) in &schemas {
        v.compile(&format!("file:///openapi.json#{at}"));
    }
}

/// The rules find what they are for: each broken document is caught.
#[test]
fn the_rules_catch_broken_documents() {
    type Break = fn(&mut Value);
    let broken: [(&str, Break); 7] = [
        ("a 3.0 version", |d| d["openapi"] = "3.0.3".into()),
        ("a response without description", |d| {
            d["paths"]["/v1/decide"]["post"]["responses"]["200"].as_object_mut().unwrap().remove("description");
        }),
        ("a status that is not one", |d| {
            let r = d["paths"]["/v1/decide"]["post"]["responses"]["200"].clone();
            d["paths"]["/v1/decide"]["post"]["responses"]["2000"] = r;
        }),
        ("an unknown operation field", |d| d["paths"]["/v1/decide"]["post"]["returns"] = "verdict".into()),
        ("a parameter without `in`", |d| {
            d["paths"]["/v1/decide"]["post"]["parameters"][0].as_object_mut().unwrap().remove("in");
        }),
        ("a path parameter not declared", |d| {
            let item = d["paths"]["/v1/decide"].clone();
            d["paths"]["/v1/decide/{id}"] = item;
        }),
        ("a requirement naming no scheme", |d| d["security"] = serde_json::json!([{"basic": []}])),
    ];
    for (what, breaks) in broken {
        let mut doc = document();
        breaks(&mut doc);
        assert!(!problems(&doc).0.is_empty(), "{what} was not caught");
    }
    // A schema that is not a draft 2020-12 schema does not compile.
    let mut doc = document();
    doc["components"]["schemas"]["Verdict"]["type"] = 5.into();
    let caught = std::panic::catch_unwind(move || {
        let mut v = Validator::new();
        v.add("file:///openapi.json", doc);
        v.compile("file:///openapi.json#/components/schemas/Verdict");
    });
    assert!(caught.is_err(), "a schema with `type: 5` compiled");
}
