//! Host files the tests' declarations name: directories under /tmp readable by uid
//! 65534, at the fixed paths a declaration names at compile time (each test a
//! directory of its own), or per process.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::nobody;

/// Two layers that clash on `both.txt`, a third directory and a file, in a fixture:
/// `ROOT/a`, `ROOT/b`, `ROOT/c/c.txt` and `ROOT/file.txt`.
pub struct Layers {
    pub fixture: Fixture,
    pub a: String,
    pub b: String,
    pub c: String,
    pub file: String,
}

impl Layers {
    pub fn at(root: &str) -> Layers {
        Layers::named(root, "a", "b")
    }

    /// The same, the two layers under other names.
    pub fn named(root: &str, a: &str, b: &str) -> Layers {
        let fixture = Fixture::at(root);
        fixture.file(&format!("{a}/a.txt"), "A\n");
        fixture.file(&format!("{a}/both.txt"), "from a\n");
        fixture.file(&format!("{b}/b.txt"), "B\n");
        fixture.file(&format!("{b}/both.txt"), "from b\n");
        let (a, b) = (fixture.path(a), fixture.path(b));
        let c = fixture.dir("c");
        fixture.file("c/c.txt", "C\n");
        let file = fixture.file("file.txt", "file\n");
        Layers {
            fixture,
            a,
            b,
            c,
            file,
        }
    }
}

static FIXTURES: AtomicUsize = AtomicUsize::new(0);

/// A directory of host files, `/tmp/mountns-test-<pid>-<n>`, readable by uid 65534;
/// removed on drop.
pub struct Fixture {
    root: PathBuf,
}

impl Fixture {
    /// The directory `root`, under /tmp, made afresh and readable by uid 65534 from
    /// /tmp down: for the sources a declaration names.
    pub fn at(root: &str) -> Fixture {
        let root = PathBuf::from(root);
        assert!(root.starts_with("/tmp/"), "{}", root.display());
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let mut dir = root.as_path();
        while dir != Path::new("/tmp") {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
            dir = dir.parent().unwrap();
        }
        Fixture { root }
    }

    /// A directory of this process's own, `/tmp/mountns-test-<pid>-<n>`.
    // Not `Default`: it makes a directory on the host.
    #[allow(clippy::new_without_default)]
    pub fn new() -> Fixture {
        let n = FIXTURES.fetch_add(1, Ordering::Relaxed);
        let root = PathBuf::from(format!("/tmp/mountns-test-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir(&root).unwrap();
        fs::set_permissions(&root, fs::Permissions::from_mode(0o755)).unwrap();
        Fixture { root }
    }

    pub fn path(&self, rel: &str) -> String {
        self.root.join(rel).to_str().unwrap().to_owned()
    }

    /// Creates the directory `rel` (and its parents), 0755.
    pub fn dir(&self, rel: &str) -> String {
        let path = self.root.join(rel);
        fs::create_dir_all(&path).unwrap();
        let mut dir = path.as_path();
        while dir != self.root {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
            dir = dir.parent().unwrap();
        }
        path.to_str().unwrap().to_owned()
    }

    /// Gives `rel` (a file 0666, a directory 0777) to
    /// [`User::Nobody`](crate::User::Nobody), writable by all: what both users may
    /// change through a writable union. That user must own it
    /// (copy-up in a user namespace fails with EOVERFLOW for a file whose owner is not
    /// mapped, root's), and root inside holds no capability (`CAP_DAC_OVERRIDE`
    /// neither).
    pub fn share(&self, rel: &str) {
        let path = self.root.join(rel);
        std::os::unix::fs::chown(&path, Some(nobody()), Some(nobody())).unwrap();
        let mode = if path.is_dir() { 0o777 } else { 0o666 };
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    }

    /// Creates the file `rel` with `contents`, 0644, and its directory.
    pub fn file(&self, rel: &str, contents: &str) -> String {
        if let Some(parent) = Path::new(rel).parent()
            && !parent.as_os_str().is_empty()
        {
            self.dir(parent.to_str().unwrap());
        }
        let path = self.root.join(rel);
        fs::write(&path, contents).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// Creates the fixed directory `root` (a path that `namespace!` declarations name, so
/// not per process, and left in place) with the directory `dir` and the file `file` in
/// it, all readable by uid 65534.
pub fn fixed_fixtures(root: &str, dir: &str, file: &str) {
    let dir = format!("{root}/{dir}");
    fs::create_dir_all(&dir).unwrap();
    let file = format!("{root}/{file}");
    fs::write(&file, "a file\n").unwrap();
    for (path, mode) in [(root, 0o755), (&dir, 0o755), (&file, 0o644)] {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }
}
