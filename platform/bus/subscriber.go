package bus

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	amqp "github.com/rabbitmq/amqp091-go"
)

// subscriber implements Watermill's message.Subscriber on one reconnecting
// connection. Each Subscribe is one consumer on its own channel with the
// configured prefetch; a message is acknowledged only when the handler
// acks it, and a consumer that is stopped finishes the message in hand
// before it lets go of the channel, which hands prefetched messages back.
type subscriber struct {
	opts    Options
	conn    *conn
	log     *slog.Logger
	closing chan struct{}
	closed  atomic.Bool
	wg      sync.WaitGroup
	seq     atomic.Uint64
}

func newSubscriber(ctx context.Context, opts Options) (*subscriber, error) {
	topo := opts.topology()
	c, err := dial(ctx, opts.URL, opts.Name+" consumer", opts.Logger, func(ac *amqp.Connection) error {
		return declareOn(ac, topo)
	})
	if err != nil {
		return nil, err
	}
	return &subscriber{opts: opts, conn: c, log: opts.Logger, closing: make(chan struct{})}, nil
}

// Subscribe consumes topic's queue until ctx ends or the subscriber closes.
func (s *subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	queue := s.opts.topology().QueueName(topic)
	out := make(chan *message.Message)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(out)
		tag := fmt.Sprintf("%s-%d", s.opts.Name, s.seq.Add(1))
		for ctx.Err() == nil && !s.closed.Load() {
			err := s.consume(ctx, queue, tag, out)
			if err == nil || ctx.Err() != nil || s.closed.Load() {
				return
			}
			s.log.Warn("bus: consumer interrupted, resuming", "queue", queue, "error", err)
			select {
			case <-ctx.Done():
				return
			case <-s.closing:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
	return out, nil
}

// consume runs one consumer until ctx ends (nil) or the channel fails.
func (s *subscriber) consume(ctx context.Context, queue, tag string, out chan<- *message.Message) error {
	ac, _, err := s.conn.get(ctx)
	if err != nil {
		return err
	}
	ch, err := ac.Channel()
	if err != nil {
		return fmt.Errorf("open channel: %w", err)
	}
	// Closing the channel returns every unacknowledged delivery to the queue.
	defer ch.Close()
	if err := ch.Qos(s.opts.Prefetch, 0, false); err != nil {
		return fmt.Errorf("set prefetch: %w", err)
	}
	deliveries, err := ch.Consume(queue, tag, false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("consume %s: %w", queue, err)
	}
	for {
		// Stopping wins over a waiting delivery.
		if ctx.Err() != nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.closing:
			return nil
		case d, ok := <-deliveries:
			if !ok {
				return fmt.Errorf("delivery channel closed")
			}
			if err := s.deliver(ctx, d, out); err != nil {
				return err
			}
		}
	}
}

// deliver hands one message to the router and settles it with the broker
// once the handler has decided. Stopping the subscription does not cut a
// handler short: it waits for the ack or nack.
func (s *subscriber) deliver(ctx context.Context, d amqp.Delivery, out chan<- *message.Message) error {
	msg := unmarshal(d)
	msgCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	msg.SetContext(msgCtx)
	select {
	case out <- msg:
	case <-ctx.Done():
		return d.Nack(false, true)
	case <-s.closing:
		return d.Nack(false, true)
	}
	select {
	case <-msg.Acked():
		return d.Ack(false)
	case <-msg.Nacked():
		return d.Nack(false, true)
	case <-s.closing:
		// Closing the channel requeues it.
		return nil
	}
}

// Close stops every consumer and the connection; messages not yet acked go
// back to their queues.
func (s *subscriber) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	close(s.closing)
	s.wg.Wait()
	return s.conn.close()
}
