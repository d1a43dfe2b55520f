package funcs

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file holds the two date notations the language borrows: Java
// DateTimeFormatter patterns for parseDate, and strftime directives for
// formatDate. Both are implemented here from their public specifications;
// only the subsets listed in the doc comments are supported.

// dateField is what one token of a parseDate pattern reads.
type dateField uint8

const (
	dfLiteral dateField = iota
	dfYear
	dfYear2 // yy: two digits, 2000–2099
	dfMonth
	dfMonthText
	dfDay
	dfDayOfYear
	dfHour24   // H: 0–23
	dfHour12   // h: 1–12
	dfHour0_11 // K: 0–11
	dfHour1_24 // k: 1–24
	dfMinute
	dfSecond
	dfFraction
	dfAmPm
	dfDayName
	dfOffset
	dfZone
)

type dateToken struct {
	field dateField
	width int    // pattern letters
	lit   string // dfLiteral
	fixed bool   // read exactly width digits (set for widths >= 2 and adjacent numbers)
}

// datePattern is a compiled parseDate pattern.
type datePattern []dateToken

var datePatternCache cache[datePattern]

// compileDatePattern reads a Java DateTimeFormatter pattern. Supported
// letters: y u (year; yy is 2000–2099), M L (month: M, MM, MMM, MMMM), d,
// D (day of year), H, h, K, k, m, s, S… (fraction of second, one digit per
// letter), a (AM/PM), E (day name, read and ignored), X x Z (offset: Z or
// ±HH[[:]MM[[:]SS]]), z and VV (zone: an IANA name, UTC or an offset).
// Text between single quotes is literal, a doubled single quote stands for
// one, and other non-letters are literal.
// Optional sections ([ ]) and any other letter are errors wrapping
// ErrDateFormat.
func compileDatePattern(p string) (datePattern, error) {
	return datePatternCache.get(p, func(p string) (datePattern, error) {
		var toks datePattern
		lit := func(s string) {
			if n := len(toks); n > 0 && toks[n-1].field == dfLiteral {
				toks[n-1].lit += s
				return
			}
			toks = append(toks, dateToken{field: dfLiteral, lit: s})
		}
		for i := 0; i < len(p); {
			c := p[i]
			switch {
			case c == '\'':
				j := i + 1
				if j < len(p) && p[j] == '\'' {
					lit("'")
					i = j + 1
					continue
				}
				var b strings.Builder
				for {
					if j >= len(p) {
						return nil, fmt.Errorf("%w %q: unterminated quote", ErrDateFormat, p)
					}
					if p[j] == '\'' {
						if j+1 < len(p) && p[j+1] == '\'' {
							b.WriteByte('\'')
							j += 2
							continue
						}
						break
					}
					b.WriteByte(p[j])
					j++
				}
				if b.Len() > 0 {
					lit(b.String())
				}
				i = j + 1
			case c == '[' || c == ']' || c == '{' || c == '}' || c == '#':
				return nil, fmt.Errorf("%w %q: %q is not supported", ErrDateFormat, p, c)
			case (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
				j := i
				for j < len(p) && p[j] == c {
					j++
				}
				tok, err := dateLetter(c, j-i)
				if err != nil {
					return nil, fmt.Errorf("%w %q: %v", ErrDateFormat, p, err)
				}
				toks = append(toks, tok)
				i = j
			default:
				lit(string(c))
				i++
			}
		}
		// Adjacent numbers (yyyyMMdd) have no separator: read fixed widths.
		for k := 0; k+1 < len(toks); k++ {
			if toks[k].numeric() && toks[k+1].numeric() {
				toks[k].fixed = true
				if toks[k].field == dfYear && toks[k].width < 4 {
					toks[k].width = 4
				} else if toks[k].width < 2 && toks[k].field != dfFraction {
					toks[k].width = 2
				}
			}
		}
		return toks, nil
	})
}

func dateLetter(c byte, n int) (dateToken, error) {
	t := dateToken{width: n, fixed: n >= 2}
	tooMany := func(max int) error {
		if n > max {
			return fmt.Errorf("too many pattern letters %q", strings.Repeat(string(c), n))
		}
		return nil
	}
	var err error
	switch c {
	case 'y', 'u':
		t.field, t.fixed = dfYear, false
		if n == 2 {
			t.field, t.fixed = dfYear2, true
		}
	case 'M', 'L':
		t.field, err = dfMonth, tooMany(5)
		if n >= 3 {
			t.field = dfMonthText
		}
	case 'd':
		t.field, err = dfDay, tooMany(2)
	case 'D':
		t.field, err = dfDayOfYear, tooMany(3)
		t.fixed = n == 3
	case 'H':
		t.field, err = dfHour24, tooMany(2)
	case 'h':
		t.field, err = dfHour12, tooMany(2)
	case 'K':
		t.field, err = dfHour0_11, tooMany(2)
	case 'k':
		t.field, err = dfHour1_24, tooMany(2)
	case 'm':
		t.field, err = dfMinute, tooMany(2)
	case 's':
		t.field, err = dfSecond, tooMany(2)
	case 'S':
		t.field, t.fixed, err = dfFraction, true, tooMany(9)
	case 'a':
		t.field, err = dfAmPm, tooMany(1)
	case 'E':
		t.field, err = dfDayName, tooMany(5)
	case 'X', 'x', 'Z':
		t.field, err = dfOffset, tooMany(5)
	case 'z':
		t.field, err = dfZone, tooMany(4)
	case 'V':
		t.field = dfZone
		if n != 2 {
			err = fmt.Errorf("pattern letter V must appear twice")
		}
	default:
		err = fmt.Errorf("pattern letter %q is not supported", c)
	}
	return t, err
}

func (t dateToken) numeric() bool {
	switch t.field {
	case dfYear, dfYear2, dfMonth, dfDay, dfDayOfYear, dfHour24, dfHour12, dfHour0_11, dfHour1_24, dfMinute, dfSecond, dfFraction:
		return true
	}
	return false
}

// maxWidth is how many digits a variable-width number may take.
func (t dateToken) maxWidth() int {
	switch t.field {
	case dfYear:
		return 9
	case dfDayOfYear:
		return 3
	}
	return 2
}

var (
	monthNames = [...]string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
	dayNames   = [...]string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
)

// matchName reads a full or three-letter name from s, case-insensitively,
// returning its index and length.
func matchName(s string, names []string) (int, int, bool) {
	for i, n := range names {
		if len(s) >= len(n) && strings.EqualFold(s[:len(n)], n) {
			return i, len(n), true
		}
	}
	for i, n := range names {
		if len(s) >= 3 && strings.EqualFold(s[:3], n[:3]) {
			return i, 3, true
		}
	}
	return 0, 0, false
}

// parse reads s with the pattern; loc is the zone for a time without an
// offset or zone of its own. It returns Unix milliseconds.
func (p datePattern) parse(s string, loc *time.Location) (int64, bool) {
	year, month, day, doy := 1970, 1, 1, 0
	hour, minute, second, nanos := 0, 0, 0, 0
	hourField, ampm := dfHour24, -1
	var zone *time.Location
	pos := 0
	for _, t := range p {
		rest := s[pos:]
		switch {
		case t.field == dfLiteral:
			if !strings.HasPrefix(rest, t.lit) {
				return 0, false
			}
			pos += len(t.lit)
		case t.numeric():
			minW, maxW := 1, t.maxWidth()
			if t.fixed {
				minW, maxW = t.width, t.width
			} else if t.field == dfYear && t.width > 1 {
				minW = t.width
			}
			n := 0
			for n < len(rest) && n < maxW && rest[n] >= '0' && rest[n] <= '9' {
				n++
			}
			if n < minW {
				return 0, false
			}
			v, _ := strconv.Atoi(rest[:n])
			pos += n
			switch t.field {
			case dfYear:
				year = v
			case dfYear2:
				year = 2000 + v
			case dfMonth:
				month = v
			case dfDay:
				day = v
			case dfDayOfYear:
				doy = v
			case dfHour24, dfHour12, dfHour0_11, dfHour1_24:
				hour, hourField = v, t.field
			case dfMinute:
				minute = v
			case dfSecond:
				second = v
			case dfFraction:
				for k := n; k < 9; k++ {
					v *= 10
				}
				nanos = v
			}
		case t.field == dfMonthText:
			i, n, ok := matchName(rest, monthNames[:])
			if !ok {
				return 0, false
			}
			month, pos = i+1, pos+n
		case t.field == dfDayName:
			_, n, ok := matchName(rest, dayNames[:])
			if !ok {
				return 0, false
			}
			pos += n
		case t.field == dfAmPm:
			if len(rest) < 2 {
				return 0, false
			}
			switch {
			case strings.EqualFold(rest[:2], "AM"):
				ampm = 0
			case strings.EqualFold(rest[:2], "PM"):
				ampm = 1
			default:
				return 0, false
			}
			pos += 2
		case t.field == dfOffset:
			off, n, ok := parseOffset(rest)
			if !ok {
				return 0, false
			}
			zone, pos = time.FixedZone("", off), pos+n
		case t.field == dfZone:
			n := 0
			for n < len(rest) && (isAlnum(rest[n]) || strings.IndexByte("_/+-:", rest[n]) >= 0) {
				n++
			}
			z, err := loadZone(rest[:n])
			if err != nil {
				return 0, false
			}
			zone, pos = z, pos+n
		}
	}
	if pos != len(s) {
		return 0, false
	}
	switch hourField {
	case dfHour12:
		if hour < 1 || hour > 12 {
			return 0, false
		}
		if ampm >= 0 {
			hour = hour%12 + 12*ampm
		}
	case dfHour0_11:
		if hour > 11 {
			return 0, false
		}
		if ampm > 0 {
			hour += 12
		}
	case dfHour1_24:
		if hour < 1 || hour > 24 {
			return 0, false
		}
		hour %= 24
	}
	if zone == nil {
		zone = loc
	}
	if doy > 0 {
		if doy > 366 {
			return 0, false
		}
		t := time.Date(year, 1, doy, 0, 0, 0, 0, time.UTC)
		if t.Year() != year {
			return 0, false
		}
		month, day = int(t.Month()), t.Day()
	}
	if month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 {
		return 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, nanos, zone)
	if t.Day() != day || int(t.Month()) != month { // 30 February
		return 0, false
	}
	ms := t.UnixMilli()
	if ms < -maxMillis || ms > maxMillis {
		return 0, false
	}
	return ms, true
}

func isAlnum(c byte) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// parseOffset reads Z or ±HH[[:]MM[[:]SS]] and returns seconds east of UTC
// and the bytes read.
func parseOffset(s string) (int, int, bool) {
	if s != "" && (s[0] == 'Z' || s[0] == 'z') {
		return 0, 1, true
	}
	if len(s) < 3 || (s[0] != '+' && s[0] != '-') {
		return 0, 0, false
	}
	two := func(s string) (int, bool) {
		if len(s) < 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
			return 0, false
		}
		return int(s[0]-'0')*10 + int(s[1]-'0'), true
	}
	h, ok := two(s[1:])
	if !ok || h > 18 {
		return 0, 0, false
	}
	secs, n := h*3600, 3
	for _, mult := range []int{60, 1} {
		m := n
		if m < len(s) && s[m] == ':' {
			m++
		}
		v, ok := two(s[m:])
		if !ok || v > 59 {
			break
		}
		secs += v * mult
		n = m + 2
	}
	if s[0] == '-' {
		secs = -secs
	}
	return secs, n, true
}

