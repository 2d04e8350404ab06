//! Telling an agent something happened when they are not looking: a short tone and a
//! desktop notification. Browser effects only; what deserves an alert is the desk's
//! call (`desk::Applied::Announce`).
//!
//! Browsers allow sound only after the page got a click or key press, and desktop
//! notifications only with permission, which is asked from a button, never on load.

use wasm_bindgen::JsValue;
use web_sys::{AudioContext, Notification, NotificationOptions, NotificationPermission};

/// Where "sound off" is remembered (per browser; on unless turned off).
const SOUND_KEY: &str = "shopdesk-agent:sound";

/// What the browser allows for desktop notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Permission {
    /// Not asked yet: the page offers a button.
    Ask,
    Granted,
    Denied,
    /// No Notification API (or not in this context).
    Unsupported,
}

pub(crate) fn permission() -> Permission {
    let supported = js_sys::Reflect::has(&js_sys::global(), &JsValue::from_str("Notification"))
        .unwrap_or(false);
    if !supported {
        return Permission::Unsupported;
    }
    match Notification::permission() {
        NotificationPermission::Granted => Permission::Granted,
        NotificationPermission::Denied => Permission::Denied,
        _ => Permission::Ask,
    }
}

/// Asks for permission (from a click); the answer once the agent chose.
pub(crate) async fn ask() -> Permission {
    if let Ok(promise) = Notification::request_permission() {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
    permission()
}

/// A desktop notification, if allowed; one at a time (a newer one replaces the last).
pub(crate) fn notify(body: &str) {
    if permission() != Permission::Granted {
        return;
    }
    let options = NotificationOptions::new();
    options.set_body(body);
    options.set_tag("shopdesk-agent");
    if let Err(e) = Notification::new_with_options("Shopdesk", &options) {
        crate::browser::console_error(&format!(
            "notification not shown: {}",
            shopdesk_web::js::describe(&e)
        ));
    }
}

pub(crate) fn sound_on() -> bool {
    local_storage()
        .and_then(|s| s.get_item(SOUND_KEY).ok().flatten())
        .is_none_or(|v| v != "off")
}

pub(crate) fn set_sound(on: bool) {
    if let Some(storage) = local_storage() {
        let _ = if on {
            storage.remove_item(SOUND_KEY)
        } else {
            storage.set_item(SOUND_KEY, "off")
        };
    }
}

/// A short two-note chime, made on the spot (no audio file to load).
pub(crate) fn chime() {
    let Ok(context) = AudioContext::new() else {
        return;
    };
    let start = context.current_time();
    for (i, frequency) in [880.0, 1320.0].into_iter().enumerate() {
        let (Ok(tone), Ok(gain)) = (context.create_oscillator(), context.create_gain()) else {
            return;
        };
        let at = start + i as f64 * 0.12;
        tone.frequency().set_value(frequency);
        let volume = gain.gain();
        let _ = volume.set_value_at_time(0.0, at);
        let _ = volume.linear_ramp_to_value_at_time(0.15, at + 0.02);
        let _ = volume.linear_ramp_to_value_at_time(0.0, at + 0.2);
        if tone.connect_with_audio_node(&gain).is_err()
            || gain
                .connect_with_audio_node(&context.destination())
                .is_err()
        {
            return;
        }
        let _ = tone.start_with_when(at);
        let _ = tone.stop_with_when(at + 0.22);
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}
