package oauth

import (
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
)

// WellKnownPath is where OpenID Connect Discovery 1.0 §4 puts the provider
// configuration, under the issuer.
const WellKnownPath = "/.well-known/openid-configuration"

// ProviderMetadata is what gopkce takes from a discovery document
// (OpenID Connect Discovery 1.0 §3, RFC 8414 §2).
type ProviderMetadata struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	JWKSURI               string `json:"jwks_uri,omitempty"`
	EndSessionEndpoint    string `json:"end_session_endpoint,omitempty"`
	RevocationEndpoint    string `json:"revocation_endpoint,omitempty"`
	UserinfoEndpoint      string `json:"userinfo_endpoint,omitempty"`
	// IssParameterSupported: authorization_response_iss_parameter_supported
	// (RFC 9207 §3).
	IssParameterSupported bool `json:"authorization_response_iss_parameter_supported,omitempty"`
	// CodeChallengeMethods: code_challenge_methods_supported (RFC 8414 §2).
	CodeChallengeMethods []string `json:"code_challenge_methods_supported,omitempty"`
	// IDTokenAlgorithms: id_token_signing_alg_values_supported.
	IDTokenAlgorithms []string `json:"id_token_signing_alg_values_supported,omitempty"`
}

func discoveryError(field, msg string) *Error {
	return &Error{Code: CodeInvalidDiscovery, Field: field, msg: field + ": " + msg}
}

// ParseDiscovery decodes and checks a discovery document. When wantIssuer
// is set, the document's issuer must equal it exactly (OpenID Connect
// Discovery 1.0 §4.3, RFC 8414 §3.3): a document naming another issuer is a
// mix-up or an impersonation, and nothing is redirected. A provider that
// lists code_challenge_methods_supported without S256 is refused (RFC 9700
// §2.1.1); one that omits the member (Cognito, Azure AD B2C) is not. Every
// URL must be https (or http on loopback).
func ParseDiscovery(data []byte, wantIssuer string) (*ProviderMetadata, error) {
	raw, err := jsonv.DecodeObject(data)
	var dup *jsonv.DuplicateError
	if errors.As(err, &dup) {
		return nil, discoveryError("document", "has the member "+strconv.Quote(dup.Name)+" more than once")
	}
	if err != nil {
		return nil, discoveryError("document", "is not a JSON object")
	}
	// Member names are exact (RFC 8414 §2): "ISSUER" is an unknown member.
	// Absent or null members are empty, as encoding/json left them.
	f := jsonv.Fields{Object: raw}
	m := ProviderMetadata{
		Issuer:                f.String("issuer"),
		AuthorizationEndpoint: f.String("authorization_endpoint"),
		TokenEndpoint:         f.String("token_endpoint"),
		JWKSURI:               f.String("jwks_uri"),
		EndSessionEndpoint:    f.String("end_session_endpoint"),
		RevocationEndpoint:    f.String("revocation_endpoint"),
		UserinfoEndpoint:      f.String("userinfo_endpoint"),
		IssParameterSupported: f.Bool("authorization_response_iss_parameter_supported"),
		CodeChallengeMethods:  f.Strings("code_challenge_methods_supported"),
		IDTokenAlgorithms:     f.Strings("id_token_signing_alg_values_supported"),
	}
	if f.Bad != "" {
		return nil, discoveryError("document", "has a member of the wrong type")
	}
	if m.Issuer == "" {
		return nil, discoveryError("issuer", "is missing")
	}
	if wantIssuer != "" && m.Issuer != wantIssuer {
		return nil, discoveryError("issuer", "the document names the issuer "+strconv.Quote(m.Issuer)+", not the configured "+strconv.Quote(wantIssuer))
	}
	for _, f := range []struct {
		name, v  string
		required bool
	}{
		{"issuer", m.Issuer, true},
		{"authorization_endpoint", m.AuthorizationEndpoint, true},
		{"token_endpoint", m.TokenEndpoint, true},
		{"jwks_uri", m.JWKSURI, false},
		{"end_session_endpoint", m.EndSessionEndpoint, false},
		{"revocation_endpoint", m.RevocationEndpoint, false},
		{"userinfo_endpoint", m.UserinfoEndpoint, false},
	} {
		if f.v == "" {
			if f.required {
				return nil, discoveryError(f.name, "is missing")
			}
			continue
		}
		if err := checkURL(f.v); err != nil {
			return nil, discoveryError(f.name, err.Error())
		}
	}
	if _, listed := raw["code_challenge_methods_supported"]; listed && !slices.Contains(m.CodeChallengeMethods, "S256") {
		return nil, discoveryError("code_challenge_methods_supported", "the provider does not support PKCE with S256")
	}
	return &m, nil
}

// maxDocumentBytes caps a discovery document or key set.
const maxDocumentBytes = 256 << 10

// getDocument GETs a JSON document (discovery, key set) with the transport.
// Network failures, 5xx and 429 are network_error; any other non-200 is
// invalid_discovery naming what was fetched.
func getDocument(ctx context.Context, t Transport, timeout time.Duration, url, what string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	resp, err := t.RoundTrip(ctx, &Request{Method: "GET", URL: url, Header: map[string]string{"Accept": "application/json"}})
	if err != nil {
		return nil, wrapError(CodeNetworkError, "could not fetch the "+what, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.Status == 429 || resp.Status >= 500:
		return nil, &Error{Code: CodeNetworkError, Status: resp.Status, msg: "the " + what + " answered HTTP " + strconv.Itoa(resp.Status)}
	case resp.Status != 200:
		return nil, &Error{Code: CodeInvalidDiscovery, Field: what, Status: resp.Status, msg: "the " + what + " answered HTTP " + strconv.Itoa(resp.Status)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentBytes+1))
	if err != nil {
		return nil, wrapError(CodeNetworkError, "the "+what+" was cut off", err)
	}
	if len(body) > maxDocumentBytes {
		return nil, &Error{Code: CodeInvalidDiscovery, Field: what, msg: "the " + what + " is larger than 256 KiB"}
	}
	return body, nil
}

// DiscoveryURL is the discovery document's URL for an issuer.
func DiscoveryURL(issuer string) string { return strings.TrimSuffix(issuer, "/") + WellKnownPath }
