const PROJECT: &str = "/srv/project/";
mountns::namespace! {
    static NS = {
        bind PROJECT [PROJECT, tmpfs];
        bind ro PROJECT "/srv/";
        bind ["/usr/", env!("HOME")];
        bind crate::PROJECT;
    };
}
fn main() {}
