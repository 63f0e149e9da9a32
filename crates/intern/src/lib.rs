//! PLACEHOLDER (replaced by the real interner). Signatures are the contract.
#![allow(missing_docs)]
use std::collections::HashMap;
use std::num::NonZeroU32;
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Symbol(NonZeroU32);
#[derive(Default)]
pub struct Interner {
    map: HashMap<String, Symbol>,
    strings: Vec<String>,
}
impl Interner {
    pub fn new() -> Interner {
        Interner::default()
    }
    pub fn get_or_intern(&mut self, s: &str) -> Symbol {
        if let Some(&sym) = self.map.get(s) {
            return sym;
        }
        self.strings.push(s.to_owned());
        let sym = Symbol(NonZeroU32::new(self.strings.len() as u32).unwrap());
        self.map.insert(s.to_owned(), sym);
        sym
    }
    pub fn get(&self, s: &str) -> Option<Symbol> {
        self.map.get(s).copied()
    }
    pub fn resolve(&self, sym: Symbol) -> &str {
        &self.strings[sym.0.get() as usize - 1]
    }
    pub fn len(&self) -> usize {
        self.strings.len()
    }
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
}
