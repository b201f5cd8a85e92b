package oauth

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

// MaxTokenResponseBytes caps what is read from the token endpoint. Real
// responses are a few kilobytes; a bigger body is refused unread.
const MaxTokenResponseBytes = 64 << 10

// maxExpiresIn bounds expires_in: anything longer is a broken server.
const maxExpiresIn = 366 * 24 * time.Hour

// tokenResponse is a successful token response (RFC 6749 §5.1).
type tokenResponse struct {
	AccessToken  string
	TokenType    string
	IDToken      string
	RefreshToken string
	Scope        string
	ExpiresIn    time.Duration // 0: absent
	// HandlerHeld is a token handler's refresh_token_held: it keeps a
	// refresh token for this session in its cookie.
	HandlerHeld bool
}

// tokenRequest POSTs form to the token endpoint and parses the answer.
// The client authenticates with client_id in the body only (RFC 6749
// §2.3.1 is for confidential clients): no Authorization header, so the
// request is a CORS "simple request" with no preflight.
//
// With a DPoP key, each request carries a new proof (RFC 9449 §5), the
// server's DPoP-Nonce is kept, and the request is sent once more after a
// use_dpop_nonce error that came with a new nonce (§8), and once more after
// an invalid_dpop_proof whose Date header shows the device clock is off
// (the proof's iat then follows the server's clock). A second refusal of
// the same kind is returned.
func (c *Client) tokenRequest(ctx context.Context, form weburl.Values, key DPoPKey) (*tokenResponse, error) {
	prov, err := c.resolve(ctx)
	if err != nil {
		return nil, err
	}
	retriedNonce, retriedClock := false, false
	for {
		tr, header, err := c.tokenRoundTrip(ctx, prov, form, key)
		if key == nil {
			return tr, err
		}
		url := prov.tokenEndpoint
		newNonce := c.rememberNonce(url, header("DPoP-Nonce"))
		e, _ := err.(*Error)
		switch {
		case e == nil:
		case e.ProviderCode == string(protocol.UseDPoPNonce) && newNonce && !retriedNonce:
			retriedNonce = true
			continue
		case e.ProviderCode == string(protocol.InvalidDPoPProof) && !retriedClock && c.learnClock(header("Date")):
			retriedClock = true
			continue
		}
		return tr, err
	}
}

// tokenRoundTrip sends one token request, with a new DPoP proof when key
// is set, and returns the parsed answer and the response's headers.
func (c *Client) tokenRoundTrip(ctx context.Context, prov *providerInfo, form weburl.Values, key DPoPKey) (*tokenResponse, func(string) string, error) {
	none := func(string) string { return "" }
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req := c.tokenEndpointRequest(protocol.TokenPath, form)
	if c.cfg.TokenHandler == "" {
		req.URL = prov.tokenEndpoint
	}
	if key != nil {
		proof, err := c.dpopProof(ctx, key, "POST", req.URL, "")
		if err != nil {
			return nil, none, err
		}
		req.Header["DPoP"] = proof
	}
	tr, header, err := c.sendTokenRequest(ctx, req)
	if header == nil {
		header = none
	}
	return tr, header, err
}

// sendTokenRequest performs req and parses the answer.
func (c *Client) sendTokenRequest(ctx context.Context, req *Request) (*tokenResponse, func(string) string, error) {
	resp, err := c.opts.Transport.RoundTrip(ctx, req)
	if err != nil {
		return nil, nil, wrapError(CodeNetworkError, "token request failed", err)
	}
	defer resp.Body.Close()
	header := resp.Header
	if header == nil {
		header = func(string) string { return "" }
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxTokenResponseBytes+1))
	if err != nil {
		return nil, header, wrapError(CodeNetworkError, "token response was cut off", err)
	}
	if len(body) > MaxTokenResponseBytes {
		return nil, header, &Error{Code: CodeInvalidResponse, Status: resp.Status, msg: "token response is larger than " + strconv.Itoa(MaxTokenResponseBytes) + " bytes"}
	}
	var tr *tokenResponse
	if c.cfg.BFF != "" {
		tr, err = parseBFFTokenResponse(resp.Status, header, body, c.opts.Now())
	} else {
		tr, err = parseTokenResponse(resp.Status, header, body, c.opts.Now())
	}
	return tr, header, err
}

