package devidp

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
)

// A refresh answer held in transit: the provider has processed the
// refresh (a rotating provider has already retired the refresh token it
// was sent) but the answer has not reached the client yet. Tests use it to
// order a logout or a login in another tab before the answer lands.

// hold is the armed hold of refresh answers.
type hold struct {
	mu      sync.Mutex
	armed   bool
	arrived chan struct{}
	release chan struct{}
}

// Held is one armed hold: Arrived is closed when a refresh answer is
// being held; Release lets it (and any later held one) go.
type Held struct {
	Arrived <-chan struct{}
	release chan struct{}
	once    sync.Once
}

// Release sends the held answer on.
func (h *Held) Release() { h.once.Do(func() { close(h.release) }) }

// HoldRefreshAnswer holds the next refresh_token answer of the token
// endpoint, after it has been processed, until Release.
func (s *Server) HoldRefreshAnswer() *Held {
	s.holds.mu.Lock()
	defer s.holds.mu.Unlock()
	s.holds.armed = true
	s.holds.arrived = make(chan struct{})
	s.holds.release = make(chan struct{})
	return &Held{Arrived: s.holds.arrived, release: s.holds.release}
}

// holding wraps the token endpoint with the hold.
func (s *Server) holding(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.holds.mu.Lock()
		armed := s.holds.armed
		s.holds.mu.Unlock()
		if !armed {
			next(w, r)
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		if q, _ := url.ParseQuery(string(body)); q.Get("grant_type") != "refresh_token" {
			next(w, r)
			return
		}
		s.holds.mu.Lock()
		s.holds.armed = false
		arrived, release := s.holds.arrived, s.holds.release
		s.holds.mu.Unlock()
		rec := httptest.NewRecorder()
		next(rec, r)
		close(arrived)
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}
}
