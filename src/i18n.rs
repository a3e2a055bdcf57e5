//! Languages and message catalogues. Catalogues are TOML files compiled into the binary and
//! flattened to dotted keys (`[nav] home = …` is `nav.home`); a unit test keeps both languages
//! on the same keys and every key used in templates and code defined.

use std::collections::HashMap;
use std::sync::LazyLock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The language's own name, for the switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhCn => "简体中文",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        let code = code.trim().to_ascii_lowercase();
        if code == "en" || code.starts_with("en-") {
            Some(Lang::En)
        } else if code == "zh" || code.starts_with("zh-") {
            Some(Lang::ZhCn)
        } else {
            None
        }
    }

    /// The best supported language in an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim();
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(lang) = Lang::parse(tag)
                && quality > 0.0
                && best.is_none_or(|(q, _)| quality > q)
            {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    pub fn t(self, key: &str) -> &'static str {
        let catalogue = match self {
            Lang::En => &*EN,
            Lang::ZhCn => &*ZH_CN,
        };
        match catalogue.get(key).or_else(|| EN.get(key)) {
            Some(text) => text,
            None => {
                tracing::warn!(key, "missing message key");
                Box::leak(key.to_owned().into_boxed_str())
            }
        }
    }

    /// A message with `{}` replaced by `arg`.
    pub fn t1(self, key: &str, arg: impl std::fmt::Display) -> String {
        self.t(key).replacen("{}", &arg.to_string(), 1)
    }

    /// A message with its two `{}` replaced in order.
    pub fn t2(self, key: &str, a: impl std::fmt::Display, b: impl std::fmt::Display) -> String {
        self.t(key)
            .replacen("{}", &a.to_string(), 1)
            .replacen("{}", &b.to_string(), 1)
    }
}

static EN: LazyLock<HashMap<String, &'static str>> =
    LazyLock::new(|| load(include_str!("../locales/en.toml")));
static ZH_CN: LazyLock<HashMap<String, &'static str>> =
    LazyLock::new(|| load(include_str!("../locales/zh-CN.toml")));

fn load(source: &str) -> HashMap<String, &'static str> {
    let table: toml::Table = source
        .parse()
        .expect("catalogue is valid TOML (checked by tests)");
    let mut out = HashMap::new();
    flatten("", &table, &mut out);
    out
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, &'static str>) {
    for (key, value) in table {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::Table(inner) => flatten(&full, inner, out),
            toml::Value::String(text) => {
                // Catalogues live for the whole process; leaking once at load is intended.
                out.insert(full, Box::leak(text.clone().into_boxed_str()));
            }
            other => panic!("catalogue value at {full} is not text: {other:?}"),
        }
    }
}

/// Every key of a language's catalogue, for the parity test.
pub fn keys(lang: Lang) -> Vec<String> {
    let catalogue = match lang {
        Lang::En => &*EN,
        Lang::ZhCn => &*ZH_CN,
    };
    let mut keys: Vec<String> = catalogue.keys().cloned().collect();
    keys.sort();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        assert_eq!(
            Lang::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"),
            Some(Lang::ZhCn)
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR, en;q=0.5"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("en;q=0.4, zh-TW;q=0.6"),
            Some(Lang::ZhCn)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
        assert_eq!(Lang::from_accept_language("zh;q=0"), None);
    }

    #[test]
    fn both_catalogues_have_exactly_the_same_keys() {
        let en = keys(Lang::En);
        let zh = keys(Lang::ZhCn);
        let missing_in_zh: Vec<_> = en.iter().filter(|k| !zh.contains(k)).collect();
        let missing_in_en: Vec<_> = zh.iter().filter(|k| !en.contains(k)).collect();
        assert!(
            missing_in_zh.is_empty(),
            "missing in zh-CN: {missing_in_zh:?}"
        );
        assert!(missing_in_en.is_empty(), "missing in en: {missing_in_en:?}");
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let en = keys(Lang::En);
        let sections: Vec<&str> = en.iter().filter_map(|k| k.split('.').next()).collect();
        let mut missing = Vec::new();
        for dir in ["templates", "src"] {
            for path in files_under(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)) {
                let text = std::fs::read_to_string(&path).unwrap();
                for key in key_like_literals(&text) {
                    let section = key.split('.').next().unwrap_or("");
                    if sections.contains(&section) && !en.contains(&key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "undefined message keys:\n{}",
            missing.join("\n")
        );
    }

    fn files_under(dir: std::path::PathBuf) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(files_under(path));
            } else if path.extension().is_some_and(|e| e == "html" || e == "rs")
                // Audit action names are dotted too, but they are not messages.
                && !path.ends_with("service/actions.rs")
            {
                out.push(path);
            }
        }
        out
    }

    /// String literals shaped like message keys: `section.name` in lower case.
    fn key_like_literals(text: &str) -> Vec<String> {
        text.split('"')
            .skip(1)
            .step_by(2)
            .filter(|lit| {
                lit.contains('.')
                    && !lit.starts_with('.')
                    && !lit.ends_with('.')
                    && lit.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_'
                    })
            })
            .map(str::to_owned)
            .collect()
    }
}
