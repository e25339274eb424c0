package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"
	amqp "github.com/rabbitmq/amqp091-go"
)

// Options configures the connection to RabbitMQ.
type Options struct {
	URL    string
	Prefix string
	// Prefetch is how many unacknowledged messages each consumer holds.
	Prefetch int
	// PublishTimeout bounds a publish, including waiting for a reconnection.
	PublishTimeout time.Duration
	// MaxRetries is how many times a failing handler is retried in place
	// before its message goes to the dead-letter queue.
	MaxRetries      int
	RetryInterval   time.Duration
	RetryMaxBackoff time.Duration
	// DrainTimeout is how long Shutdown waits for running handlers.
	DrainTimeout time.Duration
	// Name identifies the connection in the RabbitMQ management UI.
	Name    string
	Logger  *slog.Logger
	Metrics *Metrics
}

func (o *Options) defaults() {
	if o.Prefetch <= 0 {
		o.Prefetch = 1
	}
	if o.PublishTimeout <= 0 {
		o.PublishTimeout = 10 * time.Second
	}
	if o.RetryInterval <= 0 {
		o.RetryInterval = time.Second
	}
	if o.RetryMaxBackoff <= 0 {
		o.RetryMaxBackoff = 30 * time.Second
	}
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 30 * time.Second
	}
	if o.Name == "" {
		o.Name = "bifrost"
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Metrics == nil {
		o.Metrics = NewMetrics(nil)
	}
}

func (o Options) topology() Topology { return Topology{Prefix: o.Prefix} }

// Publisher sends messages with publisher confirms over its own
// connection, reconnecting by itself. It keeps a small pool of confirm-mode
// channels so a publish costs one round trip.
type Publisher struct {
	opts Options
	conn *conn
	log  *slog.Logger
	pool chan *pubChannel
}

type pubChannel struct {
	ch  *amqp.Channel
	gen uint64
}

const publishChannels = 16

// NewPublisher connects to the broker and declares the topology (again on
// every reconnection, so a broker that lost its definitions gets them back).
func NewPublisher(ctx context.Context, opts Options) (*Publisher, error) {
	opts.defaults()
	topo := opts.topology()
	c, err := dial(ctx, opts.URL, opts.Name+" publisher", opts.Logger, func(ac *amqp.Connection) error {
		return declareOn(ac, topo)
	})
	if err != nil {
		return nil, err
	}
	return &Publisher{opts: opts, conn: c, log: opts.Logger, pool: make(chan *pubChannel, publishChannels)}, nil
}

func declareOn(ac *amqp.Connection, topo Topology) error {
	ch, err := ac.Channel()
	if err != nil {
		return fmt.Errorf("bus: open channel: %w", err)
	}
	defer ch.Close()
	return topo.Declare(ch)
}

// Topology returns the names this publisher uses.
func (p *Publisher) Topology() Topology { return p.opts.topology() }

// Publish sends payload to topic and returns once the broker has confirmed
// it. While the connection is down it waits for the reconnection, up to the
// publish timeout or ctx, whichever ends first.
func (p *Publisher) Publish(ctx context.Context, topic string, payload []byte, metadata map[string]string) error {
	msg := message.NewMessage(uuid.NewString(), payload)
	for k, v := range metadata {
		msg.Metadata.Set(k, v)
	}
	return p.send(ctx, topic, msg)
}

// PublishJSON marshals v and publishes it.
func (p *Publisher) PublishJSON(ctx context.Context, topic string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("bus: marshal %s message: %w", topic, err)
	}
	return p.Publish(ctx, topic, b, nil)
}

