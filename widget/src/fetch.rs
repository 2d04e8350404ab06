//! Talking to the network: downloading the FAQ index, sending feedback.

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestCache, RequestInit, Response};

use crate::js;

/// Fetches `url` as bytes; errors name the URL and the HTTP status.
pub(crate) async fn bytes(url: &str, cache: RequestCache) -> Result<Vec<u8>, String> {
    let init = RequestInit::new();
    init.set_cache(cache);
    let request = Request::new_with_str_and_init(url, &init).map_err(|e| js::describe(&e))?;
    let response = send(&request)
        .await
        .map_err(|e| format!("cannot fetch {url}: {e}"))?;
    let promise = response.array_buffer().map_err(|e| js::describe(&e))?;
    let buffer: ArrayBuffer = JsFuture::from(promise)
        .await
        .map_err(|e| format!("cannot read {url}: {}", js::describe(&e)))?
        .unchecked_into();
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Sends `request`; network failures and non-2xx answers are errors ("HTTP 503").
pub(crate) async fn send(request: &Request) -> Result<Response, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_request(request))
        .await
        .map_err(|e| js::describe(&e))?
        .unchecked_into();
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    Ok(response)
}
