//! One file per subcommand.

pub mod emulator;
pub mod fmt;
pub mod graph;
pub mod validate;
