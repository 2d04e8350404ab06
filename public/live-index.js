// The demo store's live preview for content editors (not part of the widget): opened as
// /?live-index, the page checks the FAQ manifest every second and, when a new index is
// published (`faq-indexer build --watch`, which scripts/demo.sh runs on public/faq/),
// reloads itself and opens the widget on the same search or article, so each saved
// edit shows in the real widget. Without `?live-index` it does nothing.
(function () {
  if (!/[?&]live-index\b/.test(location.search)) return;
  var KEY = "shopdesk-demo:live-index";
  var manifest = "/faq/faq-manifest.json";
  var seen = null;

  // Where the editor was before the reload.
  var saved = sessionStorage.getItem(KEY);
  if (saved) {
    sessionStorage.removeItem(KEY);
    var was = JSON.parse(saved);
    window.shopdesk = window.shopdesk || [];
    if (was.article) window.shopdesk.push(["openArticle", was.article]);
    else if (was.query) window.shopdesk.push(["search", was.query]);
    else if (was.open) window.shopdesk.push(["open"]);
  }

  function where() {
    var host = document.querySelector("shopdesk-widget");
    var root = host && host.shadowRoot;
    if (!root) return {};
    var panel = root.querySelector('[data-testid="sd-panel"]');
    var input = root.querySelector('[data-testid="sd-input"]');
    var article = root.querySelector('[data-testid="sd-article"]');
    return {
      open: !!panel && !panel.hasAttribute("hidden"),
      query: input ? input.value : "",
      article: article ? article.getAttribute("data-id") : null,
    };
  }

  function check() {
    fetch(manifest, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (text === null) return;
        if (seen !== null && text !== seen) {
          sessionStorage.setItem(KEY, JSON.stringify(where()));
          location.reload();
          return;
        }
        seen = text;
      })
      .catch(function () {})
      .then(function () { setTimeout(check, 1000); });
  }
  check();
  console.info("[shopdesk demo] live index: this page reloads when the FAQ index is rebuilt");
})();
