//! The single integration-test binary. One module per topic.

mod client;
mod common;
mod parse;
mod settings;
