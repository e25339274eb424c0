package integrations

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/bifrost-automation/bifrost/modules/secrets"
	"github.com/bifrost-automation/bifrost/platform/app"
	"github.com/bifrost-automation/bifrost/platform/crypto"
	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// stateTTL is how long an admin has to finish connecting at the provider.
const stateTTL = 10 * time.Minute

// readSkew is how much life a token handed to a workflow has at least: a
// token that expires sooner is refreshed first.
const readSkew = 60 * time.Second

var (
	errBadState = errs.Malformed("integrations.invalid_state",
		"The connection attempt is invalid, expired or was already used. Start connecting again.")
	errWrongFlow = errs.Conflict("integrations.wrong_flow",
		"Only authorization_code integrations connect through the provider's consent page.")
	errNotConnected = errs.Conflict("integrations.not_connected",
		"The integration is not connected. Connect it (or fix its settings) first.")
)

// tokens are a connection's current tokens, decrypted.
type tokens struct {
	AccessToken  string
	RefreshToken string
	TokenType    string
	ExpiresAt    *time.Time
	Scopes       []string
}

// pending is what the server keeps about a connection attempt until the
// provider sends the browser back: the state carries only its nonce.
type pending struct {
	ProviderID uuid.UUID  `json:"provider_id"`
	Verifier   string     `json:"verifier,omitempty"`
	UserID     *uuid.UUID `json:"user_id,omitempty"`
	Email      string     `json:"email,omitempty"`
}

type signedState struct {
	Nonce   string `json:"n"`
	Expires int64  `json:"e"`
}

func (m *Module) signState(s signedState) string {
	signed, _ := crypto.SignJSON(m.stateKey, s) // a struct of a string and a number always encodes
	return signed
}

func (m *Module) checkState(raw string) (signedState, error) {
	var s signedState
	if err := crypto.VerifyJSON(m.stateKey, raw, &s); err != nil || s.Nonce == "" || m.now().Unix() > s.Expires {
		return signedState{}, errBadState
	}
	return s, nil
}

func randomToken() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// redirectURL is where providers send the browser back; it is what admins
// register at the provider.
func (m *Module) redirectURL() string {
	u := *m.publicURL
	u.Path = strings.TrimSuffix(u.Path, "/") + "/api/integrations/callback"
	u.RawQuery, u.Fragment = "", ""
	return u.String()
}

// oauthConfig is the provider's oauth2 configuration.
func (m *Module) oauthConfig(ctx context.Context, p *provider) (*oauth2.Config, error) {
	secret, err := m.clientSecret(ctx, p)
	if err != nil {
		return nil, err
	}
	return &oauth2.Config{
		ClientID: p.ClientID, ClientSecret: secret, Scopes: p.Scopes, RedirectURL: m.redirectURL(),
		Endpoint: oauth2.Endpoint{AuthURL: p.AuthorizationURL, TokenURL: p.TokenURL},
	}, nil
}

// httpContext makes oauth2 use the module's HTTP client.
func (m *Module) httpContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, m.client)
}

// Authorization is where to send the admin to connect an integration.
type Authorization struct {
	AuthorizeURL string    `json:"authorize_url" doc:"Open this URL in the browser; the provider sends the browser back to /api/integrations/callback."`
	RedirectURI  string    `json:"redirect_uri" doc:"The callback address to register at the provider."`
	ExpiresAt    time.Time `json:"expires_at" doc:"When the attempt's state stops being accepted."`
}

