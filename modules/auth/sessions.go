package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/redis/rueidis"

	"github.com/bifrost-automation/bifrost/platform/cache"
	"github.com/bifrost-automation/bifrost/platform/errs"
)

// A session is a family of refresh tokens. Each refresh rotates the token;
// the old one is remembered as used, and presenting it again (a copy stolen
// and used by someone else, or replayed) ends the whole family. Only SHA-256
// digests of refresh tokens are stored.
//
// Redis keys (under the cache prefix):
//
//	auth:rt:<digest>        family|user of a refresh token       TTL refresh_token_ttl
//	auth:rt-used:<digest>   set when the token has been rotated  TTL refresh_token_ttl
//	auth:fam:<family>       user id while the session lives      TTL refresh_token_ttl, renewed on use
//	auth:user-fams:<user>   the user's session families (a set)
//	auth:revoked:<family>   marks a session ended, for as long as its access tokens could live
type sessions struct {
	c          *cache.Client
	refreshTTL time.Duration
	accessTTL  time.Duration
	log        *slog.Logger

	// revoked holds ended sessions whose access tokens may still be
	// presented; every process learns of them through channelRevoked, so
	// authenticating a request needs no round trip.
	mu      sync.RWMutex
	revoked map[string]time.Time
}

const (
	channelRevoked      = "auth:revoked"
	refreshTokenPrefix  = "bfr_"
	refreshTokenEntropy = 32
)

var (
	errRefreshInvalid = errs.Unauthenticated("auth.invalid_refresh_token", "The refresh token is not valid; sign in again.")
	errRefreshReused  = errs.Unauthenticated("auth.refresh_token_reused", "This refresh token was already used, so the session has been ended; sign in again.")
	errSessionEnded   = errs.Unauthenticated("auth.session_revoked", "This session has ended; sign in again.")
)

func newSessions(c *cache.Client, refreshTTL, accessTTL time.Duration, log *slog.Logger) *sessions {
	return &sessions{c: c, refreshTTL: refreshTTL, accessTTL: accessTTL, log: log, revoked: map[string]time.Time{}}
}

