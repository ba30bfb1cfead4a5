//! Sharded runs on a cluster: the files that run one `simulate --runs` batch as a Slurm array
//! job or a Kubernetes indexed Job, one task per shard, and merge the partial results.
//!
//! `grayzone simulate … --emit-slurm DIR --shards N` (or `--emit-k8s DIR`) does not play: it
//! checks the run (scenario, doctrines, shard count) and writes ready-to-submit files whose
//! every task runs the same `simulate` command line with `--shard I/N --partial FILE` appended,
//! and whose merge step runs `grayzone merge` over the N partial files — so the merged result is
//! byte for byte what the same command prints on one machine.
//!
//! Everything here builds text; [`write_files`] writes it (atomically, scripts executable).

use std::path::{Path, PathBuf};

use clap::Args;

/// The most shards a run may be split into. Slurm's default `MaxArraySize` (1001) allows array
/// indices up to 1000; past a few hundred shards, more CPUs per task is the better lever.
pub const MAX_SHARDS: u32 = 1000;

/// Where the Kubernetes pods mount the shared volume that holds the partial results.
pub const K8S_SWEEP_MOUNT: &str = "/sweep";

/// Where the Kubernetes pods mount the scenario (a ConfigMap of its files), under its id.
pub const K8S_SCENARIO_MOUNT: &str = "/scenario";

/// The largest ConfigMap Kubernetes stores (1 MiB); the scenario's files travel in one.
pub const K8S_CONFIGMAP_LIMIT: usize = 1024 * 1024;

/// Flags of `grayzone simulate` that write cluster job files for the run instead of playing it.
#[derive(Args, Debug, Clone, Default, PartialEq, Eq)]
pub struct ClusterArgs {
    /// Write a Slurm array job for this run into DIR instead of playing it: shard.sbatch (one
    /// array task per shard), merge.sbatch (runs once every shard succeeded) and submit.sh (submits
    /// both). DIR, the scenario and this grayzone must be on a file system every node sees.
    #[arg(long, value_name = "DIR")]
    pub emit_slurm: Option<PathBuf>,
    /// Write a Kubernetes indexed Job for this run into DIR instead of playing it: sweep.yaml (the
    /// scenario as a ConfigMap, a shared volume for the partial results, the indexed Job),
    /// merge.yaml (the merge Job) and submit.sh (applies them in order, waits, fetches the result).
    #[arg(long, value_name = "DIR")]
    pub emit_k8s: Option<PathBuf>,
    /// With --emit-slurm/--emit-k8s: split the games into this many shards, one task each
    /// (1 to 1000, and at most --runs).
    #[arg(long, value_name = "N")]
    pub shards: Option<u32>,
    /// With --emit-slurm/--emit-k8s: CPUs each task asks for (default 1).
    #[arg(long, value_name = "N")]
    pub cpus_per_task: Option<u32>,
    /// With --emit-slurm/--emit-k8s: the job's name (default: grayzone-<scenario id>).
    #[arg(long, value_name = "NAME")]
    pub job_name: Option<String>,
    /// With --emit-slurm: the Slurm partition to submit to (the cluster's default otherwise).
    #[arg(long, value_name = "NAME")]
    pub partition: Option<String>,
    /// With --emit-slurm: time limit of each task, in Slurm's format (e.g. 30:00, 2:00:00).
    #[arg(long, value_name = "TIME")]
    pub time_limit: Option<String>,
    /// With --emit-k8s: the container image to run, with `grayzone` on its PATH.
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
}

impl ClusterArgs {
    /// Whether any job files are to be written (the run is not played here).
    pub fn emits(&self) -> bool {
        self.emit_slurm.is_some() || self.emit_k8s.is_some()
    }

    /// A refusal when a cluster-only flag is given without --emit-slurm/--emit-k8s, so that a
    /// flag that would do nothing is not silently ignored.
    pub fn check_unused(&self) -> Result<(), String> {
        if self.emits() {
            return Ok(());
        }
        let unused = [
            ("--shards", self.shards.is_some()),
            ("--cpus-per-task", self.cpus_per_task.is_some()),
            ("--job-name", self.job_name.is_some()),
            ("--partition", self.partition.is_some()),
            ("--time-limit", self.time_limit.is_some()),
            ("--image", self.image.is_some()),
        ];
        match unused.iter().find(|(_, given)| *given) {
            Some((flag, _)) => Err(format!(
                "error: {flag} describes cluster jobs, so it needs --emit-slurm or --emit-k8s\n  = help: e.g. `grayzone simulate <scenario> --runs 1000000 --emit-slurm sweep/ --shards 100`"
            )),
            None => Ok(()),
        }
    }
}

