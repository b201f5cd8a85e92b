package devidp

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The provider does not grow without bound: expired codes go, and only
// the most recent /logout visits are kept, each capped.
func TestStateIsBounded(t *testing.T) {
	f := newFixture(t, Rotating)
	for range 20 {
		f.code(t, authQuery(), "alice")
	}
	f.advance(time.Hour) // every code has expired
	f.code(t, authQuery(), "alice")
	f.s.mu.Lock()
	codes := len(f.s.codes)
	f.s.mu.Unlock()
	if codes != 1 {
		t.Fatalf("%d codes kept, want the 1 live one", codes)
	}
	big := strings.Repeat("x", 50_000)
	for i := range 3 * MaxLogoutVisits {
		q := url.Values{"client_id": {"spa"}, "logout_uri": {"http://127.0.0.1:8080/"}, "n": {strconv.Itoa(i)}, "pad": {big}}
		resp, err := f.hc.Get(f.srv.URL + "/logout?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("logout: %d", resp.StatusCode)
		}
	}
	visits := f.s.LogoutVisits()
	if len(visits) != MaxLogoutVisits || visits[len(visits)-1].Get("n") != strconv.Itoa(3*MaxLogoutVisits-1) {
		t.Fatalf("%d visits kept, last %v", len(visits), visits[len(visits)-1].Get("n"))
	}
	size := 0
	for _, v := range visits {
		size += len(v.Encode())
	}
	if size > MaxLogoutVisits*maxLogoutQueryBytes*2 {
		t.Fatalf("%d bytes of logout queries kept", size)
	}
}

// A held refresh answer is processed (the rotated token is issued) before
// it is released.
func TestHoldRefreshAnswer(t *testing.T) {
	f := newFixture(t, Rotating)
	code := f.code(t, authQuery(), "alice")
	first := f.token(t, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "client_id": {"spa"}, "code_verifier": {verifier}})
	rt, _ := first.body["refresh_token"].(string)
	held := f.s.HoldRefreshAnswer()
	done := make(chan tokenResp, 1)
	go func() {
		done <- f.token(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {"spa"}})
	}()
	<-held.Arrived
	if f.s.RefreshTokenValid(rt) {
		t.Fatal("the held refresh was not processed")
	}
	select {
	case <-done:
		t.Fatal("the answer was not held")
	case <-time.After(50 * time.Millisecond):
	}
	held.Release()
	if r := <-done; r.status != 200 || r.body["refresh_token"] == nil {
		t.Fatalf("released answer: %d %v", r.status, r.body)
	}
}
