package jsonv

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeStrings(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`"\ud83d\ude00"`, "😀"},
		{`"\uD83D\uDE00"`, "😀"},
		{`"\ud83d"`, "\uFFFD"},
		{`"\ude00"`, "\uFFFD"},
		{`"\ud83d\u0041"`, "\uFFFDA"},
		{`"\ude00\ud83d"`, "\uFFFD\uFFFD"},
		{`"\ud83d\ud83d\ude00"`, "\uFFFD😀"},
		{`"\ud83dx"`, "\uFFFDx"},
		{"\"\xff\"", "\uFFFD"},
		{"\"a\xc3\"", "a\uFFFD"},
		{"\"\xed\xa0\x80\"", "\uFFFD\uFFFD\uFFFD"}, // a surrogate in UTF-8: three bytes, each replaced
		{"\"\xef\xbf\xbd\"", "\uFFFD"},
		{`"\/\\\"\b\f\n\r\t"`, "/\\\"\b\f\n\r\t"},
		{`"\u0000"`, "\x00"},
		{"\"\x7f<>&\u2028\"", "\x7f<>&\u2028"},
	} {
		got, err := Decode([]byte(tc.in))
		if err != nil || got != tc.want {
			t.Errorf("Decode(%q) = %q %v, want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"\"a\x01b\"", `"\x"`, `"\'"`, `"\u12"`, `"\uzzzz"`, `"abc`, `"\`} {
		if _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("Decode(%q) accepted", bad)
		}
	}
}

func TestDecodeValues(t *testing.T) {
	got, err := Decode([]byte(` {"a" : [1, -0.5e3, true, false, null, "x", {}, []], "A": "case" } `))
	want := map[string]any{"a": []any{Number("1"), Number("-0.5e3"), true, false, nil, "x", map[string]any{}, []any{}}, "A": "case"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v %v", got, err)
	}
	for _, bad := range []string{"", " ", "01", "1.", ".5", "-", "+1", "1e", "0x10", "NaN", "tru", "truex", "true false",
		`{"a":1,}`, `[1,]`, `{a:1}`, `{"a":1}{}`, `{"a":1} x`, "\ufeff{}", `{"a"}`, `[`, `{"a":`} {
		if v, err := Decode([]byte(bad)); err == nil {
			t.Errorf("Decode(%q) = %#v, want an error", bad, v)
		}
	}
}

// Repeated member names are refused at any depth, after unescaping, and
// only when exactly equal: "a" and "A" are two members.
func TestDuplicates(t *testing.T) {
	for _, in := range []string{`{"a":1,"a":2}`, `{"a":1,"\u0061":1}`, `[{"x":{"alg":"RS256","alg":"none"}}]`} {
		_, err := Decode([]byte(in))
		var de *DuplicateError
		if !errors.As(err, &de) {
			t.Errorf("Decode(%s): %v, want a DuplicateError", in, err)
		}
		v, err := Decoder{AllowDuplicates: true}.Decode([]byte(in))
		if err != nil {
			t.Errorf("Decoder{AllowDuplicates}: %s: %v", in, err)
		}
		if m, ok := v.(map[string]any); ok && m["a"] != Number("2") && m["a"] != Number("1") {
			t.Errorf("last member not kept: %#v", m)
		}
	}
	v, _ := Decoder{AllowDuplicates: true}.Decode([]byte(`{"a":1,"a":2}`))
	if v.(map[string]any)["a"] != Number("2") {
		t.Errorf("AllowDuplicates kept %#v, want the last", v)
	}
	o, err := DecodeObject([]byte(`{"alg":"RS256","ALG":"none","Alg":"HS256"}`))
	if err != nil || o["alg"] != "RS256" || len(o) != 3 {
		t.Errorf("case-differing names: %#v %v", o, err)
	}
}

func TestDepth(t *testing.T) {
	if _, err := Decode([]byte(strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth))); err != nil {
		t.Errorf("MaxDepth refused: %v", err)
	}
	var se *SyntaxError
	if _, err := Decode([]byte(strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1))); !errors.As(err, &se) {
		t.Errorf("MaxDepth+1: %v", err)
	}
}

func TestNumber(t *testing.T) {
	if n, err := Number("9007199254740993").Int64(); err != nil || n != 9007199254740993 {
		t.Errorf("Int64 rounded: %d %v", n, err)
	}
	for _, s := range []string{"1.0", "1e3", "9223372036854775808", "-"} {
		if _, err := Number(s).Int64(); err == nil {
			t.Errorf("Int64(%s) accepted", s)
		}
	}
	if f, err := Number("1e400").Float64(); err == nil || !math.IsInf(f, 1) {
		t.Errorf("Float64(1e400) = %v %v", f, err)
	}
	if f, err := Number("-1.5E-7").Float64(); err != nil || f != -1.5e-7 {
		t.Errorf("Float64 = %v %v", f, err)
	}
}

func TestMembers(t *testing.T) {
	o, err := DecodeObject([]byte(`{"s":"x","n":null,"b":true,"i":12,"f":1.5,"big":1e3,"l":["a",null],"bad":[1]}`))
	if err != nil {
		t.Fatal(err)
	}
	if s, ok := StringMember(o, "s"); !ok || s != "x" {
		t.Error("s")
	}
	if s, ok := StringMember(o, "n"); !ok || s != "" {
		t.Error("null string")
	}
	if s, ok := StringMember(o, "absent"); !ok || s != "" {
		t.Error("absent string")
	}
	if _, ok := StringMember(o, "b"); ok {
		t.Error("bool as string")
	}
	if _, ok := StringMember(o, "S"); !ok {
		t.Error("S is absent, not s")
	}
	if b, ok := BoolMember(o, "b"); !ok || !b {
		t.Error("b")
	}
	if _, ok := BoolMember(o, "s"); ok {
		t.Error("string as bool")
	}
	if i, ok := Int64Member(o, "i"); !ok || i != 12 {
		t.Error("i")
	}
	for _, k := range []string{"f", "big", "s"} {
		if _, ok := Int64Member(o, k); ok {
			t.Errorf("%s as int64", k)
		}
	}
	if l, ok := Strings(o["l"]); !ok || !reflect.DeepEqual(l, []string{"a", ""}) {
		t.Errorf("l = %#v", l)
	}
	if l, ok := Strings(o["absent"]); !ok || l != nil {
		t.Error("absent list")
	}
	if l, ok := Strings([]any{}); !ok || l == nil {
		t.Error("[] is an empty list, not nil")
	}
	if _, ok := Strings(o["bad"]); ok {
		t.Error("list of numbers")
	}
}

func TestEncode(t *testing.T) {
	var o Object
	o.Int("v", 1)
	o.String("s", "<é>\u2028\x00\"")
	o.Bool("b", false)
	o.Raw("body", []byte(`{"a":[1]}`))
	if got, want := string(o.Bytes()), `{"v":1,"s":"<é>\u2028\u0000\"","b":false,"body":{"a":[1]}}`; got != want {
		t.Errorf("Object = %s, want %s", got, want)
	}
	if got := string((&Object{}).Bytes()); got != "{}" {
		t.Errorf("empty Object = %s", got)
	}
	b, err := Marshal(map[string]any{"b": []any{Number(""), int64(-3), 7, nil}, "a": map[string]string{"y": "1", "x": "2"}, "c": []string{"q"}})
	if want := `{"a":{"x":"2","y":"1"},"b":[0,-3,7,null],"c":["q"]}`; err != nil || string(b) != want {
		t.Errorf("Marshal = %s %v, want %s", b, err, want)
	}
	for _, bad := range []any{Number("1x"), 1.5, struct{}{}, []any{Number("NaN")}} {
		if _, err := Marshal(bad); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Marshal(%#v): %v", bad, err)
		}
	}
}

func TestFields(t *testing.T) {
	o, _ := DecodeObject([]byte(`{"s":"x","b":true,"i":3,"l":["a"],"S":1}`))
	f := Fields{Object: o}
	if f.String("s") != "x" || !f.Bool("b") || f.Int64("i") != 3 || !reflect.DeepEqual(f.Strings("l"), []string{"a"}) || f.String("absent") != "" || f.Bad != "" {
		t.Fatalf("Fields read wrongly: %+v", f)
	}
	f.Int64("s")
	f.String("b")
	if f.Bad != "s" {
		t.Errorf("Bad = %q, want the first wrong member, s", f.Bad)
	}
}
