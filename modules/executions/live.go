package executions

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/google/uuid"
)

// Live updates travel on Redis, so every api process sees what every
// worker does:
//
//	executions:events:<id>  an execution's log lines and status changes (its stream)
//	executions:changes      every status change (history lists, sync waiters)
//	executions:cancel       requests to stop a running execution (workers)
const (
	changesChannel = "executions:changes"
	cancelChannel  = "executions:cancel"
)

func eventsChannel(id uuid.UUID) string { return "executions:events:" + id.String() }

// event is one message on an execution's channel.
type event struct {
	Type      string     `json:"type"` // "log" or "status"
	Lines     []LogLine  `json:"lines,omitempty"`
	Execution *Execution `json:"execution,omitempty"`
}

// change is one message on the changes channel.
type change struct {
	Execution Execution `json:"execution"`
}

// hub fans the changes channel out to this process's listeners.
type hub struct {
	mu      sync.Mutex
	waiters map[uuid.UUID][]chan Execution
	lists   map[chan Execution]struct{}
}

func newHub() *hub {
	return &hub{waiters: map[uuid.UUID][]chan Execution{}, lists: map[chan Execution]struct{}{}}
}

// wait registers interest in an execution's end.
func (h *hub) wait(id uuid.UUID) (<-chan Execution, func()) {
	ch := make(chan Execution, 1)
	h.mu.Lock()
	h.waiters[id] = append(h.waiters[id], ch)
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		list := h.waiters[id]
		for i, c := range list {
			if c == ch {
				h.waiters[id] = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(h.waiters[id]) == 0 {
			delete(h.waiters, id)
		}
	}
}

// watch receives every change until stop.
func (h *hub) watch() (<-chan Execution, func()) {
	ch := make(chan Execution, 256)
	h.mu.Lock()
	h.lists[ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.lists, ch)
		h.mu.Unlock()
	}
}

func (h *hub) deliver(msg string) {
	var c change
	if json.Unmarshal([]byte(msg), &c) != nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if Terminal(c.Execution.Status) {
		for _, ch := range h.waiters[c.Execution.ID] {
			select {
			case ch <- c.Execution:
			default:
			}
		}
	}
	for ch := range h.lists {
		select {
		case ch <- c.Execution:
		default: // a slow viewer misses updates rather than holding the others
		}
	}
}

// publishChange announces a new or changed execution.
func (m *Module) publishChange(ctx context.Context, e *execution) {
	if m.cache == nil {
		return
	}
	view := e.view(true)
	view.Input, view.Result, view.Variables = nil, nil, nil
	b, _ := json.Marshal(change{Execution: view})
	if err := m.cache.Publish(ctx, changesChannel, string(b)); err != nil {
		m.log.Warn("executions: publish a change", "execution", e.ID, "error", err)
	}
	if Terminal(e.Status) || e.Status == StatusRunning || e.Status == StatusCancelling {
		full := e.view(true)
		eb, _ := json.Marshal(event{Type: "status", Execution: &full})
		if err := m.cache.Publish(ctx, eventsChannel(e.ID), string(eb)); err != nil {
			m.log.Warn("executions: publish a status", "execution", e.ID, "error", err)
		}
	}
}

// publishLines sends log lines to the execution's live viewers.
func (m *Module) publishLines(ctx context.Context, id uuid.UUID, lines []LogLine) {
	if m.cache == nil || len(lines) == 0 {
		return
	}
	b, _ := json.Marshal(event{Type: "log", Lines: lines})
	if err := m.cache.Publish(ctx, eventsChannel(id), string(b)); err != nil {
		m.log.Warn("executions: publish log lines", "execution", id, "error", err)
	}
}

// follow keeps the subscription to the shared channels up for the life of
// the process.
func (m *Module) follow(ctx context.Context, ready chan<- struct{}) {
	first := ready
	for ctx.Err() == nil {
		err := m.cache.Subscribe(ctx, []string{changesChannel, cancelChannel}, first, func(channel, msg string) {
			switch channel {
			case changesChannel:
				m.hub.deliver(msg)
			case cancelChannel:
				if id, err := uuid.Parse(msg); err == nil {
					m.cancelLocal(id)
				}
			}
		})
		first = nil
		if ctx.Err() != nil {
			return
		}
		m.log.Warn("executions: live updates interrupted; subscribing again", "error", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}
