// A small app that installs gopkce from npm and lets webpack 5 bundle it
// with no configuration (npx webpack --mode production): the bundle,
// dist/main.js, is a classic script, and gopkce.wasm is the asset webpack
// emitted for new URL("./gopkce.wasm", import.meta.url).
import gopkce from "gopkce";

const el = (id) => document.getElementById(id);

async function main() {
  const page = await (await fetch("/config.json")).json();
  await gopkce.configure(page.gopkce);
  if (location.pathname === "/callback") {
    const { returnTo } = await gopkce.handleCallback();
    history.replaceState(null, "", returnTo);
  }
  const session = await gopkce.getSession();
  if (session.loggedIn) {
    const response = await gopkce.fetch(page.api);
    el("api").textContent = await response.text();
    el("api").dataset.status = String(response.status);
    el("logged-in").hidden = false;
  } else {
    el("login").addEventListener("click", () => gopkce.startLogin({ returnTo: "/" }));
    el("logged-out").hidden = false;
  }
  document.body.dataset.ready = "true";
}

main().catch((err) => {
  el("error").textContent = err.message; // "gopkce: <code>: ..."
  el("error").hidden = false;
  document.body.dataset.ready = "error";
});
