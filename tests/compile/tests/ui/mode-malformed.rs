// A mode is octal digits, at most 7777; a file takes permission bits only, a
// directory no set-user-id. Each mistake says how to write it.
mountns::namespace! {
    static NS = {
        dir "/a/" mode(0648);
        dir "/b/" mode(17777);
        dir "/c/" mode("0755");
        dir "/d/" mode(0x1ff);
        dir "/e/" mode(4755);
        file "/f" "f" mode(644u32);
        file "/g" "g" mode(4755);
        file "/h" "h" mode(1777);
        dir "/i/" mode(0755) mode(0700);
        dir "/j/" mode(rwx);
    };
}
fn main() {}
