// Trunk post-build hook, before minify-glue: shortens the names the wasm and its JS glue use
// for each other, and drops the bindings nothing can call (about 5 KB less with brotli).
//
// wasm-bindgen names every import after the JS function behind it plus a 16-digit hash
// (`__wbg_createElement_e8d9…`) and many exports the same way, and writes each name twice:
// in the wasm's import and export sections and in the glue. Those hashes are random text,
// which no compressor shortens. Here each import and export gets a name of one or two
// letters, in both files, by the same table.
//
// Leptos links server_fn, which links wasm-streams, whose `IntoUnderlying*` classes are
// exported to JS although nothing constructs them: they have no constructor binding, and no
// import wraps one (checked below). Their exports and glue classes go; wasm-opt then removes
// the code only they reached.
//
// The wasm's file name keeps Trunk's hash: the same sources still always give the same bytes,
// which the assets' year-long immutable caching relies on. index.html's integrity hashes for
// both files are rewritten to match.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { rewriteIntegrity } from "./integrity.mjs";

const dir = process.env.TRUNK_STAGING_DIR || process.argv[2];
const fail = (why) => {
  console.error(`shrink-bindings: ${why}`);
  process.exit(1);
};
if (!dir) fail("run as a Trunk hook (TRUNK_STAGING_DIR) or pass the dist dir");

const one = (pattern, what) => {
  const found = readdirSync(dir).filter((name) => pattern.test(name));
  if (found.length !== 1) fail(`expected one ${what} in the build, found ${found.length}`);
  return join(dir, found[0]);
};
const wasmPath = one(/-[0-9a-f]{1,16}_bg\.wasm$/, "hashed _bg.wasm");
const jsPath = one(/-[0-9a-f]{1,16}\.js$/, "hashed .js");
const htmlPath = join(dir, "index.html");
let html = readFileSync(htmlPath, "utf8");
const wasmBefore = readFileSync(wasmPath);
const jsBefore = readFileSync(jsPath);
let js = jsBefore.toString("utf8");

// ---- The wasm's sections: only imports (2) and exports (7) are read and rewritten. ----

function readU32(bytes, at) {
  let value = 0, shift = 0, byte;
  do {
    byte = bytes[at++];
    value |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return [value >>> 0, at];
}

function u32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return Buffer.from(out);
}

const utf8 = (text) => Buffer.concat([u32(Buffer.byteLength(text)), Buffer.from(text, "utf8")]);

function readName(bytes, at) {
  const [length, start] = readU32(bytes, at);
  return [bytes.toString("utf8", start, start + length), start + length];
}

if (wasmBefore.readUInt32LE(0) !== 0x6d736100) fail(`${wasmPath} is not a wasm module`);
const sections = [];
for (let at = 8; at < wasmBefore.length; ) {
  const id = wasmBefore[at];
  const [size, start] = readU32(wasmBefore, at + 1);
  sections.push({ id, body: wasmBefore.subarray(start, start + size) });
  at = start + size;
}
const section = (id) => sections.find((s) => s.id === id) ?? fail(`the wasm has no section ${id}`);

// Imports: all functions (kind 0, then a type index), from the glue's one module.
const imports = [];
{
  const body = section(2).body;
  let [count, at] = readU32(body, 0);
  while (count--) {
    let module, name;
    [module, at] = readName(body, at);
    [name, at] = readName(body, at);
    if (body[at] !== 0) fail(`import ${module}.${name} is not a function; wasm-bindgen changed?`);
    const start = at;
    [, at] = readU32(body, at + 1);
    imports.push({ module, name, descriptor: body.subarray(start, at) });
  }
}
const modules = new Set(imports.map((i) => i.module));
if (modules.size !== 1) fail(`expected imports from one module, found ${[...modules].join(", ")}`);
const [glueModule] = modules;

const exports = [];
{
  const body = section(7).body;
  let [count, at] = readU32(body, 0);
  while (count--) {
    let name;
    [name, at] = readName(body, at);
    const start = at;
    [, at] = readU32(body, at + 1);
    exports.push({ name, descriptor: body.subarray(start, at) });
  }
}

// ---- The glue: the same names, found where wasm-bindgen writes them. ----

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const count = (pattern) => (js.match(pattern) ?? []).length;

