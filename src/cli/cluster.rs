//! What a batch scheduler tells a loyalsim process through its environment: which shard
//! of a sweep an array task is (`--shard slurm/N`), and how many CPUs the job was given.
//!
//! Why a table: every array scheduler names its task index differently and numbers its
//! tasks from 0 or 1, and some let the user choose the range. The schedulers are
//! declared once, as data ([`SCHEDULERS`]), and read by one function, so `--help`, the
//! docs and the messages cannot disagree about a scheduler's variable or its base.
//!
//! Where the user chooses the range (Slurm, PBS), loyalsim takes the tasks as numbered
//! from 0 (`sbatch --array=0-3` for 4 shards, Slurm's common habit) and refuses an index
//! that does not fit, so that an array numbered 1 to 4 fails in its last task with a
//! message rather than never running shard 4 unseen. Where the scheduler says what range
//! the array has (Slurm's `SLURM_ARRAY_TASK_MIN`/`MAX`, SGE's `SGE_TASK_FIRST`/`LAST`),
//! an array that does not cover exactly the shards is refused in every task, before any
//! of them runs. N is always given on the command line: a task resubmitted alone is an
//! array of one, and its environment says nothing of the others.
//!
//! Reading the environment is this layer's business (the edge); the functions take it
//! as a closure so that the tests need not set process-wide variables.

use crate::sweep::Shard;
use std::fmt;

/// An array scheduler, as its tasks see it.
#[derive(Debug, PartialEq, Eq)]
pub struct Scheduler {
    /// The name given to `--shard NAME/N`.
    pub name: &'static str,
    pub label: &'static str,
    /// Variables holding the task's index; the first that is set is read.
    pub index: &'static [&'static str],
    /// The index of the first shard.
    pub base: u64,
    /// Variables holding the array's first and last index, where the scheduler sets them.
    pub range: Option<(&'static str, &'static str)>,
    /// How to submit an array of the shards, `{first}`, `{last}` and `{n}` filled in.
    pub submit: &'static str,
    /// Set in every job of this scheduler: the CPU variables are read only then.
    pub job: &'static str,
    /// Variables holding the CPUs the job was given, most specific first.
    pub cpus: &'static [&'static str],
}

/// The schedulers `--shard NAME/N` knows.
pub const SCHEDULERS: &[Scheduler] = &[
    Scheduler {
        name: "slurm",
        label: "Slurm",
        index: &["SLURM_ARRAY_TASK_ID"],
        base: 0,
        range: Some(("SLURM_ARRAY_TASK_MIN", "SLURM_ARRAY_TASK_MAX")),
        submit: "sbatch --array={first}-{last}",
        job: "SLURM_JOB_ID",
        cpus: &["SLURM_CPUS_PER_TASK", "SLURM_CPUS_ON_NODE"],
    },
    Scheduler {
        name: "pbs",
        label: "PBS",
        index: &["PBS_ARRAY_INDEX", "PBS_ARRAYID"],
        base: 0,
        range: None,
        submit: "qsub -J {first}-{last} (PBS Pro) or qsub -t {first}-{last} (Torque)",
        job: "PBS_JOBID",
        cpus: &["NCPUS", "PBS_NUM_PPN"],
    },
    Scheduler {
        name: "sge",
        label: "Grid Engine",
        index: &["SGE_TASK_ID"],
        base: 1,
        range: Some(("SGE_TASK_FIRST", "SGE_TASK_LAST")),
        submit: "qsub -t {first}-{last}",
        job: "NSLOTS",
        cpus: &["NSLOTS"],
    },
    Scheduler {
        name: "lsf",
        label: "LSF",
        index: &["LSB_JOBINDEX"],
        base: 1,
        range: None,
        submit: "bsub -J \"NAME[{first}-{last}]\"",
        job: "LSB_JOBID",
        cpus: &["LSB_DJOB_NUMPROC"],
    },
    Scheduler {
        name: "k8s",
        label: "Kubernetes",
        index: &["JOB_COMPLETION_INDEX"],
        base: 0,
        range: None,
        submit: "an Indexed Job with completions: {n}",
        job: "JOB_COMPLETION_INDEX",
        cpus: &[],
    },
    Scheduler {
        name: "aws",
        label: "AWS Batch",
        index: &["AWS_BATCH_JOB_ARRAY_INDEX"],
        base: 0,
        range: None,
        submit: "an array job of size {n}",
        job: "AWS_BATCH_JOB_ID",
        cpus: &[],
    },
];

impl Scheduler {
    fn submit(&self, count: u64) -> String {
        self.submit
            .replace("{first}", &self.base.to_string())
            .replace("{last}", &(self.base + count - 1).to_string())
            .replace("{n}", &count.to_string())
    }
}

