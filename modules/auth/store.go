package auth

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/bifrost-automation/bifrost/platform/db"
	"github.com/bifrost-automation/bifrost/platform/errs"
)

var (
	errUserNotFound = errs.NotFound("users.not_found", "No user has this id.")
	errEmailTaken   = errs.Conflict("users.email_taken", "A user with this email exists.").
			WithFields(errs.FieldError{Field: "email", Code: "taken", Message: "has an account already"})
)

type store struct {
	db *db.DB
}

func normalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

func (s *store) insertUser(ctx context.Context, idb bun.IDB, u *user) error {
	if _, err := idb.NewInsert().Model(u).Returning("*").Exec(ctx); err != nil {
		if db.IsUniqueViolation(err, "users_email_key") {
			return errEmailTaken
		}
		return fmt.Errorf("auth store: insert user: %w", err)
	}
	return nil
}

func (s *store) updateUser(ctx context.Context, idb bun.IDB, u *user, columns ...string) error {
	res, err := idb.NewUpdate().Model(u).Column(columns...).WherePK().Returning("*").Exec(ctx)
	if err != nil {
		return fmt.Errorf("auth store: update user: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errUserNotFound
	}
	return nil
}

func (s *store) userByID(ctx context.Context, idb bun.IDB, id uuid.UUID) (*user, error) {
	u := new(user)
	if err := idb.NewSelect().Model(u).Where("id = ?", id).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, errUserNotFound
		}
		return nil, fmt.Errorf("auth store: user by id: %w", err)
	}
	return u, nil
}

func (s *store) userByEmail(ctx context.Context, idb bun.IDB, email string) (*user, error) {
	u := new(user)
	if err := idb.NewSelect().Model(u).Where("email = ?", normalizeEmail(email)).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, errUserNotFound
		}
		return nil, fmt.Errorf("auth store: user by email: %w", err)
	}
	return u, nil
}

func (s *store) anyUser(ctx context.Context, idb bun.IDB) (bool, error) {
	ok, err := idb.NewSelect().Model((*user)(nil)).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("auth store: any user: %w", err)
	}
	return ok, nil
}

func (s *store) activeSuperusers(ctx context.Context, idb bun.IDB) (int, error) {
	n, err := idb.NewSelect().Model((*user)(nil)).Where("is_superuser AND is_active").Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("auth store: count admins: %w", err)
	}
	return int(n), nil
}

type userFilter struct {
	Org      *uuid.UUID
	OnlyOrgs bool
	Search   string
	Active   *bool
	AfterKey string
	AfterID  uuid.UUID
	Limit    int
}

func (s *store) listUsers(ctx context.Context, f userFilter) ([]user, error) {
	var out []user
	q := s.db.NewSelect().Model(&out).OrderExpr("lower(email), id").Limit(int64(f.Limit))
	if f.Org != nil {
		q = q.Where("organization_id = ?", *f.Org)
	}
	if f.Search != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Search) + "%"
		q = q.Where("(email ILIKE ? OR display_name ILIKE ?)", like, like)
	}
	if f.Active != nil {
		q = q.Where("is_active = ?", *f.Active)
	}
	if f.AfterKey != "" || f.AfterID != uuid.Nil {
		q = q.Where("(lower(email), id) > (?, ?)", f.AfterKey, f.AfterID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("auth store: list users: %w", err)
	}
	return out, nil
}

func (s *store) usersByIDs(ctx context.Context, ids []uuid.UUID) ([]user, error) {
	var out []user
	if len(ids) == 0 {
		return out, nil
	}
	if err := s.db.NewSelect().Model(&out).Where("id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("auth store: users by id: %w", err)
	}
	return out, nil
}

func tokenHash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// insertToken stores a new single-use token, retiring the user's unused
// tokens of the same purpose: only the latest link works.
func (s *store) insertToken(ctx context.Context, idb bun.IDB, userID uuid.UUID, purpose, token string, ttl time.Duration) error {
	if _, err := idb.NewUpdate().Model((*authToken)(nil)).Set("used_at = now()").
		Where("user_id = ? AND purpose = ? AND used_at IS NULL", userID, purpose).Exec(ctx); err != nil {
		return fmt.Errorf("auth store: retire tokens: %w", err)
	}
	t := &authToken{TokenHash: tokenHash(token), UserID: userID, Purpose: purpose, ExpiresAt: time.Now().Add(ttl)}
	if _, err := idb.NewInsert().Model(t).Exec(ctx); err != nil {
		return fmt.Errorf("auth store: insert token: %w", err)
	}
	return nil
}

// consumeToken marks a token used if it is unused and unexpired, in one
// statement, so a link works exactly once even when clicked twice at once.
func (s *store) consumeToken(ctx context.Context, idb bun.IDB, purpose, token string) (uuid.UUID, bool, error) {
	var userID uuid.UUID
	err := idb.NewUpdate().Model((*authToken)(nil)).Set("used_at = now()").
		Where("token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > now()", tokenHash(token), purpose).
		Returning("user_id").Scan(ctx, &userID)
	if db.IsNoRows(err) {
		return uuid.Nil, false, nil
	}
	if err != nil {
		return uuid.Nil, false, fmt.Errorf("auth store: consume token: %w", err)
	}
	return userID, true, nil
}

// peekToken returns the user of a valid token without using it.
func (s *store) peekToken(ctx context.Context, purpose, token string) (uuid.UUID, bool, error) {
	t := new(authToken)
	err := s.db.NewSelect().Model(t).
		Where("token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > now()", tokenHash(token), purpose).Scan(ctx)
	if db.IsNoRows(err) {
		return uuid.Nil, false, nil
	}
	if err != nil {
		return uuid.Nil, false, fmt.Errorf("auth store: read token: %w", err)
	}
	return t.UserID, true, nil
}

func (s *store) hasPendingInvitation(ctx context.Context, userID uuid.UUID) (bool, error) {
	ok, err := s.db.NewSelect().Model((*authToken)(nil)).
		Where("user_id = ? AND purpose = ? AND used_at IS NULL AND expires_at > now()", userID, purposeInvitation).Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("auth store: pending invitation: %w", err)
	}
	return ok, nil
}

func (s *store) oauthAccount(ctx context.Context, provider, providerUserID string) (*oauthAccount, bool, error) {
	a := new(oauthAccount)
	err := s.db.NewSelect().Model(a).Where("provider = ? AND provider_user_id = ?", provider, providerUserID).Scan(ctx)
	if db.IsNoRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("auth store: oauth account: %w", err)
	}
	return a, true, nil
}

func (s *store) linkOAuth(ctx context.Context, idb bun.IDB, a *oauthAccount) error {
	_, err := idb.NewInsert().Model(a).
		On("CONFLICT (provider, provider_user_id) DO UPDATE").
		Set("email = EXCLUDED.email, last_login_at = EXCLUDED.last_login_at").Exec(ctx)
	if err != nil {
		return fmt.Errorf("auth store: link oauth account: %w", err)
	}
	return nil
}

func (s *store) deleteExpiredTokens(ctx context.Context) (int64, error) {
	res, err := s.db.NewDelete().Model((*authToken)(nil)).Where("expires_at < now() - interval '7 days'").Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("auth store: delete expired tokens: %w", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
