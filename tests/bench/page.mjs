// Functions that run inside the demo page, passed to Playwright's page.evaluate: each
// is serialized on its own, so none may use anything from module scope.

/** Smallest step of performance.now(); Chromium coarsens it without cross-origin
 * isolation, which bounds the precision of every in-page number. */
export function timerResolution() {
  let best = Infinity;
  for (let i = 0; i < 50; i++) {
    const a = performance.now();
    let b = a;
    while (b === a) b = performance.now();
    best = Math.min(best, b - a);
  }
  return best;
}

/** Clicks the launcher and resolves with the ms until the panel's engine is ready. */
export function untilReady(timeoutMs) {
  const root = document.querySelector("shopdesk-widget").shadowRoot;
  const state = () => root.querySelector('[data-testid="sd-panel"]')?.getAttribute("data-engine");
  if (state() !== "idle") throw new Error(`engine is ${state()} before the first interaction`);
  return new Promise((resolve, reject) => {
    let t0 = 0;
    const check = () => {
      if (state() === "ready") {
        const t = performance.now();
        observer.disconnect();
        clearTimeout(timer);
        resolve(t - t0);
      } else if (state() === "failed") {
        observer.disconnect();
        clearTimeout(timer);
        reject(new Error("the engine failed to load"));
      }
    };
    const observer = new MutationObserver(check);
    observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-engine"] });
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`engine not ready after ${timeoutMs} ms (${state()})`));
    }, timeoutMs);
    t0 = performance.now();
    root.querySelector('[data-testid="sd-launcher"]').click();
    check();
  });
}

/** Types every query one character at a time into the search box; returns, per
 * keystroke that changed the DOM, ms from dispatching `input` to the last mutation, and
 * per keystroke, ms until its work was done (the next task ran). */
export async function typeQueries({ queries, settleMs, capMs, marks = false }) {
  const root = document.querySelector("shopdesk-widget").shadowRoot;
  let last = -1;
  const observer = new MutationObserver(() => {
    last = performance.now();
  });
  observer.observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // Sets the value as a keystroke would and waits until the DOM has been quiet for
  // settleMs; returns ms to the last mutation, or null if nothing changed.
  const keystroke = async (value) => {
    const input = root.querySelector('[data-testid="sd-input"]');
    input.value = value;
    last = -1;
    // A message task runs after the event's handlers and every microtask they queued
    // (leptos effects, observer callbacks): when this keystroke's work is done.
    const channel = new MessageChannel();
    const handled = new Promise(
      (r) =>
        (channel.port1.onmessage = () => {
          if (marks && value) performance.mark("sd-keystroke-done");
          r(performance.now());
        }),
    );
    // For traces (profile.mjs): the window of this keystroke's work.
    if (marks && value) performance.mark("sd-keystroke");
    const t0 = performance.now();
    input.dispatchEvent(new Event("input", { bubbles: true, composed: true }));
    channel.port2.postMessage(0);
    const done = (await handled) - t0;
    channel.port1.close();
    for (;;) {
      await sleep(settleMs);
      const now = performance.now();
      if (now - last >= settleMs || now - t0 > capMs) break;
    }
    return { dom: last >= t0 ? last - t0 : null, done };
  };
  const samples = [];
  const handled = [];
  const changed = [];
  const typed = [];
  let unchanged = 0;
  for (const q of queries) {
    await keystroke(""); // the shopper clears the box: not measured
    for (let i = 1; i <= q.length; i++) {
      const value = q.slice(0, i);
      const { dom, done } = await keystroke(value);
      typed.push(value);
      handled.push(done);
      changed.push(dom !== null);
      if (dom === null) unchanged++;
      else samples.push(dom);
    }
  }
  observer.disconnect();
  return { samples, handled, changed, typed, unchanged };
}
