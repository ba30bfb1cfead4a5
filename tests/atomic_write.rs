//! Files are replaced atomically: a reader sees the old file or the new one, never a mix, a
//! truncated file or no file, whether through `write_atomically` or a save written by the
//! command line while another process reads it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use grayzone::output::write_atomically;

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("grayzone-atomic-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Reads `path` over and over until `stop`, checking each read is exactly one of `allowed`.
/// Returns how many reads it made.
fn read_while(path: PathBuf, allowed: Vec<Vec<u8>>, stop: Arc<AtomicBool>) -> usize {
    let mut reads = 0;
    while !stop.load(Ordering::Relaxed) {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("the file vanished: {e}"));
        assert!(
            allowed.contains(&bytes),
            "a reader saw a file of {} bytes that is neither the old nor the new one",
            bytes.len()
        );
        reads += 1;
    }
    reads
}

fn leftovers(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()))
        .collect()
}

#[test]
fn readers_never_see_a_half_written_file() {
    let dir = temp_dir("mix");
    let path = dir.join("data.bin");
    let a = vec![b'a'; 4 << 20];
    let b: Vec<u8> = (0..(3 << 20)).map(|i| (i % 251) as u8).collect();
    write_atomically(&path, &a).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (path, allowed, stop) = (path.clone(), vec![a.clone(), b.clone()], stop.clone());
        std::thread::spawn(move || read_while(path, allowed, stop))
    };
    for i in 0..40 {
        write_atomically(&path, if i % 2 == 0 { &b } else { &a }).unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    let reads = reader.join().expect("the reader saw only whole files");
    assert!(reads > 0);
    assert_eq!(std::fs::read(&path).unwrap(), a, "the last write wins");
    assert!(
        leftovers(&dir, &["data.bin"]).is_empty(),
        "temporary files left behind: {:?}",
        leftovers(&dir, &["data.bin"])
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_refused_and_left_as_it_is() {
    let dir = temp_dir("link");
    let target = dir.join("elsewhere.txt");
    std::fs::write(&target, "keep me").unwrap();
    let link = dir.join("save.ron");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let e = write_atomically(&link, b"new").expect_err("a link is not replaced");
    assert_eq!(e.path, link);
    assert!(e.to_string().contains("cannot write"), "{e}");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(leftovers(&dir, &["elsewhere.txt", "save.ron"]).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_save_rewritten_by_the_command_line_is_always_whole_for_a_reader() {
    let dir = temp_dir("save");
    let save = |seed: &str, path: &Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_grayzone"))
            .args([
                "simulate",
                "scenarios/forward_defense_2022",
                "--seed",
                seed,
                "--save",
            ])
            .arg(path)
            .output()
            .expect("the binary runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // The two saves as written on their own, beside the one rewritten under the reader.
    let path = dir.join("game.ron");
    save("1", &dir.join("one.ron"));
    save("2", &dir.join("two.ron"));
    let one = std::fs::read(dir.join("one.ron")).unwrap();
    let two = std::fs::read(dir.join("two.ron")).unwrap();
    assert_ne!(one, two);
    save("1", &path);
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (path, allowed, stop) = (path.clone(), vec![one.clone(), two.clone()], stop.clone());
        std::thread::spawn(move || read_while(path, allowed, stop))
    };
    for i in 0..8 {
        save(if i % 2 == 0 { "2" } else { "1" }, &path);
    }
    stop.store(true, Ordering::Relaxed);
    assert!(reader.join().expect("the reader saw only whole saves") > 0);
    assert_eq!(std::fs::read(&path).unwrap(), one);
    assert!(leftovers(&dir, &["game.ron", "one.ron", "two.ron"]).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}
