/*
 * gopkce loader. Include it after wasm_exec.js:
 *
 *   <script src="/wasm_exec.js"></script>
 *   <script src="/gopkce.js"></script>          (loads gopkce.wasm beside it)
 *
 * or import gopkce.mjs as an ES module. It defines the global namespace
 * `gopkce`; every function returns a Promise and may be called before the
 * module is ready: calls wait for `gopkce.ready`.
 */
(function (global) {
  "use strict";
  if (global.gopkce && global.gopkce._loader) {
    return;
  }
  let resolveAPI;
  let rejectAPI;
  const api = new Promise(function (resolve, reject) {
    resolveAPI = resolve;
    rejectAPI = reject;
  });
  const listeners = new Map();
  let started = false;
  let running = false;

  // The token fast path (wasm/fastpath.go): the record the module last
  // published, {t: token, u: deadline in ms}, with its JSON (raw) and
  // whether it is also kept in sessionStorage. getToken() answers from it
  // without entering Go until the deadline; the module withdraws it at
  // every change of the session, and a configure() drops it at once. A
  // stored record also names the token set it comes from, {k: its key,
  // h: its setHash}: it is served only while that set is the stored one.
  const FAST_KEY = "gopkce:fast";
  let fast = null;
  let configuring = 0;
  const stats = { fast: 0, go: 0 };

  function storedRecord() {
    try {
      return global.sessionStorage.getItem(FAST_KEY);
    } catch (_) {
      return null;
    }
  }

  function adopt(raw, stored) {
    try {
      const r = JSON.parse(raw);
      if (typeof r.t === "string" && typeof r.u === "number" && (!stored || (typeof r.k === "string" && typeof r.h === "number"))) {
        return { raw: raw, t: r.t, u: r.u, c: r.c, k: r.k, h: r.h, set: null, stored: stored };
      }
    } catch (_) {
      // not a record: nothing is served from it
    }
    return null;
  }

  // setHash is cyrb53 over the string's UTF-16 code units, a 53-bit hash
  // (wasm/fastpath.go, setHash, computes the same).
  function setHash(s) {
    let h1 = 0xdeadbeef;
    let h2 = 0x41c6ce57;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return 4294967296 * (2097151 & h2) + (h1 >>> 0);
  }

  // sameSet reports whether the token set a stored record was derived
  // from is still the stored one. The set last found good is kept, so
  // the hash is computed once per set, not once per answer. This is the
  // one storage read of a fast answer: a cleared sessionStorage, a
  // logout or a new session each remove or change the set, and while the
  // set is unchanged Go derives the same token and deadline from it (a
  // page that removes only the record loses nothing Go would serve).
  function sameSet(f) {
    let s;
    try {
      s = global.sessionStorage.getItem(f.k);
    } catch (_) {
      return false;
    }
    if (s === null || (s !== f.set && setHash(s) !== f.h)) {
      return false;
    }
    f.set = s;
    return true;
  }

  // fresh returns the token the fast path may serve now, or undefined.
  function fresh() {
    const f = fast;
    if (f !== null && Date.now() < f.u && (!f.stored || sameSet(f))) {
      return f.t;
    }
    return undefined;
  }

  function loadError(message, cause) {
    const e = new Error("gopkce: load_error: " + message);
    e.name = "GopkceError";
    e.code = "load_error";
    e.description = "";
    if (cause) {
      e.cause = cause;
    }
    return e;
  }

  function call(name) {
    return function () {
      const args = arguments;
      return api.then(function (impl) {
        return impl[name].apply(null, args);
      });
    };
  }

  // A page of a tab with a login in flight is probably the callback, whose
  // code is claimed in IndexedDB before it is exchanged (wasm/main.go,
  // callbackClaimer). Opening the database is the slowest step before the
  // token request; started here it overlaps the module's compilation, and
  // the module takes this connection (_takeDB) instead of opening its own.
  // The schema is the module's (wasm/idb.go): database "gopkce" version 1,
  // store "kv". A connection nobody takes is closed after 10 s.
  let warmDB = null; // Promise of the IDBDatabase (or null), until taken
  let claimDB = null; // the same, once the module took it

  function warmClaims() {
    try {
      const s = global.sessionStorage;
      let pending = false;
      for (let i = 0; i < s.length; i++) {
        if (String(s.key(i)).indexOf("gopkce:login:") === 0) {
          pending = true;
          break;
        }
      }
      if (!pending || !global.indexedDB) {
        return;
      }
      const r = global.indexedDB.open("gopkce", 1);
      const opened = new Promise(function (resolve) {
        r.onupgradeneeded = function () {
          if (!r.result.objectStoreNames.contains("kv")) {
            r.result.createObjectStore("kv");
          }
        };
        r.onsuccess = function () {
          const db = r.result;
          db.onversionchange = function () {
            db.close();
          };
          resolve(db);
          setTimeout(function () {
            if (warmDB === opened) {
              warmDB = null;
              db.close();
            }
          }, 10000);
        };
        r.onerror = function () {
          resolve(null);
        };
      });
      warmDB = opened;
    } catch (_) {
      // storage blocked: the module reports it when it needs storage
    }
  }

  // The claim of a callback's code, started by handleCallback before the
  // module is entered, so that its round trip to the database begins at
  // once. It is the module's claim (wasm/idb.go, Claim) on the connection
  // warmClaims opened: one add of the key, in a readwrite transaction of
  // relaxed durability, which fails with ConstraintError when any tab
  // added it before. The module asks for it by key (_claim) and claims
  // itself when there is none.
  const claims = new Map(); // key -> Promise of true (first) or false

  function preClaim(url) {
    if (warmDB === null && claimDB === null) {
      return;
    }
    try {
      const q = new URL(typeof url === "string" ? url : global.location.href).searchParams;
      const state = q.get("state");
      if (!state || !q.get("code") || q.has("error") || claims.size >= 8) {
        return;
      }
      const key = "gopkce:callback:" + state;
      if (claims.has(key)) {
        return; // a call before is claiming it: this page owns the result
      }
      const db = claimDB || warmDB;
      const p = db.then(function (db) {
        if (db === null) {
          return null;
        }
        return new Promise(function (resolve, reject) {
          const tx = db.transaction("kv", "readwrite", { durability: "relaxed" });
          const add = tx.objectStore("kv").add(String(Date.now()), key);
          add.onerror = function () {
            if (add.error && add.error.name === "ConstraintError") {
              resolve(false); // claimed before; the transaction aborts
            }
          };
          if (typeof tx.commit === "function") {
            tx.commit(); // with the add, not after its success event reached this page
          }
          tx.oncomplete = function () {
            resolve(true);
          };
          tx.onabort = function () {
            reject(tx.error || new Error("IndexedDB transaction aborted"));
          };
        });
      });
      p.catch(function () {}); // the module reports it
      claims.set(key, p);
    } catch (_) {
      // the module claims itself
    }
  }

  // On the page at redirectUri, holding a code for a login this tab
  // started, the claim starts when the page configures, so that its round
  // trip overlaps the module's start instead of delaying the token request
  // after handleCallback. The page must then handle the callback itself,
  // which is what a redirect URI is for.
  function claimAtRedirect(config) {
    try {
      const loc = global.location;
      const r = new URL(String(config && config.redirectUri));
      if (r.origin !== loc.origin || r.pathname !== loc.pathname) {
        return;
      }
      const state = new URLSearchParams(loc.search).get("state");
      if (state && global.sessionStorage.getItem("gopkce:login:" + state) !== null) {
        preClaim(loc.href);
      }
    } catch (_) {
      // handleCallback claims
    }
  }

  function load(url) {
    if (started) {
      return ns.ready;
    }
    started = true;
    warmClaims();
    if (typeof global.Go !== "function") {
      rejectAPI(loadError("wasm_exec.js must be loaded before gopkce.js"));
      return ns.ready;
    }
    const go = new global.Go();
    const response = fetch(url, { credentials: "same-origin" });
    const instantiated =
      typeof WebAssembly.instantiateStreaming === "function"
        ? WebAssembly.instantiateStreaming(response, go.importObject)
        : response
            .then(function (r) {
              return r.arrayBuffer();
            })
            .then(function (bytes) {
              return WebAssembly.instantiate(bytes, go.importObject);
            });
    instantiated
      .then(function (result) {
        go.run(result.instance).then(function () {
          rejectAPI(loadError("the module exited"));
        });
      })
      .catch(function (err) {
        rejectAPI(loadError("cannot load " + url + ": " + err.message, err));
      });
    return ns.ready;
  }

  const goConfigure = call("configure");
  const goGetToken = call("getToken");
  const goHandleCallback = call("handleCallback");

  function handleCallback(url) {
    preClaim(url);
    return goHandleCallback.apply(null, arguments);
  }

  function configure(config) {
    fast = null;
    configuring++;
    if (!running) {
      // Before the module runs: the record the module kept for exactly this
      // configuration answers the first getToken of a reloaded page.
      let json;
      try {
        json = JSON.stringify(config);
      } catch (_) {
        // the module reports it
      }
      const raw = json === undefined ? null : storedRecord();
      const r = raw === null ? null : adopt(raw, true);
      if (r !== null && r.c === json) {
        fast = r;
      }
    }
    claimAtRedirect(config);
    const done = function () {
      configuring--;
    };
    const p = goConfigure.apply(null, arguments);
    p.then(done, done);
    return p;
  }

  function getToken(opts) {
    if (!(opts && opts.forceRefresh)) {
      const t = fresh();
      if (t !== undefined) {
        stats.fast++;
        return Promise.resolve(t);
      }
    }
    stats.go++;
    return goGetToken.apply(null, arguments);
  }

  /**
   * fetch with "Authorization: Bearer <token>" (RFC 6750 §2.1), for the
   * origins listed in apiOrigins only: any other URL is refused with code
   * origin_not_allowed before anything is sent. On a 401 whose
   * WWW-Authenticate says error="invalid_token" (RFC 6750 §3.1) it
   * refreshes once and retries once; any other answer is returned as is.
   */
  function apiFetch(input, init) {
    return api.then(async function (impl) {
      const request = new Request(input, init);
      const retry = request.clone(); // a body can be read once: keep a copy
      const token = await impl.apiToken(request.url);
      request.headers.set("Authorization", "Bearer " + token);
      const response = await fetch(request);
      if (response.status !== 401) {
        return response;
      }
      const challenge = response.headers.get("WWW-Authenticate") || "";
      const fresh = await impl.apiToken(request.url, { rejected: token, challenge: challenge });
      if (!fresh) {
        return response;
      }
      if (response.body) {
        response.body.cancel().catch(function () {});
      }
      retry.headers.set("Authorization", "Bearer " + fresh);
      return fetch(retry);
    });
  }

  const ns = {
    _loader: true,
    /** Resolves when the module is running; rejects with code load_error. */
    ready: api.then(function () {}),
    configure: configure,
    startLogin: call("startLogin"),
    handleCallback: handleCallback,
    getToken: getToken,
    getClaims: call("getClaims"),
    getUnverifiedAccessTokenClaims: call("getUnverifiedAccessTokenClaims"),
    getSession: call("getSession"),
    logout: call("logout"),
    fetch: apiFetch,
    load: load,
    /** Subscribes to an event ("*" for all); returns the unsubscribe function. */
    on: function (type, fn) {
      if (typeof fn !== "function") {
        throw new TypeError("gopkce.on: listener must be a function");
      }
      if (!listeners.has(type)) {
        listeners.set(type, new Set());
      }
      listeners.get(type).add(fn);
      return function () {
        listeners.get(type).delete(fn);
      };
    },
    // Called by the module: hands over its functions, then reports events.
    _bind: function (impl) {
      running = true;
      resolveAPI(impl);
    },
    // Called by the module: the current token record, or null (fastpath.go).
    // A record that arrives while a configure() is under way may belong to
    // the configuration being replaced: only a withdrawal is taken then.
    _token: function (raw, stored) {
      if (raw === null) {
        fast = null;
      } else if (configuring === 0) {
        fast = adopt(raw, stored);
      }
    },
    // Called by the module: the IndexedDB connection warmClaims opened (a
    // Promise of it, or of null), or null; the module owns it from then on.
    _takeDB: function () {
      const p = warmDB;
      warmDB = null;
      claimDB = p;
      return p;
    },
    // Called by the module: the claim preClaim started for key (a Promise
    // of true, false, or null without a database), or null.
    _claim: function (key) {
      const p = claims.get(key);
      claims.delete(key);
      return p === undefined ? null : p;
    },
    // Counts of getToken answers from the fast path and from Go (tests).
    _stats: stats,
    _emit: function (type, detail) {
      const event = Object.assign({ type: type }, detail);
      [type, "*"].forEach(function (key) {
        (listeners.get(key) || []).forEach(function (fn) {
          try {
            fn(event);
          } catch (err) {
            setTimeout(function () {
              throw err;
            });
          }
        });
      });
    },
  };
  global.gopkce = ns;

  const script = typeof document !== "undefined" ? document.currentScript : null;
  if (script && script.src && !script.hasAttribute("data-manual")) {
    load(script.getAttribute("data-wasm") || new URL("gopkce.wasm", script.src).href);
  }
})(globalThis);
