/* The launch alone, for the entry benchmark: a static C program that executes argv[1] and makes no
 * namespace. floor.c minus this is what the sandbox's syscalls cost; it also shows
 * what glibc's own start-up and a second exec add to any static C launcher. */
#include <unistd.h>

int main(int argc, char **argv) {
    (void)argc;
    execv(argv[1], argv + 1);
    return 127;
}
