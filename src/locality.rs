//! Scaleway localities: the syntax of region and zone names and the regions Scaleway's SDK
//! knows, as `scaleway-sdk-go` defines them (`scw.AllRegions`, `validation.IsRegion`,
//! `validation.IsZone`).
//!
//! This is the one place those rules live: the settings (`config`), the schema's validations,
//! the API mappings (which put regions into request paths) all ask here.
//!
//! Invariant: a name accepted by [`is_region`] or [`is_zone`] is plain lower-case ASCII letters,
//! digits and `-`, so it is safe in a URL path. Depends on nothing.

/// The regions Scaleway's SDK knows (`scw.AllRegions`). The provider accepts any region and
/// only warns about one not in this list.
pub const ALL_REGIONS: &[&str] = &["fr-par", "nl-ams", "pl-waw", "it-mil"];

/// Whether `s` has a region's form: two letters, `-`, three to seven letters, all lower case
/// (`^[a-z]{2}-[a-z]{3,7}$`).
#[must_use]
pub fn is_region(s: &str) -> bool {
    s.split_once('-').is_some_and(|(country, city)| {
        country.len() == 2
            && (3..=7).contains(&city.len())
            && country
                .bytes()
                .chain(city.bytes())
                .all(|b| b.is_ascii_lowercase())
    })
}

/// Whether `s` has a zone's form: a region, `-`, one or two digits
/// (`^[a-z]{2}-[a-z]{3,7}-[0-9]{1,2}$`).
#[must_use]
pub fn is_zone(s: &str) -> bool {
    s.rsplit_once('-').is_some_and(|(region, n)| {
        is_region(region) && (1..=2).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit())
    })
}

/// The region of a `{region}/{uuid}` (or `{zone}/{uuid}`) reference; `None` for a bare ID or
/// anything else.
#[must_use]
pub fn region_of_id(id: &str) -> Option<&str> {
    let (locality, _) = id.split_once('/')?;
    if is_region(locality) {
        Some(locality)
    } else if is_zone(locality) {
        locality.rsplit_once('-').map(|(region, _)| region)
    } else {
        None
    }
}

/// What a region name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionCheck {
    /// One of [`ALL_REGIONS`].
    Known,
    /// Well formed but not a region the SDK knows: a warning, as in the provider.
    Unknown,
    /// Not a region's form at all: no request can name it.
    Malformed,
}

/// Classifies a region name.
#[must_use]
pub fn check_region(region: &str) -> RegionCheck {
    if ALL_REGIONS.contains(&region) {
        RegionCheck::Known
    } else if is_region(region) {
        RegionCheck::Unknown
    } else {
        RegionCheck::Malformed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_zones_follow_the_sdks_patterns() {
        for good in ["fr-par", "it-mil", "xx-abcdefg"] {
            assert!(is_region(good), "{good}");
        }
        for bad in [
            "FR-PAR",
            "fr-pa",
            "fr-par-1",
            "fr",
            "f-par",
            "",
            "fr-abcdefgh",
            "fr-par/x",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
        for good in ["fr-par-1", "pl-waw-3", "nl-ams-12"] {
            assert!(is_zone(good), "{good}");
        }
        for bad in ["fr-par", "fr-par-", "fr-par-x", "fr-par-1-2", "fr-par-123"] {
            assert!(!is_zone(bad), "{bad}");
        }
    }

    #[test]
    fn references_name_their_region() {
        assert_eq!(
            region_of_id("nl-ams/11111111-1111-1111-1111-111111111111"),
            Some("nl-ams")
        );
        assert_eq!(region_of_id("pl-waw-2/x"), Some("pl-waw"));
        assert_eq!(region_of_id("11111111-1111-1111-1111-111111111111"), None);
        assert_eq!(region_of_id("Paris/x"), None);
    }

    #[test]
    fn every_known_region_is_well_formed_and_it_mil_is_known() {
        assert!(ALL_REGIONS.iter().all(|r| is_region(r)));
        assert_eq!(check_region("it-mil"), RegionCheck::Known);
        assert_eq!(check_region("de-fra"), RegionCheck::Unknown);
        assert_eq!(check_region("paris"), RegionCheck::Malformed);
    }
}
