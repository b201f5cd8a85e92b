// Package provider is the server parts' side of a provider's token and
// revocation endpoints, for a confidential client: client authentication
// (RFC 6749 §2.3.1), size caps, timeouts, typed errors that never quote a
// credential. The token handler and the backend for frontend share it.
package provider

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

// MaxResponseBytes caps what is read from the provider.
const MaxResponseBytes = 64 << 10

// Client authentication styles (RFC 6749 §2.3.1).
const (
	ClientSecretBasic = "client_secret_basic"
	ClientSecretPost  = "client_secret_post"
)

// Client talks to one provider for one confidential client. HTTP must not
// follow redirects (see [NoRedirects]).
type Client struct {
	TokenEndpoint      string
	RevocationEndpoint string
	ClientID           string
	ClientSecret       string
	AuthStyle          string
	Timeout            time.Duration
	HTTP               *http.Client
	Now                func() time.Time
}

// NoRedirects returns a copy of c (or a new client) that never follows a
// redirect: a token request is never replayed elsewhere.
func NoRedirects(c *http.Client, timeout time.Duration) *http.Client {
	out := &http.Client{Timeout: timeout}
	if c != nil {
		cp := *c
		out = &cp
	}
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return out
}

// Error is a provider's refusal or failure. Its text never holds a token,
// a code or the secret.
type Error struct {
	// Code: the provider's OAuth error code (RFC 6749 §5.2) or one of
	// protocol's (temporarily_unavailable, invalid_response, server_error).
	Code        string
	Description string
	// Status is what the server part answers the browser.
	Status         int
	ProviderStatus int
	RetryAfter     int
}

func (e *Error) Error() string { return protocol.ErrorText("provider", e.Code, e.Description, nil) }

// Codes of the errors the package makes itself.
const (
	codeUnavailable     = string(protocol.TemporarilyUnavailable)
	codeInvalidResponse = string(protocol.InvalidResponse)
	codeServerError     = string(protocol.ServerError)
)

// authenticate adds client authentication to a provider request
// (RFC 6749 §2.3.1): HTTP Basic with the id and secret each
// form-urlencoded first, or client_id and client_secret in the body.
func (h *Client) authenticate(req *http.Request, form url.Values) {
	switch h.AuthStyle {
	case ClientSecretPost:
		form.Set("client_id", h.ClientID)
		form.Set("client_secret", h.ClientSecret)
	default:
		form.Del("client_id")
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString(
			[]byte(url.QueryEscape(h.ClientID)+":"+url.QueryEscape(h.ClientSecret))))
	}
}

// post sends an authenticated form to a provider endpoint and returns the
// status, headers and at most [MaxResponseBytes] of body. A
// transport failure or timeout is codeUnavailable; the error never
// quotes the request (it holds the secret and the refresh token).
func (h *Client) post(ctx context.Context, endpoint string, form url.Values) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, h.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, nil)
	if err != nil {
		return 0, nil, nil, &Error{Code: codeServerError, Status: http.StatusInternalServerError, Description: "bad provider endpoint"}
	}
	h.authenticate(req, form)
	body := form.Encode()
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := h.HTTP.Do(req)
	if err != nil {
		// *url.Error quotes the URL only; the body and headers are not in it.
		// Still, keep only its kind: timeout or not.
		desc := "the provider did not answer"
		if errors.Is(err, context.DeadlineExceeded) {
			desc = "the provider did not answer in time"
		}
		return 0, nil, nil, &Error{Code: codeUnavailable, Status: http.StatusGatewayTimeout, Description: desc}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return 0, nil, nil, &Error{Code: codeUnavailable, Status: http.StatusBadGateway, ProviderStatus: resp.StatusCode, Description: "the provider's answer was cut off"}
	}
	if len(data) > MaxResponseBytes {
		return 0, nil, nil, &Error{Code: codeInvalidResponse, Status: http.StatusBadGateway, ProviderStatus: resp.StatusCode, Description: "the provider's answer is too large"}
	}
	return resp.StatusCode, resp.Header, data, nil
}

