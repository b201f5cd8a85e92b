package oauth

import (
	"context"
	"slices"
)

// provider is the provider as the flow uses it: the configuration, with
// what a preset gives, and with what the discovery document gives where
// the page configured nothing.
type providerInfo struct {
	issuer                string
	authorizationEndpoint string
	tokenEndpoint         string
	logoutEndpoint        string
	endSessionEndpoint    string
	revocationEndpoint    string
	jwksURI               string
	userinfoEndpoint      string
	issParameterSupported bool
	// algorithms are the ID token algorithms the provider lists; nil:
	// every supported one.
	algorithms []string
	keys       KeySource
}

// staticProvider is the provider from the configuration alone.
func (c *Client) staticProvider() *providerInfo {
	cfg := &c.cfg
	return &providerInfo{
		issuer: cfg.Issuer, authorizationEndpoint: cfg.AuthorizationEndpoint, tokenEndpoint: cfg.TokenEndpoint,
		logoutEndpoint: cfg.LogoutEndpoint, endSessionEndpoint: cfg.EndSessionEndpoint,
		revocationEndpoint: cfg.RevocationEndpoint, jwksURI: cfg.JWKSURI, userinfoEndpoint: cfg.UserinfoEndpoint,
		issParameterSupported: cfg.IssParameterSupported,
	}
}

// withDiscovery merges a discovery document under the configuration:
// explicit values win.
func (c *Client) withDiscovery(m *ProviderMetadata) *providerInfo {
	p := c.staticProvider()
	fill(&p.issuer, m.Issuer)
	fill(&p.authorizationEndpoint, m.AuthorizationEndpoint)
	fill(&p.tokenEndpoint, m.TokenEndpoint)
	fill(&p.revocationEndpoint, m.RevocationEndpoint)
	fill(&p.jwksURI, m.JWKSURI)
	fill(&p.userinfoEndpoint, m.UserinfoEndpoint)
	if p.logoutEndpoint == "" {
		fill(&p.endSessionEndpoint, m.EndSessionEndpoint)
	}
	p.issParameterSupported = p.issParameterSupported || m.IssParameterSupported
	if len(m.IDTokenAlgorithms) > 0 {
		for _, a := range m.IDTokenAlgorithms {
			if slices.Contains(SupportedAlgorithms, a) {
				p.algorithms = append(p.algorithms, a)
			}
		}
		if p.algorithms == nil {
			p.algorithms = []string{} // none of the provider's algorithms is acceptable
		}
	}
	return p
}

// provider returns the resolved provider, reading the discovery document
// (from the tab's cache, or the network) when the configuration needs it.
func (c *Client) resolve(ctx context.Context) (*providerInfo, error) {
	if c.discovery == nil {
		return c.static, nil
	}
	v, err := c.discovery.get(ctx, false)
	if err != nil {
		return nil, err
	}
	return c.fromDocument(v.(*ProviderMetadata)), nil
}

// knownProvider returns the provider without any network round trip: the
// static one, or the discovery document from memory or the tab's cache;
// nil when the document has never been read in this tab.
func (c *Client) knownProvider() *providerInfo {
	if c.discovery == nil {
		return c.static
	}
	d := c.discovery
	d.mu.Lock()
	d.loadLocked()
	v := d.val
	d.mu.Unlock()
	if v == nil {
		return nil
	}
	return c.fromDocument(v.(*ProviderMetadata))
}

// fromDocument merges m once per document and keeps the key source, so
// that its cache survives between calls.
func (c *Client) fromDocument(m *ProviderMetadata) *providerInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.merged != nil && c.mergedFrom == m {
		return c.merged
	}
	p := c.withDiscovery(m)
	p.keys = c.keySource(p.jwksURI)
	c.merged, c.mergedFrom = p, m
	return p
}

// keySource returns the key source for uri, one per client and URI.
func (c *Client) keySource(uri string) KeySource {
	if c.opts.Keys != nil {
		return c.opts.Keys
	}
	if uri == "" {
		return nil
	}
	if c.keys == nil || c.keysURI != uri {
		c.keys, c.keysURI = NewRemoteKeys(uri, c.opts.Transport, c.opts.LoginStorage, c.opts.Now, c.cfg.Timeout), uri
	}
	return c.keys
}

// Prepare reads the discovery document and the key set, when the
// configuration uses them, into the tab's cache. StartLogin calls it so
// that the callback usually verifies the ID token with no extra round
// trip; a failure to prefetch the key set is not an error here (the
// callback fetches it again).
func (c *Client) Prepare(ctx context.Context) error {
	p, err := c.resolve(ctx)
	if err != nil {
		return err
	}
	if p.keys != nil && c.cfg.hasOpenID() {
		p.keys.KeySet(ctx, false)
	}
	return nil
}

// verifier returns the ID token verifier for the provider p.
func (c *Client) verifier(p *providerInfo) *IDTokenVerifier {
	return &IDTokenVerifier{
		Issuer: p.issuer, ClientID: c.cfg.ClientID, Algorithms: p.algorithms, Leeway: c.cfg.ClockLeeway,
		Keys: p.keys, Signatures: c.opts.Signatures, Now: c.opts.Now,
	}
}

// fill sets *dst to v when *dst is empty: configured values win over those
// of a discovery document or a preset.
func fill(dst *string, v string) {
	if *dst == "" {
		*dst = v
	}
}
