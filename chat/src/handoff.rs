//! The handoff of the first message, read and written with the browser's JSON: the
//! panel builds it (it knows what the shopper searched and read), `sharing.rs`
//! decides what of it goes, and this applies that decision to the panel's text.

use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

use crate::sharing::{shortened, Additions, Part, Shared, Snapshot};

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn text_of(value: &JsValue) -> String {
    value.as_string().unwrap_or_else(|| {
        JSON::stringify(value)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    })
}

/// The keys of `object` and their values as shown; `signature` left out.
fn entries(object: &JsValue) -> Vec<(String, String)> {
    if !object.is_object() {
        return Vec::new();
    }
    Object::entries(object.unchecked_ref::<Object>())
        .iter()
        .filter_map(|pair| {
            let pair: Array = pair.unchecked_into();
            let key = pair.get(0).as_string()?;
            (key != "signature").then(|| (key, shortened(&text_of(&pair.get(1)))))
        })
        .collect()
}

/// What the panel's handoff `json` shows the shopper.
pub(crate) fn snapshot(json: String) -> Snapshot {
    let Ok(h) = JSON::parse(&json) else {
        return Snapshot::default();
    };
    let list = |key: &str| -> Vec<JsValue> {
        get(&h, key)
            .dyn_into::<Array>()
            .map(|a| a.iter().collect())
            .unwrap_or_default()
    };
    let page_title = get(&h, "page_title").as_string();
    let page_url = get(&h, "page_url").as_string();
    let identity = get(&h, "identity");
    let id = get(&identity, "id");
    let id = id
        .as_string()
        .or_else(|| id.as_f64().map(|n| text_of(&n.into())));
    Snapshot {
        searched: list("searched")
            .iter()
            .filter_map(JsValue::as_string)
            .collect(),
        read: list("read")
            .iter()
            .filter_map(|a| Some((get(a, "id").as_string()?, get(a, "title").as_string()?)))
            .collect(),
        page: match (page_title, page_url) {
            (Some(t), Some(u)) => format!("{t} — {u}"),
            (t, u) => t.or(u).unwrap_or_default(),
        },
        identity: entries(&identity),
        context: entries(&get(&h, "context")),
        proof: id.zip(get(&identity, "signature").as_string()),
        json,
    }
}

/// Removes from `object`'s `key` (an object) the keys `gone` names; an object left
/// empty goes altogether.
fn strip(object: &JsValue, key: &str, gone: impl Fn(&str) -> bool) {
    let inner = get(object, key);
    if !inner.is_object() {
        return;
    }
    for k in Object::keys(inner.unchecked_ref::<Object>()).iter() {
        if let Some(k) = k.as_string() {
            if gone(&k) {
                let _ = Reflect::delete_property(inner.unchecked_ref::<Object>(), &k.into());
            }
        }
    }
    // A signature vouches for the id: without the id it has nothing to vouch for.
    if get(&inner, "id").is_undefined() {
        let _ = Reflect::delete_property(inner.unchecked_ref::<Object>(), &"signature".into());
    }
    if Object::keys(inner.unchecked_ref::<Object>()).length() == 0 {
        let _ = Reflect::delete_property(object.unchecked_ref::<Object>(), &key.into());
    }
}

/// The handoff that goes: the snapshot without what was taken out, with `adds`.
pub(crate) fn outgoing(shared: Option<&Shared>, locale: &str, adds: &Additions) -> String {
    let h = shared
        .and_then(|s| JSON::parse(&s.snapshot.json).ok())
        .filter(JsValue::is_object)
        .unwrap_or_else(|| {
            let bare = Object::new();
            let _ = Reflect::set(&bare, &"locale".into(), &locale.into());
            bare.into()
        });
    if let Some(s) = shared {
        let keep = |key: &str, part: &dyn Fn(&JsValue) -> Option<Part>| {
            if let Ok(list) = get(&h, key).dyn_into::<Array>() {
                let kept = list.filter(&mut |v, _, _| part(&v).is_none_or(|p| s.kept(&p)));
                let _ = Reflect::set(&h, &key.into(), &kept);
            }
        };
        keep("searched", &|v| v.as_string().map(Part::Searched));
        keep("read", &|v| get(v, "id").as_string().map(Part::Read));
        if !s.kept(&Part::Page) {
            let _ = Reflect::delete_property(h.unchecked_ref::<Object>(), &"page_url".into());
            let _ = Reflect::delete_property(h.unchecked_ref::<Object>(), &"page_title".into());
        }
        strip(&h, "identity", |k| !s.kept(&Part::Identity(k.into())));
        strip(&h, "context", |k| !s.kept(&Part::Context(k.into())));
    }
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&h, &key.into(), &value);
    };
    if let Some(name) = &adds.name {
        set("name", name.into());
    }
    if let Some(email) = &adds.email {
        set("email", email.into());
    }
    if adds.transcript {
        set("transcript", true.into());
    }
    if let Some(zone) = &adds.time_zone {
        set("time_zone", zone.into());
    }
    if !adds.suggested.is_empty() {
        let list = Array::new();
        for a in &adds.suggested {
            let o = Object::new();
            let _ = Reflect::set(&o, &"id".into(), &a.id.as_str().into());
            let _ = Reflect::set(&o, &"title".into(), &a.title.as_str().into());
            list.push(&o);
        }
        set("suggested", list.into());
    }
    set("start_key", adds.start_key.as_str().into());
    JSON::stringify(&h)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}
