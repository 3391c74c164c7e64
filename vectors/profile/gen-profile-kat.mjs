#!/usr/bin/env node
// Generates vectors/profile/profile_kat.json: known answers for the encryption profile
// syncml-enc/1 (docs/PROFILE.md), computed by this second, independent implementation of
// the profile (Node's crypto module), so that conftest's C engine is checked against code
// it does not share. Deterministic except the RSA wrappings (OAEP and PKCS#1 v1.5 are
// randomised): regenerate with `node vectors/profile/gen-profile-kat.mjs` from the top
// directory, then run `conftest vectors vectors/profile`.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const V = 'syncml-enc/1';
const NUL = Buffer.from([0]);

// PROFILE section 6.
const ALGS = [
  { name: 'aes128-gcm', id: 0x01, mode: 'gcm', cipher: 'aes-128-gcm', enc: 16, mac: 0, iv: 12, tag: 16 },
  { name: 'aes256-gcm', id: 0x02, mode: 'gcm', cipher: 'aes-256-gcm', enc: 32, mac: 0, iv: 12, tag: 16 },
  { name: 'aes128-cbc-hs256', id: 0x11, mode: 'cbc-hmac', cipher: 'aes-128-cbc', enc: 16, mac: 32, iv: 16, tag: 32 },
  { name: 'aes192-cbc-hs256', id: 0x12, mode: 'cbc-hmac', cipher: 'aes-192-cbc', enc: 24, mac: 32, iv: 16, tag: 32 },
  { name: 'aes256-cbc-hs256', id: 0x13, mode: 'cbc-hmac', cipher: 'aes-256-cbc', enc: 32, mac: 32, iv: 16, tag: 32 },
  { name: '3des-cbc-hs256', id: 0x21, mode: 'cbc-hmac', cipher: 'des-ede3-cbc', enc: 24, mac: 32, iv: 8, tag: 32 },
  { name: 'aes128-cbc', id: 0x81, mode: 'cbc', cipher: 'aes-128-cbc', enc: 16, mac: 0, iv: 16, tag: 0 },
  { name: 'aes192-cbc', id: 0x82, mode: 'cbc', cipher: 'aes-192-cbc', enc: 24, mac: 0, iv: 16, tag: 0 },
  { name: 'aes256-cbc', id: 0x83, mode: 'cbc', cipher: 'aes-256-cbc', enc: 32, mac: 0, iv: 16, tag: 0 },
  { name: '3des-cbc', id: 0xa1, mode: 'cbc', cipher: 'des-ede3-cbc', enc: 24, mac: 0, iv: 8, tag: 0 },
];

const sha256 = (b) => crypto.createHash('sha256').update(b).digest();
const hmac = (key, ...parts) => {
  const h = crypto.createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
};
const be = (n, bytes) => {
  const b = Buffer.alloc(bytes);
  for (let i = bytes - 1; i >= 0; i--) { b[i] = Number(BigInt(n) & 0xffn); n = BigInt(n) >> 8n; }
  return b;
};
// Deterministic "random" bytes for keys and IVs: SHA-256 chained from a label.
const bytes = (label, n) => {
  let out = Buffer.alloc(0), block = Buffer.from(label);
  while (out.length < n) { block = sha256(block); out = Buffer.concat([out, block]); }
  return out.subarray(0, n);
};
const joined = (...xs) => Buffer.concat(xs.flatMap((x, i) => (i ? [NUL, Buffer.from(x)] : [Buffer.from(x)])));

// PROFILE 7.1.
function keySchedule(alg, K, offer, sid, dev) {
  const salt = sha256(Buffer.from(offer));
  const expand = (info, len) => Buffer.from(crypto.hkdfSync('sha256', K, salt, info, len));
  const dir = (d) => {
    const okm = expand(Buffer.concat([Buffer.from(`${V} key ${d}`), NUL, joined(alg.name, sid, dev)]),
      alg.enc + alg.mac);
    return { enc: okm.subarray(0, alg.enc), mac: okm.subarray(alg.enc) };
  };
  return { c2s: dir('c2s'), s2c: dir('s2c'), confirm: expand(joined(`${V} confirm`, sid, dev), 32) };
}

// PROFILE 7.3.
const aadOf = (f) => joined(V, f.dir, f.part, f.sessionId, f.msgId, f.cmdId, f.db, f.locUri);

