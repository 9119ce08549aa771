//! Every effective setting with where its value came from (`candor config
//! show`): the built-in default, the configuration file or a `CANDOR_`
//! environment variable. Values are as the commands use them (relative
//! paths resolved, the audit witness's default filled in), with secrets
//! hidden: a database URL's password never leaves.

use std::path::Path;

use figment::Figment;
use serde::Serialize;

use super::{figment, Settings, SettingsError};

/// Where a setting's value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SettingSource {
    /// Built in (the example configuration, or the code's default).
    Default,
    /// The configuration file.
    File,
    /// A `CANDOR_SECTION__KEY` environment variable.
    Environment,
}

impl SettingSource {
    /// As shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::File => "file",
            Self::Environment => "environment",
        }
    }
}

/// One effective setting.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EffectiveSetting {
    /// `section.key`, as in the file.
    pub key: String,
    /// Its value as the commands use it; `null` when unset.
    pub value: serde_json::Value,
    /// Where the value came from.
    pub source: SettingSource,
}

impl Settings {
    /// The settings [`Settings::load`] gives for `path`, every one of them
    /// with where its value came from, in file order (section by section).
    pub fn explain(path: &Path) -> Result<(Self, Vec<EffectiveSetting>), SettingsError> {
        if !path.is_file() {
            return Err(SettingsError::Missing(path.to_owned()));
        }
        // Paths shown whole, wherever the command ran.
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
        let figment = figment(&path);
        let settings = Self::from_figment(&figment, &path)?;
        let mut value = serde_json::to_value(&settings).map_err(|e| SettingsError::Invalid(e.to_string()))?;
        // The witness in force, not the absence of a choice.
        value["audit"]["witness"] = match settings.audit_witness() {
            Some(p) => serde_json::Value::String(p.display().to_string()),
            None => serde_json::Value::String(super::WITNESS_OFF.to_owned()),
        };
        let mut out = Vec::new();
        if let serde_json::Value::Object(sections) = value {
            for (section, fields) in sections {
                let serde_json::Value::Object(fields) = fields else { continue };
                for (name, value) in fields {
                    let key = format!("{section}.{name}");
                    let source = source_of(&figment, &key);
                    out.push(EffectiveSetting { key, value, source });
                }
            }
        }
        Ok((settings, out))
    }
}

/// Which provider set `key` last; a key none set has its code default.
fn source_of(figment: &Figment, key: &str) -> SettingSource {
    match figment.find_metadata(key) {
        Some(m) if m.name.contains("environment") => SettingSource::Environment,
        Some(m) if matches!(m.source, Some(figment::Source::File(_))) => SettingSource::File,
        _ => SettingSource::Default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(all: &'a [EffectiveSetting], key: &str) -> &'a EffectiveSetting {
        all.iter().find(|s| s.key == key).unwrap_or_else(|| panic!("{key} missing"))
    }

    #[test]
    fn each_setting_names_its_source_and_the_password_stays_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("candor.toml");
        std::fs::write(&path, "[privacy]\nk_anonymity = 7\n[database]\nurl = \"postgres://bob:hunter2@db/x\"\n").unwrap();
        // (The environment's part is tested on the binary, in a process of
        // its own: setting variables here would race the other tests.)
        let (_, all) = Settings::explain(&path).unwrap();
        assert_eq!(find(&all, "privacy.k_anonymity").source, SettingSource::File);
        assert_eq!(find(&all, "privacy.k_anonymity").value, 7);
        assert_eq!(find(&all, "server.timeout_seconds").source, SettingSource::Default);
        assert_eq!(find(&all, "identity.default_region").value, serde_json::Value::Null);
        let url = find(&all, "database.url");
        assert_eq!(url.source, SettingSource::File);
        assert!(!url.value.to_string().contains("hunter2"), "{url:?}");
        assert_eq!(find(&all, "audit.witness").value, dir.path().join("keys/audit-witness").display().to_string());
        assert!(all.len() >= 30, "every setting: {}", all.len());
    }
}
