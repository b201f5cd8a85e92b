package oauth

import (
	"context"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

// Backend-for-frontend mode. With [Config.BFF] set, the module is the
// page's half of a backend for frontend (draft-ietf-oauth-browser-based-apps
// §6.1): it still does PKCE, state and nonce, and sends the code exchange
// and refreshes to the same-origin server as with a token handler, one
// refresh at a time across tabs under the same lock. The server keeps every
// token. Its answers carry a session handle in place of the access token:
// a random name of the session's current generation, which grants nothing
// and which the module keeps where it would keep the access token, so that
// freshness, single-flight refreshes and events work unchanged. The ID
// token's claims, verified by the server, come from its session endpoint;
// APIs are reached through its proxy routes.

const (
	// CodeTokensOnServer: getToken in backend-for-frontend mode, where the
	// server keeps every token and JavaScript never holds one.
	CodeTokensOnServer = string(protocol.TokensOnServer)
	// CodeRouteNotAllowed: gopkce.fetch was given a URL that no proxy route
	// of the backend for frontend serves. Nothing was sent.
	CodeRouteNotAllowed = string(protocol.RouteNotAllowed)
)

// maxBFFSessionBytes caps what is read from the session endpoint.
const maxBFFSessionBytes = 64 << 10

// checkBFF validates [Config.BFF] and makes the module treat the server as
// its token handler.
func (c *Config) checkBFF() error {
	if c.BFF == "" {
		return nil
	}
	switch {
	case c.TokenEndpoint != "":
		return configError("bff", "set tokenEndpoint (public client) or bff (every token held by a backend for frontend), not both")
	case c.TokenHandler != "" && c.TokenHandler != c.BFF:
		return configError("bff", "set tokenHandler or bff, not both: the backend for frontend is its own token handler")
	case c.UseIDToken:
		return configError("useToken", "does not apply with bff: each proxy route of the server names the token it sends")
	}
	if err := checkHandlerPath(c.BFF); err != nil {
		return configError("bff", err.Error())
	}
	c.TokenHandler = c.BFF
	return nil
}

// errTokensOnServer is getToken's refusal in this mode.
func errTokensOnServer() error {
	return NewError(CodeTokensOnServer, "the backend for frontend keeps every token on the server, so JavaScript gets none: call APIs with gopkce.fetch (through the server's proxy routes), and read the user from getClaims()")
}

// parseBFFTokenResponse reads the server's answer to a code exchange or a
// refresh: its session handle stands for the access token. A token that
// reached the page anyway is not read.
func parseBFFTokenResponse(status int, header func(string) string, body []byte, now time.Time) (*tokenResponse, error) {
	if status != 200 {
		return parseTokenResponse(status, header, body, now)
	}
	fields, err := decodeObject(body, "token response")
	if err != nil {
		return nil, &Error{Code: CodeInvalidResponse, Status: status, msg: err.Error()}
	}
	bad := func(msg string) error { return &Error{Code: CodeInvalidResponse, Status: status, msg: msg} }
	r := tokenResponse{TokenType: "Bearer"}
	if r.AccessToken, err = stringField(fields, protocol.SessionHandle, true); err != nil {
		return nil, bad("the backend for frontend's answer has no " + protocol.SessionHandle)
	}
	if err := r.readCommon(fields); err != nil {
		return nil, bad(err.Error())
	}
	return &r, nil
}

// bffSession asks the server's session endpoint for what the page may know
// of the session (never a token) and returns its stored form: the claims
// of the ID token the server verified and the proxy's routes.
func (c *Client) bffSession(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	resp, err := c.opts.Transport.RoundTrip(ctx, c.tokenEndpointRequest(protocol.SessionPath, weburl.Values{}))
	if err != nil {
		return "", wrapError(CodeNetworkError, "the backend for frontend's session endpoint failed", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBFFSessionBytes+1))
	if err != nil || resp.Status != 200 || len(body) > maxBFFSessionBytes {
		return "", &Error{Code: CodeNetworkError, Status: resp.Status, msg: "the backend for frontend's session endpoint answered HTTP " + strconv.Itoa(resp.Status)}
	}
	o, err := jsonv.DecodeObject(body)
	if err != nil {
		return "", &Error{Code: CodeInvalidResponse, msg: "the backend for frontend's session is not a JSON object"}
	}
	if in, _ := jsonv.BoolMember(o, "loggedIn"); !in {
		return "", NewError(CodeLoginRequired, "the backend for frontend holds no session")
	}
	kept := map[string]any{}
	if claims, ok := o["claims"].(map[string]any); ok {
		kept["claims"] = claims
	}
	if routes, ok := o["routes"].([]any); ok {
		kept["routes"] = routes
	}
	out, err := jsonv.Marshal(kept)
	if err != nil {
		return "", &Error{Code: CodeInvalidResponse, msg: "the backend for frontend's session cannot be kept"}
	}
	return string(out), nil
}

// withBFFSession fills ts's server-side view from the session endpoint; on
// a failure it keeps prev's (a refresh's claims rarely change) and the
// session goes on: the view is fetched again when a call needs it.
func (c *Client) withBFFSession(ctx context.Context, ts *TokenSet, prev string) {
	if s, err := c.bffSession(ctx); err == nil {
		ts.BFFSession = s
	} else {
		ts.BFFSession = prev
	}
}

// bffMember returns member name of the stored session view.
func bffMember(ts *TokenSet, name string) any {
	if ts == nil || ts.BFFSession == "" {
		return nil
	}
	o, err := jsonv.DecodeObject([]byte(ts.BFFSession))
	if err != nil {
		return nil
	}
	return o[name]
}

// bffClaims returns the claims of the ID token the server verified.
func bffClaims(ts *TokenSet) map[string]any {
	claims, _ := bffMember(ts, "claims").(map[string]any)
	return claims
}

// BFFRequest is what gopkce.fetch calls in backend-for-frontend mode, in
// place of [Client.APIToken]. It returns the same-origin URL that proxies rawURL, and the
// session handle that stands for the token it is sent with. rawURL must be
// under [Config.APIOrigins] (else origin_not_allowed) and under one of the
// server's routes: its upstream prefix, mapped to the route's path, or the
// route's path on the page's own origin, kept as it is. Any other URL is
// route_not_allowed; nothing is sent.
//
// rejected and challenge are [Client.APIToken]'s: after a 401 whose JSON
// error is token_expired (the proxy never refreshes, so that two requests
// never spend the same refresh token), or whose challenge says
// error="invalid_token" (RFC 6750 §3.1), it returns the URL again with a
// new handle, refreshed once under the cross-tab lock unless another caller
// has refreshed since; after any other 401 it returns "" and the 401
// stands.
func (c *Client) BFFRequest(ctx context.Context, rawURL, rejected, challenge string) (proxied, handle string, err error) {
	origin, err := requestOrigin(rawURL)
	if err != nil {
		return "", "", err
	}
	if !c.apiOriginAllowed(origin) {
		return "", "", NewError(CodeOriginNotAllowed, origin+" is not in apiOrigins: calls go only to the origins listed there, and nothing was sent")
	}
	if rejected != "" && challenge != string(protocol.TokenExpired) && BearerError(challenge) != "invalid_token" {
		return "", "", nil
	}
	ts, err := c.Tokens(ctx, TokenOptions{})
	if err == nil && rejected != "" && ts.AccessToken == rejected {
		// Refreshed unless the stored handle is no longer the rejected one
		// once the lock is held: another tab refreshed meanwhile.
		ts, err = c.refreshShared(ctx, rejected, true)
	}
	if err != nil {
		return "", "", err
	}
	if ts.BFFSession == "" {
		c.withBFFSession(ctx, ts, "")
		if ts.BFFSession != "" {
			c.storeTokens(ts)
		}
	}
	page, _ := requestOrigin(c.cfg.RedirectURI)
	u, _ := weburl.Parse(rawURL) // requestOrigin parsed it
	rest := u.EscapedPath()
	if rest == "" {
		rest = "/"
	}
	if u.RawQuery != "" || u.ForceQuery {
		rest += "?" + u.RawQuery
	}
	routes, _ := bffMember(ts, "routes").([]any)
	for _, r := range routes {
		route, _ := r.(map[string]any)
		path, _ := jsonv.StringMember(route, "path")
		upstream, _ := jsonv.StringMember(route, "upstream")
		if !strings.HasPrefix(path, "/") {
			continue
		}
		if origin == page && strings.HasPrefix(rest, path) {
			return rawURL, ts.AccessToken, nil
		}
		up, perr := weburl.Parse(upstream)
		if perr != nil || up.Origin() != origin {
			continue
		}
		if up := up.EscapedPath(); strings.HasPrefix(rest, up) {
			return page + path + rest[len(up):], ts.AccessToken, nil
		}
	}
	return "", "", NewError(CodeRouteNotAllowed, "no route of the backend for frontend serves "+origin+": the server's allow-list decides which APIs the page reaches, and nothing was sent")
}

// bffRevoked reads the server's answer to a logout, {"revoked": bool}: its
// cookies are cleared either way, and a refresh token it could not revoke
// at the provider (RFC 7009) is reported.
func bffRevoked(body []byte) error {
	o, err := jsonv.DecodeObject(body)
	if err != nil {
		return &Error{Code: CodeInvalidResponse, msg: "the backend for frontend's logout answer is not a JSON object"}
	}
	if revoked, _ := jsonv.BoolMember(o, "revoked"); !revoked {
		return &Error{Code: CodeNetworkError, msg: "the backend for frontend cleared the session but could not revoke the refresh token at the provider"}
	}
	return nil
}
