// gopkce as an ES module: import gopkce from "/gopkce.mjs";
// It loads wasm_exec.js, gopkce.js and gopkce.wasm from its own directory.
import "./wasm_exec.js";
import "./gopkce.js";

const gopkce = globalThis.gopkce;
gopkce.load(new URL("gopkce.wasm", import.meta.url).href);

export default gopkce;
export const {
  ready,
  configure,
  startLogin,
  handleCallback,
  getToken,
  getClaims,
  getSession,
  logout,
  on,
} = gopkce;
