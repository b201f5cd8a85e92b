package oauth

import (
	"context"
	"strings"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

// APIHeaders are the headers that authorise one API request: Authorization
// ("Bearer <token>", RFC 6750 §2.1, or "DPoP <token>", RFC 9449 §7.1) and,
// for a DPoP-bound session, the DPoP proof.
type APIHeaders struct {
	Authorization string
	DPoP          string
}

// APIRetry describes the 401 an API answered to headers from
// [Client.APIHeaders], for the one retry.
type APIRetry struct {
	// Authorization is the header that was sent.
	Authorization string
	// Challenge, Nonce and Date are the response's WWW-Authenticate,
	// DPoP-Nonce and Date headers.
	Challenge, Nonce, Date string
}

// APIHeaders returns the headers for a request of method to rawURL, for
// the origins of [Config.APIOrigins] only (see [Client.APIToken]). The
// proof of a DPoP-bound session binds method, URL and token (ath).
//
// With retry nil it is the first attempt. nonce, when set, is a DPoP-Nonce
// the caller received from that server and is kept for it. After a 401,
// retry describes it and APIHeaders returns the headers for one retry, or
// nil when the 401 stands: with DPoP, use_dpop_nonce with a new nonce
// (RFC 9449 §8), invalid_dpop_proof when the Date header shows the device
// clock is off, or invalid_token (a refreshed token); with Bearer,
// invalid_token only.
func (c *Client) APIHeaders(ctx context.Context, method, rawURL, nonce string, retry *APIRetry) (*APIHeaders, error) {
	if err := c.checkAPIOrigin(rawURL); err != nil {
		return nil, err
	}
	newNonce := c.rememberNonce(rawURL, nonce)
	var force bool
	if retry != nil {
		newNonce = c.rememberNonce(rawURL, retry.Nonce)
		bearer := !isDPoPScheme(retry.Authorization)
		scheme := "DPoP"
		if bearer {
			scheme = "Bearer"
		}
		params := ChallengeParams(retry.Challenge, scheme)
		switch params["error"] {
		case "invalid_token":
			force = true
		case CodeInsufficientUserAuthentication:
			// RFC 9470 §3: the API wants a stronger or more recent sign-in.
			return nil, stepUpError(params)
		case string(protocol.UseDPoPNonce):
			if bearer || !newNonce {
				return nil, nil // the same nonce again: a retry would loop
			}
		case string(protocol.InvalidDPoPProof):
			if bearer || !c.learnClock(retry.Date) {
				return nil, nil
			}
		default:
			return nil, nil
		}
	}
	ts, err := c.Tokens(ctx, TokenOptions{})
	if err != nil {
		return nil, err
	}
	tok, err := c.presented(ts)
	if err != nil {
		return nil, err
	}
	if force {
		// The token sent, access or ID token: unchanged, nobody refreshed
		// since, so this retry refreshes.
		if _, sent, _ := strings.Cut(retry.Authorization, " "); tok == sent {
			if ts, err = c.Tokens(ctx, TokenOptions{ForceRefresh: true}); err != nil {
				return nil, err
			}
			if tok, err = c.presented(ts); err != nil {
				return nil, err
			}
		}
	}
	key, err := c.sessionDPoPKey(ctx, ts)
	if err != nil || key == nil {
		if err == nil {
			return &APIHeaders{Authorization: "Bearer " + tok}, nil
		}
		c.emit(Event{Type: EventLoginRequired, Code: CodeLoginRequired})
		return nil, err
	}
	proof, err := c.dpopProof(ctx, key, method, rawURL, tok)
	if err != nil {
		return nil, err
	}
	return &APIHeaders{Authorization: "DPoP " + tok, DPoP: proof}, nil
}

// KeepDPoPNonce keeps the DPoP-Nonce header of an API response that was
// not refused, for the next proof to that server: a server may supply a
// new nonce with any response, a successful one included (RFC 9449 §8.2).
// It applies to the origins of [Config.APIOrigins] only.
func (c *Client) KeepDPoPNonce(rawURL, nonce string) error {
	if err := c.checkAPIOrigin(rawURL); err != nil {
		return err
	}
	c.rememberNonce(rawURL, nonce)
	return nil
}
