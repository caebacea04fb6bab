//! `scwform emulator`: serves the local Scaleway API emulator until Ctrl-C, after printing the
//! `SCW_*` environment that points clients at it.

use std::net::SocketAddr;
use std::time::Duration;

use crate::cli::ExitStatus;
use crate::cli::args::EmulatorArgs;
use crate::cli::printer::Printer;
use crate::emulator::{
    DEFAULT_ACCESS_KEY, DEFAULT_ORGANIZATION_ID, DEFAULT_SECRET_KEY, Emulator, EmulatorConfig,
    FaultConfig, Settle,
};

/// Builds the emulator configuration from the command line.
fn config(args: &EmulatorArgs) -> Result<EmulatorConfig, String> {
    let listen: SocketAddr = args.listen.parse().map_err(|_| {
        format!(
            "--listen: {:?} is not an address such as 127.0.0.1:8787",
            args.listen
        )
    })?;
    let secret_key = args
        .secret_key
        .clone()
        .unwrap_or_else(|| DEFAULT_SECRET_KEY.to_owned());
    if uuid::Uuid::parse_str(&secret_key).is_err() {
        return Err("--secret-key: Scaleway secret keys are UUIDs".to_owned());
    }
    let organization_id = args
        .organization_id
        .as_deref()
        .unwrap_or(DEFAULT_ORGANIZATION_ID)
        .parse()
        .map_err(|_| "--organization-id: expected a UUID".to_owned())?;
    if !(0.0..=1.0).contains(&args.fault_rate) {
        return Err("--fault-rate: expected a fraction between 0 and 1".to_owned());
    }
    Ok(EmulatorConfig {
        listen,
        secret_key,
        access_key: DEFAULT_ACCESS_KEY.to_owned(),
        organization_id,
        data: args.data.clone(),
        settle: Settle::Time { ms: args.settle_ms },
        faults: FaultConfig {
            latency_ms: args.latency_ms,
            error_rate: args.fault_rate,
            rate_limit: args.rate_limit,
            rate_burst: args.rate_burst,
            ..FaultConfig::default()
        },
        seed: args.seed,
        ..EmulatorConfig::default()
    })
}

/// Runs the command.
#[must_use]
pub fn run(args: &EmulatorArgs, printer: Printer) -> ExitStatus {
    let config = match config(args) {
        Ok(c) => c,
        Err(e) => {
            printer.error(&format!("error: {e}"));
            return ExitStatus::Failure;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            printer.error(&format!("error: cannot start the async runtime: {e}"));
            return ExitStatus::Failure;
        }
    };
    runtime.block_on(async move {
        let handle = match Emulator::start(config).await {
            Ok(h) => h,
            Err(e) => {
                printer.error(&format!("error: cannot start the emulator on {}: {e}", args.listen));
                return ExitStatus::Failure;
            }
        };
        printer.note(&format!(
            "Scaleway API emulator listening on {} (Ctrl-C to stop)",
            handle.base_url()
        ));
        let env = format!(
            "SCW_API_URL={}\nSCW_SECRET_KEY={}\nSCW_ACCESS_KEY={}\nSCW_DEFAULT_ORGANIZATION_ID={}\nSCW_DEFAULT_PROJECT_ID={}\nSCW_DEFAULT_REGION=fr-par\n",
            handle.base_url(),
            handle.secret_key(),
            handle.access_key(),
            handle.organization_id(),
            handle.default_project_id(),
        );
        // A closed stdout (piped into `head`) is not a reason to stop serving.
        let _ = printer.out(&env);
        let status = match tokio::signal::ctrl_c().await {
            Ok(()) => ExitStatus::Success,
            Err(e) => {
                printer.error(&format!("error: cannot wait for Ctrl-C: {e}"));
                ExitStatus::Failure
            }
        };
        printer.note("stopping the emulator");
        let _ = tokio::time::timeout(Duration::from_secs(5), handle.shutdown()).await;
        status
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn parse(extra: &[&str]) -> EmulatorArgs {
        let mut argv = vec!["scwform", "emulator"];
        argv.extend_from_slice(extra);
        match crate::cli::args::Cli::parse_from(argv).command {
            crate::cli::args::Command::Emulator(a) => a,
            _ => unreachable!("the emulator subcommand was given"),
        }
    }

    #[test]
    fn defaults_are_the_documented_values() {
        let c = config(&parse(&[])).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8787");
        assert_eq!(c.secret_key, DEFAULT_SECRET_KEY);
        assert_eq!(c.organization_id.to_string(), DEFAULT_ORGANIZATION_ID);
        assert_eq!(c.settle, Settle::Time { ms: 200 });
        assert_eq!((c.faults.rate_limit, c.faults.rate_burst), (0, 0));
    }

    /// Issue 15: Scaleway's order of limit, 100 requests/s with a burst of 20, from the CLI.
    #[test]
    fn the_rate_limit_takes_a_burst() {
        let c = config(&parse(&["--rate-limit", "100", "--rate-burst", "20"])).unwrap();
        assert_eq!((c.faults.rate_limit, c.faults.rate_burst), (100, 20));
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(config(&parse(&["--listen", "nowhere"])).is_err());
        assert!(config(&parse(&["--secret-key", "hunter2"])).is_err());
        assert!(config(&parse(&["--fault-rate", "2"])).is_err());
    }
}
