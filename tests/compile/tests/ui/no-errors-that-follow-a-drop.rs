// The first statement would make /f a union, a directory; dropped for its relative
// source, it leaves /f a file bind: /f/x under it is no error of its own.
mountns::namespace! {
    static NS = {
        bind "/f" ["/srv/a/", "relative/"];
        bind "/f" "/srv/file";
        bind "/f/x/" "/srv/x/";
    };
}
fn main() {}
