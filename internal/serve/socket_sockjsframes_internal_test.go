package serve

import (
	"net/http/httptest"
	"testing"
)

// The SockJS library's frames, as each HTTP fallback writes them, become
// frames whose messages are objects; anything else passes untouched.
func TestSockJSObjects(t *testing.T) {
	for _, tc := range []struct{ transport, in, want string }{
		{"xhr", "a[\"{\\\"a\\\":1}\",\"{\\\"b\\\":\\\"<&>\\\"}\"]\n", "a[{\"a\":1},{\"b\":\"<&>\"}]\n"},
		{"xhr_streaming", "a[\"{\\\"a\\\":1}\"]\n", "a[{\"a\":1}]\n"},
		{"xhr_streaming", "hhhh\n", "hhhh\n"},
		{"xhr", "o\n", "o\n"},
		{"xhr", "c[1001,\"server stopping\"]\n", "c[1001,\"server stopping\"]\n"},
		{"xhr", "a[\"not json\"]\n", "a[\"not json\"]\n"},
		{"eventsource", "data: a[\"{\\\"p\\\":\\\"100%25\\\"}\"]\r\n\r\n", "data: a[{\"p\":\"100%25\"}]\r\n\r\n"},
		{"eventsource", "data: o\r\n\r\n", "data: o\r\n\r\n"},
		{"htmlfile", "<script>\np(\"a[\\\"{\\\\\\\"a\\\\\\\":1}\\\"]\");\n</script>\r\n", "<script>\np(\"a[{\\\"a\\\":1}]\");\n</script>\r\n"},
		{"htmlfile", "<script>\np(\"o\");\n</script>\r\n", "<script>\np(\"o\");\n</script>\r\n"},
		{"info", "a[\"{}\"]\n", "a[\"{}\"]\n"},
	} {
		rec := httptest.NewRecorder()
		w := sockjsObjects{rec, tc.transport}
		if n, err := w.Write([]byte(tc.in)); n != len(tc.in) || err != nil {
			t.Errorf("%s: Write(%q) = %d, %v, want %d, nil", tc.transport, tc.in, n, err, len(tc.in))
		}
		if got := rec.Body.String(); got != tc.want {
			t.Errorf("%s: %q became %q, want %q", tc.transport, tc.in, got, tc.want)
		}
	}
}
