package comm

import (
	"encoding/binary"
	"strconv"
	"strings"

	"github.com/tentacle-go/tentacle/server"
)

// CodeOf returns a command's code and subcode, OctoPrint's gcode and
// subcode: "G28" for "G28 X", "M73" and "1" for "M73.1 P5", "T" for "T1", ""
// for a line that is not G-code (an @ command, a comment, garbage). Leading
// spaces and a line number ("N12 ") are skipped. It allocates nothing: the
// results are substrings of line, except "T".
func CodeOf(line string) (code, subcode string) {
	i := skipSpaces(line, 0)
	if i < len(line) && (line[i] == 'N' || line[i] == 'n') && i+1 < len(line) && isDigit(line[i+1]) {
		i++
		for i < len(line) && isDigit(line[i]) {
			i++
		}
		i = skipSpaces(line, i)
	}
	if i >= len(line) {
		return "", ""
	}
	switch c := line[i]; c {
	case 'G', 'M':
		j := i + 1
		for j < len(line) && isDigit(line[j]) {
			j++
		}
		if j == i+1 {
			return "", ""
		}
		code = line[i:j]
		if j+1 < len(line) && line[j] == '.' && isDigit(line[j+1]) {
			k := j + 1
			for k < len(line) && isDigit(line[k]) {
				k++
			}
			subcode = line[j+1 : k]
		}
		return code, subcode
	case 'T':
		if i+1 < len(line) && isDigit(line[i+1]) {
			return "T", ""
		}
	}
	return "", ""
}

// CleanLine strips a line of a G-code file of its comment (from ';') and
// surrounding white space. The result is a substring of line.
func CleanLine(line string) string {
	if i := strings.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	return strings.TrimSpace(line)
}

// Checksum is the checksum of a numbered line, as Marlin and RepRap
// firmware check it: the XOR of every byte before the '*'. It XORs eight
// bytes at a time and folds the word. The virtual printer checks lines
// with a checksum of its own, as firmware does: a mistake here would not
// be hidden by both sides sharing it.
func Checksum(b []byte) byte {
	var w uint64
	for len(b) >= 8 {
		w ^= binary.LittleEndian.Uint64(b)
		b = b[8:]
	}
	w ^= w >> 32
	w ^= w >> 16
	w ^= w >> 8
	cs := byte(w)
	for _, c := range b {
		cs ^= c
	}
	return cs
}

// AppendNumbered appends "N<n> <line>*<checksum>\n" to buf.
func AppendNumbered(buf []byte, n int64, line string) []byte {
	var num [20]byte
	return appendNumbered(buf, strconv.AppendInt(num[:0], n, 10), line)
}

// appendNumbered is AppendNumbered with the number's decimal text.
func appendNumbered(buf, num []byte, line string) []byte {
	start := len(buf)
	buf = append(buf, 'N')
	buf = append(buf, num...)
	buf = append(buf, ' ')
	buf = append(buf, line...)
	cs := Checksum(buf[start:])
	buf = append(buf, '*')
	buf = append(buf, checksumText[cs]...)
	return append(buf, '\n')
}

// lineNumber is the number of the last numbered line sent and its decimal
// text, which counting up rewrites in place: the text of the next number
// without a division per digit.
type lineNumber struct {
	n    int64
	text []byte // the text of n, once it was counted up or set
}

// set makes n the number.
func (l *lineNumber) set(n int64) { l.n, l.text = n, l.text[:0] }

// next counts up and returns the new number's text, valid until the next
// call.
func (l *lineNumber) next() []byte {
	l.n++
	b := l.text
	if len(b) == 0 || l.n <= 1 {
		l.text = strconv.AppendInt(b[:0], l.n, 10)
		return l.text
	}
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != '9' {
			b[i]++
			return b
		}
		b[i] = '0'
	}
	b[0] = '1' // 99 -> 100
	l.text = append(b, '0')
	return l.text
}

// checksumText is the decimal text of every checksum.
var checksumText = func() (t [256]string) {
	for i := range t {
		t[i] = strconv.Itoa(i)
	}
	return t
}()