func (p *Publisher) send(ctx context.Context, topic string, msg *message.Message) error {
	if _, ok := p.opts.topology().Spec(topic); !ok {
		return fmt.Errorf("bus: publish: unknown topic %q", topic)
	}
	ctx, cancel := context.WithTimeout(ctx, p.opts.PublishTimeout)
	defer cancel()
	pub := marshal(msg)
	start := time.Now()
	backoff := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := p.publishOnce(ctx, topic, pub)
		if err == nil {
			p.opts.Metrics.published(topic, "ok", time.Since(start))
			return nil
		}
		if errors.Is(err, errClosed) {
			p.opts.Metrics.published(topic, "error", time.Since(start))
			return fmt.Errorf("bus: publish to %s: publisher closed", topic)
		}
		// A publish whose confirm was lost may have reached the broker;
		// sending it again is safe because consumers are idempotent
		// (delivery is at-least-once).
		if attempt == 1 || attempt%10 == 0 {
			p.log.Warn("bus: publish failed, retrying", "topic", topic, "attempt", attempt, "error", err)
		}
		select {
		case <-ctx.Done():
			p.opts.Metrics.published(topic, "error", time.Since(start))
			return fmt.Errorf("bus: publish to %s: %w (last error: %v)", topic, ctx.Err(), err)
		case <-time.After(backoff):
		}
		if backoff < time.Second {
			backoff *= 2
		}
	}
}

func (p *Publisher) publishOnce(ctx context.Context, topic string, pub amqp.Publishing) error {
	pc, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	topo := p.opts.topology()
	dc, err := pc.ch.PublishWithDeferredConfirmWithContext(ctx, topo.ExchangeFor(topic), topo.RoutingKeyFor(topic), false, false, pub)
	if err != nil {
		p.release(pc, false)
		return err
	}
	acked, err := dc.WaitContext(ctx)
	if err != nil {
		p.release(pc, false)
		return err
	}
	if !acked {
		// A nack, or the channel closed before the broker confirmed.
		p.release(pc, !pc.ch.IsClosed())
		return errors.New("bus: the broker did not confirm the message")
	}
	p.release(pc, true)
	return nil
}

func (p *Publisher) acquire(ctx context.Context) (*pubChannel, error) {
	gen := p.conn.generation()
	for {
		select {
		case pc := <-p.pool:
			if pc.gen == gen && !pc.ch.IsClosed() {
				return pc, nil
			}
			_ = pc.ch.Close()
			continue
		default:
		}
		break
	}
	ac, gen, err := p.conn.get(ctx)
	if err != nil {
		return nil, err
	}
	ch, err := ac.Channel()
	if err != nil {
		return nil, fmt.Errorf("bus: open channel: %w", err)
	}
	if err := ch.Confirm(false); err != nil {
		_ = ch.Close()
		return nil, fmt.Errorf("bus: confirm mode: %w", err)
	}
	return &pubChannel{ch: ch, gen: gen}, nil
}

func (p *Publisher) release(pc *pubChannel, healthy bool) {
	if healthy {
		select {
		case p.pool <- pc:
			return
		default:
		}
	}
	_ = pc.ch.Close()
}

// Ping checks the broker with a real round trip: it opens a channel and
// looks up the direct exchange.
func (p *Publisher) Ping(ctx context.Context) error {
	if !p.conn.connected() {
		return errors.New("bus: not connected to RabbitMQ")
	}
	return p.conn.withChannel(ctx, func(ch *amqp.Channel) error {
		return ch.ExchangeDeclarePassive(p.opts.topology().DirectExchange(), amqp.ExchangeDirect, true, false, false, false, nil)
	})
}

// Close closes the channels and the connection.
func (p *Publisher) Close() error {
	for {
		select {
		case pc := <-p.pool:
			_ = pc.ch.Close()
			continue
		default:
		}
		break
	}
	return p.conn.close()
}

// watermillPublisher adapts Publisher to message.Publisher.
type watermillPublisher struct{ p *Publisher }

func (w watermillPublisher) Publish(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		if err := w.p.send(context.Background(), topic, m); err != nil {
			return err
		}
	}
	return nil
}

func (w watermillPublisher) Close() error { return nil }
