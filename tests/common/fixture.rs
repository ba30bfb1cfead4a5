//! Variants of the mini rules fixture (`tests/fixtures/mini`), loaded through the one load path.

use grayzone::sim::LoadedScenario;

/// A copy of the mini fixture with some of its text replaced: each edit is (file name, text
/// that must occur in it, replacement). `tag` keeps the scratch folders of tests running at the
/// same time apart.
pub fn mini_with(tag: &str, edits: &[(&str, &str, &str)]) -> LoadedScenario {
    // One folder per call: tests of one process run at the same time and may share a tag.
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir =
        std::env::temp_dir().join(format!("grayzone-mini-{}-{tag}-{call}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir("tests/fixtures/mini").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        let mut text = std::fs::read_to_string(&path).unwrap();
        for (file, from, to) in edits {
            if *file == name {
                assert!(text.contains(from), "{name} has {from}");
                text = text.replace(from, to);
            }
        }
        std::fs::write(dir.join(&name), text).unwrap();
    }
    let loaded = LoadedScenario::load(&dir).expect("edited fixture loads").0;
    std::fs::remove_dir_all(&dir).ok();
    loaded
}
