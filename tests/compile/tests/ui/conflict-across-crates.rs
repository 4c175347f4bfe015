// mountns_support::profiles::BASE binds "/etc/" read-only; a tmpfs here makes it a writable
// union, which cannot be read-only: the conflict exists only across the crates.
mountns::namespace! {
    static NS = {
        include mountns_support::profiles::BASE;
        bind "/etc/" tmpfs("size=1M");
    };
}
fn main() {}