// PROFILE 6: EF = 0x01 || id || IV || C || TAG.
function seal(alg, keys, f, msg, ivOrCounter) {
  const k = keys[f.dir];
  const header = Buffer.from([0x01, alg.id]);
  const A = aadOf(f);
  if (alg.mode === 'gcm') {
    const nonce = Buffer.concat([Buffer.alloc(4), be(ivOrCounter, 8)]);
    const c = crypto.createCipheriv(alg.cipher, k.enc, nonce);
    c.setAAD(Buffer.concat([header, A]));
    const ct = Buffer.concat([c.update(msg), c.final()]);
    return Buffer.concat([header, nonce, ct, c.getAuthTag()]);
  }
  const iv = ivOrCounter;
  const c = crypto.createCipheriv(alg.cipher, k.enc, iv);
  const ct = Buffer.concat([c.update(msg), c.final()]);
  if (alg.mode === 'cbc') return Buffer.concat([header, iv, ct]);
  const tag = hmac(k.mac, header, be(A.length, 4), A, iv, ct);
  return Buffer.concat([header, iv, ct, tag]);
}

const pem = fs.readFileSync(path.join(here, '..', 'pki', 'server-2048.pem'));
const kid = sha256(new crypto.X509Certificate(pem).raw).toString('hex');

const out = {
  schema: 'conftest_profile_kat_v1',
  profile: V,
  generator: 'vectors/profile/gen-profile-kat.mjs',
  notes: 'Known answers of docs/PROFILE.md, computed independently of conftest (Node crypto). ' +
    'fields: result valid means open gives msg and sealing with the same counter or IV gives ' +
    'field byte for byte; invalid means open must fail. wraps: unwrap with vectors/pki/server-2048.key ' +
    'at time t.',
  sessions: [], fields: [], wraps: [],
};

let tcId = 0;
const vcard = Buffer.from('BEGIN:VCARD\r\nVERSION:3.0\r\nN:Example;Alice;;;\r\nFN:Alice Example\r\n' +
  'TEL;TYPE=WORK:+1-555-0100\r\nEND:VCARD\r\n');
const devinf = Buffer.from('<DevInf xmlns="syncml:devinf"><VerDTD>1.2</VerDTD><DevID>IMEI:493005100592800</DevID>' +
  '<DevTyp>phone</DevTyp></DevInf>');

for (const alg of ALGS) {
  const K = bytes(`session key ${alg.name}`, 32);
  const sid = '1042', dev = 'IMEI:493005100592800';
  const wrappedStandIn = bytes(`wrapped ${alg.name}`, 256).toString('base64');
  const second = alg.name === 'aes128-gcm' ? 'aes256-gcm' : 'aes128-gcm';
  const offer = `${V};alg=${alg.name},${second};kt=rsa-oaep-sha256;parts=cred,devinf,data;kid=${kid};key=${wrappedStandIn}`;
  const keys = keySchedule(alg, K, offer, sid, dev);
  const head = `${V};sel=${alg.name};parts=cred,devinf,data`;
  const confirm = hmac(keys.confirm, Buffer.from(`${V} confirm`), NUL, Buffer.from(offer), NUL, Buffer.from(head));
  const sname = `s-${alg.name}`;
  out.sessions.push({
    id: sname, alg: alg.name, key: K.toString('hex'), offer, sessionId: sid, deviceId: dev,
    c2sEnc: keys.c2s.enc.toString('hex'), c2sMac: keys.c2s.mac.toString('hex'),
    s2cEnc: keys.s2c.enc.toString('hex'), s2cMac: keys.s2c.mac.toString('hex'),
    confirmKey: keys.confirm.toString('hex'),
    selection: `${head};confirm=${confirm.toString('base64')}`,
  });

  // The fields of one session, in the order a session would send them.
  const plan = [
    { dir: 'c2s', part: 'cred', msgId: '1', cmdId: '0', db: '', locUri: dev, msg: Buffer.from('dGVzdDp0ZXN0'), comment: 'basic credential in Pkg#1' },
    { dir: 'c2s', part: 'devinf', msgId: '1', cmdId: '1', db: '', locUri: './devinf12', msg: devinf, comment: 'DevInf Put in Pkg#1' },
    { dir: 's2c', part: 'devinf', msgId: '1', cmdId: '4', db: '', locUri: './devinf12', msg: devinf, comment: 'DevInf Results in Pkg#2' },
    { dir: 'c2s', part: 'data', msgId: '2', cmdId: '6', db: './contacts', locUri: '1001', msg: vcard, comment: 'Add in Pkg#3' },
    { dir: 'c2s', part: 'data', msgId: '2', cmdId: '7', db: './contacts', locUri: '1002', msg: Buffer.alloc(0), comment: 'empty item' },
    { dir: 's2c', part: 'data', msgId: '2', cmdId: '9', db: 'contacts', locUri: 'srv-77', msg: vcard, comment: 'Replace in Pkg#4' },
  ];
  const counters = { c2s: 0, s2c: 0 };
  for (const p of plan) {
    const f = { dir: p.dir, part: p.part, sessionId: sid, msgId: p.msgId, cmdId: p.cmdId, db: p.db, locUri: p.locUri };
    let ivOrCounter;
    if (alg.mode === 'gcm') ivOrCounter = ++counters[p.dir];
    else ivOrCounter = bytes(`iv ${alg.name} ${tcId}`, alg.iv);
    const ef = seal(alg, keys, f, p.msg, ivOrCounter);
    const base = {
      session: sname, ...f,
      ...(alg.mode === 'gcm' ? { counter: ivOrCounter } : { iv: ivOrCounter.toString('hex') }),
      msg: p.msg.toString('hex'), aad: aadOf(f).toString('hex'),
    };
    out.fields.push({ tcId: ++tcId, comment: p.comment, ...base, field: ef.toString('base64'), result: 'valid' });

    if (alg.mode === 'cbc' || p.part !== 'data' || p.msg.length === 0) continue;
    // Tamper classes (PROFILE 9.2, class FIELD) on the Add: each must fail.
    const damaged = (what, fn) => {
      const e = Buffer.from(ef);
      fn(e);
      out.fields.push({ tcId: ++tcId, comment: what, ...base, field: e.toString('base64'), result: 'invalid' });
    };
    damaged('EF version 2', (e) => { e[0] = 2; });
    damaged('wrong algorithm id', (e) => { e[1] ^= 0x40; });
    damaged('IV or nonce bit flipped', (e) => { e[2 + alg.iv - 1] ^= 0x01; });
    damaged('ciphertext bit flipped', (e) => { e[2 + alg.iv] ^= 0x80; });
    damaged('tag bit flipped', (e) => { e[e.length - 1] ^= 0x01; });
    out.fields.push({ tcId: ++tcId, comment: 'truncated by one byte', ...base,
      field: ef.subarray(0, ef.length - 1).toString('base64'), result: 'invalid' });
    out.fields.push({ tcId: ++tcId, comment: 'cut and pasted to another item (LocURI)', ...base, locUri: 'other',
      aad: aadOf({ ...f, locUri: 'other' }).toString('hex'), field: ef.toString('base64'), result: 'invalid' });
    out.fields.push({ tcId: ++tcId, comment: 'moved to another message (MsgID)', ...base, msgId: '3',
      aad: aadOf({ ...f, msgId: '3' }).toString('hex'), field: ef.toString('base64'), result: 'invalid' });
    const other = p.dir === 'c2s' ? 's2c' : 'c2s';
    out.fields.push({ tcId: ++tcId, comment: 'reflected to the other direction', ...base, dir: other,
      aad: aadOf({ ...f, dir: other }).toString('hex'), field: ef.toString('base64'), result: 'invalid' });
  }
}

