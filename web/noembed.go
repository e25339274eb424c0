//go:build !embedweb

// Package web holds Bifrost's front end (React + Vite + TypeScript). A
// plain `go build` works before the UI is built and serves a page saying
// so; `go tool task build` builds web/dist and embeds it (-tags embedweb).
package web

import "io/fs"

// FS returns nil: this binary was built without the UI.
func FS() fs.FS { return nil }
