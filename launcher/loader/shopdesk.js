// Shopdesk loader: the one script a merchant adds to a store page.
// It finds its own URL (so self-hosting and CDNs need no configuration), loads the
// launcher module and starts it once the page body exists. Nothing heavy is fetched
// here: the widget and the FAQ index load when a shopper is about to need them.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(".", (script && script.src) || location.href).href;
  function fail(error) {
    console.error("[shopdesk] the widget could not start:", error);
  }
  try {
    import(base + "shopdesk-launcher.js")
      .then(function (launcher) {
        return launcher.default({ module_or_path: base + "shopdesk-launcher_bg.wasm" }).then(function () {
          function start() {
            try {
              launcher.start(base);
            } catch (error) {
              fail(error);
            }
          }
          if (document.body) start();
          else document.addEventListener("DOMContentLoaded", start, { once: true });
        });
      })
      .catch(fail);
  } catch (error) {
    fail(error);
  }
})();
