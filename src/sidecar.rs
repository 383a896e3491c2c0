//! `scangate sidecar inject|rbac` (issue 9): the command-line side. The work is in
//! `crates/scangate-sidecar`, which knows nothing of clap.

use std::io::{self, Read, Write};

use anyhow::{Context, Result};
use scangate_sidecar::inject::{self, InjectOptions};
use scangate_sidecar::rbac::{self, Pods, RbacOptions};

use crate::cli::{InjectArgs, RbacArgs, SidecarCommand};
use crate::exit::Outcome;

pub fn run(cmd: SidecarCommand) -> Result<Outcome> {
    let out = match cmd {
        SidecarCommand::Inject(args) => {
            let input = read_input(&args.file)?;
            inject::inject_stream(&input, &inject_options(args))?
        }
        SidecarCommand::Rbac(args) => rbac::render(&rbac_options(args))?,
    };
    let stdout = io::stdout();
    let mut lock = stdout.lock();
    lock.write_all(out.as_bytes())
        .and_then(|()| lock.flush())
        .context("cannot write to stdout")?;
    Ok(Outcome::Pass)
}

pub fn inject_options(args: InjectArgs) -> InjectOptions {
    InjectOptions {
        image: args.image,
        profile: args.profile,
        profiles_configmap: args.profiles_configmap,
        scripts_configmap: args.scripts_configmap,
        results_dir: args.results_dir,
        run_as_user: args.run_as_user,
        run_as_group: args.run_as_group,
        target_process: args.target_process,
    }
}

pub fn rbac_options(args: RbacArgs) -> RbacOptions {
    RbacOptions {
        namespace: args.namespace,
        pods: match args.pods.selector {
            Some(sel) => Pods::Selector(sel),
            None => Pods::Named(args.pods.pods),
        },
        service_account: args.service_account,
    }
}

fn read_input(file: &str) -> Result<String> {
    let mut buf = Vec::new();
    if file == "-" {
        io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .context("cannot read stdin")?;
    } else {
        buf = std::fs::read(file).with_context(|| format!("cannot read {file}"))?;
    }
    String::from_utf8(buf).map_err(|e| {
        anyhow::anyhow!(
            "{file}: not UTF-8 text (byte {})",
            e.utf8_error().valid_up_to()
        )
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use scangate_sidecar::inject::InjectOptions;

    use crate::cli::{Cli, Command, SidecarCommand};

    #[test]
    fn inject_without_flags_is_the_library_default() {
        let cli = Cli::try_parse_from(["scangate", "sidecar", "inject"]).unwrap();
        let Command::Sidecar(SidecarCommand::Inject(args)) = cli.command else {
            panic!("not sidecar inject: {:?}", cli.command);
        };
        assert_eq!(super::inject_options(args), InjectOptions::default());
    }
}
