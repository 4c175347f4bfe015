// Mistakes in `assert` statements, each reported at once.
mountns::namespace! {
    static NS = {
        assert hidden [];
        assert hidden ["home/", "/root/", "/root"];
        assert hidden "/home/";
        assert readonly except [];
        assert readonly except "/src/";
        assert readonly except ["src/"];
        assert unshared [];
        assert unshared [net, mount, user, time, net];
        assert caps [];
        assert no_dev no_dev;
        assert hidden [HOME];
    };
}

fn main() {}
