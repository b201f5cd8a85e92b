package bff

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

// Headers passed from the page to the API, and back; nothing else
// crosses: never Cookie, Authorization, Origin or Referer upstream, never
// Set-Cookie back.
var (
	requestHeaders = []string{"Accept", "Accept-Language", "Content-Type", "Content-Language",
		"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since", "Range", "X-Request-Id"}
	responseHeaders = []string{"Content-Type", "Content-Language", "Content-Range", "Accept-Ranges",
		"Cache-Control", "ETag", "Last-Modified", "Expires", "Vary", "WWW-Authenticate", "Retry-After", "X-Request-Id"}
)

// badPath reports a path the proxy refuses rather than resolve: a
// backslash, an empty segment ("//"), a "." or ".." segment, or an
// escaped dot, slash, backslash or NUL, any of which could take the
// upstream path outside the route's prefix once some server decodes or
// normalises it.
func badPath(p string) bool {
	lower := strings.ToLower(p)
	if strings.Contains(p, `\`) || strings.Contains(p, "//") {
		return true
	}
	for _, esc := range []string{"%2e", "%2f", "%5c", "%00"} {
		if strings.Contains(lower, esc) {
			return true
		}
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// proxy calls the route's upstream with the session's token (RFC 6750
// §2.1) and passes its status, body and a few headers back. It never
// refreshes: an expired access token is 401 token_expired.
func (h *Handler) proxy(w http.ResponseWriter, r *http.Request, rt *route) (int, error) {
	escaped := r.URL.EscapedPath()
	if badPath(escaped) || badPath(r.URL.Path) || !strings.HasPrefix(escaped, rt.Path) {
		return 0, &Error{Code: string(protocol.RouteNotAllowed), Status: http.StatusBadRequest, Description: "the path has dot segments, escapes or empty segments"}
	}
	now := h.cfg.Now()
	s, err := h.jar.read(r, now)
	if err != nil {
		if !errors.Is(err, &Error{Code: string(protocol.CookieMissing)}) {
			h.jar.clear(w)
		}
		return 0, &Error{Code: string(protocol.LoginRequired), Status: http.StatusUnauthorized, Description: "no session: log in"}
	}
	token := s.AccessToken
	if rt.Token == IDToken {
		token = s.IDToken
	}
	if token == "" {
		return 0, &Error{Code: string(protocol.LoginRequired), Status: http.StatusUnauthorized, Description: "the session has no " + rt.Token}
	}
	if now.Unix() >= s.AccessExpires {
		return 0, &Error{Code: string(protocol.TokenExpired), Status: http.StatusUnauthorized, Description: "the access token expired: refresh, then retry"}
	}
	if r.ContentLength > h.cfg.MaxBodyBytes {
		return 0, &Error{Code: string(protocol.BodyTooLarge), Status: http.StatusRequestEntityTooLarge, Description: "the request body is larger than " + strconv.FormatInt(h.cfg.MaxBodyBytes, 10) + " bytes"}
	}
	target := rt.upstream.Scheme + "://" + rt.upstream.Host + rt.upstream.EscapedPath() + escaped[len(rt.Path):]
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.ProxyTimeout)
	defer cancel()
	var body io.Reader
	if r.Body != nil && r.Body != http.NoBody && r.Method != http.MethodGet && r.Method != http.MethodHead {
		body = &capReader{r: r.Body, left: h.cfg.MaxBodyBytes}
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, target, body)
	if err != nil {
		return 0, &Error{Code: string(protocol.InvalidRequest), Status: http.StatusBadRequest, Description: "the request cannot be proxied"}
	}
	if body != nil && r.ContentLength >= 0 {
		req.ContentLength = r.ContentLength
	}
	for _, k := range requestHeaders {
		for _, v := range r.Header.Values(k) {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := h.client.Do(req)
	if err != nil {
		var ce *capError
		switch {
		case errors.As(err, &ce):
			return 0, &Error{Code: string(protocol.BodyTooLarge), Status: http.StatusRequestEntityTooLarge, Description: "the request body is larger than " + strconv.FormatInt(h.cfg.MaxBodyBytes, 10) + " bytes"}
		case errors.Is(err, context.DeadlineExceeded):
			return 0, &Error{Code: string(protocol.TemporarilyUnavailable), Status: http.StatusGatewayTimeout, Description: "the API did not answer in time"}
		}
		return 0, &Error{Code: string(protocol.TemporarilyUnavailable), Status: http.StatusBadGateway, Description: "the API did not answer"}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.StatusCode != http.StatusNotModified {
		return 0, &Error{Code: string(protocol.UpstreamRedirect), Status: http.StatusBadGateway, ProviderStatus: resp.StatusCode, Description: "the API answered a redirect, which is not followed with the token"}
	}
	if resp.ContentLength > h.cfg.MaxBodyBytes {
		return 0, &Error{Code: string(protocol.BodyTooLarge), Status: http.StatusBadGateway, ProviderStatus: resp.StatusCode, Description: "the API's answer is too large"}
	}
	out := w.Header()
	for _, k := range responseHeaders {
		for _, v := range resp.Header.Values(k) {
			out.Add(k, v)
		}
	}
	if resp.ContentLength >= 0 {
		out.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	w.WriteHeader(resp.StatusCode)
	n, err := io.Copy(w, io.LimitReader(resp.Body, h.cfg.MaxBodyBytes))
	if err == nil && n == h.cfg.MaxBodyBytes {
		var one [1]byte
		if m, _ := resp.Body.Read(one[:]); m > 0 {
			err = errors.New("too large")
		}
	}
	if err != nil {
		// The status is out: the connection is cut so the page sees an
		// incomplete body, never a truncated one that looks whole.
		panic(http.ErrAbortHandler)
	}
	return resp.StatusCode, nil
}

// capReader fails a request body beyond its cap.
type capReader struct {
	r    io.Reader
	left int64
}

type capError struct{}

func (capError) Error() string { return "bff: the request body is too large" }

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, &capError{}
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, &capError{}
	}
	return n, err
}
