package protocol

import "testing"

func TestIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		host string
		want bool
	}{
		{"localhost", true},
		{"LocalHost", true},
		{"127.0.0.1", true},
		{"127.1.2.3", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true},
		{"0:0:0:0:0:0:0:1", true},
		{"", false},
		{"localhost.example.com", false},
		{"example.com", false},
		{"128.0.0.1", false},
		{"0127.0.0.1", false},
		{"[::1]", false},
		{"::1%eth0", false},
		{"::2", false},
		{"10.0.0.1", false},
	} {
		if got := IsLoopback(tc.host); got != tc.want {
			t.Errorf("IsLoopback(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
}
