// The time limit is kept by mountns's pid 1, which `as_pid_1` replaces with the program.
mountns::namespace! {
    static BOTH = { bind ro "/usr/"; as_pid_1; timeout(30); };
    static PROFILE = { timeout(30); };
    static THROUGH = { include PROFILE; as_pid_1; };
}

fn main() {}