/// One `simulate --runs` batch to be played in shards on a cluster: the command every task runs
/// (before `--shard`/`--partial`), and what the merge writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardedRun {
    /// The grayzone program the tasks run (an absolute path for Slurm).
    pub program: String,
    /// The scenario's id (names the job and the Kubernetes mount).
    pub scenario_id: String,
    /// The scenario folder, absolute.
    pub scenario: String,
    /// The `simulate` options after the scenario, e.g. `--runs 8000 --seed 1`.
    pub options: Vec<String>,
    /// Games in the whole run.
    pub runs: u64,
    /// How many shards (tasks).
    pub shards: u32,
    /// What the merge writes: the run's summary first, then any other formats asked for.
    pub outputs: Vec<MergeOutput>,
    /// CPUs per task.
    pub cpus_per_task: u32,
    /// The job's name (letters, digits, `-`, `_`, `.`).
    pub job_name: String,
}

/// One output of the merge: the run's summary in one format, written to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeOutput {
    /// What it is (`result`, `csv`, `json`); also the Kubernetes merge container's name.
    pub name: &'static str,
    /// The `grayzone merge --format` value.
    pub format: &'static str,
    /// Where it is written (absolute).
    pub path: String,
}

/// The merge's outputs for a run: what the run prints (`format`: `human`, `csv` or `json`) as
/// `result.txt`/`.csv`/`.json` in the job folder `dir`, and the files `--csv`/`--json` name.
pub fn merge_outputs(
    dir: &str,
    format: &'static str,
    csv: Option<String>,
    json: Option<String>,
) -> Vec<MergeOutput> {
    let ext = match format {
        "csv" => "csv",
        "json" => "json",
        _ => "txt",
    };
    let mut outputs = vec![MergeOutput {
        name: "result",
        format,
        path: format!("{dir}/result.{ext}"),
    }];
    if let Some(path) = csv {
        outputs.push(MergeOutput {
            name: "csv",
            format: "csv",
            path,
        });
    }
    if let Some(path) = json {
        outputs.push(MergeOutput {
            name: "json",
            format: "json",
            path,
        });
    }
    outputs
}

/// A file to write into the job folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobFile {
    /// Its name inside the job folder.
    pub name: &'static str,
    /// Its contents.
    pub contents: String,
    /// Whether it is a script to run (mode 755).
    pub executable: bool,
}

/// Checks a shard count against the run: at least one game per shard, at most [`MAX_SHARDS`].
pub fn check_shards(shards: Option<u32>, runs: Option<u64>) -> Result<u32, String> {
    let Some(runs) = runs else {
        return Err("error: --emit-slurm and --emit-k8s split a batch of games, so they need --runs\n  = help: e.g. `grayzone simulate <scenario> --runs 1000000 --emit-slurm sweep/ --shards 100`".into());
    };
    let Some(shards) = shards else {
        return Err(format!(
            "error: --emit-slurm and --emit-k8s need --shards: how many tasks to split the {runs} games into\n  = help: e.g. --shards {}; each task plays about --runs / --shards games",
            runs.clamp(1, 100)
        ));
    };
    if shards == 0 {
        return Err("error: --shards must be at least 1".into());
    }
    if shards > MAX_SHARDS {
        return Err(format!(
            "error: --shards {shards} is more than {MAX_SHARDS}\n  = help: Slurm's default array size stops at index {MAX_SHARDS}; give each task more games and more CPUs (--cpus-per-task) instead"
        ));
    }
    if u64::from(shards) > runs {
        return Err(format!(
            "error: --shards {shards} is more than the {runs} games of the run: every shard needs at least one game\n  = help: use --shards {runs} or fewer"
        ));
    }
    Ok(shards)
}

/// Checks a job name: what Slurm, a Kubernetes object name and a file name all accept
/// (lower-case letters, digits and `-`, starting with a letter, at most 40 characters so that
/// `-shards`/`-merge` and the pod suffixes fit Kubernetes' 63).
pub fn check_job_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 40
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "error: --job-name \"{name}\" is not a usable job name\n  = help: use lower-case letters, digits and '-', starting with a letter, at most 40 characters (Kubernetes names its objects after it), e.g. {}",
            default_job_name(name)
        ))
    }
}

/// The default job name for a scenario id: `grayzone-` and the id in lower case, with every run
/// of other characters turned into one `-`, cut to fit [`check_job_name`].
pub fn default_job_name(scenario_id: &str) -> String {
    let mut name = String::from("grayzone-");
    for c in scenario_id.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            name.push(c);
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    name.truncate(40);
    while name.ends_with('-') {
        name.pop();
    }
    name
}

