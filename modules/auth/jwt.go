package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/bifrost-automation/bifrost/platform/crypto"
	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

const (
	tokenIssuer   = "bifrost"
	tokenAudience = "bifrost-api"
)

// deriveKey derives a purpose-bound key from the master secret, so the
// token signing key, the CSRF key and the OAuth state key are unrelated.
func deriveKey(secret, purpose string) []byte { return crypto.Derive(secret, purpose) }

// tokenSigner issues and verifies access tokens: HS256 JWTs signed with a
// key derived from secret_key.
type tokenSigner struct {
	key []byte
	ttl time.Duration
	now func() time.Time

	// verified remembers tokens already checked, until they expire: the
	// same token comes with every request of a session, and checking it
	// again costs far more than a map lookup.
	mu       sync.RWMutex
	verified map[string]verifiedToken
}

type verifiedToken struct {
	p   httpx.Principal
	exp time.Time
}

const verifiedCacheSize = 10_000

// accessClaims is what an access token says about its holder.
type accessClaims struct {
	UserID      uuid.UUID
	Email       string
	Name        string
	IsSuperuser bool
	OrgID       *uuid.UUID
	SessionID   string
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *tokenSigner) issue(c accessClaims) (string, time.Time, error) {
	now := s.now()
	exp := now.Add(s.ttl)
	b := jwt.NewBuilder().
		Issuer(tokenIssuer).
		Audience([]string{tokenAudience}).
		Subject(c.UserID.String()).
		IssuedAt(now).
		NotBefore(now).
		Expiration(exp).
		JwtID(randomID()).
		Claim("sid", c.SessionID).
		Claim("email", c.Email).
		Claim("name", c.Name).
		Claim("adm", c.IsSuperuser)
	if c.OrgID != nil {
		b = b.Claim("org", c.OrgID.String())
	}
	t, err := b.Build()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: build token: %w", err)
	}
	signed, err := jwt.Sign(t, jwt.WithKey(jwa.HS256(), s.key))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("auth: sign token: %w", err)
	}
	return string(signed), exp, nil
}

var (
	errTokenExpired = errs.Unauthenticated("auth.token_expired", "The access token has expired; refresh it or sign in again.")
	errTokenInvalid = errs.Unauthenticated("auth.invalid_token", "The access token is not valid.")
)

// verify checks a token's signature with the one pinned algorithm (HS256;
// "none" and every other algorithm fail), its issuer, audience and times,
// and returns its holder.
func (s *tokenSigner) verify(token string) (*httpx.Principal, error) {
	now := s.now()
	s.mu.RLock()
	v, ok := s.verified[token]
	s.mu.RUnlock()
	if ok {
		if now.After(v.exp.Add(30 * time.Second)) {
			return nil, errTokenExpired
		}
		p := v.p
		return &p, nil
	}
	p, exp, err := s.parse(token)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.verified == nil || len(s.verified) >= verifiedCacheSize {
		s.verified = make(map[string]verifiedToken, 256)
	}
	s.verified[token] = verifiedToken{p: *p, exp: exp}
	s.mu.Unlock()
	return p, nil
}

func (s *tokenSigner) parse(token string) (*httpx.Principal, time.Time, error) {
	t, err := jwt.ParseString(token,
		jwt.WithKey(jwa.HS256(), s.key),
		jwt.WithValidate(true),
		jwt.WithIssuer(tokenIssuer),
		jwt.WithAudience(tokenAudience),
		jwt.WithAcceptableSkew(30*time.Second),
		jwt.WithClock(jwt.ClockFunc(s.now)),
		jwt.WithRequiredClaim("sid"),
		jwt.WithRequiredClaim("exp"),
	)
	if err != nil {
		if errors.Is(err, jwt.TokenExpiredError()) {
			return nil, time.Time{}, errTokenExpired
		}
		return nil, time.Time{}, errTokenInvalid.WithCause(err)
	}
	sub, _ := t.Subject()
	uid, err := uuid.Parse(sub)
	if err != nil {
		return nil, time.Time{}, errTokenInvalid
	}
	exp, _ := t.Expiration()
	p := &httpx.Principal{UserID: uid}
	_ = t.Get("sid", &p.SessionID)
	_ = t.Get("email", &p.Email)
	_ = t.Get("name", &p.Name)
	_ = t.Get("adm", &p.IsSuperuser)
	var org string
	if t.Get("org", &org) == nil && org != "" {
		id, err := uuid.Parse(org)
		if err != nil {
			return nil, time.Time{}, errTokenInvalid
		}
		p.OrganizationID = &id
	}
	if p.SessionID == "" || (!p.IsSuperuser && p.OrganizationID == nil) {
		return nil, time.Time{}, errTokenInvalid
	}
	return p, exp, nil
}