// Authorize starts connecting an authorization_code integration: a signed,
// single-use state whose nonce (and PKCE verifier) the server keeps for
// ten minutes.
func (m *Module) Authorize(ctx context.Context, id uuid.UUID) (*Authorization, error) {
	if err := m.require(ctx); err != nil {
		return nil, err
	}
	p, err := m.visible(ctx, id, true)
	if err != nil {
		return nil, err
	}
	if p.Flow != FlowAuthorizationCode {
		return nil, errWrongFlow
	}
	conf, err := m.oauthConfig(ctx, p)
	if err != nil {
		return nil, err
	}
	expires := m.now().Add(stateTTL)
	st := signedState{Nonce: randomToken(), Expires: expires.Unix()}
	pend := pending{ProviderID: p.ID}
	if pr := httpx.PrincipalFrom(ctx); pr != nil {
		pend.UserID, pend.Email = &pr.UserID, pr.Email
	}
	opts := []oauth2.AuthCodeOption{oauth2.AccessTypeOffline}
	for k, v := range params(p) {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	if usePKCE(p) {
		pend.Verifier = oauth2.GenerateVerifier()
		opts = append(opts, oauth2.S256ChallengeOption(pend.Verifier))
	}
	b, _ := json.Marshal(pend)
	if err := m.cache.Set(ctx, stateKey(st.Nonce), string(b), stateTTL); err != nil {
		return nil, fmt.Errorf("integrations: store state: %w", err)
	}
	if err := m.setStatus(ctx, p.ID, StatusWaitingCallback, ""); err != nil {
		return nil, err
	}
	m.record(ctx, app.AuditEvent{OrganizationID: p.OrganizationID, Action: "integrations.connect_started", ResourceType: "integration",
		ResourceID: p.ID.String(), Details: map[string]any{"name": p.Name}})
	return &Authorization{AuthorizeURL: conf.AuthCodeURL(m.signState(st), opts...), RedirectURI: m.redirectURL(), ExpiresAt: expires}, nil
}

// takePending checks a state and consumes its nonce: a state works once.
func (m *Module) takePending(ctx context.Context, state string) (*pending, error) {
	st, err := m.checkState(state)
	if err != nil {
		return nil, err
	}
	raw, found, err := m.cache.GetDel(ctx, stateKey(st.Nonce))
	if err != nil {
		return nil, fmt.Errorf("integrations: read state: %w", err)
	}
	if !found {
		return nil, errBadState // used already, or expired
	}
	var pend pending
	if err := json.Unmarshal([]byte(raw), &pend); err != nil {
		return nil, errBadState
	}
	return &pend, nil
}

// CallbackResult is what a finished connection attempt came to.
type CallbackResult struct {
	Integration *provider
	Err         error
}

// Callback finishes an authorization_code connection: it checks and
// consumes the state, exchanges the code and stores the tokens. A provider
// that reports an error, or a failed exchange, marks the integration
// failed with the reason.
func (m *Module) Callback(ctx context.Context, state, code, providerErr, providerErrDesc string) (*provider, error) {
	pend, err := m.takePending(ctx, state)
	if err != nil {
		m.record(ctx, app.AuditEvent{Action: "integrations.connect_rejected", ResourceType: "integration", Details: map[string]any{"reason": "invalid_state"}})
		return nil, err
	}
	p, err := m.getProvider(ctx, m.db, pend.ProviderID)
	if err != nil {
		return nil, err
	}
	audit := app.AuditEvent{OrganizationID: p.OrganizationID, UserID: pend.UserID, ActorEmail: pend.Email, ResourceType: "integration", ResourceID: p.ID.String()}
	fail := func(msg string, cause error) (*provider, error) {
		m.log.Warn("integrations: connecting failed", "integration", p.ID, "name", p.Name, "error", cause)
		_ = m.setStatus(ctx, p.ID, StatusFailed, msg)
		audit.Action, audit.Details = "integrations.connect_failed", map[string]any{"name": p.Name, "reason": msg}
		m.record(ctx, audit)
		p.Status, p.StatusMessage = StatusFailed, msg
		return p, errs.New(errs.KindBadGateway, "integrations.connect_failed", msg).WithCause(cause)
	}
	if providerErr != "" {
		msg := "The provider refused: " + truncate(providerErr, 100)
		if providerErrDesc != "" {
			msg += " (" + truncate(providerErrDesc, 500) + ")"
		}
		return fail(msg, errors.New(providerErr))
	}
	if code == "" {
		return fail("The provider sent no authorization code.", errors.New("no code"))
	}
	if p.Flow != FlowAuthorizationCode {
		return fail("The integration's flow changed while connecting.", errWrongFlow)
	}
	conf, err := m.oauthConfig(ctx, p)
	if err != nil {
		return nil, err
	}
	var opts []oauth2.AuthCodeOption
	if pend.Verifier != "" {
		opts = append(opts, oauth2.VerifierOption(pend.Verifier))
	}
	tok, err := conf.Exchange(m.httpContext(ctx), code, opts...)
	if err != nil {
		return fail(providerMessage("Exchanging the authorization code failed", err), err)
	}
	if err := m.store(ctx, p, fromOAuth(tok, p.Scopes), pend.UserID); err != nil {
		return nil, err
	}
	audit.Action, audit.Details = "integrations.connected", map[string]any{"name": p.Name, "flow": p.Flow}
	m.record(ctx, audit)
	p.Status, p.StatusMessage = StatusCompleted, ""
	return p, nil
}

// providerMessage says why a provider call failed without echoing
// anything secret: the OAuth error code and description, or the status.
func providerMessage(what string, err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		switch {
		case re.ErrorCode != "" && re.ErrorDescription != "":
			return fmt.Sprintf("%s: %s (%s)", what, truncate(re.ErrorCode, 100), truncate(re.ErrorDescription, 500))
		case re.ErrorCode != "":
			return fmt.Sprintf("%s: %s", what, truncate(re.ErrorCode, 100))
		case re.Response != nil:
			return fmt.Sprintf("%s: the token endpoint answered %s", what, re.Response.Status)
		}
	}
	if errors.Is(err, errPrivateAddress) {
		return what + ": " + errPrivateAddress.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return what + ": the provider did not answer in time"
	}
	return what + ": the token endpoint could not be reached"
}

