//! The single integration-test binary. One module per topic.

mod client;
mod common;
mod eval;
mod parse;
mod settings;
mod state;
