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

// RFC 9470 §3: the challenge's acr_values and max_age reach the step-up
// error; an invalid_token challenge still refreshes, anything else stands.
func TestStepUpChallenge(t *testing.T) {
	for _, tc := range []struct {
		header, acr string
		maxAge      int64 // -1: none
	}{
		{`Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR"`, "myACR", -1},
		{`Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="5"`, "", 5},
		{`DPoP algs="ES256", Bearer realm="api", error="insufficient_user_authentication", acr_values="urn:a  urn:b", max_age=0`, "urn:a urn:b", 0},
		{`Bearer error="insufficient_user_authentication", max_age="-3"`, "", -1},
	} {
		s := StepUpFrom(stepUpError(BearerParams(tc.header)))
		if s == nil || s.ACRValues != tc.acr || (s.MaxAge == nil) != (tc.maxAge < 0) || s.MaxAge != nil && *s.MaxAge != tc.maxAge {
			t.Errorf("%s: %+v", tc.header, s)
		}
		o := s.LoginOptions()
		if o.ACREssential != (tc.acr != "") {
			t.Errorf("%s: login options %+v", tc.header, o)
		}
	}
	if p := BearerParams(`Basic realm="x", Bearer error="invalid_token"`); p["error"] != "invalid_token" || p["realm"] != "" {
		t.Errorf("params %v", p)
	}
	if p := BearerParams(`Bearer error="a", Basic error="b"`); p["error"] != "a" {
		t.Errorf("params %v", p)
	}
}
