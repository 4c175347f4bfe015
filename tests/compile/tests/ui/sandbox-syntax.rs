// Each new statement's own syntax errors.
mountns::namespace! {
    static LINK = { symlink "/lib"; };
}
mountns::namespace! {
    static FILE = { file "/etc/hostname"; };
}
mountns::namespace! {
    static UNSHARE = { unshare net; };
}
mountns::namespace! {
    static HOSTNAME = { hostname box; };
}
mountns::namespace! {
    static SESSION = { new_session true; };
}
mountns::namespace! {
    static TARGET = { dir VAR_TMP; };
}
fn main() {}
