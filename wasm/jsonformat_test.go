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
	for _, tc := range [][2]string{{"cfg", "tok"}, {"https://idp.example<&>|c", "eyJ\u2028\"\\\x01.x"}} {
		got := fastRecord(tc[0], tc[1], until)
		old := struct {
			Config string `json:"c"`
			Token  string `json:"t"`
			Until  int64  `json:"u"`
		}{tc[0], tc[1], until.UnixMilli()}
		want, _ := json.Marshal(old)
		var a, b any
		if json.Unmarshal(got, &a) != nil || json.Unmarshal(want, &b) != nil || !reflect.DeepEqual(a, b) {
			t.Errorf("fastRecord = %s, encoding/json wrote %s", got, want)
		}
		r := jsFunction.New("raw", "return JSON.parse(raw)").Invoke(string(got))
		if r.Get("c").String() != tc[0] || r.Get("t").String() != tc[1] || r.Get("u").Int() != 1_800_000_000_123 {
			t.Errorf("the loader reads %s wrongly", got)
		}
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
