package protocol

import (
	"testing"
	"time"
)

// Retry-After (RFC 9110 §10.2.3) as delay-seconds or an HTTP-date in the
// three forms of §5.6.7, counted from now and rounded up, within
// [0, MaxRetryAfter]; anything else is no wait.
func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	const (
		imf    = "Mon, 02 Jan 2006 15:04:05 GMT"
		rfc850 = "Monday, 02-Jan-06 15:04:05 GMT"
		asc    = "Mon Jan _2 15:04:05 2006"
	)
	day := int(MaxRetryAfter / time.Second)
	for _, tc := range []struct {
		v    string
		now  time.Time
		want int
	}{
		{"", now, 0},
		{"7", now, 7},
		{" 7\t", now, 7},
		{"0", now, 0},
		{"360000", now, day},
		{"99999999999999999999", now, day},
		{"-5", now, 0},
		{"+5", now, 0},
		{"1.5", now, 0},
		{"soon", now, 0},
		{now.Add(7 * time.Second).Format(imf), now, 7},
		{now.Add(6 * time.Second).Format(rfc850), now, 6},
		{now.Add(3 * time.Second).Format(asc), now, 3},
		{now.Add(7 * time.Second).Format(imf), now.Add(-300 * time.Millisecond), 8}, // rounded up
		{now.Add(-time.Minute).Format(imf), now, 0},
		{now.Format(imf), now, 0},
		{now.AddDate(5, 0, 0).Format(imf), now, day},
		{"Fri, 31 Dec 9999 23:59:59 GMT", now, day},
		{now.Add(3*time.Second).Format("Mon, 02 Jan 2006 15:04:05") + " CET", now, 0},
	} {
		if got := RetryAfter(tc.v, tc.now); got != tc.want {
			t.Errorf("RetryAfter(%q) = %d, want %d", tc.v, got, tc.want)
		}
	}
}
