package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/bifrost-automation/bifrost/platform/db"
)

type store struct {
	db *db.DB
}

func (s *store) insert(ctx context.Context, idb bun.IDB, e *entry) error {
	if _, err := idb.NewInsert().Model(e).Returning("id, created_at").Exec(ctx); err != nil {
		return fmt.Errorf("audit store: insert: %w", err)
	}
	return nil
}

type filter struct {
	// OrganizationID limits to one organization; nil with Global false
	// means every organization (platform admins only).
	OrganizationID *uuid.UUID
	UserID         *uuid.UUID
	Action         string
	Since, Until   time.Time
	// Before is the cursor: entries strictly older than it.
	BeforeTime time.Time
	BeforeID   uuid.UUID
	Limit      int
}

func (s *store) list(ctx context.Context, f filter) ([]entry, error) {
	var out []entry
	q := s.db.NewSelect().Model(&out).OrderExpr("created_at DESC, id DESC").Limit(int64(f.Limit))
	if f.OrganizationID != nil {
		q = q.Where("organization_id = ?", *f.OrganizationID)
	}
	if f.UserID != nil {
		q = q.Where("user_id = ?", *f.UserID)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if !f.Since.IsZero() {
		q = q.Where("created_at >= ?", f.Since)
	}
	if !f.Until.IsZero() {
		q = q.Where("created_at < ?", f.Until)
	}
	if !f.BeforeTime.IsZero() {
		q = q.Where("(created_at, id) < (?, ?)", f.BeforeTime, f.BeforeID)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("audit store: list: %w", err)
	}
	return out, nil
}
