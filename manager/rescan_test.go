package manager

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestRescanResultJSON(t *testing.T) {
	tests := []struct {
		name string
		res  RescanResult
		want string
	}{
		{
			name: "empty",
			res:  RescanResult{Added: []string{}, Removed: []string{}, Reloaded: []string{}, Pending: []string{}},
			want: `{"added":[],"removed":[],"reloaded":[],"pending":[],"errors":{}}`,
		},
		{
			name: "errors as listing errors",
			res: RescanResult{Reloaded: []string{"b"}, Errors: map[string]error{
				"a": &LifecycleError{Plugin: "a", Phase: PhaseLoad, Err: errors.New("boom")},
				"c": errors.New("plain"),
			}},
			want: `{"added":null,"removed":null,"reloaded":["b"],"pending":null,"errors":{"a":{"phase":"load","message":"boom"},"c":{"phase":"","message":"plain"}}}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.res)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
