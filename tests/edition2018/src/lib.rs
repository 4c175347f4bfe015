//! `namespace!` expanded in a crate of edition 2018, whose tests read the table back.

mountns::namespace! {
    /// A host bind and a tmpfs, with the skeleton under them: rows of each kind the
    /// macro writes as text or as tokens.
    pub static NS = {
        bind ro "/usr/";
        bind "/srv/data/" "/var/lib/data";
        bind "/tmp/" tmpfs("size=1M");
        symlink "/bin" "usr/bin";
    };
}

#[cfg(test)]
mod tests {
    use super::NS;

    #[test]
    fn the_table_reads_back_in_edition_2018() {
        let rows: Vec<String> = NS.mounts().iter().map(|m| m.to_string()).collect();
        assert_eq!(
            NS.to_string(),
            "usr/bin /bin symlink defaults\n\
             /var/lib/data /srv/data/ none rbind,nosuid,nodev\n\
             tmpfs /tmp/ tmpfs nosuid,nodev,size=1M\n\
             /usr /usr/ none rbind,ro,nosuid,nodev\n",
            "{:?}",
            rows
        );
        let skeleton: Vec<&str> = mountns::__private::skeleton(&NS)
            .iter()
            .map(|m| m.path().to_str().unwrap())
            .collect();
        assert!(
            skeleton.contains(&"srv/data") && skeleton.contains(&"bin"),
            "{:?}",
            skeleton
        );
    }
}
