package jsonv

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestNumberSeconds(t *testing.T) {
	for _, tc := range []struct {
		n         Number
		sec, nsec int64
		ok        bool
	}{
		{"0", 0, 0, true},
		{"-0", 0, 0, true},
		{"3600", 3600, 0, true},
		{"1700000000.123456789", 1700000000, 123456789, true},
		{"1700000000.1234567899", 1700000000, 123456789, true},
		{"-1.5", -1, -500000000, true},
		{"1.5e3", 1500, 0, true},
		{"15E-1", 1, 500000000, true},
		{"1e-9", 0, 1, true},
		{"1e-10", 0, 0, true},
		{"0.000000001", 0, 1, true},
		{"+7", 7, 0, true},
		{".5", 0, 500000000, true},
		{"5.", 5, 0, true},
		{"999999999999999.9", 999999999999999, 900000000, true},
		{"1e15", MaxSeconds, 0, true},
		{"-1e400", -MaxSeconds, 0, true},
		{"1e-400", 0, 0, true},
		{"1e99999999999999999999", MaxSeconds, 0, true},
		{"", 0, 0, false},
		{".", 0, 0, false},
		{"-", 0, 0, false},
		{"1e", 0, 0, false},
		{"e5", 0, 0, false},
		{"1.2.3", 0, 0, false},
		{"NaN", 0, 0, false},
		{"Inf", 0, 0, false},
		{"0x1p4", 0, 0, false},
		{"1_000", 0, 0, false},
		{" 1", 0, 0, false},
		{"1 ", 0, 0, false},
	} {
		sec, nsec, ok := tc.n.Seconds()
		if sec != tc.sec || nsec != tc.nsec || ok != tc.ok {
			t.Errorf("Number(%q).Seconds() = %d, %d, %v; want %d, %d, %v", tc.n, sec, nsec, ok, tc.sec, tc.nsec, tc.ok)
		}
	}
}

// Seconds reads every decimal number strconv.ParseFloat reads, to the
// same value within float64's precision, saturating where ParseFloat
// overflows, and refuses what ParseFloat refuses.
func FuzzNumberSeconds(f *testing.F) {
	for _, s := range []string{"0", "-0.0", "3600", "1.5e3", "1700000000.123456789", ".5", "5.", "+1",
		"1e15", "-1e400", "1e-400", "123456789012345678901234567890e-20", "0.000000000999", "999999999999999.99999999", "1e", "NaN", "0x1p4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sec, nsec, ok := Number(s).Seconds()
		if ok && (sec < 0 && nsec > 0 || sec > 0 && nsec < 0 || nsec <= -1e9 || nsec >= 1e9) {
			t.Fatalf("Number(%q).Seconds() = %d, %d: the parts disagree", s, sec, nsec)
		}
		fl, err := strconv.ParseFloat(s, 64)
		lower := strings.ToLower(s)
		if strings.Contains(lower, "x") || strings.Contains(lower, "n") || strings.Contains(s, "_") {
			// Hexadecimal, infinity and NaN, and underscores: not decimal numbers.
			if ok {
				t.Fatalf("Number(%q).Seconds() read %d, %d", s, sec, nsec)
			}
			return
		}
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			if ok {
				t.Fatalf("Number(%q).Seconds() read %d, %d; ParseFloat: %v", s, sec, nsec, err)
			}
			return
		}
		if !ok {
			t.Fatalf("Number(%q).Seconds() refused it; ParseFloat reads %v", s, fl)
		}
		if sec == MaxSeconds || sec == -MaxSeconds {
			if nsec != 0 || (sec > 0) != (fl > 0) || math.Abs(fl) < MaxSeconds*(1-0x1p-50) {
				t.Fatalf("Number(%q).Seconds() = %d, %d; ParseFloat reads %v", s, sec, nsec, fl)
			}
			return
		}
		got := float64(sec) + float64(nsec)/1e9
		if tol := math.Abs(fl)*0x1p-50 + 1e-9; math.Abs(got-fl) > tol {
			t.Fatalf("Number(%q).Seconds() = %d, %d; ParseFloat reads %v", s, sec, nsec, fl)
		}
	})
}
