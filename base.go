package tentacle

import (
	"errors"
	"fmt"
	"reflect"
)

var baseType = reflect.TypeOf(Base{})

// BaseOf returns the [Base] that impl embeds, by value or by
// pointer, looked up by reflection so that it also works for values whose
// method sets do not show promoted methods (interpreted ones, which may
// also show the embedded field as a plain one named Base). It returns nil
// and no error when impl embeds no Base, and an error when it embeds one
// that cannot be used: a nil *tentacle.Base, or a Base inside a struct
// value rather than behind a pointer.
func BaseOf(impl any) (*Base, error) {
	v := reflect.ValueOf(impl)
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return nil, nil
		}
		v = v.Elem()
	}
	if !v.IsValid() || v.Kind() != reflect.Struct {
		return nil, nil
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.Anonymous && f.Name != "Base" {
			continue
		}
		fv := v.Field(i)
		switch {
		case f.Type == baseType:
			if !fv.CanAddr() {
				return nil, fmt.Errorf("the implementation is a %s value: use a pointer (&%s{}) so that its tentacle.Base can be injected", t, t.Name())
			}
			return fv.Addr().Interface().(*Base), nil
		case f.Type == reflect.PointerTo(baseType):
			if fv.IsNil() {
				return nil, errors.New("the embedded *tentacle.Base is nil")
			}
			return fv.Interface().(*Base), nil
		}
	}
	return nil, nil
}

// InjectedFrom returns the host injectable registered under name for a
// plugin, given its implementation (which embeds [Base]), its *Base or its
// *Context: what [Context.Injected] returns. It is nil before the plugin's
// context is injected, for a value that embeds no Base, and when the host
// has no such injectable. A host's API package builds its typed accessors
// on it (the tentacle server's server.Bus, for one), for plugins of every
// tier: it also finds the Base of an interpreted plugin, whose method set
// does not show the promoted methods.
func InjectedFrom(p any, name string) any {
	if i, ok := p.(interface{ Injected(string) any }); ok {
		return i.Injected(name)
	}
	if b, _ := BaseOf(p); b != nil {
		return b.Injected(name)
	}
	return nil
}