/// Quotes a word for a POSIX shell: in single quotes, with each `'` written as `'\''`. Words
/// made only of characters no shell treats specially are left bare, for readable scripts.
pub fn shell_quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// A path as text for a script or manifest: absolute (made so against the working folder, not
/// resolving links) and UTF-8, or a message naming it.
pub fn absolute_text(path: &Path, what: &str) -> Result<String, String> {
    let abs = std::path::absolute(path)
        .map_err(|e| format!("error: cannot make {what} {} absolute: {e}", path.display()))?;
    abs.to_str().map(str::to_string).ok_or_else(|| {
        format!(
            "error: {what} {} is not valid UTF-8, which job scripts and manifests cannot carry\n  = help: rename or move it to a path made of UTF-8 characters",
            abs.display()
        )
    })
}

/// A YAML double-quoted scalar: `"` and `\` escaped, and every control or non-printable
/// character written as an escape, so any text (a path, a scenario file) survives exactly.
pub fn yaml_string(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 2);
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\t' => s.push_str("\\t"),
            c if c.is_control() || matches!(c, '\u{feff}' | '\u{fffe}' | '\u{ffff}') => {
                s.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c => s.push(c),
        }
    }
    s.push('"');
    s
}

/// The file name of shard `index`'s partial result.
fn partial_name(index: &str) -> String {
    format!("shard-{index}.partial")
}

/// The Slurm array job: `shard.sbatch`, `merge.sbatch` and `submit.sh` for a run whose job folder
/// is `dir` (absolute). The `#SBATCH` lines carry no paths (Slurm does not parse shell quoting
/// there); `submit.sh` passes the log paths on the `sbatch` command line, quoted.
pub fn slurm_files(
    run: &ShardedRun,
    dir: &str,
    partition: Option<&str>,
    time_limit: Option<&str>,
) -> Result<Vec<JobFile>, String> {
    if dir.contains('%') {
        return Err(format!(
            "error: the job folder {dir} contains '%', which Slurm reads as a pattern in log file names\n  = help: choose a folder without '%'"
        ));
    }
    for (flag, value) in [("--partition", partition), ("--time-limit", time_limit)] {
        if let Some(v) = value
            && (v.is_empty()
                || !v
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_:.,".contains(c)))
        {
            return Err(format!(
                "error: {flag} \"{v}\" is not a Slurm {}\n  = help: e.g. {}",
                if flag == "--partition" {
                    "partition name"
                } else {
                    "time limit"
                },
                if flag == "--partition" {
                    "--partition batch"
                } else {
                    "--time-limit 2:00:00"
                }
            ));
        }
    }
    let n = run.shards;
    let q = shell_quote;
    let mut header = format!(
        "#!/bin/bash\n#SBATCH --job-name={name}\n#SBATCH --cpus-per-task={cpus}\n#SBATCH --ntasks=1\n",
        name = run.job_name,
        cpus = run.cpus_per_task
    );
    if let Some(p) = partition {
        header.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    if let Some(t) = time_limit {
        header.push_str(&format!("#SBATCH --time={t}\n"));
    }
    let simulate = std::iter::once(q(&run.program))
        .chain(["simulate".to_string(), q(&run.scenario)])
        .chain(run.options.iter().map(|o| q(o)))
        .collect::<Vec<_>>()
        .join(" ");
    let shard = format!(
        "{header}#SBATCH --array=0-{last}\n\
         # Gray Zone: shard $SLURM_ARRAY_TASK_ID of {n} of a {runs}-game run. Submit with submit.sh,\n\
         # which also queues the merge (merge.sbatch) to run once every shard has succeeded.\n\
         set -euo pipefail\n\
         partials={partials}\n\
         shard=\"$SLURM_ARRAY_TASK_ID\"\n\
         exec {simulate} --shard \"$shard/{n}\" --partial \"$partials/{partial}\"\n",
        last = n - 1,
        runs = run.runs,
        partials = q(&format!("{dir}/partials")),
        partial = partial_name("$shard"),
    );
    let merge_commands: Vec<String> = run
        .outputs
        .iter()
        .map(|o| {
            format!(
                "{program} merge \"${{partials[@]}}\" --format {format} --out {path}",
                program = q(&run.program),
                format = o.format,
                path = q(&o.path)
            )
        })
        .collect();
    let merge = format!(
        "{header}#SBATCH --kill-on-invalid-dep=yes\n\
         # Gray Zone: merges the {n} partial results of {name} into what one machine prints.\n\
         set -euo pipefail\n\
         partials=()\n\
         for ((i = 0; i < {n}; i++)); do\n    partials+=({dir_partials}\"/{partial}\")\n\
         done\n\
         {commands}\n",
        name = run.job_name,
        dir_partials = q(&format!("{dir}/partials")),
        partial = partial_name("$i"),
        commands = merge_commands.join("\n"),
    );
    let logs = format!("{dir}/logs");
    let submit = format!(
        "#!/bin/sh\n\
         # Gray Zone: submits the {n} shards of {name} as one Slurm array job, and the merge as a job\n\
         # that starts once every shard has succeeded (and is cancelled if one fails).\n\
         # Arguments are passed to the merge's sbatch, e.g. `submit.sh --wait` returns when it ends.\n\
         set -eu\n\
         mkdir -p {partials} {logs}\n\
         shards=$(sbatch --parsable --chdir={dir_q} --output={shard_log} {shard_script})\n\
         shards=${{shards%%;*}}\n\
         echo \"shards: job $shards ({n} array tasks), logs in {logs_shown}\"\n\
         echo \"result when the merge ends: {result_shown}\"\n\
         merge=$(sbatch --parsable --dependency=afterok:\"$shards\" --chdir={dir_q} --output={merge_log} \"$@\" {merge_script})\n\
         echo \"merge: job ${{merge%%;*}}\"\n",
        name = run.job_name,
        partials = q(&format!("{dir}/partials")),
        logs = q(&logs),
        dir_q = q(dir),
        shard_log = q(&format!("{logs}/shard-%a.out")),
        merge_log = q(&format!("{logs}/merge.out")),
        shard_script = q(&format!("{dir}/shard.sbatch")),
        merge_script = q(&format!("{dir}/merge.sbatch")),
        logs_shown = shell_echo_text(&logs),
        result_shown = shell_echo_text(&run.outputs[0].path),
    );
    Ok(vec![
        JobFile {
            name: "shard.sbatch",
            contents: shard,
            executable: false,
        },
        JobFile {
            name: "merge.sbatch",
            contents: merge,
            executable: false,
        },
        JobFile {
            name: "submit.sh",
            contents: submit,
            executable: true,
        },
    ])
}

/// Text to show inside a double-quoted shell string: `"`, `\`, `$` and `` ` `` escaped.
fn shell_echo_text(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            s.push('\\');
        }
        s.push(c);
    }
    s
}

