//! The OpenAPI 3.1 document served at `/openapi.json`. The paths are
//! written here; every request and response body is described by the JSON
//! Schema derived from the type the service reads or writes
//! ([`crate::json_schemas::Components`], the same derivation as
//! `smpolicy schema` and `docs/schemas/`), so an answer cannot drift from
//! the document. OpenAPI 3.1 takes draft 2020-12 schemas as they are.
//!
//! Every `/v1/` operation names the scope its bearer token needs
//! (`x-smpolicy-scope`) and answers 401 without a valid token, 403 without the
//! scope, 429 over the token's rate limit.

use super::answers;
use super::api::{ApproveReq, CompareReq, DecideReq, DiffReq, PerformedReq, RevokeReq, StandingReq, TermsReq};
use crate::json_schemas::Components;
use serde_json::json;

/// The document, or why the schemas do not fit together (a type that reads
/// differently from how it is written under one name).
pub fn document() -> Result<serde_json::Value, String> {
    let mut c = Components::default();
    let error_schema = c.output::<answers::ErrorBody<'static>>();
    let error = |description: &str| json!({"description": description, "content": {"application/json": {"schema": error_schema.clone()}}});
    let ok = |description: &str, schema: serde_json::Value| json!({"description": description, "content": {"application/json": {"schema": schema}}});
    let json_body =
        |schema: serde_json::Value| json!({"required": true, "content": {"application/json": {"schema": schema}}});
    let bad = error("The request is not what this endpoint takes: the error names the field");
    let unknown_policy = error("No such policy (the error suggests the nearest name)");
    let not_loaded = error("The policy does not load, and no earlier version did");
    let too_large = error("The request body is larger than `smpolicy serve --max-body`");
    let log_down = error("The audit log does not take a write: nothing was recorded");
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "smpolicy decision service",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Decide proposed social media actions against an agency's policy; every decision is recorded in a hash-chained audit log before it is answered. History counters, the time and approvals come from the service's own records and clock; the answer's `trusted` object says what was taken from the request and what was ignored. Every error has the `Error` body; so do 405 (a method an endpoint does not take) and 408 (a request slower than `smpolicy serve --timeout-ms`)."
        },
        "security": [{"bearer": []}],
        "paths": {
            "/v1/decide": {"post": {
                "summary": "Decide an action",
                "parameters": [{"name": "explain", "in": "query", "required": false,
                                "schema": {"type": "boolean", "default": true},
                                "description": "`false`: the compiled form decides and the answer is the short `smpolicy.decision/1`"},
                               {"name": "as_written", "in": "query", "required": false,
                                "schema": {"type": "boolean", "default": false},
                                "description": "`true`: the answer also carries `policy_as_written`, the verdict of the policy as written with no rule of law applied (not what binds the employee, and not logged); needs the full answer"}],
                "requestBody": json_body(c.input::<DecideReq>()),
                "responses": {
                    "200": ok("The verdict (`smpolicy.verdict/1`, as `smpolicy eval --format json`; with `?explain=false` the short `smpolicy.decision/1`) with `decision_id` and `trusted`, once recorded. A policy with earlier versions (`previous`) decides each action by the version that binds its actor (`binds at_contract`: the one in force at `actor.contract_signed_on` or `actor.contract_varied_on`), named in `version`; when none can be named the verdict is `indeterminate`, naming `actor.contract_signed_on` (`unbound` in the short answer)",
                              c.output::<answers::DecideAnswer<'static>>()),
                    "400": bad.clone(), "404": unknown_policy.clone(), "409": not_loaded.clone(), "413": too_large.clone(),
                    "422": error("`action.at` is further from the server's clock than the back-dating skew (a token with the `backdate` scope)"),
                    "503": log_down.clone()
                }
            }},
            "/v1/performed": {"post": {
                "summary": "Record that the action of an allowed (or approved) decision was carried out, once (feeds the derived `history` counters)",
                "requestBody": json_body(c.input::<PerformedReq>()),
                "responses": {
                    "201": ok("Recorded", c.output::<answers::Performed<'static>>()),
                    "400": bad.clone(), "404": error("No such decision was issued by this service"),
                    "409": error("The decision was denied, is not approved, or was already performed"),
                    "413": too_large.clone(), "422": error("`at` is further from the server's clock than the back-dating skew"),
                    "503": log_down.clone()
                }
            }},
            "/v1/approve": {"post": {
                "summary": "Approve a decision that required approval (the logged action is decided again with the approvals recorded for it and this one; recorded with `allow`, or with `require-approval` as a part of an `all of` still waiting for others; else refused)",
                "requestBody": json_body(c.input::<ApproveReq>()),
                "responses": {
                    "201": ok("Recorded", c.output::<answers::Approved<'static>>()),
                    "400": bad.clone(),
                    "403": error("The token that asked for the decision, or a role whose approval does not allow it"),
                    "404": error("No such decision was issued by this service"),
                    "409": error("The decision did not require approval, was already approved, or its policy is not loaded"),
                    "413": too_large.clone(), "503": log_down.clone()
                }
            }},
            "/v1/standing-approvals": {"post": {
                "summary": "Record a standing approval: a role's approval of an actor's actions, given today, until a day, for some channels or all. Every later decision of the actor takes it from the log while it lasts, until revoked; the answer's `trusted.standing_approvals` shows it",
                "requestBody": json_body(c.input::<StandingReq>()),
                "responses": {
                    "201": ok("Recorded", c.output::<answers::StandingRecorded<'static>>()),
                    "400": bad.clone(),
                    "403": error("The token does not hold the role (`roles` in the tokens file)"),
                    "409": error("The actor already has the most standing approvals on file (64)"),
                    "413": too_large.clone(), "422": error("`until` is before today"), "503": log_down.clone()
                }
            }},
            "/v1/standing-approvals/revoke": {"post": {
                "summary": "Revoke a standing approval, once: decisions after it no longer take it",
                "requestBody": json_body(c.input::<RevokeReq>()),
                "responses": {
                    "201": ok("Revoked", c.output::<answers::Revoked<'static>>()),
                    "400": bad.clone(),
                    "403": error("The token does not hold the approval's role"),
                    "404": error("No such standing approval was recorded by this service"),
                    "409": error("It was already revoked"),
                    "413": too_large.clone(), "503": log_down.clone()
                }
            }},
            "/v1/log": {"get": {
                "summary": "An actor's last entries in the audit log, oldest first (as `smpolicy log --format json`)",
                "parameters": [
                    {"name": "actor", "in": "query", "required": true, "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": super::api::MAX_LOG_ENTRIES, "default": 100}}
                ],
                "responses": {"200": ok("`smpolicy.log/1`", c.output::<answers::LogPage<'static>>()),
                              "400": bad.clone(), "503": log_down.clone()}
            }},
            "/v1/terms": {"post": {
                "summary": "Check employment terms clause by clause (as `smpolicy terms --format json`)",
                "requestBody": json_body(c.input::<TermsReq>()),
                "responses": {"200": ok("The terms report (`smpolicy.terms/1`)", c.output::<crate::eval::terms::TermsReport>()),
                              "400": bad.clone(), "404": unknown_policy.clone(), "409": not_loaded.clone(), "413": too_large.clone()}
            }},
            "/v1/compare": {"post": {
                "summary": "Compare employers' policies for a candidate (as `smpolicy compare --format json`, with the shipped scenario pack)",
                "requestBody": json_body(c.input::<CompareReq>()),
                "responses": {"200": ok("The comparison (`smpolicy.compare/1`)", c.output::<crate::compare::Comparison>()),
                              "400": bad.clone(), "404": unknown_policy.clone(), "409": not_loaded.clone(), "413": too_large.clone(),
                              "422": error("More than 8 policies, or the comparison did not finish within the compute budget (`--budget-ms`) and was stopped")}
            }},
            "/v1/diff": {"post": {
                "summary": "What changes between two versions of a policy, with a witness action for each (as `smpolicy diff --format json`)",
                "requestBody": json_body(c.input::<DiffReq>()),
                "responses": {"200": ok("The diff report (`smpolicy.diff/1`)", c.output::<crate::diff::DiffReport>()),
                              "400": bad.clone(), "404": unknown_policy.clone(), "409": not_loaded.clone(), "413": too_large.clone(),
                              "422": error("The diff did not finish within the compute budget (`--budget-ms`) and was stopped")}
            }},
            "/v1/policies": {"get": {
                "summary": "The loaded policies, with content hashes and load errors; a policy served with its earlier versions lists them (`versions`) and how they bind (`binds`)",
                "responses": {"200": ok("`smpolicy.policies/1`", c.output::<answers::Policies<'static>>())}
            }},
            "/healthz": {"get": {"summary": "Readiness: whether the audit log takes a write now (no token needed)", "security": [],
                                 "responses": {"200": ok("Ready", c.output::<answers::Health<'static>>()),
                                               "503": ok("Not ready, with the reason in `log`", c.output::<answers::Health<'static>>())}}},
            "/openapi.json": {"get": {"summary": "This document", "security": [],
                                      "responses": {"200": ok("OpenAPI 3.1", json!({"type": "object", "required": ["openapi", "paths", "components"]}))}}}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                "description": "A token listed by its SHA-256 in the server's tokens file (`smpolicy serve --tokens`); without a tokens file the server is open on loopback only"}},
            "schemas": {}
        }
    });
    let definitions = c.into_definitions()?;
    if let Some(schemas) = doc.pointer_mut("/components/schemas") {
        *schemas = serde_json::Value::Object(definitions);
    }
    // The scope each operation needs; the errors every operation can answer.
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for (path, item) in paths.iter_mut() {
            let endpoint = super::auth::Endpoint::of_path(path);
            let scope = endpoint.map(|e| e.scope);
            for op in item.as_object_mut().into_iter().flat_map(|ops| ops.values_mut()) {
                let Some(op) = op.as_object_mut() else { continue };
                if let Some(e) = endpoint {
                    op.insert("x-smpolicy-scope".into(), e.scope.as_str().into());
                    op.insert("x-smpolicy-cost".into(), e.cost.into());
                }
                let Some(r) = op.get_mut("responses").and_then(|r| r.as_object_mut()) else { continue };
                if let Some(scope) = scope {
                    r.entry("401").or_insert(error("No valid bearer token"));
                    r.entry("403").or_insert(error(&format!("The token lacks the `{}` scope", scope.as_str())));
                    let mut too_many = error(
                        "The token is over its rate limit (per token in the tokens file, or `serve --rate-limit`); nothing was done or logged",
                    );
                    if let Some(o) = too_many.as_object_mut() {
                        o.insert(
                            "headers".into(),
                            json!({"Retry-After": {"description": "Seconds until the token may ask again", "schema": {"type": "integer", "minimum": 1}}}),
                        );
                    }
                    r.entry("429").or_insert(too_many);
                }
                r.entry("405").or_insert(error(
                    "The endpoint does not take this method (the `Allow` header lists those it takes)",
                ));
                r.entry("408").or_insert(error("The request took longer than `smpolicy serve --timeout-ms`"));
            }
        }
    }
    Ok(doc)
}
