package jsonv

// MaxSeconds is where [Number.Seconds] saturates: about 31.7 million
// years, beyond every count of seconds a protocol sends.
const MaxSeconds = 1_000_000_000_000_000

// Seconds reads n as a decimal count of seconds, such as a NumericDate
// (RFC 7519 §2) or an expires_in (RFC 6749 §5.1), exactly from its text:
// whole seconds and nanoseconds, both with n's sign, the nanoseconds
// truncated toward zero. A magnitude of [MaxSeconds] or more reads as
// ±MaxSeconds. ok is false when n is not a decimal number as
// strconv.ParseFloat reads one: [+-] digits [. digits] [e [+-] digits],
// with digits on at least one side of the point. It needs none of
// strconv's float tables.
func (n Number) Seconds() (sec, nsec int64, ok bool) {
	s := string(n)
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	// The significant digits, and where the point falls among them.
	var digits [30]byte
	nd, point, seen, dot := 0, 0, false, false
	for ; s != ""; s = s[1:] {
		c := s[0]
		switch {
		case c == '.' && !dot:
			dot = true
			continue
		case c < '0' || c > '9':
		case c == '0' && nd == 0:
			seen = true
			if dot {
				point--
			}
			continue
		default:
			seen = true
			if nd < len(digits) {
				digits[nd] = c
				nd++
			}
			if !dot {
				point++
			}
			continue
		}
		break
	}
	if !seen {
		return 0, 0, false
	}
	if s != "" && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		eneg := false
		if s != "" && (s[0] == '+' || s[0] == '-') {
			eneg = s[0] == '-'
			s = s[1:]
		}
		if s == "" {
			return 0, 0, false
		}
		e := 0
		for ; s != "" && s[0] >= '0' && s[0] <= '9'; s = s[1:] {
			if e < 1_000_000 {
				e = e*10 + int(s[0]-'0')
			}
		}
		if eneg {
			e = -e
		}
		point += e
	}
	if s != "" {
		return 0, 0, false
	}
	// digit returns the digit i places after the point's first digit.
	digit := func(i int) int64 {
		if i < 0 || i >= nd {
			return 0
		}
		return int64(digits[i] - '0')
	}
	switch {
	case nd == 0:
		return 0, 0, true
	case point > 15:
		sec = MaxSeconds
	default:
		for i := 0; i < point; i++ {
			sec = sec*10 + digit(i)
		}
		if point >= -9 {
			for i := point; i < point+9; i++ {
				nsec = nsec*10 + digit(i)
			}
		}
	}
	if neg {
		sec, nsec = -sec, -nsec
	}
	return sec, nsec, true
}
