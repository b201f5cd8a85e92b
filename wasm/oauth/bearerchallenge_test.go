package oauth

import "testing"

func TestBearerError(t *testing.T) {
	for header, want := range map[string]string{
		`Bearer realm="example", error="invalid_token", error_description="The access token expired"`: "invalid_token",
		`Bearer error="invalid_token"`:                                        "invalid_token",
		`bearer error=invalid_token`:                                          "invalid_token",
		`Bearer realm="a, error=\"invalid_token\"", error=insufficient_scope`: "insufficient_scope",
		`Bearer realm="example"`:                                              "",
		`Bearer`:                                                              "",
		``:                                                                    "",
		`Basic realm="x", error="invalid_token"`:                              "",
		`Basic realm="x", Bearer error="invalid_token"`:                       "invalid_token",
		`Newauth abc123==, Bearer realm="r", error="invalid_token"`: "invalid_token",
		`DPoP error="invalid_token", Bearer realm="r"`:              "",
		`Bearer error="invalid_token`:                               "", // unterminated
		`Bearer error = "invalid_token"`:                            "invalid_token",
		`Bearer realm="\"", error="invalid_request"`:                "invalid_request",
		`Bearerx error="invalid_token"`:                             "",
	} {
		if got := BearerError(header); got != want {
			t.Errorf("BearerError(%s) = %q, want %q", header, got, want)
		}
	}
}

func FuzzBearerError(f *testing.F) {
	f.Add(`Bearer realm="example", error="invalid_token"`)
	f.Add(`Basic realm="x", Bearer error=invalid_token, Newauth a==`)
	f.Fuzz(func(t *testing.T, h string) {
		BearerError(h) // terminates without panicking
	})
}
