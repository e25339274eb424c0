package auth_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/modules/auth"
	"github.com/bifrost-automation/bifrost/modules/internal/apitest"
	"github.com/bifrost-automation/bifrost/modules/orgs"
	"github.com/bifrost-automation/bifrost/platform/config"
)

func TestPasswordResetLinkWorksOnceAndEndsSessions(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.Setup()
	old, oldTk := a.Login("admin@example.com", apitest.AdminPassword)

	known := a.Client().Do("POST", "/api/auth/forgot-password", map[string]string{"email": "admin@example.com"})
	unknown := a.Client().Do("POST", "/api/auth/forgot-password", map[string]string{"email": "nobody@example.com"})
	require.Equal(t, http.StatusAccepted, known.Status)
	require.Equal(t, known.Status, unknown.Status)
	require.Equal(t, string(known.Body), string(unknown.Body), "no user enumeration through reset")

	msg, token := a.MailTo("admin@example.com", 0)
	require.Contains(t, msg.Subject, "Reset")
	require.Contains(t, msg.Text, a.URL+"/reset-password?token=")

	r := a.Client().Do("POST", "/api/auth/reset-password", map[string]string{"token": token, "password": "short"})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Equal(t, "password", r.Problem(t).Errors[0].Field)

	r = a.Client().Do("POST", "/api/auth/reset-password", map[string]string{"token": token, "password": "a brand new password"})
	require.Equal(t, http.StatusNoContent, r.Status, string(r.Body))
	r = a.Client().Do("POST", "/api/auth/reset-password", map[string]string{"token": token, "password": "yet another password"})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Equal(t, "auth.invalid_link", r.Problem(t).Code, "a link works once")

	old.Bearer = oldTk.AccessToken
	require.Equal(t, http.StatusUnauthorized, old.Do("GET", "/api/auth/me", nil).Status, "sessions from before the reset end")
	a.Login("admin@example.com", "a brand new password")
	r = a.Client().Do("POST", "/api/auth/login", map[string]string{"email": "admin@example.com", "password": apitest.AdminPassword})
	require.Equal(t, http.StatusUnauthorized, r.Status)
}

func TestResetLinksExpireAndOnlyTheLatestWorks(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	a.Setup()
	ctx := context.Background()
	a.Client().Do("POST", "/api/auth/forgot-password", map[string]string{"email": "admin@example.com"})
	_, first := a.MailTo("admin@example.com", 0)
	a.Client().Do("POST", "/api/auth/forgot-password", map[string]string{"email": "admin@example.com"})
	_, second := a.MailTo("admin@example.com", 1)
	require.NotEqual(t, first, second)
	r := a.Client().Do("POST", "/api/auth/reset-password", map[string]string{"token": first, "password": "a brand new password"})
	require.Equal(t, "auth.invalid_link", r.Problem(t).Code, "asking again retires the earlier link")

	_, err := a.Env.DB.ExecContext(ctx, "UPDATE auth_tokens SET expires_at = now() - interval '1 second' WHERE used_at IS NULL")
	require.NoError(t, err)
	r = a.Client().Do("POST", "/api/auth/reset-password", map[string]string{"token": second, "password": "a brand new password"})
	require.Equal(t, "auth.invalid_link", r.Problem(t).Code, "an expired link fails")
}

func TestInvitedUserSetsAPasswordAndSignsIn(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.Setup()
	org := a.Org(admin, "Contoso", "contoso.com")
	r := admin.Do("POST", "/api/users", map[string]any{"email": "tech@contoso.com", "name": "Tess", "organization_id": org})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var u auth.User
	r.JSON(t, &u)
	require.False(t, u.HasPassword)
	require.True(t, u.InvitationPending)

	msg, token := a.MailTo("tech@contoso.com", 0)
	require.Contains(t, msg.Subject, "Contoso")
	require.Contains(t, msg.Text, "/accept-invite?token=")
	var info auth.InvitationInfo
	a.Client().Do("GET", "/api/auth/invitation?token="+token, nil).JSON(t, &info)
	require.Equal(t, auth.InvitationInfo{Email: "tech@contoso.com", Organization: "Contoso"}, info)

	r = a.Client().Do("POST", "/api/auth/login", map[string]string{"email": "tech@contoso.com", "password": "anything at all"})
	require.Equal(t, http.StatusUnauthorized, r.Status, "no password until the invitation is accepted")

	c := a.Client()
	r = c.Do("POST", "/api/auth/accept-invitation", map[string]string{"token": token, "password": "tess password 1"})
	require.Equal(t, http.StatusOK, r.Status, string(r.Body))
	var me auth.MeResponse
	c.Do("GET", "/api/auth/me", nil).JSON(t, &me)
	require.Equal(t, "Contoso", me.Organization.Name)
	require.False(t, me.IsSuperuser)
	require.Empty(t, me.Permissions)
	r = a.Client().Do("POST", "/api/auth/accept-invitation", map[string]string{"token": token, "password": "tess password 2"})
	require.Equal(t, "auth.invalid_link", r.Problem(t).Code)
	a.Login("tech@contoso.com", "tess password 1")
}

