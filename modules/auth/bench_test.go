package auth

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v5"
)

// BenchmarkAuthenticateBearer is the cost authentication adds to a request
// with a bearer token: parsing and verifying the JWT and checking its
// session is not revoked.
func BenchmarkAuthenticateBearer(b *testing.B) {
	org := uuid.New()
	m := &Module{
		signer:   &tokenSigner{key: deriveKey("a benchmark secret key of 32+ characters", "access token v1"), ttl: 15 * time.Minute, now: time.Now},
		sessions: newSessions(nil, time.Hour, 15*time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil))),
	}
	token, _, err := m.signer.issue(accessClaims{UserID: uuid.New(), Email: "tech@contoso.com", Name: "Tess", OrgID: &org, SessionID: randomID()})
	if err != nil {
		b.Fatal(err)
	}
	e := echo.New()
	req := httptest.NewRequest("GET", "/api/auth/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	c := e.NewContext(req, httptest.NewRecorder())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p, err := m.Authenticate(c)
		if err != nil || p == nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyNewToken is the first check of a token this process has
// not seen (after that, BenchmarkAuthenticateBearer applies).
func BenchmarkVerifyNewToken(b *testing.B) {
	org := uuid.New()
	s := &tokenSigner{key: deriveKey("a benchmark secret key of 32+ characters", "access token v1"), ttl: 15 * time.Minute, now: time.Now}
	token, _, err := s.issue(accessClaims{UserID: uuid.New(), Email: "tech@contoso.com", Name: "Tess", OrgID: &org, SessionID: randomID()})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := s.parse(token); err != nil {
			b.Fatal(err)
		}
	}
}
