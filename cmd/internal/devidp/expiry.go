package devidp

// What the development provider keeps is bounded: a code is deleted once
// it has expired (a code is single use and short lived, RFC 6749 §4.1.2),
// and only the most recent /logout visits are kept, each capped in size.

// MaxLogoutVisits is how many /logout visits [Server.LogoutVisits] keeps.
const MaxLogoutVisits = 64

// maxLogoutQueryBytes caps a kept /logout query: values that do not fit
// are dropped (what tests read is short).
const maxLogoutQueryBytes = 2048

// pruneLocked deletes expired codes. s.mu is held.
func (s *Server) pruneLocked() {
	now := s.now()
	for code, c := range s.codes {
		if now.After(c.expires) {
			delete(s.codes, code)
		}
	}
}

// keepLogoutLocked records a /logout visit, keeping the most recent
// [MaxLogoutVisits]. s.mu is held.
func (s *Server) keepLogoutLocked(q map[string][]string) {
	kept, size := map[string][]string{}, 0
	for k, vs := range q {
		for _, v := range vs {
			if size+len(k)+len(v) > maxLogoutQueryBytes {
				continue
			}
			size += len(k) + len(v)
			kept[k] = append(kept[k], v)
		}
	}
	if len(s.logouts) >= MaxLogoutVisits {
		s.logouts = append(s.logouts[:0], s.logouts[len(s.logouts)-MaxLogoutVisits+1:]...)
	}
	s.logouts = append(s.logouts, kept)
}
