package settings

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrReadOnly is wrapped by the errors Set, Remove and Save return when the
// store cannot write its file because the file did not parse when it was
// opened. Check for it with errors.Is.
var ErrReadOnly = errors.New("settings are read-only")

// ParseError reports a settings file that is not valid YAML or whose top
// level is not a mapping. Open returns it together with a read-only store
// that serves the layers below the file, so that a host can start and show
// the problem instead of overwriting the user's file.
type ParseError struct {
	// Path is the file that did not parse.
	Path string
	// Line is the 1-based line of the problem, or 0 when it is unknown:
	// for a syntax error, the first line at which the document fails to
	// parse; for a top level that is not a mapping, the line where the
	// top-level value starts.
	Line int
	// Err describes the problem. Its message has no "yaml:" or line prefix.
	Err error
}

// Error returns "<path>:<line>: <message>", or "<path>: <message>" when the
// line is unknown.
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return e.Path + ":" + strconv.Itoa(e.Line) + ": " + e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

// Unwrap returns the underlying problem.
func (e *ParseError) Unwrap() error { return e.Err }

// messageError is an error with a cleaned-up message that still unwraps to
// the error it was derived from, such as a *yaml.TypeError.
type messageError struct {
	msg string
	err error
}

func (e *messageError) Error() string { return e.msg }
func (e *messageError) Unwrap() error { return e.err }

// readOnlyError is the error of a write attempted on a store whose file did
// not parse. It wraps both ErrReadOnly and the *ParseError.
func readOnlyError(op, path string, perr *ParseError) error {
	if path == "" {
		return fmt.Errorf("settings: %s: %w: %w", op, ErrReadOnly, perr)
	}
	return fmt.Errorf("settings: %s %q: %w: %w", op, path, ErrReadOnly, perr)
}

// errNotMapping is the problem of a document whose top level is a list or a
// scalar.
var errNotMapping = errors.New("top level is not a mapping")

// maxLocateSize is the size of the largest file locateLine searches; the
// search decodes the file about log2(lines) times.
const maxLocateSize = 256 << 10

// notMappingError carries the line of a top level that is not a mapping.
type notMappingError struct{ line int }

func (e *notMappingError) Error() string { return errNotMapping.Error() }

// parseConfig decodes a settings file. An empty document, or one holding
// only null, is an empty map. Values the store does not take (see
// Validate) are left out of the map and returned as ignored, with their
// lines.
func parseConfig(path string, data []byte) (m map[string]any, ignored []InvalidValueError, _ *ParseError) {
	m, top, err := decodeDocument(data)
	if err == nil {
		dropInvalid(m, nil, func(keys []string) int { return nodeLine(top, keys) }, &ignored)
		return m, ignored, nil
	}
	if nm, ok := errors.AsType[*notMappingError](err); ok {
		return nil, nil, &ParseError{Path: path, Line: nm.line, Err: errNotMapping}
	}
	line, msg := locateLine(data, err)
	return nil, nil, &ParseError{Path: path, Line: line, Err: &messageError{msg: msg, err: err}}
}

// decodeDocument decodes the first YAML document of data into a normalised
// map, and returns its top node (nil for an empty document). Scalar mapping
// keys are read as strings ("1: x" has the key "1") and timestamps stay
// strings, so that values round-trip unchanged.
func decodeDocument(data []byte) (map[string]any, *yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, nil, err
	}
	if len(doc.Content) == 0 {
		return map[string]any{}, nil, nil
	}
	top := doc.Content[0]
	switch {
	case top.Kind == yaml.MappingNode:
	case top.Kind == yaml.ScalarNode && top.Tag == "!!null":
		return map[string]any{}, nil, nil
	default:
		return nil, nil, &notMappingError{line: max(top.Line, 1)}
	}
	retag(top)
	var v any
	if err := top.Decode(&v); err != nil {
		return nil, nil, err
	}
	n, _ := normalize(v, "", fromFile)
	m, ok := n.(map[string]any)
	if !ok {
		return nil, nil, &notMappingError{line: max(top.Line, 1)}
	}
	return m, top, nil
}

