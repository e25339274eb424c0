package config

import (
	"context"
	"encoding/json"

	"github.com/bifrost-automation/bifrost/platform/errs"
	"github.com/bifrost-automation/bifrost/platform/httpx"
)

// The calls a running workflow makes (the SDK's config module), with the
// execution's identity and organization in ctx.

// RuntimeGet reads key for the organization, else the global entry; a
// secret_ref resolves to the secret's value (secret is then true).
func (m *Module) RuntimeGet(ctx context.Context, key string) (value any, found, secret bool, err error) {
	v, err := m.Get(ctx, key)
	if err != nil || !v.Found {
		return nil, false, false, err
	}
	return v.Value, true, v.Type == TypeSecretRef, nil
}

// RuntimeSet stores a value in the organization; a new key's type comes
// from the value, an existing key keeps its type.
func (m *Module) RuntimeSet(ctx context.Context, key string, value json.RawMessage) error {
	if len(value) == 0 {
		value = json.RawMessage("null")
	}
	_, _, err := m.Set(ctx, SetInput{Key: key, Value: value})
	return err
}

// RuntimeList returns every key readable in the organization with its
// value; secret references give the secret's name, never its value.
func (m *Module) RuntimeList(ctx context.Context) (map[string]any, error) {
	if httpx.PrincipalFrom(ctx) == nil {
		return nil, errs.Unauthenticated("auth.unauthenticated", "No user is acting.")
	}
	entries, err := m.list(ctx, "")
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(entries))
	for _, e := range entries {
		var v any
		if err := json.Unmarshal(e.Value, &v); err == nil {
			out[e.Key] = v
		}
	}
	return out, nil
}

// RuntimeDelete deletes the organization's key; false when there was none.
func (m *Module) RuntimeDelete(ctx context.Context, key string) (bool, error) {
	err := m.DeleteKey(ctx, key)
	if errs.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}
