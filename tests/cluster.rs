//! `simulate --emit-slurm/--emit-k8s`: the job files of a sharded run, written by the real
//! command line for a shipped scenario. (Submitting them to a real Slurm cluster is
//! `.ci/slurm-test.sh`; a Kubernetes cluster is not available to tests, so the manifests are
//! checked by parsing them as YAML and reading the fields a Job needs.)

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize as _;
use serde_yaml_ng::Value;

fn grayzone(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_grayzone"))
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("grayzone-cluster {tag} {}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn yaml_documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    serde_yaml_ng::Deserializer::from_str(&text)
        .map(|d| Value::deserialize(d).expect("valid YAML"))
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_sequence()
        .expect("a list")
        .iter()
        .map(|s| s.as_str().expect("a string").to_string())
        .collect()
}

const SCENARIO: &str = "scenarios/forward_defense_2022";

#[test]
fn kubernetes_manifests_are_valid_jobs_for_the_run() {
    let dir = temp_dir("k8s");
    let out_dir = dir.join("sweep");
    let (code, stdout, stderr) = grayzone(&[
        "simulate",
        SCENARIO,
        "--runs",
        "1000000",
        "--seed",
        "5",
        "--doctrine",
        "hawk",
        "--emit-k8s",
        out_dir.to_str().unwrap(),
        "--shards",
        "100",
        "--cpus-per-task",
        "2",
        "--image",
        "registry.example.org/grayzone:0.1",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("Kubernetes indexed Job of 100 shards"),
        "{stdout}"
    );

    let docs = yaml_documents(&out_dir.join("sweep.yaml"));
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["ConfigMap", "PersistentVolumeClaim", "Job"]);
    for d in &docs {
        assert!(d["apiVersion"].is_string() && d["metadata"]["name"].is_string());
    }
    // The scenario travels byte for byte in the ConfigMap.
    for name in ["scenario.ron", "actors.ron", "actions.ron", "endings.ron"] {
        let on_disk = std::fs::read_to_string(Path::new(SCENARIO).join(name)).unwrap();
        assert_eq!(
            docs[0]["data"][name].as_str(),
            Some(on_disk.as_str()),
            "{name}"
        );
    }
    let claim = docs[1]["metadata"]["name"].as_str().unwrap();
    assert_eq!(strings(&docs[1]["spec"]["accessModes"]), ["ReadWriteMany"]);

    let job = &docs[2];
    assert_eq!(job["apiVersion"], "batch/v1");
    assert_eq!(job["spec"]["completionMode"], "Indexed");
    assert_eq!(job["spec"]["completions"], 100);
    let pod = &job["spec"]["template"]["spec"];
    assert_eq!(pod["restartPolicy"], "Never");
    let c = &pod["containers"][0];
    assert_eq!(c["image"], "registry.example.org/grayzone:0.1");
    assert_eq!(strings(&c["command"]), ["grayzone"]);
    assert_eq!(
        strings(&c["args"]),
        [
            "simulate",
            "/scenario/forward_defense_2022",
            "--runs",
            "1000000",
            "--seed",
            "5",
            "--doctrine",
            "hawk",
            "--shard",
            "$(SHARD)/100",
            "--partial",
            "/sweep/partials/shard-$(SHARD).partial",
        ]
    );
    assert_eq!(c["env"][0]["name"], "SHARD");
    assert_eq!(
        c["env"][0]["valueFrom"]["fieldRef"]["fieldPath"],
        "metadata.annotations['batch.kubernetes.io/job-completion-index']"
    );
    assert_eq!(c["resources"]["limits"]["cpu"], "2");
    // Every mount names a volume of the pod; the partials' volume is the claim.
    let volumes = pod["volumes"].as_sequence().unwrap();
    for m in c["volumeMounts"].as_sequence().unwrap() {
        assert!(volumes.iter().any(|v| v["name"] == m["name"]), "{m:?}");
    }
    assert!(
        volumes
            .iter()
            .any(|v| v["persistentVolumeClaim"]["claimName"] == claim)
    );
    assert!(
        volumes
            .iter()
            .any(|v| v["configMap"]["name"] == docs[0]["metadata"]["name"])
    );

    let merge = yaml_documents(&out_dir.join("merge.yaml"));
    assert_eq!(merge.len(), 1);
    assert_eq!(merge[0]["kind"], "Job");
    let m = &merge[0]["spec"]["template"]["spec"];
    let args = strings(&m["containers"][0]["args"]);
    assert_eq!(args[0], "merge");
    let partials: Vec<String> = (0..100)
        .map(|i| format!("/sweep/partials/shard-{i}.partial"))
        .collect();
    assert_eq!(args[1..101], partials, "every shard's partial, in order");
    assert_eq!(args[101..], ["--format", "human"]);
    assert_eq!(m["volumes"][0]["persistentVolumeClaim"]["claimName"], claim);

    let submit = std::fs::read_to_string(out_dir.join("submit.sh")).unwrap();
    assert!(submit.contains("kubectl apply -f"), "{submit}");
    let status = Command::new("sh")
        .arg("-n")
        .arg(out_dir.join("submit.sh"))
        .status()
        .unwrap();
    assert!(status.success(), "submit.sh is valid shell");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn slurm_scripts_are_written_for_the_run_and_nothing_is_played() {
    let dir = temp_dir("slurm");
    let out_dir = dir.join("job dir");
    let (code, stdout, stderr) = grayzone(&[
        "simulate",
        SCENARIO,
        "--runs",
        "8000",
        "--bots",
        "russia=hawk",
        "--emit-slurm",
        out_dir.to_str().unwrap(),
        "--shards",
        "4",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Slurm array job of 4 shards"), "{stdout}");
    assert!(!stdout.contains("games"), "nothing played: {stdout}");
    let shard = std::fs::read_to_string(out_dir.join("shard.sbatch")).unwrap();
    assert!(shard.contains("#SBATCH --array=0-3\n"), "{shard}");
    let scenario = std::fs::canonicalize(SCENARIO).unwrap();
    assert!(
        shard.contains(&format!(
            " simulate {} --runs 8000 --seed 1 --bots russia=hawk --shard \"$shard/4\"",
            scenario.display()
        )),
        "{shard}"
    );
    for script in ["shard.sbatch", "merge.sbatch", "submit.sh"] {
        let status = Command::new("bash")
            .arg("-n")
            .arg(out_dir.join(script))
            .status()
            .unwrap();
        assert!(status.success(), "{script} is valid bash");
    }
    let mode = std::fs::metadata(out_dir.join("submit.sh")).unwrap();
    assert!(std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o111 != 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cluster_flags_that_cannot_work_are_refused() {
    let dir = temp_dir("refused");
    let d = dir.join("x");
    let d = d.to_str().unwrap();
    let cases: [(&[&str], &str); 9] = [
        (&["--emit-slurm", d, "--shards", "4"], "need --runs"),
        (&["--runs", "100", "--emit-slurm", d], "need --shards"),
        (
            &["--runs", "3", "--emit-slurm", d, "--shards", "4"],
            "every shard needs at least one game",
        ),
        (
            &["--runs", "100", "--shards", "4"],
            "--shards describes cluster jobs",
        ),
        (
            &["--runs", "100", "--emit-k8s", d, "--shards", "4"],
            "--emit-k8s needs --image",
        ),
        (
            &[
                "--runs",
                "100",
                "--emit-slurm",
                d,
                "--shards",
                "4",
                "--save",
                d,
            ],
            "--save cannot be used",
        ),
        (
            &[
                "--runs",
                "100",
                "--emit-slurm",
                d,
                "--shards",
                "4",
                "--job-name",
                "My Sweep",
            ],
            "not a usable job name",
        ),
        (
            &[
                "--runs",
                "100",
                "--emit-slurm",
                d,
                "--shards",
                "4",
                "--shard",
                "0/4",
                "--partial",
                d,
            ],
            "--shard and --partial cannot be used",
        ),
        (
            &[
                "--runs",
                "100",
                "--emit-slurm",
                d,
                "--shards",
                "2",
                "--bots",
                "russia=owl",
            ],
            "unknown doctrine",
        ),
    ];
    for (args, message) in cases {
        let mut all = vec!["simulate", SCENARIO];
        all.extend_from_slice(args);
        let (code, _, stderr) = grayzone(&all);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(!dir.join("x").exists(), "nothing written on refusal");
    let _ = std::fs::remove_dir_all(&dir);
}
