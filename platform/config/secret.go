package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// SecretKeyFile is the file in the data directory that holds a generated
// development secret key.
const SecretKeyFile = "secret.key"

// EnsureSecretKey fills an empty secret key in development from
// <data_dir>/secret.key, creating that file with a random key the first time.
// It reports whether the key came from that file. Production requires an
// explicit key, which Validate already enforces.
func (c *Config) EnsureSecretKey() (fromFile bool, err error) {
	if c.SecretKey != "" {
		return false, nil
	}
	if c.IsProduction() {
		return false, errors.New("secret_key: required in production")
	}
	path := filepath.Join(c.DataDir, SecretKeyFile)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		key := strings.TrimSpace(string(b))
		if len(key) < MinSecretKeyLength {
			return false, fmt.Errorf("secret_key: %s holds a key shorter than %d characters", path, MinSecretKeyLength)
		}
		c.SecretKey = key
		return true, nil
	case !errors.Is(err, fs.ErrNotExist):
		return false, fmt.Errorf("secret_key: read %s: %w", path, err)
	}

	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return false, fmt.Errorf("secret_key: create %s: %w", c.DataDir, err)
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return false, fmt.Errorf("secret_key: generate: %w", err)
	}
	key := hex.EncodeToString(buf)
	// Write a temporary file, then hard-link it into place: the link fails if
	// another process got there first, and nobody ever reads a half-written
	// key. Both processes then use the same key.
	tmp, err := os.CreateTemp(c.DataDir, ".secret-*.tmp")
	if err != nil {
		return false, fmt.Errorf("secret_key: create in %s: %w", c.DataDir, err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return false, fmt.Errorf("secret_key: chmod: %w", err)
	}
	if _, err := tmp.WriteString(key + "\n"); err != nil {
		tmp.Close()
		return false, fmt.Errorf("secret_key: write: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return false, fmt.Errorf("secret_key: write: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return c.EnsureSecretKey()
		}
		return false, fmt.Errorf("secret_key: create %s: %w", path, err)
	}
	c.SecretKey = key
	return true, nil
}
