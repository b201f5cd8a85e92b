// Workers entry point: runs cmd/edge (build/app.wasm, a Go program built
// with GOOS=js GOARCH=wasm) and hands it every request.
//
// Unlike the glue of github.com/syumai/workers, which starts a Go program
// per request, this one starts one per isolate, in the global scope (while
// Cloudflare still does the TLS handshake, within the 1 s start-up limit),
// and keeps it: its caches (asset bytes, hashes, encodings) then serve
// every request of the isolate, and a request costs no Go start-up. If the
// program exits (a panic), the next request starts a new one.
import { env } from "cloudflare:workers";
import "./build/wasm_exec.js"; // the toolchain's, copied by `go run .`
import mod from "./build/app.wasm"; // compiled once, at upload

function start() {
  // syumai/workers reads its runtime context from the global "context"
  // when the program starts: the bindings (env: vars, secrets, ASSETS),
  // the same for every request of an isolate, and "binding", where it
  // puts handleRequest. There is no per-request ctx (waitUntil): unused.
  const binding = {};
  globalThis.context = { env, binding };
  const go = new Go();
  let ready;
  const started = new Promise((resolve) => (ready = resolve));
  const instance = new WebAssembly.Instance(mod, {
    ...go.importObject,
    workers: { ready: () => ready() },
  });
  const exited = go.run(instance).then(() => {
    throw new Error("the Go program exited");
  });
  exited.catch(() => {}).finally(() => (app = undefined));
  return Promise.race([started, exited]).then(() => binding.handleRequest);
}

let app = start(); // Promise of the program's request handler

export default {
  async fetch(request) {
    app ??= start();
    const handle = await app;
    const res = await handle(request);
    if (!res.headers.has("Content-Encoding")) return res;
    // The body is already encoded (gopkce.wasm.br): without
    // encodeBody "manual" the runtime would encode it a second time.
    return new Response(res.body, {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers,
      encodeBody: "manual",
    });
  },
};
