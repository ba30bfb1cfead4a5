//! Everything the command line writes: standard output and error through one writer that ends
//! quietly when the reader goes away (`grayzone … | head -1`), and files through one atomic
//! writer that refuses to replace anything but a regular file.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The exit code used when standard output was closed by its reader: the reader has what it
/// wanted, so this is not a failure.
pub const CLOSED_PIPE_EXIT: i32 = 0;

/// Writes `text` to standard output and flushes it. When the reader has closed the pipe, the
/// process ends quietly with [`CLOSED_PIPE_EXIT`]; any other write error (a full disk, …) is
/// reported on standard error and ends the process with 1. Never panics.
pub fn out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let result = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
    drop(stdout);
    if let Err(e) = result {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(CLOSED_PIPE_EXIT);
        }
        err(&format!("error: cannot write to standard output: {e}\n"));
        std::process::exit(1);
    }
}

/// Writes `text` to standard error. Errors are dropped: there is nowhere left to report them.
pub fn err(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

/// [`err`] with a line end added.
pub fn errln(text: &str) {
    if text.ends_with('\n') {
        err(text);
    } else {
        err(&format!("{text}\n"));
    }
}

/// Why a file could not be written: the file, what went wrong and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteError {
    /// The file that was to be written.
    pub path: PathBuf,
    /// What went wrong, in plain words.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "error: cannot write {}: {}",
            self.path.display(),
            self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  = help: {help}")?;
        }
        Ok(())
    }
}

/// Writes a file so that readers see either the old contents or the new, never a mix: the bytes
/// go to a fresh temporary file beside the target (a name unique to this writer), which is
/// synced, renamed over the target, and the folder synced. Refuses to replace anything that is
/// not a regular file (a symbolic link, a folder, a device, a named pipe), leaving it as it is.
/// Creates the parent folder when missing.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let mut writer = AtomicWriter::create(path)?;
    writer.write_all(bytes).map_err(|e| writer.error(&e))?;
    writer.commit()
}

/// A file written in pieces (a table streamed as games finish) with the guarantees of
/// [`write_atomically`]: the pieces go to a temporary file beside the target, and the target is
/// replaced only by [`AtomicWriter::commit`]. Dropped without a commit (an error, Ctrl-C), the
/// temporary file is removed and the target is left as it was.
pub struct AtomicWriter {
    path: PathBuf,
    dir: PathBuf,
    tmp: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
}

impl AtomicWriter {
    /// Starts writing `path`: refuses special files, creates the parent folder when missing
    /// and opens the temporary file.
    pub fn create(path: &Path) -> Result<Self, WriteError> {
        let fail = |message: String, help: Option<&str>| WriteError {
            path: path.to_path_buf(),
            message,
            help: help.map(str::to_string),
        };
        refuse_special(path)?;
        let Some(name) = path.file_name() else {
            return Err(fail(
                "this is not a file name".into(),
                Some("give the path of a file, e.g. out/game.ron"),
            ));
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(|e| {
            fail(
                format!("cannot create the folder {}: {e}", dir.display()),
                None,
            )
        })?;
        let (tmp, file) = create_temp(&dir, name).map_err(|e| {
            fail(
                format!("cannot create a temporary file in {}: {e}", dir.display()),
                Some("check that the folder exists and this user may write to it"),
            )
        })?;
        Ok(AtomicWriter {
            path: path.to_path_buf(),
            dir,
            tmp,
            file: Some(std::io::BufWriter::with_capacity(1 << 16, file)),
        })
    }

    /// The file being written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A write error of this file, as a [`WriteError`] naming it.
    pub fn error(&self, e: &std::io::Error) -> WriteError {
        WriteError {
            path: self.path.clone(),
            message: e.to_string(),
            help: None,
        }
    }

    /// Flushes and syncs the temporary file and renames it over the target.
    pub fn commit(mut self) -> Result<(), WriteError> {
        let Some(file) = self.file.take() else {
            return Err(self.error(&std::io::Error::other("already committed")));
        };
        let synced = file
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|f| f.sync_all());
        if let Err(e) = synced {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(self.error(&e));
        }
        // Checked again just before the rename: something may have appeared meanwhile.
        if let Err(e) = refuse_special(&self.path) {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(e);
        }
        if let Err(e) = std::fs::rename(&self.tmp, &self.path) {
            let _ = std::fs::remove_file(&self.tmp);
            return Err(self.error(&e));
        }
        // The rename is durable once the folder is synced (not every file system can: best effort).
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl std::io::Write for AtomicWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(std::io::Error::other("the file was already committed")),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicWriter {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// An error when `path` exists and is not a regular file (a symbolic link counts as special:
/// replacing it would silently cut the link).
fn refuse_special(path: &Path) -> Result<(), WriteError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(WriteError {
                path: path.to_path_buf(),
                message: e.to_string(),
                help: None,
            });
        }
    };
    let what = if meta.file_type().is_symlink() {
        "a symbolic link"
    } else if meta.is_file() {
        return Ok(());
    } else {
        crate::scenario::load::file_type_name(&meta)
    };
    Err(WriteError {
        path: path.to_path_buf(),
        message: format!("it is {what}, not a regular file, so it is left as it is"),
        help: Some("choose another file name, or remove what is there first".into()),
    })
}

