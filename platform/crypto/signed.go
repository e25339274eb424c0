package crypto

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// ErrBadSignature is returned for a signed value that was altered, signed
// with another key, or is not a signed value at all.
var ErrBadSignature = errors.New("crypto: bad signature")

// SignJSON encodes v as JSON and signs it with HMAC-SHA256:
// base64url(json) "." base64url(mac). The value is readable by anyone who
// has it; the signature only proves it was made with key (OAuth states).
func SignJSON(key []byte, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	return payload + "." + base64.RawURLEncoding.EncodeToString(mac(key, payload)), nil
}

// VerifyJSON checks a value made by SignJSON with key and decodes it into
// v.
func VerifyJSON(key []byte, signed string, v any) error {
	payload, sig, ok := strings.Cut(signed, ".")
	if !ok {
		return ErrBadSignature
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, mac(key, payload)) {
		return ErrBadSignature
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return ErrBadSignature
	}
	if err := json.Unmarshal(b, v); err != nil {
		return ErrBadSignature
	}
	return nil
}

func mac(key []byte, payload string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(payload))
	return h.Sum(nil)
}
