package oauth

import (
	"slices"
	"strings"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
	"github.com/gopkce/gopkce/wasm/internal/names"
)

// A pending login is one login attempt of this tab between
// [Client.StartLogin] and [Client.HandleCallback]: its PKCE verifier,
// nonce and return path, kept in the login storage (sessionStorage in a
// browser) under loginPrefix+state.

const (
	loginPrefix = names.LoginPrefix
	// maxPendingLogins bounds the login attempts kept per tab; the oldest
	// is dropped first.
	maxPendingLogins = 5
	// LoginTimeout is how long a started login stays valid. Codes live 5
	// minutes (Cognito) once issued, but the user may take a while on the
	// provider's page first.
	LoginTimeout       = 15 * time.Minute
	maxLoginStateBytes = 4096
)

// pendingLogin is what [Client.StartLogin] stores, under loginPrefix+state.
// It deliberately holds no endpoint: the token endpoint always comes from
// the configuration, so rewriting storage cannot redirect the code.
type pendingLogin struct {
	V           int    `json:"v"`
	Verifier    string `json:"verifier"`
	Nonce       string `json:"nonce,omitempty"`
	Issuer      string `json:"issuer"`
	ClientID    string `json:"client_id"`
	RedirectURI string `json:"redirect_uri"`
	ReturnTo    string `json:"return_to"`
	Created     int64  `json:"created"` // Unix milliseconds
	// JKT is the thumbprint of the DPoP key made for this login (dpop_jkt).
	JKT string `json:"jkt,omitempty"`
	// MaxAge is the login's max_age in seconds, when it sent one.
	MaxAge *int64 `json:"max_age,omitempty"`
	// ACR holds the acr values one of which the ID token's acr must be,
	// when the login asked for them as essential.
	ACR string `json:"acr,omitempty"`
}

// prunePendingLogins drops expired or unreadable attempts and keeps at most
// maxPendingLogins-1 so that a new one fits.
func (c *Client) prunePendingLogins() error {
	keys, err := c.opts.LoginStorage.Keys(loginPrefix)
	if err != nil {
		return wrapError(CodeStorageError, "cannot list the login state", err)
	}
	type entry struct {
		key     string
		created int64
	}
	var live []entry
	now := c.opts.Now()
	for _, k := range keys {
		p, err := c.readPending(k)
		if err != nil || now.Sub(time.UnixMilli(p.Created)) > LoginTimeout {
			c.opts.LoginStorage.Remove(k)
			continue
		}
		live = append(live, entry{k, p.Created})
	}
	// The oldest go first. No sort: a generic sort's instantiation for
	// this one type weighs more in the module than this loop.
	for len(live) >= maxPendingLogins {
		oldest := 0
		for i := range live {
			if live[i].created < live[oldest].created {
				oldest = i
			}
		}
		c.opts.LoginStorage.Remove(live[oldest].key)
		live = append(live[:oldest], live[oldest+1:]...)
	}
	return nil
}

// readPending reads and checks one stored login attempt. Anything that a
// tampered storage could hold gives CodeInvalidLoginState.
func (c *Client) readPending(key string) (*pendingLogin, error) {
	raw, ok, err := c.opts.LoginStorage.Get(key)
	if err != nil {
		return nil, wrapError(CodeStorageError, "cannot read the login state", err)
	}
	bad := func(why string) error {
		return NewError(CodeInvalidLoginState, "stored login state "+why+"; start the login again")
	}
	if !ok {
		return nil, bad("is missing")
	}
	if len(raw) > maxLoginStateBytes {
		return nil, bad("is oversized")
	}
	p, ok := decodePending(raw)
	if !ok {
		return nil, bad("is not valid")
	}
	switch {
	case p.V != 1:
		return nil, bad("has an unknown version")
	case !ValidVerifier(p.Verifier):
		return nil, bad("has an invalid PKCE verifier")
	case p.ClientID != c.cfg.ClientID || c.cfg.Issuer != "" && p.Issuer != c.cfg.Issuer || p.RedirectURI != c.cfg.RedirectURI:
		return nil, bad("was made for another configuration")
	case checkReturnTo(p.ReturnTo) != nil:
		return nil, bad("has an invalid return path")
	case p.Created <= 0:
		return nil, bad("has no creation time")
	}
	return p, nil
}

// encode is the stored form of p: the members in the order of the struct,
// nonce omitted when empty, no HTML escaping, byte for byte what
// encoding/json writes for pendingLogin (jsonformat_test.go), so that a
// login started by an earlier release completes.
func (p *pendingLogin) encode() []byte {
	var o jsonv.Object
	o.Int("v", int64(p.V))
	o.String("verifier", p.Verifier)
	if p.Nonce != "" {
		o.String("nonce", p.Nonce)
	}
	o.String("issuer", p.Issuer)
	o.String("client_id", p.ClientID)
	o.String("redirect_uri", p.RedirectURI)
	o.String("return_to", p.ReturnTo)
	o.Int("created", p.Created)
	if p.JKT != "" {
		o.String("jkt", p.JKT)
	}
	if p.MaxAge != nil {
		o.Int("max_age", *p.MaxAge)
	}
	if p.ACR != "" {
		o.String("acr", p.ACR)
	}
	return o.Bytes()
}

// pendingMembers are the member names of a stored pendingLogin.
var pendingMembers = []string{"v", "verifier", "nonce", "issuer", "client_id", "redirect_uri", "return_to", "created", "jkt", "max_age", "acr"}

// decodePending reads a stored pendingLogin: exactly one JSON object with
// no member but pendingMembers, exactly spelled, each of its type (null:
// zero).
func decodePending(raw string) (*pendingLogin, bool) {
	o, err := jsonv.DecodeObject([]byte(raw))
	if err != nil {
		return nil, false
	}
	for name := range o {
		if !slices.Contains(pendingMembers, name) {
			return nil, false
		}
	}
	f := jsonv.Fields{Object: o}
	p := &pendingLogin{
		V: int(f.Int64("v")), Verifier: f.String("verifier"), Nonce: f.String("nonce"), Issuer: f.String("issuer"),
		ClientID: f.String("client_id"), RedirectURI: f.String("redirect_uri"), ReturnTo: f.String("return_to"),
		Created: f.Int64("created"), JKT: f.String("jkt"), ACR: f.String("acr"),
	}
	if v, ok := o["max_age"]; ok && v != nil {
		n := f.Int64("max_age")
		p.MaxAge = &n
	}
	return p, f.Bad == ""
}

type pendingEntry struct {
	p   *pendingLogin
	err error
}

// takePendingLogins reads and removes every pending login of this tab.
func (c *Client) takePendingLogins() (map[string]pendingEntry, error) {
	keys, err := c.opts.LoginStorage.Keys(loginPrefix)
	if err != nil {
		return nil, wrapError(CodeStorageError, "cannot list the login state", err)
	}
	out := make(map[string]pendingEntry, len(keys))
	for _, k := range keys {
		p, err := c.readPending(k)
		out[strings.TrimPrefix(k, loginPrefix)] = pendingEntry{p, err}
		if rerr := c.opts.LoginStorage.Remove(k); rerr != nil && err == nil {
			return nil, wrapError(CodeStorageError, "cannot remove the login state", rerr)
		}
	}
	return out, nil
}