var zoneCache cache[*time.Location]

// loadZone resolves a time zone argument: UTC, GMT or Z; an offset
// (+05:30, -0800, UTC+2, GMT-08:00); or an IANA name (Europe/Paris). The
// server's local zone is never used. Errors wrap ErrTimeZone.
func loadZone(name string) (*time.Location, error) {
	return zoneCache.get(name, func(name string) (*time.Location, error) {
		bad := fmt.Errorf("%w %q", ErrTimeZone, name)
		switch {
		case name == "" || strings.EqualFold(name, "local"):
			return nil, bad
		case strings.EqualFold(name, "UTC") || strings.EqualFold(name, "GMT") || name == "Z":
			return time.UTC, nil
		}
		off := name
		if len(off) > 3 && (strings.EqualFold(off[:3], "UTC") || strings.EqualFold(off[:3], "GMT")) {
			off = off[3:]
		}
		if off[0] == '+' || off[0] == '-' {
			// Accept ±H as well as ±HH.
			if len(off) == 2 || (len(off) > 2 && (off[2] < '0' || off[2] > '9')) {
				off = off[:1] + "0" + off[1:]
			}
			secs, n, ok := parseOffset(off)
			if !ok || n != len(off) {
				return nil, bad
			}
			return time.FixedZone(name, secs), nil
		}
		loc, err := time.LoadLocation(name)
		if err != nil {
			return nil, bad
		}
		return loc, nil
	})
}

