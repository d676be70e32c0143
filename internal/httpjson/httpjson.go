// Package httpjson writes the tentacle server's JSON answers: the server's
// API and its bundled plugins' routes answer in one shape.
package httpjson

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// Write sends v as indented JSON with status. A v that cannot be encoded
// is answered 500 with an error saying why.
func Write(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		status, buf = http.StatusInternalServerError, bytes.Buffer{}
		enc = json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		_ = enc.Encode(Err{Error: "the answer cannot be encoded as JSON: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// Err is the body of every error answer.
type Err struct {
	Error string `json:"error"`
}

// Error sends {"error": message} with status.
func Error(w http.ResponseWriter, status int, message string) {
	Write(w, status, Err{Error: message})
}
