//! Command-line arguments (clap derive structs only; no behaviour here).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// API operations at once unless `-parallelism` says otherwise (Terraform's default).
pub const DEFAULT_PARALLELISM: u32 = 10;

/// Infrastructure as code for Scaleway, in Terraform's language.
#[derive(Debug, Parser)]
#[command(name = "scwform", version, about, propagate_version = true)]
pub struct Cli {
    /// Print fewer messages on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Switch to this directory before doing anything else (Terraform's global `-chdir=DIR`).
    #[arg(long, value_name = "DIR", global = true)]
    pub chdir: Option<PathBuf>,
    /// Print no colour codes (also when `NO_COLOR` is set).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Print warnings as one line each (their summaries), unless there are errors too.
    #[arg(long, global = true)]
    pub compact_warnings: bool,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up the configuration's backend, and copy the states when it changed.
    Init(InitArgs),
    /// Check that a configuration is valid, without reaching any API.
    Validate(ValidateArgs),
    /// Print the dependency graph of a configuration.
    Graph(GraphArgs),
    /// Rewrite `.tf` files in the canonical format (the same as `terraform fmt`).
    Fmt(FmtArgs),
    /// Run the local emulator of the Scaleway API.
    Emulator(EmulatorArgs),
    /// Show what would change to make the real objects match the configuration.
    Plan(PlanArgs),
    /// Make the real objects match the configuration.
    Apply(ApplyArgs),
    /// Show what changed outside scwform since the last apply, without writing anything:
    /// exit 0 when nothing did, 2 when something did, 1 on errors.
    Drift(DriftArgs),
    /// Delete every object the state records.
    Destroy(DestroyArgs),
    /// Show the root module's output values.
    Output(OutputArgs),
    /// Bring an existing object under management: read it and record it in the state at an
    /// address the configuration declares.
    Import(ImportArgs),
    /// Inspect and edit the state.
    #[command(subcommand)]
    State(StateCommand),
    /// Show the state, or a saved plan, for people or as Terraform's JSON.
    Show(ShowArgs),
    /// Manage workspaces: several states for one configuration.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// Release the state lock held by a run that cannot release it (its ID from the error).
    ForceUnlock(ForceUnlockArgs),
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
    /// How many requests a key may send at once before `--rate-limit` applies (0 = as many as
    /// the rate: one second's worth).
    #[arg(long, default_value_t = 0)]
    pub rate_burst: u32,
    /// Seed of the fault generator.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// Plan output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum PlanFormat {
    /// Terraform's human layout.
    #[default]
    Text,
    /// Terraform's JSON plan (`format_version` 1.2).
    Json,
    /// A Markdown summary for pull-request review.
    Markdown,
}

/// Where the state is and how to reach the API: shared by every command that reads state.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct StateArgs {
    /// The state file (default: `scwform.tfstate` in the configuration directory, or
    /// `.scwform/sandbox.tfstate` with `--sandbox`).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Use the local emulator (its store kept in `.scwform/sandbox.json` beside the
    /// configuration) instead of the real Scaleway API.
    #[arg(long)]
    pub sandbox: bool,
    /// How long to wait for the state lock held by another run (e.g. `30s`, `2m`; default 0:
    /// fail at once).
    #[arg(long, value_name = "DURATION", default_value = "0s")]
    pub lock_timeout: String,
    /// Take the state lock (`--lock=false` does not: only safe when nothing else can run).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL",
          num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub lock: bool,
}

