//! The Scaleway CLI config file (`~/.config/scw/config.yaml`): where it is and what it says.
//!
//! The file's top-level keys form the implicit `default` profile; `active_profile` names the
//! profile to use; `profiles:` maps names to profiles, each merged over the top level (keys it
//! does not set are inherited). Keys we do not use are ignored.
//!
//! Invariant: secrets read from the file are only ever held as `SecretString`.
//! Depends on nothing else in the crate; [`locate`] is pure, only [`read`] touches the disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Deserialize;

/// The config file as read from disk, the input of [`super::resolve`].
#[derive(Debug, Clone)]
pub struct ConfigFileSource {
    /// Where it was read from.
    pub path: PathBuf,
    /// Its text.
    pub contents: String,
    /// Its Unix permission bits, when known.
    pub mode: Option<u32>,
}

/// One profile's keys (all optional).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Profile {
    /// `access_key`.
    pub access_key: Option<String>,
    /// `secret_key` (a UUID).
    pub secret_key: Option<SecretString>,
    /// `default_organization_id`.
    pub default_organization_id: Option<String>,
    /// `default_project_id`.
    pub default_project_id: Option<String>,
    /// `default_region`.
    pub default_region: Option<String>,
    /// `default_zone`.
    pub default_zone: Option<String>,
    /// `api_url`.
    pub api_url: Option<String>,
}

impl Profile {
    /// `self` with every unset key taken from `base`.
    #[must_use]
    pub fn merged_over(self, base: &Self) -> Self {
        Self {
            access_key: self.access_key.or_else(|| base.access_key.clone()),
            secret_key: self.secret_key.or_else(|| base.secret_key.clone()),
            default_organization_id: self
                .default_organization_id
                .or_else(|| base.default_organization_id.clone()),
            default_project_id: self
                .default_project_id
                .or_else(|| base.default_project_id.clone()),
            default_region: self.default_region.or_else(|| base.default_region.clone()),
            default_zone: self.default_zone.or_else(|| base.default_zone.clone()),
            api_url: self.api_url.or_else(|| base.api_url.clone()),
        }
    }
}

/// The parsed file.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ScwConfig {
    /// The profile named by the file itself.
    #[serde(default)]
    pub active_profile: Option<String>,
    /// Named profiles.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// The top-level keys: the `default` profile.
    #[serde(flatten)]
    pub top: Profile,
}

/// The reserved name of the top-level profile.
pub const DEFAULT_PROFILE: &str = "default";

impl ScwConfig {
    /// Parses the YAML text. An empty file is an empty config.
    ///
    /// # Errors
    /// The YAML reader's message when the text is not a config file.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        yaml_serde::from_str(text).map_err(|e| e.to_string())
    }

    /// The named profile merged over the top level; `default` is the top level itself.
    #[must_use]
    pub fn profile(&self, name: &str) -> Option<Profile> {
        if name == DEFAULT_PROFILE {
            return Some(self.top.clone());
        }
        self.profiles
            .get(name)
            .map(|p| p.clone().merged_over(&self.top))
    }

    /// Every profile name, `default` first.
    #[must_use]
    pub fn profile_names(&self) -> Vec<&str> {
        std::iter::once(DEFAULT_PROFILE)
            .chain(self.profiles.keys().map(String::as_str))
            .collect()
    }
}

/// Where the config file may be, in the order to try: `$SCW_CONFIG_PATH` alone when set;
/// otherwise `$XDG_CONFIG_HOME/scw/config.yaml` (or `$HOME/.config/scw/config.yaml`), then the
/// same with the `.yml` extension.
#[must_use]
pub fn locate(env: &BTreeMap<String, String>) -> Vec<PathBuf> {
    let get = |k: &str| env.get(k).filter(|v| !v.is_empty());
    if let Some(path) = get("SCW_CONFIG_PATH") {
        return vec![PathBuf::from(path)];
    }
    let dir = if let Some(xdg) = get("XDG_CONFIG_HOME") {
        Path::new(xdg).join("scw")
    } else if let Some(home) = get("HOME").or_else(|| get("USERPROFILE")) {
        Path::new(home).join(".config").join("scw")
    } else {
        return Vec::new();
    };
    vec![dir.join("config.yaml"), dir.join("config.yml")]
}

/// Reads the first config file of [`locate`] that exists.
///
/// # Errors
/// An I/O error other than "not found", with the path.
pub fn read(
    env: &BTreeMap<String, String>,
) -> Result<Option<ConfigFileSource>, (PathBuf, std::io::Error)> {
    for path in locate(env) {
        match std::fs::read_to_string(&path) {
            Ok(contents) => {
                let mode = file_mode(&path);
                return Ok(Some(ConfigFileSource {
                    path,
                    contents,
                    mode,
                }));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err((path, e)),
        }
    }
    Ok(None)
}

fn file_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_explicit_path_wins_then_xdg_then_home() {
        assert_eq!(
            locate(&env(&[("SCW_CONFIG_PATH", "/c.yaml"), ("HOME", "/h")])),
            vec![PathBuf::from("/c.yaml")]
        );
        assert_eq!(
            locate(&env(&[("XDG_CONFIG_HOME", "/x"), ("HOME", "/h")])),
            vec![
                PathBuf::from("/x/scw/config.yaml"),
                PathBuf::from("/x/scw/config.yml")
            ]
        );
        assert_eq!(
            locate(&env(&[("HOME", "/h")]))[0],
            PathBuf::from("/h/.config/scw/config.yaml")
        );
        assert!(locate(&env(&[])).is_empty());
    }

    #[test]
    fn named_profiles_inherit_top_level_keys() {
        let config = ScwConfig::parse(
            "access_key: SCWAAAAAAAAAAAAAAAAA\n\
             secret_key: 11111111-1111-1111-1111-111111111111\n\
             default_region: fr-par\n\
             send_telemetry: true\n\
             active_profile: prod\n\
             profiles:\n  prod:\n    secret_key: 22222222-2222-2222-2222-222222222222\n    insecure: false\n",
        )
        .expect("valid config");
        assert_eq!(config.active_profile.as_deref(), Some("prod"));
        let prod = config.profile("prod").expect("prod exists");
        assert_eq!(
            prod.secret_key
                .as_ref()
                .map(|s| s.expose_secret().to_owned()),
            Some("22222222-2222-2222-2222-222222222222".to_owned())
        );
        assert_eq!(prod.access_key.as_deref(), Some("SCWAAAAAAAAAAAAAAAAA"));
        assert_eq!(prod.default_region.as_deref(), Some("fr-par"));
        assert!(config.profile("nope").is_none());
        assert_eq!(config.profile_names(), vec!["default", "prod"]);
    }

    #[test]
    fn an_empty_file_is_an_empty_config() {
        let config = ScwConfig::parse("\n").expect("empty is fine");
        assert!(config.profiles.is_empty());
        assert!(ScwConfig::parse("profiles: [1, 2]").is_err());
    }
}
