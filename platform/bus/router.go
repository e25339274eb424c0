package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
)

// HandlerFunc handles one message. Returning nil acknowledges it. Returning
// an error retries it in place (with backoff) and, when the retries are
// spent, sends it to the topic's dead-letter queue. Wrap the error with
// Permanent to skip the retries, or with Requeue to hand the message back
// to the broker untouched.
type HandlerFunc func(ctx context.Context, msg *message.Message) error

// ErrPermanent marks an error that retrying cannot fix (a malformed body,
// say): the message goes to the dead-letter queue at once.
var ErrPermanent = errors.New("permanent failure")

// ErrRequeue marks an error after which the message should go back to the
// queue without counting as a failure (the worker is shutting down, say).
var ErrRequeue = errors.New("requeue")

// Permanent wraps err so the message is dead-lettered without retries.
func Permanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }

// Requeue wraps err so the message is handed back to the broker.
func Requeue(err error) error { return fmt.Errorf("%w: %w", ErrRequeue, err) }

// DeadLetterHook is told about every message sent to a dead-letter queue, so
// the owner of the work can record the failure (an execution marked Failed).
type DeadLetterHook func(ctx context.Context, topic string, msg *message.Message, reason error)

// Handler describes one consumer of a topic.
type Handler struct {
	// Name identifies the handler in logs and metrics.
	Name  string
	Topic string
	// Concurrency is how many messages are handled at once (default 1).
	Concurrency int
	Func        HandlerFunc
	// OnDeadLetter, if set, runs after a message is dead-lettered.
	OnDeadLetter DeadLetterHook
}

// Router consumes queues with Watermill's router.
type Router struct {
	opts    Options
	pub     *Publisher
	sub     *subscriber
	router  *message.Router
	log     *slog.Logger
	handles []*message.Handler

	// drainCtx is the context handlers run with. It is not cancelled when
	// the router stops consuming, only when the drain timeout passes, so
	// shutdown lets running work finish.
	drainCtx    context.Context
	drainCancel context.CancelFunc
	running     atomic.Bool
	done        chan struct{}
	closeOnce   sync.Once
}

// NewRouter connects a consumer to the broker. pub sends dead letters.
func NewRouter(ctx context.Context, opts Options, pub *Publisher) (*Router, error) {
	opts.defaults()
	logger := watermillLogger(opts.Logger)
	sub, err := newSubscriber(ctx, opts)
	if err != nil {
		return nil, err
	}
	r, err := message.NewRouter(message.RouterConfig{CloseTimeout: 5 * time.Second}, logger)
	if err != nil {
		sub.Close()
		return nil, fmt.Errorf("bus: router: %w", err)
	}
	drainCtx, drainCancel := context.WithCancel(context.Background())
	return &Router{
		opts: opts, pub: pub, sub: sub, router: r, log: opts.Logger,
		drainCtx: drainCtx, drainCancel: drainCancel, done: make(chan struct{}),
	}, nil
}

// Add registers a handler; call it before Run.
func (r *Router) Add(h Handler) error {
	if h.Name == "" || h.Topic == "" || h.Func == nil {
		return errors.New("bus: handler needs a name, a topic and a func")
	}
	if _, ok := r.opts.topology().Spec(h.Topic); !ok {
		return fmt.Errorf("bus: handler %s: unknown topic %q", h.Name, h.Topic)
	}
	n := h.Concurrency
	if n < 1 {
		n = 1
	}
	dead := DeadTopic(h.Topic)
	poison, err := middleware.PoisonQueueWithFilter(watermillPublisher{r.pub}, dead, func(err error) bool {
		// Work interrupted by shutdown is handed back, not buried, whatever
		// error the interrupted code returned.
		return r.drainCtx.Err() == nil && !errors.Is(err, ErrRequeue) &&
			!errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
	})
	if err != nil {
		return fmt.Errorf("bus: handler %s: %w", h.Name, err)
	}
	retry := middleware.Retry{
		MaxRetries:          r.opts.MaxRetries,
		InitialInterval:     r.opts.RetryInterval,
		MaxInterval:         r.opts.RetryMaxBackoff,
		Multiplier:          2,
		RandomizationFactor: 0.2,
		ShouldRetry: func(p middleware.RetryParams) bool {
			return !errors.Is(p.Err, ErrPermanent) && !errors.Is(p.Err, ErrRequeue) &&
				r.drainCtx.Err() == nil
		},
		OnRetryHook: func(int, time.Duration) { r.opts.Metrics.handled(h.Topic, "retried", 0) },
	}
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("%s-%d", h.Name, i)
		wh := r.router.AddConsumerHandler(name, h.Topic, r.sub, func(msg *message.Message) error {
			return r.call(h, msg)
		})
		wh.AddMiddleware(r.detach(h), r.deadLetterHook(h), poison, retry.Middleware, r.recoverer(h))
		r.handles = append(r.handles, wh)
	}
	return nil
}

