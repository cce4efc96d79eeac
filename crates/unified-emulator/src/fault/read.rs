//! Reading a fault request the way serde's derive reads one struct of the common fields and the
//! provider's under `deny_unknown_fields`, which is how each emulator read its own before the toolkit:
//! keys in the body's order, the first problem refused in serde's words, at its position. (Flattening
//! the provider's extras into the common struct would take any key, and lose the positions of the
//! errors in the provider's fields.)

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, IntoDeserializer, MapAccess, SeqAccess, VariantAccess, Visitor,
};

use super::{COMMON_KEYS, FaultRequest, FaultSpec, Kind, ProviderKind};

impl<'de, S: FaultSpec> Deserialize<'de> for FaultRequest<S> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("FaultRequest", &COMMON_KEYS, Request(PhantomData))
    }
}

struct Request<S>(PhantomData<S>);

impl<'de, S: FaultSpec> Visitor<'de> for Request<S> {
    type Value = FaultRequest<S>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("struct FaultRequest")
    }

    /// The provider's extras read the map, and the common keys are read on their way.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FaultRequest<S>, A::Error> {
        let mut common = Common::default();
        let extras = S::deserialize(MapAccessDeserializer::new(Intercept {
            map: &mut map,
            common: &mut common,
            keys: S::KEYS,
        }))?;
        let kind = common.kind.ok_or_else(|| de::Error::missing_field("kind"))?;
        Ok(FaultRequest {
            kind,
            count: common.count.flatten(),
            retry_after: common.retry_after.flatten(),
            delay_ms: common.delay_ms.flatten(),
            status: common.status.flatten(),
            extras,
        })
    }

    /// `["slow", 2]`: the fields in their order, as serde's derive also takes a struct.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FaultRequest<S>, A::Error> {
        let Some(kind) = seq.next_element()? else {
            let expected = format!("struct FaultRequest with {} elements", COMMON_KEYS.len() + S::KEYS.len());
            return Err(de::Error::invalid_length(0, &expected.as_str()));
        };
        Ok(FaultRequest {
            kind,
            count: seq.next_element()?.flatten(),
            retry_after: seq.next_element()?.flatten(),
            delay_ms: seq.next_element()?.flatten(),
            status: seq.next_element()?.flatten(),
            extras: S::deserialize(SeqAccessDeserializer::new(&mut seq))?,
        })
    }
}

/// The common fields read so far: `None` until their key is met, so that a second one is a duplicate.
struct Common<K> {
    kind: Option<Kind<K>>,
    count: Option<Option<u32>>,
    retry_after: Option<Option<u64>>,
    delay_ms: Option<Option<u64>>,
    status: Option<Option<u16>>,
}

impl<K> Default for Common<K> {
    fn default() -> Self {
        Self { kind: None, count: None, retry_after: None, delay_ms: None, status: None }
    }
}

impl<K: ProviderKind> Common<K> {
    /// Reads the value of a common key; `false` for a key that is not one.
    fn read<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
        match key {
            "kind" => once(&mut self.kind, "kind", map)?,
            "count" => once(&mut self.count, "count", map)?,
            "retryAfter" => once(&mut self.retry_after, "retryAfter", map)?,
            "delayMs" => once(&mut self.delay_ms, "delayMs", map)?,
            "status" => once(&mut self.status, "status", map)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

fn once<'de, T: Deserialize<'de>, A: MapAccess<'de>>(
    slot: &mut Option<T>,
    key: &'static str,
    map: &mut A,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(key));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// The request's map as the provider's extras see it: only their own keys. The common ones are read
/// into `common` on the way, and any other key is refused there.
struct Intercept<'a, A, K> {
    map: &'a mut A,
    common: &'a mut Common<K>,
    keys: &'static [&'static str],
}

impl<'de, A: MapAccess<'de>, K: ProviderKind> MapAccess<'de> for Intercept<'_, A, K> {
    type Error = A::Error;

    fn next_key_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        while let Some(key) = self.map.next_key::<String>()? {
            if self.common.read(&key, self.map)? {
                continue;
            }
            if !self.keys.contains(&key.as_str()) {
                let expected: Vec<String> = COMMON_KEYS.iter().chain(self.keys).map(|k| format!("`{k}`")).collect();
                let message = format!("unknown field `{key}`, expected one of {}", expected.join(", "));
                return Err(de::Error::custom(message));
            }
            return seed.deserialize(IntoDeserializer::<A::Error>::into_deserializer(key)).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// The kinds in the order an unknown one's refusal lists them: those that are queued, the provider's,
/// then `expire_token`, which acts at once.
fn kind_names<K: ProviderKind>() -> impl Iterator<Item = &'static str> {
    ["rate_limit", "server_error", "slow"].into_iter().chain(K::NAMES.iter().copied()).chain(["expire_token"])
}

/// A kind is read as serde's derive reads a unit variant: `"slow"`, or `{"slow": null}`.
impl<'de, K: ProviderKind> Deserialize<'de> for Kind<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_enum("FaultKind", &[], Variant(PhantomData))
    }
}

