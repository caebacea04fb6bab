//! The key of a resource instance, shared by the configuration model and the state file.
//!
//! `count` gives instances numeric keys (`[0]`), `for_each` string keys (`["web"]`). Both the
//! model's addresses and Terraform state's `index_key` use this one type, so a key read from
//! state and one expanded from configuration compare, order and print alike.
//!
//! Depends on nothing else in the crate.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The key of one instance of a resource with `count` or `for_each`.
///
/// Ordering: numbers before strings, each in natural order (so `[2]` sorts before `[10]`).
/// In state it is written as a bare JSON number or string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum InstanceKey {
    /// `[0]`: an index from `count`.
    Int(i64),
    /// `["key"]`: a key from `for_each`.
    Str(String),
}

impl fmt::Display for InstanceKey {
    /// `[0]` or `["key"]`, with `"`, `\` and control characters escaped as in HCL strings.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(i) => write!(f, "[{i}]"),
            Self::Str(s) => {
                f.write_str("[\"")?;
                for c in s.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        '\r' => f.write_str("\\r")?,
                        '\t' => f.write_str("\\t")?,
                        c => write!(f, "{c}")?,
                    }
                }
                f.write_str("\"]")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_numbers_first_and_print_escaped() {
        let mut keys = [
            InstanceKey::Str("b".into()),
            InstanceKey::Int(10),
            InstanceKey::Int(2),
            InstanceKey::Str("a".into()),
        ];
        keys.sort();
        let shown: Vec<String> = keys.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["[2]", "[10]", "[\"a\"]", "[\"b\"]"]);
        assert_eq!(
            InstanceKey::Str("say \"hi\"\n".into()).to_string(),
            r#"["say \"hi\"\n"]"#
        );
        assert_eq!(
            serde_json::to_string(&InstanceKey::Int(3)).expect("serialises"),
            "3"
        );
    }
}
