package oauthjwt

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"sync"

	"github.com/gopkce/gopkce/wasm/oauth"
)

// DPoPKeys is an [oauth.DPoPKeyStore] in memory with crypto/ecdsa P-256
// keys, for native programs and tests. The browser module uses WebCrypto
// with non-extractable keys in IndexedDB instead.
type DPoPKeys struct {
	mu   sync.Mutex
	keys map[string]*DPoPKey
}

// NewDPoPKeys returns an empty key store.
func NewDPoPKeys() *DPoPKeys { return &DPoPKeys{keys: map[string]*DPoPKey{}} }

// DPoPKey is one ES256 key pair of [DPoPKeys].
type DPoPKey struct{ Private *ecdsa.PrivateKey }

// PublicJWK implements [oauth.DPoPKey].
func (k *DPoPKey) PublicJWK() (x, y string) {
	b, _ := k.Private.PublicKey.Bytes() // uncompressed: 0x04 || x || y
	return base64.RawURLEncoding.EncodeToString(b[1:33]), base64.RawURLEncoding.EncodeToString(b[33:65])
}

// Sign implements [oauth.DPoPKey]: ES256, raw r||s (RFC 7518 §3.4).
func (k *DPoPKey) Sign(_ context.Context, input []byte) ([]byte, error) {
	sum := sha256.Sum256(input)
	r, s, err := ecdsa.Sign(rand.Reader, k.Private, sum[:])
	if err != nil {
		return nil, err
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	s.FillBytes(out[32:])
	return out, nil
}

// New implements [oauth.DPoPKeyStore].
func (s *DPoPKeys) New(context.Context) (oauth.DPoPKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return &DPoPKey{Private: priv}, nil
}

// Save implements [oauth.DPoPKeyStore].
func (s *DPoPKeys) Save(_ context.Context, thumbprint string, k oauth.DPoPKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[thumbprint] = k.(*DPoPKey)
	return nil
}

// Load implements [oauth.DPoPKeyStore].
func (s *DPoPKeys) Load(_ context.Context, thumbprint string) (oauth.DPoPKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := s.keys[thumbprint]; ok {
		return k, nil
	}
	return nil, nil
}

// Delete implements [oauth.DPoPKeyStore].
func (s *DPoPKeys) Delete(_ context.Context, thumbprint string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, thumbprint)
	return nil
}

// Len returns how many keys are kept.
func (s *DPoPKeys) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.keys)
}
