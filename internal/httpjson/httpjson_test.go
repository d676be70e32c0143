package httpjson_test

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/tentacle-go/tentacle/internal/httpjson"
)

type statusError struct {
	status int
	msg    string
}

func (e *statusError) Error() string   { return e.msg }
func (e *statusError) HTTPStatus() int { return e.status }

func TestFail(t *testing.T) {
	for _, tc := range []struct {
		name       string
		err        error
		wantStatus int
		wantBody   string
	}{
		{"plain error", errors.New("disk full"), 500, "{\n  \"error\": \"disk full\"\n}\n"},
		{"status error", &statusError{404, "no such file"}, 404, "{\n  \"error\": \"no such file\"\n}\n"},
		{"wrapped status error", fmt.Errorf("open: %w", &statusError{409, "busy"}), 409, "{\n  \"error\": \"busy\"\n}\n"},
		{"status out of range", &statusError{200, "odd"}, 500, "{\n  \"error\": \"odd\"\n}\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			httpjson.Fail(w, tc.err)
			if w.Code != tc.wantStatus || w.Body.String() != tc.wantBody || w.Header().Get("Content-Type") != "application/json" {
				t.Errorf("%d %q %v; want %d %q", w.Code, w.Body.String(), w.Header(), tc.wantStatus, tc.wantBody)
			}
		})
	}
}
