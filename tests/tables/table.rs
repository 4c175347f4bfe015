//! The collapsed tables the macro builds, and their Display: no namespace is entered
//! here.

use core::ffi::CStr;

use mountns::{Flags, Kind, MadeIn, Mount, Namespace, Source, namespace};

const DATA: &str = "/srv/data";

namespace! {
    /// Every shape of statement.
    static SHAPES = {
        bind ro "/usr/";
        bind "/tmp/" tmpfs("size=10M,mode=1777");
        bind "/etc/" ["/etc/", tmpfs("size=1M")];
        bind "/opt/" ["/srv/a/", "/srv/b/"];
        bind "/opt/" "/srv/c";
        bind ["/dev/", "/proc/"];
        bind "/etc/hostname" "/etc/hostname";
        bind "/data/" DATA;
        bind "/tmp/cache/" "/var/cache/";
    };

    static LOCAL = {
        include SHAPES;
        bind "/home/" tmpfs;
    };
}

fn targets(ns: &Namespace) -> Vec<&str> {
    ns.mounts()
        .iter()
        .map(|m| m.target().to_str().unwrap())
        .collect()
}

fn find(ns: &'static Namespace, target: &CStr) -> Mount {
    *ns.mounts()
        .iter()
        .find(|m| m.target() == target)
        .unwrap_or_else(|| panic!("no mount on {target:?} in\n{ns}"))
}

#[test]
fn mounts_come_sorted_parents_first() {
    assert_eq!(
        targets(&SHAPES),
        [
            "/data",
            "/dev",
            "/etc",
            "/etc/hostname",
            "/opt",
            "/proc",
            "/tmp",
            "/tmp/cache",
            "/usr"
        ]
    );
}

#[test]
fn binds_keep_their_source_and_flags() {
    let usr = find(&SHAPES, c"/usr");
    assert_eq!(
        usr.kind(),
        Kind::Bind {
            source: Source::Host(c"/usr")
        }
    );
    assert!(usr.flags().is_read_only());
    assert!(usr.is_dir());
    let hostname = find(&SHAPES, c"/etc/hostname");
    assert!(!hostname.is_dir());
    assert_eq!(hostname.flags(), Flags::NONE);
    assert_eq!(
        find(&SHAPES, c"/data").kind(),
        Kind::Bind {
            source: Source::Host(c"/srv/data")
        }
    );
}

#[test]
fn tmpfs_options_are_split() {
    let Kind::Tmpfs(tmpfs) = find(&SHAPES, c"/tmp").kind() else {
        panic!("not a tmpfs");
    };
    assert_eq!(tmpfs.options(), c"size=10M,mode=1777");
    let params: Vec<_> = tmpfs
        .params()
        .iter()
        .map(|p| (p.key(), p.value()))
        .collect();
    assert_eq!(params, [(c"size", Some(c"10M")), (c"mode", Some(c"1777"))]);
    assert_eq!(find(&SHAPES, c"/tmp/cache").made_in(), MadeIn::Tmpfs);
    assert_eq!(find(&SHAPES, c"/etc/hostname").made_in(), MadeIn::Skeleton);
}

#[test]
fn several_binds_make_a_read_only_union_first_on_top() {
    let Kind::Union { lowers, upper } = find(&SHAPES, c"/opt").kind() else {
        panic!("not a union");
    };
    assert_eq!(
        lowers,
        [
            Source::Host(c"/srv/a"),
            Source::Host(c"/srv/b"),
            Source::Host(c"/srv/c")
        ]
    );
    assert_eq!(upper, None);
}

#[test]
fn a_tmpfs_with_binds_makes_a_writable_union() {
    let Kind::Union { lowers, upper } = find(&SHAPES, c"/etc").kind() else {
        panic!("not a union");
    };
    assert_eq!(lowers, [Source::Host(c"/etc")]);
    let upper = upper.expect("a writable union has an upper");
    assert_eq!(upper.tmpfs().unwrap().options(), c"size=1M");
    assert_eq!(mountns::__private::upper_index(&upper), 0);
}

#[test]
fn display_is_one_fstab_line_per_mount() {
    let expected = "\
/srv/data /data/ none rbind,nosuid,nodev
/dev /dev/ none rbind,nosuid,nodev
overlay /etc/ overlay nosuid,nodev,lowerdir=/etc,upper=tmpfs(size=1M)
/etc/hostname /etc/hostname none rbind,nosuid,nodev
overlay /opt/ overlay ro,nosuid,nodev,lowerdir=/srv/a:/srv/b:/srv/c
/proc /proc/ none rbind,nosuid,nodev
tmpfs /tmp/ tmpfs nosuid,nodev,size=10M,mode=1777
/var/cache /tmp/cache/ none rbind,nosuid,nodev
/usr /usr/ none rbind,ro,nosuid,nodev
";
    assert_eq!(SHAPES.to_string(), expected);
}

