package executions

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// keepAlive is how often an idle stream sends a comment, so proxies keep
// the connection open.
const keepAlive = 15 * time.Second

// sse writes Server-Sent Events.
type sse struct {
	w http.ResponseWriter
	f http.Flusher
}

func startSSE(c *echo.Context) (*sse, error) {
	w := c.Response()
	f, ok := w.(http.Flusher)
	if !ok {
		if u, _ := echo.UnwrapResponse(w); u != nil {
			f, ok = u.ResponseWriter.(http.Flusher)
		}
	}
	if !ok {
		return nil, errs.Internal(fmt.Errorf("executions: the response cannot stream"))
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	f.Flush()
	return &sse{w: w, f: f}, nil
}

func (s *sse) send(event, id string, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if id != "" {
		if _, err := fmt.Fprintf(s.w, "id: %s\n", id); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(s.w, "event: %s\ndata: %s\n\n", event, b); err != nil {
		return err
	}
	s.f.Flush()
	return nil
}

func (s *sse) comment(text string) error {
	if _, err := fmt.Fprintf(s.w, ": %s\n\n", text); err != nil {
		return err
	}
	s.f.Flush()
	return nil
}

// streamOne follows one execution: its log lines (resuming after
// Last-Event-ID), its status changes and its end.
func (m *Module) streamOne(c *echo.Context) error {
	in := new(IDRequest)
	if err := httpx.Bind(c, in); err != nil {
		return err
	}
	id, err := parseID(in.ID)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	e, v, err := m.visible(ctx, id)
	if err != nil {
		return err
	}
	var after int64
	if last := c.Request().Header.Get("Last-Event-ID"); last != "" {
		if n, err := strconv.ParseInt(last, 10, 64); err == nil && n > 0 {
			after = n
		}
	}
	if q := c.QueryParam("after"); q != "" {
		if n, err := strconv.ParseInt(q, 10, 64); err == nil && n > after {
			after = n
		}
	}
	if m.cache == nil {
		return errs.Unavailable("executions.live_unavailable", "Live updates are not available.")
	}

	// Subscribe first, then read what is stored: nothing falls between.
	events := make(chan event, 512)
	ready := make(chan struct{})
	subCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	subErr := make(chan error, 1)
	go func() {
		subErr <- m.cache.Subscribe(subCtx, []string{eventsChannel(id)}, ready, func(_, msg string) {
			var ev event
			if json.Unmarshal([]byte(msg), &ev) == nil {
				select {
				case events <- ev:
				default: // the viewer is too slow: it catches up from the database below
					select {
					case events <- event{Type: "overflow"}:
					default:
					}
				}
			}
		})
	}()
	select {
	case <-ready:
	case err := <-subErr:
		return errs.Unavailable("executions.live_unavailable", "Live updates are not available.").WithCause(err)
	case <-time.After(10 * time.Second):
		return errs.Unavailable("executions.live_unavailable", "Live updates are not available.")
	}

	out, err := startSSE(c)
	if err != nil {
		return err
	}
	// catchUp sends the stored lines after the last one sent.
	catchUp := func() error {
		for {
			lines, err := m.store.logs(ctx, id, after, 1000, v.admin)
			if err != nil {
				return err
			}
			for _, l := range lines {
				if err := out.send("log", strconv.FormatInt(l.Seq, 10), l); err != nil {
					return err
				}
				after = l.Seq
			}
			if len(lines) < 1000 {
				return nil
			}
		}
	}
	if err := catchUp(); err != nil {
		return nil
	}
	view := e.view(v.admin)
	if err := out.send("status", "", view); err != nil {
		return nil
	}
	finish := func(final *Execution) error {
		// Every line was stored before the final status was announced.
		if err := catchUp(); err != nil {
			return err
		}
		return out.send("end", "", final)
	}
	if Terminal(e.Status) {
		_ = finish(&view)
		return nil
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	// A lost end announcement (Redis reconnecting) is caught by a slow poll.
	poll := time.NewTicker(5 * time.Second)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-m.closing:
			return nil
		case <-tick.C:
			if out.comment("keep-alive") != nil {
				return nil
			}
		case <-poll.C:
			now, err := m.store.get(ctx, id)
			if err == nil && Terminal(now.Status) {
				final := now.view(v.admin)
				_ = finish(&final)
				return nil
			}
		case ev := <-events:
			switch ev.Type {
			case "log":
				for _, l := range ev.Lines {
					if l.Seq <= after || (!v.admin && adminOnlyLevel(l.Level)) {
						continue
					}
					if l.Seq > after+1 {
						// A line is missing here (dropped by a slow
						// subscriber): take it from the database.
						if catchUp() != nil {
							return nil
						}
						if l.Seq <= after {
							continue
						}
					}
					if out.send("log", strconv.FormatInt(l.Seq, 10), l) != nil {
						return nil
					}
					after = l.Seq
				}
			case "overflow":
				if catchUp() != nil {
					return nil
				}
			case "status":
				if ev.Execution == nil {
					continue
				}
				final := *ev.Execution
				if !v.admin {
					final.Variables, final.Worker = nil, ""
					if final.Error != nil {
						errCopy := *final.Error
						errCopy.Detail = ""
						final.Error = &errCopy
					}
				}
				if Terminal(final.Status) {
					_ = finish(&final)
					return nil
				}
				if out.send("status", "", final) != nil {
					return nil
				}
			}
		}
	}
}

// streamList follows the history: new executions and status changes the
// caller may see.
func (m *Module) streamList(c *echo.Context) error {
	ctx := c.Request().Context()
	v, err := m.viewerOf(ctx)
	if err != nil {
		return err
	}
	if !v.viewAll && v.org == nil {
		return errs.Forbidden("auth.forbidden", "You do not have permission to do this.")
	}
	changes, stop := m.hub.watch()
	defer stop()
	out, err := startSSE(c)
	if err != nil {
		return err
	}
	if out.comment("following") != nil {
		return nil
	}
	tick := time.NewTicker(keepAlive)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-m.closing:
			return nil
		case <-tick.C:
			if out.comment("keep-alive") != nil {
				return nil
			}
		case e := <-changes:
			if !v.can(&e) || e.Transient {
				continue
			}
			if !v.admin {
				e.Worker, e.Variables = "", nil
				if e.Error != nil {
					errCopy := *e.Error
					errCopy.Detail = ""
					e.Error = &errCopy
				}
			}
			if out.send("execution", e.ID.String(), e) != nil {
				return nil
			}
		}
	}
}
