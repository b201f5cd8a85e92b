// The floor's stand-in for window.gopkce on the README's pages: the same
// calls the snippets make (configure, handleCallback, getSession, fetch,
// startLogin), each done by floor.js the straightforward way.
"use strict";
window.gopkce = {
  ready: Promise.resolve(),
  configure: (c) => floor.configure(c),
  handleCallback: (url) => floor.handleCallback(url || location.href),
  startLogin: async (opts) => location.assign(await floor.startLogin(opts)),
  getSession: async () => {
    try {
      await floor.getToken();
      return { loggedIn: true };
    } catch (e) {
      if (e.code === "login_required") return { loggedIn: false };
      throw e;
    }
  },
  fetch: async (input, init) => {
    const token = await floor.getToken();
    const request = new Request(input, init);
    request.headers.set("Authorization", "Bearer " + token);
    return fetch(request);
  },
};
