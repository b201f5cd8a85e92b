package jsonv

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// tricky are seeds for the fuzz targets and cases for the table tests:
// the corners where a hand-written JSON decoder usually differs.
var tricky = []string{
	`{}`, `[]`, `""`, `0`, `-0`, `1e400`, `-1.5E-7`, `123456789012345678901234567890`,
	`01`, `1.`, `.5`, `-`, `+1`, `1e`, `1e+`, `0x10`, `Infinity`, `NaN`, `1_000`,
	` {"a" : [1, true, false, null, "x"] } `, "\t\r\n[1]\n",
	`{"a":1,}`, `[1,]`, `{"a" 1}`, `{a:1}`, `{'a':1}`, `[1 2]`, `{"a":1}{}`, `{"a":1} x`,
	`tru`, `nul`, `truex`, `true false`, "\ufeff{}", "\x00", "", " ", `"\u0000"`,
	`"\ud83d\ude00"`, `"\ud83d"`, `"\ude00"`, `"\ud83d\u0041"`, `"\ude00\ud83d"`,
	`"\ud83d\ud83d\ude00"`, `"\ud83dx"`, `"\ud83d\"`, `"\uD83D\uDE00"`, `"\u12"`, `"\uzzzz"`,
	`"\x"`, `"\'"`, `"\/\\\"\b\f\n\r\t"`, "\"a\x01b\"", "\"\x7f\"", "\"\xff\"", "\"a\xc3\"",
	"\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xef\xbf\xbd\"", "\"\xe2\x80\xa8\u2029\"",
	`"<>&"`, `{"a":1,"a":2}`, `{"a":1,"A":2}`, `{"\u0061":1,"a":2}`, `{"":1}`,
	`{"alg":"RS256","ALG":"none"}`, `{"a":{"b":[{"c":null}]}}`,
	strings.Repeat("[", 1000) + strings.Repeat("]", 1000),
	strings.Repeat("[", 1001) + strings.Repeat("]", 1001),
	strings.Repeat(`{"a":`, 1001) + "1" + strings.Repeat("}", 1001),
}

// toStd turns a decoded value into what encoding/json decodes with
// UseNumber: json.Number for Number.
func toStd(v any) any {
	switch v := v.(type) {
	case Number:
		return json.Number(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = toStd(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = toStd(e)
		}
		return out
	}
	return v
}

// stdDecode decodes data as encoding/json does with UseNumber.
func stdDecode(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("encoding/json refused what json.Valid accepts: %q: %v", data, err)
	}
	return v
}

// stdEncode is encoding/json's Encoder with SetEscapeHTML(false), without
// the trailing newline.
func stdEncode(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// shape walks valid JSON with encoding/json's tokenizer and reports its
// nesting depth and whether an object repeats a member name (after
// unescaping).
func shape(t *testing.T, data []byte) (depth int, dup bool) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		names  map[string]bool
		object bool
		key    bool // the next string token is a member name
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return depth, dup
		}
		if err != nil {
			t.Fatalf("tokenizing valid JSON %q: %v", data, err)
		}
		top := len(stack) - 1
		if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
			if top >= 0 && stack[top].object {
				stack[top].key = true // a value ended; the next string is a name
			}
			stack = append(stack, frame{names: map[string]bool{}, object: d == '{', key: d == '{'})
			depth = max(depth, len(stack))
			continue
		}
		if _, ok := tok.(json.Delim); ok {
			stack = stack[:top]
			if top-1 >= 0 && stack[top-1].object {
				stack[top-1].key = true
			}
			continue
		}
		if top >= 0 && stack[top].object {
			if stack[top].key {
				name := tok.(string)
				dup = dup || stack[top].names[name]
				stack[top].names[name] = true
				stack[top].key = false
			} else {
				stack[top].key = true
			}
		}
	}
}

// FuzzDecode: for any bytes, Decoder{AllowDuplicates: true} succeeds iff
// json.Valid (within MaxDepth) and then gives encoding/json's value
// (UseNumber); Decode also refuses repeated member names and nothing
// else; the value encodes as encoding/json encodes it, and decodes back to
// itself.
func FuzzDecode(f *testing.F) {
	for _, s := range tricky {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Decoder{AllowDuplicates: true}.Decode(data)
		strict, strictErr := Decode(data)
		if !json.Valid(data) {
			if err == nil || strictErr == nil {
				t.Fatalf("accepted invalid JSON %q: %#v", data, got)
			}
			return
		}
		depth, dup := shape(t, data)
		if depth > MaxDepth {
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.As(strictErr, &se) {
				t.Fatalf("nesting %d > MaxDepth not refused as a SyntaxError: %v %v", depth, err, strictErr)
			}
			return
		}
		if err != nil {
			t.Fatalf("refused valid JSON %q: %v", data, err)
		}
		want := stdDecode(t, data)
		if !reflect.DeepEqual(toStd(got), want) {
			t.Fatalf("decoded %q as %#v, encoding/json as %#v", data, got, want)
		}
		var de *DuplicateError
		if dup != errors.As(strictErr, &de) || dup != (strictErr != nil) {
			t.Fatalf("%q: repeated member names %v, but Decode says %v", data, dup, strictErr)
		}
		if strictErr == nil && !reflect.DeepEqual(strict, got) {
			t.Fatalf("Decode and Decoder{AllowDuplicates} differ on %q", data)
		}
		enc, err := Append(nil, got)
		if err != nil {
			t.Fatalf("cannot encode %#v: %v", got, err)
		}
		if wantEnc := stdEncode(t, want); !bytes.Equal(enc, wantEnc) {
			t.Fatalf("encoded %q as\n%q, encoding/json as\n%q", data, enc, wantEnc)
		}
		back, err := Decode(enc)
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Fatalf("%q does not round-trip: %q gives %#v %v", data, enc, back, err)
		}
	})
}

// FuzzAppendString: any Go string, valid UTF-8 or not, is escaped byte
// for byte as encoding/json escapes it without HTML escaping, as a value
// and as a member name, and decodes back as encoding/json decodes it.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "\"\\/", "\b\f\n\r\t\x00\x01\x1f\x7f", "<script>&amp;</script>",
		"\u2028\u2029", "\xe2\x80\xa8", "\xe2\x80", "\xff\xfe", "\xed\xa0\x80", "\xef\xbf\xbd", "é😀\U0010ffff", "a\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := AppendString([]byte("x"), s)
		if want := append([]byte("x"), stdEncode(t, s)...); !bytes.Equal(got, want) {
			t.Fatalf("AppendString(%q) = %q, encoding/json %q", s, got, want)
		}
		m, err := Append(nil, map[string]any{s: s})
		if err != nil {
			t.Fatal(err)
		}
		if want := stdEncode(t, map[string]any{s: s}); !bytes.Equal(m, want) {
			t.Fatalf("object with %q = %q, encoding/json %q", s, m, want)
		}
		back, err := Decode(got[1:])
		var want string
		if json.Unmarshal(got[1:], &want) != nil || err != nil || back != want {
			t.Fatalf("%q decodes as %q %v, encoding/json %q", got[1:], back, err, want)
		}
	})
}
