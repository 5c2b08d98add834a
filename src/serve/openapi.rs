//! The OpenAPI 3.1 document served at `/openapi.json`, written by hand: the
//! verdict, terms and compare bodies are the CLI's documented JSON shapes and
//! are described by reference to them rather than repeated.

/// The document.
pub fn document() -> serde_json::Value {
    let error = serde_json::json!({
        "description": "An error naming the field",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    });
    let json_body = |schema: serde_json::Value| serde_json::json!({"required": true, "content": {"application/json": {"schema": schema}}});
    serde_json::json!({
        "openapi": "3.1.0",
        "info": {
            "title": "smpolicy decision service",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Decide proposed social media actions against an agency's policy; every decision is recorded in an audit log before it is answered."
        },
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
                    "200": {"description": "The verdict (smpolicy.verdict/1, as `smpolicy eval --format json`) with `decision_id`, once recorded",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Verdict"}}}},
                    "400": error.clone(), "404": error.clone(), "409": error.clone(), "413": error.clone(), "503": error.clone()
                }
            }},
            "/v1/performed": {"post": {
                "summary": "Record that an allowed action was carried out (feeds the derived `history` counters)",
                "requestBody": json_body(serde_json::json!({
                    "type": "object", "required": ["action"], "additionalProperties": false,
                    "properties": {
                        "action": {"$ref": "#/components/schemas/Action"},
                        "policy": {"type": "string", "description": "Checks the action against this policy and reads a date-only `at` in its timezone"},
                        "decision_id": {"type": "string", "description": "The decision this carries out"}
                    }
                })),
                "responses": {
                    "201": {"description": "Recorded", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {"id": {"type": "string"}, "actor": {"type": "string"}, "action": {"type": "string"}, "at": {"type": "string"}}
                    }}}},
                    "400": error.clone(), "404": error.clone(), "413": error.clone(), "503": error.clone()
                }
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
                              "400": error.clone(), "404": error.clone(), "413": error.clone()}
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
                              "400": error.clone(), "404": error.clone(), "413": error.clone()}
            }},
            "/v1/policies": {"get": {
                "summary": "The loaded policies, with content hashes and load errors",
                "responses": {"200": {"description": "smpolicy.policies/1", "content": {"application/json": {"schema": {"type": "object"}}}}}
            }},
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": {"description": "ok"}}}},
            "/openapi.json": {"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}}
        },
        "components": {"schemas": {
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
                            "schema": {"const": "smpolicy.verdict/1"},
                            "verdict": {"enum": ["allow", "require-approval", "deny", "indeterminate"]},
                            "deciding": {"type": "array", "items": {"type": "string"}}
                        }}
        }}
    })
}
