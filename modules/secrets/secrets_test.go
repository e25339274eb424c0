package secrets_test

import (
	"context"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/modules/internal/apitest"
	"github.com/bifrost-automation/bifrost/modules/secrets"
	"github.com/bifrost-automation/bifrost/platform/config"
	"github.com/bifrost-automation/bifrost/platform/crypto"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

type fixture struct {
	app   *apitest.App
	admin *apitest.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{app: apitest.New(t, apitest.Options{})}
	f.admin = f.app.Setup()
	return f
}

func (f *fixture) as(org *uuid.UUID) context.Context { return f.app.AsAdmin(org) }

func (f *fixture) create(c *apitest.Client, name, value string) secrets.Secret {
	f.app.T.Helper()
	var s secrets.Secret
	c.Must(http.StatusCreated, "POST", "/api/secrets", map[string]string{"name": name, "value": value, "description": "for tests"}, &s)
	return s
}

func TestSecretValuesNeverLeave(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const value = "s3cr3t-value-that-must-not-leak"
	const replaced = "an0ther-value-that-must-not-leak"
	s := f.create(f.admin, "halo_api_key", value)
	var bodies []string
	bodies = append(bodies, string(f.admin.Must(http.StatusOK, "GET", "/api/secrets", nil, nil).Body))
	bodies = append(bodies, string(f.admin.Must(http.StatusOK, "GET", "/api/secrets/"+s.ID.String(), nil, nil).Body))
	bodies = append(bodies, string(f.admin.Must(http.StatusOK, "PUT", "/api/secrets/"+s.ID.String(), map[string]string{"value": replaced}, nil).Body))
	bodies = append(bodies, string(f.admin.Must(http.StatusOK, "GET", "/api/audit-logs", nil, nil).Body))
	r := f.admin.Do("POST", "/api/secrets", map[string]string{"name": "halo_api_key", "value": value})
	require.Equal(t, http.StatusConflict, r.Status)
	bodies = append(bodies, string(r.Body))
	r = f.admin.Do("POST", "/api/secrets", map[string]string{"name": "bad name!", "value": value})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	bodies = append(bodies, string(r.Body))

	got, err := f.app.Secrets.Get(f.as(nil), "halo_api_key")
	require.NoError(t, err)
	require.Equal(t, replaced, got)

	bodies = append(bodies, f.app.AuditDetails(t), f.app.Logs.String())
	for _, b := range bodies {
		require.NotContains(t, b, value)
		require.NotContains(t, b, replaced)
	}
	// Reads are audited with who and which execution.
	audit := f.app.AuditDetails(t)
	require.Contains(t, audit, "secrets.read")
	require.Contains(t, audit, `"execution_id": "exec-123"`)
}

func TestOrganizationValueElseGlobal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	orgA := f.app.Org(f.admin, "Alpha", "alpha.example")
	orgB := f.app.Org(f.admin, "Bravo", "bravo.example")
	f.create(f.admin, "api_key", "global value")
	own := f.create(f.admin.InOrg(orgA), "api_key", "alpha value")
	require.Equal(t, orgA, own.OrganizationID.String())

	a, b := uuid.MustParse(orgA), uuid.MustParse(orgB)
	for org, want := range map[*uuid.UUID]string{&a: "alpha value", &b: "global value", nil: "global value"} {
		got, err := f.app.Secrets.Get(f.as(org), "api_key")
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	_, err := f.app.Secrets.Get(f.as(&b), "missing")
	require.ErrorContains(t, err, "secrets.not_found")

	// The SDK's set and delete act on the organization's own secret.
	require.NoError(t, f.app.Secrets.Set(f.as(&b), "api_key", "bravo value"))
	got, err := f.app.Secrets.Get(f.as(&b), "api_key")
	require.NoError(t, err)
	require.Equal(t, "bravo value", got)
	require.NoError(t, f.app.Secrets.DeleteByName(f.as(&b), "api_key"))
	got, err = f.app.Secrets.Get(f.as(&b), "api_key")
	require.NoError(t, err)
	require.Equal(t, "global value", got, "deleting B's own brings the global one back")

	// Lists never hold values; from an organization they show its own
	// secrets and the global ones it does not shadow, read-only.
	f.create(f.admin, "global_only", "g")
	var list struct {
		Items []secrets.Secret `json:"items"`
	}
	f.admin.InOrg(orgA).Must(http.StatusOK, "GET", "/api/secrets", nil, &list)
	require.Len(t, list.Items, 2)
	require.Equal(t, own.ID, list.Items[0].ID)
	require.False(t, list.Items[0].Inherited)
	require.Equal(t, "global_only", list.Items[1].Name)
	require.True(t, list.Items[1].Inherited)
	inherited := list.Items[1].ID.String()
	f.admin.InOrg(orgA).Must(http.StatusOK, "GET", "/api/secrets/"+inherited, nil, nil)
	for _, method := range []string{"PUT", "DELETE"} {
		r := f.admin.InOrg(orgA).Do(method, "/api/secrets/"+inherited, map[string]string{"value": "changed"})
		require.Equal(t, http.StatusNotFound, r.Status, "%s of a global secret from an organization", method)
	}
}

func TestPermissionsAndTenants(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	orgA := f.app.Org(f.admin, "Alpha", "alpha.example")
	orgB := f.app.Org(f.admin, "Bravo", "bravo.example")
	keeper, keeperID := f.app.Member(f.admin, "keeper@alpha.example", orgA, f.app.Role(f.admin, orgA, "Keepers", "secrets.manage"))
	tech, techID := f.app.Member(f.admin, "tech@alpha.example", orgA)
	bob, _ := f.app.Member(f.admin, "bob@bravo.example", orgB, f.app.Role(f.admin, orgB, "Keepers", "secrets.manage"))

	s := f.create(keeper, "psa_token", "alpha token")
	require.Equal(t, orgA, s.OrganizationID.String(), "an organization user's secret is their organization's")
	require.Equal(t, keeperID, s.CreatedBy.String())
	require.Equal(t, http.StatusForbidden, tech.Do("GET", "/api/secrets", nil).Status)
	require.Equal(t, http.StatusForbidden, tech.Do("POST", "/api/secrets", map[string]string{"name": "x", "value": "y"}).Status)
	for _, method := range []string{"GET", "PUT", "DELETE"} {
		r := bob.Do(method, "/api/secrets/"+s.ID.String(), map[string]string{"value": "hijacked"})
		require.Equal(t, http.StatusNotFound, r.Status, method)
	}
	r := bob.Do("GET", "/api/secrets", nil, httpx.HeaderOrganization, orgA)
	require.Equal(t, http.StatusForbidden, r.Status)

	// A workflow run by a technician reads the secret it needs, but cannot
	// change secrets without the permission.
	a := uuid.MustParse(orgA)
	techCtx := httpx.WithPrincipal(context.Background(), &httpx.Principal{UserID: uuid.MustParse(techID), OrganizationID: &a},
		httpx.Scope{OrganizationID: &a})
	got, err := f.app.Secrets.Get(techCtx, "psa_token")
	require.NoError(t, err)
	require.Equal(t, "alpha token", got)
	require.ErrorContains(t, f.app.Secrets.Set(techCtx, "psa_token", "changed"), "auth.permission_required")
	_, err = f.app.Secrets.Get(context.Background(), "psa_token")
	require.ErrorContains(t, err, "auth.unauthenticated", "someone must be acting")
}

func TestCiphertextMovedToAnotherRowDoesNotDecrypt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	orgA := f.app.Org(f.admin, "Alpha", "alpha.example")
	orgB := f.app.Org(f.admin, "Bravo", "bravo.example")
	a1 := f.create(f.admin.InOrg(orgA), "first", "alpha first")
	f.create(f.admin.InOrg(orgA), "second", "alpha second")
	f.create(f.admin.InOrg(orgB), "first", "bravo first")
	ctx := context.Background()
	db := f.app.Env.DB.DB
	a, b := uuid.MustParse(orgA), uuid.MustParse(orgB)

	// Within the organization: A's "first" ciphertext pasted over "second".
	_, err := db.ExecContext(ctx, `UPDATE secrets SET encrypted_value = src.encrypted_value, data_key_id = src.data_key_id
		FROM secrets src WHERE src.id = ? AND secrets.organization_id = ? AND secrets.name = 'second'`, a1.ID, a)
	require.NoError(t, err)
	_, err = f.app.Secrets.Get(f.as(&a), "second")
	require.Error(t, err)
	require.NotContains(t, err.Error(), "alpha first")

	// Across organizations: A's ciphertext (and data key) pasted into B's row.
	_, err = db.ExecContext(ctx, `UPDATE secrets SET encrypted_value = src.encrypted_value, data_key_id = src.data_key_id
		FROM secrets src WHERE src.id = ? AND secrets.organization_id = ? AND secrets.name = 'first'`, a1.ID, b)
	require.NoError(t, err)
	_, err = f.app.Secrets.Get(f.as(&b), "first")
	require.Error(t, err)
	// Only the ciphertext, keeping B's data key: still no.
	_, err = db.ExecContext(ctx, `UPDATE secrets SET data_key_id = (SELECT id FROM data_keys WHERE organization_id = ?)
		WHERE organization_id = ? AND name = 'first'`, b, b)
	require.NoError(t, err)
	_, err = f.app.Secrets.Get(f.as(&b), "first")
	require.Error(t, err)

	// The untouched secret still reads.
	got, err := f.app.Secrets.Get(f.as(&a), "first")
	require.NoError(t, err)
	require.Equal(t, "alpha first", got)
}

