package weburl

import (
	"strconv"
	"strings"
)

// CanonicalOrigin is the origin of an http or https URL as a browser
// serialises it (WHATWG URL, host parsing and origin serialisation):
// lowercase scheme and host; an IPv4 address in any form the browser
// reads ("127.1", "0x7f.0.0.1", "0177.0.0.1") as dotted decimal; an IPv6
// address compressed (RFC 5952 §4, IPv4-embedded forms in hex as WHATWG
// writes them); the port without leading zeros and the default one
// dropped. It fails where the browser's parser fails (an IPv4 number out
// of range, a port above 65535).
func (u *URL) CanonicalOrigin() (string, error) {
	scheme := strings.ToLower(u.Scheme)
	host, port := splitHostPort(u.Host)
	var err error
	if strings.HasPrefix(u.Host, "[") {
		ip, ok := parseIPv6(host)
		if !ok {
			return "", syntaxError("host is not a valid IPv6 address")
		}
		host = "[" + formatIPv6(ip) + "]"
	} else if host, err = canonicalDomainOrIPv4(strings.ToLower(host)); err != nil {
		return "", err
	}
	if port != "" {
		n, perr := strconv.Atoi(strings.TrimLeft(port, "0") + "0")
		if perr != nil || n/10 > 65535 || len(port) > 16 {
			return "", syntaxError("port is out of range (0 to 65535)")
		}
		port = strconv.Itoa(n / 10)
		if scheme == "https" && port == "443" || scheme == "http" && port == "80" {
			port = ""
		}
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host, nil
}

// canonicalDomainOrIPv4 applies the WHATWG IPv4 parser to a host that
// ends in a number, and leaves any other host as it is.
func canonicalDomainOrIPv4(host string) (string, error) {
	parts := strings.Split(host, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if _, ok := ipv4Number(last); !ok && strings.Trim(last, "0123456789") != "" || last == "" {
		return host, nil // a domain
	}
	if len(parts) > 4 {
		return "", syntaxError("host looks like an IPv4 address with more than four parts")
	}
	var nums []uint64
	for _, p := range parts {
		n, ok := ipv4Number(p)
		if !ok {
			return "", syntaxError("host looks like an IPv4 address but a part is not a number")
		}
		nums = append(nums, n)
	}
	var v uint64
	for i, n := range nums[:len(nums)-1] {
		if n > 255 {
			return "", syntaxError("host is an IPv4 address with a part above 255")
		}
		v |= n << (8 * (3 - i))
	}
	lastN := nums[len(nums)-1]
	if lastN >= 1<<(8*(5-len(nums))) {
		return "", syntaxError("host is an IPv4 address out of range")
	}
	v |= lastN
	return strconv.Itoa(int(v>>24)) + "." + strconv.Itoa(int(v>>16&255)) + "." + strconv.Itoa(int(v>>8&255)) + "." + strconv.Itoa(int(v&255)), nil
}

// ipv4Number is the WHATWG IPv4 number parser: "0x" hexadecimal, a
// leading "0" octal, else decimal; "" is not a number.
func ipv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
		if s == "" {
			return 0, true
		}
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	if len(s) > 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, base, 64)
	return n, err == nil && n < 1<<40
}

// formatIPv6 writes ip as WHATWG URL serialises an IPv6 address: the
// first longest run of two or more zero pieces compressed, lowercase hex
// without leading zeros.
func formatIPv6(ip [16]byte) string {
	var pieces [8]uint16
	for i := range pieces {
		pieces[i] = uint16(ip[2*i])<<8 | uint16(ip[2*i+1])
	}
	bestAt, bestLen := -1, 1
	for i := 0; i < 8; {
		if pieces[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && pieces[j] == 0 {
			j++
		}
		if j-i > bestLen {
			bestAt, bestLen = i, j-i
		}
		i = j
	}
	var b strings.Builder
	for i := 0; i < 8; i++ {
		if i == bestAt {
			b.WriteString("::")
			i += bestLen - 1
			continue
		}
		if b.Len() > 0 && !strings.HasSuffix(b.String(), ":") {
			b.WriteByte(':')
		}
		b.WriteString(strconv.FormatUint(uint64(pieces[i]), 16))
	}
	return b.String()
}
