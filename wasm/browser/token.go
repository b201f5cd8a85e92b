//go:build js && wasm

package main

import (
	"context"
	"syscall/js"

	"github.com/gopkce/gopkce/wasm/internal/names"
	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// getToken({forceRefresh}): a valid token, refreshed when near expiry.
func getToken(args []js.Value) (any, error) {
	c, err := current()
	if err != nil {
		return nil, err
	}
	o, err := parseOptions(names.ExportGetToken, args, map[string]js.Type{"forceRefresh": js.TypeBoolean})
	if err != nil {
		return nil, err
	}
	return c.Token(context.Background(), oauth.TokenOptions{ForceRefresh: o.bool("forceRefresh", false)})
}

// apiToken(method, url, {nonce, authorization, challenge, dpopNonce,
// date}): the headers gopkce.fetch and gopkce.getAuthHeaders attach to a
// request, {authorization, dpop}; after a 401 (authorization is the header
// that was sent, the others the response's), the headers for its one
// retry, or null when the 401 stands. See oauth.Client.APIHeaders. With
// {responseNonce}, the DPoP-Nonce of a response that was not a 401, it
// keeps the nonce and returns null (oauth.Client.KeepDPoPNonce).
func apiToken(args []js.Value) (any, error) {
	c, err := current()
	if err != nil {
		return nil, err
	}
	if len(args) < 2 || args[0].Type() != js.TypeString || args[1].Type() != js.TypeString {
		return nil, oauth.NewError(oauth.CodeInvalidArgument, "getAuthHeaders takes a method and a URL")
	}
	str := func(name string) string {
		if len(args) > 2 && args[2].Type() == js.TypeObject {
			if v := args[2].Get(name); v.Type() == js.TypeString {
				return v.String()
			}
		}
		return ""
	}
	if c.Config().BFF != "" {
		// {url, handle, headers, expired}: the proxy route's URL, the
		// session generation that stands for the token the server sends,
		// the headers the server requires, and the proxy's error code for
		// an expired token; null when the 401 stands.
		url, handle, err := c.BFFRequest(context.Background(), args[1].String(), str("rejected"), str("challenge"))
		if err != nil || url == "" {
			return nil, err
		}
		return map[string]any{
			"url": url, "handle": handle,
			"headers": map[string]any{protocol.RequestHeader: protocol.RequestHeaderValue},
			"expired": string(protocol.TokenExpired),
		}, nil
	}
	if n := str("responseNonce"); n != "" {
		return nil, c.KeepDPoPNonce(args[1].String(), n)
	}
	var retry *oauth.APIRetry
	if a := str("authorization"); a != "" {
		retry = &oauth.APIRetry{Authorization: a, Challenge: str("challenge"), Nonce: str("dpopNonce"), Date: str("date")}
	}
	h, err := c.APIHeaders(context.Background(), args[0].String(), args[1].String(), str("nonce"), retry)
	if err != nil || h == nil {
		return nil, err
	}
	out := object(map[string]any{"authorization": h.Authorization})
	if h.DPoP != "" {
		out.Set("dpop", h.DPoP)
	}
	return out, nil
}
