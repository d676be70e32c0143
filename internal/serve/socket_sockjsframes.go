package serve

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// SockJS's message frame is "a" and a JSON array of the messages. OctoPrint
// puts each message into it as a JSON object, a[{"connected": ...}], and
// its client reads the message's keys (socket.js iterates msg.data): sent
// as a string, a["{\"connected\": ...}"], a message has none and reaches
// no handler. The SockJS library quotes every message as a string, so the
// frames its HTTP fallbacks write are rewritten on their way out
// (sockjsObjects); the websocket transport writes its own (sockjsWebsocket).

// messageFrame returns SockJS's message frame holding msgs, each a JSON
// object (the socket's messages are), as they are.
func messageFrame(msgs ...[]byte) []byte {
	frame := []byte("a[")
	frame = append(frame, bytes.Join(msgs, []byte(","))...)
	return append(frame, ']')
}

// unquoteFrame turns the library's message frame, a["<message>",...], into
// messageFrame's; any other frame is returned as it is. A message that is
// not JSON (the socket sends none) stays a string.
func unquoteFrame(frame []byte) []byte {
	if len(frame) < 2 || frame[0] != 'a' {
		return frame
	}
	var quoted []string
	if json.Unmarshal(frame[1:], &quoted) != nil {
		return frame
	}
	msgs := make([][]byte, len(quoted))
	for i, q := range quoted {
		if json.Valid([]byte(q)) {
			msgs[i] = []byte(q)
		} else {
			msgs[i], _ = json.Marshal(q)
		}
	}
	return messageFrame(msgs...)
}

// The SockJS library's escaping of a frame on eventsource, and its reverse.
var (
	eventsourceEscaper   = strings.NewReplacer("%", "%25", "\n", "%0A", "\r", "%0D", "\x00", "%00")
	eventsourceUnescaper = strings.NewReplacer("%25", "%", "%0A", "\n", "%0D", "\r", "%00", "\x00")
)

// sockjsObjects is the response of one of the SockJS library's HTTP
// fallbacks, whose message frames it rewrites with unquoteFrame. The
// library writes each frame with one Write, in the transport's envelope.
type sockjsObjects struct {
	http.ResponseWriter
	transport string // the last segment of the path: xhr, xhr_streaming, eventsource, htmlfile
}

func (w sockjsObjects) Write(p []byte) (int, error) {
	if out, ok := w.rewrite(p); ok {
		_, err := w.ResponseWriter.Write(out)
		return len(p), err // the library counts what it wrote
	}
	return w.ResponseWriter.Write(p)
}

func (w sockjsObjects) rewrite(p []byte) ([]byte, bool) {
	var prefix, suffix string
	switch w.transport {
	case "xhr", "xhr_streaming":
		prefix, suffix = "", "\n"
	case "eventsource":
		prefix, suffix = "data: ", "\r\n\r\n"
	case "htmlfile":
		prefix, suffix = "<script>\np(", ");\n</script>\r\n"
	default:
		return nil, false
	}
	if !bytes.HasPrefix(p, []byte(prefix+"a")) && !bytes.HasPrefix(p, []byte(prefix+`"a`)) || !bytes.HasSuffix(p, []byte(suffix)) {
		return nil, false
	}
	frame := p[len(prefix) : len(p)-len(suffix)]
	var out []byte
	switch w.transport {
	case "eventsource":
		out = []byte(eventsourceEscaper.Replace(string(unquoteFrame([]byte(eventsourceUnescaper.Replace(string(frame)))))))
	case "htmlfile":
		var s string
		if json.Unmarshal(frame, &s) != nil {
			return nil, false
		}
		out, _ = json.Marshal(string(unquoteFrame([]byte(s))))
	default:
		out = unquoteFrame(frame)
	}
	return append(append([]byte(prefix), out...), suffix...), true
}

// Flush is the library's way to end each frame (http.Flusher).
func (w sockjsObjects) Flush() { _ = http.NewResponseController(w.ResponseWriter).Flush() }

// Unwrap gives http.ResponseController the response underneath.
func (w sockjsObjects) Unwrap() http.ResponseWriter { return w.ResponseWriter }
