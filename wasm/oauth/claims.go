package oauth

import "github.com/golang-jwt/jwt/v5"

// Claims returns the claims of the ID token, or of the access token when
// there is no ID token and it is a JWT (Cognito without openid), or nil.
// The signature is not checked here: use the claims for display only.
func (c *Client) Claims() (map[string]any, error) {
	ts, err := c.loadTokens()
	if err != nil || ts == nil {
		return nil, err
	}
	for _, tok := range []string{ts.IDToken, ts.AccessToken} {
		if tok == "" {
			continue
		}
		if claims, err := DecodeClaimsUnverified(tok); err == nil {
			return claims, nil
		}
	}
	return nil, nil
}

// DecodeClaimsUnverified decodes a JWT's claims WITHOUT verifying its
// signature, issuer, audience or expiry (RFC 7519 §7.2 steps 1-6 only).
// Use the result for display, never for an authorization decision. Numbers
// stay json.Number so that large integers are not rounded; string claims
// such as SmartTask's "user_id" stay strings.
func DecodeClaimsUnverified(token string) (map[string]any, error) {
	claims := jwt.MapClaims{}
	_, _, err := jwt.NewParser(jwt.WithJSONNumber()).ParseUnverified(token, claims)
	if err != nil {
		return nil, err
	}
	return claims, nil
}

// stringClaims returns the named claims of an ID token as strings. A claim
// of another JSON type (an object as sub, an array as iss) is
// invalid_id_token: OpenID Connect Core §2 makes iss and sub strings, and
// claims are never compared as interface values, which panics for maps
// and slices. An absent claim is "".
func stringClaims(claims map[string]any, names ...string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		v, ok := claims[n]
		if !ok || v == nil {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return nil, NewError(CodeInvalidIDToken, "the ID token's "+n+" claim is not a string (OpenID Connect Core §2)")
		}
		out[i] = s
	}
	return out, nil
}

// sameSubject checks that a refreshed ID token keeps iss and sub
// (OpenID Connect Core §12.2).
func sameSubject(oldTok, newTok string) error {
	nc, err := DecodeClaimsUnverified(newTok)
	if err != nil {
		return wrapError(CodeInvalidIDToken, "the refreshed ID token does not decode", err)
	}
	next, err := stringClaims(nc, "iss", "sub")
	if err != nil {
		return err
	}
	if oldTok == "" {
		return nil
	}
	oc, err := DecodeClaimsUnverified(oldTok)
	if err != nil {
		return nil
	}
	prev, err := stringClaims(oc, "iss", "sub")
	if err != nil {
		return nil // checked when it was received; nothing to hold it to
	}
	if prev[0] != next[0] || prev[1] != next[1] {
		return NewError(CodeInvalidIDToken, "the refreshed ID token names another issuer or subject (OpenID Connect Core §12.2)")
	}
	return nil
}
