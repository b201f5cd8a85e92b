package tokenhandler

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"

	upstream "github.com/gopkce/gopkce/wasm/server/internal/provider"
)

// MaxProviderResponseBytes caps what is read from the provider.
const MaxProviderResponseBytes = upstream.MaxResponseBytes

// providerClient is the handler's side of the provider's endpoints
// (wasm/server/internal/provider, shared with the backend for frontend).
func (h *Handler) providerClient() *upstream.Client {
	return &upstream.Client{
		TokenEndpoint: h.cfg.TokenEndpoint, RevocationEndpoint: h.cfg.RevocationEndpoint,
		ClientID: h.cfg.ClientID, ClientSecret: h.cfg.ClientSecret, AuthStyle: string(h.cfg.AuthStyle),
		Timeout: h.cfg.Timeout, HTTP: h.client, Now: h.cfg.Now,
	}
}

// tokenRequest posts a grant to the token endpoint; see
// [upstream.Client.TokenRequest].
func (h *Handler) tokenRequest(ctx context.Context, form url.Values) (map[string]json.RawMessage, string, error) {
	fields, rt, err := h.prov.TokenRequest(ctx, form)
	return fields, rt, fromProvider(err)
}

// revoke asks the provider to revoke a refresh token (RFC 7009 §2.1).
func (h *Handler) revoke(ctx context.Context, refreshToken string) error {
	return fromProvider(h.prov.Revoke(ctx, refreshToken))
}

// fromProvider turns a provider error into the handler's.
func fromProvider(err error) error {
	var pe *upstream.Error
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	return &Error{Code: pe.Code, Description: pe.Description, Status: pe.Status, ProviderStatus: pe.ProviderStatus, RetryAfter: pe.RetryAfter}
}
