// quire's WebTransport client as a page script (QIR's webtransport.md), shared by the browser
// drivers endpoints/chrome/webtransport/wt_client.py and endpoints/firefox/webtransport/
// wt_client.py: an async function of cfg = {kind: "handshake" | "any" | "unidirectional" |
// "bidirectional" | "datagram", requester, protocols: [...], sessions: [{endpoint, url, files,
// www: {name: base64}}]} that resolves to {files: {endpoint: {name: base64}}, protocol, notes}.
// It is an expression: the drivers call it with their cfg.
(async (cfg) => {
  const enc = new TextEncoder(), dec = new TextDecoder();
  const out = {files: {}, protocol: null, notes: []};
  const b64 = u8 => { let s = ''; for (let i = 0; i < u8.length; i += 0x8000)
    s += String.fromCharCode(...u8.subarray(i, i + 0x8000)); return btoa(s); };
  const unb64 = s => Uint8Array.from(atob(s), c => c.charCodeAt(0));
  const cat = (a, b) => { const r = new Uint8Array(a.length + b.length); r.set(a); r.set(b, a.length); return r; };
  const readAll = async rs => { const r = rs.getReader(); let parts = [], n = 0;
    for (;;) { const {value, done} = await r.read(); if (done) break; parts.push(value); n += value.length; }
    const u = new Uint8Array(n); let o = 0; for (const p of parts) { u.set(p, o); o += p.length; } return u; };
  const writeAll = async (ws, data) => { const w = ws.getWriter(); await w.write(data); await w.close(); };
  const splitPush = u8 => { const nl = u8.indexOf(10); if (nl < 0) return null;
    const head = dec.decode(u8.subarray(0, nl)); if (!head.startsWith('PUSH ')) return null;
    return [head.slice(5).trim(), u8.subarray(nl + 1)]; };
  const forEach = async (rs, fn) => { const r = rs.getReader();
    for (;;) { const {value, done} = await r.read(); if (done) return; fn(value); } };

  const one = async s => {
    const opts = cfg.protocols.length ? {protocols: cfg.protocols} : {};
    const wt = new WebTransport(s.url, opts);
    await wt.ready;
    out.protocol = wt.protocol;
    try { // room for a burst of 200 datagrams (the default queues drop the oldest)
      wt.datagrams.incomingHighWaterMark = 1024;
      wt.datagrams.outgoingHighWaterMark = 1024;
    } catch (e) { out.notes.push('datagram queues: ' + e); }
    const got = out.files[s.endpoint] = {};
    if (cfg.kind === 'handshake') { wt.close(); return; }
    if (cfg.requester) {
      const need = new Set(s.files);
      let finish; const all = new Promise(r => finish = r);
      const have = (name, u8) => { if (need.has(name) && !(name in got)) { got[name] = b64(u8);
        if (Object.keys(got).length === need.size) finish(); } };
      if (!need.size) return;
      if (cfg.kind === 'unidirectional') {
        forEach(wt.incomingUnidirectionalStreams, async st => {
          const p = splitPush(await readAll(st)); if (p) have(p[0], p[1]); }).catch(() => {});
        await Promise.all(s.files.map(async f =>
          writeAll(await wt.createUnidirectionalStream(), enc.encode('GET ' + f))));
      } else if (cfg.kind === 'bidirectional') {
        await Promise.all(s.files.map(async f => { const bs = await wt.createBidirectionalStream();
          await writeAll(bs.writable, enc.encode('GET ' + f)); have(f, await readAll(bs.readable)); }));
      } else {
        const w = wt.datagrams.writable.getWriter();
        forEach(wt.datagrams.readable, d => { const p = splitPush(d); if (p) have(p[0], p[1]); })
          .catch(() => {});
        const ask = async () => { for (const f of s.files) if (!(f in got)) await w.write(enc.encode('GET ' + f)); };
        await ask();
        const timer = setInterval(() => ask().catch(() => {}), 1000);
        await all; clearInterval(timer);
      }
      await all;
      wt.close();
      return;
    }
    // responder: the server asks; answer until it closes the session. The session is over
    // when wt.closed settles or when the stream readers end: Firefox has been seen closing the
    // connection after the server's close while wt.closed stayed pending.
    const file = name => s.www[name] !== undefined ? unb64(s.www[name]) : null;
    const get = u8 => { const t = dec.decode(u8); return t.startsWith('GET ') ? t.slice(4).trim() : null; };
    const ended = (what, p) => p.then(() => what + ' ended', e => what + ': ' + e);
    const uni = ended('incoming unidirectional streams', forEach(wt.incomingUnidirectionalStreams, async st => {
      const n = get(await readAll(st)); const body = n && file(n); if (!body) return;
      await writeAll(await wt.createUnidirectionalStream(), cat(enc.encode('PUSH ' + n + '\n'), body));
    }));
    const bidi = ended('incoming bidirectional streams', forEach(wt.incomingBidirectionalStreams, async bs => {
      const n = get(await readAll(bs.readable)); const body = n && file(n);
      if (body) await writeAll(bs.writable, body); }));
    const dw = wt.datagrams.writable.getWriter();
    forEach(wt.datagrams.readable, d => { const n = get(d); const body = n && file(n);
      if (body) dw.write(cat(enc.encode('PUSH ' + n + '\n'), body)); }).catch(() => {});
    const how = await Promise.race([ended('session closed', wt.closed), uni, bidi]);
    if (how !== 'session closed ended') out.notes.push(how);
  };
  await Promise.all(cfg.sessions.map(one));
  return out;
})
