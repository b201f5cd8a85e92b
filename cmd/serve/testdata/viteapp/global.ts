// The package's script global, as a page that loads
// node_modules/gopkce/gopkce.js with a <script> tag sees it.
/// <reference types="gopkce/global" />
const config: gopkce.Config = { clientId: "c", authorizationEndpoint: "https://a.example", tokenEndpoint: "https://t.example", redirectUri: "https://r.example/cb" };
gopkce.configure(config).then(() => gopkce.fetch("https://api.example.com/"));
// @ts-expect-error: typed, not any
gopkce.configure({ clientId: 1 });
