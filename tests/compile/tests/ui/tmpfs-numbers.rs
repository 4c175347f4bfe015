// The numbers of tmpfs options, as the kernel reads them: every problem of one
// statement reported, each at the options.
mountns::namespace! {
    static NS = {
        bind "/a/" tmpfs("size=10Q,mode=999");
        bind "/b/" tmpfs("size=010M");
        bind "/c/" tmpfs("size=09M");
        bind "/d/" tmpfs("size=18014398509481985k");
        bind "/e/" tmpfs("nr_inodes=16P,uid=4294967295");
        bind "/f/" tmpfs("size=0x10M,nr_blocks=007,uid=+1000");
    };
}
fn main() {}
