// Trunk post-build hook: writes the `_headers` file that Workers static assets serve with every
// page of the SPA. The script policy allows exactly the inline loader Trunk wrote into this
// build's index.html, by its SHA-256, so the policy stays true whenever the loader changes.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR || process.argv[2];
if (!dir) {
  console.error("security-headers: run as a Trunk hook (TRUNK_STAGING_DIR) or pass the dist dir");
  process.exit(1);
}
const html = readFileSync(join(dir, "index.html"), "utf8");

const hashes = [];
for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
  const [, attributes, body] = match;
  if (/\bsrc\s*=/.test(attributes)) continue;
  hashes.push(`'sha256-${createHash("sha256").update(body, "utf8").digest("base64")}'`);
}
if (hashes.length === 0) {
  console.error("security-headers: no inline script found in index.html; Trunk's loader moved?");
  process.exit(1);
}
if (/\sstyle\s*=|<style\b/i.test(html)) {
  console.error("security-headers: index.html carries inline style, which the policy refuses");
  process.exit(1);
}

const policy = [
  "default-src 'self'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(" ")}`,
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join("; ");

// Browsers ignore Strict-Transport-Security over plain http (RFC 6797), so local development
// is unaffected; over https it keeps the app on https.
const headers = `/*
  Content-Security-Policy: ${policy}
  X-Frame-Options: DENY
  Referrer-Policy: no-referrer
  X-Content-Type-Options: nosniff
  Strict-Transport-Security: max-age=63072000; includeSubDomains
  Cross-Origin-Opener-Policy: same-origin
  Permissions-Policy: camera=(), microphone=(), geolocation=(), payment=()
`;
// Trunk names each build's wasm, JS and CSS by a hash of its content (a 64-bit number in hex,
// without leading zeros: 15 digits one build in sixteen), so a name never serves
// other bytes: those files are cached for a year and never revalidated. Only index.html (and
// anything not named by a hash) keeps the assets' default, revalidated on every visit, and it
// is what points a browser at a new build.
const hashed = readdirSync(dir).filter((name) => /-[0-9a-f]{1,16}(_bg)?\.(js|wasm|css)$/.test(name));
if (hashed.length === 0) {
  console.error("security-headers: no hashed asset in the build; Trunk's file names changed?");
  process.exit(1);
}
const immutable = hashed
  .map((name) => `/${name}\n  Cache-Control: public, max-age=31536000, immutable\n`)
  .join("");
writeFileSync(join(dir, "_headers"), headers + immutable);
console.log(
  `security-headers: ${hashes.length} inline script(s) allowed by hash, ${hashed.length} hashed asset(s) immutable`,
);