/// The Kubernetes files: `sweep.yaml` (a ConfigMap of the scenario's files, a ReadWriteMany
/// volume claim for the partial results, the indexed Job), `merge.yaml` (the merge Job, one
/// container per output) and `submit.sh`, which applies them in order with `kubectl` and writes
/// the merged result into `dir` (the job folder, absolute). `scenario_files` are the scenario's
/// (file name, contents).
pub fn k8s_files(
    run: &ShardedRun,
    dir: &str,
    image: &str,
    scenario_files: &[(String, String)],
) -> Result<Vec<JobFile>, String> {
    if image.is_empty() || image.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "error: --image \"{image}\" is not a container image reference\n  = help: e.g. --image registry.example.org/grayzone:0.1"
        ));
    }
    let size: usize = scenario_files.iter().map(|(n, c)| n.len() + c.len()).sum();
    if size > K8S_CONFIGMAP_LIMIT - 4096 {
        return Err(format!(
            "error: the scenario's files ({size} bytes) do not fit in a Kubernetes ConfigMap (1 MiB)\n  = help: put the scenario into the image instead and edit the scenario path in sweep.yaml"
        ));
    }
    let y = yaml_string;
    let name = &run.job_name;
    let n = run.shards;
    let scenario_dir = format!("{K8S_SCENARIO_MOUNT}/{}", run.scenario_id);
    let partials = format!("{K8S_SWEEP_MOUNT}/partials");
    let labels_at = |indent: &str| {
        format!(
            "{indent}app.kubernetes.io/name: grayzone\n{indent}app.kubernetes.io/instance: {name}\n"
        )
    };
    let labels = labels_at("    ");
    let labels_pod = labels_at("        ");

    let mut sweep = format!(
        "# Gray Zone: {runs} games of {id} in {n} shards (a Kubernetes indexed Job).\n\
         # Apply with submit.sh, which then runs merge.yaml and fetches the result.\n\
         apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-scenario\n  labels:\n{labels}data:\n",
        runs = run.runs,
        id = run.scenario_id,
    );
    for (file, contents) in scenario_files {
        sweep.push_str(&format!("  {}: {}\n", y(file), y(contents)));
    }
    sweep.push_str(&format!(
        "---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {name}-partials\n  labels:\n{labels}spec:\n  accessModes: [ReadWriteMany]\n  resources:\n    requests:\n      storage: 1Gi\n"
    ));
    let args: Vec<String> = ["simulate".to_string(), scenario_dir.clone()]
        .into_iter()
        .chain(run.options.iter().cloned())
        .chain([
            "--shard".into(),
            format!("$(SHARD)/{n}"),
            "--partial".into(),
            format!("{partials}/{}", partial_name("$(SHARD)")),
        ])
        .collect();
    let volumes = format!(
        "      volumes:\n      - name: scenario\n        configMap:\n          name: {name}-scenario\n      - name: sweep\n        persistentVolumeClaim:\n          claimName: {name}-partials\n"
    );
    let mounts = format!(
        "        volumeMounts:\n        - name: scenario\n          mountPath: {scenario}\n          readOnly: true\n        - name: sweep\n          mountPath: {sweep}\n",
        scenario = y(&scenario_dir),
        sweep = y(K8S_SWEEP_MOUNT),
    );
    let resources = format!(
        "        resources:\n          requests:\n            cpu: {c}\n          limits:\n            cpu: {c}\n",
        c = y(&run.cpus_per_task.to_string())
    );
    sweep.push_str(&format!(
        "---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}-shards\n  labels:\n{labels}spec:\n  completionMode: Indexed\n  completions: {n}\n  parallelism: {n}\n  backoffLimit: {backoff}\n  template:\n    metadata:\n      labels:\n{labels_pod}    spec:\n      restartPolicy: Never\n      containers:\n      - name: shard\n        image: {image}\n        command: [\"grayzone\"]\n        args:\n{args}        env:\n        - name: SHARD\n          valueFrom:\n            fieldRef:\n              fieldPath: \"metadata.annotations['batch.kubernetes.io/job-completion-index']\"\n{resources}{mounts}{volumes}",
        backoff = n.saturating_mul(2).max(2),
        image = y(image),
        args = args
            .iter()
            .map(|a| format!("        - {}\n", y(a)))
            .collect::<String>(),
    ));

    let merge_args = |extra: &[&str]| -> String {
        let mut a = vec!["merge".to_string()];
        a.extend((0..n).map(|i| format!("{partials}/{}", partial_name(&i.to_string()))));
        a.extend(extra.iter().map(|s| s.to_string()));
        a.iter().map(|a| format!("        - {}\n", y(a))).collect()
    };
    let containers: Vec<(&str, String)> = run
        .outputs
        .iter()
        .map(|o| (o.name, merge_args(&["--format", o.format])))
        .collect();
    let mut merge = format!(
        "# Gray Zone: merges the {n} partial results of {name}-shards (apply once that Job is complete;\n\
         # submit.sh does). Each container prints one output: `kubectl logs job/{name}-merge -c result`.\n\
         apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}-merge\n  labels:\n{labels}spec:\n  backoffLimit: 2\n  template:\n    metadata:\n      labels:\n{labels_pod}    spec:\n      restartPolicy: Never\n      containers:\n",
    );
    for (container, args) in &containers {
        merge.push_str(&format!(
            "      - name: {container}\n        image: {image}\n        command: [\"grayzone\"]\n        args:\n{args}        volumeMounts:\n        - name: sweep\n          mountPath: {sweep}\n          readOnly: true\n",
            image = y(image),
            sweep = y(K8S_SWEEP_MOUNT),
        ));
    }
    merge.push_str(&format!(
        "      volumes:\n      - name: sweep\n        persistentVolumeClaim:\n          claimName: {name}-partials\n"
    ));

    let q = shell_quote;
    let fetch: String = run
        .outputs
        .iter()
        .map(|o| {
            format!(
                "kubectl logs \"job/{name}-merge\" -c {} > {}\n",
                o.name,
                q(&o.path)
            )
        })
        .collect();
    let submit = format!(
        "#!/bin/sh\n\
         # Gray Zone: runs the {n} shards of {name} as a Kubernetes indexed Job, then the merge, and\n\
         # writes the merged result beside this script. Uses kubectl's current context and namespace.\n\
         set -eu\n\
         # Waits until a Job is complete; fails (with its status) if it failed.\n\
         wait_for() {{\n    while :; do\n        state=$(kubectl get \"job/$1\" -o 'jsonpath={{.status.conditions[?(@.status==\"True\")].type}}')\n        case \"$state\" in\n            *Failed*) echo \"job $1 failed:\" >&2; kubectl describe \"job/$1\" >&2; exit 1 ;;\n            *Complete*) return 0 ;;\n        esac\n        sleep 10\n    done\n}}\n\
         kubectl apply -f {sweep}\n\
         wait_for {name}-shards\n\
         kubectl apply -f {merge}\n\
         wait_for {name}-merge\n\
         {fetch}\
         echo \"result: {result_shown}\"\n",
        sweep = q(&format!("{dir}/sweep.yaml")),
        merge = q(&format!("{dir}/merge.yaml")),
        result_shown = shell_echo_text(&run.outputs[0].path),
    );
    Ok(vec![
        JobFile {
            name: "sweep.yaml",
            contents: sweep,
            executable: false,
        },
        JobFile {
            name: "merge.yaml",
            contents: merge,
            executable: false,
        },
        JobFile {
            name: "submit.sh",
            contents: submit,
            executable: true,
        },
    ])
}

