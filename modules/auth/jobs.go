package auth

import (
	"context"

	"github.com/bifrost-automation/bifrost/platform/scheduler"
)

// RegisterJobs implements app.JobModule: emailed tokens are deleted a week
// after they expire.
func (m *Module) RegisterJobs(s *scheduler.Scheduler) error {
	return s.Add(scheduler.Job{Name: "auth.delete_expired_tokens", Cron: "17 3 * * *", Run: func(ctx context.Context) error {
		n, err := m.store.deleteExpiredTokens(ctx)
		if err == nil && n > 0 {
			m.log.Info("auth: deleted expired emailed tokens", "count", n)
		}
		return err
	}})
}
