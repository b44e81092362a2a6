#!/usr/bin/env node
// Verifies an audit log export (GET /api/audit/export, NDJSON) from the export alone: every
// entry links to the one before it and its hash is SHA-256 of the JSON array
// [prevHash, seq, at, actor, actorDigest, action, subjectType, subjectDigest, count, detail]
// with actorKind appended when the entry has one, or, for an entry with an outcome, actorKind
// (or null), outcome, clientIp and userAgent appended. An export from seq 1 starts at the genesis
// hash (64 zeros); one from later starts where the entry before it ended (prints it, to compare
// with an earlier export's head).
//
//   node scripts/verify-audit.mjs audit.ndjson     (or the export on standard input)
//
// An entry with a keyId is an HMAC-SHA-256 of the same text under that key: give the keys as
// the worker has them, AUDIT_KEY="id:secret[,id:secret…]" in the environment. Once an entry is
// keyed, every later one must be (one re-hashed without the key is a break).
//
// Exit 0 and "N entries verified" when intact; exit 1 naming the first entry that is not.
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

const GENESIS = '0'.repeat(64);
const keys = new Map((process.env.AUDIT_KEY ?? '').split(',').filter((p) => p.includes(':'))
  .map((p) => { const at = p.indexOf(':'); return [p.slice(0, at).trim(), p.slice(at + 1)]; }));
let keyed = 0;
const text = readFileSync(process.argv[2] ?? 0, 'utf8');
const fail = (where, why) => {
  console.error(`audit export broken at ${where}: ${why}`);
  process.exit(1);
};

let prev = null;
let count = 0;
let first = null;
let last = null;
text.split('\n').forEach((line, i) => {
  if (line.trim() === '') return;
  let e;
  try {
    e = JSON.parse(line);
  } catch {
    fail(`line ${i + 1}`, 'not JSON');
  }
  const content = [e.prevHash, e.seq, e.at, e.actor, e.actorDigest, e.action,
    e.subjectType, e.subjectDigest, e.count, e.detail];
  if (e.outcome != null) content.push(e.actorKind ?? null, e.outcome, e.clientIp, e.userAgent);
  else if (e.actorKind != null) content.push(e.actorKind);
  let hash;
  if (e.keyId != null) {
    if (!keys.has(e.keyId)) fail(`seq ${e.seq}`, `it is keyed with "${e.keyId}": give that key in AUDIT_KEY`);
    hash = createHmac('sha256', keys.get(e.keyId)).update(JSON.stringify(content)).digest('hex');
    keyed += 1;
  } else {
    if (keyed > 0) fail(`seq ${e.seq}`, 'it is not keyed, after keyed entries: it was re-hashed without the key');
    hash = createHash('sha256').update(JSON.stringify(content)).digest('hex');
  }
  if (prev === null) {
    first = e;
    if (e.seq === 1 && e.prevHash !== GENESIS) fail('seq 1', 'the first entry does not start the chain');
  } else if (e.prevHash !== prev) {
    fail(`seq ${e.seq}`, 'its prevHash is not the previous entry\'s hash: an entry was removed, inserted or changed');
  }
  if (hash !== e.hash) fail(`seq ${e.seq}`, 'its content does not match its hash');
  prev = e.hash;
  last = e.seq;
  count += 1;
});
if (count === 0) fail('the start', 'no entries');
console.log(`${count} entries verified, seq ${first.seq} to ${last}; ` +
  `starts after ${first.prevHash}; head ${prev}; ${keyed} keyed`);