/// Options shared by `plan`, `apply` and `destroy`.
// Each bool is one of Terraform's independent on/off flags.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RunArgs {
    /// A `.tf` file or a directory of them (default: the current directory).
    pub path: Option<PathBuf>,
    /// The configuration directory, as `output` and `state` take it (instead of `PATH`).
    #[arg(long, value_name = "DIR", conflicts_with = "path")]
    pub dir: Option<PathBuf>,
    /// Variables.
    #[command(flatten)]
    pub vars: VarArgs,
    /// Ask on the terminal for variables that have no value (`--input=false`: never ask).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL",
          num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub input: bool,
    /// State and API.
    #[command(flatten)]
    pub state: StateArgs,
    /// Plan only these resources (and what they depend on); repeatable.
    #[arg(long = "target", value_name = "ADDRESS")]
    pub targets: Vec<String>,
    /// Replace these resources even if nothing changed; repeatable.
    #[arg(long = "replace", value_name = "ADDRESS")]
    pub replace: Vec<String>,
    /// Read the real objects before planning (`--refresh=false` trusts the state).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL",
          num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub refresh: bool,
    /// Only record what changed outside scwform: plan no action, and let `apply` save the
    /// refreshed state.
    #[arg(long, conflicts_with = "refresh")]
    pub refresh_only: bool,
    /// How many API operations may run at once.
    #[arg(long, default_value_t = DEFAULT_PARALLELISM, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub parallelism: u32,
    /// Refresh objects that share a list (same type, region and parent, project or
    /// organization) a page at a time (`--list-refresh=false`: one read per object, as
    /// Terraform does).
    #[arg(long, env = "SCWFORM_LIST_REFRESH", default_value_t = true,
          action = clap::ArgAction::Set, value_name = "BOOL", num_args = 0..=1,
          default_missing_value = "true", require_equals = true)]
    pub list_refresh: bool,
    /// How to print the plan.
    #[arg(long, value_enum, default_value_t)]
    pub format: PlanFormat,
    /// Print Terraform's machine-readable UI instead: one JSON message a line on stdout
    /// (`apply -json` needs `-auto-approve` or a saved plan).
    #[arg(long)]
    pub json: bool,
}

/// `scwform plan`
#[derive(Debug, Clone, clap::Args)]
pub struct PlanArgs {
    /// Shared options.
    #[command(flatten)]
    pub run: RunArgs,
    /// Exit 0 when there are no changes, 2 when there are, 1 on errors.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// With changes, exit 4 instead of 2 when the plan deletes or replaces anything (implies
    /// `--detailed-exitcode`).
    #[arg(long)]
    pub destructive_exitcode: bool,
    /// Plan to destroy every object the state records.
    #[arg(long)]
    pub destroy: bool,
    /// Save the plan to this file (mode 0600), for `scwform apply FILE` to apply exactly it.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write a `resource` block for each `import` block whose target has none, to this new
    /// file, and plan with them (Terraform's `-generate-config-out`).
    #[arg(long, value_name = "FILE")]
    pub generate_config_out: Option<PathBuf>,
}

/// `scwform drift`
// Each bool is one of the run's independent on/off flags.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone, clap::Args)]
pub struct DriftArgs {
    /// A `.tf` file or a directory of them (default: the current directory).
    pub path: Option<PathBuf>,
    /// The configuration directory, as `output` and `state` take it (instead of `PATH`).
    #[arg(long, value_name = "DIR", conflicts_with = "path")]
    pub dir: Option<PathBuf>,
    /// Variables.
    #[command(flatten)]
    pub vars: VarArgs,
    /// Ask on the terminal for variables that have no value (`--input=false`: never ask).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL",
          num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub input: bool,
    /// State and API.
    #[command(flatten)]
    pub state: StateArgs,
    /// How many API calls may run at once.
    #[arg(long, default_value_t = DEFAULT_PARALLELISM, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub parallelism: u32,
    /// Refresh objects that share a list a page at a time (`--list-refresh=false`: one read
    /// per object, as Terraform does).
    #[arg(long, env = "SCWFORM_LIST_REFRESH", default_value_t = true,
          action = clap::ArgAction::Set, value_name = "BOOL", num_args = 0..=1,
          default_missing_value = "true", require_equals = true)]
    pub list_refresh: bool,
    /// Print Terraform's JSON plan of the refresh (the changes are its `resource_drift`).
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Print Markdown, e.g. for the body of an issue a nightly job opens.
    #[arg(long)]
    pub markdown: bool,
}

impl DriftArgs {
    /// The run these options ask for: a refresh-only plan.
    #[must_use]
    pub fn run_args(&self) -> RunArgs {
        RunArgs {
            path: self.path.clone(),
            dir: self.dir.clone(),
            vars: self.vars.clone(),
            input: self.input,
            state: self.state.clone(),
            targets: Vec::new(),
            replace: Vec::new(),
            refresh: true,
            refresh_only: true,
            parallelism: self.parallelism,
            list_refresh: self.list_refresh,
            format: if self.json {
                PlanFormat::Json
            } else if self.markdown {
                PlanFormat::Markdown
            } else {
                PlanFormat::Text
            },
            json: false,
        }
    }
}

