package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestRefreshRotationReplacesFirst(t *testing.T) {
	e, p, _ := loggedIn(t, true)
	e.clock.Add(2 * time.Hour)
	var storedDuringEvent *TokenSet
	e.c.opts.OnEvent = func(ev Event) { storedDuringEvent = e.stored(t) }
	tok, err := e.c.Token(context.Background(), TokenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ts := e.stored(t)
	if ts.RefreshToken != "rt-2" || ts.AccessToken != tok {
		t.Fatalf("stored = %+v, want the rotated refresh token", ts)
	}
	if storedDuringEvent == nil || storedDuringEvent.RefreshToken != "rt-2" {
		t.Fatal("the new access token was announced before the rotated refresh token was stored")
	}
	e.clock.Add(2 * time.Hour)
	if _, err := e.c.Token(context.Background(), TokenOptions{}); err != nil {
		t.Fatal(err)
	}
	if f := p.lastForm(); f.Get("refresh_token") != "rt-2" {
		t.Fatalf("second refresh sent %q, want the rotated rt-2", f.Get("refresh_token"))
	}
}

// The provider rotated, but its answer was lost: the retry presents the
// used token, the rotating provider refuses it, and the session ends.
func TestNetworkFailureAfterRotation(t *testing.T) {
	e, p, h := loggedIn(t, true)
	e.clock.Add(2 * time.Hour)
	serve := h.serve(t)
	first := true
	p.set(func(w http.ResponseWriter, f url.Values) {
		if first {
			first = false
			serve(httptestRecorder(), f) // the provider rotates...
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close() // ...and the answer is lost
			return
		}
		serve(w, f)
	})
	_, err := e.c.Token(context.Background(), TokenOptions{})
	if !errors.Is(err, ErrLoginRequired) {
		t.Fatalf("err = %v, want login_required", err)
	}
	if n := p.counts["refresh_token"].Load(); n != 2 {
		t.Fatalf("%d requests, want 2 (one retry)", n)
	}
}

// Another holder of the token storage (another tab) rotated the refresh
// token between our read and the provider's answer: use its newer one.
func TestRotationRaceRecovery(t *testing.T) {
	e, p, h := loggedIn(t, true)
	e.clock.Add(2 * time.Hour)
	serve := h.serve(t)
	raced := false
	p.set(func(w http.ResponseWriter, f url.Values) {
		if !raced {
			raced = true
			// The other tab refreshes first and stores its result.
			rec := httptestRecorder()
			serve(rec, f)
			var resp map[string]any
			json.Unmarshal(rec.Body.Bytes(), &resp)
			ts := e.stored(t)
			ts.AccessToken, ts.RefreshToken = resp["access_token"].(string), resp["refresh_token"].(string)
			ts.ExpiresAt = e.clock.Now().Add(-time.Second).UnixMilli() // and it is stale again already
			b, _ := json.Marshal(ts)
			e.tokens.Set(e.c.tokensKey(), string(b))
			writeJSON(w, 400, map[string]string{"error": "invalid_grant"})
			return
		}
		serve(w, f)
	})
	tok, err := e.c.Token(context.Background(), TokenOptions{})
	if err != nil {
		t.Fatalf("Token: %v (the session should survive the race)", err)
	}
	if ts := e.stored(t); ts.AccessToken != tok || ts.RefreshToken == "rt-1" {
		t.Fatalf("stored %+v", ts)
	}
}
