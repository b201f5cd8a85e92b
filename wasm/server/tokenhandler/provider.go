package tokenhandler

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

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

// MaxProviderResponseBytes caps what is read from the provider.
const MaxProviderResponseBytes = 64 << 10

// authenticate adds client authentication to a provider request
// (RFC 6749 §2.3.1): HTTP Basic with the id and secret each
// form-urlencoded first, or client_id and client_secret in the body.
func (h *Handler) authenticate(req *http.Request, form url.Values) {
	switch h.cfg.AuthStyle {
	case ClientSecretPost:
		form.Set("client_id", h.cfg.ClientID)
		form.Set("client_secret", h.cfg.ClientSecret)
	default:
		form.Del("client_id")
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString(
			[]byte(url.QueryEscape(h.cfg.ClientID)+":"+url.QueryEscape(h.cfg.ClientSecret))))
	}
}

// post sends an authenticated form to a provider endpoint and returns the
// status, headers and at most [MaxProviderResponseBytes] of body. A
// transport failure or timeout is CodeProviderUnavailable; the error never
// quotes the request (it holds the secret and the refresh token).
func (h *Handler) post(ctx context.Context, endpoint string, form url.Values) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, nil)
	if err != nil {
		return 0, nil, nil, &Error{Code: CodeServerError, Status: http.StatusInternalServerError, Description: "bad provider endpoint"}
	}
	h.authenticate(req, form)
	body := form.Encode()
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		// *url.Error quotes the URL only; the body and headers are not in it.
		// Still, keep only its kind: timeout or not.
		desc := "the provider did not answer"
		if errors.Is(err, context.DeadlineExceeded) {
			desc = "the provider did not answer in time"
		}
		return 0, nil, nil, &Error{Code: CodeProviderUnavailable, Status: http.StatusGatewayTimeout, Description: desc}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxProviderResponseBytes+1))
	if err != nil {
		return 0, nil, nil, &Error{Code: CodeProviderUnavailable, Status: http.StatusBadGateway, ProviderStatus: resp.StatusCode, Description: "the provider's answer was cut off"}
	}
	if len(data) > MaxProviderResponseBytes {
		return 0, nil, nil, &Error{Code: CodeInvalidResponse, Status: http.StatusBadGateway, ProviderStatus: resp.StatusCode, Description: "the provider's answer is too large"}
	}
	return resp.StatusCode, resp.Header, data, nil
}

// tokenRequest posts a grant to the token endpoint. It returns the
// response's members and its refresh token (removed from the members), or
// a typed error: the provider's OAuth error for a 4xx (RFC 6749 §5.2) or a
// 200 carrying "error"; CodeProviderUnavailable for 429 and 5xx, with
// Retry-After; CodeInvalidResponse for anything else. The provider's body
// is never quoted.
func (h *Handler) tokenRequest(ctx context.Context, form url.Values) (map[string]json.RawMessage, string, error) {
	status, header, body, err := h.post(ctx, h.cfg.TokenEndpoint, form)
	if err != nil {
		return nil, "", err
	}
	if status == http.StatusTooManyRequests || status >= 500 {
		e := &Error{Code: CodeProviderUnavailable, Status: http.StatusBadGateway, ProviderStatus: status, Description: "the provider answered HTTP " + strconv.Itoa(status)}
		if ra := protocol.RetryAfter(header.Get("Retry-After"), h.cfg.Now()); ra > 0 {
			e.RetryAfter = ra
			e.Status = http.StatusServiceUnavailable
		}
		return nil, "", e
	}
	fields, ok := jsonObject(body)
	if status >= 400 || (ok && fields["error"] != nil) {
		if oe := oauthError(status, fields); ok && oe != nil {
			return nil, "", h.scrub(oe, fields, form)
		}
		return nil, "", &Error{Code: CodeInvalidResponse, Status: http.StatusBadGateway, ProviderStatus: status, Description: "the provider answered HTTP " + strconv.Itoa(status) + " without an OAuth error"}
	}
	if status != http.StatusOK || !ok {
		return nil, "", &Error{Code: CodeInvalidResponse, Status: http.StatusBadGateway, ProviderStatus: status, Description: "the provider's answer is not a token response"}
	}
	var at string
	if json.Unmarshal(fields["access_token"], &at) != nil || at == "" {
		return nil, "", &Error{Code: CodeInvalidResponse, Status: http.StatusBadGateway, ProviderStatus: status, Description: "the provider's answer has no access_token"}
	}
	var rt string
	if raw, has := fields["refresh_token"]; has {
		if string(raw) != "null" && json.Unmarshal(raw, &rt) != nil {
			return nil, "", &Error{Code: CodeInvalidResponse, Status: http.StatusBadGateway, ProviderStatus: status, Description: "the provider's refresh_token is not a string"}
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
		code = CodeInvalidResponse // a provider cannot put arbitrary text in the log
	}
	return &Error{Code: code, Description: protocol.PlainText(desc), Status: http.StatusBadRequest, ProviderStatus: status}
}

// scrub drops a provider's error_description that quotes a credential it
// was sent (the secret, the Basic Authorization value, the code, the
// verifier, the refresh token) in any encoding [protocol.QuotesSecret]
// knows, which would otherwise reach the browser. It reads the description as sent,
// before [protocol.PlainText] caps it, so that a long token cut short still counts.
func (h *Handler) scrub(e *Error, fields map[string]json.RawMessage, sent url.Values) *Error {
	var desc string
	json.Unmarshal(fields["error_description"], &desc)
	basic := url.QueryEscape(h.cfg.ClientID) + ":" + url.QueryEscape(h.cfg.ClientSecret)
	if protocol.QuotesSecret(desc, h.cfg.ClientSecret, basic, h.cfg.ClientID+":"+h.cfg.ClientSecret,
		sent.Get("code"), sent.Get("code_verifier"), sent.Get("refresh_token"), sent.Get("token")) {
		e.Description = ""
	}
	return e
}

// revoke asks the provider to revoke a refresh token (RFC 7009 §2.1). The
// provider answers 200 for tokens it does not know (§2.2).
func (h *Handler) revoke(ctx context.Context, refreshToken string) error {
	status, _, body, err := h.post(ctx, h.cfg.RevocationEndpoint, url.Values{
		"token": {refreshToken}, "token_type_hint": {"refresh_token"},
	})
	switch {
	case err != nil:
		return err
	case status == http.StatusOK:
		return nil
	case status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests || status >= 500:
		return &Error{Code: CodeProviderUnavailable, Status: http.StatusBadGateway, ProviderStatus: status, Description: "the revocation endpoint answered HTTP " + strconv.Itoa(status)}
	}
	if fields, ok := jsonObject(body); ok {
		if oe := oauthError(status, fields); oe != nil {
			return h.scrub(oe, fields, url.Values{"token": {refreshToken}})
		}
	}
	return &Error{Code: CodeInvalidResponse, Status: http.StatusBadGateway, ProviderStatus: status, Description: "the revocation endpoint answered HTTP " + strconv.Itoa(status)}
}

// jsonObject decodes body as exactly one JSON object.
func jsonObject(body []byte) (map[string]json.RawMessage, bool) {
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
