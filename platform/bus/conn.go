package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// errClosed is returned once Close has been called.
var errClosed = errors.New("bus: connection closed")

// conn is one AMQP connection that reconnects by itself. It replaces
// watermill-amqp's ConnectionWrapper, whose connection state is read and
// written without synchronization (ThreeDotsLabs/watermill#693): every
// field here is guarded by mu, and waiters block on a channel that is
// closed once a connection is up.
type conn struct {
	url       string
	cfg       amqp.Config
	log       *slog.Logger
	onConnect func(*amqp.Connection) error

	mu      sync.Mutex
	c       *amqp.Connection
	gen     uint64        // bumped on every new connection
	up      chan struct{} // closed while connected
	closing chan struct{}
	closed  bool
	done    chan struct{}
}

// dial connects once (returning the error if it cannot) and then keeps the
// connection up in the background until Close.
func dial(ctx context.Context, url, name string, log *slog.Logger, onConnect func(*amqp.Connection) error) (*conn, error) {
	c := &conn{
		url: url,
		cfg: amqp.Config{
			Properties: amqp.Table{"connection_name": name},
			Heartbeat:  10 * time.Second,
			Locale:     "en_US",
			Dial:       amqp.DefaultDial(5 * time.Second),
		},
		log:       log,
		onConnect: onConnect,
		up:        make(chan struct{}),
		closing:   make(chan struct{}),
		done:      make(chan struct{}),
	}
	ac, err := c.connect(ctx)
	if err != nil {
		return nil, err
	}
	go c.keepAlive(ac)
	return c, nil
}

func (c *conn) connect(ctx context.Context) (*amqp.Connection, error) {
	type result struct {
		ac  *amqp.Connection
		err error
	}
	res := make(chan result, 1)
	go func() {
		ac, err := amqp.DialConfig(c.url, c.cfg)
		if err == nil && c.onConnect != nil {
			if err = c.onConnect(ac); err != nil {
				ac.Close()
			}
		}
		res <- result{ac, err}
	}()
	var r result
	select {
	case r = <-res:
	case <-ctx.Done():
		go func() {
			if r := <-res; r.ac != nil {
				r.ac.Close()
			}
		}()
		return nil, ctx.Err()
	}
	if r.err != nil {
		return nil, fmt.Errorf("bus: connect to RabbitMQ: %w", r.err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		r.ac.Close()
		return nil, errClosed
	}
	c.c = r.ac
	c.gen++
	close(c.up)
	return r.ac, nil
}

// keepAlive waits for the connection to drop and reconnects with backoff.
func (c *conn) keepAlive(ac *amqp.Connection) {
	defer close(c.done)
	for {
		notify := ac.NotifyClose(make(chan *amqp.Error, 1))
		select {
		case <-c.closing:
			return
		case err := <-notify:
			c.mu.Lock()
			if c.closed {
				c.mu.Unlock()
				return
			}
			c.up = make(chan struct{})
			c.c = nil
			c.mu.Unlock()
			c.log.Warn("bus: connection to RabbitMQ lost, reconnecting", "connection", c.cfg.Properties["connection_name"], "error", err)
		}
		wait := 200 * time.Millisecond
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			next, err := c.connect(ctx)
			cancel()
			if err == nil {
				ac = next
				c.log.Info("bus: reconnected to RabbitMQ", "connection", c.cfg.Properties["connection_name"])
				break
			}
			if errors.Is(err, errClosed) {
				return
			}
			c.log.Warn("bus: reconnect failed, retrying", "in", wait.String(), "error", err)
			select {
			case <-c.closing:
				return
			case <-time.After(wait):
			}
			if wait < 10*time.Second {
				wait = wait * 3 / 2
			}
		}
	}
}

// get returns the live connection and its generation, waiting for a
// reconnection if needed, until ctx ends.
func (c *conn) get(ctx context.Context) (*amqp.Connection, uint64, error) {
	for {
		c.mu.Lock()
		if c.closed {
			c.mu.Unlock()
			return nil, 0, errClosed
		}
		if c.c != nil && !c.c.IsClosed() {
			ac, gen := c.c, c.gen
			c.mu.Unlock()
			return ac, gen, nil
		}
		up := c.up
		c.mu.Unlock()
		select {
		case <-up:
		case <-c.closing:
			return nil, 0, errClosed
		case <-ctx.Done():
			return nil, 0, fmt.Errorf("bus: waiting for RabbitMQ: %w", ctx.Err())
		}
	}
}

// connected reports whether the connection is up right now.
func (c *conn) connected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.c != nil && !c.c.IsClosed()
}

func (c *conn) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// close stops reconnecting and closes the connection.
func (c *conn) close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	close(c.closing)
	ac := c.c
	c.c = nil
	c.mu.Unlock()
	<-c.done
	if ac != nil && !ac.IsClosed() {
		return ac.Close()
	}
	return nil
}

// withChannel runs fn on a fresh channel, giving up when ctx ends
// (amqp091 calls take no context).
func (c *conn) withChannel(ctx context.Context, fn func(*amqp.Channel) error) error {
	ac, _, err := c.get(ctx)
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() {
		ch, err := ac.Channel()
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
