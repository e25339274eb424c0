package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/redis/rueidis"

	"github.com/bifrost-automation/bifrost/platform/cache"
	"github.com/bifrost-automation/bifrost/platform/errs"
)

// limiter counts events in fixed windows in Redis, so every api process
// shares the counts.
type limiter struct {
	c *cache.Client
}

// hitScript increments a counter, starting its window on the first hit,
// and returns the count and the time left in the window.
var hitScript = rueidis.NewLuaScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`)

func limitKey(kind, subject string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(subject)))
	return "auth:rl:" + kind + ":" + hex.EncodeToString(sum[:16])
}

// hit counts one event and reports whether it stays within limit.
func (l *limiter) hit(ctx context.Context, kind, subject string, limit int, window time.Duration) (bool, time.Duration, error) {
	vals, err := hitScript.Exec(ctx, l.c.Redis(), []string{l.c.Key(limitKey(kind, subject))}, []string{fmt.Sprint(window.Milliseconds())}).AsIntSlice()
	if err != nil || len(vals) != 2 {
		return true, 0, fmt.Errorf("auth: rate limit: %w", err)
	}
	return vals[0] <= int64(limit), time.Duration(vals[1]) * time.Millisecond, nil
}

// over reports whether a counter already reached limit, without counting.
func (l *limiter) over(ctx context.Context, kind, subject string, limit int) (bool, time.Duration, error) {
	r := l.c.Redis()
	key := l.c.Key(limitKey(kind, subject))
	res := r.DoMulti(ctx, r.B().Get().Key(key).Build(), r.B().Pttl().Key(key).Build())
	n, err := res[0].AsInt64()
	if rueidis.IsRedisNil(err) {
		return false, 0, nil
	}
	if err != nil {
		return false, 0, fmt.Errorf("auth: rate limit: %w", err)
	}
	ttl, _ := res[1].AsInt64()
	return n >= int64(limit), time.Duration(ttl) * time.Millisecond, nil
}

func (l *limiter) reset(ctx context.Context, kind, subject string) {
	r := l.c.Redis()
	_ = r.Do(ctx, r.B().Del().Key(l.c.Key(limitKey(kind, subject))).Build()).Error()
}

func tooMany(retry time.Duration) error {
	if retry < time.Second {
		retry = time.Second
	}
	return errs.RateLimited("auth.rate_limited", "Too many attempts; wait before trying again.", retry)
}
