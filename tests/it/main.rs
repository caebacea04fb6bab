//! The single integration-test binary. One module per topic.

mod common;
mod fmt;
mod fmt_props;
mod parse;
