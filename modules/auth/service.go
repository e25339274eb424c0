package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/mail"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

var (
	errInvalidCredentials = errs.Unauthenticated("auth.invalid_credentials", "The email or password is incorrect.")
	errAccountDisabled    = errs.Forbidden("auth.account_disabled", "This account is disabled; ask an administrator.")
	errEmailUnverified    = errs.Forbidden("auth.email_unverified", "Confirm your email first: follow the link we sent you.")
	errLinkInvalid        = errs.Invalid("auth.invalid_link", "This link is invalid, already used, or expired; ask for a new one.")
	errSetupDone          = errs.Conflict("auth.setup_done", "Bifrost is already set up; sign in instead.")
	errRegistrationClosed = errs.Forbidden("auth.registration_closed", "Registration is by invitation only; ask an administrator.")
)

// Session is a signed-in session: what login, refresh, setup and invitation
// acceptance return.
type Session struct {
	AccessToken  string
	RefreshToken string
	ExpiresAt    time.Time
	SessionID    string
	CSRFToken    string
	User         *user
}

// csrfToken is bound to the session: a page that can set cookies on the
// domain still cannot mint one without the server's key.
func (m *Module) csrfToken(sessionID string) string {
	mac := hmac.New(sha256.New, m.csrfKey)
	mac.Write([]byte(sessionID))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (m *Module) claims(u *user, sessionID string) accessClaims {
	return accessClaims{UserID: u.ID, Email: u.Email, Name: u.DisplayName, IsSuperuser: u.IsSuperuser, OrgID: u.OrganizationID, SessionID: sessionID}
}

// openSession starts a session for a user who just proved who they are.
func (m *Module) openSession(ctx context.Context, u *user) (*Session, error) {
	family, refresh, err := m.sessions.start(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	access, exp, err := m.signer.issue(m.claims(u, family))
	if err != nil {
		return nil, err
	}
	now := m.now()
	u.LastLoginAt = &now
	if err := m.store.updateUser(ctx, m.store.db, u, "last_login_at"); err != nil {
		m.log.Warn("auth: could not record the login time", "error", err)
	}
	return &Session{AccessToken: access, RefreshToken: refresh, ExpiresAt: exp, SessionID: family, CSRFToken: m.csrfToken(family), User: u}, nil
}

// canSignIn checks the account and its organization are active.
func (m *Module) canSignIn(ctx context.Context, u *user) error {
	if !u.IsActive {
		return errAccountDisabled
	}
	if u.OrganizationID != nil {
		org, err := m.orgs.Organization(ctx, *u.OrganizationID)
		if err != nil {
			return err
		}
		if !org.IsActive {
			return errs.Forbidden("auth.organization_disabled", "Your organization is deactivated; ask an administrator.")
		}
	}
	return nil
}

func validEmail(field, email string) (string, error) {
	e := normalizeEmail(email)
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || !strings.Contains(e[strings.LastIndex(e, "@")+1:], ".") || len(e) > 320 {
		return "", errs.Invalid("request.invalid", "The request has invalid fields.", errs.FieldError{Field: field, Code: "email", Message: "must be an email address"})
	}
	return e, nil
}

// Login checks an email and password. Failures look the same whether or not
// the account exists, take as long, and count against both the account and
// the client address.
func (m *Module) Login(ctx context.Context, email, password string) (*Session, error) {
	email = normalizeEmail(email)
	client := httpx.ClientFrom(ctx)
	window := m.cfg.LoginWindow.D()
	if client.IP != "" {
		ok, retry, err := m.limiter.hit(ctx, "addr", client.IP, m.cfg.LoginAttemptsPerAddress, window)
		if err != nil {
			m.log.Warn("auth: login rate limit unavailable", "error", err)
		} else if !ok {
			m.record(ctx, app.AuditEvent{ActorEmail: email, Action: "auth.login_throttled", Details: map[string]any{"limit": "address"}})
			return nil, tooMany(retry)
		}
	}
	if over, retry, err := m.limiter.over(ctx, "account", email, m.cfg.LoginFailuresPerAccount); err != nil {
		m.log.Warn("auth: login rate limit unavailable", "error", err)
	} else if over {
		m.record(ctx, app.AuditEvent{ActorEmail: email, Action: "auth.login_throttled", Details: map[string]any{"limit": "account"}})
		return nil, tooMany(retry)
	}

	fail := func(u *user, reason string) error {
		_, _, _ = m.limiter.hit(ctx, "account", email, m.cfg.LoginFailuresPerAccount, window)
		e := app.AuditEvent{ActorEmail: email, Action: "auth.login_failed", Details: map[string]any{"reason": reason}}
		if u != nil {
			e.UserID, e.OrganizationID = &u.ID, u.OrganizationID
		}
		m.record(ctx, e)
		return errInvalidCredentials
	}
	u, err := m.store.userByEmail(ctx, m.store.db, email)
	if errs.IsNotFound(err) {
		m.hasher.burn(ctx, password)
		return nil, fail(nil, "unknown_email")
	}
	if err != nil {
		return nil, err
	}
	if u.PasswordHash == nil {
		m.hasher.burn(ctx, password)
		return nil, fail(u, "no_password")
	}
	ok, rehash, err := m.hasher.verify(ctx, password, *u.PasswordHash)
	if err != nil {
		return nil, errs.Internal(err)
	}
	if !ok {
		return nil, fail(u, "wrong_password")
	}
	// The password is right: from here on, saying why sign-in is refused
	// reveals nothing to someone who does not already know it.
	if err := m.canSignIn(ctx, u); err != nil {
		m.record(ctx, app.AuditEvent{UserID: &u.ID, OrganizationID: u.OrganizationID, ActorEmail: u.Email, Action: "auth.login_failed", Details: map[string]any{"reason": "disabled"}})
		return nil, err
	}
	if !u.IsVerified {
		return nil, errEmailUnverified
	}
	m.limiter.reset(ctx, "account", email)
	if rehash {
		if h, err := m.hasher.hash(ctx, password); err == nil {
			u.PasswordHash = &h
			_ = m.store.updateUser(ctx, m.store.db, u, "password_hash")
		}
	}
	s, err := m.openSession(ctx, u)
	if err != nil {
		return nil, err
	}
	m.record(ctx, app.AuditEvent{UserID: &u.ID, OrganizationID: u.OrganizationID, ActorEmail: u.Email, Action: "auth.login", Details: map[string]any{"method": "password"}})
	return s, nil
}

// Refresh rotates a refresh token and issues a new access token.
func (m *Module) Refresh(ctx context.Context, refreshToken string) (*Session, error) {
	userID, family, next, err := m.sessions.rotate(ctx, refreshToken)
	if err != nil {
		if errs.KindOf(err) == errs.KindUnauthenticated && userID != uuid.Nil {
			m.record(ctx, app.AuditEvent{UserID: &userID, Action: "auth.refresh_token_reused", Details: map[string]any{"session": family}})
		}
		return nil, err
	}
	u, err := m.store.userByID(ctx, m.store.db, userID)
	if err != nil {
		if errs.IsNotFound(err) {
			return nil, errRefreshInvalid
		}
		return nil, err
	}
	if err := m.canSignIn(ctx, u); err != nil {
		_ = m.sessions.end(ctx, u.ID, family)
		return nil, err
	}
	access, exp, err := m.signer.issue(m.claims(u, family))
	if err != nil {
		return nil, err
	}
	return &Session{AccessToken: access, RefreshToken: next, ExpiresAt: exp, SessionID: family, CSRFToken: m.csrfToken(family), User: u}, nil
}

// Logout ends the caller's session, or all of the user's sessions.
func (m *Module) Logout(ctx context.Context, p *httpx.Principal, refreshToken string, everywhere bool) error {
	userID, family := uuid.Nil, ""
	if p != nil {
		userID, family = p.UserID, p.SessionID
	} else if uid, fam, ok := m.sessions.familyOf(ctx, refreshToken); ok {
		userID, family = uid, fam
	}
	if userID == uuid.Nil {
		return nil // nothing to end; logging out twice is fine
	}
	var err error
	if everywhere {
		err = m.sessions.endAll(ctx, userID)
	} else {
		err = m.sessions.end(ctx, userID, family)
	}
	action := "auth.logout"
	if everywhere {
		action = "auth.logout_everywhere"
	}
	m.record(ctx, app.AuditEvent{UserID: &userID, Action: action})
	return err
}

// SetupNeeded reports whether no account exists yet.
func (m *Module) SetupNeeded(ctx context.Context) (bool, error) {
	any, err := m.store.anyUser(ctx, m.store.db)
	return !any, err
}

// setupLock serializes first-run setup so two browsers racing on a fresh
// install cannot both create an admin.
const setupLock = int64(0x62667365747570) // "bfsetup"

// Setup creates the first platform admin; it works only while no account
// exists.
func (m *Module) Setup(ctx context.Context, email, password, name string) (*Session, error) {
	email, err := validEmail("email", email)
	if err != nil {
		return nil, err
	}
	if err := checkPassword("password", password, email); err != nil {
		return nil, err
	}
	hash, err := m.hasher.hash(ctx, password)
	if err != nil {
		return nil, err
	}
	u := &user{Email: email, DisplayName: strings.TrimSpace(name), PasswordHash: &hash, IsActive: true, IsSuperuser: true, IsVerified: true}
	err = m.store.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(?)", setupLock); err != nil {
			return err
		}
		if any, err := m.store.anyUser(ctx, tx); err != nil {
			return err
		} else if any {
			return errSetupDone
		}
		return m.store.insertUser(ctx, tx, u)
	})
	if err != nil {
		return nil, err
	}
	m.record(ctx, app.AuditEvent{UserID: &u.ID, ActorEmail: u.Email, Action: "auth.setup", ResourceType: "user", ResourceID: u.ID.String()})
	return m.openSession(ctx, u)
}

func newLinkToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ForgotPassword emails a reset link when the account exists. The answer is
// the same either way.
func (m *Module) ForgotPassword(ctx context.Context, email string) error {
	email = normalizeEmail(email)
	client := httpx.ClientFrom(ctx)
	// Bounds the mail one person can make Bifrost send.
	if ok, retry, err := m.limiter.hit(ctx, "reset-addr", client.IP, 20, time.Hour); err == nil && !ok {
		return tooMany(retry)
	}
	if ok, _, err := m.limiter.hit(ctx, "reset-account", email, 5, time.Hour); err == nil && !ok {
		return nil // silently: the answer must not differ by account
	}
	u, err := m.store.userByEmail(ctx, m.store.db, email)
	if errs.IsNotFound(err) {
		m.record(ctx, app.AuditEvent{ActorEmail: email, Action: "auth.password_reset_requested", Details: map[string]any{"known": false}})
		return nil
	}
	if err != nil {
		return err
	}
	if !u.IsActive {
		return nil
	}
	token := newLinkToken()
	if err := m.store.insertToken(ctx, m.store.db, u.ID, purposeReset, token, resetTTLHours*time.Hour); err != nil {
		return err
	}
	m.sendReset(ctx, u.Email, token)
	m.record(ctx, app.AuditEvent{UserID: &u.ID, OrganizationID: u.OrganizationID, ActorEmail: u.Email, Action: "auth.password_reset_requested", Details: map[string]any{"known": true}})
	return nil
}

