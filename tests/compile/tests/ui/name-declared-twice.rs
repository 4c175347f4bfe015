// Two declarations of one name in one invocation: the second name is the error.
mountns::namespace! {
    static A = { bind ro "/usr/"; };
    static B = { bind ro "/opt/"; };
    static A = { bind ro "/srv/"; };
}
fn main() {}
