//! The OpenAPI 3.1 document served at `/openapi.json`, written by hand: the
//! verdict, terms and compare bodies are the CLI's documented JSON shapes and
//! are described by reference to them rather than repeated.
//!
//! Every `/v1/` operation names the scope its bearer token needs
//! (`x-smpolicy-scope`) and answers 401 without a valid token, 403 without the
//! scope, 429 over the token's rate limit.

/// The document.
pub fn document() -> serde_json::Value {
    let error = serde_json::json!({
        "description": "An error naming the field",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    });
    let json_body = |schema: serde_json::Value| serde_json::json!({"required": true, "content": {"application/json": {"schema": schema}}});
    let mut doc = serde_json::json!({
        "openapi": "3.1.0",
        "info": {
            "title": "smpolicy decision service",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Decide proposed social media actions against an agency's policy; every decision is recorded in a hash-chained audit log before it is answered. History counters, the time and approvals come from the service's own records and clock; the answer's `trusted` object says what was taken from the request and what was ignored."
        },
        "security": [{"bearer": []}],
        "paths": {
            "/v1/decide": {"post": {
                "summary": "Decide an action",
                "requestBody": json_body(serde_json::json!({
                    "type": "object", "required": ["policy", "action"], "additionalProperties": false,
                    "properties": {
                        "policy": {"type": "string", "description": "A policy file's stem in the policy directory"},
                        "action": {"$ref": "#/components/schemas/Action"}
                    }
                })),
                "responses": {
                    "200": {"description": "The verdict (smpolicy.verdict/1, as `smpolicy eval --format json`) with `decision_id` and `trusted`, once recorded",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Verdict"}}}},
                    "400": error.clone(), "404": error.clone(), "409": error.clone(), "413": error.clone(),
                    "422": {"description": "`action.at` is further from the server's clock than the back-dating skew (a token with the `backdate` scope)", "content": error.get("content").cloned().unwrap_or_default()},
                    "503": error.clone()
                }
            }},
            "/v1/performed": {"post": {
                "summary": "Record that the action of an allowed (or approved) decision was carried out, once (feeds the derived `history` counters)",
                "requestBody": json_body(serde_json::json!({
                    "type": "object", "required": ["decision_id"], "additionalProperties": false,
                    "properties": {
                        "decision_id": {"type": "string", "description": "A decision this service issued, `allow` or approved, not yet performed; the action recorded is the one decided"},
                        "at": {"type": "string", "format": "date-time", "description": "When it was carried out; taken only from a token with the `backdate` scope, within the skew (else the server's clock)"}
                    }
                })),
                "responses": {
                    "201": {"description": "Recorded", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {"id": {"type": "string"}, "decision_id": {"type": "string"}, "actor": {"type": "string"}, "action": {"type": "string"}, "at": {"type": "string"}, "trusted": {"type": "object"}}
                    }}}},
                    "400": error.clone(), "404": {"description": "No such decision was issued by this service", "content": error.get("content").cloned().unwrap_or_default()},
                    "409": {"description": "The decision was denied, is not approved, or was already performed", "content": error.get("content").cloned().unwrap_or_default()},
                    "413": error.clone(), "422": error.clone(), "503": error.clone()
                }
            }},
            "/v1/approve": {"post": {
                "summary": "Approve a decision that required approval (the logged action is decided again with `approval.granted_by` = role; recorded only if that allows)",
                "requestBody": json_body(serde_json::json!({
                    "type": "object", "required": ["decision_id", "role"], "additionalProperties": false,
                    "properties": {
                        "decision_id": {"type": "string"},
                        "role": {"type": "string", "description": "The approving role, one of the decision's approvers"}
                    }
                })),
                "responses": {
                    "201": {"description": "Recorded", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {"id": {"type": "string"}, "decision_id": {"type": "string"}, "verdict": {"const": "allow"}, "granted_by": {"type": "string"}, "caller": {"type": "string"}}
                    }}}},
                    "400": error.clone(),
                    "403": {"description": "The token that asked for the decision, or a role whose approval does not allow it", "content": error.get("content").cloned().unwrap_or_default()},
                    "404": error.clone(), "409": error.clone(), "503": error.clone()
                }
            }},
            "/v1/log": {"get": {
                "summary": "An actor's last entries in the audit log, oldest first (as `smpolicy log --format json`)",
                "parameters": [
                    {"name": "actor", "in": "query", "required": true, "schema": {"type": "string"}},
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": super::api::MAX_LOG_ENTRIES, "default": 100}}
                ],
                "responses": {"200": {"description": "smpolicy.log/1", "content": {"application/json": {"schema": {"type": "object"}}}},
                              "400": error.clone(), "503": error.clone()}
            }},
            "/v1/terms": {"post": {
                "summary": "Check employment terms clause by clause (as `smpolicy terms --format json`)",
                "requestBody": json_body(serde_json::json!({
                    "type": "object", "required": ["policy", "contract"], "additionalProperties": false,
                    "properties": {"policy": {"type": "string"}, "contract": {"type": "object", "description": "Employment terms (data model: a contract or an offer)"}}
                })),
                "responses": {"200": {"description": "The terms report", "content": {"application/json": {"schema": {"type": "object"}}}},
                              "400": error.clone(), "404": error.clone(), "413": error.clone()}
            }},
            "/v1/compare": {"post": {
                "summary": "Compare employers' policies for a candidate (as `smpolicy compare --format json`, smpolicy.compare/1)",
                "requestBody": json_body(serde_json::json!({
                    "type": "object", "required": ["policies"], "additionalProperties": false,
                    "properties": {
                        "policies": {"type": "array", "items": {"type": "string"}},
                        "against": {"type": "string", "description": "A policy with a `terms` section: the candidate's deal-breakers"},
                        "jurisdiction": {"type": "string", "examples": ["UK", "US-CA"]},
                        "now": {"type": "string", "format": "date-time"}
                    }
                })),
                "responses": {"200": {"description": "The comparison", "content": {"application/json": {"schema": {"type": "object"}}}},
                              "400": error.clone(), "404": error.clone(), "413": error.clone(),
                              "422": {"description": "More than 8 policies, or the comparison did not finish within the compute budget (`--budget-ms`) and was stopped", "content": error.get("content").cloned().unwrap_or_default()}}
            }},
            "/v1/diff": {"post": {
                "summary": "What changes between two versions of a policy, with a witness action for each (as `smpolicy diff --format json`)",
                "requestBody": json_body(serde_json::json!({
                    "type": "object", "required": ["old", "new"], "additionalProperties": false,
                    "properties": {
                        "old": {"$ref": "#/components/schemas/PolicyRef"},
                        "new": {"$ref": "#/components/schemas/PolicyRef"},
                        "now": {"type": "string", "format": "date-time"}
                    }
                })),
                "responses": {"200": {"description": "The diff report", "content": {"application/json": {"schema": {"type": "object"}}}},
                              "400": error.clone(), "404": error.clone(), "413": error.clone(),
                              "422": {"description": "The diff did not finish within the compute budget (`--budget-ms`) and was stopped", "content": error.get("content").cloned().unwrap_or_default()}}
            }},
            "/v1/policies": {"get": {
                "summary": "The loaded policies, with content hashes and load errors",
                "responses": {"200": {"description": "smpolicy.policies/1", "content": {"application/json": {"schema": {"type": "object"}}}}}
            }},
            "/healthz": {"get": {"summary": "Readiness: whether the audit log takes a write now (no token needed)", "security": [],
                                 "responses": {"200": {"description": "ok"}, "503": {"description": "not-ready, with the reason in `log`"}}}},
            "/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OpenAPI 3.1"}}}}
        },
        "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
            "description": "A token listed by its SHA-256 in the server's tokens file (`smpolicy serve --tokens`); without a tokens file the server is open on loopback only"}},
        "schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["status", "path", "message"],
                "properties": {
                    "status": {"type": "integer"},
                    "path": {"type": "string", "description": "The offending field, e.g. `action.actor.role`; empty for the whole body"},
                    "message": {"type": "string"},
                    "help": {"type": ["string", "null"]}
                }
            }}},
            "PolicyRef": {"oneOf": [
                {"type": "string", "description": "A loaded policy's name"},
                {"type": "object", "required": ["source"], "properties": {"source": {"type": "string", "description": "A policy's text"}}}
            ]},
            "Action": {"type": "object", "required": ["action", "actor"],
                       "description": "A proposed action, as in the data model (docs: a proposed action). Without `history`, the service derives the counters from recorded actions."},
            "Verdict": {"type": "object", "required": ["decision_id", "schema", "verdict"],
                        "properties": {
                            "decision_id": {"type": "string", "description": "Unique, sortable by time; the key of the audit log entry"},
                            "trusted": {"type": "object", "description": "What the decision rests on",
                                        "properties": {
                                            "caller": {"type": "string", "description": "The token's name"},
                                            "actor_id": {"type": "string", "description": "`actor.id` trimmed and lowercased"},
                                            "at": {"type": "string", "format": "date-time"},
                                            "at_from": {"enum": ["server-clock", "request"]},
                                            "history": {"type": "object", "description": "The counters derived from the service's records"},
                                            "history_from": {"const": "log"},
                                            "ignored": {"type": "array", "items": {"enum": ["at", "history", "approval"]}, "description": "Fields of the request the service did not take"}
                                        }},
                            "schema": {"const": "smpolicy.verdict/1"},
                            "verdict": {"enum": ["allow", "require-approval", "deny", "indeterminate"]},
                            "deciding": {"type": "array", "items": {"type": "string"}}
                        }}
        }}
    });
    // The scope each operation needs.
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for (path, item) in paths.iter_mut() {
            let scope = super::auth::Scope::for_path(path);
            if let Some(ops) = item.as_object_mut() {
                for op in ops.values_mut().filter_map(|o| o.as_object_mut()) {
                    if let Some(scope) = scope {
                        op.insert("x-smpolicy-scope".into(), scope.as_str().into());
                        if let Some(r) = op.get_mut("responses").and_then(|r| r.as_object_mut()) {
                            r.entry("401").or_insert(serde_json::json!({"description": "No valid bearer token", "content": error.get("content").cloned().unwrap_or_default()}));
                            r.entry("403").or_insert(serde_json::json!({"description": format!("The token lacks the `{}` scope", scope.as_str()), "content": error.get("content").cloned().unwrap_or_default()}));
                            r.entry("429").or_insert(serde_json::json!({"description": "The token is over its rate limit (per token in the tokens file, or `serve --rate-limit`); nothing was done or logged", "headers": {"Retry-After": {"description": "Seconds until the token may ask again", "schema": {"type": "integer", "minimum": 1}}}, "content": error.get("content").cloned().unwrap_or_default()}));
                        }
                    }
                }
            }
        }
    }
    doc
}
