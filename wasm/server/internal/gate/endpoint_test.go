package gate

import "testing"

func TestCheckEndpoint(t *testing.T) {
	for s, ok := range map[string]bool{
		"https://idp.example.com/oauth2/token": true,
		"http://localhost:8080/token":          true,
		"http://127.0.0.1/token":               true,
		"http://[::1]:9/token":                 true,
		"http://idp.example.com/token":         false,
		"https://user:pw@idp.example.com/t":    false,
		"https://idp.example.com/t#frag":       false,
		"/token":                               false,
		"ftp://idp.example.com/t":              false,
		"":                                     false,
	} {
		if err := CheckEndpoint(s); (err == nil) != ok {
			t.Errorf("CheckEndpoint(%q) = %v, want ok=%v", s, err, ok)
		}
	}
}
