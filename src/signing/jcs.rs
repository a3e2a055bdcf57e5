//! RFC 8785 JSON Canonicalization Scheme: the exact bytes that get hashed and signed.

use serde::Serialize;

#[derive(Debug, thiserror::Error)]
#[error("value cannot be canonicalised: {0}")]
pub struct JcsError(String);

/// The canonical JSON text of a value (sorted keys by UTF-16 code units, ES6 number format,
/// minimal escaping, no whitespace).
pub fn canonical_json<T: Serialize + ?Sized>(value: &T) -> Result<String, JcsError> {
    serde_jcs::to_string(value).map_err(|e| JcsError(e.to_string()))
}

/// Re-canonicalises JSON text; `Ok(true)` when the text already was canonical.
pub fn is_canonical(text: &str) -> Result<bool, JcsError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| JcsError(e.to_string()))?;
    Ok(canonical_json(&value)? == text)
}

#[cfg(test)]
mod tests {
    //! Vectors from RFC 8785 (section 3.2.2 and 3.2.3 examples, appendix B numbers) and the
    //! reference implementation's test data (cyberphone/json-canonicalization, testdata/).
    use super::*;

    fn canon(input: &str) -> String {
        let value: serde_json::Value = serde_json::from_str(input).unwrap();
        canonical_json(&value).unwrap()
    }

    #[test]
    fn values_example() {
        let input = r#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        assert_eq!(
            canon(input),
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}"
        );
    }

    #[test]
    fn property_sorting_uses_utf16_code_units() {
        let input = r#"{
          "\u20ac": "Euro Sign", "\r": "Carriage Return", "\u000a": "Newline", "1": "One",
          "\u0080": "Control\u007f", "\ud83d\ude02": "Smiley",
          "\u00f6": "Latin Small Letter O With Diaeresis",
          "\ufb33": "Hebrew Letter Dalet With Dagesh", "</script>": "Browser Challenge"
        }"#;
        let expected = "{\"\\n\":\"Newline\",\"\\r\":\"Carriage Return\",\"1\":\"One\",\
            \"</script>\":\"Browser Challenge\",\"\u{80}\":\"Control\u{7f}\",\
            \"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\
            \"😂\":\"Smiley\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}";
        assert_eq!(canon(input), expected);
    }

    #[test]
    fn nested_structures_and_arrays() {
        let structures = r#"{"1": {"f": {"f": "hi","F": 5} ,"\n": 56.0}, "10": { }, "": "empty",
            "a": { }, "111": [ {"e": "yes","E": "no" } ], "A": { }}"#;
        assert_eq!(
            canon(structures),
            r#"{"":"empty","1":{"\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{"E":"no","e":"yes"}],"A":{},"a":{}}"#
        );
        assert_eq!(
            canon(r#"[56, {"d": true, "10": null, "1": [ ]}]"#),
            r#"[56,{"1":[],"10":null,"d":true}]"#
        );
    }

    #[test]
    fn unicode_is_not_normalised_and_locale_is_ignored() {
        assert_eq!(
            canon(r#"{"Unnormalized Unicode":"A\u030a"}"#),
            "{\"Unnormalized Unicode\":\"A\u{30a}\"}"
        );
        assert_eq!(
            canon(r#"{"peach": "1", "péché": "2", "pêche": "3", "sin": "4"}"#),
            r#"{"peach":"1","péché":"2","pêche":"3","sin":"4"}"#
        );
    }

    #[test]
    fn numbers_follow_ecmascript() {
        let cases: &[(u64, &str)] = &[
            (0x0000000000000000, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ];
        for (bits, expected) in cases {
            let value = f64::from_bits(*bits);
            assert_eq!(canonical_json(&value).unwrap(), *expected, "{bits:#018x}");
        }
    }

    #[test]
    fn nan_and_infinity_are_refused() {
        assert!(canonical_json(&f64::NAN).is_err());
        assert!(canonical_json(&f64::INFINITY).is_err());
    }

    #[test]
    fn canonical_text_is_recognised() {
        assert!(is_canonical(r#"{"a":1,"b":[true]}"#).unwrap());
        assert!(!is_canonical(r#"{"b":[true],"a":1}"#).unwrap());
        assert!(!is_canonical(r#"{"a": 1}"#).unwrap());
    }
}
