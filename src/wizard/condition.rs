//! Conditions on facts, as written in a check page's branches.

use serde::Deserialize;

use super::facts::{FactKind, FactValue, Facts};

/// Written in RON as, for example,
/// `All([Is("store.is_outlook_file"), Greater("compare.folders_differing", 0)])`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub enum Condition {
    /// A yes/no fact is yes.
    Is(String),
    /// A fact has exactly this value.
    Equals(String, FactValue),
    /// A whole-number fact is greater than the number.
    Greater(String, i64),
    /// A whole-number fact is less than the number.
    Less(String, i64),
    /// A list fact holds this text.
    Contains(String, String),
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
}

/// A fact a condition reads, with what the condition needs of it.
#[derive(Debug, PartialEq)]
pub struct FactUse<'a> {
    pub fact: &'a str,
    pub needs: FactKind,
    /// The text compared with, for facts with a fixed vocabulary.
    pub value: Option<FactValue>,
    pub form: &'static str,
}

impl Condition {
    /// Every fact read, in the order written, for the loader to check.
    pub fn uses(&self) -> Vec<FactUse<'_>> {
        let mut out = Vec::new();
        self.collect_uses(&mut out);
        out
    }

    fn collect_uses<'a>(&'a self, out: &mut Vec<FactUse<'a>>) {
        let single = |fact: &'a str, needs, value, form| FactUse {
            fact,
            needs,
            value,
            form,
        };
        match self {
            Condition::Is(f) => out.push(single(f, FactKind::Bool, None, "Is")),
            Condition::Equals(f, v) => {
                out.push(single(f, v.kind(), Some(v.clone()), "Equals"));
            }
            Condition::Greater(f, _) => out.push(single(f, FactKind::Int, None, "Greater")),
            Condition::Less(f, _) => out.push(single(f, FactKind::Int, None, "Less")),
            Condition::Contains(f, item) => out.push(single(
                f,
                FactKind::List,
                Some(FactValue::List(vec![item.clone()])),
                "Contains",
            )),
            Condition::All(cs) | Condition::Any(cs) => {
                cs.iter().for_each(|c| c.collect_uses(out));
            }
            Condition::Not(c) => c.collect_uses(out),
        }
    }

    /// Evaluates against `facts`. A missing fact or one of the wrong type is an error:
    /// the loader and the engine's check of backend answers should make it impossible,
    /// and guessing `false` would hide the fault.
    pub fn holds(&self, facts: &Facts) -> Result<bool, String> {
        let get = |name: &str| {
            facts
                .get(name)
                .ok_or_else(|| format!("fact `{name}` is not known yet"))
        };
        let wrong = |name: &str, kind: FactKind| format!("fact `{name}` is not {kind}");
        match self {
            Condition::Is(f) => match get(f)? {
                FactValue::Bool(b) => Ok(*b),
                _ => Err(wrong(f, FactKind::Bool)),
            },
            Condition::Equals(f, v) => Ok(get(f)? == v),
            Condition::Greater(f, n) | Condition::Less(f, n) => match get(f)? {
                FactValue::Int(x) if matches!(self, Condition::Greater(..)) => Ok(x > n),
                FactValue::Int(x) => Ok(x < n),
                _ => Err(wrong(f, FactKind::Int)),
            },
            Condition::Contains(f, item) => match get(f)? {
                FactValue::List(items) => Ok(items.contains(item)),
                _ => Err(wrong(f, FactKind::List)),
            },
            Condition::All(cs) => {
                for c in cs {
                    if !c.holds(facts)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Condition::Any(cs) => {
                for c in cs {
                    if c.holds(facts)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Condition::Not(c) => Ok(!c.holds(facts)?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Condition {
        ron::from_str(text).unwrap()
    }

    fn facts() -> Facts {
        Facts::new()
            .with("outlook.running", true)
            .with("compare.folders_differing", 2)
            .with("store.kind", "ost")
            .with("sync_log.codes", vec!["8004010F".to_owned()])
    }

    #[test]
    fn each_form_evaluates() {
        let f = facts();
        let cases = [
            (r#"Is("outlook.running")"#, true),
            (r#"Not(Is("outlook.running"))"#, false),
            (r#"Equals("store.kind", Text("ost"))"#, true),
            (r#"Equals("store.kind", Text("pst"))"#, false),
            (r#"Greater("compare.folders_differing", 0)"#, true),
            (r#"Greater("compare.folders_differing", 2)"#, false),
            (r#"Less("compare.folders_differing", 3)"#, true),
            (r#"Less("compare.folders_differing", 2)"#, false),
            (r#"Contains("sync_log.codes", "8004010F")"#, true),
            (r#"Contains("sync_log.codes", "80040600")"#, false),
            (
                r#"All([Is("outlook.running"), Contains("sync_log.codes", "8004010F")])"#,
                true,
            ),
            (
                r#"All([Is("outlook.running"), Contains("sync_log.codes", "1")])"#,
                false,
            ),
            (
                r#"Any([Contains("sync_log.codes", "1"), Is("outlook.running")])"#,
                true,
            ),
            (r#"Any([])"#, false),
            (r#"All([])"#, true),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text).holds(&f), Ok(expected), "{text}");
        }
    }

    #[test]
    fn missing_or_mistyped_fact_is_an_error() {
        let f = facts();
        assert!(parse(r#"Is("profile.cached_mode")"#).holds(&f).is_err());
        assert!(parse(r#"Is("store.kind")"#).holds(&f).is_err());
        assert!(parse(r#"Greater("store.kind", 1)"#).holds(&f).is_err());
        assert!(parse(r#"Contains("store.kind", "o")"#).holds(&f).is_err());
    }

    #[test]
    fn lists_every_fact_read() {
        let c = parse(r#"Any([Is("a"), Not(Greater("b", 1)), Contains("c", "x")])"#);
        let names: Vec<_> = c.uses().iter().map(|u| u.fact).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(c.uses()[2].needs, FactKind::List);
    }
}