// ResetPassword sets a new password with a reset link's token, once, and
// ends every session of the account.
func (m *Module) ResetPassword(ctx context.Context, token, password string) error {
	peek, ok, err := m.store.peekToken(ctx, purposeReset, token)
	if err != nil {
		return err
	}
	if !ok {
		return errLinkInvalid
	}
	u, err := m.store.userByID(ctx, m.store.db, peek)
	if err != nil {
		return err
	}
	if err := checkPassword("password", password, u.Email); err != nil {
		return err
	}
	hash, err := m.hasher.hash(ctx, password)
	if err != nil {
		return err
	}
	err = m.store.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		id, ok, err := m.store.consumeToken(ctx, tx, purposeReset, token)
		if err != nil {
			return err
		}
		if !ok || id != u.ID {
			return errLinkInvalid
		}
		u.PasswordHash = &hash
		// Following the link proved the address works.
		u.IsVerified = true
		return m.store.updateUser(ctx, tx, u, "password_hash", "is_verified")
	})
	if err != nil {
		return err
	}
	if err := m.sessions.endAll(ctx, u.ID); err != nil {
		m.log.Error("auth: could not end sessions after a password reset", "user", u.ID, "error", err)
	}
	m.limiter.reset(ctx, "account", u.Email)
	m.record(ctx, app.AuditEvent{UserID: &u.ID, OrganizationID: u.OrganizationID, ActorEmail: u.Email, Action: "auth.password_reset"})
	return nil
}

