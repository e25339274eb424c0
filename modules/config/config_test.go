package config_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	configmod "github.com/bifrost-automation/bifrost/modules/config"
	"github.com/bifrost-automation/bifrost/modules/internal/apitest"
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

func (f *fixture) set(c *apitest.Client, key, typ string, value any) configmod.Entry {
	f.app.T.Helper()
	var e configmod.Entry
	c.Must(http.StatusOK, "POST", "/api/config", map[string]any{"key": key, "type": typ, "value": value, "description": "about " + key}, &e)
	return e
}

type list struct {
	Items []configmod.Entry `json:"items"`
}

func TestOrganizationValueElseGlobal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	orgA := f.app.Org(f.admin, "Alpha", "alpha.example")
	orgB := f.app.Org(f.admin, "Bravo", "bravo.example")
	f.set(f.admin, "ticket_queue", "string", "Global Queue")
	f.set(f.admin, "max_users", "int", 100)
	own := f.set(f.admin.InOrg(orgA), "ticket_queue", "string", "Alpha Queue")
	require.Equal(t, orgA, own.OrganizationID.String())
	require.Equal(t, f.app.AdminID, *own.UpdatedBy)

	a, b := uuid.MustParse(orgA), uuid.MustParse(orgB)
	for org, want := range map[*uuid.UUID]string{&a: "Alpha Queue", &b: "Global Queue", nil: "Global Queue"} {
		v, err := f.app.ConfigValues.Get(f.as(org), "ticket_queue")
		require.NoError(t, err)
		require.True(t, v.Found)
		require.Equal(t, want, v.Value)
	}
	v, err := f.app.ConfigValues.Get(f.as(&b), "max_users")
	require.NoError(t, err)
	require.Equal(t, int64(100), v.Value)
	v, err = f.app.ConfigValues.Get(f.as(&b), "absent")
	require.NoError(t, err)
	require.False(t, v.Found, "a missing key is not an error: the SDK returns its default")

	// From an organization the list shows its own entries and the global
	// ones it does not override, marked inherited.
	var l list
	f.admin.InOrg(orgA).Must(http.StatusOK, "GET", "/api/config", nil, &l)
	require.Len(t, l.Items, 2)
	require.Equal(t, "max_users", l.Items[0].Key)
	require.True(t, l.Items[0].Inherited)
	require.Equal(t, own.ID, l.Items[1].ID)
	require.False(t, l.Items[1].Inherited)
	f.admin.InOrg(orgA).Must(http.StatusOK, "GET", "/api/config?prefix=max", nil, &l)
	require.Len(t, l.Items, 1)

	// Deleting the override brings the global value back; an organization
	// cannot change or delete a global entry.
	r := f.admin.InOrg(orgA).Do("DELETE", "/api/config/"+l.Items[0].ID.String(), nil)
	require.Equal(t, http.StatusNotFound, r.Status, "a global entry is read-only from an organization")
	f.admin.InOrg(orgA).Must(http.StatusNoContent, "DELETE", "/api/config/"+own.ID.String(), nil, nil)
	v, err = f.app.ConfigValues.Get(f.as(&a), "ticket_queue")
	require.NoError(t, err)
	require.Equal(t, "Global Queue", v.Value)
}

