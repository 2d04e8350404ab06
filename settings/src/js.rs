//! Reading the settings straight from the page's JavaScript values.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::{Problem, Raw, Settings};

/// Copies a JavaScript value; functions, symbols and the like become `Null` (no
/// setting takes them), and nesting is cut off so a cyclic object cannot hang the page.
pub fn from_js(value: &JsValue) -> Raw {
    convert(value, 0)
}

fn convert(value: &JsValue, depth: u8) -> Raw {
    if depth > 4 {
        return Raw::Null;
    }
    if let Some(b) = value.as_bool() {
        return Raw::Bool(b);
    }
    if let Some(n) = value.as_f64() {
        return Raw::Num(n);
    }
    if let Some(s) = value.as_string() {
        return Raw::Str(s);
    }
    if Array::is_array(value) {
        let array: &Array = value.unchecked_ref();
        let mut items = Vec::new();
        for item in array.iter() {
            items.push(convert(&item, depth + 1));
        }
        return Raw::List(items);
    }
    if value.is_object() && !value.is_function() {
        return Raw::Map(entries(value, depth));
    }
    Raw::Null
}

/// Loops rather than iterator chains: see `from_attribute` in the crate root.
fn entries(value: &JsValue, depth: u8) -> Vec<(String, Raw)> {
    let object: &Object = value.unchecked_ref();
    let mut entries = Vec::new();
    for k in Object::keys(object).iter() {
        if let (Some(key), Ok(v)) = (k.as_string(), Reflect::get(value, &k)) {
            entries.push((key, convert(&v, depth + 1)));
        }
    }
    entries
}

/// The settings from the script's `dataset` (copied to a plain object) and
/// `window.shopdeskSettings`; either may be `undefined`.
pub fn read_js(dataset: &JsValue, settings: &JsValue) -> (Settings, Vec<Problem>) {
    let mut attributes = Vec::new();
    if let Raw::Map(entries) = from_js(dataset) {
        for (k, v) in entries {
            if let Raw::Str(s) = v {
                attributes.push((k, s));
            }
        }
    }
    let object = match from_js(settings) {
        Raw::Map(entries) => entries,
        _ => Vec::new(),
    };
    Settings::read(attributes, object)
}
