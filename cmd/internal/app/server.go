package app

import (
	"net/http"
	"time"
)

// Timeouts of the native servers (the site and the development provider).
// Each closes a connection that a slow or idle client would otherwise hold
// open for ever. Requests are small (GETs, token forms), so reading them
// gets little time; writing gets WriteTimeout, which the site extends for a
// large body at the rate of a slow client (see cmd/internal/site), so the
// wasm still reaches a client on a slow link.
const (
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 15 * time.Second
	WriteTimeout      = 30 * time.Second
	IdleTimeout       = 60 * time.Second
	// MaxHeaderBytes bounds the request line and headers: an authorization
	// request's URL with its parameters fits many times over.
	MaxHeaderBytes = 32 << 10
)

// Server returns the http.Server a native host runs h with.
func Server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}