func TestTypesAreChecked(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for name, tc := range map[string]struct {
		body  map[string]any
		field string
	}{
		"key with a dash":    {map[string]any{"key": "bad-key", "type": "string", "value": "x"}, "key"},
		"int from text":      {map[string]any{"key": "k", "type": "int", "value": "12"}, "value"},
		"int with fraction":  {map[string]any{"key": "k", "type": "int", "value": 1.5}, "value"},
		"bool from text":     {map[string]any{"key": "k", "type": "bool", "value": "true"}, "value"},
		"string from number": {map[string]any{"key": "k", "type": "string", "value": 3}, "value"},
		"unknown type":       {map[string]any{"key": "k", "type": "float", "value": 3}, "type"},
		"missing secret":     {map[string]any{"key": "k", "type": "secret_ref", "value": "nope"}, "value"},
		"secret ref number":  {map[string]any{"key": "k", "type": "secret_ref", "value": 1}, "value"},
	} {
		r := f.admin.Do("POST", "/api/config", tc.body)
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s: %s", name, r.Body)
		var fields []string
		for _, e := range r.Problem(t).Errors {
			fields = append(fields, e.Field)
		}
		require.Contains(t, fields, tc.field, name)
	}
	e := f.set(f.admin, "settings", "json", map[string]any{"b": []int{1, 2}, "a": nil})
	require.JSONEq(t, `{"b":[1,2],"a":null}`, string(e.Value))
	f.set(f.admin, "enabled", "bool", true)

	// PUT changes the value, or only the description.
	var updated configmod.Entry
	f.admin.Must(http.StatusOK, "PUT", "/api/config/"+e.ID.String(), map[string]any{"description": "new words"}, &updated)
	require.Equal(t, "new words", updated.Description)
	require.JSONEq(t, `{"b":[1,2],"a":null}`, string(updated.Value))
	f.admin.Must(http.StatusOK, "PUT", "/api/config/"+e.ID.String(), map[string]any{"value": 7, "type": "int"}, &updated)
	require.Equal(t, "int", updated.Type)
	require.Equal(t, json.RawMessage("7"), updated.Value)

	// The SDK's config.set passes no type: a new entry's comes from the
	// value, an existing entry keeps its own.
	for raw, want := range map[string]string{`"text"`: "string", `5`: "int", `false`: "bool", `1.5`: "json", `{"a":1}`: "json", `[1]`: "json"} {
		key := "inferred_" + want + "_" + strings.NewReplacer(`"`, "", "{", "", "}", "", ":", "", "[", "", "]", "", ".", "").Replace(raw)
		e, created, err := f.app.ConfigValues.Set(f.as(nil), configmod.SetInput{Key: key, Value: json.RawMessage(raw)})
		require.NoError(t, err, raw)
		require.True(t, created)
		require.Equal(t, want, e.Type, raw)
	}
	_, _, err := f.app.ConfigValues.Set(f.as(nil), configmod.SetInput{Key: "enabled", Value: json.RawMessage(`"yes"`)})
	require.ErrorContains(t, err, "config.invalid", "an existing bool entry stays bool")
}

func TestSecretRefsResolveAndNeverShowTheValue(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	orgA := f.app.Org(f.admin, "Alpha", "alpha.example")
	a := uuid.MustParse(orgA)
	f.admin.Must(http.StatusCreated, "POST", "/api/secrets", map[string]string{"name": "halo_secret", "value": "global-halo-value"}, nil)
	f.admin.InOrg(orgA).Must(http.StatusCreated, "POST", "/api/secrets", map[string]string{"name": "halo_secret", "value": "alpha-halo-value"}, nil)
	e := f.set(f.admin, "halo_client_secret", "secret_ref", "halo_secret")
	require.JSONEq(t, `"halo_secret"`, string(e.Value), "the API shows the secret's name")

	v, err := f.app.ConfigValues.Get(f.as(&a), "halo_client_secret")
	require.NoError(t, err)
	require.Equal(t, "alpha-halo-value", v.Value, "the reference resolves in the reader's organization")
	v, err = f.app.ConfigValues.Get(f.as(nil), "halo_client_secret")
	require.NoError(t, err)
	require.Equal(t, "global-halo-value", v.Value)

	for _, c := range []*apitest.Client{f.admin, f.admin.InOrg(orgA)} {
		body := string(c.Must(http.StatusOK, "GET", "/api/config", nil, nil).Body)
		require.NotContains(t, body, "halo-value")
	}
	require.NotContains(t, f.app.AuditDetails(t), "halo-value")
	require.NotContains(t, f.app.Logs.String(), "halo-value")
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	orgA := f.app.Org(f.admin, "Alpha", "alpha.example")
	orgB := f.app.Org(f.admin, "Bravo", "bravo.example")
	manager, _ := f.app.Member(f.admin, "manager@alpha.example", orgA, f.app.Role(f.admin, orgA, "Config", "config.manage"))
	tech, _ := f.app.Member(f.admin, "tech@alpha.example", orgA)
	bob, _ := f.app.Member(f.admin, "bob@bravo.example", orgB, f.app.Role(f.admin, orgB, "Config", "config.manage"))

	e := f.set(manager, "psa_url", "string", "https://psa.alpha.example")
	require.Equal(t, orgA, e.OrganizationID.String())
	require.Equal(t, http.StatusForbidden, tech.Do("GET", "/api/config", nil).Status)
	require.Equal(t, http.StatusForbidden, tech.Do("POST", "/api/config", map[string]any{"key": "k", "type": "string", "value": "v"}).Status)
	for _, method := range []string{"GET", "PUT", "DELETE"} {
		r := bob.Do(method, "/api/config/"+e.ID.String(), map[string]any{"value": "hijacked"})
		require.Equal(t, http.StatusNotFound, r.Status, method)
	}
	var l list
	bob.Must(http.StatusOK, "GET", "/api/config", nil, &l)
	require.Empty(t, l.Items)
	// Setting an existing key replaces it rather than duplicating it.
	f.set(manager, "psa_url", "string", "https://psa2.alpha.example")
	manager.Must(http.StatusOK, "GET", "/api/config", nil, &l)
	require.Len(t, l.Items, 1)
	require.JSONEq(t, `"https://psa2.alpha.example"`, string(l.Items[0].Value))
}