func TestRotateKeyKeepsSecretsReadableAndRetiresTheOldKey(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	orgA := f.app.Org(f.admin, "Alpha", "alpha.example")
	f.create(f.admin, "global_one", "global value")
	f.create(f.admin.InOrg(orgA), "alpha_one", "alpha value")
	a := uuid.MustParse(orgA)
	ctx := context.Background()

	oldRing, err := secrets.RingFromConfig(f.app.Config.Secrets, f.app.Config.SecretKey)
	require.NoError(t, err)
	newKey := hex.EncodeToString(crypto.NewKey())
	oldKey := hex.EncodeToString(crypto.Derive(f.app.Config.SecretKey, "secrets master key v1"))
	// The app started without a master key (derived from secret_key): an
	// explicit one is an ordinary rotation, with the derived key still in
	// the ring.
	rotating, err := secrets.RingFromConfig(config.SecretsConfig{MasterKey: newKey}, f.app.Config.SecretKey)
	require.NoError(t, err)
	require.NotEqual(t, oldRing.CurrentID(), rotating.CurrentID())

	// A process that knows both keys rewraps; the running one keeps
	// working throughout (its data keys do not change).
	v := secrets.NewVault(f.app.Env.DB.DB, rotating)
	stale, err := v.Stale(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, stale, "the global and Alpha data keys")
	res, err := v.Rewrap(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, res.Rewrapped)
	stale, err = v.Stale(ctx)
	require.NoError(t, err)
	require.Zero(t, stale)
	again, err := v.Rewrap(ctx)
	require.NoError(t, err)
	require.Equal(t, secrets.RotateResult{Rewrapped: 0, Current: 2}, again, "rotate-key is idempotent")
	got, err := f.app.Secrets.Get(f.as(&a), "alpha_one")
	require.NoError(t, err)
	require.Equal(t, "alpha value", got, "the running process still reads")

	// A fresh process with only the new key reads everything...
	newOnly, err := secrets.RingFromConfig(config.SecretsConfig{MasterKey: newKey}, f.app.Config.SecretKey)
	require.NoError(t, err)
	fresh := secrets.New(secrets.Deps{DB: f.app.Env.DB.DB, Vault: secrets.NewVault(f.app.Env.DB.DB, newOnly), Logger: apitest.Quiet})
	for org, want := range map[*uuid.UUID]string{nil: "global value", &a: "alpha value"} {
		name := "global_one"
		if org != nil {
			name = "alpha_one"
		}
		got, err := fresh.Get(f.as(org), name)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	// ...and one with only the old key reads nothing.
	old := secrets.New(secrets.Deps{DB: f.app.Env.DB.DB, Vault: secrets.NewVault(f.app.Env.DB.DB, oldRing), Logger: apitest.Quiet})
	_, err = old.Get(f.as(nil), "global_one")
	require.Error(t, err)
	_, err = old.Get(f.as(&a), "alpha_one")
	require.Error(t, err)
	// Nor can the old key open a wrapped data key by itself.
	var wrapped []struct {
		WrappedKey     []byte     `bun:"wrapped_key"`
		OrganizationID *uuid.UUID `bun:"organization_id"`
	}
	require.NoError(t, f.app.Env.DB.DB.NewSelect().Table("data_keys").Column("wrapped_key", "organization_id").Scan(ctx, &wrapped))
	oldMaster, err := crypto.ParseMasterKey(oldKey)
	require.NoError(t, err)
	for _, w := range wrapped {
		label := "global"
		if w.OrganizationID != nil {
			label = w.OrganizationID.String()
		}
		_, err := crypto.NewRing(oldMaster).Unwrap(w.WrappedKey, oldMaster.ID, []byte("bifrost data key|"+label))
		require.ErrorIs(t, err, crypto.ErrDecrypt)
	}
}

func TestDeletingASecretInUseIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	orgA := f.app.Org(f.admin, "Alpha", "alpha.example")
	global := f.create(f.admin, "smtp_password", "pw")
	own := f.create(f.admin.InOrg(orgA), "psa_key", "k")
	f.admin.Must(http.StatusOK, "POST", "/api/config", map[string]any{"key": "smtp_pass", "type": "secret_ref", "value": "smtp_password"}, nil)
	f.admin.InOrg(orgA).Must(http.StatusOK, "POST", "/api/config", map[string]any{"key": "psa_api_key", "type": "secret_ref", "value": "psa_key"}, nil)
	f.admin.InOrg(orgA).Must(http.StatusOK, "POST", "/api/config", map[string]any{"key": "mail_pass", "type": "secret_ref", "value": "smtp_password"}, nil)

	r := f.admin.Do("DELETE", "/api/secrets/"+global.ID.String(), nil)
	require.Equal(t, http.StatusConflict, r.Status)
	p := r.Problem(t)
	require.Equal(t, "secrets.in_use", p.Code)
	require.Contains(t, p.Detail, "smtp_pass")
	require.Contains(t, p.Detail, "mail_pass (organization "+orgA+")")

	// An organization with its own secret of that name uses its own: its
	// entries do not hold the global one.
	orgB := f.app.Org(f.admin, "Bravo", "bravo.example")
	f.create(f.admin.InOrg(orgB), "smtp_password", "bravo pw")
	f.admin.InOrg(orgB).Must(http.StatusOK, "POST", "/api/config", map[string]any{"key": "bravo_mail", "type": "secret_ref", "value": "smtp_password"}, nil)
	r = f.admin.Do("DELETE", "/api/secrets/"+global.ID.String(), nil)
	require.Equal(t, http.StatusConflict, r.Status)
	require.NotContains(t, r.Problem(t).Detail, "bravo_mail")

	r = f.admin.InOrg(orgA).Do("DELETE", "/api/secrets/"+own.ID.String(), nil)
	require.Equal(t, http.StatusConflict, r.Status)
	require.Contains(t, r.Problem(t).Detail, "psa_api_key")

	// Once no entry names it, it goes.
	var list struct {
		Items []struct {
			ID  string `json:"id"`
			Key string `json:"key"`
		} `json:"items"`
	}
	f.admin.InOrg(orgA).Must(http.StatusOK, "GET", "/api/config", nil, &list)
	for _, e := range list.Items {
		if e.Key == "psa_api_key" {
			f.admin.InOrg(orgA).Must(http.StatusNoContent, "DELETE", "/api/config/"+e.ID, nil, nil)
		}
	}
	f.admin.InOrg(orgA).Must(http.StatusNoContent, "DELETE", "/api/secrets/"+own.ID.String(), nil, nil)
	require.True(t, strings.Contains(f.app.AuditDetails(t), "secrets.deleted"))
}