// parseTokenResponse turns a token-endpoint answer into a tokenResponse or
// a typed error. Bodies are never echoed: only the OAuth error fields of a
// 4xx JSON error (RFC 6749 §5.2) reach the caller. now is when the answer
// arrived, from which a Retry-After date counts.
func parseTokenResponse(status int, header func(string) string, body []byte, now time.Time) (*tokenResponse, error) {
	statusText := "HTTP " + strconv.Itoa(status)
	switch {
	case status == 429 || status >= 500:
		e := &Error{Code: CodeNetworkError, Status: status, msg: "token endpoint answered " + statusText}
		e.RetryAfter = protocol.RetryAfter(header("Retry-After"), now)
		return nil, e
	case status >= 400:
		if oe := parseOAuthError(status, body); oe != nil {
			return nil, oe
		}
		return nil, &Error{Code: CodeInvalidResponse, Status: status, msg: "token endpoint answered " + statusText + " without an OAuth error"}
	case status != 200:
		return nil, &Error{Code: CodeInvalidResponse, Status: status, msg: "token endpoint answered " + statusText + " (redirects are not followed)"}
	}
	fields, err := decodeObject(body, "token response")
	if err != nil {
		return nil, &Error{Code: CodeInvalidResponse, Status: status, msg: err.Error()}
	}
	if _, has := fields["error"]; has {
		if oe := parseOAuthError(status, body); oe != nil {
			return nil, oe
		}
	}
	bad := func(msg string) error { return &Error{Code: CodeInvalidResponse, Status: status, msg: msg} }
	var r tokenResponse
	if r.AccessToken, err = stringField(fields, "access_token", true); err != nil {
		return nil, bad(err.Error())
	}
	if r.TokenType, err = stringField(fields, "token_type", true); err != nil {
		return nil, bad(err.Error())
	}
	// RFC 6749 §5.1: token_type is case insensitive (B2C sends "bearer").
	switch {
	case strings.EqualFold(r.TokenType, "Bearer"):
		r.TokenType = "Bearer"
	case strings.EqualFold(r.TokenType, "DPoP"):
		r.TokenType = "DPoP" // checked against what was asked: dpopTokenType
	default:
		return nil, bad("unsupported token_type (only Bearer and DPoP are supported)")
	}
	if r.RefreshToken, err = stringField(fields, "refresh_token", false); err != nil {
		return nil, bad(err.Error())
	}
	if r.IDToken, err = stringField(fields, "id_token", false); err != nil {
		return nil, bad(err.Error())
	}
	if err := r.readCommon(fields); err != nil {
		return nil, bad(err.Error())
	}
	return &r, nil
}

// readCommon reads what every successful token response may carry besides
// its tokens: scope and expires_in (RFC 6749 §5.1), and whether the server
// part holds a refresh token.
func (r *tokenResponse) readCommon(fields map[string]any) (err error) {
	if r.Scope, err = stringField(fields, "scope", false); err != nil {
		return err
	}
	if r.ExpiresIn, err = expiresIn(fields["expires_in"]); err != nil {
		return err
	}
	r.HandlerHeld, _ = fields[protocol.RefreshTokenHeld].(bool)
	return nil
}

// parseOAuthError reads an RFC 6749 §5.2 error body, or returns nil.
func parseOAuthError(status int, body []byte) *Error {
	fields, err := decodeObject(body, "error response")
	if err != nil {
		return nil
	}
	code, err := stringField(fields, "error", true)
	if err != nil {
		return nil
	}
	desc, _ := stringField(fields, "error_description", false)
	return providerError(code, desc, "token endpoint refused the request", status)
}

// stringField returns a string member; null counts as absent.
func stringField(fields map[string]any, name string, required bool) (string, error) {
	raw, ok := fields[name]
	if !ok || raw == nil {
		if required {
			return "", errors.New("token response has no " + name)
		}
		return "", nil
	}
	s, ok := raw.(string)
	if !ok {
		return "", errors.New("token response's " + name + " is not a string")
	}
	if required && s == "" {
		return "", errors.New("token response's " + name + " is empty")
	}
	return s, nil
}

// expiresIn reads expires_in (RFC 6749 §5.1): a number of seconds. A string
// of digits is accepted too, as some providers send one; absent or null
// means "use the configured default"; negative, fractional-garbage or
// absurdly large values are refused.
func expiresIn(raw any) (time.Duration, error) {
	var n string
	switch v := raw.(type) {
	case nil:
		return 0, nil
	case Number:
		n = string(v)
	case string:
		n = strings.TrimSpace(v)
	default:
		return 0, errors.New("token response's expires_in is not a number")
	}
	secs, err := strconv.ParseInt(n, 10, 64)
	if err != nil {
		s, ns, ok := Number(n).Seconds()
		if !ok {
			return 0, errors.New("token response's expires_in is not a number")
		}
		if s < 0 || ns < 0 {
			return 0, errors.New("token response's expires_in is out of range")
		}
		secs = s
	}
	if secs < 0 || secs > int64(maxExpiresIn.Seconds()) {
		return 0, errors.New("token response's expires_in is out of range")
	}
	if secs == 0 {
		// Zero: already expired; keep it distinct from "absent".
		return time.Nanosecond, nil
	}
	return time.Duration(secs) * time.Second, nil
}

// newTokenSet computes a TokenSet from a response received at now.
func (c *Client) newTokenSet(r *tokenResponse, now time.Time) *TokenSet {
	exp := r.ExpiresIn
	if exp == 0 {
		exp = c.cfg.DefaultExpiresIn
	}
	ts := &TokenSet{
		V: 1, AccessToken: r.AccessToken, TokenType: r.TokenType, IDToken: r.IDToken,
		RefreshToken: r.RefreshToken, Scope: r.Scope, ExpiresAt: now.Add(exp).UnixMilli(),
		Lifetime: exp.Milliseconds(),
	}
	if c.cfg.TokenHandler != "" {
		// The refresh token lives in the handler's HttpOnly cookie; one
		// that reached JavaScript anyway is not kept.
		ts.RefreshToken, ts.HandlerHeld = "", r.HandlerHeld
	}
	return ts
}