#[test]
fn the_skeleton_holds_every_mountpoint() {
    let skeleton: Vec<(&str, bool)> = mountns::__private::skeleton(&SHAPES)
        .iter()
        .map(|m| (m.path().to_str().unwrap(), m.is_dir()))
        .collect();
    assert!(skeleton.contains(&("etc/hostname", false)));
    assert!(skeleton.contains(&("tmp/cache", true)));
    assert_eq!(skeleton.len(), SHAPES.mounts().len());
}

#[test]
fn a_local_include_splices_before_collapsing() {
    let mut expected = targets(&SHAPES);
    expected.insert(4, "/home");
    assert_eq!(targets(&LOCAL), expected);
}

#[test]
fn includes_chain_across_crates() {
    use mountns_support::profiles::{BASE, TOOLS};
    // TOOLS includes BASE includes mountns::MINIMAL, all in other crates.
    for target in [
        "/dev",
        "/proc",
        "/usr/share/zoneinfo",
        "/etc/localtime",
        "/usr",
        "/etc",
    ] {
        assert!(targets(&TOOLS).contains(&target), "{target} in\n{TOOLS}");
        assert!(targets(&BASE).contains(&target), "{target} in\n{BASE}");
    }
    // A constant source crosses the boundary by value.
    assert_eq!(
        find(&TOOLS, c"/tools").kind(),
        Kind::Bind {
            source: Source::Host(c"/usr/bin")
        }
    );
    static HERE: &Namespace = namespace! {
        include mountns_support::profiles::TOOLS;
        include mountns_support::profiles::nested::UNION;
        bind "/tools/" "/opt/tools";
    };
    let Kind::Union { lowers, .. } = find(HERE, c"/tools").kind() else {
        panic!("not a union");
    };
    assert_eq!(
        lowers,
        [Source::Host(c"/usr/bin"), Source::Host(c"/opt/tools")]
    );
    let Kind::Union { lowers, .. } = find(HERE, c"/opt").kind() else {
        panic!("not a union");
    };
    assert_eq!(
        lowers,
        [Source::Host(c"/usr/share"), Source::Host(c"/usr/lib")]
    );
}

#[test]
fn minimal_has_what_a_program_needs() {
    assert_eq!(
        mountns::MINIMAL.to_string(),
        "\
dev /dev/ tmpfs ro,nosuid,nodev,noexec
/etc/localtime /etc/localtime none rbind,ro,nosuid,nodev
/etc/ssl/certs /etc/ssl/certs/ none rbind,ro,nosuid,nodev
proc /proc/ proc nosuid,nodev,noexec
/usr/share/ca-certificates /usr/share/ca-certificates/ none rbind,ro,nosuid,nodev
/usr/share/zoneinfo /usr/share/zoneinfo/ none rbind,ro,nosuid,nodev
unshare pid
"
    );
}

#[test]
fn the_expression_form_is_a_static_reference() {
    let ns: &'static Namespace = namespace! {
        include mountns::MINIMAL;
        bind "/tmp/" tmpfs;
    };
    assert_eq!(ns.mounts().len(), mountns::MINIMAL.mounts().len() + 1);
    let empty: &'static Namespace = namespace! {};
    assert!(empty.mounts().is_empty());
}

mod same_name_elsewhere {
    // The same declaration as in another module: their companion macros, both
    // exported at the crate root, must not clash.
    mountns::namespace! {
        pub static TWIN = { bind "/usr/"; };
    }
    pub mod inner {
        mountns::namespace! {
            pub static TWIN = { bind "/usr/"; };
        }
    }
}

#[test]
fn namespaces_of_one_name_in_two_modules_are_both_includable() {
    static OUTER: &Namespace = namespace! {
        include same_name_elsewhere::TWIN;
        bind "/x/";
    };
    static INNER: &Namespace = namespace! {
        include same_name_elsewhere::inner::TWIN;
    };
    assert_eq!(targets(OUTER), ["/usr", "/x"]);
    assert_eq!(targets(INNER), ["/usr"]);
}

#[test]
fn display_escapes_what_would_forge_lines_or_fields() {
    static FORGED: &Namespace = namespace! {
        bind "/a b/" "/srv/new\nline/";
        bind "/tab\there/" "/srv/back\\slash/";
        bind "/u/" ["/srv/x,upperdir=/etc:/srv/y", "/srv/z/"];
        bind "/t/" tmpfs("size=1M");
    };
    let expected = "\
/srv/new\\012line /a\\040b/ none rbind,nosuid,nodev
tmpfs /t/ tmpfs nosuid,nodev,size=1M
/srv/back\\134slash /tab\\011here/ none rbind,nosuid,nodev
overlay /u/ overlay ro,nosuid,nodev,lowerdir=/srv/x\\054upperdir=/etc\\072/srv/y:/srv/z
";
    assert_eq!(FORGED.to_string(), expected);
    // One line per mount, whatever the names hold.
    assert_eq!(FORGED.to_string().lines().count(), FORGED.mounts().len());
}

