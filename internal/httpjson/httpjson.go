// Package httpjson writes the tentacle server's JSON answers: the server's
// API and its bundled plugins' routes answer in one shape.
package httpjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
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

// Fail sends err as an error answer: with the status and message of the
// first error in its chain that has an HTTPStatus() int method giving a
// status from 400 to 599 (a *server.APIError), else with 500 and err's
// message.
func Fail(w http.ResponseWriter, err error) {
	var se interface {
		error
		HTTPStatus() int
	}
	if errors.As(err, &se) && se.HTTPStatus() >= 400 && se.HTTPStatus() < 600 {
		Error(w, se.HTTPStatus(), se.Error())
		return
	}
	Error(w, http.StatusInternalServerError, err.Error())
}

// Truthy reads a flag of a request as OctoPrint does: true, a number
// other than 0, or, in any case, "true", "yes", "y", "1" and "on" (a
// checkbox's value).
func Truthy(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case string:
		switch strings.ToLower(t) {
		case "true", "yes", "y", "1", "on":
			return true
		}
	case int:
		return t != 0
	case float64:
		return t != 0
	case json.Number:
		f, err := t.Float64()
		return err == nil && f != 0
	}
	return false
}