// dropInvalid removes from m, the map at keys, every entry the store does
// not take (see Validate), appending each to ignored in path order. Maps
// are entered, so that only the bad entries inside them go (an entry too
// deep goes, its parent stays); any other value (a list included) is kept
// or dropped whole. line gives the line of a path in the file.
func dropInvalid(m map[string]any, keys []string, line func([]string) int, ignored *[]InvalidValueError) {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		ks := append(keys[:len(keys):len(keys)], k)
		var err error
		if reason := badString(k); reason != "" {
			err = &InvalidValueError{Path: joinPath(ks), Reason: "key " + reason}
		} else if sub, ok := m[k].(map[string]any); ok && len(ks) <= MaxDepth {
			dropInvalid(sub, ks, line, ignored)
			continue
		} else {
			err = check(m[k], joinPath(ks), len(ks))
		}
		if ie, ok := err.(*InvalidValueError); ok {
			delete(m, k)
			ie.Line = line(ks)
			*ignored = append(*ignored, *ie)
		}
	}
}

// nodeLine returns the line of the entry at keys (map keys and list
// indexes) below the mapping node top, or 0 when it cannot be found (in a
// merged mapping, say).
func nodeLine(top *yaml.Node, keys []string) int {
	n, line := top, 0
	for _, k := range keys {
		for n != nil && n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		if n == nil {
			return 0
		}
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for i := len(n.Content) - 2; i >= 0; i -= 2 { // the last of duplicates wins
				if kn := n.Content[i]; kn.Kind == yaml.ScalarNode && kn.Value == k && kn.Tag != "!!merge" {
					next, line = n.Content[i+1], kn.Line
					break
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(k); err == nil && i >= 0 && i < len(n.Content) {
				next = n.Content[i]
				line = next.Line
			}
		}
		if next == nil {
			return 0
		}
		n = next
	}
	return line
}

// retag makes scalar mapping keys (other than the merge key "<<") and
// timestamps plain strings.
func retag(n *yaml.Node) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Kind == yaml.ScalarNode && k.Tag != "!!merge" {
				k.Tag = "!!str"
			} else {
				retag(k)
			}
			retag(n.Content[i+1])
		}
	case yaml.SequenceNode, yaml.DocumentNode:
		for _, c := range n.Content {
			retag(c)
		}
	case yaml.ScalarNode:
		if n.Tag == "!!timestamp" {
			n.Tag = "!!str"
		}
	}
}

var yamlLineRE = regexp.MustCompile(`^line ([0-9]+): `)

// splitYAMLError strips yaml.v3's "yaml: " and "line N: " prefixes from an
// error message and returns the line (0 when there is none), the message
// and whether the line is exact. A *yaml.TypeError (such as a duplicate
// key) carries exact node lines; syntax errors carry the line of a parser
// mark, which is sometimes zero-based or the start of an enclosing block.
func splitYAMLError(err error) (line int, msg string, exact bool) {
	msg = err.Error()
	if te, ok := errors.AsType[*yaml.TypeError](err); ok && len(te.Errors) > 0 {
		msg, exact = te.Errors[0], true
		if more := len(te.Errors) - 1; more > 0 {
			msg += " (and " + strconv.Itoa(more) + " more)"
		}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	if sm := yamlLineRE.FindStringSubmatch(msg); sm != nil {
		line, _ = strconv.Atoi(sm[1])
		msg = msg[len(sm[0]):]
	}
	return line, msg, exact && line > 0
}

// locateLine finds the line of a decoding error: the line yaml.v3 reports
// when it is exact, otherwise the first line at which the document, cut
// after that line, fails with the same message. yaml.v3 omits the line of
// problems on the first line and reports others relative to the enclosing
// block (sometimes zero-based), so the search gives users the line they
// need to look at.
//
// The search is a binary search starting at yaml.v3's line, which is never
// past the problem: cut before the problem, the document parses or fails
// differently, and cut anywhere after it, it fails the same way. Files
// larger than maxLocateSize keep yaml.v3's line.
func locateLine(data []byte, err error) (int, string) {
	line, msg, exact := splitYAMLError(err)
	if exact || len(data) > maxLocateSize {
		return line, msg
	}
	ends := lineEnds(data)
	failsAt := func(k int) bool {
		_, _, perr := decodeDocument(data[:ends[k-1]])
		if perr == nil {
			return false
		}
		_, pmsg, _ := splitYAMLError(perr)
		return pmsg == msg
	}
	lo, hi := max(line, 1), len(ends) // the whole document fails
	if lo > hi || !failsAt(hi) {
		return line, msg
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if failsAt(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, msg
}

// lineEnds returns, for each line of data, the offset just past its end
// (including the newline).
func lineEnds(data []byte) []int {
	var ends []int
	off := 0
	for {
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
		ends = append(ends, off)
	}
	if off < len(data) {
		ends = append(ends, len(data))
	}
	return ends
}
