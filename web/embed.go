//go:build embedweb

// Package web holds Bifrost's front end (React + Vite + TypeScript). Built
// with the embedweb tag, the binary carries web/dist; see noembed.go.
package web

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// FS returns the built UI.
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err)
	}
	return sub
}