// strftime appends t formatted with strftime directives:
//
//	%a %A  Mon, Monday        %b %h %B  Jan, Jan, January
//	%c     Mon Jan  2 15:04:05 2006     %C  century (20)
//	%d %e  02, " 2"           %D  01/02/06         %F  2006-01-02
//	%H %I  15, 03             %k %l  "15", " 3"    %j  day of year, 002
//	%m %M %S  01, 04, 05      %L  milliseconds 000 %f  microseconds 000000
//	%N     nanoseconds        %p %P  PM, pm        %r  03:04:05 PM
//	%R %T  15:04, 15:04:05    %s  Unix seconds     %u %w  1–7 (Monday 1), 0–6 (Sunday 0)
//	%U %W  week of year, from Sunday / Monday      %G %V  ISO year and week
//	%y %Y  06, 2006           %z %Z  -0700, MST     %n %t %%  newline, tab, %
//
// An unknown directive is copied as written.
func strftime(dst []byte, t time.Time, f string) []byte {
	pad := func(dst []byte, v, width int, fill byte) []byte {
		s := strconv.Itoa(v)
		for k := len(s); k < width; k++ {
			dst = append(dst, fill)
		}
		return append(dst, s...)
	}
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' || i+1 == len(f) {
			dst = append(dst, c)
			continue
		}
		i++
		switch f[i] {
		case 'a':
			dst = append(dst, t.Weekday().String()[:3]...)
		case 'A':
			dst = append(dst, t.Weekday().String()...)
		case 'b', 'h':
			dst = append(dst, t.Month().String()[:3]...)
		case 'B':
			dst = append(dst, t.Month().String()...)
		case 'c':
			dst = t.AppendFormat(dst, "Mon Jan _2 15:04:05 2006")
		case 'C':
			dst = pad(dst, t.Year()/100, 2, '0')
		case 'd':
			dst = pad(dst, t.Day(), 2, '0')
		case 'e':
			dst = pad(dst, t.Day(), 2, ' ')
		case 'D':
			dst = t.AppendFormat(dst, "01/02/06")
		case 'F':
			dst = t.AppendFormat(dst, "2006-01-02")
		case 'H':
			dst = pad(dst, t.Hour(), 2, '0')
		case 'I':
			dst = pad(dst, (t.Hour()+11)%12+1, 2, '0')
		case 'k':
			dst = pad(dst, t.Hour(), 2, ' ')
		case 'l':
			dst = pad(dst, (t.Hour()+11)%12+1, 2, ' ')
		case 'j':
			dst = pad(dst, t.YearDay(), 3, '0')
		case 'm':
			dst = pad(dst, int(t.Month()), 2, '0')
		case 'M':
			dst = pad(dst, t.Minute(), 2, '0')
		case 'S':
			dst = pad(dst, t.Second(), 2, '0')
		case 'L':
			dst = pad(dst, t.Nanosecond()/1e6, 3, '0')
		case 'f':
			dst = pad(dst, t.Nanosecond()/1e3, 6, '0')
		case 'N':
			dst = pad(dst, t.Nanosecond(), 9, '0')
		case 'p':
			dst = t.AppendFormat(dst, "PM")
		case 'P':
			dst = t.AppendFormat(dst, "pm")
		case 'r':
			dst = t.AppendFormat(dst, "03:04:05 PM")
		case 'R':
			dst = t.AppendFormat(dst, "15:04")
		case 'T':
			dst = t.AppendFormat(dst, "15:04:05")
		case 's':
			dst = strconv.AppendInt(dst, t.Unix(), 10)
		case 'u':
			dst = pad(dst, (int(t.Weekday())+6)%7+1, 1, '0')
		case 'w':
			dst = pad(dst, int(t.Weekday()), 1, '0')
		case 'U':
			dst = pad(dst, (t.YearDay()+6-int(t.Weekday()))/7, 2, '0')
		case 'W':
			dst = pad(dst, (t.YearDay()+6-(int(t.Weekday())+6)%7)/7, 2, '0')
		case 'G':
			y, _ := t.ISOWeek()
			dst = pad(dst, y, 4, '0')
		case 'V':
			_, w := t.ISOWeek()
			dst = pad(dst, w, 2, '0')
		case 'y':
			dst = pad(dst, t.Year()%100, 2, '0')
		case 'Y':
			dst = pad(dst, t.Year(), 4, '0')
		case 'z':
			dst = t.AppendFormat(dst, "-0700")
		case 'Z':
			dst = t.AppendFormat(dst, "MST")
		case 'n':
			dst = append(dst, '\n')
		case 't':
			dst = append(dst, '\t')
		case '%':
			dst = append(dst, '%')
		default:
			dst = append(dst, '%', f[i])
		}
	}
	return dst
}