func TestRegistrationIsClosedByDefault(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	r := a.Client().Do("POST", "/api/auth/register", map[string]string{"email": "x@contoso.com", "password": "a good password"})
	require.Equal(t, http.StatusForbidden, r.Status)
	require.Equal(t, "auth.registration_closed", r.Problem(t).Code)
}

func TestRegistrationByEmailDomainNeedsVerification(t *testing.T) {
	t.Parallel()
	a := newApp(t, func(c *config.Config, _ *auth.Deps) { c.Auth.Registration = "email_domain" })
	admin := a.Setup()
	a.Org(admin, "Contoso", "contoso.com")

	reg := func(email string) apitest.Response {
		return a.Client().Do("POST", "/api/auth/register", map[string]string{"email": email, "password": "a good password", "name": "New"})
	}
	inDomain, outside, existing := reg("new@contoso.com"), reg("someone@other.org"), reg("admin@example.com")
	require.Equal(t, http.StatusAccepted, inDomain.Status)
	require.Equal(t, string(inDomain.Body), string(outside.Body), "no user enumeration through registration")
	require.Equal(t, string(inDomain.Body), string(existing.Body))
	m, _ := a.MailTo("someone@other.org", 0)
	require.Contains(t, m.Text, "no organization")
	m, _ = a.MailTo("admin@example.com", 0)
	require.Contains(t, m.Subject, "already have")

	r := a.Client().Do("POST", "/api/auth/login", map[string]string{"email": "new@contoso.com", "password": "a good password"})
	require.Equal(t, http.StatusForbidden, r.Status)
	require.Equal(t, "auth.email_unverified", r.Problem(t).Code)

	_, expired := a.MailTo("new@contoso.com", 0)
	_, err := a.Env.DB.ExecContext(context.Background(), "UPDATE auth_tokens SET expires_at = now() - interval '1 second' WHERE purpose = 'verify_email'")
	require.NoError(t, err)
	r = a.Client().Do("POST", "/api/auth/verify-email", map[string]string{"token": expired})
	require.Equal(t, "auth.invalid_link", r.Problem(t).Code, "an expired verification link fails")
	require.Equal(t, http.StatusAccepted, a.Client().Do("POST", "/api/auth/verify-email/resend", map[string]string{"email": "new@contoso.com"}).Status)
	_, token := a.MailTo("new@contoso.com", 1)
	require.NotEqual(t, expired, token)
	require.Equal(t, http.StatusNoContent, a.Client().Do("POST", "/api/auth/verify-email", map[string]string{"token": token}).Status)
	r = a.Client().Do("POST", "/api/auth/verify-email", map[string]string{"token": token})
	require.Equal(t, "auth.invalid_link", r.Problem(t).Code, "a verification link works once")
	c, _ := a.Login("new@contoso.com", "a good password")
	var me auth.MeResponse
	c.Do("GET", "/api/auth/me", nil).JSON(t, &me)
	require.Equal(t, "Contoso", me.Organization.Name)
}

