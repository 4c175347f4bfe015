mountns::namespace! {
    static NS = {
        bind "usr/";
        bind nosuchflag "/opt/";
        bind "/tmp/" tmpfs("size=ten");
        bind "/srv/" "relative";
        bind "/x/" tmpfs;
        bind "/x/" tmpfs("size=1M");
        bind "/y/" "/a" "/b";
    };
}
fn main() {}
