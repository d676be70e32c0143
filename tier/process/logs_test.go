package process

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestOutputLines: what a plugin process writes is logged under its logger
// line by line: the SDK's JSON records (slog's) and go-plugin's (hclog's)
// with their level, message and attributes, anything else as it is; the
// last lines are kept for crash reports.
func TestOutputLines(t *testing.T) {
	tests := []struct {
		name  string
		write []string // written in these pieces
		want  []string // the records, as the text handler prints them, without time
	}{
		{"slog record", []string{`{"time":"2026-11-24T10:00:00Z","level":"WARN","msg":"nozzle cold","temp":21}` + "\n"},
			[]string{`level=WARN msg="nozzle cold" temp=21`}},
		{"hclog record", []string{`{"@level":"error","@message":"plugin init","@timestamp":"2026-11-24T10:00:00Z","error":"boom"}` + "\n"},
			[]string{`level=ERROR msg="plugin init" error=boom`}},
		{"hclog trace", []string{`{"@level":"trace","@message":"tick"}` + "\n"}, []string{`level=DEBUG-4 msg=tick`}},
		{"unknown level", []string{`{"level":"LOUD","msg":"x"}` + "\n"}, []string{`level=INFO msg=x`}},
		{"plain lines in pieces", []string{"panic: runtime err", "or\r\n\ngoroutine 1 [running]:\n"},
			[]string{`level=ERROR msg="panic: runtime error" stream=output`, `level=ERROR msg="goroutine 1 [running]:" stream=output`}},
		{"plain line", []string{"printed\n"}, []string{`level=INFO msg=printed stream=output`}},
		{"JSON that is not a record", []string{`{"a":1}` + "\n"}, []string{`level=INFO msg="{\"a\":1}" stream=output`}},
		{"no newline yet", []string{"half a line"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
				Level: slog.LevelDebug - 4,
				ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
					if a.Key == slog.TimeKey {
						return slog.Attr{}
					}
					return a
				},
			}))
			o := &output{log: log}
			for _, w := range tt.write {
				if n, err := o.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write: %d, %v", n, err)
				}
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				if l != "" {
					got = append(got, l)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("logged\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			if len(o.lines()) != len(tt.want) {
				t.Errorf("kept %d lines, want %d", len(o.lines()), len(tt.want))
			}
		})
	}
}

// TestOutputHostLevel: the host's logger decides which of a plugin's
// records it logs, by their levels, as for its own; every line is kept for
// crash reports all the same.
func TestOutputHostLevel(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		Level: slog.LevelWarn,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
	o := &output{log: log}
	for _, l := range []string{
		`{"level":"INFO","msg":"journal open"}`,
		`{"@level":"debug","@message":"plugin address"}`,
		`{"level":"WARN","msg":"disk nearly full"}`,
		`printed`,
		`{"@level":"error","@message":"plugin init"}`,
	} {
		o.Write([]byte(l + "\n"))
	}
	want := "level=WARN msg=\"disk nearly full\"\nlevel=ERROR msg=\"plugin init\"\n"
	if buf.String() != want {
		t.Errorf("logged\n%swant\n%s", buf.String(), want)
	}
	if n := len(o.lines()); n != 5 {
		t.Errorf("kept %d lines, want 5", n)
	}
}

// TestOutputKeepsLastLines: only the last lines are kept.
func TestOutputKeepsLastLines(t *testing.T) {
	o := &output{log: slog.New(slog.DiscardHandler)}
	for i := range lastLines + 5 {
		o.Write([]byte(strings.Repeat("x", i+1) + "\n"))
	}
	got := o.lines()
	if len(got) != lastLines || got[0] != strings.Repeat("x", 6) || got[len(got)-1] != strings.Repeat("x", lastLines+5) {
		t.Errorf("kept %d lines, from %q to %q", len(got), got[0], got[len(got)-1])
	}
}
