//! The layers of docs/DESIGN.md, checked: data flows one way, so no module may reach a
//! layer above its own. A `use crate::…` (or a path `crate::…`) in code, not in comments,
//! counts as a reach.

use std::collections::BTreeSet;
use std::path::Path;

/// Each layer and the modules below it that it may use. Modules not listed here (the
/// application around the layers: `api`, `cli`, `config`, `imports`, `demo`,
/// `telemetry`, `synthetic`) may use any layer.
const LAYERS: &[(&str, &[&str])] = &[
    ("error", &[]),
    ("parallel", &[]),
    ("domain", &["error"]),
    ("spatial", &["domain", "error", "parallel"]),
    ("ingest", &["domain", "spatial", "error", "parallel"]),
    ("store", &["domain", "error", "parallel"]),
    (
        "atlas",
        &["store", "domain", "spatial", "error", "parallel"],
    ),
    (
        "analysis",
        &["atlas", "domain", "spatial", "error", "parallel"],
    ),
    (
        "output",
        &[
            "analysis", "atlas", "domain", "spatial", "error", "parallel",
        ],
    ),
];

fn rust_files(path: &Path, out: &mut Vec<std::path::PathBuf>) {
    if path.is_dir() {
        for entry in std::fs::read_dir(path).expect("read_dir").flatten() {
            rust_files(&entry.path(), out);
        }
    } else if path.is_file() && path.extension().is_some_and(|e| e == "rs") {
        out.push(path.to_path_buf());
    }
}

/// The top-level modules a source file names after `crate::`.
fn reached(source: &str) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // use crate::{a::b, c};
            let end = group.find('}').unwrap_or(group.len());
            for part in group[..end].split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn no_layer_reaches_a_layer_above_it() {
    let src = crate::helpers::root().join("src");
    let mut violations = Vec::new();
    for (layer, allowed) in LAYERS {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        rust_files(&src.join(format!("{layer}.rs")), &mut files);
        assert!(!files.is_empty(), "the layer {layer} has no source files");
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read");
            for module in reached(&text) {
                if module != *layer && !allowed.contains(&module.as_str()) {
                    violations.push(format!(
                        "{} uses crate::{module}, above the {layer} layer",
                        file.strip_prefix(&src).unwrap_or(&file).display()
                    ));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_checker_sees_grouped_and_plain_paths_but_not_comments() {
    let found = reached(
        "use crate::{atlas::Atlas, domain};\n// crate::api in a comment\nlet x = crate::store::Store::new();",
    );
    let found: Vec<&str> = found.iter().map(String::as_str).collect();
    assert_eq!(found, ["atlas", "domain", "store"]);
}
