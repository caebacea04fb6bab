//! Did-you-mean suggestions.
//!
//! A candidate is suggested when its normalised Jaro-Winkler similarity to the unknown word is at
//! least [`THRESHOLD`]; the best candidate wins, ties broken alphabetically so output is stable.

/// Minimum similarity for a suggestion.
pub const THRESHOLD: f64 = 0.8;

/// The candidate closest to `word`, if any is close enough.
pub fn closest<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(word, candidate);
        if score < THRESHOLD {
            continue;
        }
        best = match best {
            Some((s, c)) if s.total_cmp(&score).then_with(|| candidate.cmp(c)).is_ge() => {
                Some((s, c))
            }
            _ => Some((score, candidate)),
        };
    }
    best.map(|(_, c)| c)
}

/// `Did you mean "x"?` for the closest candidate, if any.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    closest(word, candidates).map(|c| format!("Did you mean \"{c}\"?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["namespace_id", "container_id", "description"];
        assert_eq!(closest("namespce_id", names), Some("namespace_id"));
        assert_eq!(closest("zzz", names), None);
    }
}
