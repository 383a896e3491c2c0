//! Hand-written deserializers: schema checks that keep nothing, and the few fields whose
//! JSON type varies between producers (tags, refs, waivers).

use std::fmt;
use std::marker::PhantomData;

use crate::model::ResultStatus;
use crate::opaque::OpaqueJson;
use crate::text::Text;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// `null` or absent becomes an empty list.
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// Accepts any string and keeps nothing.
struct IgnoredStr;

impl<'de> Deserialize<'de> for IgnoredStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = IgnoredStr;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<IgnoredStr, E> {
                Ok(IgnoredStr)
            }
        }
        d.deserialize_str(V)
    }
}

/// A JSON array whose elements are checked as `T` and dropped.
struct CheckedSeq<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for CheckedSeq<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = CheckedSeq<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<T>()?.is_some() {}
                Ok(CheckedSeq(PhantomData))
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
}

/// Any JSON object, content ignored.
struct AnyObject;

impl<'de> Deserialize<'de> for AnyObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AnyObject;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyObject, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(AnyObject)
            }
        }
        d.deserialize_map(V)
    }
}

/// A profile's `attributes`: an array of objects.
#[derive(Debug, Clone, Default)]
pub(crate) struct ObjectList;

impl<'de> Deserialize<'de> for ObjectList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        CheckedSeq::<AnyObject>::deserialize(d).map(|_| ObjectList)
    }
}

/// A profile's `groups`: `[{id, controls: [ids], title?}]`, checked, not kept.
#[derive(Debug, Clone, Default)]
pub(crate) struct Groups;

#[derive(serde::Deserialize)]
struct Group {
    #[serde(rename = "id")]
    _id: IgnoredStr,
    #[serde(rename = "controls")]
    _controls: CheckedSeq<IgnoredStr>,
    #[serde(rename = "title", default)]
    _title: Option<IgnoredStr>,
}

impl<'de> Deserialize<'de> for Groups {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        CheckedSeq::<Group>::deserialize(d).map(|_| Groups)
    }
}

/// A profile's `supports`: platform filters, checked, not kept.
#[derive(Debug, Clone, Default)]
pub(crate) struct Supports;

#[derive(serde::Deserialize)]
struct Supported {
    #[serde(rename = "os-family", default)]
    _os_family: Option<IgnoredStr>,
    #[serde(rename = "os-name", default)]
    _os_name: Option<IgnoredStr>,
    #[serde(rename = "platform", default)]
    _platform: Option<IgnoredStr>,
    #[serde(rename = "platform-family", default)]
    _platform_family: Option<IgnoredStr>,
    #[serde(rename = "platform-name", default)]
    _platform_name: Option<IgnoredStr>,
    #[serde(rename = "release", default)]
    _release: Option<IgnoredStr>,
}

impl<'de> Deserialize<'de> for Supports {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        CheckedSeq::<Supported>::deserialize(d).map(|_| Supports)
    }
}

/// `refs[].ref`: a string, or an array of objects (kept as absent).
#[derive(Debug, Clone)]
pub enum RefValue<'a> {
    Text(Text<'a>),
    Objects,
}

impl<'de: 'a, 'a> Deserialize<'de> for RefValue<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RefValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of objects")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(RefValue::Text(Text::borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RefValue::Text(Text::from(v.to_owned())))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<AnyObject>()?.is_some() {}
                Ok(RefValue::Objects)
            }
        }
        d.deserialize_any(V)
    }
}

/// `waiver_data.skipped_due_to_waiver`: a boolean, or a string (truthy when non-empty).
#[derive(Debug, Clone)]
pub enum BoolOrText<'a> {
    Bool(bool),
    Text(Text<'a>),
}

impl<'de: 'a, 'a> Deserialize<'de> for BoolOrText<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BoolOrText<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean or a string")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(BoolOrText::Bool(v))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(BoolOrText::Text(Text::borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(BoolOrText::Text(Text::from(v.to_owned())))
            }
        }
        d.deserialize_any(V)
    }
}

/// `attestation_data.status`: saf accepts only these two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttestationStatus {
    Passed,
    Failed,
}

