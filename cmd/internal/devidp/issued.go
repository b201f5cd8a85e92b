package devidp

// recordIssuedLocked keeps every token a token response carries (access,
// ID and refresh tokens), so that a test can search for them where they
// must never appear (a backend for frontend's page).
func (s *Server) recordIssuedLocked(resp map[string]any) {
	for _, k := range []string{"access_token", "id_token", "refresh_token"} {
		if v, ok := resp[k].(string); ok && v != "" {
			s.issued = append(s.issued, v)
		}
	}
}

// IssuedTokens returns every access, ID and refresh token the token
// endpoint has answered, in order.
func (s *Server) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}
