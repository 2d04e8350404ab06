#!/usr/bin/env node
// Minifies the widget's JavaScript in place for release: the loader merchants paste
// (`shopdesk.js`, a classic script) and wasm-bindgen's glue of every module and its
// snippets (ES modules). Trunk's own minifier cannot parse either (it stops at
// `export { … as default }` and at `import()`), so release builds run this instead.
//
//   node scripts/minify/minify.mjs FOLDER   (every .js under it; .d.ts files are left alone)
//
// Names that cross module boundaries survive: ES module exports are kept by terser, and
// the loader's only global is the `window.shopdesk` property it assigns.
import { readdirSync, readFileSync, writeFileSync, statSync } from "node:fs";
import path from "node:path";
import { minify } from "terser";

const folder = process.argv[2];
if (!folder || !statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
  console.error("usage: node scripts/minify/minify.mjs FOLDER (the built widget, such as target/widget-dist)");
  process.exit(2);
}

function* scripts(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* scripts(file);
    else if (entry.name.endsWith(".js")) yield file;
  }
}

let before = 0;
let after = 0;
for (const file of scripts(folder)) {
  const source = readFileSync(file, "utf8");
  // The loader is a classic script; everything wasm-bindgen writes is a module.
  const module = /^\s*(import|export)\b/m.test(source);
  const result = await minify(source, {
    module,
    ecma: 2020,
    compress: { passes: 2 },
    mangle: true,
    format: { comments: false },
  }).catch((error) => {
    console.error(`${file}: cannot minify: ${error.message}`);
    process.exit(1);
  });
  writeFileSync(file, result.code);
  before += source.length;
  after += result.code.length;
}
console.error(`minified ${folder}: ${(before / 1024).toFixed(1)} KB → ${(after / 1024).toFixed(1)} KB of JavaScript`);
