//! The one integration-test binary: each module tests one stage or command.

mod util;

mod cli;
mod docs;

mod check;
mod compare;
mod compile;
mod diff;
mod eval_props;
mod examples;
mod parse;
mod scenarios;
