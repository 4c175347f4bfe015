//! `file rw` (a writable copy of its content) and `file "/x" param(NAME);` (content
//! given when entering, as bytes or read from a descriptor), entered for real as root
//! and as uid 65534. The file's data lives in a tmpfs outside the new root: the
//! program reaches its own file and nothing else of it.

use std::io::Write as _;
use std::process::Command;
use std::thread;

use mountns::{CommandExt as _, Params, namespace};
use mountns_support::{BASE, USERS, as_user, each_user_sees, sh_stdout};

namespace! {
    static WRITABLE = {
        include BASE;
        file rw "/etc/resolv.conf" "nameserver 10.0.0.1\n";
        file "/etc/hostname" "box\n";
        bind "/proc/";
    };

    static GIVEN = {
        include BASE;
        file "/etc/passwd" param(PASSWD);
        file rw "/etc/group" param(GROUP) mode(0600);
        bind "/tmp/" tmpfs;
    };
}

#[test]
fn a_writable_file_is_a_copy_the_program_changes() {
    // It grows past the pages its content took (its tmpfs is not sized to it).
    let script = "echo 'nameserver 10.0.0.2' >> /etc/resolv.conf && cat /etc/resolv.conf; \
                  yes | head -c 204800 >> /etc/resolv.conf && stat -c %s /etc/resolv.conf; \
                  { echo x >> /etc/hostname; } 2>&- || echo refused; cat /etc/hostname";
    each_user_sees(
        &WRITABLE,
        script,
        "nameserver 10.0.0.1\nnameserver 10.0.0.2\n204840\nrefused\nbox\n",
    );
    // Each run has a copy of its own.
    each_user_sees(&WRITABLE, "cat /etc/resolv.conf", "nameserver 10.0.0.1\n");
}

#[test]
fn the_data_behind_a_file_is_no_path_of_the_sandbox() {
    // Each file is a mount of that file alone (its root a file of the data tmpfs);
    // nothing mounts the data tmpfs's directory, so no path leads to the other files.
    let script = "grep -E ' /etc/(resolv.conf|hostname) ' /proc/self/mountinfo | cut -d' ' -f4,5; \
                  grep ' - tmpfs ' /proc/self/mountinfo | cut -d' ' -f4,5 | grep '^/ '; \
                  ln /etc/resolv.conf /etc/link 2>&- || echo no-link";
    each_user_sees(
        &WRITABLE,
        script,
        "/0 /etc/hostname\n/1 /etc/resolv.conf\n/ /\nno-link\n",
    );
}

#[test]
fn content_given_when_entering_as_bytes_or_through_a_pipe() {
    let passwd = "me:x:1000:1000::/home/me:/bin/sh\n";
    for user in USERS {
        // bubblewrap's `--ro-bind-data FD` and `--bind-data FD`: a pipe, filled by a
        // thread, read to its end when set.
        let (read, write) = rustix::pipe::pipe().unwrap();
        let writer = thread::spawn(move || {
            let mut write = std::fs::File::from(write);
            write.write_all(&b"group\n".repeat(5000)).unwrap();
        });
        let params = Params::new()
            .set_content("PASSWD", passwd)
            .set_content_fd("GROUP", read)
            .unwrap();
        let script = "cat /etc/passwd; stat -c '%a %s' /etc/passwd /etc/group; \
                      echo mine > /etc/group && cat /etc/group; \
                      { echo x > /etc/passwd; } 2>&- || echo read-only";
        let seen = sh_stdout(GIVEN.with(params.clone()), script, user);
        writer.join().unwrap();
        assert_eq!(
            seen,
            format!("{passwd}444 33\n600 30000\nmine\nread-only\n"),
            "{user:?}"
        );
    }
}

#[test]
fn a_file_slot_wants_content() {
    for user in USERS {
        let mut command = Command::new("/bin/true");
        as_user(&mut command, user);
        let error = command
            .status_in(
                GIVEN.with(
                    Params::new()
                        .set_content("GROUP", "")
                        .set("PASSWD", "/etc/passwd"),
                ),
            )
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "mountns: file param(PASSWD) on \"/etc/passwd\": fill the sources chosen at run \
             time: no content for this file; give it with Params::set_content(NAME, BYTES) \
             or Params::set_content_fd(NAME, FD)",
            "{user:?}"
        );
    }
}

#[test]
fn the_table_shows_writable_and_given_files() {
    let table = GIVEN.to_string();
    for line in [
        "file /etc/group file nosuid,nodev,noexec,param(GROUP),mode=0600\n",
        "file /etc/passwd file ro,nosuid,nodev,noexec,param(PASSWD)\n",
    ] {
        assert!(table.contains(line), "{line} in\n{table}");
    }
    assert!(
        WRITABLE
            .to_string()
            .contains("file /etc/resolv.conf file nosuid,nodev,noexec,size=20\n")
    );
}