// Run starts consuming and returns once every handler subscribed. The
// router keeps running until Shutdown.
func (r *Router) Run(ctx context.Context) error {
	if len(r.handles) == 0 {
		close(r.done)
		return nil
	}
	errc := make(chan error, 1)
	go func() {
		// Not ctx: stopping is Shutdown's job, so running work can drain.
		errc <- r.router.Run(context.Background())
		close(r.done)
	}()
	select {
	case <-r.router.Running():
		r.running.Store(true)
		return nil
	case err := <-errc:
		return fmt.Errorf("bus: router: %w", err)
	case <-ctx.Done():
		_ = r.router.Close()
		return ctx.Err()
	}
}

// Shutdown stops taking new messages, waits up to the drain timeout (or
// ctx) for running handlers, then cancels what is left; unfinished
// messages go back to their queue, none to a dead-letter queue.
func (r *Router) Shutdown(ctx context.Context) error {
	var err error
	r.closeOnce.Do(func() {
		if r.running.Load() {
			for _, h := range r.handles {
				h.Stop()
			}
			timeout := time.NewTimer(r.opts.DrainTimeout)
			defer timeout.Stop()
		wait:
			for _, h := range r.handles {
				select {
				case <-h.Stopped():
				case <-timeout.C:
					r.log.Warn("bus: drain timeout, returning unfinished messages to their queues")
					break wait
				case <-ctx.Done():
					r.log.Warn("bus: shutdown cancelled, returning unfinished messages to their queues")
					break wait
				}
			}
		}
		r.drainCancel()
		if cerr := r.router.Close(); cerr != nil {
			err = fmt.Errorf("bus: close router: %w", cerr)
		}
		if r.running.Load() {
			<-r.done
		}
		if cerr := r.sub.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("bus: close subscriber: %w", cerr)
		}
	})
	return err
}

func (r *Router) call(h Handler, msg *message.Message) error {
	start := time.Now()
	err := h.Func(msg.Context(), msg)
	outcome := "ok"
	if err != nil {
		outcome = "error"
		r.log.Warn("bus: handler failed", "handler", h.Name, "topic", h.Topic, "message_id", msg.UUID, "error", err)
	}
	r.opts.Metrics.handled(h.Topic, outcome, time.Since(start))
	return err
}

// detach runs the handler under the router's drain context instead of the
// subscription's, which Watermill cancels as soon as consuming stops.
func (r *Router) detach(h Handler) message.HandlerMiddleware {
	return func(next message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			ctx, cancel := context.WithCancel(r.drainCtx)
			defer cancel()
			msg.SetContext(ctx)
			out, err := next(msg)
			if err != nil {
				// Not dead-lettered and not done: the message goes back
				// to its queue when Watermill nacks it.
				r.opts.Metrics.handled(h.Topic, "requeued", 0)
				if !errors.Is(err, ErrRequeue) {
					err = Requeue(err)
				}
			}
			return out, err
		}
	}
}

// deadLetterHook runs after the poison middleware: a message it buried
// carries the reason in its metadata.
func (r *Router) deadLetterHook(h Handler) message.HandlerMiddleware {
	return func(next message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := next(msg)
			if err == nil && msg.Metadata.Get(middleware.ReasonForPoisonedKey) != "" {
				reason := errors.New(msg.Metadata.Get(middleware.ReasonForPoisonedKey))
				r.opts.Metrics.handled(h.Topic, "dead_lettered", 0)
				r.log.Error("bus: message sent to dead-letter queue", "handler", h.Name, "topic", h.Topic, "message_id", msg.UUID, "reason", reason.Error())
				if h.OnDeadLetter != nil {
					h.OnDeadLetter(msg.Context(), h.Topic, msg, reason)
				}
			}
			return out, err
		}
	}
}

// recoverer turns a panic into an error so the message is retried and then
// dead-lettered; Watermill's own recovery would requeue it forever.
func (r *Router) recoverer(h Handler) message.HandlerMiddleware {
	return func(next message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) (out []*message.Message, err error) {
			defer func() {
				if p := recover(); p != nil {
					r.log.Error("bus: handler panicked", "handler", h.Name, "topic", h.Topic, "message_id", msg.UUID, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
					err = fmt.Errorf("handler panicked: %v", p)
				}
			}()
			return next(msg)
		}
	}
}

// watermillLogger routes Watermill's logs to slog, one level quieter: its
// info lines are start-up chatter.
func watermillLogger(l *slog.Logger) watermill.LoggerAdapter {
	return watermill.NewSlogLoggerWithLevelMapping(l.With("component", "bus"), map[slog.Level]slog.Level{
		slog.LevelInfo:  slog.LevelDebug,
		slog.LevelDebug: watermill.LevelTrace,
	})
}