/// A new, empty temporary file in `dir` whose name no other writer uses: this process's id, a
/// counter and the time, created with `create_new` (retried on the rare collision).
fn create_temp(dir: &Path, name: &std::ffi::OsStr) -> std::io::Result<(PathBuf, std::fs::File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut last = None;
    for _ in 0..16 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(
            ".{}-{}-{nanos}.tmp",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let tmp = dir.join(tmp_name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("no free temporary name")))
}

/// `n` with thousands separators: 10000 → "10,000".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("grayzone-out-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(4211), "4,211");
        assert_eq!(thousands(10_000_000), "10,000,000");
    }

    #[test]
    fn writes_replace_regular_files_and_leave_no_temporary_file() {
        let dir = temp_dir("plain");
        let path = dir.join("sub").join("a.txt");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let left: Vec<_> = std::fs::read_dir(dir.join("sub")).unwrap().collect();
        assert_eq!(left.len(), 1, "a temporary file was left behind");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_refused_and_left_in_place() {
        let dir = temp_dir("symlink");
        let target = dir.join("target.txt");
        std::fs::write(&target, "keep me").unwrap();
        let link = dir.join("link.ron");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = write_atomically(&link, b"save").unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert!(e.to_string().contains("link.ron"), "{e}");
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_streamed_file_appears_only_when_committed() {
        let dir = temp_dir("stream");
        let path = dir.join("table.csv");
        std::fs::write(&path, "old").unwrap();
        let mut w = AtomicWriter::create(&path).unwrap();
        w.write_all(b"new ").unwrap();
        w.write_all(b"rows").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        w.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new rows");
        let mut dropped = AtomicWriter::create(&path).unwrap();
        dropped.write_all(b"lost").unwrap();
        drop(dropped);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new rows");
        assert_eq!(
            std::fs::read_dir(&dir).unwrap().count(),
            1,
            "temporary file left"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_folder_is_refused() {
        let dir = temp_dir("folder");
        let e = write_atomically(&dir, b"save").unwrap_err();
        assert!(e.to_string().contains("a folder"), "{e}");
        assert!(dir.is_dir());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_or_device_is_refused() {
        let e = write_atomically(Path::new("/dev/null"), b"save").unwrap_err();
        assert!(e.to_string().contains("a device"), "{e}");
        let dir = temp_dir("fifo");
        let fifo = dir.join("pipe.ron");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if made {
            let e = write_atomically(&fifo, b"save").unwrap_err();
            assert!(e.to_string().contains("a named pipe"), "{e}");
            use std::os::unix::fs::FileTypeExt as _;
            assert!(
                std::fs::symlink_metadata(&fifo)
                    .unwrap()
                    .file_type()
                    .is_fifo()
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn two_writers_at_once_both_succeed_with_one_complete_file() {
        let dir = temp_dir("race");
        let path = dir.join("save.ron");
        let a = vec![b'a'; 300_000];
        let b = vec![b'b'; 200_000];
        for _ in 0..20 {
            std::thread::scope(|s| {
                let h1 = s.spawn(|| write_atomically(&path, &a));
                let h2 = s.spawn(|| write_atomically(&path, &b));
                h1.join().unwrap().unwrap();
                h2.join().unwrap().unwrap();
            });
            let got = std::fs::read(&path).unwrap();
            assert!(got == a || got == b, "a mix of two saves");
        }
        let left = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(left, 1, "temporary files were left behind");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
