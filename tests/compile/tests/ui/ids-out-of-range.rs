// User and group ids are 0 to 4294967294; one of each per table.
mountns::namespace! {
    static MINUS_ONE = { uid 4294967295; };
    static TOO_LARGE = { gid 99999999999; };
    static NEGATIVE = { uid -1; };
    static NOT_A_NUMBER = { gid "staff"; };
    static GROUP_TWICE = { groups [27, 100, 27]; };
    static BAD_GROUP = { groups [27, 4294967295]; };
    static ROOT = { uid 0; gid 0; };
    static TWO_UIDS = { include ROOT; uid 1000; };
}

fn main() {}
