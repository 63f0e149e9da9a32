//! Arbitrary strings through the `Interner` against a `HashMap` model: the
//! same string gets the same symbol, different strings different symbols,
//! and every symbol resolves back to its string.
#![no_main]

use std::collections::HashMap;

use arenakit::intern::{Interner, Symbol};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|words: Vec<(bool, String)>| {
    let mut interner = Interner::new();
    let mut model: HashMap<String, Symbol> = HashMap::new();
    for (insert, word) in &words {
        if *insert {
            let symbol = interner.get_or_intern(word);
            let expected = *model.entry(word.clone()).or_insert(symbol);
            assert_eq!(symbol, expected);
        } else {
            assert_eq!(interner.get(word), model.get(word).copied());
        }
    }
    assert_eq!(interner.len(), model.len());
    for (word, &symbol) in &model {
        assert_eq!(interner.resolve(symbol), word);
        assert_eq!(interner.try_resolve(symbol), Some(word.as_str()));
    }
    let mut symbols: Vec<Symbol> = model.values().copied().collect();
    symbols.sort();
    symbols.dedup();
    assert_eq!(symbols.len(), model.len());
});
