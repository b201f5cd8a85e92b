package gate

import "testing"

func TestCheckOrigin(t *testing.T) {
	for _, c := range []struct {
		s            string
		ok, loopback bool
	}{
		{"https://app.example.com", true, false},
		{"https://app.example.com:8443", true, false},
		{"http://localhost:8080", true, true},
		{"http://127.0.0.1:3000", true, true},
		{"http://app.example.com", false, false},
		{"https://app.example.com/", false, false},
		{"https://app.example.com/path", false, false},
		{"https://App.example.com", false, false},
		{"https://user@app.example.com", false, false},
		{"app.example.com", false, false},
		{"", false, false},
	} {
		loopback, err := CheckOrigin(c.s)
		if (err == nil) != c.ok || loopback != c.loopback {
			t.Errorf("CheckOrigin(%q) = %v, %v; want ok=%v loopback=%v", c.s, loopback, err, c.ok, c.loopback)
		}
	}
}
