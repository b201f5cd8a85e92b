package oauth

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
	"github.com/gopkce/gopkce/wasm/internal/names"
	"github.com/gopkce/gopkce/wasm/internal/protocol"
	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

// DPoP (RFC 9449): tokens bound to a key pair whose private half no script
// can read. The core builds the proofs; the platform holds the key and
// signs ([DPoPKeyStore]): WebCrypto with a non-extractable key in the
// browser, crypto/ecdsa natively
// ([github.com/gopkce/gopkce/wasm/oauth/oauthjwt.NewDPoPKeys]).

// DPoPMode is [Config.DPoP].
type DPoPMode string

const (
	// DPoPOff sends no proof (the default).
	DPoPOff DPoPMode = ""
	// DPoPIfSupported asks for DPoP-bound tokens and keeps a Bearer token
	// from a provider that issues one instead, with an
	// [EventDPoPNotBound] event.
	DPoPIfSupported DPoPMode = "if-supported"
	// DPoPRequired refuses a token response that is not DPoP-bound.
	DPoPRequired DPoPMode = "required"
)

// EventDPoPNotBound: DPoP was asked for and the provider issued a Bearer
// token (token_type Bearer, RFC 9449 §5); the session goes on unbound.
const EventDPoPNotBound = "dpop_not_bound"

// DPoPKey is one ES256 key pair (P-256, RFC 7518 §3.4). The core never
// sees the private key: it asks for signatures.
type DPoPKey interface {
	// PublicJWK returns the public key's x and y coordinates, base64url
	// without padding (RFC 7518 §6.2.1).
	PublicJWK() (x, y string)
	// Sign returns the ES256 signature of input: SHA-256, then ECDSA, as
	// raw r||s of 64 bytes (RFC 7518 §3.4), which is WebCrypto's form.
	Sign(ctx context.Context, input []byte) ([]byte, error)
}

// DPoPKeyStore makes and keeps DPoP keys, each under its JWK thumbprint
// (RFC 7638). The browser keeps them in IndexedDB, where a CryptoKey is
// stored as itself (structured clone) and stays non-extractable.
type DPoPKeyStore interface {
	// New makes a key pair that is not kept yet.
	New(ctx context.Context) (DPoPKey, error)
	// Save keeps k under thumbprint.
	Save(ctx context.Context, thumbprint string, k DPoPKey) error
	// Load returns the key kept under thumbprint, or nil when there is none.
	Load(ctx context.Context, thumbprint string) (DPoPKey, error)
	// Delete forgets the key kept under thumbprint; a missing key is no error.
	Delete(ctx context.Context, thumbprint string) error
}

// dpopNoncePrefix prefixes the storage key of a server's last nonce.
const dpopNoncePrefix = names.DPoPNoncePrefix

// maxDPoPNonce caps a nonce kept from a response header.
const maxDPoPNonce = 1024

// Thumbprint is the JWK SHA-256 thumbprint of k's public key (RFC 7638
// §3): the hash of {"crv","kty","x","y"} in that order, without spaces,
// base64url. It is dpop_jkt (RFC 9449 §10) and the tokens' cnf.jkt (§6.1).
func Thumbprint(ctx context.Context, sha func(context.Context, []byte) ([32]byte, error), k DPoPKey) (string, error) {
	x, y := k.PublicJWK()
	sum, err := sha(ctx, []byte(`{"crv":"P-256","kty":"EC","x":"`+x+`","y":"`+y+`"}`))
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// dpopHTU is a proof's htu: the request URL without query and fragment
// (RFC 9449 §4.2), its scheme and host lowercase.
func dpopHTU(rawURL string) (string, error) {
	u, err := weburl.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", NewError(CodeInvalidArgument, "a DPoP proof needs an absolute http or https URL")
	}
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	return u.Origin() + p, nil
}

