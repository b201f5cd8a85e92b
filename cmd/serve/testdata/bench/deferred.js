// testModuleRead's page script, deferred as the README's app.js is
// (parser-blocking on deferred-manual.html): it records whether the
// loader had begun reading the module when it ran (atScript) and right
// after the call ?then= names (afterCall).
"use strict";
(() => {
  const probe = { atScript: gopkce._stats.read !== undefined };
  window.probe = probe;
  let p = Promise.resolve();
  switch (new URLSearchParams(location.search).get("then")) {
    case "fetch": // the README's first request
      p = gopkce.configure(benchConfig)
        .then(() => gopkce.fetch(benchConfig.issuer + "/api/me"))
        .then((r) => r.text().then(() => r.status));
      break;
    case "configure": // the recorded configuration: answered by the loader
      p = gopkce.configure(benchConfig);
      break;
    case "other": // another configuration: the module must check it
      p = gopkce.configure(Object.assign({}, benchConfig, { scope: "openid" }));
      break;
    case "claims": // a call only the module answers
      p = gopkce.configure(benchConfig).then(() => {}); // resolved from the record
      probe.afterConfigure = gopkce._stats.read !== undefined;
      gopkce.getClaims().catch(() => {});
      break;
    case "claims-then-load": // deferred-manual.html, still loading: a call, then load
      gopkce.getClaims().catch(() => {});
      gopkce.load("/gopkce.wasm");
      break;
  }
  probe.afterCall = gopkce._stats.read !== undefined;
  probe.done = p.then(
    (r) => (typeof r === "number" ? r : "ok"),
    (err) => err.code || String(err)
  );
})();
