// One source bound onto one target with two sets of flags is an error also where only
// const evaluation sees the two alike: a literal and a constant of one value, or a
// constant reached through an include of another crate's invocation. (Alike
// statements in one invocation: `different-flags.rs`.)
use mountns_support::profiles::constants::HOSTS;

mountns::namespace! {
    static LITERAL_AND_CONSTANT = { bind ro "/etc/x" "/etc/hosts"; bind "/etc/x" HOSTS; };
    static ACROSS_CRATES = {
        include mountns_support::profiles::constants::HOSTS_READ_ONLY;
        bind "/etc/x" HOSTS;
    };
}
fn main() {}