// dpopProof builds and signs a DPoP proof (RFC 9449 §4.2) for a request:
// header typ dpop+jwt, alg ES256 and the public jwk; claims jti (random),
// htm, htu, iat (the device clock plus the offset learnt from the server,
// see [Client.dpopClock]), ath when an access token goes with it, and the
// server's last nonce when there is one.
func (c *Client) dpopProof(ctx context.Context, k DPoPKey, method, rawURL, accessToken string) (string, error) {
	htu, err := dpopHTU(rawURL)
	if err != nil {
		return "", err
	}
	jti, err := randomString(c.opts.Rand, 16)
	if err != nil {
		return "", wrapError(CodeStorageError, "no random source", err)
	}
	x, y := k.PublicJWK()
	var jwk jsonv.Object
	jwk.String("kty", "EC")
	jwk.String("crv", "P-256")
	jwk.String("x", x)
	jwk.String("y", y)
	var h jsonv.Object
	h.String("typ", "dpop+jwt")
	h.String("alg", "ES256")
	h.Raw("jwk", jwk.Bytes())
	var p jsonv.Object
	p.String("jti", jti)
	p.String("htm", method)
	p.String("htu", htu)
	p.Int("iat", c.dpopNow().Unix())
	if accessToken != "" {
		sum, err := c.opts.SHA256(ctx, []byte(accessToken))
		if err != nil {
			return "", wrapError(CodeStorageError, "cannot hash the access token for the DPoP proof", err)
		}
		p.String("ath", base64.RawURLEncoding.EncodeToString(sum[:]))
	}
	if n := c.dpopNonce(htu); n != "" {
		p.String("nonce", n)
	}
	input := base64.RawURLEncoding.EncodeToString(h.Bytes()) + "." + base64.RawURLEncoding.EncodeToString(p.Bytes())
	sig, err := k.Sign(ctx, []byte(input))
	if err != nil {
		return "", wrapError(CodeStorageError, "the DPoP key could not sign", err)
	}
	if len(sig) != 64 {
		return "", NewError(CodeInternalError, "the DPoP key's signature is not raw r||s of 64 bytes")
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// nonceKey is the storage key of the nonce for rawURL's origin: a server's
// nonce is per server (RFC 9449 §8), and the provider's and an API's differ.
func nonceKey(rawURL string) string {
	u, err := weburl.Parse(rawURL)
	if err != nil {
		return ""
	}
	return dpopNoncePrefix + u.Origin()
}

// dpopNonce is the last nonce the server of rawURL gave, shared by every
// tab ([Options.DPoPNonces]).
func (c *Client) dpopNonce(rawURL string) string {
	k := nonceKey(rawURL)
	if k == "" {
		return ""
	}
	n, _, _ := c.opts.DPoPNonces.Get(k)
	return n
}

// rememberNonce keeps a DPoP-Nonce header (RFC 9449 §8.1: a server may
// send one on any response) for the next proof to rawURL's server; it
// reports whether it is new.
func (c *Client) rememberNonce(rawURL, nonce string) bool {
	k := nonceKey(rawURL)
	if nonce == "" || k == "" || len(nonce) > maxDPoPNonce || !validNonce(nonce) {
		return false
	}
	if old, _, _ := c.opts.DPoPNonces.Get(k); old == nonce {
		return false
	}
	c.opts.DPoPNonces.Set(k, nonce)
	return true
}

// validNonce: nonce = 1*NQCHAR (RFC 9449 §8.1), %x21 / %x23-5B / %x5D-7E.
func validNonce(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x21 || b > 0x7e || b == '"' || b == '\\' {
			return false
		}
	}
	return true
}

// dpopNow is the time a proof's iat carries: the device clock, plus the
// offset from the server's clock once a proof was refused for its time.
func (c *Client) dpopNow() time.Time {
	c.mu.Lock()
	d := c.dpopSkew
	c.mu.Unlock()
	return c.opts.Now().Add(d)
}

// dpopMinSkew is the smallest difference between the device clock and a
// server's Date header that is taken as the cause of a refused proof.
const dpopMinSkew = 10 * time.Second

// learnClock reads the Date header of a response that refused a proof
// (invalid_dpop_proof) and, when the device clock is off by more than
// dpopMinSkew from it, sets the offset for this session's proofs. It
// reports whether the offset changed, which warrants one retry.
func (c *Client) learnClock(date string) bool {
	t, ok := protocol.ParseHTTPDate(date)
	if !ok {
		return false
	}
	d := t.Sub(c.opts.Now()).Truncate(time.Second)
	c.mu.Lock()
	defer c.mu.Unlock()
	if diff := d - c.dpopSkew; diff < dpopMinSkew && diff > -dpopMinSkew {
		return false
	}
	c.dpopSkew = d
	return true
}

// sessionKey returns the DPoP key of the session ts, or nil when ts is
// not bound. A bound session whose key is gone (deleted at logout in
// another tab, or the browser's data cleared) can never be used again:
// its tokens are removed and login_required returned.
func (c *Client) sessionDPoPKey(ctx context.Context, ts *TokenSet) (DPoPKey, error) {
	if ts.JKT == "" {
		return nil, nil
	}
	k, err := c.opts.DPoPKeys.Load(ctx, ts.JKT)
	if err != nil {
		return nil, wrapError(CodeStorageError, "cannot read the DPoP key", err)
	}
	if k == nil {
		c.removeTokens()
		return nil, NewError(CodeLoginRequired, "the session's DPoP key is gone (logged out in another tab, or the site's data was cleared); log in again")
	}
	return k, nil
}

// dpopTokenType checks a token response's token_type against what was
// asked (RFC 9449 §5): DPoP when asked, Bearer accepted only in
// if-supported mode. It reports whether the tokens are bound.
func (c *Client) dpopTokenType(tr *tokenResponse, asked bool) (bool, error) {
	switch {
	case tr.TokenType == "DPoP" && asked:
		return true, nil
	case tr.TokenType == "DPoP":
		return false, NewError(CodeInvalidResponse, "the provider issued a DPoP-bound token to a request without a DPoP proof")
	case asked && c.cfg.DPoP == DPoPRequired:
		return false, NewError(CodeInvalidResponse, "the provider issued a "+strconv.Quote(tr.TokenType)+" token and dpop is \"required\": it does not support DPoP for this client (RFC 9449 §5)")
	}
	return false, nil
}

// isDPoPScheme reports whether an Authorization value uses the DPoP scheme.
func isDPoPScheme(authorization string) bool {
	s, _, _ := strings.Cut(authorization, " ")
	return strings.EqualFold(s, "DPoP")
}

// newDPoPKey makes the key of a new login, keeps it under its thumbprint
// and returns the thumbprint.
func (c *Client) newDPoPKey(ctx context.Context) (string, error) {
	k, err := c.opts.DPoPKeys.New(ctx)
	if err != nil {
		return "", wrapError(CodeStorageError, "cannot make a DPoP key", err)
	}
	jkt, err := Thumbprint(ctx, c.opts.SHA256, k)
	if err != nil {
		return "", wrapError(CodeStorageError, "cannot hash the DPoP key", err)
	}
	if err := c.opts.DPoPKeys.Save(ctx, jkt, k); err != nil {
		return "", wrapError(CodeStorageError, "cannot keep the DPoP key", err)
	}
	return jkt, nil
}

// afterLoginDPoP runs once a login's tokens are stored: the key of the
// session they replace is deleted, and so is the login's own key when the
// provider issued Bearer tokens (if-supported), which is then announced.
func (c *Client) afterLoginDPoP(ctx context.Context, p *pendingLogin, prev, ts *TokenSet) {
	if prev != nil && prev.JKT != "" && prev.JKT != ts.JKT {
		c.opts.DPoPKeys.Delete(ctx, prev.JKT)
	}
	if p.JKT != "" && ts.JKT == "" {
		c.opts.DPoPKeys.Delete(ctx, p.JKT)
		c.emit(Event{Type: EventDPoPNotBound})
	}
}