// Key transport: the 41-byte blob wrapped under the test server key (PROFILE 4.2).
const blob = (version, t, K, len = 41) => {
  const b = Buffer.concat([Buffer.from([version]), be(t, 8), K]).subarray(0, len);
  return b;
};
const pub = crypto.createPublicKey(pem);
const wrap = (kt, b) => {
  if (kt === 'rsa-pkcs1') return crypto.publicEncrypt({ key: pub, padding: crypto.constants.RSA_PKCS1_PADDING }, b);
  return crypto.publicEncrypt({ key: pub, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING,
    oaepHash: kt === 'rsa-oaep-sha1' ? 'sha1' : 'sha256' }, b);
};
let wId = 0;
const T = 1796000000; // 2026-12-01
for (const kt of ['rsa-oaep-sha256', 'rsa-oaep-sha1', 'rsa-pkcs1']) {
  const K = bytes(`wrapped key ${kt}`, 32);
  const cases = [
    { comment: 'valid blob', b: blob(1, T, K), result: 'valid', now: T },
    { comment: 'valid blob, clock 300 s ahead of the client', b: blob(1, T, K), result: 'valid', now: T + 300 },
    { comment: 'stale: 301 s old', b: blob(1, T, K), result: 'invalid', now: T + 301 },
    { comment: 'from the future: 301 s', b: blob(1, T, K), result: 'invalid', now: T - 301 },
    { comment: 'blob version 2', b: blob(2, T, K), result: 'invalid', now: T },
    { comment: 'blob of 40 bytes', b: blob(1, T, K, 40), result: 'invalid', now: T },
  ];
  for (const c of cases) {
    out.wraps.push({ tcId: ++wId, comment: c.comment, kt, t: T, now: c.now, key: K.toString('hex'),
      blob: c.b.toString('hex'), wrapped: wrap(kt, c.b).toString('hex'), result: c.result });
  }
}

const file = path.join(here, 'profile_kat.json');
fs.writeFileSync(file, JSON.stringify(out, null, 1) + '\n');
console.log(`${file}: ${out.sessions.length} sessions, ${out.fields.length} fields, ${out.wraps.length} wraps`);
