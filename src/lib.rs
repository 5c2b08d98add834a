//! smpolicy: policy-as-code for social media in recruitment.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! source text ──parser──▶ ast (with spans) ──check──▶ diagnostics
//!                               │
//!                               └──lower──▶ policy (normalized rule core) ──eval──▶ verdict ──explain──▶ text/json
//! ```
//!
//! - [`source`]: source files and byte spans.
//! - [`parser`]: the pest grammar (`grammar/policy.pest`) to the [`ast`].
//! - [`check`]: names, types and lints over the AST; never stops at the first problem.
//! - [`lower`]: the sections (ownership, covenants, posting, ...) lowered into one rule core, [`policy`].
//! - [`data`]: actions, contracts and test files as callers send them (the public data contract).
//! - [`eval`]: decides an action or a contract against a normalized policy and explains the verdict.
//!
//! The library does no terminal IO and knows nothing of clap.
#![warn(missing_docs)]
#![cfg_attr(
    test,
    allow(
        clippy::indexing_slicing,
        clippy::string_slice,
        clippy::unreachable,
        reason = "unit tests assert by panicking; the library itself may not"
    )
)]

pub mod ast;
pub mod check;
pub mod compare;
pub mod compile;
pub mod counter;
pub mod data;
pub mod diagnostic;
pub mod diff;
pub mod eval;
pub mod facts;
pub mod fmt;
pub mod law;
pub mod lower;
pub mod markdown;
// pest_derive without its `std` feature names `alloc` in the code it generates.
extern crate alloc;

pub mod json_schemas;
pub mod parser;
pub mod plain;
pub mod policy;
pub mod records;
pub mod schema;
pub mod semantics;
#[cfg(feature = "server")]
pub mod serve;
pub mod source;
pub mod value;
pub mod versions;
pub mod work;