// wasm-streams' classes: `export class IntoUnderlying… { … }` to the first `}` at a line's
// start, the line after giving it `Symbol.dispose`, and its FinalizationRegistry.
const streams = [...js.matchAll(/^export class (IntoUnderlying\w+) \{$/gm)].map((m) => m[1]);
if (streams.length === 0) fail("no IntoUnderlying* class in the glue; drop this step if server_fn no longer links wasm-streams");
for (const name of streams) {
  if (count(new RegExp(`\\b${name}\\b(?!Finalization)`, "g")) !== 3)
    fail(`${name} is used beyond its class and Symbol.dispose line; something constructs it`);
  const before = js.length;
  js = js
    .replace(new RegExp(`^export class ${name} \\{\\n[\\s\\S]*?^\\}\\n`, "m"), "")
    .replace(new RegExp(`^if \\(Symbol\\.dispose\\) ${name}\\.prototype.*\\n`, "m"), "")
    .replace(new RegExp(`^const ${name}Finalization = [\\s\\S]*?;\\n`, "m"), "");
  if (js.length === before || count(new RegExp(`\\b${name}`, "g")) !== 0)
    fail(`could not remove every trace of ${name} from the glue`);
}
js = js.replace(/^const __wbindgen_enum_ReadableStreamType = .*\n/m, "");
const dropped = exports.filter((e) => /^(__wbg_)?intounderlying/.test(e.name));
if (dropped.length === 0) fail("no intounderlying* export in the wasm");
for (const e of dropped)
  if (count(new RegExp(`\\b${e.name}\\b`, "g")) !== 0) fail(`the glue still calls ${e.name}`);
const kept = exports.filter((e) => !dropped.includes(e));

// Short names: a, b, …, Z, aa, ab, …: never a JS keyword at these lengths, or `do`/`if`/`in`.
const reserved = new Set(["do", "if", "in"]);
function* shortNames() {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (const a of letters) yield a;
  for (const a of letters) for (const b of letters) if (!reserved.has(a + b)) yield a + b;
}

// Imports: each is a key `name: function(` of the object `__wbg_get_imports` returns, once.
{
  const names = shortNames();
  const short = new Map(imports.map((i) => [i.name, (i.short = names.next().value)]));
  for (const i of imports)
    if (count(new RegExp(`\\b${escape(i.name)}\\b`, "g")) !== 1 ||
        !new RegExp(`^\\s+${escape(i.name)}: function\\(`, "m").test(js))
      fail(`import ${i.name} is not one key of the import object`);
  js = js.replace(/^(\s+)(\w+)(: function\()/gm, (line, indent, name, rest) =>
    short.has(name) ? indent + short.get(name) + rest : line);
  const moduleKey = `"${glueModule}": import0`;
  if (count(new RegExp(escape(moduleKey), "g")) !== 1) fail(`the glue does not return { ${moduleKey} }`);
  js = js.replace(moduleKey, `"w": import0`);
}

// Exports: the glue reads each as `wasm.name` (its wrappers of closures share some of the
// names, as local functions the minifier renames anyway), never by a string.
{
  const names = shortNames();
  const short = new Map(kept.map((e) => [e.name, (e.short = names.next().value)]));
  for (const e of kept)
    if (new RegExp(`["'\`]${escape(e.name)}\\b`).test(js)) fail(`the glue names the export ${e.name} in a string`);
  js = js.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (use, name) =>
    short.has(name) ? `wasm.${short.get(name)}` : fail(`the glue reads wasm.${name}, which the wasm does not export`));
}

const rebuilt = (id) => {
  const items =
    id === 2
      ? imports.map((i) => Buffer.concat([utf8("w"), utf8(i.short), i.descriptor]))
      : kept.map((e) => Buffer.concat([utf8(e.short), e.descriptor]));
  return Buffer.concat([u32(items.length), ...items]);
};
// Custom sections (producers, target features, wasm-split's marker) go too: the browser
// reads none of them.
const wasm = Buffer.concat([
  wasmBefore.subarray(0, 8),
  ...sections.filter(({ id }) => id !== 0).map(({ id, body }) => {
    const out = id === 2 || id === 7 ? rebuilt(id) : body;
    return Buffer.concat([Buffer.from([id]), u32(out.length), out]);
  }),
]);
writeFileSync(wasmPath, wasm);

// What only the dropped exports reached goes; the features are Rust's wasm32 defaults.
const wasmOpt =
  process.env.WASM_OPT_BIN || join(dirname(fileURLToPath(import.meta.url)), "../node_modules/.bin/wasm-opt");
execFileSync(wasmOpt, [
  wasmPath, "-o", wasmPath, "--remove-unused-module-elements",
  "--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-reference-types", "--enable-multivalue", "--enable-mutable-globals",
], { stdio: "inherit" });

const wasmAfter = readFileSync(wasmPath);
writeFileSync(jsPath, js);
html = rewriteIntegrity(html, wasmBefore, wasmAfter) ?? fail("index.html does not name the wasm by its integrity hash");
html = rewriteIntegrity(html, jsBefore, Buffer.from(js, "utf8")) ?? fail("index.html does not name the glue by its integrity hash");
writeFileSync(htmlPath, html);
console.log(
  `shrink-bindings: ${imports.length} imports and ${kept.length} exports renamed, ` +
    `${dropped.length} exports dropped; wasm ${wasmBefore.length} -> ${wasmAfter.length} bytes, ` +
    `glue ${jsBefore.length} -> ${Buffer.byteLength(js)}`,
);
