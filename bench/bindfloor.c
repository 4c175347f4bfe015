/* The floor for the binds benchmark: N read-only binds of ROOT/binds/dI on /binds/dI in
 * a fresh tmpfs, each made with the fewest calls fd-based mounts allow (the mountpoint's
 * mkdirat, open_tree_attr of the source by name, move_mount by name, close), then exec
 * argv. Root, mount namespace only; no pivot, no checks beyond errno: the per-bind slope
 * (time at N - time at 0) / N is the yardstick, not the constant around it.
 * Usage: bindfloor N PROGRAM [ARGS...] */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/mount.h>

#define DIE(what) do { perror(what); _exit(127); } while (0)
#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467
#endif

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: bindfloor N PROGRAM [ARGS...]\n"); return 2; }
    int n = atoi(argv[1]);
    if (unshare(CLONE_NEWNS)) DIE("unshare");
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) DIE("private");
    int sources = open("/tmp/mountns-bench/binds", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (sources < 0) DIE("sources");
    if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")) DIE("scratch");
    if (mkdir("/tmp/binds", 0755)) DIE("mkdir");
    int binds = open("/tmp/binds", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (binds < 0) DIE("binds");
    char name[16];
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "d%d", i);
        if (mkdirat(binds, name, 0755)) DIE("mkdirat");
    }
    struct mount_attr attr = {
        .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
    };
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "d%d", i);
        int tree = syscall(SYS_open_tree_attr, sources, name,
                           OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
                               AT_SYMLINK_NOFOLLOW, &attr, sizeof attr);
        if (tree < 0) DIE("open_tree_attr");
        if (syscall(SYS_move_mount, tree, "", binds, name, MOVE_MOUNT_F_EMPTY_PATH))
            DIE("move_mount");
        close(tree);
    }
    execv(argv[2], argv + 2);
    DIE("exec");
}
