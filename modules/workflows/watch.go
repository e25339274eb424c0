package workflows

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// fingerprint digests the names, sizes and modification times of the
// workspace's Python files (and of the installed packages' folders), so a
// change to any of them is noticed by polling. Polling works on every file
// system a workspace may live on, bind mounts included.
func fingerprint(root string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(root, path)
		name := d.Name()
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			if rel == ".packages" {
				// Installs and removals change the folder's entries.
				entries, err := os.ReadDir(path)
				if err == nil {
					for _, e := range entries {
						if info, err := e.Info(); err == nil {
							fmt.Fprintf(h, "pkg\x00%s\x00%d\n", e.Name(), info.ModTime().UnixNano())
						}
					}
				}
				return fs.SkipDir
			}
			if strings.HasPrefix(name, ".") || name == "__pycache__" || name == "node_modules" {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".py") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil // removed while walking: the next poll sees it
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\n", rel, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
