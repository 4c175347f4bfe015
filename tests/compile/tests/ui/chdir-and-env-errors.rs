// `chdir` takes an absolute path; `env` a name without `=` and a value, one value per
// name whatever the includes; `env` takes `clear` or a name and a value.
mountns::namespace! {
    static BASE = { chdir "/src"; env "LANG" "C"; };
    static NS = {
        include BASE;
        chdir "src";
        env "A=B" "c";
        env "" "c";
        env "LANG" "C.UTF-8";
        env all;
    };
    static OTHER = { include BASE; chdir "/build"; };
}
fn main() {}