// ChangePassword lets a signed-in user replace their password; their other
// sessions end.
func (m *Module) ChangePassword(ctx context.Context, p *httpx.Principal, current, next string) error {
	u, err := m.store.userByID(ctx, m.store.db, p.UserID)
	if err != nil {
		return err
	}
	if u.PasswordHash != nil {
		ok, _, err := m.hasher.verify(ctx, current, *u.PasswordHash)
		if err != nil {
			return errs.Internal(err)
		}
		if !ok {
			return errs.Invalid("auth.invalid_credentials", "The current password is incorrect.",
				errs.FieldError{Field: "current_password", Code: "incorrect", Message: "is incorrect"})
		}
	}
	if err := checkPassword("new_password", next, u.Email); err != nil {
		return err
	}
	hash, err := m.hasher.hash(ctx, next)
	if err != nil {
		return err
	}
	u.PasswordHash = &hash
	if err := m.store.updateUser(ctx, m.store.db, u, "password_hash"); err != nil {
		return err
	}
	// Other sessions end; this one stays.
	if fams, err := m.otherSessions(ctx, u.ID, p.SessionID); err == nil {
		for _, f := range fams {
			_ = m.sessions.end(ctx, u.ID, f)
		}
	}
	m.record(ctx, app.AuditEvent{UserID: &u.ID, OrganizationID: u.OrganizationID, ActorEmail: u.Email, Action: "auth.password_changed"})
	return nil
}

func (m *Module) otherSessions(ctx context.Context, userID uuid.UUID, keep string) ([]string, error) {
	r := m.cache.Redis()
	fams, err := r.Do(ctx, r.B().Smembers().Key(m.cache.Key("auth", "user-fams", userID.String())).Build()).AsStrSlice()
	if err != nil {
		return nil, err
	}
	out := fams[:0]
	for _, f := range fams {
		if f != keep {
			out = append(out, f)
		}
	}
	return out, nil
}

// Register creates an account for someone whose verified email is in an
// active organization's domain (auth.registration = email_domain). The
// answer never says whether the email was known.
func (m *Module) Register(ctx context.Context, email, password, name string) error {
	if m.cfg.Registration != "email_domain" {
		return errRegistrationClosed
	}
	email, err := validEmail("email", email)
	if err != nil {
		return err
	}
	if err := checkPassword("password", password, email); err != nil {
		return err
	}
	client := httpx.ClientFrom(ctx)
	if ok, retry, err := m.limiter.hit(ctx, "register-addr", client.IP, 20, time.Hour); err == nil && !ok {
		return tooMany(retry)
	}
	if _, err := m.store.userByEmail(ctx, m.store.db, email); err == nil {
		m.sendAlreadyRegistered(ctx, email)
		return nil
	} else if !errs.IsNotFound(err) {
		return err
	}
	org, found, err := m.orgs.OrganizationByEmailDomain(ctx, email[strings.LastIndex(email, "@")+1:])
	if err != nil {
		return err
	}
	if !found {
		m.sendRegistrationClosed(ctx, email)
		return nil
	}
	hash, err := m.hasher.hash(ctx, password)
	if err != nil {
		return err
	}
	u := &user{Email: email, DisplayName: strings.TrimSpace(name), PasswordHash: &hash, IsActive: true, OrganizationID: &org.ID}
	token := newLinkToken()
	err = m.store.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if err := m.store.insertUser(ctx, tx, u); err != nil {
			return err
		}
		return m.store.insertToken(ctx, tx, u.ID, purposeVerify, token, verifyTTLHours*time.Hour)
	})
	if errs.IsConflict(err) {
		return nil // registered a moment ago by a parallel request
	}
	if err != nil {
		return err
	}
	m.sendVerification(ctx, email, token)
	m.record(ctx, app.AuditEvent{UserID: &u.ID, OrganizationID: u.OrganizationID, ActorEmail: email, Action: "auth.registered", ResourceType: "user", ResourceID: u.ID.String()})
	return nil
}

