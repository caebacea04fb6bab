//! The single integration-test binary. One module per topic.

mod client;
mod common;
mod eval;
mod examples;
mod graph;
mod lower;
mod parse;
mod plan;
mod render;
mod settings;
mod validate;
