//! Process exit statuses, as documented in `docs/commands.md`.

use std::process::ExitCode;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: success (for `plan --detailed-exitcode`: no changes).
    Success,
    /// 1: an error (invalid configuration, API failure...).
    Failure,
    /// 2: `plan --detailed-exitcode` found changes; `fmt`: a file does not parse.
    Two,
    /// 3: `fmt --check` found files that need formatting.
    Three,
    /// 4: `plan --destructive-exitcode`: the plan deletes or replaces something.
    Destructive,
    /// 10 to 16: `apply FILE` refused a saved plan; the code names the failed check
    /// ([`crate::planfile::Refusal::code`]).
    Refused(u8),
    /// 130: interrupted (Ctrl-C).
    Interrupted,
}

impl ExitStatus {
    /// The numeric code.
    #[must_use]
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Failure => 1,
            Self::Two => 2,
            Self::Three => 3,
            Self::Destructive => 4,
            Self::Refused(code) => code,
            Self::Interrupted => 130,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        Self::from(status.code())
    }
}
