//! `limit [..];`: resource limits, soft and hard, set in the process that executes the
//! program (after entering, before exec), so that the caller, the stand-in outside
//! and pid 1 keep theirs.

use rustix::process::{self, Resource as Raw, Rlimit};

use crate::error::{Context, Entry, Error, Step};
use crate::policy::{Limit, Resource};

/// Sets each limit as both the soft and the hard limit. A limit only tightens: where
/// the hard limit in force is already lower, both become that (raising a hard limit
/// needs `CAP_SYS_RESOURCE`, and would loosen what the caller was given).
pub(super) fn set(limits: &[Limit]) -> Result<(), Error> {
    for limit in limits {
        let resource = raw(limit.resource());
        let context = Context::new(Entry::Limit, limit.resource().name());
        context.step(Step::Limits, || {
            let hard = process::getrlimit(resource).maximum;
            let value = hard.map_or(limit.value(), |hard| hard.min(limit.value()));
            process::setrlimit(
                resource,
                Rlimit {
                    current: Some(value),
                    maximum: Some(value),
                },
            )
        })?;
    }
    Ok(())
}

/// rustix's name of the resource.
const fn raw(resource: Resource) -> Raw {
    match resource {
        Resource::Nofile => Raw::Nofile,
        Resource::Nproc => Raw::Nproc,
        Resource::As => Raw::As,
        Resource::Cpu => Raw::Cpu,
        Resource::Fsize => Raw::Fsize,
        Resource::Core => Raw::Core,
    }
}
