package m2m

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// fakeIdP answers client_credentials after a delay, numbering its tokens
// and remembering when each expires at the provider.
type fakeIdP struct {
	srv       *httptest.Server
	requests  atomic.Int64
	expiresIn int
	delay     time.Duration
	mu        sync.Mutex
	expiry    map[string]time.Time
	last      *http.Request
	lastForm  url.Values
	status    int
}

func newFakeIdP(t *testing.T, expiresIn int) *fakeIdP {
	p := &fakeIdP{expiresIn: expiresIn, expiry: map[string]time.Time{}, delay: 50 * time.Millisecond}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := p.requests.Add(1)
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		time.Sleep(p.delay)
		p.mu.Lock()
		p.last, p.lastForm = r, form
		status := p.status
		tok := fmt.Sprintf("m2m-%d", n)
		p.expiry[tok] = time.Now().Add(time.Duration(p.expiresIn) * time.Second)
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if status != 0 {
			w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
			w.WriteHeader(status)
			io.WriteString(w, `{"error":"invalid_client"}`)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": p.expiresIn})
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *fakeIdP) config() Config {
	return Config{TokenURL: p.srv.URL, ClientID: "m2m client", ClientSecret: "s3cret:&", Scopes: []string{"api/write"}}
}

func TestOneRequestForConcurrentCallers(t *testing.T) {
	p := newFakeIdP(t, 3600)
	ts := p.config().TokenSource(context.Background())
	var wg sync.WaitGroup
	got := make([]string, 20)
	errs := make([]error, 20)
	start := make(chan struct{})
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			tok, err := ts.Token()
			if err == nil {
				got[i] = tok.AccessToken
			}
			errs[i] = err
		}()
	}
	close(start)
	wg.Wait()
	for i := range got {
		if errs[i] != nil || got[i] != "m2m-1" {
			t.Fatalf("caller %d: %q %v", i, got[i], errs[i])
		}
	}
	if n := p.requests.Load(); n != 1 {
		t.Fatalf("%d token requests for 20 concurrent callers", n)
	}
	// The request is what Amazon Cognito wants: Basic auth, grant_type and scope in the body.
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape("m2m client")+":"+url.QueryEscape("s3cret:&")))
	if a := p.last.Header.Get("Authorization"); a != want {
		t.Fatalf("Authorization %q, want %q", a, want)
	}
	if f := p.lastForm.Encode(); f != "grant_type=client_credentials&scope=api%2Fwrite" {
		t.Fatalf("form %s", f)
	}
	// Cached: more calls make no request.
	for range 5 {
		ts.Token()
	}
	if n := p.requests.Load(); n != 1 {
		t.Fatalf("%d token requests after cached calls", n)
	}
}

func TestExpiredTokenReplacedBeforeUse(t *testing.T) {
	p := newFakeIdP(t, 1) // one second: replaced at half its lifetime
	p.delay = 0
	ts := p.config().TokenSource(context.Background())
	seen := map[string]bool{}
	deadline := time.Now().Add(2500 * time.Millisecond)
	for time.Now().Before(deadline) {
		tok, err := ts.Token()
		if err != nil {
			t.Fatal(err)
		}
		p.mu.Lock()
		exp := p.expiry[tok.AccessToken]
		p.mu.Unlock()
		// Never handed out with less than a quarter of its lifetime left.
		if left := time.Until(exp); left < 250*time.Millisecond {
			t.Fatalf("token %s handed out %v before it expires", tok.AccessToken, left)
		}
		seen[tok.AccessToken] = true
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(seen); n < 3 || n > 8 || int64(n) != p.requests.Load() {
		t.Fatalf("%d tokens, %d requests in 2.5 s of 1-second tokens", n, p.requests.Load())
	}
}

func TestPostStyleAndErrors(t *testing.T) {
	p := newFakeIdP(t, 3600)
	cfg := p.config()
	cfg.AuthStyle = oauth2.AuthStyleInParams
	if _, err := cfg.TokenSource(context.Background()).Token(); err != nil {
		t.Fatal(err)
	}
	if p.last.Header.Get("Authorization") != "" || p.lastForm.Get("client_secret") != "s3cret:&" || p.lastForm.Get("client_id") != "m2m client" {
		t.Fatalf("post style: %v %v", p.last.Header, p.lastForm)
	}
	p.status = 401
	_, err := p.config().TokenSource(context.Background()).Token()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_client" || re.Response.StatusCode != 401 {
		t.Fatalf("error %T %v", err, err)
	}
}

func TestClientSendsBearer(t *testing.T) {
	p := newFakeIdP(t, 3600)
	var auth atomic.Value
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
	}))
	defer api.Close()
	resp, err := Client(p.config().TokenSource(context.Background()), nil).Get(api.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if auth.Load() != "Bearer m2m-1" {
		t.Fatalf("API saw %v", auth.Load())
	}
}

// deadlineRecorder is a transport that notes whether each request had a
// deadline, then sends it on.
type deadlineRecorder struct{ deadlines []bool }

func (d *deadlineRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	_, ok := r.Context().Deadline()
	d.deadlines = append(d.deadlines, ok)
	return http.DefaultTransport.RoundTrip(r)
}

// A caller's client without a Timeout (the edge's fetch client) must not
// make the token request unbounded: the source holds its lock while it
// waits, so one hung request would block every caller for ever.
func TestTokenRequestHasTimeoutWithCallersClient(t *testing.T) {
	p := newFakeIdP(t, 3600)
	cfg := p.config()
	rec := &deadlineRecorder{}
	cfg.HTTPClient = &http.Client{Transport: rec}
	if _, err := cfg.TokenSource(context.Background()).Token(); err != nil {
		t.Fatal(err)
	}
	if len(rec.deadlines) != 1 || !rec.deadlines[0] {
		t.Fatalf("token request without a deadline: %v", rec.deadlines)
	}
}

// The bearer token goes to the API only: a redirect elsewhere is not
// followed (oauth2.Transport would set the token again on the redirected
// request, whatever host it names).
func TestClientDoesNotFollowRedirectsWithToken(t *testing.T) {
	p := newFakeIdP(t, 3600)
	var leaked atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("Authorization"))
	}))
	defer other.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	defer api.Close()
	for _, base := range []*http.Client{nil, {}} {
		resp, err := Client(p.config().TokenSource(context.Background()), base).Get(api.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTemporaryRedirect {
			t.Fatalf("status %d: the redirect was followed", resp.StatusCode)
		}
		if v, _ := leaked.Load().(string); v != "" {
			t.Fatalf("the token went to the redirect's host: %q", v)
		}
	}
}
