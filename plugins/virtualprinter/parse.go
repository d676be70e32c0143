package virtualprinter

import (
	"bytes"
	"encoding/binary"
	"math"
	"strconv"
)

// The firmware parses its input from byte slices without allocating, as
// the hot path (a numbered G1 line) asks.

func indexByte(b []byte, c byte) int { return bytes.IndexByte(b, c) }

func lastIndexByte(b []byte, c byte) int { return bytes.LastIndexByte(b, c) }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// trim returns b without leading and trailing white space.
func trim(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func hasPrefix(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && string(b[:len(prefix)]) == prefix
}

// checksum is the XOR of the bytes of b, eight at a time. The printer
// keeps its own rather than calling the host's (comm.Checksum), as
// firmware does: a mistake in one is then not hidden by both sides sharing it.
func checksum(b []byte) int64 {
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
	return int64(cs)
}

// parseInt reads the unsigned decimal number at the start of b and
// reports whether there was one.
func parseInt(b []byte) (n int64, ok bool) {
	i := 0
	for ; i < len(b) && isDigit(b[i]); i++ {
		n = n*10 + int64(b[i]-'0')
	}
	return n, i > 0
}

// parseFloat reads the decimal number at the start of b ("-12.5", "3",
// ".5") and reports whether there was one. Up to 18 digits are exact.
func parseFloat(b []byte) (float64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	var m int64
	digits, frac := 0, 0
	i := 0
	for ; i < len(b) && isDigit(b[i]); i++ {
		m = m*10 + int64(b[i]-'0')
		digits++
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && isDigit(b[i]); i++ {
			m = m*10 + int64(b[i]-'0')
			digits++
			frac++
		}
	}
	if digits == 0 {
		return 0, false
	}
	v := float64(m)
	if frac > 0 {
		if frac < len(pow10) {
			v /= pow10[frac]
		} else {
			v /= math.Pow10(frac)
		}
	}
	if neg {
		v = -v
	}
	return v, true
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// codeOf returns the letter and number of a command ('G', 1 for
// "G1 X10"); the letter is 0 for a line that is no G, M or T command.
func codeOf(cmd []byte) (letter byte, num int64) {
	if len(cmd) < 2 {
		return 0, 0
	}
	letter = cmd[0] &^ 0x20 // upper case
	if letter != 'G' && letter != 'M' && letter != 'T' {
		return 0, 0
	}
	n, ok := parseInt(cmd[1:])
	if !ok {
		return 0, 0
	}
	return letter, n
}

// params calls fn with each parameter of cmd after its code: the letter
// (upper case) and the bytes of its value.
func params(cmd []byte, fn func(letter byte, value []byte)) {
	i := indexByte(cmd, ' ')
	if i < 0 {
		return
	}
	b := cmd[i:]
	for len(b) > 0 {
		for len(b) > 0 && isSpace(b[0]) {
			b = b[1:]
		}
		if len(b) == 0 {
			return
		}
		j := 1
		for j < len(b) && !isSpace(b[j]) {
			j++
		}
		fn(b[0]&^0x20, b[1:j])
		b = b[j:]
	}
}

// param returns the value of parameter letter in cmd as a number.
func param(cmd []byte, letter byte) (float64, bool) {
	var v float64
	found := false
	params(cmd, func(l byte, val []byte) {
		if l == letter && !found {
			v, found = parseFloat(val)
		}
	})
	return v, found
}

// appendTemp appends "<name>:<actual> /<target>" with two decimals.
func appendTemp(b []byte, name string, actual, target float64) []byte {
	b = append(b, name...)
	b = append(b, ':')
	b = strconv.AppendFloat(b, actual, 'f', 2, 64)
	b = append(b, " /"...)
	return strconv.AppendFloat(b, target, 'f', 2, 64)
}
