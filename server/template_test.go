package server

import (
	"errors"
	"reflect"
	"testing"
)

// fakeCaller answers every call with err, as a plugin's process would
// send it back: as text.
type fakeCaller struct{ err error }

func (c fakeCaller) Call(string, []any, ...any) error {
	if c.err == nil {
		return nil
	}
	return errors.New(c.err.Error())
}

// TestFieldErrorsCrossProcesses: the validator proxy rebuilds the
// FieldErrors a plugin's process returned from their text, and leaves
// other errors as they are.
func TestFieldErrorsCrossProcesses(t *testing.T) {
	fe := FieldErrors{"colour": "is not a colour", "limits.max": `must be < 300 "C"`}
	err := settingsValidatorProxy{fakeCaller{fe}}.ValidateSettings(nil)
	got, ok := errors.AsType[FieldErrors](err)
	if !ok || !reflect.DeepEqual(got, fe) {
		t.Errorf("ValidateSettings = %#v, want %#v", err, fe)
	}
	for _, plain := range []error{errors.New("no"), errors.New("invalid settings: not JSON"), errors.New("invalid settings: {}")} {
		if err := (settingsValidatorProxy{fakeCaller{plain}}).ValidateSettings(nil); err == nil || err.Error() != plain.Error() {
			t.Errorf("ValidateSettings = %v, want %v", err, plain)
		} else if _, ok := errors.AsType[FieldErrors](err); ok {
			t.Errorf("%q became FieldErrors", plain)
		}
	}
	if got := fe.Paths(); !reflect.DeepEqual(got, []string{"colour", "limits.max"}) {
		t.Errorf("Paths = %v", got)
	}
}

// TestTemplateMixinsReloadNeeding: Template is declared reload-needing
// (as Asset is), TemplateVars is not (it comes with Template).
func TestTemplateMixinsReloadNeeding(t *testing.T) {
	want := map[reflect.Type]bool{reflect.TypeFor[Template](): true, reflect.TypeFor[TemplateVars](): false, reflect.TypeFor[Asset](): true}
	for _, m := range Mixins() {
		if w, ok := want[m.Type]; ok {
			if m.ReloadNeeding != w || m.RestartNeeding || m.Proxy == nil {
				t.Errorf("%s: %+v", m.Name(), m)
			}
			delete(want, m.Type)
		}
	}
	if len(want) > 0 {
		t.Errorf("not declared: %v", want)
	}
}
