package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/bifrost-automation/bifrost/platform/errs"
)

// Password length bounds. The upper bound keeps a login request from
// becoming a denial of service.
const (
	minPasswordLength = 10
	maxPasswordLength = 256
)

// hasher hashes passwords with argon2id. Each hash holds memory KiB while it
// runs, so at most one per CPU runs at a time: a burst of logins queues
// instead of exhausting memory.
type hasher struct {
	memory      uint32
	iterations  uint32
	parallelism uint8
	sem         chan struct{}
	dummy       func() string
}

func newHasher(memoryKiB, iterations, parallelism int) *hasher {
	h := &hasher{
		memory:      uint32(memoryKiB),
		iterations:  uint32(iterations),
		parallelism: uint8(parallelism),
		sem:         make(chan struct{}, max(1, runtime.NumCPU())),
	}
	// A hash of a random password, verified against for unknown emails so a
	// login takes as long whether or not the account exists. Made on first
	// use, so start-up does not pay for it.
	h.dummy = sync.OnceValue(func() string {
		pw := make([]byte, 24)
		_, _ = rand.Read(pw)
		s, _ := h.hash(context.Background(), base64.RawStdEncoding.EncodeToString(pw))
		return s
	})
	return h
}

func (h *hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *hasher) release() { <-h.sem }

// hash returns the password's argon2id hash in PHC form.
func (h *hasher) hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, h.iterations, h.memory, h.parallelism, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.memory, h.iterations, h.parallelism,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

var errBadHash = errors.New("auth: malformed password hash")

// verify checks password against a PHC hash. rehash is true when the hash
// was made with other parameters than the current ones.
func (h *hasher) verify(ctx context.Context, password, encoded string) (ok, rehash bool, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, false, errBadHash
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 {
		return false, false, errBadHash
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false, false, errBadHash
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	h.release()
	ok = subtle.ConstantTimeCompare(got, want) == 1
	return ok, ok && (m != h.memory || t != h.iterations || p != h.parallelism), nil
}

// burn spends the time of a verification without an account to check.
func (h *hasher) burn(ctx context.Context, password string) {
	_, _, _ = h.verify(ctx, password, h.dummy())
}

// checkPassword applies the password rules and names the field at fault.
func checkPassword(field, password, email string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < minPasswordLength:
		return errs.Invalid("auth.weak_password", "The password is too short.",
			errs.FieldError{Field: field, Code: "too_short", Message: fmt.Sprintf("must be at least %d characters", minPasswordLength)})
	case len(password) > maxPasswordLength:
		return errs.Invalid("auth.invalid_password", "The password is too long.",
			errs.FieldError{Field: field, Code: "too_long", Message: fmt.Sprintf("must be at most %d bytes", maxPasswordLength)})
	case email != "" && strings.EqualFold(strings.TrimSpace(password), strings.TrimSpace(email)):
		return errs.Invalid("auth.weak_password", "The password must not be the email address.",
			errs.FieldError{Field: field, Code: "is_email", Message: "must not be the email address"})
	}
	return nil
}
