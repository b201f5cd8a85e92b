// The gopkce demo page. All text from the network goes in with textContent,
// never innerHTML.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  let apiURL = "";
  let expiresAt = 0;
  let timer = 0;

  function show(id, visible) {
    $(id).hidden = !visible;
  }

  function setStatus(text) {
    $("status").textContent = text;
  }

  function showError(err) {
    $("error-code").textContent = err && err.code ? err.code : "error";
    $("error-message").textContent = err && err.message ? err.message : String(err);
    $("error-description").textContent = err && err.description ? err.description : "";
    $("error").dataset.check = (err && (err.check || err.field)) || "";
    show("error", true);
  }

  function clearError() {
    show("error", false);
  }

  function logEvent(ev) {
    const li = document.createElement("li");
    let text = new Date().toLocaleTimeString() + " " + ev.type;
    if (ev.expiresAt) {
      text += " (expires " + new Date(ev.expiresAt).toLocaleTimeString() + ")";
    }
    if (ev.code) {
      text += " [" + ev.code + "]";
    }
    if (ev.fromOtherTab) {
      text += " from another tab";
    }
    li.textContent = text;
    li.dataset.type = ev.type;
    $("events").prepend(li);
  }

  function tick() {
    const left = Math.round((expiresAt - Date.now()) / 1000);
    $("countdown").textContent = left > 0 ? left + " s" : "expired";
    $("countdown").dataset.seconds = String(left);
  }

  function claimValue(v) {
    if (v === null) {
      return "null";
    }
    return typeof v === "object" ? JSON.stringify(v) : String(v);
  }

  async function render() {
    const session = await gopkce.getSession();
    clearInterval(timer);
    if (!session.loggedIn) {
      show("logged-in", false);
      show("logged-out", true);
      setStatus("Signed out");
      return;
    }
    const claims = (await gopkce.getClaims()) || {};
    $("who").textContent = claims.email || claims.name || claims.username || claims.sub || "unknown";
    const body = $("claims").tBodies[0];
    body.replaceChildren();
    Object.keys(claims)
      .sort()
      .forEach((k) => {
        const tr = document.createElement("tr");
        const th = document.createElement("td");
        const td = document.createElement("td");
        th.textContent = k;
        td.textContent = claimValue(claims[k]);
        td.dataset.claim = k;
        tr.append(th, td);
        body.append(tr);
      });
    expiresAt = session.expiresAt || 0;
    $("expires-at").textContent = expiresAt ? "(" + new Date(expiresAt).toLocaleTimeString() + ")" : "";
    tick();
    timer = setInterval(tick, 250);
    show("logged-out", false);
    show("logged-in", true);
    setStatus("Signed in");
  }

  async function guarded(button, fn) {
    button.disabled = true;
    try {
      clearError();
      await fn();
    } catch (err) {
      showError(err);
      await render().catch(showError);
    } finally {
      button.disabled = false;
    }
  }

  async function callAPI() {
    const token = await gopkce.getToken();
    const resp = await fetch(apiURL, { headers: { Authorization: "Bearer " + token }, credentials: "omit" });
    let text = await resp.text();
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch (_) {
      // not JSON: shown as it came
    }
    $("api-result").textContent = "HTTP " + resp.status + "\n" + text;
    $("api-result").dataset.status = String(resp.status);
  }

  async function main() {
    $("login").addEventListener("click", (e) =>
      guarded(e.currentTarget, () =>
        gopkce.startLogin({ returnTo: location.pathname + location.search + location.hash })
      )
    );
    $("refresh").addEventListener("click", (e) =>
      guarded(e.currentTarget, async () => {
        await gopkce.getToken({ forceRefresh: true });
        await render();
      })
    );
    $("call-api").addEventListener("click", (e) => guarded(e.currentTarget, callAPI));
    $("logout").addEventListener("click", (e) => guarded(e.currentTarget, () => gopkce.logout()));
    gopkce.on("*", (ev) => {
      logEvent(ev);
      if (ev.type !== "refresh_token_expiring") {
        render().catch(showError);
      }
    });

    const resp = await fetch("/config.json", { cache: "no-store" });
    const config = await resp.json();
    apiURL = config.api;
    try {
      await gopkce.configure(config.gopkce);
    } catch (err) {
      showError(err);
      setStatus("Configuration refused");
      document.body.dataset.ready = "config-error";
      return;
    }
    if (location.pathname === "/callback") {
      setStatus("Completing sign-in…");
      try {
        const { returnTo } = await gopkce.handleCallback();
        history.replaceState(null, "", returnTo);
      } catch (err) {
        showError(err);
        history.replaceState(null, "", "/");
      }
    }
    await render();
    document.body.dataset.ready = "true";
  }

  main().catch((err) => {
    showError(err);
    document.body.dataset.ready = "error";
  });
})();