/// `scwform import ADDR ID`
#[derive(Debug, Clone, clap::Args)]
pub struct ImportArgs {
    /// The resource address to record the object at, e.g. `scaleway_cockpit_token.main`.
    #[arg(value_name = "ADDR", required_unless_present = "discover")]
    pub address: Option<String>,
    /// The object's ID as the provider records it: `{region}/{uuid}` for regional types, a
    /// bare UUID for projects.
    #[arg(value_name = "ID", required_unless_present = "discover")]
    pub id: Option<String>,
    /// Instead of one object: list every object the credentials can see and write their
    /// configuration and `import` blocks to `--out DIR` (beyond Terraform).
    #[arg(long, conflicts_with_all = ["address", "id"], requires = "out")]
    pub discover: bool,
    /// With `--discover`: only this project (a UUID); repeatable (default: every project of
    /// the organization).
    #[arg(long = "project", value_name = "ID", requires = "discover")]
    pub projects: Vec<String>,
    /// With `--discover`: only this region; repeatable (default: every region).
    #[arg(long = "region", value_name = "REGION", requires = "discover")]
    pub regions: Vec<String>,
    /// With `--discover`: the directory to write to, empty or new.
    #[arg(long, value_name = "DIR", requires = "discover")]
    pub out: Option<PathBuf>,
    /// The configuration directory (Terraform's `-config`; default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub config: Option<PathBuf>,
    /// Variables.
    #[command(flatten)]
    pub vars: VarArgs,
    /// State and API.
    #[command(flatten)]
    pub state: StateArgs,
}

/// `scwform show`
#[derive(Debug, Clone, clap::Args)]
pub struct ShowArgs {
    /// A plan saved by `plan --out` (default: show the state).
    pub file: Option<PathBuf>,
    /// Print Terraform's JSON (the JSON plan, or the state's values), on one line.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Print a saved plan's Markdown comment.
    #[arg(long, requires = "file")]
    pub markdown: bool,
    /// The configuration directory whose state to read (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// State options.
    #[command(flatten)]
    pub state: StateArgs,
}

/// `scwform apply [PATH | PLAN_FILE]`: a `PATH` that is a file but not a `.tf` file is a plan
/// saved by `plan --out`, applied as it is.
#[derive(Debug, Clone, clap::Args)]
pub struct ApplyArgs {
    /// Shared options.
    #[command(flatten)]
    pub run: RunArgs,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// Destroy every object the state records (the same as `scwform destroy`).
    #[arg(long)]
    pub destroy: bool,
}

/// `scwform destroy`
#[derive(Debug, Clone, clap::Args)]
pub struct DestroyArgs {
    /// Shared options.
    #[command(flatten)]
    pub run: RunArgs,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
}

/// `scwform output`
#[derive(Debug, Clone, clap::Args)]
pub struct OutputArgs {
    /// One output to show (default: all of them).
    pub name: Option<String>,
    /// Print JSON (values of sensitive outputs included).
    #[arg(long, conflicts_with = "raw")]
    pub json: bool,
    /// Print one string, number or bool output as is, without quotes or a newline.
    #[arg(long, requires = "name")]
    pub raw: bool,
    /// The configuration directory whose state to read (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// State options.
    #[command(flatten)]
    pub state: StateArgs,
}

/// `scwform state …`
#[derive(Debug, Clone, Subcommand)]
pub enum StateCommand {
    /// List the resource instances the state records.
    List(StateListArgs),
    /// Show one recorded instance (sensitive values redacted).
    Show(StateAddrArgs),
    /// Forget instances without deleting the real objects.
    Rm(StateRmArgs),
    /// Give a recorded instance another address.
    Mv(StateMvArgs),
    /// Print the state as JSON on stdout (decrypted when encrypted), as `terraform state pull`.
    Pull(StatePullArgs),
    /// Replace the state with a state file (`-`: standard input), checking its lineage and
    /// serial, as `terraform state push`.
    Push(StatePushArgs),
}

/// `scwform state pull`
#[derive(Debug, Clone, clap::Args)]
pub struct StatePullArgs {
    /// The configuration directory whose state to read (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// State options.
    #[command(flatten)]
    pub state: StateArgs,
}

/// `scwform state push`
#[derive(Debug, Clone, clap::Args)]
pub struct StatePushArgs {
    /// The state file to push (`-`: standard input).
    pub file: PathBuf,
    /// Push even a state of another lineage or an older serial (the stored serial never goes
    /// down).
    #[arg(long)]
    pub force: bool,
    /// The configuration directory whose state to replace (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// State options.
    #[command(flatten)]
    pub state: StateArgs,
}

