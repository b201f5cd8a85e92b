// A small app that installs gopkce from npm and lets Vite bundle it: the
// module finds gopkce.wasm through new URL("./gopkce.wasm", import.meta.url),
// which Vite copies into dist/assets.
import gopkce, { type Config, type GopkceError } from "gopkce";

const el = (id: string): HTMLElement => document.getElementById(id)!;

async function main(): Promise<void> {
  const page = (await (await fetch("/config.json")).json()) as { gopkce: Config; api: string };
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

main().catch((err: GopkceError) => {
  el("error").textContent = err.code + ": " + err.message;
  el("error").hidden = false;
  document.body.dataset.ready = "error";
});