/// Parses a fixed set of case-sensitive words with a message that lists them.
fn parse_word<E: de::Error, T: Copy>(value: &str, words: &[(&str, T)]) -> Result<T, E> {
    words
        .iter()
        .find(|(w, _)| *w == value)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let list: Vec<&str> = words.iter().map(|(w, _)| *w).collect();
            E::custom(format_args!(
                "expected one of {} (case-sensitive), found {value:?}",
                list.join(", ")
            ))
        })
}

struct WordVisitor<T: 'static>(&'static [(&'static str, T)]);

impl<T: Copy> Visitor<'_> for WordVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list: Vec<&str> = self.0.iter().map(|(w, _)| *w).collect();
        write!(f, "one of {}", list.join(", "))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        parse_word(v, self.0)
    }
}

impl<'de> Deserialize<'de> for AttestationStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(WordVisitor(&[
            ("passed", AttestationStatus::Passed),
            ("failed", AttestationStatus::Failed),
        ]))
    }
}

pub(crate) const RESULT_STATUS_WORDS: &[(&str, ResultStatus)] = &[
    ("passed", ResultStatus::Passed),
    ("failed", ResultStatus::Failed),
    ("skipped", ResultStatus::Skipped),
    ("error", ResultStatus::Error),
];

impl<'de> Deserialize<'de> for ResultStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(WordVisitor(RESULT_STATUS_WORDS))
    }
}

/// A `tags.severity`-like value: saf calls `.toLowerCase()` on it, so only strings work there.
#[derive(Debug, Clone)]
pub enum TagValue<'a> {
    Text(Text<'a>),
    /// Any other JSON type, named for the warning ("a number", "an array", ...).
    NotText(&'static str),
}

impl<'de: 'a, 'a> Deserialize<'de> for TagValue<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TagValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(TagValue::Text(Text::borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(TagValue::Text(Text::from(v.to_owned())))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(TagValue::NotText("a boolean"))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(TagValue::NotText("a number"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(TagValue::NotText("a number"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(TagValue::NotText("a number"))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(TagValue::NotText("null"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(TagValue::NotText("an array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(TagValue::NotText("an object"))
            }
        }
        d.deserialize_any(V)
    }
}

/// A control's `tags`: the ones scangate interprets, and the rest kept raw for display.
#[derive(Debug, Clone, Default)]
pub struct Tags<'a> {
    /// `tags.severity`; `null` is treated as absent, as saf's `?.` does.
    pub severity: Option<TagValue<'a>>,
    /// `tags.severityoverride`, which wins over `severity`.
    pub severity_override: Option<TagValue<'a>>,
    /// NIST SP 800-53 controls (`nist`), as strings.
    pub nist: Vec<Text<'a>>,
    /// DISA CCIs (`cci`), as strings.
    pub cci: Vec<Text<'a>>,
    /// Every other tag, verbatim JSON (checked to be renderable), in file order.
    pub other: Vec<(Text<'a>, OpaqueJson<'a>)>,
}

/// A string or a list of strings (other element types are dropped).
struct StrOrList<'a>(Vec<Text<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for StrOrList<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// One list element that may not be a string.
        struct Item<'a>(Option<Text<'a>>);
        impl<'de: 'a, 'a> Deserialize<'de> for Item<'a> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                match TagValue::deserialize(d)? {
                    TagValue::Text(t) => Ok(Item(Some(t))),
                    TagValue::NotText(_) => Ok(Item(None)),
                }
            }
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrOrList<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(StrOrList(vec![Text::borrowed(v)]))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(StrOrList(vec![Text::from(v.to_owned())]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(Item(item)) = seq.next_element()? {
                    out.extend(item);
                }
                Ok(StrOrList(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(StrOrList(Vec::new()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(StrOrList(Vec::new()))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(StrOrList(Vec::new()))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(StrOrList(Vec::new()))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(StrOrList(Vec::new()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(StrOrList(Vec::new()))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Tags<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Tags<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut tags = Tags::default();
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    match key.as_str() {
                        "severity" => tags.severity = map.next_value::<Option<TagValue<'de>>>()?,
                        "severityoverride" => {
                            tags.severity_override = map.next_value::<Option<TagValue<'de>>>()?;
                        }
                        "nist" => tags.nist = map.next_value::<StrOrList<'de>>()?.0,
                        "cci" => tags.cci = map.next_value::<StrOrList<'de>>()?.0,
                        _ => {
                            tags.other.push((key, map.next_value()?));
                        }
                    }
                }
                Ok(tags)
            }
        }
        d.deserialize_map(V)
    }
}
