//! Generated resource names, as the provider makes them when `name` is not configured:
//! `tf-<prefix>-<adjective>-<surname>` (`tf-ns-brave-lovelace`, `tf-co-quiet-hopper`).
//!
//! The word lists are our own. The random source is a small seeded generator, so tests can
//! ask for reproducible names ([`NameGenerator::seeded`]) while real runs draw a fresh seed.
//!
//! Invariants: names use only lowercase ASCII letters and `-`, so they are valid for every
//! resource type that generates them (projects, namespaces, containers); the longest possible
//! name fits the 64-character limit of project names.
//!
//! Depends on nothing else in the crate.

use std::sync::Mutex;

/// Adjectives: lowercase, short, friendly.
const ADJECTIVES: &[&str] = &[
    "agile", "amber", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp", "daring",
    "eager", "early", "fair", "fancy", "fluent", "gentle", "glad", "golden", "grand", "happy",
    "hardy", "humble", "jolly", "keen", "kind", "lively", "lucid", "lucky", "merry", "mighty",
    "modest", "neat", "nimble", "noble", "patient", "plucky", "polite", "proud", "quick", "quiet",
    "rapid", "ready", "serene", "sharp", "shiny", "silent", "smart", "snappy", "solid", "steady",
    "sturdy", "sunny", "swift", "tidy", "trusty", "vivid", "warm", "wise", "witty", "zesty",
];

/// Surnames of scientists and engineers.
const SURNAMES: &[&str] = &[
    "agnesi",
    "babbage",
    "bardeen",
    "bell",
    "bohr",
    "boole",
    "cannon",
    "carson",
    "cerf",
    "curie",
    "darwin",
    "dijkstra",
    "einstein",
    "euler",
    "faraday",
    "fermat",
    "fermi",
    "feynman",
    "franklin",
    "galileo",
    "gauss",
    "goldberg",
    "goodall",
    "hamilton",
    "hawking",
    "hertz",
    "hopper",
    "hypatia",
    "johnson",
    "kepler",
    "knuth",
    "kowalevski",
    "lamarr",
    "laplace",
    "leakey",
    "liskov",
    "lovelace",
    "maxwell",
    "meitner",
    "mendel",
    "mirzakhani",
    "morse",
    "newton",
    "nobel",
    "noether",
    "pascal",
    "pasteur",
    "perlman",
    "planck",
    "ritchie",
    "sammet",
    "shannon",
    "thompson",
    "torvalds",
    "turing",
    "volta",
    "wiles",
    "wozniak",
    "wright",
    "yalow",
];

/// A source of generated names. Thread-safe; cheap to share behind a reference.
#[derive(Debug)]
pub struct NameGenerator {
    state: Mutex<u64>,
}

impl NameGenerator {
    /// A generator whose sequence of names is fixed by `seed`.
    #[must_use]
    pub fn seeded(seed: u64) -> Self {
        Self {
            state: Mutex::new(seed),
        }
    }

    /// A generator seeded from the process's hash randomness and the clock.
    #[must_use]
    pub fn from_entropy() -> Self {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        hasher.write_u128(nanos);
        Self::seeded(hasher.finish())
    }

    /// `SplitMix64`: tiny, fast and good enough to pick words.
    fn next(&self) -> u64 {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick(&self, words: &'static [&'static str]) -> &'static str {
        // The lists are far shorter than u64::MAX, so the index always fits.
        let len = words.len() as u64;
        words[usize::try_from(self.next() % len).unwrap_or(0)]
    }

    /// A new name `tf-<prefix>-<adjective>-<surname>`.
    #[must_use]
    pub fn generate(&self, prefix: &str) -> String {
        let adjective = self.pick(ADJECTIVES);
        let surname = self.pick(SURNAMES);
        format!("tf-{prefix}-{adjective}-{surname}")
    }
}

impl Default for NameGenerator {
    fn default() -> Self {
        Self::from_entropy()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_have_the_provider_shape() {
        let names = NameGenerator::seeded(7);
        for prefix in ["project", "ns", "co", "func"] {
            let name = names.generate(prefix);
            let rest = name
                .strip_prefix(&format!("tf-{prefix}-"))
                .expect("prefixed");
            let (adjective, surname) = rest.split_once('-').expect("two words");
            assert!(ADJECTIVES.contains(&adjective), "{name}");
            assert!(SURNAMES.contains(&surname), "{name}");
        }
    }

    #[test]
    fn a_seed_fixes_the_sequence() {
        let a = NameGenerator::seeded(42);
        let b = NameGenerator::seeded(42);
        let first: Vec<_> = (0..5).map(|_| a.generate("ns")).collect();
        let second: Vec<_> = (0..5).map(|_| b.generate("ns")).collect();
        assert_eq!(first, second);
        let distinct: std::collections::BTreeSet<_> = first.iter().collect();
        assert!(distinct.len() > 1, "a sequence varies: {first:?}");
    }

    #[test]
    fn words_are_safe_for_every_name_rule() {
        let longest = "tf-project-".len()
            + ADJECTIVES.iter().map(|w| w.len()).max().unwrap_or(0)
            + 1
            + SURNAMES.iter().map(|w| w.len()).max().unwrap_or(0);
        assert!(longest <= 64);
        for w in ADJECTIVES.iter().chain(SURNAMES) {
            assert!(w.bytes().all(|b| b.is_ascii_lowercase()), "{w}");
        }
    }
}
