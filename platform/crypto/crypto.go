// Package crypto is Bifrost's envelope encryption: AES-256-GCM everywhere,
// data keys wrapped by a master key, and a key ring so the master key can be
// replaced while the platform runs. It holds no domain logic and no storage:
// the secrets module keeps the wrapped data keys.
package crypto

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the size of every key: AES-256.
const KeySize = 32

// ErrDecrypt is returned for a ciphertext that is not authentic: the wrong
// key, altered bytes, or associated data (the row it belongs to) that
// differs from the one it was sealed with.
var ErrDecrypt = errors.New("crypto: message authentication failed")

// Seal encrypts plaintext with key, binding aad, and returns nonce ‖
// ciphertext.
func Seal(key, plaintext, aad []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, gcm.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("crypto: nonce: %w", err)
	}
	return gcm.Seal(nonce, nonce, plaintext, aad), nil
}

// Open decrypts what Seal produced with the same key and aad.
func Open(key, sealed, aad []byte) ([]byte, error) {
	gcm, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < gcm.NonceSize()+gcm.Overhead() {
		return nil, ErrDecrypt
	}
	nonce, ct := sealed[:gcm.NonceSize()], sealed[gcm.NonceSize():]
	pt, err := gcm.Open(nil, nonce, ct, aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("crypto: key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// NewKey returns a random AES-256 key.
func NewKey() []byte {
	k := make([]byte, KeySize)
	_, _ = rand.Read(k)
	return k
}

// Derive derives a purpose-bound key from a secret (HKDF-SHA256).
func Derive(secret, purpose string) []byte {
	k, err := hkdf.Key(sha256.New, []byte(secret), nil, "bifrost "+purpose, KeySize)
	if err != nil {
		panic(err) // only for lengths HKDF cannot produce
	}
	return k
}

// MasterKey is a key that wraps data keys. Its ID, a digest of the key,
// is stored beside what it wrapped so the right key is found after a
// rotation.
type MasterKey struct {
	ID  string
	key []byte
}

// NewMasterKey makes a master key of raw key material.
func NewMasterKey(key []byte) (MasterKey, error) {
	if len(key) != KeySize {
		return MasterKey{}, fmt.Errorf("crypto: a master key must be %d bytes, got %d", KeySize, len(key))
	}
	sum := sha256.Sum256(append([]byte("bifrost master key id\x00"), key...))
	return MasterKey{ID: hex.EncodeToString(sum[:8]), key: append([]byte(nil), key...)}, nil
}

// ParseMasterKey reads a configured master key: 32 bytes as 64 hex digits
// or standard/URL base64.
func ParseMasterKey(s string) (MasterKey, error) {
	s = strings.TrimSpace(s)
	for _, dec := range []func(string) ([]byte, error){
		hex.DecodeString, base64.StdEncoding.DecodeString, base64.RawStdEncoding.DecodeString,
		base64.URLEncoding.DecodeString, base64.RawURLEncoding.DecodeString,
	} {
		if b, err := dec(s); err == nil && len(b) == KeySize {
			return NewMasterKey(b)
		}
	}
	return MasterKey{}, errors.New("crypto: a master key is 32 bytes, written as 64 hex digits or base64 (generate one with: openssl rand -hex 32)")
}

// Ring holds the current master key, which wraps new data keys, and
// previous ones, which can still unwrap what they wrapped until every data
// key has been rewrapped.
type Ring struct {
	current  MasterKey
	previous map[string]MasterKey
}

// NewRing makes a key ring.
func NewRing(current MasterKey, previous ...MasterKey) *Ring {
	r := &Ring{current: current, previous: map[string]MasterKey{}}
	for _, p := range previous {
		if p.ID != current.ID {
			r.previous[p.ID] = p
		}
	}
	return r
}

// CurrentID is the id of the key that wraps new data keys.
func (r *Ring) CurrentID() string { return r.current.ID }

// Wrap encrypts a data key under the current master key, bound to aad
// (what the data key is for: its organization).
func (r *Ring) Wrap(dataKey, aad []byte) (wrapped []byte, masterID string, err error) {
	w, err := Seal(r.current.key, dataKey, aad)
	return w, r.current.ID, err
}

// Unwrap decrypts a data key wrapped by the master key masterID.
func (r *Ring) Unwrap(wrapped []byte, masterID string, aad []byte) ([]byte, error) {
	k, ok := r.previous[masterID]
	if masterID == r.current.ID {
		k, ok = r.current, true
	}
	if !ok {
		return nil, fmt.Errorf("crypto: no configured master key has id %s (was secrets.master_key changed without keeping the old one in secrets.previous_master_keys?)", masterID)
	}
	dk, err := Open(k.key, wrapped, aad)
	if err != nil {
		return nil, err
	}
	if len(dk) != KeySize {
		return nil, ErrDecrypt
	}
	return dk, nil
}
