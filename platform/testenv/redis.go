package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/redis/rueidis"

	"github.com/bifrost-automation/bifrost/platform/cache"
)

// Redis is a test's own key prefix on the Redis server.
type Redis struct {
	URL    string
	Prefix string
	Client *cache.Client
}

// NewRedis checks Redis answers, picks a prefix, and deletes the test's keys
// when it ends.
func NewRedis(t testing.TB) *Redis {
	t.Helper()
	url := RedisURL()
	prefix := "test:" + uniqueName(t) + ":"
	c, err := cache.New(cache.Options{URL: url, Prefix: prefix})
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = c.Ping(ctx)
		cancel()
		if err != nil {
			c.Close()
		}
	}
	if err != nil {
		unreachable(t, "Redis", url, err)
	}
	t.Cleanup(func() {
		defer c.Close()
		ctx, cancel := cleanupContext()
		defer cancel()
		if err := deleteKeys(ctx, c.Redis(), prefix+"*"); err != nil {
			t.Errorf("testenv: clean up Redis: %v", err)
		}
	})
	return &Redis{URL: url, Prefix: prefix, Client: c}
}

func deleteKeys(ctx context.Context, r rueidis.Client, pattern string) error {
	var cursor uint64
	for {
		e, err := r.Do(ctx, r.B().Scan().Cursor(cursor).Match(pattern).Count(500).Build()).AsScanEntry()
		if err != nil {
			return err
		}
		if len(e.Elements) > 0 {
			if err := r.Do(ctx, r.B().Del().Key(e.Elements...).Build()).Error(); err != nil {
				return err
			}
		}
		if e.Cursor == 0 {
			return nil
		}
		cursor = e.Cursor
	}
}
