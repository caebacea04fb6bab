//! Command-line arguments (clap derive structs only; no behaviour here).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Infrastructure as code for Scaleway, in Terraform's language.
#[derive(Debug, Parser)]
#[command(name = "scwform", version, about, propagate_version = true)]
pub struct Cli {
    /// Print fewer messages on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check that a configuration is valid, without reaching any API.
    Validate(ValidateArgs),
    /// Print the dependency graph of a configuration.
    Graph(GraphArgs),
    /// Rewrite `.tf` files in the canonical format (the same as `terraform fmt`).
    Fmt(FmtArgs),
    /// Run the local emulator of the Scaleway API.
    Emulator(EmulatorArgs),
}

/// Input variable options shared by commands that evaluate a configuration.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct VarArgs {
    /// Set a variable: `--var name=value` (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read variables from a `.tfvars` file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// The order in which `--var` and `--var-file` were given (filled from the parsed
    /// command line by `cli::main`; empty means files first, then `--var`s).
    #[arg(skip)]
    pub order: Vec<VarArgKind>,
}

/// Which kind of variable option came next on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarArgKind {
    /// A `--var`.
    Var,
    /// A `--var-file`.
    File,
}

/// `scwform validate`
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Print Terraform's `validate -json` document on stdout.
    #[arg(long)]
    pub json: bool,
    /// A `.tf` file or a directory of them (default: the current directory).
    pub path: Option<PathBuf>,
    /// Variables.
    #[command(flatten)]
    pub vars: VarArgs,
}

/// Graph output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum GraphFormat {
    /// Graphviz DOT.
    #[default]
    Dot,
    /// Mermaid flowchart.
    Mermaid,
}

/// `scwform graph`
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: GraphFormat,
    /// A `.tf` file or a directory of them (default: the current directory).
    pub path: Option<PathBuf>,
    /// Variables.
    #[command(flatten)]
    pub vars: VarArgs,
}

/// `scwform fmt`
#[derive(Debug, clap::Args)]
pub struct FmtArgs {
    /// Write nothing; list the files that need formatting and exit 3 if any does.
    #[arg(long)]
    pub check: bool,
    /// Print a unified diff of the changes.
    #[arg(long)]
    pub diff: bool,
    /// Also format `.tf` files in subdirectories.
    #[arg(long)]
    pub recursive: bool,
    /// Files or directories (default: the current directory); `-` reads stdin.
    pub paths: Vec<PathBuf>,
}

/// `scwform emulator`
#[derive(Debug, clap::Args)]
pub struct EmulatorArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub listen: String,
    /// The secret key clients must send (repeatable for several organizations is not supported;
    /// use the admin API to add keys).
    #[arg(long)]
    pub secret_key: Option<String>,
    /// The organization that key belongs to.
    #[arg(long)]
    pub organization_id: Option<String>,
    /// Load the store from this file at start and save it after every write.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// How long transient statuses (creating, updating, deleting...) last, in milliseconds.
    #[arg(long, default_value_t = 200)]
    pub settle_ms: u64,
    /// Added latency per request, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Fraction of requests answered with a 5xx error (0 to 1).
    #[arg(long, default_value_t = 0.0)]
    pub fault_rate: f64,
    /// Requests per second allowed per key before answering 429 (0 = unlimited).
    #[arg(long, default_value_t = 0)]
    pub rate_limit: u32,
    /// Seed of the fault generator.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}
