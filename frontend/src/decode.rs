//! The browser's parse of an API answer (`Response.json()`: plain objects, arrays, strings,
//! numbers, booleans and null) read into this app's types: a serde `Deserializer` over a
//! `JsValue`.
//!
//! It stands in for serde-wasm-bindgen's, whose error messages name what was found ("invalid
//! type: floating point `1.5`, expected u32") and so carry Rust's whole float formatting into
//! the app (about 12 KB, 4 KB with brotli, on every first visit). Nobody reads those messages:
//! an answer that does not fit is one "the server sent an answer this page does not
//! understand", so the error here is a unit.

use js_sys::{Array, Object, Reflect};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess,
    VariantAccess, Visitor,
};
use std::fmt;
use wasm_bindgen::{JsCast, JsValue};

/// An answer that does not fit the type asked for (and, for `crate::encode`, a value that has
/// no JSON form).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unfit;

impl fmt::Display for Unfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the value does not fit its form")
    }
}

impl std::error::Error for Unfit {}

impl de::Error for Unfit {
    /// The message is dropped unread: formatting it is what this module avoids.
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unfit
    }
}

/// Reads `value` as a `T`.
pub fn from_value<T: DeserializeOwned>(value: JsValue) -> Result<T, Unfit> {
    T::deserialize(Value(value))
}

/// Whole numbers JavaScript holds exactly (up to 2^53), which go to serde as integers.
const SAFE: f64 = 9_007_199_254_740_992.0;

/// Deserializer methods that read as another one does.
macro_rules! forward_to {
    ($($to:ident: $($from:ident)+;)+) => {
        $($(
            fn $from<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
                self.$to(visitor)
            }
        )+)+
    };
}

struct Value(JsValue);

impl<'de> de::Deserializer<'de> for Value {
    type Error = Unfit;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        let value = self.0;
        if value.is_null() || value.is_undefined() {
            visitor.visit_unit()
        } else if let Some(b) = value.as_bool() {
            visitor.visit_bool(b)
        } else if let Some(n) = value.as_f64() {
            if n.fract() != 0.0 || n.abs() > SAFE || !n.is_finite() {
                visitor.visit_f64(n)
            } else if n < 0.0 {
                visitor.visit_i64(n as i64)
            } else {
                visitor.visit_u64(n as u64)
            }
        } else if let Some(s) = value.as_string() {
            visitor.visit_string(s)
        } else if Array::is_array(&value) {
            let items: Array = value.unchecked_into();
            visitor.visit_seq(Items { items, next: 0 })
        } else if value.is_object() {
            let object: Object = value.unchecked_into();
            let keys = Object::keys(&object);
            visitor.visit_map(Fields {
                object,
                keys,
                next: 0,
            })
        } else {
            Err(Unfit)
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Unfit> {
        visitor.visit_newtype_struct(self)
    }

    /// A unit variant is its name (`"active"`); any other, an object with the name as its
    /// one key (`{"Text": "…"}`), as serde writes them.
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unfit> {
        if let Some(name) = self.0.as_string() {
            return visitor.visit_enum(name.into_deserializer());
        }
        let object: Object = self.0.dyn_into().map_err(|_| Unfit)?;
        let keys = Object::keys(&object);
        if keys.length() != 1 {
            return Err(Unfit);
        }
        let name = keys.get(0);
        let content = Reflect::get(&object, &name).map_err(|_| Unfit)?;
        visitor.visit_enum(Variant { name, content })
    }

    // Each type reads the one shape it takes and calls its visitor's one method for it, so
    // a struct's visitor is never asked to read an array, nor a number's a string: the code
    // serde derives for those (a `visit_seq` per struct, an error path per primitive and
    // field name) is never reached, and the optimizer leaves it out.

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        visitor.visit_bool(self.0.as_bool().ok_or(Unfit)?)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        match self.0.as_f64() {
            Some(n) if n.fract() == 0.0 && n.abs() <= SAFE => {
                if n < 0.0 {
                    visitor.visit_i64(n as i64)
                } else {
                    visitor.visit_u64(n as u64)
                }
            }
            _ => Err(Unfit),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        visitor.visit_f64(self.0.as_f64().ok_or(Unfit)?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        visitor.visit_string(self.0.as_string().ok_or(Unfit)?)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_unit()
        } else {
            Err(Unfit)
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        if !Array::is_array(&self.0) {
            return Err(Unfit);
        }
        let items: Array = self.0.unchecked_into();
        visitor.visit_seq(Items { items, next: 0 })
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        if !self.0.is_object() || Array::is_array(&self.0) {
            return Err(Unfit);
        }
        let object: Object = self.0.unchecked_into();
        let keys = Object::keys(&object);
        visitor.visit_map(Fields {
            object,
            keys,
            next: 0,
        })
    }

    /// A field nobody reads is skipped without being looked at: the browser has parsed it.
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Unfit> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Unfit> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Unfit> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, Unfit> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unfit> {
        self.deserialize_map(visitor)
    }

    forward_to! {
        deserialize_u64: deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
            deserialize_i128 deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u128;
        deserialize_f64: deserialize_f32;
        deserialize_string: deserialize_char deserialize_str deserialize_identifier;
        deserialize_any: deserialize_bytes deserialize_byte_buf;
    }
}

struct Items {
    items: Array,
    next: u32,
}

impl<'de> SeqAccess<'de> for Items {
    type Error = Unfit;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Unfit> {
        if self.next >= self.items.length() {
            return Ok(None);
        }
        let item = self.items.get(self.next);
        self.next += 1;
        seed.deserialize(Value(item)).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.length().saturating_sub(self.next) as usize)
    }
}

struct Fields {
    object: Object,
    keys: Array,
    next: u32,
}

impl<'de> MapAccess<'de> for Fields {
    type Error = Unfit;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Unfit> {
        if self.next >= self.keys.length() {
            return Ok(None);
        }
        seed.deserialize(Value(self.keys.get(self.next))).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Unfit> {
        let key = self.keys.get(self.next);
        self.next += 1;
        let value = Reflect::get(&self.object, &key).map_err(|_| Unfit)?;
        seed.deserialize(Value(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.keys.length().saturating_sub(self.next) as usize)
    }
}

/// `{"Name": content}`: a variant with content.
struct Variant {
    name: JsValue,
    content: JsValue,
}

impl<'de> EnumAccess<'de> for Variant {
    type Error = Unfit;
    type Variant = Value;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Value), Unfit> {
        let name = seed.deserialize(Value(self.name))?;
        Ok((name, Value(self.content)))
    }
}

impl<'de> VariantAccess<'de> for Value {
    type Error = Unfit;

    fn unit_variant(self) -> Result<(), Unfit> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Unfit> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Unfit> {
        de::Deserializer::deserialize_any(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Unfit> {
        de::Deserializer::deserialize_any(self, visitor)
    }
}

#[cfg(test)]
mod tests;
