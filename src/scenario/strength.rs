//! The reduced-form constraint strength `R`: a number, `inf`, or a named level.
//!
//! Users think in levels ("a strong constraint"), papers in numbers; both must be
//! accepted and both must print back unambiguously, so the type keeps the level name
//! when one was given and always knows its numeric value.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Named constraint levels and the `R` each stands for.
///
/// `exp(-R)` is the chance that a customer who wants to leave gets over every barrier:
/// none 1.00, low 0.61, medium 0.37, strong 0.14, infinite 0.
pub const LEVELS: [(&str, f64); 5] = [
    ("none", 0.0),
    ("low", 0.5),
    ("medium", 1.0),
    ("strong", 2.0),
    ("infinite", f64::INFINITY),
];

/// A constraint strength `R >= 0`, possibly infinite, possibly given by level name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Strength {
    value: f64,
    level: Option<&'static str>,
}

impl Strength {
    /// A strength from a number (validated elsewhere: it may be negative or NaN here so
    /// that validation can name the field).
    pub fn from_value(value: f64) -> Self {
        Strength { value, level: None }
    }

    /// A strength from a level name (`none`, `low`, `medium`, `strong`, `infinite`, or `inf`).
    pub fn from_level(name: &str) -> Option<Self> {
        let name = name.trim().to_ascii_lowercase();
        if matches!(name.as_str(), "inf" | "+inf" | "infinity") {
            return Some(Strength::from_value(f64::INFINITY));
        }
        LEVELS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(n, v)| Strength {
                value: v,
                level: Some(n),
            })
    }

    /// The numeric `R`.
    pub fn value(self) -> f64 {
        self.value
    }

    /// The level name, when the strength was given as one.
    pub fn level(self) -> Option<&'static str> {
        self.level
    }
}

impl fmt::Display for Strength {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.level, self.value) {
            (Some(name), _) => write!(f, "{name}"),
            (None, v) if v.is_infinite() && v > 0.0 => write!(f, "inf"),
            (None, v) => write!(f, "{v}"),
        }
    }
}

impl Serialize for Strength {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.level {
            Some(name) => s.serialize_str(name),
            None if self.value.is_infinite() => s.serialize_str("inf"),
            None => s.serialize_f64(self.value),
        }
    }
}

impl<'de> Deserialize<'de> for Strength {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Strength;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number >= 0, inf, or one of none, low, medium, strong, infinite")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Strength, E> {
                Ok(Strength::from_value(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Strength, E> {
                Ok(Strength::from_value(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Strength, E> {
                Ok(Strength::from_value(v as f64))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Strength, E> {
                if let Some(s) = Strength::from_level(v) {
                    return Ok(s);
                }
                match v.trim().parse::<f64>() {
                    Ok(x) if !x.is_nan() => Ok(Strength::from_value(x)),
                    _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_numbers_parse() {
        assert_eq!(Strength::from_level("strong").unwrap().value(), 2.0);
        assert_eq!(Strength::from_level("INF").unwrap().value(), f64::INFINITY);
        assert!(Strength::from_level("very strong").is_none());
        let s: Strength = serde_json::from_str("1.5").unwrap();
        assert_eq!(s.value(), 1.5);
        let s: Strength = serde_json::from_str("\"medium\"").unwrap();
        assert_eq!((s.value(), s.level()), (1.0, Some("medium")));
        assert!(serde_json::from_str::<Strength>("\"lots\"").is_err());
    }

    #[test]
    fn infinite_prints_as_inf() {
        assert_eq!(Strength::from_value(f64::INFINITY).to_string(), "inf");
        assert_eq!(
            serde_json::to_string(&Strength::from_value(f64::INFINITY)).unwrap(),
            "\"inf\""
        );
    }
}
