package devidp

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
)

// Client authentication methods of a confidential [Client] (OpenID Connect
// Dynamic Client Registration §2, token_endpoint_auth_method).
const (
	// ClientSecretBasic sends the id and secret with HTTP Basic, each
	// form-urlencoded first (RFC 6749 §2.3.1). Cognito's style.
	ClientSecretBasic = "client_secret_basic"
	// ClientSecretPost sends client_id and client_secret in the form body
	// (RFC 6749 §2.3.1). Azure AD B2C's style.
	ClientSecretPost = "client_secret_post"
)

// clientError is an RFC 6749 §5.2 error found while authenticating a client.
type clientError struct{ code, desc string }

// authenticateClient identifies the client of a token or revocation request
// (RFC 6749 §2.3, RFC 7009 §2.1). A public client names itself with
// client_id and presents no secret; a confidential client must use exactly
// its registered method, and the secret is compared in constant time. A
// request using two methods at once is refused (RFC 6749 §2.3).
func (s *Server) authenticateClient(r *http.Request, f url.Values) (Client, *clientError) {
	auth := r.Header.Get("Authorization")
	basicID, basicSecret, basic := r.BasicAuth()
	if auth != "" && !basic {
		return Client{}, &clientError{"invalid_client", "unsupported Authorization scheme"}
	}
	_, posted := f["client_secret"]
	if basic && posted {
		return Client{}, &clientError{"invalid_request", "more than one client authentication method"}
	}
	id, secret, method := f.Get("client_id"), f.Get("client_secret"), ""
	switch {
	case basic:
		var err1, err2 error
		basicID, err1 = url.QueryUnescape(basicID)
		basicSecret, err2 = url.QueryUnescape(basicSecret)
		if err1 != nil || err2 != nil {
			return Client{}, &clientError{"invalid_client", "malformed Basic credentials"}
		}
		if id != "" && id != basicID {
			return Client{}, &clientError{"invalid_client", "client_id differs from the Basic credentials"}
		}
		id, secret, method = basicID, basicSecret, ClientSecretBasic
	case posted:
		method = ClientSecretPost
	}
	s.mu.Lock()
	c, known := s.clients[id]
	s.mu.Unlock()
	switch {
	case id == "" || !known:
		return Client{}, &clientError{"invalid_client", "unknown client_id"}
	case c.Secret == "" && method != "":
		return Client{}, &clientError{"invalid_client", "public clients have no secret"}
	case c.Secret == "":
		return c, nil
	case method == "":
		return Client{}, &clientError{"invalid_client", "client authentication required"}
	case method != c.authMethod():
		return Client{}, &clientError{"invalid_client", "this client authenticates with " + c.authMethod()}
	case subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1:
		return Client{}, &clientError{"invalid_client", "client authentication failed"}
	}
	return c, nil
}

// authMethod is the client's registered authentication method.
func (c Client) authMethod() string {
	switch {
	case c.Secret == "":
		return "none"
	case c.AuthMethod == "":
		return ClientSecretBasic
	}
	return c.AuthMethod
}

func validAuthMethod(m string) bool {
	return m == "" || m == ClientSecretBasic || m == ClientSecretPost || strings.EqualFold(m, "none")
}

// RegisteredClient returns the client registered under id (tests use it to
// authenticate as a confidential client).
func (s *Server) RegisteredClient(id string) (Client, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	return c, ok
}
