package protocol

import "time"

// MaxRetryAfter bounds what [RetryAfter] returns, so that a date far in
// the future cannot overflow a duration or park a client.
const MaxRetryAfter = 24 * time.Hour

// RetryAfter reads a Retry-After header value (RFC 9110 §10.2.3):
// delay-seconds, or an HTTP-date turned into the whole seconds left from
// now, rounded up. It returns the seconds to wait: 0 when the value is
// absent, neither form (a sign, a fraction, a date not in GMT) or a date
// in the past, and at most [MaxRetryAfter].
func RetryAfter(v string, now time.Time) int {
	const maxSeconds = int(MaxRetryAfter / time.Second)
	v = trimSpace(v)
	if v != "" && allDigits(v) {
		n := 0
		for i := 0; i < len(v) && n < maxSeconds; i++ {
			n = n*10 + int(v[i]-'0')
		}
		return min(n, maxSeconds)
	}
	if at, ok := ParseHTTPDate(v); ok {
		d := at.Sub(now) // saturates, never overflows
		if d <= 0 {
			return 0
		}
		return int((min(d, MaxRetryAfter) + time.Second - 1) / time.Second)
	}
	return 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// trimSpace drops the optional white space around a field value
// (RFC 9110 §5.5: spaces and horizontal tabs).
func trimSpace(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
