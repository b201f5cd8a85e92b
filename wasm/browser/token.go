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

// apiToken(url, {rejected, challenge}): the token gopkce.fetch attaches to
// a request for url, or, after a 401, the token for its one retry (""
// when the 401 stands); see oauth.Client.APIToken.
func apiToken(args []js.Value) (any, error) {
	c, err := current()
	if err != nil {
		return nil, err
	}
	if len(args) == 0 || args[0].Type() != js.TypeString {
		return nil, oauth.NewError(oauth.CodeInvalidArgument, "apiToken takes a URL")
	}
	var rejected, challenge string
	if len(args) > 1 && args[1].Type() == js.TypeObject {
		if v := args[1].Get("rejected"); v.Type() == js.TypeString {
			rejected = v.String()
		}
		if v := args[1].Get("challenge"); v.Type() == js.TypeString {
			challenge = v.String()
		}
	}
	if c.Config().BFF != "" {
		// {url, handle, headers, expired}: the proxy route's URL, the
		// session generation that stands for the token the server sends,
		// the headers the server requires, and the proxy's error code for
		// an expired token; "" when the 401 stands.
		url, handle, err := c.BFFRequest(context.Background(), args[0].String(), rejected, challenge)
		if err != nil || url == "" {
			return "", err
		}
		return map[string]any{
			"url": url, "handle": handle,
			"headers": map[string]any{protocol.RequestHeader: protocol.RequestHeaderValue},
			"expired": string(protocol.TokenExpired),
		}, nil
	}
	return c.APIToken(context.Background(), args[0].String(), rejected, challenge)
}
