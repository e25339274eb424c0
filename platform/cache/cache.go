// Package cache is Bifrost's Redis client (rueidis): namespaced keys,
// pub/sub for live updates across processes, and distributed locks. It holds
// no domain logic.
package cache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/rueidis"
	"github.com/redis/rueidis/rueidislock"
)

// Options configures the connection.
type Options struct {
	URL string
	// Prefix starts every key and channel, so installations and tests can
	// share a server.
	Prefix string
}

// Client is the Redis client every module uses. Key names passed to it are
// relative: the prefix is added here.
type Client struct {
	rdb    rueidis.Client
	opt    rueidis.ClientOption
	prefix string
}

// New connects to Redis.
func New(opts Options) (*Client, error) {
	opt, err := rueidis.ParseURL(opts.URL)
	if err != nil {
		return nil, fmt.Errorf("cache: parse redis url: %w", err)
	}
	opt.Dialer.Timeout = 5 * time.Second
	opt.ConnWriteTimeout = 5 * time.Second
	rdb, err := rueidis.NewClient(opt)
	if err != nil {
		return nil, fmt.Errorf("cache: connect to Redis: %w", err)
	}
	return &Client{rdb: rdb, opt: opt, prefix: opts.Prefix}, nil
}

// Redis returns the underlying client for commands this package does not
// wrap. Use Key to name keys.
func (c *Client) Redis() rueidis.Client { return c.rdb }

// Key returns the full name of a key or channel.
func (c *Client) Key(parts ...string) string { return c.prefix + strings.Join(parts, ":") }

// Prefix returns the namespace of this client.
func (c *Client) Prefix() string { return c.prefix }

// Ping checks the server with a round trip.
func (c *Client) Ping(ctx context.Context) error {
	return c.rdb.Do(ctx, c.rdb.B().Ping().Build()).Error()
}

// Get returns a string value; found is false when the key is missing.
func (c *Client) Get(ctx context.Context, key string) (value string, found bool, err error) {
	v, err := c.rdb.Do(ctx, c.rdb.B().Get().Key(c.Key(key)).Build()).ToString()
	if rueidis.IsRedisNil(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("cache: get %s: %w", key, err)
	}
	return v, true, nil
}

// GetDel returns a string value and deletes it in one step, so of several
// callers only one gets it (single-use tokens); found is false when the key
// is missing.
func (c *Client) GetDel(ctx context.Context, key string) (value string, found bool, err error) {
	v, err := c.rdb.Do(ctx, c.rdb.B().Getdel().Key(c.Key(key)).Build()).ToString()
	if rueidis.IsRedisNil(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("cache: getdel %s: %w", key, err)
	}
	return v, true, nil
}

// Set stores a value with a time to live (0 keeps it).
func (c *Client) Set(ctx context.Context, key, value string, ttl time.Duration) error {
	var cmd rueidis.Completed
	if ttl > 0 {
		cmd = c.rdb.B().Set().Key(c.Key(key)).Value(value).PxMilliseconds(ttl.Milliseconds()).Build()
	} else {
		cmd = c.rdb.B().Set().Key(c.Key(key)).Value(value).Build()
	}
	if err := c.rdb.Do(ctx, cmd).Error(); err != nil {
		return fmt.Errorf("cache: set %s: %w", key, err)
	}
	return nil
}

// SetNX stores a value only if the key is missing and reports whether it did.
func (c *Client) SetNX(ctx context.Context, key, value string, ttl time.Duration) (bool, error) {
	cmd := c.rdb.B().Set().Key(c.Key(key)).Value(value).Nx().PxMilliseconds(ttl.Milliseconds()).Build()
	err := c.rdb.Do(ctx, cmd).Error()
	if rueidis.IsRedisNil(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("cache: setnx %s: %w", key, err)
	}
	return true, nil
}

// Delete removes keys.
func (c *Client) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = c.Key(k)
	}
	if err := c.rdb.Do(ctx, c.rdb.B().Del().Key(full...).Build()).Error(); err != nil {
		return fmt.Errorf("cache: delete: %w", err)
	}
	return nil
}

