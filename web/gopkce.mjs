// gopkce as an ES module:
//
//   import gopkce from "gopkce";          // npm, with a bundler (Vite, webpack...)
//   import gopkce from "/gopkce.mjs";     // or straight from your server
//
// It runs wasm_exec.js and gopkce.js, then loads gopkce.wasm from beside
// this file. The URL is written `new URL("./gopkce.wasm", import.meta.url)`
// so that bundlers copy the module into their output and rewrite the URL.
import "./wasm_exec.js";
import "./gopkce.js";

const gopkce = globalThis.gopkce;
gopkce.load(new URL("./gopkce.wasm", import.meta.url).href);

export default gopkce;
export const {
  ready,
  configure,
  startLogin,
  handleCallback,
  getToken,
  getClaims,
  getUnverifiedAccessTokenClaims,
  getSession,
  logout,
  on,
  fetch,
  getAuthHeaders,
  getUserInfo,
  loginWithPopup,
  stepUp,
} = gopkce;
