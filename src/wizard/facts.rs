//! Facts: the typed values that checks and fixes report and that flows branch on.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// The type of a fact, as the catalogue declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FactKind {
    Bool,
    Int,
    Text,
    List,
}

impl fmt::Display for FactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FactKind::Bool => "a yes/no value",
            FactKind::Int => "a whole number",
            FactKind::Text => "text",
            FactKind::List => "a list of text",
        })
    }
}

/// One fact's value. Written in RON as `Bool(true)`, `Int(3)`, `Text("ost")` or
/// `List(["8004010F"])`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FactValue {
    Bool(bool),
    Int(i64),
    Text(String),
    List(Vec<String>),
}

impl FactValue {
    pub fn kind(&self) -> FactKind {
        match self {
            FactValue::Bool(_) => FactKind::Bool,
            FactValue::Int(_) => FactKind::Int,
            FactValue::Text(_) => FactKind::Text,
            FactValue::List(_) => FactKind::List,
        }
    }
}

/// How a value reads inside wizard text: lists joined by commas, booleans as yes/no
/// so that text written for people never shows `true`.
impl fmt::Display for FactValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FactValue::Bool(true) => f.write_str("yes"),
            FactValue::Bool(false) => f.write_str("no"),
            FactValue::Int(n) => write!(f, "{n}"),
            FactValue::Text(s) => f.write_str(s),
            FactValue::List(items) => f.write_str(&items.join(", ")),
        }
    }
}

impl From<bool> for FactValue {
    fn from(value: bool) -> Self {
        FactValue::Bool(value)
    }
}

impl From<i64> for FactValue {
    fn from(value: i64) -> Self {
        FactValue::Int(value)
    }
}

impl From<&str> for FactValue {
    fn from(value: &str) -> Self {
        FactValue::Text(value.to_owned())
    }
}

impl From<String> for FactValue {
    fn from(value: String) -> Self {
        FactValue::Text(value)
    }
}

impl From<Vec<String>> for FactValue {
    fn from(value: Vec<String>) -> Self {
        FactValue::List(value)
    }
}

/// A map from fact name (`store.kind`) to value. Ordered, so that printed facts and
/// comparisons are stable.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Facts(BTreeMap<String, FactValue>);

impl Facts {
    pub fn new() -> Self {
        Facts::default()
    }

    /// Builder form, handy for backends: `Facts::new().with("outlook.running", false)`.
    pub fn with(mut self, name: &str, value: impl Into<FactValue>) -> Self {
        self.set(name, value);
        self
    }

    pub fn set(&mut self, name: &str, value: impl Into<FactValue>) {
        self.0.insert(name.to_owned(), value.into());
    }

    pub fn get(&self, name: &str) -> Option<&FactValue> {
        self.0.get(name)
    }

    /// Adds `other`'s facts, replacing older values of the same name: a check run again
    /// reports the world as it is now.
    pub fn merge(&mut self, other: Facts) {
        self.0.extend(other.0);
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &FactValue)> {
        self.0.iter().map(|(name, value)| (name.as_str(), value))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(String, FactValue)> for Facts {
    fn from_iter<I: IntoIterator<Item = (String, FactValue)>>(iter: I) -> Self {
        Facts(iter.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_replaces_older_values() {
        let mut facts = Facts::new().with("a", 1).with("b", true);
        facts.merge(Facts::new().with("a", 2));
        assert_eq!(facts.get("a"), Some(&FactValue::Int(2)));
        assert_eq!(facts.get("b"), Some(&FactValue::Bool(true)));
        assert_eq!(facts.len(), 2);
    }

    #[test]
    fn values_read_as_words() {
        assert_eq!(FactValue::Bool(true).to_string(), "yes");
        assert_eq!(
            FactValue::List(vec!["a".into(), "b".into()]).to_string(),
            "a, b"
        );
    }

    #[test]
    fn facts_round_trip_through_ron() {
        let facts = Facts::new()
            .with("store.kind", "ost")
            .with("sync_log.codes", vec!["8004010F".to_owned()]);
        let text = ron::to_string(&facts).unwrap();
        let back: Facts = ron::from_str(&text).unwrap();
        assert_eq!(back, facts);
    }
}
