// Shopdesk loader: the one script a merchant adds to a store page.
// It finds its own URL (so self-hosting and CDNs need no configuration), loads the
// small widget module and starts it once the page body exists. Nothing heavy is
// fetched here: the search engine and the FAQ index load on first use.
(function () {
  "use strict";
  var script = document.currentScript;
  var base = new URL(".", (script && script.src) || location.href).href;
  function fail(error) {
    console.error("[shopdesk] the widget could not start:", error);
  }
  try {
    import(base + "shopdesk-widget.js")
      .then(function (widget) {
        return widget.default({ module_or_path: base + "shopdesk-widget_bg.wasm" }).then(function () {
          function start() {
            widget.start(base);
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
