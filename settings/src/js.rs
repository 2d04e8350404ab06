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
        return Raw::List(array.iter().map(|v| convert(&v, depth + 1)).collect());
    }
    if value.is_object() && !value.is_function() {
        return Raw::Map(entries(value, depth));
    }
    Raw::Null
}

fn entries(value: &JsValue, depth: u8) -> Vec<(String, Raw)> {
    let object: &Object = value.unchecked_ref();
    Object::keys(object)
        .iter()
        .filter_map(|k| {
            let key = k.as_string()?;
            let v = Reflect::get(value, &k).ok()?;
            Some((key, convert(&v, depth + 1)))
        })
        .collect()
}

/// The settings from the script's `dataset` (copied to a plain object) and
/// `window.shopdeskSettings`; either may be `undefined`.
pub fn read_js(dataset: &JsValue, settings: &JsValue) -> (Settings, Vec<Problem>) {
    let attributes: Vec<(String, String)> = match from_js(dataset) {
        Raw::Map(entries) => entries
            .into_iter()
            .filter_map(|(k, v)| match v {
                Raw::Str(s) => Some((k, s)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let object = match from_js(settings) {
        Raw::Map(entries) => entries,
        _ => Vec::new(),
    };
    Settings::read(&attributes, &object)
}
