package protocol

import "time"

// ParseHTTPDate reads an HTTP-date (RFC 9110 §5.6.7) in any of its three
// forms, such as a Date header: IMF-fixdate ("Sun, 06 Nov 1994 08:49:37
// GMT"), and the obsolete RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and
// asctime ("Sun Nov  6 08:49:37 1994") forms a recipient must also
// accept. All are in GMT.
//
// It accepts what time.Parse accepts with the layouts of the three forms
// (names in any ASCII case, runs of spaces where a form has one space, a
// one-digit hour, a day of the month checked against its month and year,
// the day name not checked against the date, a two-digit year taken in
// 1969-2068), except time.Parse's fractional seconds and signed two-digit
// years, which no form has. It is written by
// hand so that the browser module does not link time's layout parser.
func ParseHTTPDate(v string) (time.Time, bool) {
	v = trimSpace(v)
	if t, ok := parseIMFFixdate(v); ok {
		return t, true
	}
	if t, ok := parseRFC850Date(v); ok {
		return t, true
	}
	return parseASCTimeDate(v)
}

var (
	shortDayNames   = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	longDayNames    = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}
	shortMonthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
)

// parseIMFFixdate reads day-name "," SP day SP month SP year SP
// hour ":" minute ":" second SP "GMT".
func parseIMFFixdate(v string) (time.Time, bool) {
	d := dateReader{s: v}
	d.name(shortDayNames[:])
	d.lit(", ")
	day := d.num(2, 2)
	d.lit(" ")
	month := d.name(shortMonthNames[:]) + 1
	d.lit(" ")
	year := d.num(4, 4)
	d.lit(" ")
	h, m, s := d.clock()
	d.lit(" GMT")
	return d.date(year, month, day, h, m, s)
}

// parseRFC850Date reads day-name-l "," SP day "-" month "-" 2DIGIT SP
// hour ":" minute ":" second SP "GMT".
func parseRFC850Date(v string) (time.Time, bool) {
	d := dateReader{s: v}
	d.name(longDayNames[:])
	d.lit(", ")
	day := d.num(2, 2)
	d.lit("-")
	month := d.name(shortMonthNames[:]) + 1
	d.lit("-")
	year := d.num(2, 2)
	if year >= 69 {
		year += 1900
	} else {
		year += 2000
	}
	d.lit(" ")
	h, m, s := d.clock()
	d.lit(" GMT")
	return d.date(year, month, day, h, m, s)
}

// parseASCTimeDate reads day-name SP month SP ( 2DIGIT / ( SP DIGIT ) )
// SP hour ":" minute ":" second SP year.
func parseASCTimeDate(v string) (time.Time, bool) {
	d := dateReader{s: v}
	d.name(shortDayNames[:])
	d.lit(" ")
	month := d.name(shortMonthNames[:]) + 1
	d.lit(" ")
	if d.s != "" && d.s[0] == ' ' {
		d.s = d.s[1:]
	}
	day := d.num(1, 2)
	d.lit(" ")
	h, m, s := d.clock()
	d.lit(" ")
	year := d.num(4, 4)
	return d.date(year, month, day, h, m, s)
}

// dateReader consumes an HTTP-date from the front of s; the first
// mismatch sets bad, and every later read then fails too.
type dateReader struct {
	s   string
	bad bool
}

// lit consumes the literal text want, where a space stands for a run of
// spaces (as in time.Parse).
func (d *dateReader) lit(want string) {
	for i := 0; i < len(want); i++ {
		if want[i] == ' ' {
			if d.s != "" && d.s[0] != ' ' {
				d.bad = true
				return
			}
			for d.s != "" && d.s[0] == ' ' {
				d.s = d.s[1:]
			}
			continue
		}
		if d.s == "" || d.s[0] != want[i] {
			d.bad = true
			return
		}
		d.s = d.s[1:]
	}
}

// num consumes between least and most decimal digits.
func (d *dateReader) num(least, most int) int {
	n, i := 0, 0
	for ; i < most && i < len(d.s) && d.s[i] >= '0' && d.s[i] <= '9'; i++ {
		n = n*10 + int(d.s[i]-'0')
	}
	if i < least {
		d.bad = true
	}
	d.s = d.s[i:]
	return n
}

// name consumes one of names, in any ASCII case, and returns its index.
func (d *dateReader) name(names []string) int {
	for i, n := range names {
		if len(d.s) >= len(n) && equalFoldASCII(d.s[:len(n)], n) {
			d.s = d.s[len(n):]
			return i
		}
	}
	d.bad = true
	return 0
}

// clock consumes hour ":" minute ":" second: a one- or two-digit hour
// below 24, two-digit minutes and seconds below 60.
func (d *dateReader) clock() (h, m, s int) {
	h = d.num(1, 2)
	d.lit(":")
	m = d.num(2, 2)
	d.lit(":")
	s = d.num(2, 2)
	if h > 23 || m > 59 || s > 59 {
		d.bad = true
	}
	return h, m, s
}

// date returns the instant in UTC when the whole text was read and the
// day exists in its month and year.
func (d *dateReader) date(year, month, day, h, m, s int) (time.Time, bool) {
	if d.bad || d.s != "" || day < 1 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, h, m, s, 0, time.UTC)
	if t.Day() != day { // normalized: the month has fewer days
		return time.Time{}, false
	}
	return t, true
}

// equalFoldASCII reports whether a and b, of the same length, are equal
// with ASCII letters in any case.
func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x != y && (x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z') {
			return false
		}
	}
	return true
}
