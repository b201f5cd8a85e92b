package oauth

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// preparingVerifier is an RS256 verifier that is also a KeyPreparer: it
// records the keys readied ahead of the ID token.
type preparingVerifier struct {
	rsaVerifier
	mu       sync.Mutex
	prepared []string
	done     chan struct{} // closed at the second PrepareKey
}

func (v *preparingVerifier) PrepareKey(alg string, k *JWK) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.prepared = append(v.prepared, alg+" "+k.Kid)
	if len(v.prepared) == 2 {
		close(v.done)
	}
}

// The callback readies every key of the provider's set, each for the first
// algorithm it fits, while the code is being exchanged; the login then
// verifies its ID token as always. Without openid nothing is readied.
func TestCallbackPreparesTheKeySet(t *testing.T) {
	for _, openid := range []bool{true, false} {
		p := newProvider(t)
		h := newTokenHandler(false)
		p.set(h.serve(t))
		cfg := testConfig(p.srv.URL)
		if openid {
			withOpenID(&cfg)
		}
		e := newEnv(t, cfg, httpTransport{})
		h.nonce = func() string { n, _ := e.nonce.Load().(string); return n }
		v := &preparingVerifier{done: make(chan struct{})}
		keys := testKeys()
		keys.Keys = append(keys.Keys, JWK{Kty: "EC", Crv: "P-256", Kid: "ec-key", X: "x", Y: "y"})
		e.c.opts.Signatures = v
		e.c.static.keys = StaticKeys{Set: keys}
		e.login(t)
		if !openid {
			time.Sleep(50 * time.Millisecond) // a preparation would have begun
			if len(v.prepared) != 0 {
				t.Fatalf("without openid, keys were readied: %v", v.prepared)
			}
			continue
		}
		select {
		case <-v.done:
		case <-time.After(5 * time.Second):
			t.Fatalf("keys readied: %v, want both", v.prepared)
		}
		v.mu.Lock()
		got := slices.Clone(v.prepared)
		v.mu.Unlock()
		slices.Sort(got)
		if want := []string{"ES256 ec-key", "RS256 test-key"}; !slices.Equal(got, want) {
			t.Fatalf("keys readied: %v, want %v", got, want)
		}
		if ts := e.stored(t); ts == nil || ts.IDToken == "" {
			t.Fatal("the login did not keep its verified ID token")
		}
	}
}
