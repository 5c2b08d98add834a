//! The one integration-test binary: each module tests one stage or command.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    clippy::unreachable,
    reason = "tests assert by panicking, and their helpers too"
)]

mod util;

mod cli;
mod cli_edges;
mod docs;

mod allow_counterfactuals;
mod check;
mod compare;
mod compare_names;
mod compare_silent;
mod compile;
mod diff;
mod diff_budget;
mod eval_props;
mod examples;
mod explain_props;
mod explain_scenarios;
#[cfg(feature = "server")]
mod fuzz_parsers;
mod lang_approvals;
mod lang_counters;
mod lang_events;
mod lang_items;
mod lang_ownership_content;
mod lang_precedence;
mod lang_text;
mod lang_time;
mod lang_v2;
mod lang_versions;
mod law;
mod law_enforceability;
mod load_lints;
mod markdown_escape;
mod missing_facts;
#[cfg(feature = "server")]
mod openapi_rules;
#[cfg(feature = "server")]
mod pages;
#[cfg(feature = "server")]
mod pages_groups;
#[cfg(feature = "server")]
mod pages_kept;
#[cfg(feature = "server")]
mod pages_print;
#[cfg(feature = "server")]
mod pages_upload;
mod parse;
mod precedence_props;
mod progress;
mod readme_features;
mod scenarios;
mod schemas;
mod semantics;
#[cfg(feature = "server")]
mod serve;
#[cfg(feature = "server")]
mod serve_as_written;
#[cfg(feature = "server")]
mod serve_checkpoints;
#[cfg(feature = "server")]
mod serve_log;
#[cfg(feature = "server")]
mod serve_rate_cost;
#[cfg(feature = "server")]
mod serve_standing;
#[cfg(feature = "server")]
mod serve_trust;
#[cfg(feature = "server")]
mod serve_versions;
mod suite_runner;
