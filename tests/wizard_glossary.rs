//! Outlook's own labels in every language: a text that names a label of
//! `wizards/glossary.ron` in English names it in the glossary's words in Dutch and
//! Portuguese too, in every flow and in the knowledge base.

use std::path::Path;

use serde::Deserialize;

#[derive(Deserialize)]
struct Label {
    en: String,
    nl: String,
    pt: String,
}

/// Every `(en: ..., nl: ..., pt: ...)` in a wizard file, wherever it stands.
fn texts(value: &ron::Value, out: &mut Vec<[String; 3]>) {
    match value {
        ron::Value::Map(map) => {
            let get = |k: &str| match map.get(&ron::Value::String(k.into())) {
                Some(ron::Value::String(s)) => Some(s.clone()),
                _ => None,
            };
            if let (Some(en), Some(nl), Some(pt)) = (get("en"), get("nl"), get("pt")) {
                out.push([en, nl, pt]);
            }
            for (_, v) in map.iter() {
                texts(v, out);
            }
        }
        ron::Value::Seq(items) => items.iter().for_each(|v| texts(v, out)),
        ron::Value::Option(Some(v)) => texts(v, out),
        _ => {}
    }
}

#[test]
fn outlooks_labels_are_named_as_outlook_shows_them_in_every_language() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("wizards");
    let glossary: Vec<Label> =
        ron::from_str(&std::fs::read_to_string(dir.join("glossary.ron")).unwrap())
            .unwrap_or_else(|e| panic!("glossary.ron: {e}"));
    assert!(glossary.len() >= 10);
    let mut wrong = Vec::new();
    let mut used = vec![0; glossary.len()];
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".ron") || name == "glossary.ron" {
            continue;
        }
        let value: ron::Value = ron::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut found = Vec::new();
        texts(&value, &mut found);
        assert!(!found.is_empty(), "{name}: no texts found");
        for [en, nl, pt] in &found {
            for (i, label) in glossary.iter().enumerate() {
                if !en.contains(&label.en) {
                    continue;
                }
                used[i] += 1;
                if !nl.contains(&label.nl) {
                    wrong.push(format!("{name}: nl lacks \"{}\" in: {nl}", label.nl));
                }
                if !pt.contains(&label.pt) {
                    wrong.push(format!("{name}: pt lacks \"{}\" in: {pt}", label.pt));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n\n"));
    let unused: Vec<&str> = glossary
        .iter()
        .zip(&used)
        .filter(|(_, n)| **n == 0)
        .map(|(l, _)| l.en.as_str())
        .collect();
    assert!(
        unused.is_empty(),
        "glossary labels no text uses: {unused:?}"
    );
}
