//! Every policy statement, as the README shows them, and an include of them.
mountns::namespace! {
    static BOX = {
        include mountns::MINIMAL;
        bind ro "/usr/";
        bind "/tmp/" tmpfs("size=64M");
        landlock;
        connect [443, 53];
        limit [nofile(1024), nproc(256), as("2G"), cpu(60), fsize("100M"), core(0)];
        timeout(30);
    };

    static SERVER = {
        include BOX;
        landlock strict;
        bind_ports [0, 8080];
        connect [];
        limit [as(1073741824), core("1k")];
        timeout(31536000);
    };
}

fn main() {
    assert_eq!(SERVER.landlock().unwrap().connect(), Some(&[53, 443][..]));
}
