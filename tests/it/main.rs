//! The single integration-test binary. One module per topic.

mod common;
mod eval;
mod examples;
mod graph;
mod lower;
mod parse;
mod validate;