/// `--shard`'s long help, from [`SCHEDULERS`]: each scheduler's name, variable and
/// numbering.
pub fn shard_help() -> String {
    let each: Vec<String> = SCHEDULERS
        .iter()
        .map(|s| {
            let range = match s.base {
                0 => "0 to N-1".to_string(),
                b => format!("{b} to N"),
            };
            format!("{} ({}, tasks {range})", s.name, s.index.join(" or "))
        })
        .collect();
    format!(
        "Run only the I-th of N equal slices of the runs (1 <= I <= N); combine the shard \
         folders with `loyalsim merge`. A shard whose folder already holds it, finished and \
         verified, is not run again (a resubmitted array costs nothing). SCHEDULER/N takes \
         I from an array task's environment: {}",
        each.join(", ")
    )
}

/// `--shard`'s short help, naming the schedulers of [`SCHEDULERS`].
pub fn shard_short_help() -> String {
    let names: Vec<&str> = SCHEDULERS.iter().map(|s| s.name).collect();
    format!(
        "Run only the I-th of N equal slices of the runs (1 <= I <= N), or take I from an \
         array task's environment (SCHEDULER/N: {})",
        names.join(", ")
    )
}

/// The table of docs/cluster.md: each scheduler, its `--shard` name, the variable its
/// index is read from, its numbering, how to submit 4 shards and the CPU variables that
/// bound the default thread count.
pub fn schedulers_markdown() -> String {
    let mut out = String::from(
        "| scheduler | `--shard` | task index from | tasks for N shards | submit 4 shards | CPUs from |\n\
         | --- | --- | --- | --- | --- | --- |\n",
    );
    for s in SCHEDULERS {
        let code = |v: &[&str]| {
            v.iter()
                .map(|x| format!("`{x}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        };
        let range = match s.base {
            0 => "0 to N−1".to_string(),
            b => format!("{b} to N"),
        };
        let cpus = match s.cpus {
            [] => "the container's CPUs".to_string(),
            v => format!("{} (in a job: `{}` set)", code(v), s.job),
        };
        out.push_str(&format!(
            "| {} | `{}/N` | {} | {range} | {} | {cpus} |\n",
            s.label,
            s.name,
            code(s.index),
            s.submit(4).replace('|', "\\|")
        ));
    }
    out
}

/// `--threads`'s help, naming the schedulers whose CPU allocation bounds the default.
pub fn threads_help() -> String {
    let labels: Vec<&str> = SCHEDULERS
        .iter()
        .filter(|s| !s.cpus.is_empty())
        .map(|s| s.label)
        .collect();
    let named = match labels.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    format!(
        "Worker threads [default: RAYON_NUM_THREADS, or one per CPU this process may use, at \
         most the CPUs a {named} job was given]. Results do not depend on it"
    )
}

/// What `--shard` asks for: a shard given by number, or the task of an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShardSpec {
    Given(Shard),
    Task {
        scheduler: &'static Scheduler,
        count: u64,
    },
}

impl ShardSpec {
    /// Parses `I/N` (1 <= I <= N) or `NAME/N` with NAME a scheduler of [`SCHEDULERS`].
    pub fn parse(text: &str) -> Result<ShardSpec, String> {
        let names: Vec<&str> = SCHEDULERS.iter().map(|s| s.name).collect();
        let (who, n) = text.split_once('/').unwrap_or((text, ""));
        match SCHEDULERS.iter().find(|s| s.name == who.trim()) {
            Some(scheduler) => match n.trim().parse::<u64>() {
                Ok(count) if count > 0 => Ok(ShardSpec::Task { scheduler, count }),
                _ => Err(format!(
                    "--shard {text}: expected {}/N with N, the number of shards, at least 1, \
                     e.g. {}/8",
                    scheduler.name, scheduler.name
                )),
            },
            None => Shard::parse(text).map(ShardSpec::Given).map_err(|e| {
                format!(
                    "{e}, or SCHEDULER/N to take I from an array task's environment \
                     (SCHEDULER one of {})",
                    names.join(", ")
                )
            }),
        }
    }

    /// The shard, and where its index came from ("SLURM_ARRAY_TASK_ID=0"), reading the
    /// environment through `env`.
    pub fn resolve(
        &self,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(Shard, Option<String>), String> {
        let (scheduler, count) = match *self {
            ShardSpec::Given(shard) => return Ok((shard, None)),
            ShardSpec::Task { scheduler, count } => (scheduler, count),
        };
        let s = scheduler;
        let flag = format!("--shard {}/{count}", s.name);
        let (first, last) = (s.base, s.base + count - 1);
        let numbered = format!(
            "loyalsim numbers {}'s array tasks {first} to {last} for {count} shard{} ({})",
            s.label,
            if count == 1 { "" } else { "s" },
            s.submit(count)
        );
        let whole = |var: &str, v: &str| {
            v.trim().parse::<u64>().map_err(|_| {
                format!("{flag}: {var}={v}: expected a whole number, the array task's index")
            })
        };
        let Some((var, value)) = s.index.iter().find_map(|v| env(v).map(|x| (*v, x))) else {
            return Err(format!(
                "{flag}: {} is not set: this is not a {} array task; {numbered}",
                s.index.join(" or "),
                s.label
            ));
        };
        let index = whole(var, &value)?;
        if let Some((lo, hi)) = s.range
            && let (Some(a), Some(b)) = (env(lo), env(hi))
        {
            let (a, b) = (whole(lo, &a)?, whole(hi, &b)?);
            if a < first || b > last {
                return Err(format!(
                    "{flag}: this array runs tasks {a} to {b} ({lo}, {hi}), which are not \
                     shards of {count}; {numbered}"
                ));
            }
        }
        if index < first || index > last {
            return Err(format!(
                "{flag}: {var}={index} does not fit {count} shard{}; {numbered}",
                if count == 1 { "" } else { "s" }
            ));
        }
        let shard = Shard {
            index: index - first + 1,
            count,
        };
        Ok((shard, Some(format!("{var}={index}"))))
    }
}

/// How many worker threads a command runs, and what bounded them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threads {
    pub n: usize,
    /// The scheduler's variable that bounded a default count ("SLURM_CPUS_PER_TASK=1").
    pub bound: Option<String>,
}

impl fmt::Display for Threads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} thread{}", self.n, if self.n == 1 { "" } else { "s" })?;
        if let Some(b) = &self.bound {
            write!(f, " ({b})")?;
        }
        Ok(())
    }
}

