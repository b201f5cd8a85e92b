// A classic script: gopkce.js defines the global `gopkce`.
/// <reference path="./static/gopkce.d.ts" />

const config: gopkce.Config = {
  issuer: "https://auth.example.com",
  authorizationEndpoint: "https://auth.example.com/oauth2/authorize",
  tokenEndpoint: "https://auth.example.com/oauth2/token",
  clientId: "my-spa",
  redirectUri: location.origin + "/callback",
  apiOrigins: ["https://api.example.com"],
  storage: "local",
};

async function main(): Promise<void> {
  await gopkce.configure(config);
  const { returnTo }: { returnTo: string } = await gopkce.handleCallback();
  const token: string = await gopkce.getToken({ forceRefresh: true });
  const response: Response = await gopkce.fetch("https://api.example.com/me", { method: "POST", body: "{}" });
  const session: gopkce.Session = await gopkce.getSession();
  const expires: number | undefined = session.expiresAt;
  const off: () => void = gopkce.on("tokens_changed", (e: gopkce.GopkceEvent) => console.log(e.expiresAt, e.fromOtherTab));
  off();
  try {
    await gopkce.startLogin({ returnTo: "/", navigate: false });
  } catch (err) {
    const e = err as gopkce.GopkceError;
    const code: gopkce.ErrorCode = e.code;
    console.log(code, e.description, returnTo, token, response.status, expires);
  }
  // @ts-expect-error: a misspelled key is refused by the types too
  await gopkce.configure({ ...config, redirectURI: "x" });
  // @ts-expect-error: storage is one of three words
  await gopkce.configure({ ...config, storage: "cookie" });
  // @ts-expect-error: getToken resolves with a string
  const n: number = await gopkce.getToken();
  // @ts-expect-error: no such event
  gopkce.on("token_changed", () => {});
  console.log(n);
}
main();
