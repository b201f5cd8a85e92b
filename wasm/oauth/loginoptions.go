package oauth

import (
	"slices"
	"strconv"
	"strings"

	"github.com/gopkce/gopkce/wasm/internal/weburl"
)

// LoginOptions are the authorization-request parameters of one login
// (OpenID Connect Core §3.1.2.1), set per call on top of the
// configuration's extraParams. Each is sent only when set.
type LoginOptions struct {
	// ReturnTo is the same-origin path to come back to ("" for "/").
	ReturnTo string
	// Prompt is prompt: space-separated "none", "login", "consent",
	// "select_account"; "none" cannot be combined with another value.
	Prompt string
	// LoginHint is login_hint: the user's name or e-mail address.
	LoginHint string
	// MaxAge, when not nil, is max_age in seconds: the ID token must then
	// carry auth_time, no older than MaxAge seconds (§3.1.2.1, §3.1.3.7
	// item 13).
	MaxAge *int64
	// ACRValues is acr_values, space-separated, in order of preference.
	ACRValues string
	// ACREssential makes the ID token's acr one of ACRValues, or the login
	// is refused (§5.5.1.1: acr requested as an essential claim).
	ACREssential bool
	// UILocales is ui_locales: space-separated BCP 47 language tags.
	UILocales string
	// ExtraParams are further parameters, under the configuration's rules
	// for extraParams: no protocol parameter, no secret.
	ExtraParams map[string]string
}

// maxMaxAge bounds max_age (ten years): a larger value is a mistake.
const maxMaxAge = 10 * 365 * 24 * 3600

// promptValues are the prompt values of OpenID Connect Core §3.1.2.1.
var promptValues = []string{"none", "login", "consent", "select_account"}

// params checks o and returns the parameters it adds to the
// authorization request: invalid_argument names the option at fault.
func (o *LoginOptions) params() (map[string]string, error) {
	bad := func(name, why string) error { return NewError(CodeInvalidArgument, "startLogin: "+name+" "+why) }
	out := map[string]string{}
	for k, v := range o.ExtraParams {
		if err := checkExtraParam(k, v); err != nil {
			return nil, bad("extraParams."+k, err.Error())
		}
		// The named options below own their parameters.
		if _, named := loginOptionParams[paramName(k)]; named {
			return nil, bad("extraParams."+k, "has its own option, "+loginOptionParams[paramName(k)])
		}
		out[k] = v
	}
	if o.Prompt != "" {
		vals := strings.Fields(o.Prompt)
		for _, v := range vals {
			if !slices.Contains(promptValues, v) {
				return nil, bad("prompt", "must be none, login, consent or select_account (space-separated), not "+strconv.Quote(v))
			}
			if v == "none" && len(vals) > 1 {
				return nil, bad("prompt", "none cannot be combined with another value (OpenID Connect Core §3.1.2.1)")
			}
		}
		out["prompt"] = strings.Join(vals, " ")
	}
	for _, f := range []struct{ name, param, v string }{
		{"loginHint", "login_hint", o.LoginHint},
		{"acrValues", "acr_values", o.ACRValues},
		{"uiLocales", "ui_locales", o.UILocales},
	} {
		if f.v == "" {
			continue
		}
		if len(f.v) > 1024 || strings.ContainsAny(f.v, "\x00\r\n") {
			return nil, bad(f.name, "must be at most 1024 characters, without NUL or line breaks")
		}
		out[f.param] = f.v
	}
	if o.ACREssential && strings.TrimSpace(o.ACRValues) == "" {
		return nil, bad("acrEssential", "needs acrValues")
	}
	if o.MaxAge != nil {
		if *o.MaxAge < 0 || *o.MaxAge > maxMaxAge {
			return nil, bad("maxAge", "must be a whole number of seconds from 0 to "+strconv.Itoa(maxMaxAge))
		}
		out["max_age"] = strconv.FormatInt(*o.MaxAge, 10)
	}
	return out, nil
}

// loginOptionParams maps the parameters of the named options to the
// option that sets each.
var loginOptionParams = map[string]string{
	"prompt": "prompt", "login_hint": "loginHint", "max_age": "maxAge", "acr_values": "acrValues", "ui_locales": "uiLocales",
}

// checkExtraParam is the rule for an added authorization-request
// parameter, configured (extraParams) or per call: no secret, no
// client-credentials grant, no protocol parameter gopkce sets itself.
func checkExtraParam(k, v string) error {
	switch {
	case looksSecret(k):
		return plainError("a client secret must never be in a browser")
	case looksClientCredentials(k) || v == "client_credentials":
		return plainError(errClientCredentials)
	case reservedParams[paramName(k)] || paramName(k) == "":
		return plainError("is set by gopkce and cannot be overridden")
	case strings.ContainsAny(v, "\x00"):
		return plainError("contains a NUL character")
	}
	return nil
}

// authorizeQuery is the authorization request's query without its
// protocol parameters: the configuration's extra parameters, then the
// call's, which win.
func (c *Client) authorizeQuery(extra map[string]string) weburl.Values {
	q := weburl.Values{}
	for k, v := range c.cfg.ExtraParams {
		q.Set(k, v)
	}
	for k, v := range extra {
		q.Set(k, v)
	}
	return q
}