func TestDeactivationEndsSessionsAtOnce(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.Setup()
	org := a.Org(admin, "Contoso", "")
	member, id := a.Member(admin, "tech@contoso.com", org)
	require.Equal(t, http.StatusOK, member.Do("GET", "/api/auth/me", nil).Status)

	r := admin.Do("DELETE", "/api/users/"+id, nil)
	require.Equal(t, http.StatusNoContent, r.Status, string(r.Body))
	r = member.Do("GET", "/api/auth/me", nil)
	require.Equal(t, http.StatusUnauthorized, r.Status, "the access token stops working before it expires")
	r = a.Client().Do("POST", "/api/auth/login", map[string]string{"email": "tech@contoso.com", "password": "member password 1"})
	require.Equal(t, "auth.account_disabled", r.Problem(t).Code)

	// A deactivated organization's users cannot sign in either.
	a.Member(admin, "tech2@contoso.com", org)

	require.Equal(t, http.StatusNoContent, admin.Do("DELETE", "/api/organizations/"+org, nil).Status)
	r = a.Client().Do("POST", "/api/auth/login", map[string]string{"email": "tech2@contoso.com", "password": "member password 1"})
	require.Equal(t, "auth.organization_disabled", r.Problem(t).Code)

	// The last platform admin cannot be deactivated.
	var me auth.MeResponse
	admin.Do("GET", "/api/auth/me", nil).JSON(t, &me)
	r = admin.Do("DELETE", "/api/users/"+me.ID.String(), nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
}

func TestPermissionsComeFromRolesAndApplyAtOnce(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.Setup()
	org := a.Org(admin, "Contoso", "")
	member, memberID := a.Member(admin, "lead@contoso.com", org)

	r := member.Do("GET", "/api/users", nil)
	require.Equal(t, http.StatusForbidden, r.Status)
	require.Equal(t, "auth.permission_required", r.Problem(t).Code)

	r = admin.Do("POST", "/api/roles", map[string]any{"organization_id": org, "name": "Lead", "permissions": []string{orgs.PermUsersManage}})
	require.Equal(t, http.StatusCreated, r.Status, string(r.Body))
	var role orgs.Role
	r.JSON(t, &role)
	require.Equal(t, http.StatusNoContent, admin.Do("POST", "/api/roles/"+role.ID.String()+"/users", map[string]any{"user_ids": []string{memberID}}).Status)

	r = member.Do("GET", "/api/users", nil)
	require.Equal(t, http.StatusOK, r.Status, "the new permission applies at once, with the same token")

	r = admin.Do("PATCH", "/api/roles/"+role.ID.String(), map[string]any{"permissions": []string{orgs.PermWorkflowsRun}})
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, http.StatusForbidden, member.Do("GET", "/api/users", nil).Status, "and so does its removal")

	r = admin.Do("POST", "/api/roles", map[string]any{"name": "Bad", "permissions": []string{"everything"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Equal(t, "permissions[0]", r.Problem(t).Errors[0].Field)
}

func TestUserCreateAndSeedAreIdempotent(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	ctx := context.Background()
	res, err := a.Auth.EnsureUser(ctx, auth.EnsureUserInput{Email: "root@example.com", Admin: true, Password: "first password!"})
	require.NoError(t, err)
	require.True(t, res.Created)
	res, err = a.Auth.EnsureUser(ctx, auth.EnsureUserInput{Email: "root@example.com", Admin: true, Password: "second password"})
	require.NoError(t, err)
	require.False(t, res.Created)
	a.Login("root@example.com", "second password")

	lines, err := a.Auth.Seed(ctx, "admin@bifrost.local", "demo password 1")
	require.NoError(t, err)
	require.Contains(t, lines, "created organization Contoso")
	again, err := a.Auth.Seed(ctx, "admin@bifrost.local", "demo password 2")
	require.NoError(t, err)
	require.NotContains(t, again, "created organization Contoso")
	require.Contains(t, again, "exists  organization Contoso")
	c, _ := a.Login("admin@contoso.com", "demo password 1")
	var me auth.MeResponse
	c.Do("GET", "/api/auth/me", nil).JSON(t, &me)
	require.Contains(t, me.Permissions, orgs.PermUsersManage)
	require.Equal(t, "Contoso", me.Organization.Name)

}

func TestConflictsNameTheirField(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.Setup()
	org := a.Org(admin, "Contoso", "contoso.com")
	r := admin.Do("POST", "/api/organizations", map[string]string{"name": "Contoso"})
	require.Equal(t, http.StatusConflict, r.Status)
	require.Equal(t, "slug", r.Problem(t).Errors[0].Field)
	r = admin.Do("POST", "/api/organizations", map[string]string{"name": "Other", "email_domain": "contoso.com"})
	require.Equal(t, "email_domain", r.Problem(t).Errors[0].Field)
	r = admin.Do("POST", "/api/users", map[string]any{"email": "admin@example.com", "organization_id": org})
	require.Equal(t, http.StatusConflict, r.Status)
	require.Equal(t, "email", r.Problem(t).Errors[0].Field)

	require.Equal(t, http.StatusCreated, admin.Do("POST", "/api/roles", map[string]any{"name": "Reader", "permissions": []string{}}).Status)
	r = admin.Do("POST", "/api/roles", map[string]any{"name": "reader", "permissions": []string{}, "organization_id": org})
	require.Equal(t, http.StatusConflict, r.Status, "an organization role cannot share a global role's name")
	require.Equal(t, "name", r.Problem(t).Errors[0].Field)
}

func TestListsPageWithCursors(t *testing.T) {
	t.Parallel()
	a := newApp(t)
	admin := a.Setup()
	for _, n := range []string{"Delta", "alpha", "Charlie", "bravo"} {
		a.Org(admin, n, "")
	}
	type page struct {
		Items []struct {
			Name string `json:"name"`
		} `json:"items"`
		NextCursor *string `json:"next_cursor"`
	}
	var names []string
	path := "/api/organizations?limit=3"
	for i := 0; ; i++ {
		var p page
		admin.Do("GET", path, nil).JSON(t, &p)
		for _, it := range p.Items {
			names = append(names, it.Name)
		}
		if p.NextCursor == nil {
			break
		}
		require.Less(t, i, 3)
		path = "/api/organizations?limit=3&cursor=" + *p.NextCursor
	}
	require.Equal(t, []string{"alpha", "bravo", "Charlie", "Delta"}, names, "alphabetical, case-insensitive, each once")
	r := admin.Do("GET", "/api/organizations?cursor=not-a-cursor", nil)
	require.Equal(t, http.StatusBadRequest, r.Status)
	require.Equal(t, "request.invalid_cursor", r.Problem(t).Code)
	r = admin.Do("GET", "/api/organizations?limit=1000", nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
}