// VerifyEmail confirms an address with a verification link's token.
func (m *Module) VerifyEmail(ctx context.Context, token string) error {
	var u *user
	err := m.store.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		id, ok, err := m.store.consumeToken(ctx, tx, purposeVerify, token)
		if err != nil {
			return err
		}
		if !ok {
			return errLinkInvalid
		}
		if u, err = m.store.userByID(ctx, tx, id); err != nil {
			return err
		}
		u.IsVerified = true
		return m.store.updateUser(ctx, tx, u, "is_verified")
	})
	if err != nil {
		return err
	}
	m.record(ctx, app.AuditEvent{UserID: &u.ID, OrganizationID: u.OrganizationID, ActorEmail: u.Email, Action: "auth.email_verified"})
	return nil
}

// ResendVerification sends a new verification link to an unverified
// account; the answer is the same for every email.
func (m *Module) ResendVerification(ctx context.Context, email string) error {
	email = normalizeEmail(email)
	if ok, retry, err := m.limiter.hit(ctx, "verify-addr", httpx.ClientFrom(ctx).IP, 20, time.Hour); err == nil && !ok {
		return tooMany(retry)
	}
	if ok, _, err := m.limiter.hit(ctx, "verify-account", email, 5, time.Hour); err == nil && !ok {
		return nil
	}
	u, err := m.store.userByEmail(ctx, m.store.db, email)
	if err != nil || u.IsVerified || !u.IsActive || u.PasswordHash == nil {
		return nil
	}
	token := newLinkToken()
	if err := m.store.insertToken(ctx, m.store.db, u.ID, purposeVerify, token, verifyTTLHours*time.Hour); err != nil {
		return err
	}
	m.sendVerification(ctx, u.Email, token)
	return nil
}

// InvitationInfo is what the accept-invitation page shows.
type InvitationInfo struct {
	Email        string `json:"email"`
	Organization string `json:"organization"`
}

// Invitation describes a pending invitation without using it.
func (m *Module) Invitation(ctx context.Context, token string) (*InvitationInfo, error) {
	id, ok, err := m.store.peekToken(ctx, purposeInvitation, token)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errLinkInvalid
	}
	u, err := m.store.userByID(ctx, m.store.db, id)
	if err != nil {
		return nil, err
	}
	info := &InvitationInfo{Email: u.Email}
	if u.OrganizationID != nil {
		if org, err := m.orgs.Organization(ctx, *u.OrganizationID); err == nil {
			info.Organization = org.Name
		}
	}
	return info, nil
}

// AcceptInvitation sets the invited user's password (and name), marks the
// email verified and signs them in.
func (m *Module) AcceptInvitation(ctx context.Context, token, password, name string) (*Session, error) {
	peek, ok, err := m.store.peekToken(ctx, purposeInvitation, token)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errLinkInvalid
	}
	u, err := m.store.userByID(ctx, m.store.db, peek)
	if err != nil {
		return nil, err
	}
	if err := checkPassword("password", password, u.Email); err != nil {
		return nil, err
	}
	hash, err := m.hasher.hash(ctx, password)
	if err != nil {
		return nil, err
	}
	err = m.store.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		id, ok, err := m.store.consumeToken(ctx, tx, purposeInvitation, token)
		if err != nil {
			return err
		}
		if !ok || id != u.ID {
			return errLinkInvalid
		}
		u.PasswordHash, u.IsVerified = &hash, true
		cols := []string{"password_hash", "is_verified"}
		if n := strings.TrimSpace(name); n != "" {
			u.DisplayName = n
			cols = append(cols, "display_name")
		}
		return m.store.updateUser(ctx, tx, u, cols...)
	})
	if err != nil {
		return nil, err
	}
	if err := m.canSignIn(ctx, u); err != nil {
		return nil, err
	}
	m.record(ctx, app.AuditEvent{UserID: &u.ID, OrganizationID: u.OrganizationID, ActorEmail: u.Email, Action: "auth.invitation_accepted"})
	return m.openSession(ctx, u)
}
