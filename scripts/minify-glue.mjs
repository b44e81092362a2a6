// Trunk post-build hook: minifies the JS glue wasm-bindgen wrote (Trunk's own minifier leaves
// it alone), about 1.7 KB less with brotli, and rewrites its Subresource Integrity hash in
// index.html to match. The file keeps Trunk's name: esbuild is deterministic, so that name
// still always serves the same bytes, which its year-long immutable caching relies on.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";
import { rewriteIntegrity } from "./integrity.mjs";

const dir = process.env.TRUNK_STAGING_DIR || process.argv[2];
if (!dir) {
  console.error("minify-glue: run as a Trunk hook (TRUNK_STAGING_DIR) or pass the dist dir");
  process.exit(1);
}
const glue = readdirSync(dir).filter((name) => /-[0-9a-f]{1,16}\.js$/.test(name));
if (glue.length !== 1) {
  console.error(`minify-glue: expected one hashed .js in the build, found ${glue.length}: ${readdirSync(dir).join(" ")}`);
  process.exit(1);
}
const path = join(dir, glue[0]);
const original = readFileSync(path);
const { code } = transformSync(original.toString("utf8"), { minify: true, format: "esm" });
const htmlPath = join(dir, "index.html");
const html = rewriteIntegrity(readFileSync(htmlPath, "utf8"), original, Buffer.from(code, "utf8"));
if (html === null) {
  console.error(`minify-glue: index.html does not name ${glue[0]} by its integrity hash`);
  process.exit(1);
}
writeFileSync(path, code);
writeFileSync(htmlPath, html);
console.log(`minify-glue: ${glue[0]} ${original.length} -> ${Buffer.byteLength(code)} bytes`);
