package weburl

// IsLoopbackIP reports whether s is an IP address in a loopback range:
// 127.0.0.0/8 (RFC 1122 §3.2.1.3), ::1 (RFC 4291 §2.5.3), or
// 127.0.0.0/8 mapped into IPv6 (::ffff:127.0.0.1). The syntax is
// net/netip's ParseAddr without zones: dotted decimal without leading
// zeros, RFC 4291 §2.2 text for IPv6.
func IsLoopbackIP(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '.':
			ip, ok := parseIPv4(s)
			return ok && ip[0] == 127
		case ':':
			ip, ok := parseIPv6(s)
			if !ok {
				return false
			}
			if isZero(ip[:10]) && ip[10] == 0xff && ip[11] == 0xff {
				return ip[12] == 127
			}
			return isZero(ip[:15]) && ip[15] == 1
		}
	}
	return false
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func parseIPv4(s string) ([4]byte, bool) {
	var ip [4]byte
	return ip, parseIPv4Fields(s, ip[:])
}

// parseIPv4Fields parses dotted decimal into four bytes, as net/netip.
func parseIPv4Fields(s string, fields []byte) bool {
	val, pos, digits := 0, 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9':
			if digits == 1 && val == 0 {
				return false // leading zero
			}
			val = val*10 + int(c-'0')
			digits++
			if val > 255 {
				return false
			}
		case c == '.':
			if i == 0 || i == len(s)-1 || s[i-1] == '.' || pos == 3 {
				return false
			}
			fields[pos] = byte(val)
			pos++
			val, digits = 0, 0
		default:
			return false
		}
	}
	if pos < 3 {
		return false
	}
	fields[3] = byte(val)
	return true
}

// parseIPv6 parses an IPv6 address without a zone, as net/netip's
// parseIPv6 (RFC 4291 §2.2).
func parseIPv6(s string) ([16]byte, bool) {
	var ip [16]byte
	ellipsis := -1
	if len(s) >= 2 && s[0] == ':' && s[1] == ':' {
		ellipsis = 0
		s = s[2:]
		if s == "" {
			return ip, true
		}
	}
	i := 0
	for i < 16 {
		off, acc := 0, uint32(0)
		for ; off < len(s); off++ {
			c := s[off]
			if !ishex(c) {
				break
			}
			if off > 3 {
				return ip, false
			}
			acc = acc<<4 + uint32(unhex(c))
		}
		if off == 0 {
			return ip, false
		}
		if off < len(s) && s[off] == '.' {
			if ellipsis < 0 && i != 12 || i+4 > 16 {
				return ip, false
			}
			if !parseIPv4Fields(s, ip[i:i+4]) {
				return ip, false
			}
			s = ""
			i += 4
			break
		}
		ip[i], ip[i+1] = byte(acc>>8), byte(acc)
		i += 2
		s = s[off:]
		if s == "" {
			break
		}
		if s[0] != ':' || len(s) == 1 {
			return ip, false
		}
		s = s[1:]
		if s[0] == ':' {
			if ellipsis >= 0 {
				return ip, false
			}
			ellipsis = i
			s = s[1:]
			if s == "" {
				break
			}
		}
	}
	if s != "" {
		return ip, false
	}
	if i < 16 {
		if ellipsis < 0 {
			return ip, false
		}
		n := 16 - i
		for j := i - 1; j >= ellipsis; j-- {
			ip[j+n] = ip[j]
		}
		clear(ip[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return ip, false
	}
	return ip, true
}