func digest(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func newRefreshToken() string {
	b := make([]byte, refreshTokenEntropy)
	_, _ = rand.Read(b)
	return refreshTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) r() rueidis.Client { return s.c.Redis() }

// start opens a new session for a user and returns its family id and first
// refresh token.
func (s *sessions) start(ctx context.Context, userID uuid.UUID) (family, token string, err error) {
	family = randomID()
	token, err = s.issue(ctx, userID, family)
	if err != nil {
		return "", "", err
	}
	return family, token, nil
}

func (s *sessions) issue(ctx context.Context, userID uuid.UUID, family string) (string, error) {
	token := newRefreshToken()
	r := s.r()
	ttl := s.refreshTTL.Milliseconds()
	cmds := rueidis.Commands{
		r.B().Set().Key(s.c.Key("auth", "rt", digest(token))).Value(family + "|" + userID.String()).PxMilliseconds(ttl).Build(),
		r.B().Set().Key(s.c.Key("auth", "fam", family)).Value(userID.String()).PxMilliseconds(ttl).Build(),
		r.B().Sadd().Key(s.c.Key("auth", "user-fams", userID.String())).Member(family).Build(),
		r.B().Pexpire().Key(s.c.Key("auth", "user-fams", userID.String())).Milliseconds(ttl).Build(),
	}
	for _, res := range r.DoMulti(ctx, cmds...) {
		if err := res.Error(); err != nil {
			return "", fmt.Errorf("auth: store refresh token: %w", err)
		}
	}
	return token, nil
}

// rotate exchanges a refresh token for a new one in the same family. A
// token presented a second time ends its family.
func (s *sessions) rotate(ctx context.Context, token string) (userID uuid.UUID, family, next string, err error) {
	if !strings.HasPrefix(token, refreshTokenPrefix) || len(token) > 100 {
		return uuid.Nil, "", "", errRefreshInvalid
	}
	d := digest(token)
	r := s.r()
	val, err := r.Do(ctx, r.B().Get().Key(s.c.Key("auth", "rt", d)).Build()).ToString()
	if rueidis.IsRedisNil(err) {
		return uuid.Nil, "", "", errRefreshInvalid
	}
	if err != nil {
		return uuid.Nil, "", "", fmt.Errorf("auth: read refresh token: %w", err)
	}
	family, uid, ok := strings.Cut(val, "|")
	if userID, err = uuid.Parse(uid); !ok || err != nil {
		return uuid.Nil, "", "", errRefreshInvalid
	}
	// SET NX makes the rotation atomic: of two requests racing with the
	// same token, exactly one wins and the other counts as reuse.
	err = r.Do(ctx, r.B().Set().Key(s.c.Key("auth", "rt-used", d)).Value("1").Nx().PxMilliseconds(s.refreshTTL.Milliseconds()).Build()).Error()
	if rueidis.IsRedisNil(err) {
		if rerr := s.end(ctx, userID, family); rerr != nil {
			s.log.Error("auth: could not end a session after refresh token reuse", "error", rerr)
		}
		return userID, family, "", errRefreshReused
	}
	if err != nil {
		return uuid.Nil, "", "", fmt.Errorf("auth: rotate refresh token: %w", err)
	}
	alive, err := r.Do(ctx, r.B().Exists().Key(s.c.Key("auth", "fam", family)).Build()).AsInt64()
	if err != nil {
		return uuid.Nil, "", "", fmt.Errorf("auth: read session: %w", err)
	}
	if alive == 0 {
		return uuid.Nil, "", "", errSessionEnded
	}
	next, err = s.issue(ctx, userID, family)
	if err != nil {
		return uuid.Nil, "", "", err
	}
	return userID, family, next, nil
}

// familyOf returns the session of a refresh token without rotating it.
func (s *sessions) familyOf(ctx context.Context, token string) (uuid.UUID, string, bool) {
	if !strings.HasPrefix(token, refreshTokenPrefix) {
		return uuid.Nil, "", false
	}
	r := s.r()
	val, err := r.Do(ctx, r.B().Get().Key(s.c.Key("auth", "rt", digest(token))).Build()).ToString()
	if err != nil {
		return uuid.Nil, "", false
	}
	family, uid, _ := strings.Cut(val, "|")
	id, err := uuid.Parse(uid)
	return id, family, err == nil
}

// end closes a session: its refresh tokens stop working at once, and every
// process refuses its access tokens from now on.
func (s *sessions) end(ctx context.Context, userID uuid.UUID, family string) error {
	r := s.r()
	cmds := rueidis.Commands{
		r.B().Del().Key(s.c.Key("auth", "fam", family)).Build(),
		r.B().Srem().Key(s.c.Key("auth", "user-fams", userID.String())).Member(family).Build(),
		r.B().Set().Key(s.c.Key("auth", "revoked", family)).Value("1").PxMilliseconds(s.revocationTTL().Milliseconds()).Build(),
		r.B().Publish().Channel(s.c.Key(channelRevoked)).Message(family).Build(),
	}
	var errsOut []error
	for _, res := range r.DoMulti(ctx, cmds...) {
		if err := res.Error(); err != nil {
			errsOut = append(errsOut, err)
		}
	}
	s.markRevoked(family, time.Now().Add(s.revocationTTL()))
	if err := errors.Join(errsOut...); err != nil {
		return fmt.Errorf("auth: end session: %w", err)
	}
	return nil
}

// endAll closes every session of a user (log out everywhere, password
// reset, deactivation).
func (s *sessions) endAll(ctx context.Context, userID uuid.UUID) error {
	r := s.r()
	fams, err := r.Do(ctx, r.B().Smembers().Key(s.c.Key("auth", "user-fams", userID.String())).Build()).AsStrSlice()
	if err != nil && !rueidis.IsRedisNil(err) {
		return fmt.Errorf("auth: list sessions: %w", err)
	}
	var errsOut []error
	for _, f := range fams {
		if err := s.end(ctx, userID, f); err != nil {
			errsOut = append(errsOut, err)
		}
	}
	return errors.Join(errsOut...)
}

// revocationTTL covers the longest an access token of the session can
// still be presented, clock skew included.
func (s *sessions) revocationTTL() time.Duration { return s.accessTTL + time.Minute }

func (s *sessions) markRevoked(family string, until time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked[family] = until
	if len(s.revoked) > 1000 {
		now := time.Now()
		for f, t := range s.revoked {
			if now.After(t) {
				delete(s.revoked, f)
			}
		}
	}
}

// isRevoked answers from memory.
func (s *sessions) isRevoked(family string) bool {
	s.mu.RLock()
	until, ok := s.revoked[family]
	s.mu.RUnlock()
	return ok && time.Now().Before(until)
}

// follow loads the sessions ended recently and listens for more, until ctx
// ends. ready is closed once this process is in step.
func (s *sessions) follow(ctx context.Context, ready chan<- struct{}) {
	once := sync.OnceFunc(func() {
		if ready != nil {
			close(ready)
		}
	})
	defer once()
	for ctx.Err() == nil {
		subscribed := make(chan struct{})
		go func() {
			<-subscribed
			// Subscribed first, then loaded: nothing ended in between is missed.
			if err := s.load(ctx); err != nil {
				s.log.Warn("auth: could not load ended sessions", "error", err)
			}
			once()
		}()
		err := s.c.Subscribe(ctx, []string{channelRevoked}, subscribed, func(_, family string) {
			s.markRevoked(family, time.Now().Add(s.revocationTTL()))
		})
		if ctx.Err() != nil {
			return
		}
		s.log.Warn("auth: session revocation feed interrupted, resubscribing", "error", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (s *sessions) load(ctx context.Context) error {
	r := s.r()
	pattern := s.c.Key("auth", "revoked", "*")
	prefix := s.c.Key("auth", "revoked", "")
	var cursor uint64
	for {
		e, err := r.Do(ctx, r.B().Scan().Cursor(cursor).Match(pattern).Count(1000).Build()).AsScanEntry()
		if err != nil {
			return err
		}
		for _, k := range e.Elements {
			ttl, err := r.Do(ctx, r.B().Pttl().Key(k).Build()).AsInt64()
			if err != nil || ttl <= 0 {
				continue
			}
			s.markRevoked(strings.TrimPrefix(k, prefix), time.Now().Add(time.Duration(ttl)*time.Millisecond))
		}
		if e.Cursor == 0 {
			return nil
		}
		cursor = e.Cursor
	}
}
