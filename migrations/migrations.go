// Package migrations embeds Bifrost's SQL migrations. Files are named
// <UTC timestamp>_<module>_<what>.(tx.)up.sql / .down.sql; a ".tx." file runs
// in one transaction. A migration never changes once it has landed: add a new
// one instead.
package migrations

import "embed"

// FS holds every migration file at its root.
//
//go:embed *.sql
var FS embed.FS
