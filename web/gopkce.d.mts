// Types of the ES module gopkce.mjs (and of the npm package's main entry).
// TypeScript looks for this file beside gopkce.mjs; the declarations are in
// gopkce.d.ts.
export * from "./gopkce.js";
export { default } from "./gopkce.js";
