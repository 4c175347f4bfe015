//! `tiny-start PROGRAM [ARGS...]`: the `tiny` launcher's view, with the program started
//! in `/usr/share` with an environment of its own: the launcher builds it on its stack
//! from the table (`.ci/run` checks what the program gets).

#![no_std]
#![no_main]
#![forbid(unsafe_code)]

mountns::namespace! {
    static START = {
        bind ro ["/usr/", "/bin/", "/lib/", "/lib64/"];
        chdir "/usr/share";
        env clear;
        env "PATH" "/usr/bin:/bin";
        env "GREETING" "hello world";
    };
}

mountns::launcher!(START);
