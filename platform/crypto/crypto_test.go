package crypto

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSealOpenBindsKeyAndAssociatedData(t *testing.T) {
	key := NewKey()
	sealed, err := Seal(key, []byte("hunter2"), []byte("secret|row-1"))
	require.NoError(t, err)
	require.False(t, bytes.Contains(sealed, []byte("hunter2")))
	pt, err := Open(key, sealed, []byte("secret|row-1"))
	require.NoError(t, err)
	require.Equal(t, "hunter2", string(pt))

	_, err = Open(key, sealed, []byte("secret|row-2"))
	require.True(t, errors.Is(err, ErrDecrypt), "another row's identity does not open it")
	_, err = Open(NewKey(), sealed, []byte("secret|row-1"))
	require.True(t, errors.Is(err, ErrDecrypt), "another key does not open it")
	sealed[len(sealed)-1] ^= 1
	_, err = Open(key, sealed, []byte("secret|row-1"))
	require.True(t, errors.Is(err, ErrDecrypt), "a changed byte is detected")
	_, err = Open(key, []byte("short"), nil)
	require.True(t, errors.Is(err, ErrDecrypt))

	again, _ := Seal(key, []byte("hunter2"), []byte("secret|row-1"))
	require.NotEqual(t, sealed, again, "a fresh nonce every time")
}

func TestRingRotation(t *testing.T) {
	old, err := NewMasterKey(NewKey())
	require.NoError(t, err)
	next, err := NewMasterKey(NewKey())
	require.NoError(t, err)
	dk := NewKey()
	aad := []byte("data key|org-1")

	wrapped, id, err := NewRing(old).Wrap(dk, aad)
	require.NoError(t, err)
	require.Equal(t, old.ID, id)

	// During a rotation both keys are configured: the old one still unwraps.
	during := NewRing(next, old)
	got, err := during.Unwrap(wrapped, id, aad)
	require.NoError(t, err)
	require.Equal(t, dk, got)
	rewrapped, newID, err := during.Wrap(got, aad)
	require.NoError(t, err)
	require.Equal(t, next.ID, newID)

	// Afterwards the old key is gone and nothing needs it.
	after := NewRing(next)
	got, err = after.Unwrap(rewrapped, newID, aad)
	require.NoError(t, err)
	require.Equal(t, dk, got)
	_, err = after.Unwrap(wrapped, id, aad)
	require.ErrorContains(t, err, "no configured master key")

	_, err = after.Unwrap(rewrapped, newID, []byte("data key|org-2"))
	require.True(t, errors.Is(err, ErrDecrypt), "a data key moved to another organization does not unwrap")
}

func TestParseMasterKey(t *testing.T) {
	raw := NewKey()
	for _, s := range []string{hex.EncodeToString(raw), base64.StdEncoding.EncodeToString(raw), base64.RawURLEncoding.EncodeToString(raw)} {
		k, err := ParseMasterKey(s)
		require.NoError(t, err, s)
		want, _ := NewMasterKey(raw)
		require.Equal(t, want.ID, k.ID)
	}
	_, err := ParseMasterKey("too short")
	require.ErrorContains(t, err, "openssl rand -hex 32")
	require.Len(t, Derive("s", "a"), KeySize)
	require.NotEqual(t, Derive("s", "a"), Derive("s", "b"))
}

func TestSignJSON(t *testing.T) {
	key, other := NewKey(), NewKey()
	type state struct {
		N string `json:"n"`
		E int64  `json:"e"`
	}
	signed, err := SignJSON(key, state{N: "nonce", E: 42})
	require.NoError(t, err)
	var got state
	require.NoError(t, VerifyJSON(key, signed, &got))
	require.Equal(t, state{N: "nonce", E: 42}, got)

	payload, sig, _ := strings.Cut(signed, ".")
	forged, _ := SignJSON(other, state{N: "nonce", E: 42})
	for name, bad := range map[string]string{
		"other key":        forged,
		"no signature":     payload,
		"changed payload":  base64.RawURLEncoding.EncodeToString([]byte(`{"n":"nonce","e":43}`)) + "." + sig,
		"changed sig":      payload + "." + strings.Repeat("A", len(sig)),
		"not base64":       payload + ".!!!",
		"empty":            "",
		"payload not JSON": base64.RawURLEncoding.EncodeToString([]byte("x")) + "." + base64.RawURLEncoding.EncodeToString(mac(key, base64.RawURLEncoding.EncodeToString([]byte("x")))),
	} {
		require.ErrorIs(t, VerifyJSON(key, bad, &got), ErrBadSignature, name)
	}
}
