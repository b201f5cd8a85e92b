package protocol

import (
	"regexp"
	"testing"
	"time"
)

// The layouts of the three HTTP-date forms (RFC 9110 §5.6.7), for
// time.Parse: the reference ParseHTTPDate is held to.
var httpDateLayouts = [...]string{
	"Mon, 02 Jan 2006 15:04:05 GMT",
	"Monday, 02-Jan-06 15:04:05 GMT",
	"Mon Jan _2 15:04:05 2006",
}

// timeParseHTTPDate is ParseHTTPDate written with time.Parse.
func timeParseHTTPDate(v string) (time.Time, bool) {
	v = trimSpace(v)
	for _, layout := range httpDateLayouts {
		if at, err := time.Parse(layout, v); err == nil {
			return at, true
		}
	}
	return time.Time{}, false
}

// What time.Parse accepts with these layouts and no form has: a fraction
// after the seconds, and a sign in a two-digit year.
var (
	fractionalSeconds = regexp.MustCompile(`:[0-9][0-9][.,][0-9]`)
	signedShortYear   = regexp.MustCompile(`-[A-Za-z]{3}-[+-]`)
)

func TestParseHTTPDate(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want time.Time
		ok   bool
	}{
		{"Sun, 06 Nov 1994 08:49:37 GMT", time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC), true},
		{"Sunday, 06-Nov-94 08:49:37 GMT", time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC), true},
		{"Sun Nov  6 08:49:37 1994", time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC), true},
		{"Sun Nov 16 08:49:37 1994", time.Date(1994, 11, 16, 8, 49, 37, 0, time.UTC), true},
		{" Tue, 29 Feb 2000 23:59:59 GMT\t", time.Date(2000, 2, 29, 23, 59, 59, 0, time.UTC), true},
		{"Thursday, 01-Jan-68 00:00:00 GMT", time.Date(2068, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"Thursday, 01-Jan-69 00:00:00 GMT", time.Date(1969, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"sun, 06 NOV 1994 8:49:37 GMT", time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC), true},
		{"Mon, 06 Nov 1994 08:49:37 GMT", time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC), true}, // the day name is not checked
		{"Sun,  06 Nov  1994 08:49:37   GMT", time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC), true},
		{"Wed, 29 Feb 2001 00:00:00 GMT", time.Time{}, false},
		{"Wed, 31 Apr 2001 00:00:00 GMT", time.Time{}, false},
		{"Wed, 00 Apr 2001 00:00:00 GMT", time.Time{}, false},
		{"Sun, 06 Nov 1994 24:00:00 GMT", time.Time{}, false},
		{"Sun, 06 Nov 1994 08:60:00 GMT", time.Time{}, false},
		{"Sun, 06 Nov 1994 08:49:60 GMT", time.Time{}, false},
		{"Sun, 06 Nov 1994 08:49:37 UTC", time.Time{}, false},
		{"Sun, 06 Nov 1994 08:49:37 gmt", time.Time{}, false},
		{"Sun, 06 Nov 1994 08:49:37", time.Time{}, false},
		{"Sun, 6 Nov 1994 08:49:37 GMT", time.Time{}, false},
		{"Sun, 06 Nov 94 08:49:37 GMT", time.Time{}, false},
		{"Sun, 06 Nov 1994 08:49:37.5 GMT", time.Time{}, false},
		{"Sunday, 06-Nov-+4 08:49:37 GMT", time.Time{}, false},
		{"Sun, 06 Nov 1994 08:49:37 GMT x", time.Time{}, false},
		{"Sun Nov 6 08:49:37 1994 GMT", time.Time{}, false},
		{"1994-11-06T08:49:37Z", time.Time{}, false},
		{"", time.Time{}, false},
	} {
		got, ok := ParseHTTPDate(tc.v)
		if ok != tc.ok || !got.Equal(tc.want) || (ok && got.Location() != time.UTC) {
			t.Errorf("ParseHTTPDate(%q) = %v, %v; want %v, %v", tc.v, got, ok, tc.want, tc.ok)
		}
	}
}

// ParseHTTPDate accepts what time.Parse accepts with the three layouts,
// and reads the same instant, but for fractional seconds and signed
// two-digit years.
func FuzzParseHTTPDate(f *testing.F) {
	for _, s := range []string{
		"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
		"Sun Nov 6 8:49:37 1994", "Sun Nov 06 08:49:37 1994", "sAT, 29 fEb 2020 00:00:00 GMT",
		"Wed, 29 Feb 2001 00:00:00 GMT", "Sun, 06 Nov 1994 08:49:37.123 GMT", "Sunday, 06-Nov--4 08:49:37 GMT",
		"Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0000 00:00:00 GMT", "Sun Nov  6 08:49:37 1994 ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got, ok := ParseHTTPDate(v)
		want, wantOK := timeParseHTTPDate(v)
		if wantOK && !ok && (fractionalSeconds.MatchString(v) || signedShortYear.MatchString(v)) {
			return
		}
		if ok != wantOK || !got.Equal(want) || got.Location() != want.Location() {
			t.Fatalf("ParseHTTPDate(%q) = %v, %v; time.Parse reads %v, %v", v, got, ok, want, wantOK)
		}
	})
}
