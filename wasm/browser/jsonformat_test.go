//go:build js && wasm

package main

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
	"github.com/gopkce/gopkce/wasm/oauth"
)

// What the binding writes for JavaScript is what encoding/json wrote
// before the module stopped linking it: the loader's fast-path record
// (which a page loaded before the upgrade may still find in
// sessionStorage, and the other way round) and getSession's object.

func TestFastRecordFormat(t *testing.T) {
	until := time.UnixMilli(1_800_000_000_123)
	for _, tc := range []fastRecord{{Config: "cfg", Token: "tok", Until: until.UnixMilli()},
		{Config: "https://idp.example<&>|c", Token: "eyJ\u2028\"\\\x01.x", Until: until.UnixMilli(), Key: "gopkce:tokens:x", Hash: 1<<53 - 1}} {
		got := tc.encode()
		old := struct {
			Config string `json:"c"`
			Token  string `json:"t"`
			Until  int64  `json:"u"`
			Key    string `json:"k,omitempty"`
			Hash   int64  `json:"h,omitempty"`
		}{tc.Config, tc.Token, tc.Until, tc.Key, tc.Hash}
		want, _ := json.Marshal(old)
		var a, b any
		if json.Unmarshal(got, &a) != nil || json.Unmarshal(want, &b) != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("fastRecord = %s, encoding/json wrote %s", got, want)
		}
		r := jsFunction.New("raw", "return JSON.parse(raw)").Invoke(string(got))
		if r.Get("c").String() != tc.Config || r.Get("t").String() != tc.Token || r.Get("u").Int() != 1_800_000_000_123 ||
			r.Get("k").Truthy() != (tc.Key != "") || r.Get("h").Truthy() && r.Get("h").Int() != int(tc.Hash) {
			t.Errorf("the loader reads %s wrongly", got)
		}
	}
	// The session and the origins, as the loader reads them.
	rec := fastRecord{Config: "c", Token: "t", Until: 1, Session: []byte(`{"loggedIn":true,"hasRefreshToken":false}`), Origins: []string{"https://api.example", "http://127.0.0.1:8081"}}
	r := jsFunction.New("raw", "return JSON.parse(raw)").Invoke(string(rec.encode()))
	if !r.Get("s").Get("loggedIn").Bool() || r.Get("o").Length() != 2 || r.Get("o").Index(1).String() != "http://127.0.0.1:8081" {
		t.Errorf("the loader reads %s wrongly", rec.encode())
	}
}

func TestSessionObjectFormat(t *testing.T) {
	for _, s := range []oauth.Session{{}, {LoggedIn: true, ExpiresAt: 1, HasRefreshToken: true, Scope: "openid <x>"},
		{LoggedIn: true, RefreshTokenExpiresAt: 1_800_000_000_000}} {
		got, err := jsonv.Marshal(sessionObject(s))
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.Encode(s)
		var x, y any
		if err != nil || json.Unmarshal(got, &x) != nil || json.Unmarshal(b.Bytes(), &y) != nil || !reflect.DeepEqual(x, y) {
			t.Errorf("session %+v as %s, encoding/json wrote %s", s, got, b.Bytes())
		}
	}
}
