package oauth

import (
	"context"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

// maxUserinfoBytes caps a UserInfo answer.
const maxUserinfoBytes = 64 << 10

// userinfoCache holds the last UserInfo answer with the access token it
// was read with: a new access token reads it again.
type userinfoCache struct {
	token  string
	claims map[string]any
}

// userinfoError makes an invalid_userinfo error; error.check says what
// was refused ("status", "format", "size", "sub", or an ID token check
// for a signed answer).
func userinfoError(check, msg string, status int) *Error {
	return &Error{Code: CodeInvalidUserinfo, Status: status, msg: "the UserInfo answer was refused", err: &IDTokenError{Check: check, Reason: msg}}
}

// CodeInvalidUserinfo: the UserInfo endpoint refused the access token
// (Status 401 or 403) or answered something that is not the user's
// claims: not JSON or a signed JWT, over 64 KiB, another sub, or a JWT
// that fails its checks. Nothing of it is kept.
const CodeInvalidUserinfo = string(protocol.InvalidUserinfo)

// UserInfo returns the claims of the UserInfo endpoint (OpenID Connect
// Core §5.3) for the current access token, refreshed first when due. The
// endpoint is the configured one, a preset's (Cognito's /oauth2/userInfo)
// or the discovery document's. Its sub must equal the ID token's (§5.3.2);
// a signed answer (application/jwt) is verified like an ID token: alg,
// key and signature, iss and aud. JSON members keep their types (numbers
// are [Number]). The answer is kept in memory until the access token
// changes.
func (c *Client) UserInfo(ctx context.Context) (map[string]any, error) {
	if _, err := c.Token(ctx, TokenOptions{}); err != nil {
		return nil, err
	}
	ts, err := c.loadTokens()
	if err != nil {
		return nil, err
	}
	if ts == nil || ts.AccessToken == "" {
		return nil, NewError(CodeLoginRequired, "no session")
	}
	c.mu.Lock()
	cached := c.userinfo
	c.mu.Unlock()
	if cached != nil && cached.token == ts.AccessToken {
		return maps.Clone(cached.claims), nil
	}
	idc, _ := c.Claims()
	sub, _ := idc["sub"].(string)
	if sub == "" {
		return nil, userinfoError(CheckSub, "the session has no ID token whose sub the answer could be compared with (add openid to the scope)", 0)
	}
	prov, err := c.resolve(ctx)
	if err != nil {
		return nil, err
	}
	if prov.userinfoEndpoint == "" {
		return nil, configError("userinfoEndpoint", "is not set, and neither a preset nor the discovery document gives one")
	}
	claims, err := c.readUserinfo(ctx, prov, ts.AccessToken)
	if err != nil {
		return nil, err
	}
	if s, _ := claims["sub"].(string); s != sub {
		return nil, userinfoError(CheckSub, "the answer's sub is not the ID token's (OpenID Connect Core §5.3.2)", 200)
	}
	c.mu.Lock()
	c.userinfo = &userinfoCache{token: ts.AccessToken, claims: claims}
	c.mu.Unlock()
	return maps.Clone(claims), nil
}

// readUserinfo sends the UserInfo request (§5.3.1, RFC 6750 §2.1) and
// decodes its answer.
func (c *Client) readUserinfo(ctx context.Context, prov *providerInfo, token string) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	resp, err := c.opts.Transport.RoundTrip(ctx, &Request{Method: "GET", URL: prov.userinfoEndpoint,
		Header: map[string]string{"Authorization": "Bearer " + token, "Accept": "application/json, application/jwt"}})
	if err != nil {
		return nil, wrapError(CodeNetworkError, "could not reach the UserInfo endpoint", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.Status == 429 || resp.Status >= 500:
		return nil, &Error{Code: CodeNetworkError, Status: resp.Status, msg: "the UserInfo endpoint answered HTTP " + strconv.Itoa(resp.Status)}
	case resp.Status != 200:
		msg := "the UserInfo endpoint answered HTTP " + strconv.Itoa(resp.Status)
		if e := BearerError(resp.Header("WWW-Authenticate")); e != "" {
			msg += " (" + strconv.Quote(e) + ")"
		}
		return nil, userinfoError("status", msg, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxUserinfoBytes+1))
	if err != nil {
		return nil, wrapError(CodeNetworkError, "the UserInfo answer was cut off", err)
	}
	if len(body) > maxUserinfoBytes {
		return nil, userinfoError("size", "the answer is larger than 64 KiB", 200)
	}
	mt, _, _ := strings.Cut(resp.Header("Content-Type"), ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	switch mt {
	case "application/json":
		claims, err := decodeClaims(body)
		if err != nil {
			return nil, userinfoError(CheckFormat, "the answer is not a JSON object", 200)
		}
		return claims, nil
	case "application/jwt":
		return c.verifyUserinfoJWT(ctx, prov, strings.TrimSpace(string(body)))
	}
	return nil, userinfoError(CheckFormat, "the answer is neither application/json nor application/jwt", 200)
}

// verifyUserinfoJWT verifies a signed UserInfo answer (§5.3.2): alg and
// signature as an ID token's, iss the issuer and aud containing the
// client id. It has no exp or nonce to check.
func (c *Client) verifyUserinfoJWT(ctx context.Context, prov *providerInfo, raw string) (map[string]any, error) {
	v := c.verifier(prov)
	jws, err := ParseJWS(raw)
	if err != nil {
		return nil, userinfoError(CheckFormat, err.Error(), 200)
	}
	claims, err := decodeClaims(jws.Payload)
	if err != nil {
		return nil, userinfoError(CheckFormat, err.Error(), 200)
	}
	if err := v.checkAlg(jws.Header.Alg); err != nil {
		return nil, err
	}
	if err := checkTokenIssuer(claims, v.Issuer); err != nil {
		return nil, err
	}
	if aud, ok := audiences(claims["aud"]); !ok || !slices.Contains(aud, v.ClientID) {
		return nil, idTokenError(CheckAud, "aud does not contain the client id")
	}
	if err := v.checkSignature(ctx, jws); err != nil {
		return nil, err
	}
	return claims, nil
}
