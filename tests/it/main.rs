//! The single integration-test binary. One module per topic.

mod common;
mod emulator;
mod emulator_conformance;
mod emulator_faults;
