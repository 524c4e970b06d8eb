//! The session's names.

use std::collections::BTreeMap;

use crate::value::Value;

/// A defined name: its value and the text that defined it (for `show`).
#[derive(Clone, Debug)]
pub struct Binding {
    pub value: Value,
    pub source: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Env {
    vars: BTreeMap<String, Binding>,
}

impl Env {
    pub fn get(&self, name: &str) -> Option<&Binding> {
        self.vars.get(name)
    }

    pub fn value(&self, name: &str) -> Option<&Value> {
        self.vars.get(name).map(|b| &b.value)
    }

    pub fn set(&mut self, name: &str, value: Value, source: Option<String>) {
        self.vars
            .insert(name.to_string(), Binding { value, source });
    }

    pub fn remove(&mut self, name: &str) -> bool {
        self.vars.remove(name).is_some()
    }

    pub fn clear(&mut self) {
        self.vars.clear();
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.vars.keys().map(String::as_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Binding)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn len(&self) -> usize {
        self.vars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }
}