/// Writes the job files into `dir` (created if missing), each atomically; scripts get mode 755.
pub fn write_files(dir: &Path, files: &[JobFile]) -> Result<(), String> {
    for file in files {
        let path = dir.join(file.name);
        crate::output::write_atomically(&path, file.contents.as_bytes())
            .map_err(|e| e.to_string())?;
        #[cfg(unix)]
        if file.executable {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .map_err(|e| format!("error: cannot make {} executable: {e}", path.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// A folder of its own for a test, with awkward characters in its path.
    fn awkward_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "grayzone cluster {tag} it's $HOME `x` \"q\" {}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// Writes an executable shell script.
    fn script(path: &Path, body: &str) {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::write(path, format!("#!/bin/sh\n{body}")).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn run_of(program: &str, scenario: &str, shards: u32) -> ShardedRun {
        ShardedRun {
            program: program.into(),
            scenario_id: "forward_defense_2022".into(),
            scenario: scenario.into(),
            options: ["--runs", "8000", "--seed", "1", "--bots", "russia=hawk"]
                .map(String::from)
                .to_vec(),
            runs: 8000,
            shards,
            outputs: merge_outputs("/jobs/j", "human", None, None),
            cpus_per_task: 2,
            job_name: "grayzone-forward-defense-2022".into(),
        }
    }

    #[test]
    fn shell_quote_survives_a_real_shell() {
        let words = [
            "plain",
            "",
            "with space",
            "it's",
            "'",
            "''",
            "$HOME",
            "`id`",
            "a\"b",
            "back\\slash",
            "new\nline",
            "tab\there",
            "*?[x]",
            "-n",
            "ü → ☢",
            "semi;colon&amp|pipe>out<in",
        ];
        for word in words {
            let quoted = shell_quote(word);
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!("printf '%s' {quoted}"))
                .output()
                .unwrap();
            assert_eq!(
                String::from_utf8(out.stdout).unwrap(),
                word,
                "{word:?} quoted as {quoted}"
            );
        }
        assert_eq!(shell_quote("/srv/grayzone/bin"), "/srv/grayzone/bin");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn shard_counts_are_bounded() {
        assert_eq!(check_shards(Some(4), Some(8000)), Ok(4));
        assert_eq!(check_shards(Some(1), Some(1)), Ok(1));
        assert_eq!(
            check_shards(Some(MAX_SHARDS), Some(1_000_000)),
            Ok(MAX_SHARDS)
        );
        let msg = check_shards(Some(0), Some(10)).unwrap_err();
        assert!(msg.contains("at least 1"), "{msg}");
        let msg = check_shards(Some(11), Some(10)).unwrap_err();
        assert!(msg.contains("every shard needs at least one game"), "{msg}");
        assert!(msg.contains("--shards 10"), "{msg}");
        let msg = check_shards(Some(MAX_SHARDS + 1), Some(10_000_000)).unwrap_err();
        assert!(msg.contains("more than 1000"), "{msg}");
        let msg = check_shards(None, Some(5000)).unwrap_err();
        assert!(msg.contains("need --shards"), "{msg}");
        let msg = check_shards(Some(4), None).unwrap_err();
        assert!(msg.contains("need --runs"), "{msg}");
    }

    #[test]
    fn job_names_fit_slurm_and_kubernetes() {
        assert_eq!(
            default_job_name("forward_defense_2022"),
            "grayzone-forward-defense-2022"
        );
        assert_eq!(default_job_name("Kahn  Ladder!"), "grayzone-kahn-ladder");
        let long = default_job_name(&"x_".repeat(60));
        assert!(long.len() <= 40, "{long}");
        for id in [
            "forward_defense_2022",
            "Kahn  Ladder!",
            &"x_".repeat(60),
            "__",
        ] {
            let name = default_job_name(id);
            assert_eq!(check_job_name(&name), Ok(()), "{name}");
        }
        for bad in [
            "",
            "Sweep",
            "9lives",
            "a b",
            "sweep-",
            "a_b",
            &"a".repeat(41),
        ] {
            let msg = check_job_name(bad).unwrap_err();
            assert!(msg.contains("lower-case letters"), "{msg}");
        }
    }

    #[test]
    fn yaml_strings_escape_what_yaml_would_read_otherwise() {
        assert_eq!(yaml_string("plain"), "\"plain\"");
        assert_eq!(yaml_string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            yaml_string("x\ny\tz\u{7f}\u{85}"),
            r#""x\ny\tz\u007f\u0085""#
        );
        for text in [
            "",
            "true",
            "null",
            "0x10",
            "- item",
            "key: value",
            "#c",
            "ü → ☢\r\n",
        ] {
            let back: String = serde_yaml_ng::from_str(&yaml_string(text)).unwrap();
            assert_eq!(back, text);
        }
    }

    #[test]
    fn slurm_tasks_run_the_exact_command_in_awkward_paths() {
        let dir = awkward_dir("slurm");
        let d = dir.to_str().unwrap();
        // A stand-in for grayzone that prints its arguments one per line.
        let program = dir.join("fake grayzone");
        script(
            &program,
            "for a in \"$@\"; do printf '%s\\n' \"$a\"; done\n",
        );
        let scenario = format!("{d}/my scenario");
        let mut run = run_of(program.to_str().unwrap(), &scenario, 4);
        run.outputs = merge_outputs(d, "human", Some(format!("{d}/out put.csv")), None);
        let files = slurm_files(&run, d, Some("batch"), Some("2:00:00")).unwrap();
        write_files(&dir, &files).unwrap();
        let shard = &files[0].contents;
        assert!(shard.contains("#SBATCH --array=0-3\n"), "{shard}");
        assert!(shard.contains("#SBATCH --cpus-per-task=2\n"), "{shard}");
        assert!(shard.contains("#SBATCH --partition=batch\n"), "{shard}");
        assert!(shard.contains("#SBATCH --time=2:00:00\n"), "{shard}");
        assert!(
            shard
                .lines()
                .filter(|l| l.starts_with("#SBATCH"))
                .all(|l| !l.contains(d)),
            "no paths in #SBATCH lines: {shard}"
        );
        let out = Command::new("bash")
            .arg(dir.join("shard.sbatch"))
            .env("SLURM_ARRAY_TASK_ID", "2")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let args: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(String::from)
            .collect();
        let expected: Vec<String> = [
            "simulate",
            &scenario,
            "--runs",
            "8000",
            "--seed",
            "1",
            "--bots",
            "russia=hawk",
            "--shard",
            "2/4",
            "--partial",
            &format!("{d}/partials/shard-2.partial"),
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(args, expected);

        let out = Command::new("bash")
            .arg(dir.join("merge.sbatch"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let partials: Vec<String> = (0..4)
            .map(|i| format!("{d}/partials/shard-{i}.partial"))
            .collect();
        let mut expected = vec!["merge".to_string()];
        expected.extend(partials.iter().cloned());
        expected.extend(["--format", "human", "--out"].map(String::from));
        expected.push(format!("{d}/result.txt"));
        expected.push("merge".into());
        expected.extend(partials.iter().cloned());
        expected.extend(["--format", "csv", "--out"].map(String::from));
        expected.push(format!("{d}/out put.csv"));
        assert_eq!(text.lines().collect::<Vec<_>>(), expected);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn submit_chains_the_merge_after_every_shard() {
        let dir = awkward_dir("submit");
        let d = dir.to_str().unwrap();
        let files = slurm_files(&run_of("/opt/gz/grayzone", "/srv/s", 3), d, None, None).unwrap();
        write_files(&dir, &files).unwrap();
        // A stand-in sbatch on PATH: records its arguments, answers with job ids.
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let calls = dir.join("calls");
        script(
            &bin.join("sbatch"),
            &format!(
                "n=$(($(cat {calls_q} 2>/dev/null | grep -c '^--parsable$') + 0))\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> {calls_q}; done\necho END >> {calls_q}\necho \"$((41 + n))\"\n",
                calls_q = shell_quote(calls.to_str().unwrap())
            ),
        );
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
        let submit = dir.join("submit.sh");
        let out = Command::new(&submit)
            .arg("--wait")
            .env("PATH", &path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            stdout.contains("shards: job 41 (3 array tasks)"),
            "{stdout}"
        );
        assert!(stdout.contains("merge: job 42"), "{stdout}");
        let calls = std::fs::read_to_string(&calls).unwrap();
        let calls: Vec<Vec<&str>> = calls
            .split("END\n")
            .filter(|c| !c.is_empty())
            .map(|c| c.lines().collect())
            .collect();
        let logs = format!("{d}/logs");
        assert_eq!(
            calls[0],
            [
                "--parsable".to_string(),
                format!("--chdir={d}"),
                format!("--output={logs}/shard-%a.out"),
                format!("{d}/shard.sbatch"),
            ]
        );
        assert_eq!(
            calls[1],
            [
                "--parsable".to_string(),
                "--dependency=afterok:41".into(),
                format!("--chdir={d}"),
                format!("--output={logs}/merge.out"),
                "--wait".into(),
                format!("{d}/merge.sbatch"),
            ]
        );
        assert!(dir.join("logs").is_dir() && dir.join("partials").is_dir());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn slurm_refuses_what_it_cannot_carry() {
        let run = run_of("/g", "/s", 2);
        let msg = slurm_files(&run, "/tmp/100%", None, None).unwrap_err();
        assert!(msg.contains("'%'"), "{msg}");
        let msg = slurm_files(&run, "/tmp/x", Some("a b"), None).unwrap_err();
        assert!(msg.contains("--partition \"a b\""), "{msg}");
        let msg = slurm_files(&run, "/tmp/x", None, Some("1h;rm")).unwrap_err();
        assert!(msg.contains("time limit"), "{msg}");
    }

    #[test]
    fn kubernetes_manifests_parse_and_run_the_same_command() {
        use serde::Deserialize as _;
        use serde_yaml_ng::Value;
        let files = vec![
            (
                "scenario.ron".to_string(),
                "(id: \"x\", // ü\n\ttitle: \"a: b\")\n".to_string(),
            ),
            ("actors.ron".to_string(), "[]\n".to_string()),
        ];
        let mut run = run_of("grayzone", "/ignored", 4);
        run.outputs = merge_outputs(
            "/home/me/sweep dir",
            "json",
            Some("/home/me/out.csv".into()),
            None,
        );
        let out = k8s_files(
            &run,
            "/home/me/sweep dir",
            "reg.example/grayzone:0.1",
            &files,
        )
        .unwrap();
        let docs: Vec<Value> = serde_yaml_ng::Deserializer::from_str(&out[0].contents)
            .map(|d| Value::deserialize(d).unwrap())
            .collect();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0]["kind"], "ConfigMap");
        assert_eq!(
            docs[0]["data"]["scenario.ron"].as_str(),
            Some(files[0].1.as_str())
        );
        assert_eq!(docs[1]["spec"]["accessModes"][0], "ReadWriteMany");
        let job = &docs[2];
        assert_eq!(job["kind"], "Job");
        assert_eq!(job["spec"]["completionMode"], "Indexed");
        assert_eq!(job["spec"]["completions"], 4);
        let container = &job["spec"]["template"]["spec"]["containers"][0];
        let args: Vec<&str> = container["args"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(
            args,
            [
                "simulate",
                "/scenario/forward_defense_2022",
                "--runs",
                "8000",
                "--seed",
                "1",
                "--bots",
                "russia=hawk",
                "--shard",
                "$(SHARD)/4",
                "--partial",
                "/sweep/partials/shard-$(SHARD).partial"
            ]
        );
        let merge: Value = serde_yaml_ng::from_str(&out[1].contents).unwrap();
        let containers = merge["spec"]["template"]["spec"]["containers"]
            .as_sequence()
            .unwrap();
        assert_eq!(containers.len(), 2, "the summary and the CSV");
        assert_eq!(containers[0]["args"][5], "--format");
        assert_eq!(containers[0]["args"][6], "json");
        assert_eq!(containers[1]["args"][6], "csv");
        let submit = &out[2].contents;
        assert!(
            submit.contains("-c result > '/home/me/sweep dir/result.json'"),
            "{submit}"
        );
        assert!(submit.contains("-c csv > /home/me/out.csv"), "{submit}");
        let msg = k8s_files(&run, "/x", "bad image", &files).unwrap_err();
        assert!(msg.contains("--image"), "{msg}");
        let big = vec![("actions.ron".to_string(), "x".repeat(K8S_CONFIGMAP_LIMIT))];
        let msg = k8s_files(&run, "/x", "img", &big).unwrap_err();
        assert!(msg.contains("ConfigMap"), "{msg}");
    }

    #[test]
    fn cluster_flags_without_a_target_are_refused() {
        let none = ClusterArgs::default();
        assert_eq!(none.check_unused(), Ok(()));
        let lonely = ClusterArgs {
            shards: Some(4),
            ..ClusterArgs::default()
        };
        let msg = lonely.check_unused().unwrap_err();
        assert!(msg.contains("--shards describes cluster jobs"), "{msg}");
        let used = ClusterArgs {
            emit_slurm: Some("x".into()),
            ..lonely
        };
        assert_eq!(used.check_unused(), Ok(()));
    }
}
