// Shopdesk loader: the one script a merchant adds to a store page.
//
// It defines `window.shopdesk` (the page's only Shopdesk global) at once, so the
// merchant's calls work from the first moment: calls made before the launcher module
// has arrived are queued and replayed in order, including those pushed earlier with
// the `window.shopdesk = window.shopdesk || []; shopdesk.push(["open"])` pattern.
// It finds its own URL (so self-hosting and CDNs need no configuration), and once the
// store page has loaded, loads the launcher module and starts it. Nothing heavy is
// fetched here: the widget and the FAQ index load when a shopper is about to need them.
//
// Every failure is caught: it is reported once on the console and through the
// `error` event, and never thrown into the store's own code.
(function () {
  "use strict";
  var PREFIX = "[shopdesk] ";
  var EVENTS = ["ready", "open", "close", "search", "article:view", "escalate", "chat:suggestion", "chat:message", "chat:ended", "survey:shown", "survey:submitted", "error"];
  var COMMANDS = ["open", "close", "toggle", "search", "openArticle", "identify", "setContext", "showSurvey", "consent", "shutdown"];
  var earlier = window.shopdesk;
  if (earlier && !Array.isArray(earlier) && typeof earlier === "object" && earlier.version) {
    console.warn(PREFIX + "shopdesk.js is included more than once on this page; the extra copy does nothing.");
    return;
  }

  // A link back to a conversation from an email (`#shopdesk-chat=…`, see
  // server/src/mail/link.rs): kept for the tab, where the chat takes it, and taken out
  // of the address, so a shared or bookmarked URL does not carry it. The panel then
  // opens (below), on the conversation.
  var resuming = false;
  try {
    var LINK = "#shopdesk-chat=";
    if (location.hash.indexOf(LINK) === 0 && location.hash.length > LINK.length) {
      sessionStorage.setItem("shopdesk:resume", location.hash.slice(LINK.length));
      history.replaceState(history.state, "", location.pathname + location.search);
      resuming = true;
    }
  } catch (error) {
    // Storage blocked: the link opens the store page, without the conversation.
  }

  var script = document.currentScript;
  var listeners = {};
  var queue = [];
  var core = null;
  var stopped = false;

  function message(error) {
    return (error && error.message) || String(error);
  }
  function emit(name, detail) {
    var list = (listeners[name] || []).slice();
    for (var i = 0; i < list.length; i++) {
      try {
        list[i](detail);
      } catch (error) {
        // The merchant's listener failed: say so, but keep the widget and the page going.
        console.error(PREFIX + "a listener for `" + name + "` threw:", error);
      }
    }
  }
  function report(error) {
    console.error(PREFIX + message(error));
    emit("error", { message: message(error) });
  }
  function call(name, args) {
    if (stopped) {
      console.warn(PREFIX + "shopdesk." + name + "() was called after shutdown(); it does nothing.");
      return;
    }
    if (!core) {
      queue.push([name, args]);
      return;
    }
    try {
      core.command(name, args);
    } catch (error) {
      report(error);
    }
  }

  var api = {
    version: "0.1.0",
    on: function (event, fn) {
      if (EVENTS.indexOf(event) < 0 || typeof fn !== "function") {
        console.warn(PREFIX + "shopdesk.on(event, fn) takes one of " + EVENTS.join(", ") + " and a function; got " + String(event) + ".");
        return;
      }
      (listeners[event] = listeners[event] || []).push(fn);
    },
    off: function (event, fn) {
      if (!listeners[event]) return;
      listeners[event] = fn ? listeners[event].filter(function (f) { return f !== fn; }) : [];
    },
    push: function (entry) {
      if (!Array.isArray(entry) || typeof entry[0] !== "string" || entry[0] === "push" || typeof api[entry[0]] !== "function") {
        console.warn(PREFIX + "shopdesk.push() takes [\"command\", ...arguments], e.g. [\"open\"]; ignored:", entry);
        return;
      }
      api[entry[0]].apply(api, entry.slice(1));
    },
  };
  COMMANDS.forEach(function (name) {
    api[name] = function () {
      call(name, Array.prototype.slice.call(arguments));
      if (name === "shutdown") {
        stopped = true;
        listeners = {};
        queue = [];
      }
    };
  });
  window.shopdesk = api;
  if (Array.isArray(earlier)) earlier.forEach(api.push);
  if (resuming) api.open();

  try {
    var dataset = {};
    if (script) {
      for (var key in script.dataset) dataset[key] = script.dataset[key];
    }
    var settings = window.shopdeskSettings;
    if (settings !== undefined && (settings === null || typeof settings !== "object" || Array.isArray(settings))) {
      console.warn(PREFIX + "window.shopdeskSettings must be an object such as { position: \"bottom-left\" }; ignored.");
      settings = undefined;
    }
    // Every asset resolves against this folder: the script's own by default. The same
    // rule as shopdesk-settings (which warns about a bad value once the launcher runs):
    // an http(s) URL or a path on this site, else the default.
    var assetUrl = settings && settings.assetUrl != null ? settings.assetUrl : dataset.assetUrl;
    assetUrl = typeof assetUrl === "string" ? assetUrl.trim() : "";
    if (!/^(https?:\/\/|\/)\S*$/i.test(assetUrl)) assetUrl = "";
    var base = assetUrl ? new URL(assetUrl, location.href).href : new URL(".", (script && script.src) || location.href).href;
    if (base.charAt(base.length - 1) !== "/") base += "/";

    // Loads one of the widget's modules: its wasm-bindgen JS through import() (from
    // this static file a strict CSP allows it) and, at the same time, its .wasm, which
    // init compiles as it streams in: a round trip less than letting init fetch it.
    // Resolves with the initialized module. The launcher and the search panel load
    // every other module through it.
    function load(stem) {
      var wasm = fetch(base + stem + "_bg.wasm");
      // If the import fails first, this download's own failure is not news.
      wasm.catch(function () {});
      return import(base + stem + ".js").then(function (module) {
        return module.default({ module_or_path: wasm }).then(function () {
          return module;
        });
      });
    }

    // The launcher loads once the store page has been loaded and painted: after its
    // `load` event and its first contentful paint, and, if `load` came later than that
    // paint, two frames more for the images it waited on. A page whose paint came after
    // our downloads began scored its largest paint, and so its time to interactive,
    // 0.7 s later in Lighthouse's simulation. At the latest LOAD_WAIT_MS after this
    // script ran (a slow image, a hidden tab). Calls made meanwhile are queued.
    var LOAD_WAIT_MS = 3000;
    function afterPageLoad(fn) {
      var done = false;
      var loadedAt = document.readyState === "complete" ? 0 : -1;
      var paintedAt = -1;
      var observer = null;
      function go() {
        if (done) return;
        done = true;
        window.removeEventListener("load", loaded);
        if (observer) observer.disconnect();
        setTimeout(fn);
      }
      function check() {
        if (done || loadedAt < 0 || paintedAt < 0) return;
        if (paintedAt >= loadedAt) return go();
        requestAnimationFrame(function () {
          requestAnimationFrame(go);
        });
      }
      function loaded() {
        loadedAt = performance.now();
        check();
      }
      try {
        if (PerformanceObserver.supportedEntryTypes.indexOf("paint") < 0) throw 0;
        observer = new PerformanceObserver(function (list) {
          list.getEntries().forEach(function (entry) {
            if (entry.name === "first-contentful-paint") paintedAt = entry.startTime;
          });
          check();
        });
        observer.observe({ type: "paint", buffered: true });
      } catch (error) {
        // No paint timing here: the two frames after `load` stand in for it.
        paintedAt = 0;
      }
      setTimeout(go, LOAD_WAIT_MS);
      if (loadedAt < 0) window.addEventListener("load", loaded);
      else check();
    }

    afterPageLoad(function () {
      if (stopped) return;
      load("shopdesk-launcher")
        .then(function (launcher) {
          // Two tasks: `start` reads the settings and puts the launcher on the page,
          // `wire` makes it answer. Calls keep queueing until then.
          function start() {
            if (stopped) return;
            var made;
            try {
              // `loadModule`: the on-demand modules, loaded by `load` above (Rust
              // cannot express import(); the launcher needs no snippet file).
              made = launcher.start({
                base: base,
                dataset: dataset,
                settings: settings || {},
                emit: emit,
                loadModule: load,
                // The FAQ index, fetched beside the search module rather than after
                // it: the manifest's text, and the bundle for `lang` (as the engine
                // picks it: that language, else English, else any) as [file, Response].
                // The engine checks the pick and fetches for itself on any mismatch.
                prefetchIndex: function (url, lang) {
                  var manifest = fetch(url + "faq-manifest.json", { cache: "no-cache" }).then(function (r) {
                    if (!r.ok) throw new Error("HTTP " + r.status);
                    return r.text();
                  });
                  var bundle = manifest.then(function (text) {
                    var locales = JSON.parse(text).locales;
                    var entry = locales[lang.split(/[-_]/)[0].toLowerCase()] || locales.en || locales[Object.keys(locales)[0]];
                    return fetch(url + entry.file).then(function (r) {
                      return [entry.file, r];
                    });
                  });
                  // Failures reach the engine where it awaits these; not the console.
                  manifest.catch(function () {});
                  bundle.catch(function () {});
                  return { manifest: manifest, bundle: bundle };
                },
              });
            } catch (error) {
              report(error);
              return;
            }
            setTimeout(function () {
              if (stopped) return made.free();
              try {
                made.wire();
                core = made;
              } catch (error) {
                report(error);
                return;
              }
              var pending = queue;
              queue = [];
              pending.forEach(function (c) {
                call(c[0], c[1]);
              });
            });
          }
          // In a task of its own, not the one that finished compiling the module: short
          // tasks instead of one long one that would hold up the store page.
          if (document.body) setTimeout(start);
          else document.addEventListener("DOMContentLoaded", start, { once: true });
        })
        .catch(function (error) {
          report("the widget could not start: " + message(error));
        });
    });
  } catch (error) {
    report("the widget could not start: " + message(error));
  }
})();
