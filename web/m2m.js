// The demo's machine-to-machine card: the server calls a protected API with
// a client_credentials token (cmd/internal/app, POST /api/m2m) and this page
// shows what the API answered. The token never reaches the browser.
"use strict";
(async () => {
  const config = await (await fetch("/config.json", { cache: "no-store" })).json();
  if (!config.m2m) return;
  const card = document.createElement("section");
  card.className = "card";
  card.id = "m2m";
  const h = document.createElement("h3");
  h.textContent = "Machine to machine";
  const p = document.createElement("p");
  p.textContent = "The server calls the provider's API with a client_credentials token (scope api/write). The token stays on the server.";
  const button = document.createElement("button");
  button.type = "button";
  button.id = "call-m2m";
  button.textContent = "Call the API from the server";
  const out = document.createElement("pre");
  out.id = "m2m-result";
  out.className = "muted";
  out.textContent = "Not called yet.";
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const resp = await fetch(config.m2m, { method: "POST", headers: { "Gopkce-Request": "1" }, credentials: "same-origin" });
      const body = await resp.json();
      out.textContent = "HTTP " + (body.status || resp.status) + "\n" + JSON.stringify(body.result ?? body, null, 2);
      out.dataset.status = String(body.status || resp.status);
    } catch (err) {
      out.textContent = String(err);
    } finally {
      button.disabled = false;
    }
  });
  card.append(h, p, button, out);
  document.querySelector("main").append(card);
})();