// Publish sends a message on a channel to every subscriber in every process.
func (c *Client) Publish(ctx context.Context, channel, message string) error {
	if err := c.rdb.Do(ctx, c.rdb.B().Publish().Channel(c.Key(channel)).Message(message).Build()).Error(); err != nil {
		return fmt.Errorf("cache: publish %s: %w", channel, err)
	}
	return nil
}

// Subscribe calls fn for every message on the channels until ctx ends or the
// connection fails. ready, if not nil, is closed once the subscription is
// active, so a caller can publish without losing the first messages.
func (c *Client) Subscribe(ctx context.Context, channels []string, ready chan<- struct{}, fn func(channel, message string)) error {
	full := make([]string, len(channels))
	for i, ch := range channels {
		full[i] = c.Key(ch)
	}
	// A dedicated connection: a subscribed connection cannot run commands.
	dc, cancel := c.rdb.Dedicate()
	defer cancel()
	wait := dc.SetPubSubHooks(rueidis.PubSubHooks{
		OnMessage: func(m rueidis.PubSubMessage) {
			fn(strings.TrimPrefix(m.Channel, c.prefix), m.Message)
		},
	})
	if err := dc.Do(ctx, dc.B().Subscribe().Channel(full...).Build()).Error(); err != nil {
		return fmt.Errorf("cache: subscribe: %w", err)
	}
	if ready != nil {
		close(ready)
	}
	select {
	case <-ctx.Done():
		return nil
	case err := <-wait:
		if err != nil {
			return fmt.Errorf("cache: subscription ended: %w", err)
		}
		return nil
	}
}

// Locker hands out distributed locks named relative to the client's prefix.
type Locker struct {
	l rueidislock.Locker
}

// ErrNotLocked means a lock is held by someone else.
var ErrNotLocked = rueidislock.ErrNotLocked

// NewLocker creates a locker with its own connection (locks rely on client
// side caching). validity is how long a lock outlives a holder that died.
func (c *Client) NewLocker(name string, validity time.Duration) (*Locker, error) {
	opt := c.opt
	// Without client-side caching the locker extends a held lock on its
	// timer only. With it, rueidislock v1.0.79 extends again on every
	// invalidation, and each extension invalidates the key for the same
	// client: thousands of scripts a second for as long as the lock is held.
	// Waiting is by polling anyway (see Lock).
	opt.DisableCache = true
	l, err := rueidislock.NewLocker(rueidislock.LockerOption{
		ClientOption: opt,
		KeyPrefix:    c.Key("lock", name),
		KeyValidity:  validity,
		KeyMajority:  1,
		// One Redis, one key: there is no next key to try, so give each
		// attempt time to answer on a busy machine. (The default of 20 ms
		// made a waiting locker miss the release of the lock.)
		TryNextAfter: time.Second,
	})
	if err != nil {
		return nil, fmt.Errorf("cache: locker: %w", err)
	}
	return &Locker{l: l}, nil
}

// Lock waits for the lock until ctx ends. The returned context is cancelled
// when the lock is lost (for example, Redis became unreachable long enough
// for it to expire); call release when done.
//
// It polls with a growing pause (up to 250 ms) rather than waiting for
// rueidislock's release notification, which a slow first attempt can miss,
// leaving the waiter blocked for good.
func (l *Locker) Lock(ctx context.Context, name string) (locked context.Context, release context.CancelFunc, err error) {
	wait := 10 * time.Millisecond
	for {
		locked, release, err = l.l.TryWithContext(ctx, name)
		if err == nil || !IsNotLocked(err) {
			return locked, release, err
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(wait):
		}
		if wait < 250*time.Millisecond {
			wait *= 2
		}
	}
}

// TryLock takes the lock if it is free and returns ErrNotLocked otherwise.
func (l *Locker) TryLock(ctx context.Context, name string) (locked context.Context, release context.CancelFunc, err error) {
	return l.l.TryWithContext(ctx, name)
}

// Close releases every lock and the connection.
func (l *Locker) Close() { l.l.Close() }

// Close closes the connection.
func (c *Client) Close() { c.rdb.Close() }

// IsNotLocked reports whether err means the lock is taken.
func IsNotLocked(err error) bool { return errors.Is(err, rueidislock.ErrNotLocked) }
