package oauth

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

// RevokeTimeout bounds the revocation request made by [Client.Logout]: the
// user is leaving, and the local state is already gone.
const RevokeTimeout = 5 * time.Second

// revoke asks the provider to revoke token (RFC 7009 §2.1). The public
// client identifies itself with client_id in the body, like at the token
// endpoint. It is never retried.
func (c *Client) revoke(ctx context.Context, endpoint, token, hint string) error {
	ctx, cancel := context.WithTimeout(ctx, min(RevokeTimeout, c.cfg.Timeout))
	defer cancel()
	form := weburl.Values{"token": {token}, "token_type_hint": {hint}, "client_id": {c.cfg.ClientID}}
	resp, err := c.opts.Transport.RoundTrip(ctx, &Request{
		Method: "POST",
		URL:    endpoint,
		Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
		Body:   []byte(form.Encode()),
	})
	if err != nil {
		return wrapError(CodeNetworkError, "revocation request failed", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxTokenResponseBytes+1))
	if err != nil {
		return wrapError(CodeNetworkError, "revocation response was cut off", err)
	}
	switch {
	case resp.Status == 200:
		// RFC 7009 §2.2: 200 also for a token that was already invalid.
		return nil
	case resp.Status == 429 || resp.Status >= 500:
		return &Error{Code: CodeNetworkError, Status: resp.Status, msg: "revocation endpoint answered HTTP " + strconv.Itoa(resp.Status)}
	case resp.Status >= 400 && len(body) <= MaxTokenResponseBytes:
		if oe := parseOAuthError(resp.Status, body); oe != nil {
			oe.msg = "revocation endpoint refused the request"
			return oe
		}
	}
	return &Error{Code: CodeInvalidResponse, Status: resp.Status, msg: "revocation endpoint answered HTTP " + strconv.Itoa(resp.Status)}
}
