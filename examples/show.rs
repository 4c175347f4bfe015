use mountns::namespace;

const SRV: &str = "/srv";

namespace! {
    /// Host /usr read-only and a fresh /tmp.
    pub static SANDBOX = {
        include mountns::MINIMAL;
        bind ro "/usr/";
        bind "/tmp/" tmpfs("size=10M");
        bind "/etc/" ["/etc/", tmpfs("size=1M")];
        bind "/opt/" ["/srv/a/", "/srv/b/"];
        bind "/srv/" SRV;
        assert hidden ["/home/", "/root/"];
    };
    static OTHER = {
        include SANDBOX;
        bind "/x/" concat!("/y", "z");
    };
}

fn main() {
    print!("{SANDBOX}");
    println!("-- what it exposes of the host:");
    print!("{}", SANDBOX.exposure());
    println!("--");
    print!("{OTHER}");
    let ns: &'static mountns::Namespace = namespace! { include OTHER; bind "/q/"; };
    println!("--");
    print!("{ns}");
    for m in mountns::__private::skeleton(ns) {
        println!("{m:?}");
    }
}
