//! Embeds the rule documentation (`rules/*.yaml`) for `--format sarif` help
//! texts: writes `$OUT_DIR/rule_docs.rs` with one `include_str!` per file.

use std::path::Path;

fn main() {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("rules");
    println!("cargo:rerun-if-changed=rules");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from("/// (code, YAML text) of every `rules/*.yaml`.\npub static RULE_DOCS: &[(&str, &str)] = &[\n");
    for p in &files {
        println!("cargo:rerun-if-changed={}", p.display());
        let code = p.file_stem().unwrap().to_string_lossy().into_owned();
        out.push_str(&format!(
            "    ({:?}, include_str!({:?})),\n",
            code,
            p.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("rule_docs.rs");
    std::fs::write(dest, out).expect("write rule_docs.rs");
}