struct Variant<K>(PhantomData<K>);

impl<'de, K: ProviderKind> Visitor<'de> for Variant<K> {
    type Value = Kind<K>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("enum FaultKind")
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Kind<K>, A::Error> {
        let (Name(kind), variant) = data.variant()?;
        variant.unit_variant()?;
        Ok(kind)
    }
}

struct Name<K>(Kind<K>);

impl<'de, K: ProviderKind> Deserialize<'de> for Name<K> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(Names(PhantomData))
    }
}

struct Names<K>(PhantomData<K>);

impl<K: ProviderKind> Visitor<'_> for Names<K> {
    type Value = Name<K>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("variant identifier")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Name<K>, E> {
        Kind::parse(name).map(Name).ok_or_else(|| {
            let names: Vec<String> = kind_names::<K>().map(|n| format!("`{n}`")).collect();
            E::custom(format!("unknown variant `{name}`, expected one of {}", names.join(", ")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{Extras, Locked};

    /// The same request as serde's derive reads it (its name is in serde's messages): what the toolkit's
    /// reading must match.
    mod derived {
        use serde::Deserialize;

        #[derive(Debug, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum FaultKind {
            RateLimit,
            ServerError,
            Slow,
            Locked,
            ExpireToken,
        }

        #[derive(Debug, Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct FaultRequest {
            pub kind: FaultKind,
            #[serde(default)]
            pub count: Option<u32>,
            #[serde(default)]
            pub retry_after: Option<u64>,
            #[serde(default)]
            pub delay_ms: Option<u64>,
            #[serde(default)]
            pub status: Option<u16>,
            #[serde(default)]
            pub policy_name: Option<String>,
            #[serde(default)]
            pub scopes: Option<Vec<String>>,
        }
    }

    type Read = (String, Option<u32>, Option<u64>, Option<u64>, Option<u16>, Option<String>, Option<Vec<String>>);

    fn ours(body: &str) -> Result<Read, String> {
        let r = FaultRequest::<Extras>::parse(body.as_bytes())?;
        let kind = r.kind.name().to_owned();
        Ok((kind, r.count, r.retry_after, r.delay_ms, r.status, r.extras.policy_name, r.extras.scopes))
    }

    fn derived(body: &str) -> Result<Read, String> {
        let d: derived::FaultRequest = serde_json::from_str(body).map_err(|e| e.to_string())?;
        let kind = to_snake(&format!("{:?}", d.kind));
        Ok((kind, d.count, d.retry_after, d.delay_ms, d.status, d.policy_name, d.scopes))
    }

    fn to_snake(camel: &str) -> String {
        camel.chars().enumerate().fold(String::new(), |mut out, (i, c)| {
            if c.is_uppercase() && i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            out
        })
    }

    #[test]
    fn reads_every_request_as_serdes_derive_would() {
        let bodies = [
            r#"{"kind":"rate_limit","count":2,"retryAfter":3,"delayMs":5,"status":502,"policyName":"DAILY","scopes":["a"]}"#,
            r#"{"scopes":["a"],"kind":"locked"}"#,
            r#"{"kind":"slow","policyName":null,"scopes":null,"count":null}"#,
            r#"{"kind":{"slow":null}}"#,
            r#"{"kind":{"slow":1}}"#,
            r#"{"kind":"explode"}"#,
            r#"{"kind":5}"#,
            r#"{"kind":"slow","delay":5}"#,
            r#"{"delay":1,"count":"x"}"#,
            r#"{"count":"x","delay":1}"#,
            r#"{"count":1}"#,
            r#"{"kind":"slow","count":-1}"#,
            r#"{"kind":"rate_limit","policyName":5}"#,
            r#"{"policyName":5,"kind":"explode"}"#,
            r#"{"kind":"locked","scopes":"x"}"#,
            r#"{"kind":"locked","scopes":[1]}"#,
            r#"{"kind":"slow","kind":"slow"}"#,
            r#"{"kind":"slow","scopes":[],"scopes":[]}"#,
            r#"{"kind":"slow"} trailing"#,
            r#"{"kind":"slow",}"#,
            r#"["slow", 2, null, 7]"#,
            r#"["locked", 1, 2, 3, 500, "DAILY", ["a"]]"#,
            r#"["slow", 1, 2, 3, 500, "DAILY", ["a"], 8]"#,
            r#"[]"#,
            r#""slow""#,
            "",
            "x",
        ];
        for body in bodies {
            assert_eq!(ours(body), derived(body), "{body}");
        }
        assert!(ours(r#"{"kind":"rate_limit","policyName":5}"#).unwrap_err().ends_with("at line 1 column 35"));
    }

    #[test]
    fn unknown_kinds_list_the_queued_then_the_providers_then_expire_token() {
        assert_eq!(
            kind_names::<Locked>().collect::<Vec<_>>(),
            ["rate_limit", "server_error", "slow", "locked", "expire_token"]
        );
    }
}
