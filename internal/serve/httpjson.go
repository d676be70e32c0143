package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/tentacle-go/tentacle/internal/httpjson"
	"github.com/tentacle-go/tentacle/internal/wire"
)

// maxBody bounds the JSON bodies the API reads.
const maxBody = 1 << 20

// writeJSON sends v as JSON with status (httpjson.Write).
func writeJSON(w http.ResponseWriter, status int, v any) { httpjson.Write(w, status, v) }

// apiError is the body of every error answer.
type apiError = httpjson.Err

// writeError sends {"error": message} with status.
func writeError(w http.ResponseWriter, status int, message string) {
	httpjson.Error(w, status, message)
}

// readJSON decodes a request's JSON object body into v, answering 400 (or
// 413, 415) and returning false when it cannot.
func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		writeError(w, http.StatusUnsupportedMediaType, fmt.Sprintf("the body must be JSON, not %s", ct))
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", maxBody))
		case errors.Is(err, io.EOF):
			writeError(w, http.StatusBadRequest, "the body is empty: a JSON object is needed")
		default:
			writeError(w, http.StatusBadRequest, "the body is not valid JSON: "+err.Error())
		}
		return false
	}
	// Anything but white space after the value is refused: dec.More alone
	// misses a stray closing bracket ({"a": 1}}).
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", maxBody))
			return false
		}
		writeError(w, http.StatusBadRequest, "the body holds more than one JSON value")
		return false
	}
	return true
}

func isJSON(contentType string) bool {
	for i := 0; i < len(contentType); i++ {
		if contentType[i] == ';' {
			contentType = contentType[:i]
			break
		}
	}
	return contentType == "application/json"
}

// normalizeJSON turns json.Number values (from a UseNumber decoder) into
// int or float64, recursively, so that they compare with settings values
// and reach a plugin as they would from any tier (wire.Numbers).
func normalizeJSON(v any) any { return wire.Numbers(v) }