#[test]
fn every_byte_of_a_path_reaches_the_table() {
    // Quotes, backslashes, control characters, a combining mark, a character outside
    // the basic plane, text-direction and other format characters, a line separator,
    // a link's text: the rows are written by the macro as text rustc lexes, so the
    // escapes must be the literal's.
    static ODD: &Namespace = namespace! {
        bind ro "/a \"q\" b/" "/srv/\\x\u{7}\u{7f}";
        bind "/caf\u{e9}/\u{301}n/" "/srv/\u{1f600}\n\t\r";
        bind "/d\u{202e}ir'/" "/srv/\u{2066}\u{feff}\u{200b}\u{2028}'";
        symlink "/l\u{a0}nk" "../\"t\"";
    };
    let rows: Vec<(&[u8], Option<&[u8]>)> = ODD
        .mounts()
        .iter()
        .map(|m| {
            let source = match m.kind() {
                Kind::Bind {
                    source: Source::Host(source),
                } => Some(source.to_bytes()),
                _ => None,
            };
            (m.target().to_bytes(), source)
        })
        .collect();
    assert_eq!(
        rows,
        [
            (&b"/a \"q\" b"[..], Some(&b"/srv/\\x\x07\x7f"[..])),
            (
                "/caf\u{e9}/\u{301}n".as_bytes(),
                Some("/srv/\u{1f600}\n\t\r".as_bytes())
            ),
            (
                "/d\u{202e}ir'".as_bytes(),
                Some("/srv/\u{2066}\u{feff}\u{200b}\u{2028}'".as_bytes())
            ),
            ("/l\u{a0}nk".as_bytes(), None),
        ]
    );
    let skeleton: Vec<(&[u8], Option<&[u8]>)> = mountns::__private::skeleton(ODD)
        .iter()
        .map(|m| (m.path().to_bytes(), m.link().map(CStr::to_bytes)))
        .collect();
    for wanted in [
        (&b"a \"q\" b"[..], None),
        ("caf\u{e9}/\u{301}n".as_bytes(), None),
        ("d\u{202e}ir'".as_bytes(), None),
        ("l\u{a0}nk".as_bytes(), Some(&b"../\"t\""[..])),
    ] {
        assert!(skeleton.contains(&wanted), "{wanted:?} in {skeleton:?}");
    }
}

namespace! {
    /// The policy statements, and an includer in this crate of one in another.
    static POLICY = {
        include mountns_support::profiles::policy::POLICY;
        landlock strict;
        connect [53];
        bind_ports [8080];
        limit [nofile(4096), fsize("100M"), core(0)];
        timeout(30);
    };
}

#[test]
fn the_policy_composes_across_includes_and_displays() {
    use mountns::{Resource, TIMED_OUT};
    use std::time::Duration;

    // Landlock is strict if any statement says so; ports add up; each limit is the
    // tightest given; the shortest time limit wins, and it implies a pid namespace.
    let landlock = POLICY.landlock().unwrap();
    assert!(landlock.is_strict());
    assert_eq!(landlock.connect(), Some(&[53, 443][..]));
    assert_eq!(landlock.bind_ports(), Some(&[8080][..]));
    let limits: Vec<(Resource, u64)> = POLICY
        .limits()
        .iter()
        .map(|limit| (limit.resource(), limit.value()))
        .collect();
    assert_eq!(
        limits,
        [
            (Resource::Nofile, 1024),
            (Resource::As, 2 << 30),
            (Resource::Fsize, 100 << 20),
            (Resource::Core, 0)
        ]
    );
    assert_eq!(POLICY.timeout(), Some(Duration::from_secs(30)));
    assert!(POLICY.unshare().contains(mountns::Unshare::PID));
    assert_eq!(
        POLICY.to_string(),
        "/usr /usr/ none rbind,ro,nosuid,nodev\n\
         unshare pid\n\
         landlock strict\n\
         connect 53,443\n\
         bind_ports 8080\n\
         limit nofile=1024,as=2147483648,fsize=104857600,core=0\n\
         timeout 30\n"
    );
    // A table without them has none.
    assert!(SHAPES.landlock().is_none() && SHAPES.limits().is_empty());
    assert_eq!(SHAPES.timeout(), None);
    assert_eq!(TIMED_OUT, 137);
}
