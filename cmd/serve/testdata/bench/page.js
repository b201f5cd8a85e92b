// The benchmark pages' start-up, the same for gopkce and the floor:
// configure at once, and with ?first ask for a token at once. window.bench
// holds the library and the moments (performance.now(), ms since
// navigation start) the benchmarks read.
"use strict";
(function () {
  const lib = window.floor || window.gopkce;
  const over = location.hash.length > 1 ? JSON.parse(decodeURIComponent(location.hash.slice(1))) : {};
  // ?cbpage, and a callback's ?code=: the page is its own redirect URI, as
  // an application's callback page is.
  if (/[?&](cbpage\b|code=)/.test(location.search)) over.redirectUri = location.origin + location.pathname;
  const config = Object.assign({}, window.benchConfig, over);
  const bench = (window.bench = { lib: lib, config: config });
  bench.configured = lib.configure(config).then(() => performance.now());
  bench.ready = (lib.ready || Promise.resolve()).then(() => performance.now());
  if (/[?&]first\b/.test(location.search)) {
    bench.first = lib.getToken().then(
      (t) => ({ token: t, at: performance.now(), fast: lib._stats ? lib._stats.fast : 0 }),
      (e) => ({ code: e.code || String(e), at: performance.now() })
    );
  }
})();