// ParseTemperatures reads a temperature report ("ok T:21.3 /0.0 B:20.1
// /60.0 @:0 B@:0", "T0:200.0 /200.0 T1:...") into readings by the
// firmware's names ("T0", "B", "C"; a lone "T" is "T0" unless tools are
// also reported by number). It returns nil when line holds none.
func ParseTemperatures(line string) map[string]server.Temperature {
	var temps map[string]server.Temperature
	rest := line
	for {
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			break
		}
		// the key is the word before the colon
		k := i
		for k > 0 && rest[k-1] != ' ' {
			k--
		}
		key := rest[k:i]
		rest = rest[i+1:]
		if !isHeater(key) {
			continue
		}
		actual, n, ok := parseFloat(rest)
		if !ok {
			continue
		}
		rest = rest[n:]
		t := server.Temperature{Actual: actual}
		if j := skipSpaces(rest, 0); j < len(rest) && rest[j] == '/' {
			if target, m, ok := parseFloat(rest[j+1:]); ok {
				t.Target = target
				rest = rest[j+1+m:]
			}
		}
		if temps == nil {
			temps = make(map[string]server.Temperature, 3)
		}
		temps[key] = t
	}
	if t, ok := temps["T"]; ok {
		delete(temps, "T")
		if _, numbered := temps["T0"]; !numbered {
			temps["T0"] = t
		}
	}
	return temps
}

// isHeater reports whether key names a heater in a temperature report:
// T, T<n>, B, C.
func isHeater(key string) bool {
	switch {
	case key == "T" || key == "B" || key == "C":
		return true
	case len(key) > 1 && key[0] == 'T':
		for i := 1; i < len(key); i++ {
			if !isDigit(key[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// parseFloat parses the number at the start of s, returning it and its
// length.
func parseFloat(s string) (float64, int, bool) {
	n := 0
	if n < len(s) && (s[n] == '-' || s[n] == '+') {
		n++
	}
	for n < len(s) && (isDigit(s[n]) || s[n] == '.') {
		n++
	}
	f, err := strconv.ParseFloat(s[:n], 64)
	return f, n, err == nil
}

// ParseFirmwareInfo reads an M115 answer ("FIRMWARE_NAME:Marlin 2.1
// (Github) SOURCE_CODE_URL:... PROTOCOL_VERSION:1.0 ...") into its fields:
// each key is a run of capitals, digits and '_' followed by ':', its value
// runs to the next key.
func ParseFirmwareInfo(line string) map[string]string {
	data := map[string]string{}
	var key string
	start := 0
	for i := 0; i < len(line); i++ {
		if line[i] != ':' {
			continue
		}
		k := i
		for k > 0 && isKeyByte(line[k-1]) {
			k--
		}
		if k == i || (k > 0 && line[k-1] != ' ') {
			continue
		}
		if key != "" {
			data[key] = strings.TrimSpace(line[start:k])
		}
		key, start = line[k:i], i+1
	}
	if key != "" {
		data[key] = strings.TrimSpace(line[start:])
	}
	return data
}

// ParseCapability reads a capability line ("Cap:AUTOREPORT_TEMP:1").
func ParseCapability(line string) (name string, enabled bool, ok bool) {
	rest, found := strings.CutPrefix(line, "Cap:")
	if !found {
		return "", false, false
	}
	name, v, found := strings.Cut(rest, ":")
	if !found || name == "" {
		return "", false, false
	}
	return name, strings.TrimSpace(v) == "1", true
}

// ParseAtCommand splits an @ command ("@pause now") into command and
// parameters.
func ParseAtCommand(line string) (command, parameters string) {
	rest := strings.TrimPrefix(line, "@")
	command, parameters, _ = strings.Cut(rest, " ")
	return command, strings.TrimSpace(parameters)
}

// ParseAction splits an action command ("// action:pause", "//action:notification Hello")
// into action, name and params. ok is false for any other line.
func ParseAction(line string) (action, name, params string, ok bool) {
	rest, found := strings.CutPrefix(line, "//")
	if !found {
		return "", "", "", false
	}
	rest, found = strings.CutPrefix(strings.TrimLeft(rest, " "), "action:")
	if !found {
		return "", "", "", false
	}
	action, rest, _ = strings.Cut(strings.TrimSpace(rest), " ")
	name, params, _ = strings.Cut(rest, " ")
	return action, name, params, action != ""
}

// ParseResend returns the line number a "Resend: 12" or "rs N12" line asks
// for.
func ParseResend(line string) (int64, bool) {
	var rest string
	switch {
	case strings.HasPrefix(line, "Resend:"):
		rest = line[len("Resend:"):]
	case strings.HasPrefix(line, "rs "):
		rest = line[len("rs "):]
	default:
		return 0, false
	}
	rest = strings.TrimLeft(rest, " N")
	n := 0
	for n < len(rest) && isDigit(rest[n]) {
		n++
	}
	v, err := strconv.ParseInt(rest[:n], 10, 64)
	return v, err == nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isKeyByte(c byte) bool { return 'A' <= c && c <= 'Z' || isDigit(c) || c == '_' }

func skipSpaces(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}
