package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
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

// watermillConfig is the one place Watermill's names are derived from a topic.
func (o Options) watermillConfig(role string) wamqp.Config {
	topo := o.topology()
	return wamqp.Config{
		Connection: wamqp.ConnectionConfig{
			AmqpURI: o.URL,
			AmqpConfig: &amqp.Config{
				Properties: amqp.Table{"connection_name": o.Name + " " + role},
				Heartbeat:  10 * time.Second,
				Locale:     "en_US",
			},
			Reconnect: &wamqp.ReconnectConfig{
				BackoffInitialInterval:     200 * time.Millisecond,
				BackoffRandomizationFactor: 0.5,
				BackoffMultiplier:          1.5,
				BackoffMaxInterval:         10 * time.Second,
			},
		},
		Marshaler: marshaler{},
		Exchange: wamqp.ExchangeConfig{
			GenerateName: topo.ExchangeFor,
			Type:         amqp.ExchangeDirect,
			Durable:      true,
		},
		Queue: wamqp.QueueConfig{
			GenerateName: topo.QueueName,
			Durable:      true,
		},
		QueueBind: wamqp.QueueBindConfig{GenerateRoutingKey: topo.RoutingKeyFor},
		Publish: wamqp.PublishConfig{
			GenerateRoutingKey: topo.RoutingKeyFor,
			ConfirmDelivery:    true,
		},
		Consume: wamqp.ConsumeConfig{
			Qos: wamqp.QosConfig{PrefetchCount: o.Prefetch},
		},
		TopologyBuilder: topologyBuilder{topo: topo},
	}
}

// topologyBuilder declares the whole topology whenever Watermill asks for
// part of it (on subscribe and after every reconnection), so a broker that
// lost its definitions gets them back.
type topologyBuilder struct{ topo Topology }

func (b topologyBuilder) BuildTopology(ch *amqp.Channel, _ wamqp.BuildTopologyParams, _ wamqp.Config, _ watermill.LoggerAdapter) error {
	return b.topo.Declare(ch)
}

func (b topologyBuilder) ExchangeDeclare(ch *amqp.Channel, _ string, _ wamqp.Config) error {
	return b.topo.Declare(ch)
}

// Publisher sends messages with publisher confirms. It implements
// message.Publisher so Watermill middleware can use it.
type Publisher struct {
	opts Options
	pub  *wamqp.Publisher
	log  *slog.Logger
}

// NewPublisher connects to the broker and declares the topology.
func NewPublisher(ctx context.Context, opts Options) (*Publisher, error) {
	opts.defaults()
	pub, err := wamqp.NewPublisher(opts.watermillConfig("publisher"), watermillLogger(opts.Logger))
	if err != nil {
		return nil, fmt.Errorf("bus: connect to RabbitMQ: %w", err)
	}
	p := &Publisher{opts: opts, pub: pub, log: opts.Logger}
	if err := p.withChannel(ctx, opts.topology().Declare); err != nil {
		pub.Close()
		return nil, err
	}
	return p, nil
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

// PublishMessages implements message.Publisher for Watermill middleware.
func (p *Publisher) PublishMessages(topic string, msgs ...*message.Message) error {
	for _, m := range msgs {
		if err := p.send(context.Background(), topic, m); err != nil {
			return err
		}
	}
	return nil
}

func (p *Publisher) send(ctx context.Context, topic string, msg *message.Message) error {
	ctx, cancel := context.WithTimeout(ctx, p.opts.PublishTimeout)
	defer cancel()
	// Watermill publishes with the message's context; keep it bounded.
	msg.SetContext(ctx)
	start := time.Now()
	backoff := 50 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := p.pub.Publish(topic, msg)
		if err == nil {
			p.opts.Metrics.published(topic, "ok", time.Since(start))
			return nil
		}
		if p.pub.Closed() {
			p.opts.Metrics.published(topic, "error", time.Since(start))
			return fmt.Errorf("bus: publish to %s: publisher closed", topic)
		}
		// A failed publish may have reached the broker before its confirm
		// was lost; publishing again is safe because consumers are
		// idempotent (delivery is at-least-once).
		p.log.Warn("bus: publish failed, retrying", "topic", topic, "attempt", attempt, "error", err)
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

// Ping checks the broker with a real round trip: it opens a channel and
// looks up the direct exchange.
func (p *Publisher) Ping(ctx context.Context) error {
	if !p.pub.IsConnected() {
		return errors.New("not connected")
	}
	return p.withChannel(ctx, func(ch *amqp.Channel) error {
		return ch.ExchangeDeclarePassive(p.opts.topology().DirectExchange(), amqp.ExchangeDirect, true, false, false, false, nil)
	})
}

// withChannel runs fn on a fresh channel of the publisher's connection,
// giving up when ctx ends (amqp091 calls take no context).
func (p *Publisher) withChannel(ctx context.Context, fn func(*amqp.Channel) error) error {
	done := make(chan error, 1)
	go func() {
		conn := p.pub.Connection()
		if conn == nil || conn.IsClosed() {
			done <- errors.New("bus: not connected to RabbitMQ")
			return
		}
		ch, err := conn.Channel()
		if err != nil {
			done <- fmt.Errorf("bus: open channel: %w", err)
			return
		}
		defer ch.Close()
		done <- fn(ch)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close closes the connection.
func (p *Publisher) Close() error { return p.pub.Close() }

// watermillPublisher adapts Publisher to message.Publisher.
type watermillPublisher struct{ p *Publisher }

func (w watermillPublisher) Publish(topic string, msgs ...*message.Message) error {
	return w.p.PublishMessages(topic, msgs...)
}

func (w watermillPublisher) Close() error { return nil }
