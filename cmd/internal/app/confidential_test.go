package app

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopkce/gopkce/cmd/internal/devidp"
	"github.com/gopkce/gopkce/wasm/server/tokenhandler"
)

// confidentialSite is the demo with a token handler and /api/m2m in front
// of a development provider.
func confidentialSite(t *testing.T) (http.Handler, *devidp.Server, Options) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String()
	idp, err := devidp.New(issuer, devidp.Options{Clients: []devidp.Client{
		{ID: "conf", Secret: "conf-secret", RedirectURIs: []string{"https://demo.example/callback"}},
		{ID: "m2m", Secret: "m2m-secret", Scopes: []string{"api/write"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	idp.InjectFaults(devidp.Fault{Kind: devidp.FaultDelay, Delay: 100 * time.Millisecond})
	srv.Config.Handler = idp.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	o := devOptions()
	o.Provider = DevProvider(issuer)
	o.Provider.ClientID = "conf"
	o.TokenHandler = &TokenHandler{ClientSecret: "conf-secret", AuthStyle: tokenhandler.ClientSecretBasic, CookieKey: bytes.Repeat([]byte{3}, 32)}
	o.M2M = &M2M{TokenURL: issuer + "/oauth2/token", ClientID: "m2m", ClientSecret: "m2m-secret", Scopes: []string{"api/write"}, API: issuer + "/api/records"}
	var logs bytes.Buffer
	o.Log = &logs
	t.Cleanup(func() {
		for _, s := range []string{"conf-secret", "m2m-secret"} {
			if strings.Contains(logs.String(), s) {
				t.Errorf("a secret in the log: %s", logs.String())
			}
		}
	})
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return h, idp, o
}

func sameOrigin(r *http.Request) *http.Request {
	r.Header.Set("Origin", "https://demo.example")
	r.Header.Set(tokenhandler.RequestHeader, "1")
	return r
}

func TestTokenHandlerPageConfig(t *testing.T) {
	h, _, o := confidentialSite(t)
	cfg := o.PageConfig()
	if cfg["tokenHandler"] != "/oauth" || cfg["tokenEndpoint"] != nil || cfg["clientId"] != "conf" {
		t.Fatalf("page config %v", cfg)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/config.json", nil))
	if strings.Contains(w.Body.String(), "secret") || !strings.Contains(w.Body.String(), `"m2m":"/api/m2m"`) {
		t.Fatalf("config.json %s", w.Body.String())
	}
	// The handler is mounted, with its CSRF checks.
	w = httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/oauth/token", strings.NewReader("grant_type=refresh_token")))
	if w.Code != 403 {
		t.Fatalf("POST /oauth/token without Origin: %d", w.Code)
	}
	w = httptest.NewRecorder()
	req := sameOrigin(httptest.NewRequest("POST", "/oauth/token", strings.NewReader("grant_type=refresh_token")))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	h.ServeHTTP(w, req)
	if w.Code != 400 || !strings.Contains(w.Body.String(), "invalid_grant") {
		t.Fatalf("refresh without a cookie: %d %s", w.Code, w.Body.String())
	}
}

// 20 concurrent calls of /api/m2m make one client_credentials request.
func TestM2MRoute(t *testing.T) {
	h, idp, o := confidentialSite(t)
	cookie := signIn(t, h, o)
	var wg sync.WaitGroup
	bodies := make([]string, 20)
	for i := range bodies {
		wg.Go(func() {
			w := httptest.NewRecorder()
			r := sameOrigin(httptest.NewRequest("POST", "/api/m2m", nil))
			r.AddCookie(cookie)
			h.ServeHTTP(w, r)
			bodies[i] = w.Body.String()
		})
	}
	wg.Wait()
	for _, b := range bodies {
		var got struct {
			Status int            `json:"status"`
			Result map[string]any `json:"result"`
		}
		if json.Unmarshal([]byte(b), &got) != nil || got.Status != 201 || got.Result["created_by"] != "m2m" || strings.Contains(b, "eyJ") {
			t.Fatalf("answer %s", b)
		}
	}
	if n := idp.TokenRequests("client_credentials"); n != 1 {
		t.Fatalf("%d token requests for 20 concurrent calls", n)
	}
	for name, edit := range map[string]func(*http.Request){
		"no header":    func(r *http.Request) { r.Header.Del(tokenhandler.RequestHeader) },
		"other origin": func(r *http.Request) { r.Header.Set("Origin", "https://evil.example") },
		"cross-site":   func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") },
	} {
		r := sameOrigin(httptest.NewRequest("POST", "/api/m2m", nil))
		edit(r)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 403 {
			t.Errorf("%s: %d", name, w.Code)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, sameOrigin(httptest.NewRequest("GET", "/api/m2m", nil)))
	if w.Code == 200 && strings.Contains(w.Body.String(), "created_by") {
		t.Fatal("GET /api/m2m called the API")
	}
	if n := idp.RecordCalls(); n != 20 {
		t.Fatalf("%d API calls", n)
	}
}

// An M2M API that is not an absolute http(s) URL is a configuration error
// at start, not a panic on the first POST /api/m2m.
func TestM2MRefusesBadAPI(t *testing.T) {
	for _, api := range []string{"/api/records", "ftp://idp.example/api", "https:///records"} {
		o := devOptions()
		o.M2M = &M2M{TokenURL: "http://127.0.0.1:9/oauth2/token", ClientID: "m2m", ClientSecret: "m2m-secret", API: api}
		if _, err := New(o); err == nil {
			t.Errorf("API %q accepted", api)
		}
	}
}
