package wire_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/tentacle-go/tentacle/internal/wire"
)

func TestWholeNumbers(t *testing.T) {
	in := map[string]any{"a": 3.0, "b": 2.5, "c": []any{1.0, map[string]any{"d": -4.0}}, "e": "x",
		"max": 9007199254740991.0, "big": 9007199254740992.0, "huge": -1e300}
	want := map[string]any{"a": 3, "b": 2.5, "c": []any{1, map[string]any{"d": -4}}, "e": "x",
		"max": whole(9007199254740991), "big": 9007199254740992.0, "huge": -1e300}
	if got := wire.WholeNumbers(in); !reflect.DeepEqual(got, want) {
		t.Errorf("got %#v, want %#v", got, want)
	}
}

// whole is i as WholeNumbers gives it: an int where it fits.
func whole(i int64) any {
	if int64(int(i)) == i {
		return int(i)
	}
	return i
}

func TestResultRaw(t *testing.T) {
	out, err := wire.Result{Results: []byte(`[1,"a"]`)}.Raw()
	if err != nil || len(out) != 2 || string(out[1]) != `"a"` {
		t.Errorf("results: %s, %v", out, err)
	}
	out, err = wire.Result{Results: []byte(`[0]`), HasErr: true, Err: "no"}.Raw()
	var re *wire.RemoteError
	if !errors.As(err, &re) || re.Message != "no" || len(out) != 1 {
		t.Errorf("error result: %s, %v", out, err)
	}
	if _, err := (wire.Result{Results: []byte(`{`)}).Raw(); err == nil {
		t.Error("results that are not a JSON array: no error")
	}
	if out, err := (wire.Result{}).Raw(); out != nil || err != nil {
		t.Errorf("no results: %s, %v", out, err)
	}
}