/// The thread count: `--threads` if given, else `RAYON_NUM_THREADS` if set, else the
/// CPUs this process may run on (its affinity mask and cgroup quota, as
/// `std::thread::available_parallelism` reads them), bounded by the CPUs a scheduler's
/// job was given where its variables say so. (A Slurm job on a cluster without the
/// affinity plugin may run on every core while it was allocated one.)
pub fn threads(
    given: Option<usize>,
    env: &dyn Fn(&str) -> Option<String>,
    available: usize,
) -> Threads {
    if let Some(n) = given {
        return Threads { n, bound: None };
    }
    if let Some(n) = env("RAYON_NUM_THREADS").and_then(|v| v.trim().parse::<usize>().ok())
        && n > 0
    {
        return Threads { n, bound: None };
    }
    let allocated = SCHEDULERS
        .iter()
        .filter(|s| env(s.job).is_some())
        .flat_map(|s| s.cpus.iter())
        .find_map(|var| {
            let v = env(var)?;
            // Slurm writes "2(x3)" for several nodes; the first count is this node's.
            let digits: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
            let n = digits.parse::<usize>().ok().filter(|&n| n > 0)?;
            Some((n, format!("{var}={v}")))
        });
    match allocated {
        Some((n, why)) if n < available => Threads {
            n,
            bound: Some(why),
        },
        _ => Threads {
            n: available.max(1),
            bound: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn task(text: &str, pairs: &[(&str, &str)]) -> Result<Shard, String> {
        ShardSpec::parse(text)?.resolve(&env(pairs)).map(|(s, _)| s)
    }

    #[test]
    fn the_help_names_every_scheduler_as_the_table_does() {
        let help = shard_help();
        for s in SCHEDULERS {
            for var in s.index {
                assert!(help.contains(var), "{help}");
            }
            let numbered = if s.base == 0 {
                "tasks 0 to N-1"
            } else {
                "tasks 1 to N"
            };
            assert!(
                help.contains(&format!("{} ({}", s.name, s.index[0])),
                "{help}"
            );
            assert!(help.contains(numbered), "{help}");
        }
        assert!(threads_help().contains("a Slurm, PBS, Grid Engine or LSF job"));
    }

    #[test]
    fn the_docs_list_the_schedulers_as_the_table_does() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/cluster.md");
        let docs = std::fs::read_to_string(path).unwrap();
        let table = schedulers_markdown();
        assert!(
            docs.contains(&table),
            "docs/cluster.md does not hold the scheduler table of cli::cluster::SCHEDULERS; \
             paste it in:\n{table}"
        );
    }

    #[test]
    fn each_scheduler_numbers_its_tasks_from_its_base() {
        let shard = |index, count| Shard { index, count };
        assert_eq!(
            task("slurm/4", &[("SLURM_ARRAY_TASK_ID", "0")]),
            Ok(shard(1, 4))
        );
        assert_eq!(
            task("slurm/4", &[("SLURM_ARRAY_TASK_ID", "3")]),
            Ok(shard(4, 4))
        );
        assert_eq!(task("pbs/4", &[("PBS_ARRAYID", "2")]), Ok(shard(3, 4)));
        assert_eq!(task("pbs/4", &[("PBS_ARRAY_INDEX", "0")]), Ok(shard(1, 4)));
        assert_eq!(task("sge/4", &[("SGE_TASK_ID", "1")]), Ok(shard(1, 4)));
        assert_eq!(task("sge/4", &[("SGE_TASK_ID", "4")]), Ok(shard(4, 4)));
        assert_eq!(task("lsf/2", &[("LSB_JOBINDEX", "2")]), Ok(shard(2, 2)));
        assert_eq!(
            task("k8s/3", &[("JOB_COMPLETION_INDEX", "2")]),
            Ok(shard(3, 3))
        );
        assert_eq!(
            task("aws/5", &[("AWS_BATCH_JOB_ARRAY_INDEX", "0")]),
            Ok(shard(1, 5))
        );
        assert_eq!(task("2/3", &[]), Ok(shard(2, 3)));
    }

    #[test]
    fn an_index_that_does_not_fit_is_refused_with_the_submit_line() {
        let e = task("slurm/4", &[("SLURM_ARRAY_TASK_ID", "4")]).unwrap_err();
        assert!(
            e.contains("SLURM_ARRAY_TASK_ID=4 does not fit 4 shards"),
            "{e}"
        );
        assert!(e.contains("sbatch --array=0-3"), "{e}");
        let e = task("sge/4", &[("SGE_TASK_ID", "0")]).unwrap_err();
        assert!(e.contains("qsub -t 1-4"), "{e}");
        // An array numbered 1 to 4 is refused in every task, not only in its last.
        let e = task(
            "slurm/4",
            &[
                ("SLURM_ARRAY_TASK_ID", "1"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "4"),
            ],
        )
        .unwrap_err();
        assert!(e.contains("runs tasks 1 to 4"), "{e}");
        // A task resubmitted alone is an array of one: its own range fits.
        let one = [
            ("SLURM_ARRAY_TASK_ID", "2"),
            ("SLURM_ARRAY_TASK_MIN", "2"),
            ("SLURM_ARRAY_TASK_MAX", "2"),
        ];
        assert_eq!(task("slurm/4", &one), Ok(Shard { index: 3, count: 4 }));
        let e = task("slurm/4", &[]).unwrap_err();
        assert!(e.contains("SLURM_ARRAY_TASK_ID is not set"), "{e}");
        let e = task("slurm/4", &[("SLURM_ARRAY_TASK_ID", "x")]).unwrap_err();
        assert!(
            e.contains("SLURM_ARRAY_TASK_ID=x: expected a whole number"),
            "{e}"
        );
        for bad in ["slurm/0", "slurm", "condor/4", "0/3", "4/3"] {
            let e = ShardSpec::parse(bad).unwrap_err();
            assert!(e.starts_with(&format!("--shard {bad}: expected")), "{e}");
        }
    }

    #[test]
    fn threads_follow_the_allocation() {
        let t = |given, pairs: &[(&str, &str)], available| threads(given, &env(pairs), available);
        assert_eq!(t(None, &[], 8).n, 8);
        assert_eq!(
            t(
                Some(3),
                &[("SLURM_JOB_ID", "1"), ("SLURM_CPUS_ON_NODE", "1")],
                8
            )
            .n,
            3
        );
        let slurm = t(
            None,
            &[
                ("SLURM_JOB_ID", "7"),
                ("SLURM_CPUS_PER_TASK", "2"),
                ("SLURM_CPUS_ON_NODE", "4"),
            ],
            8,
        );
        assert_eq!(slurm.to_string(), "2 threads (SLURM_CPUS_PER_TASK=2)");
        assert_eq!(
            t(
                None,
                &[("SLURM_JOB_ID", "7"), ("SLURM_CPUS_ON_NODE", "1(x2)")],
                8
            )
            .to_string(),
            "1 thread (SLURM_CPUS_ON_NODE=1(x2))"
        );
        // Variables of a scheduler whose job this is not are not read.
        assert_eq!(t(None, &[("NCPUS", "1")], 8).n, 8);
        // An allocation larger than the CPUs this process may use does not raise it.
        assert_eq!(t(None, &[("PBS_JOBID", "1"), ("NCPUS", "16")], 4).n, 4);
        assert_eq!(
            t(None, &[("RAYON_NUM_THREADS", "5"), ("NSLOTS", "1")], 8).n,
            5
        );
    }
}
