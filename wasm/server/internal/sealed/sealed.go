// Package sealed seals values for cookies with AES-256-GCM
// (NIST SP 800-38D), for the server parts (the token handler, the backend
// for frontend): a random 96-bit nonce per seal, additional data chosen by
// the caller that binds a value to its cookie name, client, origin and
// provider, so that a cookie sealed by another deployment sharing the key
// is refused as foreign. Values are sealed with the first key; the others
// still open them, so that a key can be replaced without ending every
// session.
package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"io"
)

// KeySize is the size of a key: AES-256.
const KeySize = 32

// ErrNoRandom: the random source failed.
var ErrNoRandom = errors.New("sealed: no random source")

// ErrInvalid: the value is malformed, altered, sealed with another key or
// for other additional data.
var ErrInvalid = errors.New("sealed: the value does not open")

// Box seals and opens values. It is safe for concurrent use.
type Box struct {
	aead  cipher.AEAD
	older []cipher.AEAD
	ad    []byte
	rand  io.Reader
}

// New returns a box sealing with keys[0] and opening with any of keys,
// each [KeySize] bytes, binding every value to ad.
func New(keys [][]byte, ad []byte, rnd io.Reader) (*Box, error) {
	if len(keys) == 0 {
		return nil, errors.New("sealed: no key")
	}
	b := &Box{ad: append([]byte(nil), ad...), rand: rnd}
	for i, key := range keys {
		if len(key) != KeySize {
			return nil, errors.New("sealed: a key must be 32 bytes (AES-256)")
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			b.aead = aead
		} else {
			b.older = append(b.older, aead)
		}
	}
	return b, nil
}

// Seal returns plain sealed, in unpadded base64url (a cookie-safe value).
func (b *Box) Seal(plain []byte) (string, error) {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plain)+b.aead.Overhead())
	if _, err := io.ReadFull(b.rand, nonce); err != nil {
		return "", ErrNoRandom
	}
	return base64.RawURLEncoding.EncodeToString(b.aead.Seal(nonce, nonce, plain, b.ad)), nil
}

// Open returns what value seals, or [ErrInvalid].
func (b *Box) Open(value string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	ns := b.aead.NonceSize()
	if err != nil || len(raw) < ns+b.aead.Overhead() {
		return nil, ErrInvalid
	}
	plain, err := b.aead.Open(nil, raw[:ns], raw[ns:], b.ad)
	for _, old := range b.older {
		if err == nil {
			break
		}
		plain, err = old.Open(nil, raw[:ns], raw[ns:], b.ad)
	}
	if err != nil {
		return nil, ErrInvalid
	}
	return plain, nil
}

// SealedLen is the length of the sealed form of n bytes.
func SealedLen(n int) int { return base64.RawURLEncoding.EncodedLen(12 + n + 16) }