// TokenRequest posts a grant to the token endpoint. It returns the
// response's members and its refresh token (removed from the members), or
// a typed error: the provider's OAuth error for a 4xx (RFC 6749 §5.2) or a
// 200 carrying "error"; codeUnavailable for 429 and 5xx, with
// Retry-After; codeInvalidResponse for anything else. The provider's body
// is never quoted.
func (h *Client) TokenRequest(ctx context.Context, form url.Values) (map[string]json.RawMessage, string, error) {
	status, header, body, err := h.post(ctx, h.TokenEndpoint, form)
	if err != nil {
		return nil, "", err
	}
	if status == http.StatusTooManyRequests || status >= 500 {
		e := &Error{Code: codeUnavailable, Status: http.StatusBadGateway, ProviderStatus: status, Description: "the provider answered HTTP " + strconv.Itoa(status)}
		if ra := protocol.RetryAfter(header.Get("Retry-After"), h.Now()); ra > 0 {
			e.RetryAfter = ra
			e.Status = http.StatusServiceUnavailable
		}
		return nil, "", e
	}
	fields, ok := JSONObject(body)
	if status >= 400 || (ok && fields["error"] != nil) {
		if oe := oauthError(status, fields); ok && oe != nil {
			return nil, "", h.Scrub(oe, fields, form)
		}
		return nil, "", &Error{Code: codeInvalidResponse, Status: http.StatusBadGateway, ProviderStatus: status, Description: "the provider answered HTTP " + strconv.Itoa(status) + " without an OAuth error"}
	}
	if status != http.StatusOK || !ok {
		return nil, "", &Error{Code: codeInvalidResponse, Status: http.StatusBadGateway, ProviderStatus: status, Description: "the provider's answer is not a token response"}
	}
	var at string
	if json.Unmarshal(fields["access_token"], &at) != nil || at == "" {
		return nil, "", &Error{Code: codeInvalidResponse, Status: http.StatusBadGateway, ProviderStatus: status, Description: "the provider's answer has no access_token"}
	}
	var rt string
	if raw, has := fields["refresh_token"]; has {
		if string(raw) != "null" && json.Unmarshal(raw, &rt) != nil {
			return nil, "", &Error{Code: codeInvalidResponse, Status: http.StatusBadGateway, ProviderStatus: status, Description: "the provider's refresh_token is not a string"}
		}
		delete(fields, "refresh_token")
	}
	return fields, rt, nil
}

// oauthError reads an RFC 6749 §5.2 error; the handler answers it with 400
// whatever the provider's status (a 401 invalid_client is the handler's
// misconfiguration, not the browser's, and a WWW-Authenticate header must
// not reach it).
func oauthError(status int, fields map[string]json.RawMessage) *Error {
	var code, desc string
	if json.Unmarshal(fields["error"], &code) != nil || code == "" {
		return nil
	}
	json.Unmarshal(fields["error_description"], &desc)
	if !protocol.Code(code).WellFormed() {
		code = codeInvalidResponse // a provider cannot put arbitrary text in the log
	}
	return &Error{Code: code, Description: protocol.PlainText(desc), Status: http.StatusBadRequest, ProviderStatus: status}
}

// Scrub drops a provider's error_description that quotes a credential it
// was sent (the secret, the Basic Authorization value, the code, the
// verifier, the refresh token) in any encoding [protocol.QuotesSecret]
// knows, which would otherwise reach the browser. It reads the description
// as sent, before [protocol.PlainText] caps it, so that a long token cut
// short still counts.
func (h *Client) Scrub(e *Error, fields map[string]json.RawMessage, sent url.Values) *Error {
	var desc string
	json.Unmarshal(fields["error_description"], &desc)
	basic := url.QueryEscape(h.ClientID) + ":" + url.QueryEscape(h.ClientSecret)
	if protocol.QuotesSecret(desc, h.ClientSecret, basic, h.ClientID+":"+h.ClientSecret,
		sent.Get("code"), sent.Get("code_verifier"), sent.Get("refresh_token"), sent.Get("token")) {
		e.Description = ""
	}
	return e
}

// Revoke asks the provider to revoke a refresh token (RFC 7009 §2.1). The
// provider answers 200 for tokens it does not know (§2.2).
func (h *Client) Revoke(ctx context.Context, refreshToken string) error {
	return h.RevokeHint(ctx, refreshToken, "refresh_token")
}

// RevokeHint revokes token with the given token_type_hint (RFC 7009 §2.1):
// "refresh_token" or "access_token".
func (h *Client) RevokeHint(ctx context.Context, refreshToken, hint string) error {
	status, _, body, err := h.post(ctx, h.RevocationEndpoint, url.Values{
		"token": {refreshToken}, "token_type_hint": {hint},
	})
	switch {
	case err != nil:
		return err
	case status == http.StatusOK:
		return nil
	case status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests || status >= 500:
		return &Error{Code: codeUnavailable, Status: http.StatusBadGateway, ProviderStatus: status, Description: "the revocation endpoint answered HTTP " + strconv.Itoa(status)}
	}
	if fields, ok := JSONObject(body); ok {
		if oe := oauthError(status, fields); oe != nil {
			return h.Scrub(oe, fields, url.Values{"token": {refreshToken}})
		}
	}
	return &Error{Code: codeInvalidResponse, Status: http.StatusBadGateway, ProviderStatus: status, Description: "the revocation endpoint answered HTTP " + strconv.Itoa(status)}
}

// JSONObject decodes body as exactly one JSON object.
func JSONObject(body []byte) (map[string]json.RawMessage, bool) {
	var fields map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return nil, false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, false
	}
	return fields, true
}
