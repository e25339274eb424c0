package workflows

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// sdkFiles is the Python package `bifrost`: the SDK workflows import and
// the runtime (discovery, zygote, runs) the worker starts.
//
//go:embed all:sdk/bifrost
var sdkFiles embed.FS

// sdkPaths lists the SDK's files, without the byte code a local Python run
// may have left beside them.
func sdkPaths() []string {
	var paths []string
	_ = fs.WalkDir(sdkFiles, "sdk", func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == "__pycache__":
			return fs.SkipDir
		case !d.IsDir() && filepath.Ext(p) != ".pyc":
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	return paths
}

// sdkVersion is a digest of the embedded SDK: each version is written to a
// folder of its own, so processes of different versions never share one.
var sdkVersion = func() string {
	h := sha256.New()
	for _, p := range sdkPaths() {
		b, _ := sdkFiles.ReadFile(p)
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}()

// InstallSDK writes the SDK under dir (once per version) and returns the
// folder to put on PYTHONPATH.
func InstallSDK(dir string) (string, error) {
	target := filepath.Join(dir, "sdk-"+sdkVersion)
	if _, err := os.Stat(filepath.Join(target, ".complete")); err == nil {
		return target, nil
	}
	tmp, err := os.MkdirTemp(dir, ".sdk-")
	if err != nil {
		return "", fmt.Errorf("workflows: install sdk: %w", err)
	}
	defer os.RemoveAll(tmp)
	for _, p := range sdkPaths() {
		rel, _ := filepath.Rel("sdk", p)
		out := filepath.Join(tmp, rel)
		b, err := sdkFiles.ReadFile(p)
		if err == nil {
			err = os.MkdirAll(filepath.Dir(out), 0o755)
		}
		if err == nil {
			err = os.WriteFile(out, b, 0o644)
		}
		if err != nil {
			return "", fmt.Errorf("workflows: install sdk: %w", err)
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), []byte(sdkVersion+"\n"), 0o644); err != nil {
		return "", fmt.Errorf("workflows: install sdk: %w", err)
	}
	// Another process may have installed the same version meanwhile: keep
	// whichever landed first.
	if err := os.Rename(tmp, target); err != nil {
		if _, statErr := os.Stat(filepath.Join(target, ".complete")); statErr == nil {
			return target, nil
		}
		return "", fmt.Errorf("workflows: install sdk: %w", err)
	}
	return target, nil
}
