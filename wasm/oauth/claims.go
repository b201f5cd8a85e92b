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

// sameSubject checks that a refreshed ID token keeps iss and sub
// (OpenID Connect Core §12.2).
func sameSubject(oldTok, newTok string) error {
	nc, err := DecodeClaimsUnverified(newTok)
	if err != nil {
		return wrapError(CodeInvalidIDToken, "the refreshed ID token does not decode", err)
	}
	if oldTok == "" {
		return nil
	}
	oc, err := DecodeClaimsUnverified(oldTok)
	if err != nil {
		return nil
	}
	if oc["iss"] != nc["iss"] || oc["sub"] != nc["sub"] {
		return NewError(CodeInvalidIDToken, "the refreshed ID token names another issuer or subject (OpenID Connect Core §12.2)")
	}
	return nil
}