func fromOAuth(t *oauth2.Token, requested []string) tokens {
	out := tokens{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, TokenType: t.TokenType, Scopes: requested}
	if !t.Expiry.IsZero() {
		e := t.Expiry.UTC()
		out.ExpiresAt = &e
	}
	if s, ok := t.Extra("scope").(string); ok && s != "" {
		out.Scopes = strings.Fields(s)
	}
	if out.Scopes == nil {
		out.Scopes = []string{}
	}
	return out
}

// store saves tokens encrypted and marks the integration completed.
func (m *Module) store(ctx context.Context, p *provider, t tokens, user *uuid.UUID) error {
	access, err := m.vault.Seal(ctx, p.OrganizationID, accessAAD(p.ID), []byte(t.AccessToken))
	if err != nil {
		return err
	}
	now := m.now().UTC()
	row := &token{OrganizationID: p.OrganizationID, ProviderID: p.ID, UserID: user, AccessTokenEncrypted: access.Ciphertext,
		DataKeyID: access.DataKeyID, TokenType: t.TokenType, ExpiresAt: t.ExpiresAt, Scopes: t.Scopes, LastRefreshedAt: &now}
	if t.RefreshToken != "" {
		rt, err := m.vault.Seal(ctx, p.OrganizationID, refreshAAD(p.ID), []byte(t.RefreshToken))
		if err != nil {
			return err
		}
		row.RefreshTokenEncrypted = rt.Ciphertext
	}
	if err := m.saveToken(ctx, m.db, row); err != nil {
		return err
	}
	return m.setStatus(ctx, p.ID, StatusCompleted, "")
}

// load decrypts a connection's stored tokens.
func (m *Module) load(ctx context.Context, p *provider, t *token) (tokens, error) {
	out := tokens{TokenType: t.TokenType, ExpiresAt: t.ExpiresAt, Scopes: t.Scopes}
	access, err := m.vault.Open(ctx, p.OrganizationID, accessAAD(p.ID), secrets.SealedValue{Ciphertext: t.AccessTokenEncrypted, DataKeyID: t.DataKeyID})
	if err != nil {
		return out, errs.Internal(fmt.Errorf("integrations: decrypt access token of %s: %w", p.ID, err))
	}
	out.AccessToken = string(access)
	if len(t.RefreshTokenEncrypted) > 0 {
		rt, err := m.vault.Open(ctx, p.OrganizationID, refreshAAD(p.ID), secrets.SealedValue{Ciphertext: t.RefreshTokenEncrypted, DataKeyID: t.DataKeyID})
		if err != nil {
			return out, errs.Internal(fmt.Errorf("integrations: decrypt refresh token of %s: %w", p.ID, err))
		}
		out.RefreshToken = string(rt)
	}
	return out, nil
}

// connectWithRefreshToken starts a refresh_token connection from a refresh
// token an admin pasted: it is redeemed at once.
func (m *Module) connectWithRefreshToken(ctx context.Context, p *provider, refreshToken string) (*tokens, error) {
	return m.refreshWith(ctx, p, &tokens{RefreshToken: refreshToken})
}

