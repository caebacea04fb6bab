//! The attribute table of `docs/resources.md` ("Attributes against the provider's schema")
//! checked against the schema: one row per attribute and nested block of the seven types, the
//! `scwform` column is what the schema says (computed here from its flags, not restated), and a
//! row whose status is `same` has the provider's flags (written in the table from the
//! provider's source) equal to scwform's; any other row explains the difference.

use std::collections::BTreeMap;

use scwform::schema::{self, AttrType, AttributeSchema, BlockSchema, DefaultValue};

/// `(type, attribute path)` → `(provider, scwform, status)`.
type Table = BTreeMap<(String, String), (String, String, String)>;

const SECTION: &str = "## Attributes against the provider's schema";

fn table() -> Table {
    let text = std::fs::read_to_string(crate::common::repo_root().join("docs/resources.md"))
        .expect("docs/resources.md");
    let section = text
        .split_once(SECTION)
        .map(|(_, rest)| rest)
        .expect("the attribute table's section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let mut out = Table::new();
    let mut current: Option<String> = None;
    for line in section.lines() {
        if let Some(name) = line.strip_prefix("### `").and_then(|l| l.strip_suffix('`')) {
            current = Some(name.to_owned());
            continue;
        }
        let Some(type_name) = &current else { continue };
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        if cells.len() != 4 || !cells[0].starts_with('`') {
            continue;
        }
        let path = cells[0].trim_matches('`').to_owned();
        let previous = out.insert(
            (type_name.clone(), path.clone()),
            (
                cells[1].to_owned(),
                cells[2].to_owned(),
                cells[3].to_owned(),
            ),
        );
        assert!(previous.is_none(), "{type_name}.{path} has two rows");
    }
    out
}

fn type_name(ty: AttrType) -> String {
    match ty {
        AttrType::String => "string".into(),
        AttrType::Int => "int".into(),
        AttrType::Float => "float".into(),
        AttrType::Bool => "bool".into(),
        AttrType::List(e) => format!("list({})", type_name(*e)),
        AttrType::Set(e) => format!("set({})", type_name(*e)),
        AttrType::Map(e) => format!("map({})", type_name(*e)),
    }
}

/// The table's notation of an attribute: `type; flags[; default …]`.
fn attribute_notation(a: &AttributeSchema) -> String {
    let flags: Vec<&str> = [
        (a.required, "R"),
        (a.optional, "O"),
        (a.computed, "C"),
        (a.force_new, "FN"),
        (a.sensitive, "S"),
        (a.deprecated.is_some(), "D"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, f)| *f)
    .collect();
    let default = match a.default {
        Some(DefaultValue::Bool(b)) => format!("; default {b}"),
        Some(DefaultValue::Int(i)) => format!("; default {i}"),
        Some(DefaultValue::Str(s)) => format!("; default {s:?}"),
        None => String::new(),
    };
    format!("{}; {}{default}", type_name(a.ty), flags.join(" "))
}

/// The table's notation of a nested block: `block ≤N` or `block set`, then its flags.
fn block_notation(b: &BlockSchema) -> String {
    let shape = match (b.set, b.max_items) {
        (true, _) => "block set".to_owned(),
        (false, Some(n)) => format!("block ≤{n}"),
        (false, None) => "block list".to_owned(),
    };
    let flags: Vec<&str> = [
        (b.min_items > 0, "R"),
        (b.optional, "O"),
        (b.computed, "C"),
        (b.force_new, "FN"),
        (b.deprecated.is_some(), "D"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, f)| *f)
    .collect();
    format!("{shape}; {}", flags.join(" "))
}

fn schema_rows(
    prefix: &str,
    attributes: &[AttributeSchema],
    blocks: &[BlockSchema],
    out: &mut BTreeMap<String, String>,
) {
    for a in attributes {
        out.insert(format!("{prefix}{}", a.name), attribute_notation(a));
    }
    for b in blocks {
        let path = format!("{prefix}{}", b.name);
        out.insert(path.clone(), block_notation(b));
        schema_rows(&format!("{path}."), b.attributes, b.blocks, out);
    }
}

#[test]
fn issue_9_every_attribute_is_in_the_provider_table_as_the_schema_says() {
    // https://github.com/scwform/scwform/issues/9 (item 13)
    let table = table();
    let mut seen = 0;
    for resource in schema::RESOURCES {
        let mut rows = BTreeMap::new();
        schema_rows("", resource.attributes, resource.blocks, &mut rows);
        for (path, notation) in &rows {
            let (provider, scwform, status) = table
                .get(&(resource.type_name.to_owned(), path.clone()))
                .unwrap_or_else(|| panic!("{}.{path} has no row", resource.type_name));
            assert_eq!(
                scwform, notation,
                "{}.{path}: the scwform column is not what the schema says",
                resource.type_name
            );
            if status == "same" {
                assert_eq!(
                    provider, scwform,
                    "{}.{path}: `same`, but the columns differ",
                    resource.type_name
                );
            } else {
                assert!(
                    status.starts_with("differs: ") && status.len() > "differs: ".len(),
                    "{}.{path}: a difference must say why ({status})",
                    resource.type_name
                );
                assert_ne!(provider, scwform, "{}.{path}", resource.type_name);
            }
            seen += 1;
        }
    }
    assert_eq!(
        seen,
        table.len(),
        "the table has rows for attributes the schema does not have: {:?}",
        table
            .keys()
            .filter(|(t, p)| schema::resource(t).is_none_or(|s| {
                let mut rows = BTreeMap::new();
                schema_rows("", s.attributes, s.blocks, &mut rows);
                !rows.contains_key(p)
            }))
            .collect::<Vec<_>>()
    );
}
