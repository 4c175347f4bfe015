/* libseccomp's program for a policy, written to stdout as raw BPF (bubblewrap's
   `--seccomp FD` takes it so). The policy comes on stdin, a line each:

     default allow | default errno N      what a call without a rule gets
     optimize 2                           libseccomp's binary tree (1, a list, is default)
     arch x86 | arch x32                  another entry point, with the same rules
     call NAME allow | call NAME errno N
     arg NAME INDEX VALUE MASK errno N    when (argument & MASK) == VALUE

   The benchmarks derive each policy from the program mountns compiled for the same
   statements, so both sides refuse the same calls. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, int rc) {
    fprintf(stderr, "libseccomp: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
    exit(1);
}

static unsigned int action(const char *word, long errno_) {
    return strcmp(word, "allow") == 0 ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(errno_);
}

int main(void) {
    char line[512], a[128], b[128];
    long n;
    scmp_filter_ctx ctx = NULL;
    while (fgets(line, sizeof line, stdin)) {
        if (sscanf(line, "default %127s %ld", a, &n) >= 1) {
            ctx = seccomp_init(action(a, n));
            if (!ctx)
                fail("init", ENOMEM);
        } else if (sscanf(line, "optimize %ld", &n) == 1) {
            int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, n);
            if (rc)
                fail("optimize", rc);
        } else if (sscanf(line, "arch %127s", a) == 1) {
            int rc = seccomp_arch_add(ctx, seccomp_arch_resolve_name(a));
            if (rc && rc != -EEXIST)
                fail(a, rc);
        } else if (sscanf(line, "call %127s %127s %ld", a, b, &n) >= 2) {
            int nr = seccomp_syscall_resolve_name(a);
            if (nr == __NR_SCMP_ERROR)
                continue; /* not a call libseccomp knows here */
            int rc = seccomp_rule_add(ctx, action(b, n), nr, 0);
            if (rc)
                fail(a, rc);
        } else {
            unsigned int index;
            unsigned long long value, mask;
            if (sscanf(line, "arg %127s %u %llu %llu errno %ld", a, &index, &value, &mask, &n) != 5)
                fail("a line of the policy", EINVAL);
            int nr = seccomp_syscall_resolve_name(a);
            if (nr == __NR_SCMP_ERROR)
                continue;
            int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(n), nr, 1,
                                      SCMP_CMP(index, SCMP_CMP_MASKED_EQ, mask, value));
            if (rc)
                fail(a, rc);
        }
    }
    int rc = seccomp_export_bpf(ctx, 1);
    if (rc)
        fail("export", rc);
    return 0;
}