// refresh gets a new token for an integration unless, once the lock is
// held, its token is good until at least `until`. In one process callers
// share one refresh; across processes a Redis lock lets one refresh at a
// time and the others find its fresh token in the database.
func (m *Module) refresh(ctx context.Context, id uuid.UUID, until time.Time) (*tokens, error) {
	key := id.String()
	if until.Equal(farFuture) {
		key += "|now"
	}
	ch := m.flight.DoChan(key, func() (any, error) {
		// The refresh outlives a caller that gives up, so that the others
		// sharing it (and the provider's rotated refresh token) are not lost.
		ctx := context.WithoutCancel(ctx)
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if m.locker != nil {
			locked, release, err := m.locker.Lock(ctx, id.String())
			if err != nil {
				return nil, errs.Unavailable("integrations.busy", "The integration is being refreshed elsewhere; try again.").WithCause(err)
			}
			defer release()
			ctx = locked
		}
		p, err := m.getProvider(ctx, m.db, id)
		if err != nil {
			return nil, err
		}
		t, found, err := m.getToken(ctx, m.db, id)
		if err != nil {
			return nil, err
		}
		var current *tokens
		if found {
			cur, err := m.load(ctx, p, t)
			if err != nil {
				return nil, err
			}
			if p.Status == StatusCompleted && (cur.ExpiresAt == nil || cur.ExpiresAt.After(until)) {
				return &cur, nil // fresh enough: another caller or process refreshed it
			}
			current = &cur
		}
		return m.refreshWith(ctx, p, current)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.(*tokens), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// refreshWith asks the provider for a new token: client credentials, or
// the refresh token of current. On failure the integration is marked
// failed with the provider's reason.
func (m *Module) refreshWith(ctx context.Context, p *provider, current *tokens) (*tokens, error) {
	audit := app.AuditEvent{OrganizationID: p.OrganizationID, ResourceType: "integration", ResourceID: p.ID.String()}
	fail := func(msg string, cause error) (*tokens, error) {
		m.log.Warn("integrations: refresh failed", "integration", p.ID, "name", p.Name, "error", cause)
		if err := m.setStatus(ctx, p.ID, StatusFailed, msg); err != nil {
			return nil, err
		}
		audit.Action, audit.Details = "integrations.refresh_failed", map[string]any{"name": p.Name, "reason": msg}
		m.record(ctx, audit)
		return nil, errs.New(errs.KindBadGateway, "integrations.refresh_failed", msg).WithCause(cause)
	}
	secret, err := m.clientSecret(ctx, p)
	if err != nil {
		return nil, err
	}
	hctx := m.httpContext(ctx)
	var tok *oauth2.Token
	switch {
	case p.Flow == FlowClientCredentials:
		cc := clientcredentials.Config{ClientID: p.ClientID, ClientSecret: secret, TokenURL: p.TokenURL, Scopes: p.Scopes,
			EndpointParams: map[string][]string{}}
		for k, v := range params(p) {
			cc.EndpointParams[k] = []string{v}
		}
		tok, err = cc.Token(hctx)
		if err != nil {
			return fail(providerMessage("Fetching a client-credentials token failed", err), err)
		}
	case current == nil || current.RefreshToken == "":
		if p.Flow == FlowAuthorizationCode && current == nil {
			return nil, errNotConnected
		}
		return fail("The provider gave no refresh token, so the connection cannot renew itself; connect again.", errors.New("no refresh token"))
	default:
		conf := oauth2.Config{ClientID: p.ClientID, ClientSecret: secret, Scopes: p.Scopes,
			Endpoint: oauth2.Endpoint{AuthURL: p.AuthorizationURL, TokenURL: p.TokenURL}}
		// An expired token makes the token source ask the provider; it keeps
		// the old refresh token when the provider does not rotate it.
		tok, err = conf.TokenSource(hctx, &oauth2.Token{RefreshToken: current.RefreshToken, Expiry: time.Unix(1, 0)}).Token()
		if err != nil {
			return fail(providerMessage("Refreshing the token failed", err), err)
		}
	}
	scopes := p.Scopes
	if current != nil && len(current.Scopes) > 0 {
		scopes = current.Scopes
	}
	next := fromOAuth(tok, scopes)
	if err := m.store(ctx, p, next, nil); err != nil {
		return nil, err
	}
	audit.Action, audit.Details = "integrations.token_refreshed", map[string]any{"name": p.Name, "flow": p.Flow}
	m.record(ctx, audit)
	return &next, nil
}

// Refresh gets a new token now (the "Refresh now" action).
func (m *Module) Refresh(ctx context.Context, id uuid.UUID) (*Integration, error) {
	if err := m.require(ctx); err != nil {
		return nil, err
	}
	p, err := m.visible(ctx, id, true)
	if err != nil {
		return nil, err
	}
	if _, err := m.refresh(ctx, p.ID, farFuture); err != nil {
		return nil, err
	}
	return m.Get(ctx, p.ID)
}

// farFuture makes refresh always ask the provider.
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// stateKey is where a connection attempt waits for its callback.
func stateKey(nonce string) string { return "integrations:state:" + nonce }
