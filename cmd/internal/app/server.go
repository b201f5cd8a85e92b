package app

import (
	"net/http"
	"time"
)

// Server returns the http.Server a native host runs h with (the site and
// the development provider). Each timeout closes a connection that a slow
// or idle client would otherwise hold open for ever.
func Server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
	}
}
