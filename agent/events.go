package agent

import (
	"context"
	"sync"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// historySize is how many recent events a new subscriber gets first.
const historySize = 200

// eventBus fans events out to subscribers (the UI, `shardkeeper log -f`)
// and keeps recent history. A subscriber that does not keep up loses
// events rather than slowing the agent down.
type eventBus struct {
	mu      sync.Mutex
	history []control.Event
	subs    map[chan control.Event]struct{}
}

func newEventBus() *eventBus { return &eventBus{subs: map[chan control.Event]struct{}{}} }

func (b *eventBus) publish(ev control.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// Progress is too chatty to replay: history keeps the rest.
	if ev.Kind != control.EventTransfer {
		b.history = append(b.history, ev)
		if len(b.history) > historySize {
			b.history = append([]control.Event(nil), b.history[len(b.history)-historySize:]...)
		}
	}
	for ch := range b.subs {
		select {
		case ch <- ev:
		default:
		}
	}
}

// subscribe returns a channel that gets the history, then new events,
// until ctx ends.
func (b *eventBus) subscribe(ctx context.Context) <-chan control.Event {
	b.mu.Lock()
	ch := make(chan control.Event, historySize+256)
	for _, ev := range b.history {
		ch <- ev
	}
	b.subs[ch] = struct{}{}
	b.mu.Unlock()
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		delete(b.subs, ch)
		close(ch)
		b.mu.Unlock()
	}()
	return ch
}

// emit logs an event and sends it to subscribers.
func (a *Agent) emit(ev control.Event) {
	if ev.Time.IsZero() {
		ev.Time = a.clock.Now()
	}
	if ev.Kind == control.EventError && ev.Cause == "" {
		ev.Cause = causeOf(ev.Message)
	}
	a.bus.publish(ev)
	if ev.Kind == control.EventTransfer {
		return
	}
	attrs := []any{"kind", ev.Kind}
	if ev.Shard != "" {
		attrs = append(attrs, "shard", ev.Shard)
	}
	if ev.Key != "" {
		attrs = append(attrs, "key", ev.Key)
	}
	if ev.File != "" {
		attrs = append(attrs, "file", ev.File)
	}
	if ev.Kind == control.EventError {
		a.log.Warn(ev.Message, attrs...)
	} else {
		a.log.Info(ev.Message, attrs...)
	}
}

// Events streams recent history, then new events, until ctx ends.
func (a *Agent) Events(ctx context.Context) (<-chan control.Event, error) {
	return a.bus.subscribe(ctx), nil
}
