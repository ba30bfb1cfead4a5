//! `grayzone validate` as a command: exit codes, formats, several folders at once.

use std::process::Command;

fn validate(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_grayzone"))
        .arg("validate")
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn exit_codes_follow_errors_and_deny_warnings() {
    let (code, out) = validate(&["tests/golden/clean"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "ok: tests/golden/clean has no problems\n")
    );
    let (code, out) = validate(&["tests/golden/e102_unknown_action"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        std::fs::read_to_string("tests/golden/e102_unknown_action/expected.txt").unwrap()
    );
    let (code, _) = validate(&["tests/golden/w301_unused_attribute"]);
    assert_eq!(code, 0);
    let (code, out) = validate(&["--deny-warnings", "tests/golden/w301_unused_attribute"]);
    assert_eq!(code, 1);
    assert!(
        out.ends_with("error: tests/golden/w301_unused_attribute: 1 warning\n"),
        "{out}"
    );
}

#[test]
fn json_covers_every_folder_given() {
    let (code, out) = validate(&[
        "--format",
        "json",
        "tests/golden/clean",
        "tests/golden/e101_unknown_actor",
        "tests/golden/w303_inject_after_last_turn",
    ]);
    assert_eq!(code, 1);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
    assert_eq!(doc["errors"], 1);
    assert_eq!(doc["warnings"], 1);
    let first = &doc["diagnostics"][0];
    assert_eq!(first["code"], "E101");
    assert_eq!(first["file"], "tests/golden/e101_unknown_actor/actors.ron");
    assert_eq!(first["line"], 7);
    assert_eq!(first["column"], 19);
    assert_eq!(first["suggestions"][0], "alpha");
}

#[test]
fn a_missing_folder_is_an_error_not_a_panic() {
    let (code, out) = validate(&["tests/golden/no_such_scenario"]);
    assert_eq!(code, 1);
    assert!(
        out.starts_with(
            "error[E001]: there is no scenario folder at tests/golden/no_such_scenario"
        ),
        "{out}"
    );
}
