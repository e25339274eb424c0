package workflows

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/bifrost-automation/bifrost/platform/db"
)

type workflowRow struct {
	bun.BaseModel `bun:"table:workflows"`

	Kind        string          `bun:"kind,pk"`
	Name        string          `bun:"name,pk"`
	Description string          `bun:"description,notnull"`
	Category    string          `bun:"category,notnull"`
	Tags        []string        `bun:"tags,array,notnull"`
	File        string          `bun:"file,notnull"`
	Line        int             `bun:"line,notnull"`
	Definition  json.RawMessage `bun:"definition,type:jsonb,notnull"`
	UpdatedAt   time.Time       `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

type fileRow struct {
	bun.BaseModel `bun:"table:workspace_files"`

	Path          string     `bun:"path,pk"`
	Status        string     `bun:"status,notnull"`
	Error         *LoadError `bun:"error,type:jsonb"`
	Warnings      []string   `bun:"warnings,array,notnull"`
	Workflows     int        `bun:"workflows,notnull"`
	DataProviders int        `bun:"data_providers,notnull"`
	UpdatedAt     time.Time  `bun:"updated_at,nullzero,notnull,default:current_timestamp"`
}

type scanRow struct {
	bun.BaseModel `bun:"table:workspace_scans"`

	ID         int         `bun:"id,pk"`
	Digest     string      `bun:"digest,notnull"`
	Errors     []LoadError `bun:"errors,type:jsonb,notnull"`
	DurationMs float64     `bun:"duration_ms,notnull"`
	ScannedBy  string      `bun:"scanned_by,notnull"`
	ScannedAt  time.Time   `bun:"scanned_at,notnull"`
}

type store struct{ db *db.DB }

// digest identifies a registry's content, so an unchanged one is not
// written again (every worker reports the same workspace).
func digest(reg *Registry) string {
	c := *reg
	c.DurationMs = 0
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// save replaces the registry with reg unless it is what is stored already.
func (s *store) save(ctx context.Context, reg *Registry, by string) (bool, error) {
	d := digest(reg)
	changed := false
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// One writer at a time; the others then find the digest stored.
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(hashtext('bifrost.workflows.registry'))"); err != nil {
			return err
		}
		var current string
		err := tx.NewSelect().Model((*scanRow)(nil)).Column("digest").Where("id = 1").Scan(ctx, &current)
		if err != nil && !db.IsNoRows(err) {
			return err
		}
		if current == d {
			_, err := tx.NewUpdate().Model((*scanRow)(nil)).Set("scanned_at = now(), scanned_by = ?", by).Where("id = 1").Exec(ctx)
			return err
		}
		changed = true
		if _, err := tx.NewDelete().Model((*workflowRow)(nil)).Where("TRUE").Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*fileRow)(nil)).Where("TRUE").Exec(ctx); err != nil {
			return err
		}
		var rows []workflowRow
		for _, list := range [][]Definition{reg.Workflows, reg.DataProviders} {
			for _, def := range list {
				b, err := json.Marshal(def)
				if err != nil {
					return err
				}
				rows = append(rows, workflowRow{Kind: def.Kind, Name: def.Name, Description: def.Description, Category: def.Category,
					Tags: nonNilStrings(def.Tags), File: def.File, Line: def.Line, Definition: b})
			}
		}
		if len(rows) > 0 {
			if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
				return err
			}
		}
		files := make([]fileRow, 0, len(reg.Files))
		for _, f := range reg.Files {
			files = append(files, fileRow{Path: f.Path, Status: f.Status, Error: f.Error, Warnings: nonNilStrings(f.Warnings),
				Workflows: f.Workflows, DataProviders: f.DataProviders})
		}
		if len(files) > 0 {
			if _, err := tx.NewInsert().Model(&files).Exec(ctx); err != nil {
				return err
			}
		}
		scan := &scanRow{ID: 1, Digest: d, Errors: nonNilErrors(reg.Errors), DurationMs: reg.DurationMs, ScannedBy: by, ScannedAt: time.Now()}
		_, err = tx.NewInsert().Model(scan).On("CONFLICT (id) DO UPDATE").
			Set("digest = EXCLUDED.digest, errors = EXCLUDED.errors, duration_ms = EXCLUDED.duration_ms").
			Set("scanned_by = EXCLUDED.scanned_by, scanned_at = EXCLUDED.scanned_at").Exec(ctx)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("workflows store: save registry: %w", err)
	}
	return changed, nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilErrors(e []LoadError) []LoadError {
	if e == nil {
		return []LoadError{}
	}
	return e
}

// listFilter narrows a list of definitions.
type listFilter struct {
	Kind     string
	Query    string
	Category string
}

func (s *store) list(ctx context.Context, f listFilter) ([]Definition, error) {
	var rows []workflowRow
	q := s.db.NewSelect().Model(&rows).Column("definition").Where("kind = ?", f.Kind).OrderExpr("category, name")
	if f.Category != "" {
		q = q.Where("category = ?", f.Category)
	}
	if f.Query != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(f.Query)) + "%"
		q = q.Where("(lower(name) LIKE ? OR lower(description) LIKE ? OR lower(category) LIKE ? OR EXISTS (SELECT 1 FROM unnest(tags) t WHERE lower(t) LIKE ?))",
			like, like, like, like)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("workflows store: list: %w", err)
	}
	out := make([]Definition, 0, len(rows))
	for _, r := range rows {
		var d Definition
		if err := json.Unmarshal(r.Definition, &d); err != nil {
			return nil, fmt.Errorf("workflows store: definition of %s: %w", r.Name, err)
		}
		d.normalize()
		out = append(out, d)
	}
	return out, nil
}

// get returns a definition; errNotFound (or errProviderNotFound) when
// there is none.
func (s *store) get(ctx context.Context, kind, name string) (*Definition, error) {
	row := new(workflowRow)
	if err := s.db.NewSelect().Model(row).Where("kind = ? AND name = ?", kind, name).Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			if kind == KindDataProvider {
				return nil, errProviderNotFound
			}
			return nil, errNotFound
		}
		return nil, fmt.Errorf("workflows store: get: %w", err)
	}
	d := new(Definition)
	if err := json.Unmarshal(row.Definition, d); err != nil {
		return nil, fmt.Errorf("workflows store: definition of %s: %w", name, err)
	}
	d.normalize()
	return d, nil
}

func (s *store) categories(ctx context.Context, kind string) ([]string, error) {
	var out []string
	err := s.db.NewSelect().Model((*workflowRow)(nil)).ColumnExpr("DISTINCT category").Where("kind = ?", kind).OrderExpr("category").Scan(ctx, &out)
	if err != nil {
		return nil, fmt.Errorf("workflows store: categories: %w", err)
	}
	return out, nil
}

// scan returns the last scan; found is false before the first one.
func (s *store) scan(ctx context.Context) (row *scanRow, found bool, err error) {
	row = new(scanRow)
	if err := s.db.NewSelect().Model(row).Where("id = 1").Scan(ctx); err != nil {
		if db.IsNoRows(err) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("workflows store: scan: %w", err)
	}
	return row, true, nil
}
