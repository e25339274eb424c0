package httpx

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/bifrost-automation/bifrost/platform/errs"
)

// webHandler serves the built web UI: files as they are, hashed assets
// cached for a year, and index.html for every other path so front-end
// routes work on reload. A missing file with an extension is a 404, not
// index.html, so a stale asset URL fails loudly instead of loading HTML as
// JavaScript.
func webHandler(fsys fs.FS) echo.HandlerFunc {
	if fsys == nil {
		return notBuilt
	}
	if _, err := fs.Stat(fsys, "index.html"); err != nil {
		return notBuilt
	}
	return func(c *echo.Context) error {
		p := path.Clean("/" + c.Request().URL.Path)
		if p == "/api" || strings.HasPrefix(p, "/api/") {
			return echo.ErrNotFound
		}
		name := strings.TrimPrefix(p, "/")
		if name == "" {
			name = "index.html"
		}
		if st, err := fs.Stat(fsys, name); err == nil && !st.IsDir() {
			return serveFile(c, fsys, name)
		}
		if path.Ext(name) != "" {
			return errs.Newf(errs.KindNotFound, "web.not_found", "No file %s.", p)
		}
		return serveFile(c, fsys, "index.html")
	}
}

func serveFile(c *echo.Context, fsys fs.FS, name string) error {
	f, err := fsys.Open(name)
	if err != nil {
		return errs.Internal(err)
	}
	defer f.Close()
	h := c.Response().Header()
	if strings.HasPrefix(name, "assets/") {
		// Vite puts a content hash in every name under assets/.
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	rs, ok := f.(io.ReadSeeker)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			return errs.Internal(err)
		}
		rs = bytes.NewReader(b)
	}
	http.ServeContent(c.Response(), c.Request(), name, time.Time{}, rs)
	return nil
}

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bifrost</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1f2937}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:4px}</style>
</head><body><h1>Bifrost</h1>
<p>The server is running, but this binary was built without the web UI.</p>
<p>Build it with <code>go tool task build</code> (or <code>go tool task run</code>), which builds <code>web/</code> and embeds it.</p>
<p>The API works without it: see the <a href="/api/docs">API reference</a> and <a href="/ready">readiness</a>.</p>
</body></html>`

func notBuilt(c *echo.Context) error {
	p := c.Request().URL.Path
	if p == "/api" || strings.HasPrefix(p, "/api/") {
		return echo.ErrNotFound
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.HTML(http.StatusOK, notBuiltPage)
}
