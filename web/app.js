// The gopkce demo page. It shows the flow as it happens: a timeline of each
// step (kept in sessionStorage, never a token or the verifier), the session,
// the claims and an API call. All text from the network goes in with
// textContent, never innerHTML.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const TIMELINE = "gopkce-demo:timeline";
  const SIGNED_OUT = "gopkce-demo:signed-out";
  const AUTO = "gopkce-demo:auto-refresh";
  let config = {};
  let apiURL = "";
  let stepUpURL = "";
  let expiresAt = 0;
  let tickTimer = 0;
  let autoTimer = 0;
  let phase = ""; // "exchange" or "refresh" while this page causes tokens_changed

  // ---- readable times ----

  const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

  function fromNow(ms) {
    const s = Math.round((ms - Date.now()) / 1000);
    const abs = Math.abs(s);
    // Each unit is chosen after rounding, so that 59.5 minutes reads "in 1
    // hour" as 60 minutes do, never "in 60 minutes".
    if (abs < 60) return relative.format(s, "second");
    const m = Math.round(s / 60);
    if (Math.abs(m) < 60) return relative.format(m, "minute");
    const h = Math.round(s / 3600);
    if (Math.abs(h) < 48) return relative.format(h, "hour");
    return relative.format(Math.round(s / 86400), "day");
  }

  function when(ms) {
    const d = new Date(ms);
    const sameDay = d.toDateString() === new Date().toDateString();
    const clock = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    const day = sameDay ? "" : d.toLocaleDateString([], { day: "numeric", month: "short", year: "numeric" }) + " ";
    return day + clock + " (" + fromNow(ms) + ")";
  }

  function short(s) {
    return s && s.length > 12 ? s.slice(0, 8) + "…" : s || "";
  }

  // ---- status, errors, notices ----

  function setStatus(text) {
    $("status").textContent = text;
  }

  // showError shows the code once, as the title, and the message without
  // the "gopkce: code: " prefix that repeats it.
  function showError(err) {
    const code = (err && err.code) || "error";
    let message = (err && err.message) || String(err);
    message = message.replace(/^gopkce: /, "").replace(new RegExp("^" + code.replace(/[^a-z_]/g, "") + ": ?"), "");
    $("error-code").textContent = code;
    $("error-message").textContent = message;
    $("error-description").textContent = (err && err.description) || "";
    $("error").dataset.check = (err && (err.check || err.field)) || "";
    $("error").hidden = false;
  }

  function clearError() {
    $("error").hidden = true;
  }

  function notice(text) {
    $("notice-text").textContent = text;
    $("notice").hidden = false;
  }

  // ---- the timeline ----

  function loadTimeline() {
    try {
      return JSON.parse(sessionStorage.getItem(TIMELINE) || "[]");
    } catch (_) {
      return [];
    }
  }

  function record(entry) {
    entry.t = Date.now();
    const all = loadTimeline();
    all.push(entry);
    try {
      sessionStorage.setItem(TIMELINE, JSON.stringify(all.slice(-60)));
    } catch (_) {
      // storage full or blocked: shown, not kept
    }
    $("events").prepend(renderEntry(entry));
  }

  function renderEntry(e) {
    const li = document.createElement("li");
    li.dataset.type = e.type;
    if (e.step) li.dataset.step = e.step;
    const head = document.createElement("div");
    head.className = "head";
    const time = document.createElement("time");
    time.dateTime = new Date(e.t).toISOString();
    time.textContent = new Date(e.t).toLocaleTimeString();
    const title = document.createElement("strong");
    title.textContent = e.title + (e.fromOtherTab ? " — from another tab" : "");
    head.append(time, " ", title);
    li.append(head);
    if (e.details && e.details.length) {
      const dl = document.createElement("dl");
      for (const [k, v] of e.details) {
        const dt = document.createElement("dt");
        const dd = document.createElement("dd");
        dt.textContent = k;
        dd.textContent = v;
        dl.append(dt, dd);
      }
      li.append(dl);
    }
    if (e.note) {
      const p = document.createElement("p");
      p.textContent = e.note;
      li.append(p);
    }
    return li;
  }

  function showTimeline() {
    $("events").replaceChildren(...loadTimeline().reverse().map(renderEntry));
  }

  // Step entries. Values are public: the challenge is a hash, the state and
  // code are shortened, the verifier and the tokens are never read.
  function recordAuthorize(url) {
    const u = new URL(url);
    const q = u.searchParams;
    const details = [["endpoint", u.origin + u.pathname]];
    for (const k of ["response_type", "client_id", "redirect_uri", "scope", "code_challenge_method", "code_challenge"]) {
      if (q.has(k)) details.push([k, q.get(k)]);
    }
    details.push(["state", short(q.get("state")) + " (random, ties the answer to this tab)"]);
    if (q.has("nonce")) details.push(["nonce", short(q.get("nonce")) + " (checked in the ID token)"]);
    for (const [k, v] of q) {
      if (!details.some(([d]) => d === k) && k !== "state" && k !== "nonce") details.push([k, v]);
    }
    record({
      type: "authorize", title: "1. Authorization request: off to the provider", details,
      note: "code_challenge = BASE64URL(SHA-256(verifier)). The verifier (32 random bytes) stays in this tab's sessionStorage until the exchange; it is never in a URL.",
    });
  }

  function recordCallback() {
    const q = new URLSearchParams(location.search);
    const details = [];
    if (q.has("code")) details.push(["code", q.get("code").length + " characters, single use, valid 5 minutes"]);
    if (q.has("state")) details.push(["state", short(q.get("state"))]);
    if (q.has("iss")) details.push(["iss", q.get("iss")]);
    if (q.has("error")) details.push(["error", q.get("error")]);
    record({
      type: "callback", title: "2. Back from the provider", details,
      note: "handleCallback checks the state against this tab's pending login and iss against the issuer, and removes code and state from the address bar.",
    });
  }

  async function recordExchange() {
    const s = await gopkce.getSession();
    if (config.tokenHandler) {
      record({
        type: "tokens_changed", step: "exchange", title: "3. Code exchanged through the token handler",
        details: [["request", "POST " + location.origin + config.tokenHandler + "/token (this site's server, not the provider)"]].concat(tokenDetails(s)),
        note: "The page sends the code and the code_verifier to its own server. The token handler adds the client secret (" +
          "it never reaches the browser) and POSTs to the provider's token endpoint, which checks SHA-256(verifier) against the challenge. " +
          "It answers with the access and ID tokens, and keeps the refresh token in an HttpOnly cookie that no script can read.",
      });
      return;
    }
    record({
      type: "tokens_changed", step: "exchange", title: "3. Code exchanged for tokens",
      details: tokenDetails(s),
      note: "POST to the token endpoint with grant_type=authorization_code, the code and the code_verifier: the provider checks SHA-256(verifier) against the challenge.",
    });
  }

  function tokenDetails(s) {
    const d = [];
    if (s.expiresAt) d.push(["access token expires", when(s.expiresAt)]);
    if (config.tokenHandler) {
      d.push(["refresh token", s.hasRefreshToken ? "held by the server, in an HttpOnly cookie: never in this page" : "none"]);
    } else {
      d.push(["refresh token", s.hasRefreshToken ? "received" : "none"]);
    }
    if (s.scope) d.push(["scope", s.scope]);
    return d;
  }

  function recordEvent(ev) {
    switch (ev.type) {
      case "tokens_changed":
        if (phase === "exchange") return; // recorded as step 3
        record({
          type: ev.type, step: "refresh", fromOtherTab: ev.fromOtherTab,
          title: ev.fromOtherTab ? "Tokens refreshed" : config.tokenHandler ? "Tokens refreshed through the token handler" : "Tokens refreshed (grant_type=refresh_token)",
          details: ev.expiresAt ? [["access token expires", when(ev.expiresAt)]] : [],
          note: ev.fromOtherTab ? "Another tab refreshed; tabs that share the tokens take turns under a Web Lock." :
            config.tokenHandler ? "POST " + config.tokenHandler + "/token with the HttpOnly cookie: the server adds the client secret and the refresh token it holds (grant_type=refresh_token)." : "",
        });
        return;
      case "login_required":
        record({ type: ev.type, title: "Sign-in required", fromOtherTab: ev.fromOtherTab, details: ev.code ? [["because", ev.code]] : [] });
        return;
      case "refresh_token_expiring":
        record({ type: ev.type, title: "The refresh token expires soon", details: ev.expiresAt ? [["expires", when(ev.expiresAt)]] : [] });
        return;
      case "logged_out":
        // This tab's own logout is recorded after its logout entry, so the
        // timeline reads in the order the user acted.
        if (!ev.fromOtherTab && loggingOut) {
          loggingOut = "signed-out";
          return;
        }
        record({ type: ev.type, title: "Signed out", fromOtherTab: ev.fromOtherTab });
        if (ev.fromOtherTab) notice("You signed out in another tab.");
        return;
      default:
        record({ type: ev.type, title: ev.type, fromOtherTab: ev.fromOtherTab });
    }
  }

  // ---- the session ----

  function tick() {
    const left = Math.round((expiresAt - Date.now()) / 1000);
    const el = $("countdown");
    el.textContent = left > 0 ? (left >= 120 ? Math.floor(left / 60) + " min " + (left % 60) + " s" : left + " s") : "expired";
    el.dataset.seconds = String(left);
  }

  const TIME_CLAIMS = { exp: true, iat: true, nbf: true, auth_time: true, updated_at: true };

  function claimValue(k, v) {
    if (v === null) return "null";
    if (TIME_CLAIMS[k] && typeof v === "number") return when(v * 1000);
    return typeof v === "object" ? JSON.stringify(v) : String(v);
  }

  function fact(dl, k, v) {
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = k;
    dd.textContent = v;
    dl.append(dt, dd);
  }

  const STORAGE = {
    session: "sessionStorage: this tab only, survives reloads",
    local: "shared by every tab of this origin (IndexedDB)",
    memory: "this page's memory: gone on reload",
  };

  function margin() {
    return config.refreshMarginSeconds === undefined ? 60 : config.refreshMarginSeconds;
  }

  // loadClaims returns the claims to show and where they come from: the ID
  // token's, which gopkce verified before storing it (signature against the
  // provider's keys, iss, aud, exp, nonce), or else the access token's,
  // decoded for display only (the API verifies it).
  async function loadClaims() {
    const idClaims = await gopkce.getClaims();
    if (idClaims && config.bff) {
      return { claims: idClaims, source: "the ID token, verified by the backend for frontend, which keeps it" };
    }
    if (idClaims) {
      return { claims: idClaims, source: "the ID token, verified: signature, iss, aud, exp and nonce" };
    }
    const atClaims = await gopkce.getUnverifiedAccessTokenClaims();
    return { claims: atClaims || {}, source: atClaims ? "the access token, decoded for display, not verified" : "no JWT in the session" };
  }

  async function render() {
    const session = await gopkce.getSession();
    clearInterval(tickTimer);
    if (!session.loggedIn) {
      clearTimeout(autoTimer);
      $("logged-in").hidden = true;
      $("logged-out").hidden = false;
      setStatus("Signed out");
      return;
    }
    const { claims, source } = await loadClaims();
    $("who").textContent = claims.email || claims.name || claims.username || claims.sub || "unknown";
    const body = $("claims").tBodies[0];
    body.replaceChildren();
    for (const k of Object.keys(claims).sort()) {
      const tr = document.createElement("tr");
      const th = document.createElement("td");
      const td = document.createElement("td");
      th.textContent = k;
      td.textContent = claimValue(k, claims[k]);
      td.dataset.claim = k;
      tr.append(th, td);
      body.append(tr);
    }
    $("claims-source").textContent = "from " + source;

    const dl = $("session");
    dl.replaceChildren();
    fact(dl, "storage", STORAGE[config.storage || "session"] || config.storage);
    fact(dl, "scope", session.scope || "not in the token response: the scope requested was granted (RFC 6749 §5.1)");
    fact(dl, "access token", session.expiresAt ? "expires " + when(session.expiresAt) : "no expiry known");
    fact(dl, "refresh token", !session.hasRefreshToken ? "none: a new sign-in is needed when the access token expires"
      : session.refreshTokenExpiresAt ? "present, expires " + when(session.refreshTokenExpiresAt) + " by the configured lifetime"
      : "present; its lifetime is unknown (providers do not say: set refreshTokenLifetime)");
    fact(dl, "refresh margin", margin() + " s before expiry (at most half the token's lifetime)");
    fact(dl, "claims", "from " + source);
    if (config.dpop) {
      fact(dl, "DPoP key", session.dpopJkt ? "thumbprint " + session.dpopJkt + " (the key cannot be exported)" : "none: the provider issued Bearer tokens");
    }

    expiresAt = session.expiresAt || 0;
    $("expires-at").textContent = expiresAt ? "(" + new Date(expiresAt).toLocaleTimeString() + ")" : "";
    tick();
    tickTimer = setInterval(tick, 250);
    scheduleAuto();
    $("logged-out").hidden = true;
    $("logged-in").hidden = false;
    setStatus("Signed in");
  }

  // scheduleAuto calls getToken() when the refresh margin opens, if the box
  // is ticked: a refresh on demand, made by a timer.
  function scheduleAuto() {
    clearTimeout(autoTimer);
    if (!$("auto-refresh").checked || !expiresAt || config.bff) return;
    const wait = Math.max(1000, expiresAt - margin() * 1000 - Date.now() + 250);
    autoTimer = setTimeout(() => {
      phase = "refresh";
      gopkce.getToken().then(render, (err) => {
        showError(err);
        return render();
      }).catch(showError).finally(() => (phase = ""));
    }, wait);
  }

  // ---- actions ----

  async function guarded(button, fn) {
    button.disabled = true;
    try {
      clearError();
      await fn();
    } catch (err) {
      showError(err);
      record({ type: "error", title: "Error: " + (err.code || "error"), details: [["message", String(err.message || err)]] });
      await render().catch(showError);
    } finally {
      button.disabled = false;
    }
  }

  // login says at once that it is working ("Starting…", aria-busy) and
  // keeps saying so until the provider's page replaces this one; a click
  // while the module still loads is answered as soon as it can build the
  // URL.
  async function login() {
    const button = $("login");
    button.textContent = "Starting…";
    button.setAttribute("aria-busy", "true");
    try {
      const url = await gopkce.startLogin({ returnTo: location.pathname + location.search + location.hash, navigate: false });
      recordAuthorize(url);
      location.assign(url);
    } catch (err) {
      loginIdle();
      throw err;
    }
  }

  function loginIdle() {
    $("login").textContent = "Log in";
    $("login").removeAttribute("aria-busy");
  }

  // popupLogin signs in in a popup: this page never navigates, so nothing
  // in it is lost. loginWithPopup is called in the click's task, so that
  // the browser lets the popup open.
  async function popupLogin() {
    phase = "exchange";
    try {
      await gopkce.loginWithPopup({ returnTo: location.pathname + location.search + location.hash });
    } finally {
      phase = "";
    }
    await recordExchange();
    record({
      type: "popup", title: "Signed in in a popup",
      note: "The callback page in the popup handed the code to this page over a BroadcastChannel and closed; this page exchanged it and never navigated.",
    });
    await render();
  }

  // callStepUpAPI calls an API that may answer 401 with
  // error="insufficient_user_authentication" (RFC 9470): gopkce.fetch
  // rejects with what it asks for, stepUp signs in again with it (in a
  // popup, or by redirect when the popup is blocked), and the call is made
  // once more.
  async function callStepUpAPI() {
    let resp;
    try {
      resp = await gopkce.fetch(stepUpURL, { credentials: "omit" });
    } catch (err) {
      if (err.code !== "insufficient_user_authentication") throw err;
      record({
        type: "step_up", title: "The API asks for a stronger sign-in",
        details: [["acr_values", err.acrValues || "—"], ["max_age", err.maxAge === undefined ? "—" : String(err.maxAge)]],
      });
      try {
        await gopkce.stepUp(err);
      } catch (e) {
        if (e.code !== "popup_blocked") throw e;
        await gopkce.stepUp(err, { popup: false, returnTo: location.pathname });
        return;
      }
      await render();
      resp = await gopkce.fetch(stepUpURL, { credentials: "omit" });
    }
    await showAPIResponse(resp);
  }

  async function showAPIResponse(resp) {
    let text = await resp.text();
    try {
      text = JSON.stringify(JSON.parse(text), null, 2);
    } catch (_) {
      // not JSON: shown as it came
    }
    $("api-result").textContent = "HTTP " + resp.status + "\n" + text;
    $("api-result").dataset.status = String(resp.status);
  }

  let loggingOut = false;

  async function logout() {
    loggingOut = true;
    let url;
    try {
      url = await gopkce.logout({ navigate: false });
    } finally {
      const signedOut = loggingOut === "signed-out";
      loggingOut = false;
      if (url) {
        const u = new URL(url);
        record({
          type: "logout", title: "Logout: tokens forgotten, off to the provider's logout",
          details: [["endpoint", u.origin + u.pathname], ...u.searchParams],
          note: "The tokens are gone from this page before the browser leaves; the provider then ends its own session and sends the browser back.",
        });
      }
      if (signedOut) record({ type: "logged_out", title: "Signed out" });
    }
    sessionStorage.setItem(SIGNED_OUT, "1");
    location.assign(url);
  }

  async function callAPI() {
    await showAPIResponse(await gopkce.fetch(apiURL, { credentials: "omit" }));
  }

  async function main() {
    showTimeline();
    $("login").addEventListener("click", (e) => guarded(e.currentTarget, login));
    // Back from the provider through the back/forward cache: idle again.
    addEventListener("pageshow", (e) => e.persisted && loginIdle());
    $("popup-login").addEventListener("click", (e) => guarded(e.currentTarget, popupLogin));
    $("step-up").addEventListener("click", (e) => guarded(e.currentTarget, callStepUpAPI));
    $("refresh").addEventListener("click", (e) =>
      guarded(e.currentTarget, async () => {
        phase = "refresh";
        try {
          await gopkce.getToken({ forceRefresh: true });
        } finally {
          phase = "";
        }
        await render();
      })
    );
    $("call-api").addEventListener("click", (e) => guarded(e.currentTarget, callAPI));
    $("logout").addEventListener("click", (e) => guarded(e.currentTarget, logout));
    $("error-close").addEventListener("click", clearError);
    $("notice-close").addEventListener("click", () => ($("notice").hidden = true));
    $("clear-timeline").addEventListener("click", () => {
      sessionStorage.removeItem(TIMELINE);
      showTimeline();
    });
    $("auto-refresh").checked = sessionStorage.getItem(AUTO) === "1";
    $("auto-refresh").addEventListener("change", (e) => {
      sessionStorage.setItem(AUTO, e.currentTarget.checked ? "1" : "0");
      scheduleAuto();
    });
    gopkce.on("*", (ev) => {
      recordEvent(ev);
      if (ev.type !== "refresh_token_expiring" && phase !== "exchange") {
        render().catch(showError);
      }
    });

    const resp = await fetch("/config.json", { cache: "no-store" });
    const page = await resp.json();
    config = page.gopkce;
    apiURL = page.api;
    stepUpURL = page.stepUpApi || "";
    $("step-up").hidden = !stepUpURL;
    if (config.bff) {
      // Backend for frontend: the server keeps every token, so there is no
      // getToken(); gopkce.fetch refreshes on demand.
      $("refresh").hidden = true;
      $("auto-refresh").closest("label").hidden = true;
    }
    $("margin").textContent = margin() + " s";
    $("api-url").textContent = apiURL;
    try {
      await gopkce.configure(config);
    } catch (err) {
      showError(err);
      setStatus("Configuration refused");
      document.body.dataset.ready = "config-error";
      return;
    }
    if (location.pathname === "/callback") {
      setStatus("Completing sign-in…");
      recordCallback();
      phase = "exchange";
      try {
        const { returnTo } = await gopkce.handleCallback();
        history.replaceState(null, "", returnTo);
        await recordExchange();
      } catch (err) {
        showError(err);
        record({ type: "error", title: "Sign-in refused: " + (err.code || "error"), details: [["message", String(err.message || err)]] });
        history.replaceState(null, "", "/");
      } finally {
        phase = "";
      }
    }
    await render();
    if (sessionStorage.getItem(SIGNED_OUT)) {
      sessionStorage.removeItem(SIGNED_OUT);
      if ($("logged-in").hidden) {
        notice("You are signed out: this page forgot its tokens, and the provider ended its session.");
      }
    }
    document.body.dataset.ready = "true";
  }

  main().catch((err) => {
    showError(err);
    document.body.dataset.ready = "error";
  });
})();