/// `scwform init`
#[derive(Debug, Clone, clap::Args)]
#[allow(clippy::struct_excessive_bools)]
pub struct InitArgs {
    /// The configuration directory (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Copy every workspace's state from the previous backend to the configured one.
    #[arg(long)]
    pub migrate_state: bool,
    /// With `-migrate-state` (which it implies): overwrite states the new backend already
    /// holds.
    #[arg(long)]
    pub force_copy: bool,
    /// Use the configured backend as it is, ignoring the previous one.
    #[arg(long, conflicts_with_all = ["migrate_state", "force_copy"])]
    pub reconfigure: bool,
    /// A setting completing the `backend` block (Terraform's partial backend
    /// configuration): `KEY=VALUE`, or the path of a file of `name = value` lines. Repeatable;
    /// later ones win.
    #[arg(long = "backend-config", value_name = "KEY=VALUE|FILE")]
    pub backend_config: Vec<String>,
    /// How long to wait for each state lock during a migration (default 0: fail at once).
    #[arg(long, value_name = "DURATION", default_value = "0s")]
    pub lock_timeout: String,
    /// Accepted for Terraform's `-input=false`; `init` never asks.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set, value_name = "BOOL",
          num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub input: bool,
}

/// `scwform force-unlock LOCK_ID`
#[derive(Debug, Clone, clap::Args)]
pub struct ForceUnlockArgs {
    /// The lock ID, as the locked error names it.
    pub id: String,
    /// Accepted for Terraform's `-force`; scwform never asks for confirmation.
    #[arg(long)]
    pub force: bool,
    /// The configuration directory whose state lock to release (default: the current
    /// directory).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// State options.
    #[command(flatten)]
    pub state: StateArgs,
}

/// `scwform state list`
#[derive(Debug, Clone, clap::Args)]
pub struct StateListArgs {
    /// Only list instances of these addresses.
    pub addresses: Vec<String>,
    /// The configuration directory whose state to read (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// State options.
    #[command(flatten)]
    pub state: StateArgs,
}

/// `scwform state show`
#[derive(Debug, Clone, clap::Args)]
pub struct StateAddrArgs {
    /// The instance address.
    pub address: String,
    /// The configuration directory whose state to read (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// State options.
    #[command(flatten)]
    pub state: StateArgs,
}

/// `scwform state rm`
#[derive(Debug, Clone, clap::Args)]
pub struct StateRmArgs {
    /// The instance (or resource) addresses to forget.
    #[arg(required = true)]
    pub addresses: Vec<String>,
    /// The configuration directory whose state to edit (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// State options.
    #[command(flatten)]
    pub state: StateArgs,
}

/// `scwform state mv`
#[derive(Debug, Clone, clap::Args)]
pub struct StateMvArgs {
    /// The current address.
    pub source: String,
    /// The new address.
    pub destination: String,
    /// The configuration directory whose state to edit (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// State options.
    #[command(flatten)]
    pub state: StateArgs,
}

/// `scwform workspace …`
#[derive(Debug, Clone, Subcommand)]
pub enum WorkspaceCommand {
    /// List the workspaces, marking the selected one with `*`.
    List(WorkspaceArgs),
    /// Print the selected workspace's name.
    Show(WorkspaceArgs),
    /// Create a workspace and select it.
    New(WorkspaceNameArgs),
    /// Select a workspace.
    Select(WorkspaceSelectArgs),
    /// Delete a workspace and its state.
    Delete(WorkspaceDeleteArgs),
}

/// Options of every `workspace` subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct WorkspaceArgs {
    /// The configuration directory (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// State options.
    #[command(flatten)]
    pub state: StateArgs,
}

/// `scwform workspace new NAME`
#[derive(Debug, Clone, clap::Args)]
pub struct WorkspaceNameArgs {
    /// The workspace name.
    pub name: String,
    /// Shared options.
    #[command(flatten)]
    pub common: WorkspaceArgs,
}

/// `scwform workspace select NAME`
#[derive(Debug, Clone, clap::Args)]
pub struct WorkspaceSelectArgs {
    /// The workspace name.
    pub name: String,
    /// Create the workspace when it does not exist.
    #[arg(long)]
    pub or_create: bool,
    /// Shared options.
    #[command(flatten)]
    pub common: WorkspaceArgs,
}

/// `scwform workspace delete NAME`
#[derive(Debug, Clone, clap::Args)]
pub struct WorkspaceDeleteArgs {
    /// The workspace name.
    pub name: String,
    /// Delete it even if its state still records objects (they are then no longer managed).
    #[arg(long)]
    pub force: bool,
    /// Shared options.
    #[command(flatten)]
    pub common: WorkspaceArgs,
}
