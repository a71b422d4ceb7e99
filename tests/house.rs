//! The house in order, as checks anyone can run: the library's top-level modules import
//! only modules below them (so no import cycle), no source file is longer than one can
//! hold in one's head, and the model and the engine do no I/O. ARCHITECTURE.md states
//! these invariants and names these tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers of ARCHITECTURE.md, bottom first: a module may import the modules of
/// lower layers only (and none of its own layer).
const LAYERS: &[&[&str]] = &[
    &["stats", "dtype", "scenario"],
    &["model"],
    &["engine"],
    &["sensitivity"],
    &["parameter"],
    &["report"],
    &["sweep"],
    &["literature"],
    &["calibrate"],
    &["error"],
    &["cli"],
];

/// The most lines a source file of `src/` may have. A module's unit tests, kept in its
/// own `tests.rs`, are tests and not held to it (the rule is about code one must hold
/// in one's head to change it; a test reads on its own).
const MAX_LINES: usize = 600;

fn sources() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out.sort();
    out
}

/// `path` relative to the crate, with `/` separators.
fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let rel = path.strip_prefix(root).unwrap();
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The top-level module a file of `src/` belongs to (`None` for lib.rs and main.rs).
fn module_of(rel: &str) -> Option<String> {
    let rest = rel.strip_prefix("src/")?;
    let first = rest.split('/').next()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

/// The code of a Rust file without its comments (line, doc and block comments) and
/// without the contents of string literals, so a path in prose is not an import.
fn code_only(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if b[i] == b'"' {
            out.push('"');
            i += 1;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            out.push('"');
            i += 1;
        } else if b[i] == b'\'' && b.get(i + 2) == Some(&b'\'') {
            // A character literal such as '"' or '{'.
            out.push_str("' '");
            i += 3;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

/// The top-level modules `code` names through `crate::`, as `crate::name` or in a
/// `crate::{a, b::c, …}` list (nested braces included).
fn named_modules(code: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let before = rest[..at].chars().next_back();
        rest = after;
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        let after = after.trim_start();
        if let Some(list) = after.strip_prefix('{') {
            // The list's top-level entries.
            let (mut depth, mut entry_start) = (0usize, true);
            for (i, c) in list.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => entry_start = true,
                    c if entry_start && !c.is_whitespace() => {
                        entry_start = false;
                        let name = ident(&list[i..]);
                        if !name.is_empty() {
                            out.insert(name);
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(after);
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// Module → the modules it imports.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// The import graph between top-level modules: `from → {to}`, and one file where each
/// edge is found.
fn import_graph() -> (Graph, BTreeMap<(String, String), String>) {
    let mut graph = Graph::new();
    let mut seen_in = BTreeMap::new();
    let files = sources();
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|p| module_of(&relative(p)))
        .collect();
    for path in &files {
        let rel = relative(path);
        let Some(from) = module_of(&rel) else {
            continue;
        };
        let code = code_only(&std::fs::read_to_string(path).unwrap());
        for to in named_modules(&code) {
            if to != from && modules.contains(&to) {
                graph.entry(from.clone()).or_default().insert(to.clone());
                seen_in
                    .entry((from.clone(), to))
                    .or_insert_with(|| rel.clone());
            }
        }
    }
    (graph, seen_in)
}

/// A cycle of `graph`, if it has one (depth-first search).
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let from = path.iter().position(|n| n == next).unwrap();
                    let mut cycle = path[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, graph, state, path) {
                        return Some(c);
                    }
                }
            }
        }
        path.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if !state.contains_key(node)
            && let Some(c) = visit(node, graph, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

#[test]
fn the_reader_finds_imports_and_skips_prose() {
    let code = code_only(
        "use crate::model::{self, Model};\n\
         use crate::{engine::seed, report::{columns, metrics}};\n\
         // crate::sweep in a comment\n\
         /* crate::cli /* nested */ crate::calibrate */\n\
         let s = \"crate::literature\";\n\
         let t = crate::scenario::Scenario::default();\n\
         let c = '\"'; let u = crate::parameter::Plan::new();",
    );
    let names: Vec<_> = named_modules(&code).into_iter().collect();
    assert_eq!(
        names,
        ["engine", "model", "parameter", "report", "scenario"]
    );
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    g.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    assert_eq!(find_cycle(&g), None);
    g.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(find_cycle(&g).map(|c| c.len()), Some(4));
}

/// Every import between top-level modules points down [`LAYERS`]; a cycle, which would
/// need an import up, is named whole if one appears all the same.
#[test]
fn modules_import_only_lower_layers() {
    let (graph, seen_in) = import_graph();
    let layer = |m: &str| LAYERS.iter().position(|l| l.contains(&m));
    let mut faults = Vec::new();
    for (from, tos) in &graph {
        for to in tos {
            let file = &seen_in[&(from.clone(), to.clone())];
            match (layer(from), layer(to)) {
                (Some(f), Some(t)) if t < f => {}
                (None, _) | (_, None) => faults.push(format!(
                    "{from} → {to} ({file}): a module missing from LAYERS (and ARCHITECTURE.md)"
                )),
                _ => faults.push(format!(
                    "{from} → {to} ({file}): imports upward or sideways"
                )),
            }
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    if let Some(cycle) = find_cycle(&graph) {
        let edges: Vec<String> = cycle
            .windows(2)
            .map(|w| {
                let file = &seen_in[&(w[0].clone(), w[1].clone())];
                format!("{} → {} ({file})", w[0], w[1])
            })
            .collect();
        panic!("an import cycle: {}", edges.join(", "));
    }
}

/// No source file over [`MAX_LINES`] lines, a module's `tests.rs` excepted.
#[test]
fn no_source_file_is_too_long() {
    let mut faults = Vec::new();
    for path in sources() {
        if path.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let lines = std::fs::read_to_string(&path).unwrap().lines().count();
        if lines > MAX_LINES {
            faults.push(format!(
                "{}: {lines} lines, over {MAX_LINES}: split it",
                relative(&path)
            ));
        }
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

/// `(file, word)` for each word found in the code (not comments or strings, not unit
/// tests: a `tests.rs`, or what follows `#[cfg(test)]`) of the files under `prefixes`.
fn words_in(prefixes: &[&str], words: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for path in sources() {
        let rel = relative(&path);
        if !prefixes.iter().any(|p| rel.starts_with(p))
            || path.file_name().is_some_and(|n| n == "tests.rs")
        {
            continue;
        }
        let code = code_only(&std::fs::read_to_string(&path).unwrap());
        let code = code.split("#[cfg(test)]").next().unwrap_or("");
        for word in words {
            if code.contains(word) {
                found.push(format!("{rel}: `{word}`"));
            }
        }
    }
    found
}

/// The model and the engine take a validated scenario and return results: no file,
/// no console, no environment in their code (their `tests.rs` may use scratch files).
#[test]
fn the_model_and_the_engine_do_no_io() {
    const IO: [&str; 7] = [
        "std::fs",
        "fs::",
        "File::",
        "std::io",
        "println!",
        "eprintln!",
        "std::env",
    ];
    let faults = words_in(&["src/model/", "src/engine/"], &IO);
    assert!(
        faults.is_empty(),
        "I/O in the model or the engine: {}",
        faults.join(", ")
    );
}

/// Reports never simulate: no code of `report/` makes a `Simulation` or steps one
/// (what a report shows is in the results it is given, or the scenario).
#[test]
fn reports_never_simulate() {
    let faults = words_in(
        &["src/report/"],
        &["Simulation", "engine::kernel", "Model::new"],
    );
    assert!(
        faults.is_empty(),
        "a report that simulates: {}",
        faults.join(", ")
    );
}
