// An ES module importing gopkce.mjs by path: TypeScript finds gopkce.d.mts.
import gopkce, { configure, getToken, fetch as apiFetch, type Config, type GopkceError, type Session } from "./static/gopkce.mjs";

const config: Config = {
  authorizationEndpoint: "https://auth.example.com/oauth2/authorize",
  tokenEndpoint: "https://auth.example.com/oauth2/token",
  clientId: "my-spa",
  redirectUri: location.origin + "/callback",
  refreshTokenLifetime: "cognito",
};
await gopkce.ready;
await configure(config);
const token: string = await getToken();
const response: Response = await apiFetch(new URL("https://api.example.com/me"));
const session: Session = await gopkce.getSession();
gopkce.on("*", (e) => console.log(e.type, e.code));
try {
  await gopkce.handleCallback(location.href);
} catch (err) {
  console.log((err as GopkceError).code === "login_required", token, response.ok, session.loggedIn);
}
// The global is declared too, for code that mixes both.
await globalThis.gopkce.getSession();
// @ts-expect-error: clientId is required
await configure({ authorizationEndpoint: "x", tokenEndpoint: "y", redirectUri: "z" });
// @ts-expect-error: refreshTokenLifetime presets are named
await configure({ ...config, refreshTokenLifetime: "forever" });
// @ts-expect-error: the default export has no such call
gopkce.getAccessToken();
