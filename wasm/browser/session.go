//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// getSession(): {loggedIn, expiresAt, refreshTokenExpiresAt, ...}, no tokens.
func getSession([]js.Value) (any, error) {
	c, err := current()
	if err != nil {
		return nil, err
	}
	s, err := c.Session()
	if err != nil {
		return nil, err
	}
	return jsonToJS(sessionObject(s))
}

// sessionObject is s as JavaScript sees it: oauth.Session's JSON names,
// the zero members omitted but loggedIn and hasRefreshToken.
func sessionObject(s oauth.Session) map[string]any {
	o := map[string]any{"loggedIn": s.LoggedIn, "hasRefreshToken": s.HasRefreshToken}
	if s.ExpiresAt != 0 {
		o["expiresAt"] = s.ExpiresAt
	}
	if s.RefreshTokenExpiresAt != 0 {
		o["refreshTokenExpiresAt"] = s.RefreshTokenExpiresAt
	}
	if s.Scope != "" {
		o["scope"] = s.Scope
	}
	if s.DPoPJKT != "" {
		o["dpopJkt"] = s.DPoPJKT
	}
	return o
}

// getClaims(): the verified ID token's claims, or null.
func getClaims([]js.Value) (any, error) {
	return claimsToJS((*oauth.Client).Claims)
}

// getUnverifiedAccessTokenClaims(): the access token's claims when it is a
// JWT, or null. Nothing about them is verified.
func getUnverifiedAccessTokenClaims([]js.Value) (any, error) {
	return claimsToJS((*oauth.Client).UnverifiedAccessTokenClaims)
}

func claimsToJS(get func(*oauth.Client) (map[string]any, error)) (any, error) {
	c, err := current()
	if err != nil {
		return nil, err
	}
	claims, err := get(c)
	if err != nil || claims == nil {
		return nil, err
	}
	return jsonToJS(claims)
}

// jsonToJS hands v (decoded claims, or a map of strings, booleans and
// integers) to JavaScript through JSON.parse, so that numbers arrive as
// JavaScript reads their JSON text.
func jsonToJS(v any) (any, error) {
	b, err := jsonv.Marshal(v)
	if err != nil {
		return nil, err
	}
	return js.Global().Get("JSON").Call("parse", string(b)), nil
}
