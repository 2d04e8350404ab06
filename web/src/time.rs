//! Time and chance in the browser: the clock, waits, jitter.

use wasm_bindgen_futures::JsFuture;

/// Milliseconds since the Unix epoch, the browser's clock.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// A number in `[0, 1)`, for jitter.
pub fn random() -> f64 {
    js_sys::Math::random()
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: f64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                ms.clamp(0.0, f64::from(i32::MAX)) as i32,
            );
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Resolves in a later task, letting the browser handle input and render in between.
pub async fn next_task() {
    sleep(0.0).await;
}
