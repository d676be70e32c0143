package events_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tentacle-go/tentacle/events"
)

// blocker is a handler that blocks on its first event until released, and
// records the names of the events it finished.
type blocker struct {
	started  chan struct{}
	release  chan struct{}
	finished chan string
}

func newBlocker(n int) *blocker {
	return &blocker{started: make(chan struct{}), release: make(chan struct{}), finished: make(chan string, n)}
}

func (bl *blocker) handle(ev events.Event) {
	select {
	case <-bl.started:
	default:
		close(bl.started)
		<-bl.release
	}
	bl.finished <- ev.Name
}

// fireN fires e0 ... e<n-1>.
func fireN(b *events.Bus, n int) {
	for i := range n {
		b.Fire(fmt.Sprintf("e%d", i), nil)
	}
}

func TestSubscriptionCloseWaitsForInFlight(t *testing.T) {
	b := events.New(events.Options{})
	closeBus(t, b)
	bl := newBlocker(5)
	sub := subscribe(t, b, "plugin:slow", bl.handle)
	other, och := names(5)
	subscribe(t, b, "plugin:other", other)
	fireN(b, 5)
	<-bl.started

	closed := make(chan error, 1)
	go func() { closed <- sub.Close(context.Background()) }()
	// Close drops the 4 queued events at once, then waits for e0.
	eventually(t, "queued events dropped", func() bool {
		st := sub.Stats()
		return st.Queued == 0 && st.Dropped == 4
	})
	select {
	case err := <-closed:
		t.Fatalf("Close returned %v while the handler was running", err)
	default:
	}
	close(bl.release)
	if err := receive(t, closed, 1)[0]; err != nil {
		t.Fatalf("Close: %v", err)
	}
	// Close returned after the handler finished e0, and nothing followed.
	if diff := cmp.Diff([]string{"e0"}, drain(bl.finished)); diff != "" {
		t.Errorf("handled (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(events.Stats{Subscriber: "plugin:slow", Delivered: 1, Dropped: 4}, sub.Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
	// The subscriber is gone from the bus; the other one is unaffected.
	b.Fire("later", nil)
	receive(t, och, 6)
	if got := b.Stats(); len(got) != 1 || got[0].Subscriber != "plugin:other" {
		t.Errorf("bus Stats = %+v, want plugin:other only", got)
	}
	if len(bl.finished) != 0 {
		t.Errorf("closed subscriber got %q", drain(bl.finished))
	}
}

func TestSubscriptionCloseStuckHandler(t *testing.T) {
	tests := []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{name: "canceled", want: context.Canceled, ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}},
		{name: "deadline", want: context.DeadlineExceeded, ctx: func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 0)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log, lb := logger()
			b := events.New(events.Options{Logger: log})
			closeBus(t, b)
			bl := newBlocker(3)
			sub := subscribe(t, b, "plugin:stuck", bl.handle)
			fireN(b, 3)
			<-bl.started

			ctx, cancel := tt.ctx()
			defer cancel()
			if err := sub.Close(ctx); !errors.Is(err, tt.want) {
				t.Fatalf("Close = %v, want %v", err, tt.want)
			}
			for _, want := range []string{"abandoning", "subscriber=plugin:stuck", "event=e0"} {
				if !strings.Contains(lb.String(), want) {
					t.Errorf("log lacks %q:\n%s", want, lb.String())
				}
			}
			if st := sub.Stats(); st.Dropped != 2 || st.Queued != 0 {
				t.Errorf("Stats = %+v, want 2 dropped and none queued", st)
			}
			// The abandoned goroutine ends when its handler returns; a
			// second Close waits for it.
			close(bl.release)
			if err := sub.Close(context.Background()); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			if diff := cmp.Diff([]string{"e0"}, drain(bl.finished)); diff != "" {
				t.Errorf("handled (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSubscriptionCloseIdempotent(t *testing.T) {
	b := events.New(events.Options{})
	closeBus(t, b)
	h, ch := names(4)
	sub := subscribe(t, b, "s", h)
	b.Fire("one", nil)
	receive(t, ch, 1)
	for i := range 3 {
		if err := sub.Close(context.Background()); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
	// A done context does not matter once the goroutine has ended.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sub.Close(ctx); err != nil {
		t.Errorf("Close with a canceled context after the end: %v", err)
	}
	if !b.Fire("two", nil) {
		t.Error("Fire on the open bus = false")
	}
	if got := drain(ch); len(got) != 0 {
		t.Errorf("closed subscriber got %q", got)
	}
	if diff := cmp.Diff(events.Stats{Subscriber: "s", Delivered: 1}, sub.Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

func TestBusCloseDrains(t *testing.T) {
	const n = 50
	b := events.New(events.Options{})
	bl := newBlocker(n)
	slow := subscribe(t, b, "plugin:slow", bl.handle, "e*")
	fast, ch := names(n)
	subscribe(t, b, "plugin:fast", fast, "e*")
	fireN(b, n)
	<-bl.started

	closed := make(chan error, 1)
	go func() { closed <- b.Close(context.Background()) }()
	// "probe" matches no subscriber: Fire says whether the bus is closed.
	eventually(t, "bus closed", func() bool { return !b.Fire("probe", nil) })
	if _, err := b.Subscribe("plugin:late", func(events.Event) {}); !errors.Is(err, events.ErrClosed) {
		t.Errorf("Subscribe during Close = %v, want ErrClosed", err)
	}
	close(bl.release)
	if err := receive(t, closed, 1)[0]; err != nil {
		t.Fatalf("Close: %v", err)
	}

	// Close returned after every queued event was delivered.
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf("e%d", i)
	}
	if diff := cmp.Diff(want, drain(bl.finished)); diff != "" {
		t.Errorf("slow got (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, drain(ch)); diff != "" {
		t.Errorf("fast got (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(events.Stats{Subscriber: "plugin:slow", Delivered: n}, slow.Stats()); diff != "" {
		t.Errorf("slow Stats (-want +got):\n%s", diff)
	}

	// Afterwards: Fire is refused, Subscribe fails, Close and
	// Subscription.Close are no-ops.
	if b.Fire("after", nil) {
		t.Error("Fire after Close = true")
	}
	if _, err := b.Subscribe("plugin:after", func(events.Event) {}); !errors.Is(err, events.ErrClosed) {
		t.Errorf("Subscribe after Close = %v, want ErrClosed", err)
	}
	for i := range 2 {
		if err := b.Close(context.Background()); err != nil {
			t.Errorf("Close again #%d: %v", i+1, err)
		}
	}
	if err := slow.Close(context.Background()); err != nil {
		t.Errorf("Subscription.Close after Bus.Close: %v", err)
	}
	if got := b.Stats(); len(got) != 0 {
		t.Errorf("Stats after Close = %+v, want none", got)
	}
}

func TestBusCloseTimeout(t *testing.T) {
	log, lb := logger()
	b := events.New(events.Options{Logger: log})
	bl := newBlocker(5)
	stuck := subscribe(t, b, "plugin:stuck", bl.handle)
	idle := subscribe(t, b, "plugin:idle", func(events.Event) {}, "Nothing")
	fast, ch := names(5)
	subscribe(t, b, "plugin:fast", fast)
	fireN(b, 5)
	<-bl.started
	receive(t, ch, 5) // so that only the stuck subscriber has work left

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := b.Close(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Close = %v, want context.Canceled", err)
	}
	if st := stuck.Stats(); st.Dropped != 4 || st.Queued != 0 {
		t.Errorf("stuck Stats = %+v, want its 4 queued events dropped", st)
	}
	for _, want := range []string{"abandoning", "subscriber=plugin:stuck", "event=e0", "dropped=4"} {
		if !strings.Contains(lb.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, lb.String())
		}
	}
	if err := idle.Close(context.Background()); err != nil { // ended on its own
		t.Errorf("idle Close: %v", err)
	}

	// Once the handler returns, a second Close finds everything done.
	close(bl.release)
	if err := b.Close(context.Background()); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if diff := cmp.Diff([]string{"e0"}, drain(bl.finished)); diff != "" {
		t.Errorf("stuck handled (-want +got):\n%s", diff)
	}
}
