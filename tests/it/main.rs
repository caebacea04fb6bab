//! The single integration-test binary. One module per topic.

mod backends;
mod ci;
mod cli;
mod client;
mod common;
mod e2e;
mod emulator;
mod emulator_conformance;
mod emulator_faults;
mod eval;
mod examples;
mod fmt;
mod fmt_props;
mod graph;
mod interop;
mod lower;
mod parse;
mod pg;
mod plan;
mod render;
mod resources;
mod saved;
mod settings;
mod state;
mod team;
mod validate;
