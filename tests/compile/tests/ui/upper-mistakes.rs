// The host's upper and work directories of a union: each mistake overlayfs would
// refuse, or that could not be a union at all, at the statement or literal at fault.
const UPPER: &str = "/srv/upper/";

mountns::namespace! {
    static NS = {
        bind "/alone/" upper("/srv/a/upper/", "/srv/a/work/");
        bind "/two/" ["/srv/lower/", tmpfs, upper("/srv/b/upper/", "/srv/b/work/")];
        bind "/same/" ["/srv/lower/", upper("/srv/c/", "/srv/c/")];
        bind "/nested/" ["/srv/lower/", upper("/srv/d/", "/srv/d/work/")];
        bind "/in-layer/" ["/srv/e/", upper("/srv/e/upper/", "/srv/work/")];
        bind "/proc-upper/" ["/srv/lower/", upper("/proc/upper/", "/srv/f/work/")];
        bind "/root-work/" ["/srv/lower/", upper("/srv/g/upper/", "/")];
        bind "/constant/" ["/srv/lower/", upper(UPPER, "/srv/h/work/")];
        bind ro "/read-only/" ["/srv/lower/", upper("/srv/i/upper/", "/srv/i/work/")];
        bind dev "/devices/" ["/srv/lower/", upper("/srv/m/upper/", "/srv/m/work/")];
        bind "/one/" ["/srv/lower/", upper("/srv/j/upper/", "/srv/j/work/")];
        bind "/other/" ["/srv/other/", upper("/srv/j/upper/", "/srv/k/work/")];
        bind "/missing/" ["/srv/lower/", upper("/srv/l/upper/")];
    };
}
fn main() {}
