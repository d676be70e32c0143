package hooks

import "testing"

// TestUntypedViewOnDemand: a change to a hook declared with a type builds
// its typed snapshot at once and its untyped view on the next Handlers
// call, which sees the change; an untyped hook's view is built at once.
func TestUntypedViewOnDemand(t *testing.T) {
	r := NewRegistry(Options{})
	typed := MustDeclare[func()](r, Spec{Name: "x.typed"})
	if err := r.Declare(Spec{Name: "x.untyped"}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"x.typed", "x.untyped"} {
		if err := r.Add("a", name, Registration{Func: func() {}}); err != nil {
			t.Fatal(err)
		}
	}
	state := func(name string) *hookState {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.hooks[name]
	}
	if state("x.typed").untyped.Load() != nil {
		t.Error("the typed hook's untyped view was built with the change")
	}
	if len(typed.Handlers()) != 1 {
		t.Error("the typed snapshot does not have the handler")
	}
	if state("x.untyped").untyped.Load() == nil {
		t.Error("the untyped hook's view was not built with the change")
	}
	if got := r.Handlers("x.typed"); len(got) != 1 || got[0].Plugin != "a" {
		t.Errorf("Handlers(x.typed) = %v, want plugin a's", got)
	}
	if state("x.typed").untyped.Load() == nil {
		t.Error("Handlers did not keep the view it built")
	}
	r.Remove("a", "x.typed")
	if got := r.Handlers("x.typed"); len(got) != 0 || len(typed.Handlers()) != 0 {
		t.Errorf("after the removal: Handlers = %v, typed %v", got, typed.Handlers())
	}
}
