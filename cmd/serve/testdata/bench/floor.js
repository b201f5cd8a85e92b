// The floor: what plain JavaScript needs to do the same storage and fetch
// work as gopkce, written the straightforward way. The benchmarks report
// gopkce as a ratio to it. It keeps the token set as JSON in sessionStorage
// (localStorage for storage "local"), keeps the login state in
// sessionStorage, makes S256 challenges with WebCrypto, posts the same
// token requests and checks what a careful library checks (state, iss,
// token_type, nonce). Like gopkce it claims a callback's state in
// IndexedDB before exchanging its code, so that duplicated tabs exchange a
// code once (one add, relaxed durability, the database opened at configure
// when a login is in flight); with the configuration key claim: false it
// skips that, for comparison. It has no cross-tab lock, no retry, no
// duplicated-tab check and no ID-token signature check. Its cached getToken does what gopkce's fast path
// does: a token in memory, a deadline, and with sessionStorage a
// comparison with the stored entry so that a cleared session stops it.
"use strict";
window.floor = (function () {
  let cfg = null;
  let key = "";
  let store = null;
  let cache = null;
  let flight = null;
  let db = null; // Promise of the IndexedDB connection for claims
  const enc = new TextEncoder();

  function fail(code) {
    const e = new Error("floor: " + code);
    e.code = code;
    return e;
  }

  function b64url(bytes) {
    let s = "";
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function random(n) {
    return b64url(crypto.getRandomValues(new Uint8Array(n)));
  }

  function margin() {
    return 1000 * (cfg.refreshMarginSeconds || 60);
  }

  function configure(c) {
    cfg = c;
    key = "floor:tokens:" + c.clientId + "@" + (c.issuer || c.tokenEndpoint);
    store = c.storage === "local" ? localStorage : sessionStorage;
    cache = null;
    db = null;
    if (c.claim !== false) {
      for (let i = 0; i < sessionStorage.length; i++) {
        if (sessionStorage.key(i).indexOf("floor:login:") === 0) {
          db = openDB();
          break;
        }
      }
    }
    return Promise.resolve();
  }

  function openDB() {
    return new Promise(function (resolve, reject) {
      const r = indexedDB.open("floor", 1);
      r.onupgradeneeded = function () {
        r.result.createObjectStore("kv");
      };
      r.onsuccess = function () {
        resolve(r.result);
      };
      r.onerror = function () {
        reject(r.error);
      };
    });
  }

  // claim adds the state's key; false when a tab added it before.
  async function claim(state) {
    const conn = await (db || (db = openDB()));
    return new Promise(function (resolve, reject) {
      const tx = conn.transaction("kv", "readwrite", { durability: "relaxed" });
      const add = tx.objectStore("kv").add(Date.now(), "floor:callback:" + state);
      add.onerror = function (ev) {
        if (add.error && add.error.name === "ConstraintError") {
          ev.preventDefault();
          resolve(false);
        }
      };
      tx.commit();
      tx.oncomplete = function () {
        resolve(true);
      };
      tx.onabort = function () {
        reject(tx.error);
      };
    });
  }

  async function startLogin(opts) {
    const verifier = random(32);
    const state = random(16);
    const nonce = random(16);
    const digest = await crypto.subtle.digest("SHA-256", enc.encode(verifier));
    const pending = { verifier: verifier, nonce: nonce, returnTo: (opts && opts.returnTo) || "/", at: Date.now() };
    sessionStorage.setItem("floor:login:" + state, JSON.stringify(pending));
    const q = new URLSearchParams({
      response_type: "code",
      client_id: cfg.clientId,
      redirect_uri: cfg.redirectUri,
      scope: cfg.scope || "",
      state: state,
      nonce: nonce,
      code_challenge: b64url(new Uint8Array(digest)),
      code_challenge_method: "S256",
    });
    return cfg.authorizationEndpoint + "?" + q;
  }

  async function tokenRequest(form) {
    const resp = await fetch(cfg.tokenEndpoint, {
      method: "POST",
      body: new URLSearchParams(form),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
      redirect: "manual",
    });
    let body;
    try {
      body = await resp.json();
    } catch (_) {
      throw fail("invalid_response");
    }
    if (!resp.ok || body.error) throw fail(body.error || "invalid_response");
    if (typeof body.access_token !== "string" || String(body.token_type).toLowerCase() !== "bearer") {
      throw fail("invalid_response");
    }
    return body;
  }

  function save(r, old) {
    const ts = {
      v: 1,
      access_token: r.access_token,
      token_type: r.token_type,
      id_token: r.id_token || (old && old.id_token) || "",
      refresh_token: r.refresh_token || (old && old.refresh_token) || "",
      scope: r.scope || (old && old.scope) || "",
      expires_at: Date.now() + 1000 * (Number(r.expires_in) || 3600),
      login_at: old ? old.login_at : Date.now(),
    };
    store.setItem(key, JSON.stringify(ts));
    cache = null;
    return ts;
  }

  function claims(jwt) {
    const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part));
  }

  async function handleCallback(url) {
    const u = new URL(url);
    const p = u.searchParams;
    if (u.origin + u.pathname !== cfg.redirectUri) throw fail("invalid_callback");
    const k = "floor:login:" + p.get("state");
    const raw = sessionStorage.getItem(k);
    sessionStorage.removeItem(k);
    if (raw === null) throw fail("state_mismatch");
    const pending = JSON.parse(raw);
    if (cfg.issuer && (p.has("iss") || cfg.issParameterSupported) && p.get("iss") !== cfg.issuer) {
      throw fail("issuer_mismatch");
    }
    if (p.has("error")) throw fail(p.get("error"));
    if (cfg.claim !== false && !(await claim(p.get("state")))) throw fail("code_already_used");
    const r = await tokenRequest({
      grant_type: "authorization_code",
      code: p.get("code"),
      redirect_uri: cfg.redirectUri,
      client_id: cfg.clientId,
      code_verifier: pending.verifier,
    });
    if (r.id_token && claims(r.id_token).nonce !== pending.nonce) throw fail("invalid_id_token");
    save(r, null);
    return { returnTo: pending.returnTo };
  }

  async function refresh(ts) {
    const r = await tokenRequest({ grant_type: "refresh_token", refresh_token: ts.refresh_token, client_id: cfg.clientId });
    return save(r, ts);
  }

  async function getToken(opts) {
    const force = !!(opts && opts.forceRefresh);
    const c = cache;
    if (!force && c !== null && Date.now() < c.until && (store !== sessionStorage || store.getItem(key) === c.raw)) {
      return c.token;
    }
    const raw = store.getItem(key);
    if (raw === null) throw fail("login_required");
    const ts = JSON.parse(raw);
    const until = ts.expires_at - margin();
    if (!force && Date.now() < until) {
      cache = { token: ts.access_token, until: until, raw: raw };
      return ts.access_token;
    }
    if (flight === null) {
      flight = refresh(ts).finally(function () {
        flight = null;
      });
    }
    return (await flight).access_token;
  }

  return { configure: configure, startLogin: startLogin, handleCallback: handleCallback, getToken: getToken };
})();
