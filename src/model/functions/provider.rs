//! The Scaleway provider's own functions, called as `provider::scaleway::NAME(...)`:
//! `region_from_id` and `id_from_regional_id`.
//!
//! They follow the provider's implementation (`internal/functions`) and the Scaleway SDK's
//! `scw.ParseRegion` it calls: an empty ID and an ID without `/` are argument errors with the
//! provider's texts; the part before the first `/` must have a region's form (or be one of the
//! legacy names `par1`/`ams1`) unless `skip_region_validation` is true. With validation
//! skipped, a malformed region gives `""` from `region_from_id`, as the provider does.
//!
//! Depends on `model::value` (thin adapters) and `locality` (the SDK's region rules).

use super::{FnError, FnResult, arg_str};
use crate::locality;
use crate::model::value::Value;

/// `scw.ParseRegion`: the region a name stands for, or the SDK's error text.
fn parse_region(name: &str) -> Result<String, String> {
    match name {
        "par1" => Ok("fr-par".to_owned()),
        "ams1" => Ok("nl-ams".to_owned()),
        _ if locality::is_region(name) => Ok(name.to_owned()),
        _ => Err(format!(
            "bad region format, available regions are: {}",
            locality::ALL_REGIONS.join(", ")
        )),
    }
}

/// Splits a regional ID at its first `/`, with the provider's checks.
fn split_regional_id<'a>(id: &'a str, empty_error: &str) -> Result<(&'a str, &'a str), String> {
    if id.is_empty() {
        return Err(empty_error.to_owned());
    }
    id.split_once('/')
        .ok_or_else(|| "cannot parse ID: invalid format".to_owned())
}

/// `region_from_id`: the region of a `{region}/{id}` string.
pub(super) fn region_of(id: &str, skip_validation: bool) -> Result<String, String> {
    // The provider's text for an empty ID names its own fixed list of regions.
    let (region, _) = split_regional_id(
        id,
        "bad region format, available regions are: fr-par, nl-ams, pl-waw",
    )?;
    match parse_region(region) {
        Ok(r) => Ok(r),
        Err(_) if skip_validation => Ok(String::new()),
        Err(e) => Err(e),
    }
}

/// `id_from_regional_id`: what follows the region in a `{region}/{id}` string.
pub(super) fn id_of(id: &str, skip_validation: bool) -> Result<String, String> {
    let (region, rest) =
        split_regional_id(id, "bad regional ID format, expected format is: region/id")?;
    if let Err(e) = parse_region(region)
        && !skip_validation
    {
        return Err(e);
    }
    Ok(rest.to_owned())
}

fn skip(args: &[Value]) -> bool {
    args.get(1).and_then(Value::as_bool).unwrap_or(false)
}

pub(super) fn region_from_id(args: Vec<Value>) -> FnResult {
    region_of(arg_str(&args, 0)?, skip(&args))
        .map(Value::String)
        .map_err(|e| FnError::Arg(0, e))
}

pub(super) fn id_from_regional_id(args: Vec<Value>) -> FnResult {
    id_of(arg_str(&args, 0)?, skip(&args))
        .map(Value::String)
        .map_err(|e| FnError::Arg(0, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_from_id_follows_the_provider() {
        assert_eq!(region_of("fr-par/1111", false).unwrap(), "fr-par");
        assert_eq!(region_of("nl-ams/foo/bar", false).unwrap(), "nl-ams");
        assert_eq!(region_of("par1/x", false).unwrap(), "fr-par");
        assert_eq!(region_of("xx-yyy/x", false).unwrap(), "xx-yyy");
        assert_eq!(
            region_of("", false).unwrap_err(),
            "bad region format, available regions are: fr-par, nl-ams, pl-waw"
        );
        assert_eq!(
            region_of("invalid-format", false).unwrap_err(),
            "cannot parse ID: invalid format"
        );
        assert!(
            region_of("fr-par-1/x", false)
                .unwrap_err()
                .starts_with("bad region format, available regions are: fr-par, nl-ams")
        );
        assert_eq!(region_of("FR/x", true).unwrap(), "");
    }

    #[test]
    fn id_from_regional_id_follows_the_provider() {
        assert_eq!(id_of("fr-par/1111", false).unwrap(), "1111");
        assert_eq!(id_of("nl-ams/foo/bar", false).unwrap(), "foo/bar");
        assert_eq!(id_of("BAD/abc", true).unwrap(), "abc");
        assert!(id_of("BAD/abc", false).is_err());
        assert_eq!(
            id_of("", true).unwrap_err(),
            "bad regional ID format, expected format is: region/id"
        );
        assert_eq!(
            id_of("abc", true).unwrap_err(),
            "cannot parse ID: invalid format"
        );
    }
}
