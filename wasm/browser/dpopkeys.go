//go:build js && wasm

package main

import (
	"context"
	"sync"
	"syscall/js"

	"github.com/gopkce/gopkce/wasm/internal/names"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// DPoP keys (RFC 9449) made by WebCrypto: an ECDSA P-256 pair whose private
// key is non-extractable (generateKey(..., false, ["sign"])), so that no
// script, gopkce's included, can read it; it can only be asked to sign.
// The pair is kept in IndexedDB under dpopKeyPrefix + its thumbprint: a
// CryptoKey is stored as itself (structured clone) and stays
// non-extractable. Every tab of the origin reads the same database, so
// tokens shared by every tab (storage "local") share their key; with
// per-tab tokens each login makes the tab's own key, and a duplicated tab,
// whose copied tokens name that key, finds it too. A session whose key is
// gone (logout elsewhere) ends with login_required. With storage "memory"
// the keys stay in the page's memory.

// dpopKeyPrefix prefixes a key pair's entry in the database.
const dpopKeyPrefix = names.DPoPKeyPrefix

// webDPoPKey is a WebCrypto key pair: the private CryptoKey and the public
// key's coordinates.
type webDPoPKey struct {
	private js.Value
	x, y    string
}

func (k *webDPoPKey) PublicJWK() (string, string) { return k.x, k.y }

// Sign signs with crypto.subtle.sign, whose ECDSA signature is raw r||s.
func (k *webDPoPKey) Sign(_ context.Context, input []byte) ([]byte, error) {
	data := js.Global().Get("Uint8Array").New(len(input))
	js.CopyBytesToJS(data, input)
	alg := object(map[string]any{"name": "ECDSA", "hash": "SHA-256"})
	var p js.Value
	if err := catch(func() { p = js.Global().Get("crypto").Get("subtle").Call("sign", alg, k.private, data) }); err != nil {
		return nil, err
	}
	sig, err := await(p)
	if err != nil {
		return nil, err
	}
	b := js.Global().Get("Uint8Array").New(sig)
	out := make([]byte, b.Length())
	js.CopyBytesToGo(out, b)
	return out, nil
}

// webDPoPKeys is the oauth.DPoPKeyStore of the page: in IndexedDB, or in
// memory when db is nil.
type webDPoPKeys struct {
	db  func() (oauth.Storage, error)
	mu  sync.Mutex
	mem map[string]*webDPoPKey
}

func (s *webDPoPKeys) New(context.Context) (oauth.DPoPKey, error) {
	subtle := js.Global().Get("crypto").Get("subtle")
	alg := object(map[string]any{"name": "ECDSA", "namedCurve": "P-256"})
	var p js.Value
	if err := catch(func() { p = subtle.Call("generateKey", alg, false, js.Global().Get("Array").Call("of", "sign")) }); err != nil {
		return nil, err
	}
	pair, err := await(p)
	if err != nil {
		return nil, err
	}
	if err := catch(func() { p = subtle.Call("exportKey", "jwk", pair.Get("publicKey")) }); err != nil {
		return nil, err
	}
	jwk, err := await(p)
	if err != nil {
		return nil, err
	}
	return &webDPoPKey{private: pair.Get("privateKey"), x: jwk.Get("x").String(), y: jwk.Get("y").String()}, nil
}

func (s *webDPoPKeys) Save(_ context.Context, jkt string, k oauth.DPoPKey) error {
	wk := k.(*webDPoPKey)
	if s.db == nil {
		s.mu.Lock()
		s.mem[jkt] = wk
		s.mu.Unlock()
		return nil
	}
	st, err := s.idb()
	if err != nil {
		return err
	}
	rec := object(map[string]any{"privateKey": wk.private, "x": wk.x, "y": wk.y})
	return st.write(func(store js.Value) { store.Call("put", rec, dpopKeyPrefix+jkt) })
}

func (s *webDPoPKeys) Load(_ context.Context, jkt string) (oauth.DPoPKey, error) {
	if s.db == nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		if k, ok := s.mem[jkt]; ok {
			return k, nil
		}
		return nil, nil
	}
	st, err := s.idb()
	if err != nil {
		return nil, err
	}
	_, store, err := st.tx("readonly")
	if err != nil {
		return nil, err
	}
	req := store.Call("get", dpopKeyPrefix+jkt)
	if err := waitRequest(req, "onsuccess", "onerror"); err != nil {
		return nil, err
	}
	rec := req.Get("result")
	if rec.Type() != js.TypeObject || rec.Get("privateKey").Type() != js.TypeObject {
		return nil, nil
	}
	k := &webDPoPKey{private: rec.Get("privateKey"), x: rec.Get("x").String(), y: rec.Get("y").String()}
	// A record whose coordinates were changed would sign for another key.
	if got, err := oauth.Thumbprint(context.Background(), subtleSHA256, k); err != nil || got != jkt {
		return nil, nil
	}
	return k, nil
}

func (s *webDPoPKeys) Delete(_ context.Context, jkt string) error {
	if s.db == nil {
		s.mu.Lock()
		delete(s.mem, jkt)
		s.mu.Unlock()
		return nil
	}
	st, err := s.idb()
	if err != nil {
		return err
	}
	return st.Remove(dpopKeyPrefix + jkt)
}

func (s *webDPoPKeys) idb() (idbStorage, error) {
	st, err := s.db()
	if err != nil {
		return idbStorage{}, err
	}
	return st.(idbStorage), nil
}

// newDPoPKeys returns the key store for tokens kept in storage.
func newDPoPKeys(storage oauth.StorageKind) *webDPoPKeys {
	if storage == oauth.StorageMemory {
		return &webDPoPKeys{mem: map[string]*webDPoPKey{}}
	}
	return &webDPoPKeys{db: sharedStorage}
}
