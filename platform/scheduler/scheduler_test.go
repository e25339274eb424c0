package scheduler_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/platform/scheduler"
	"github.com/bifrost-automation/bifrost/platform/testenv"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type ticks struct {
	mu    sync.Mutex
	slots map[int64][]string
}

func (tk *ticks) record(who string) {
	tk.mu.Lock()
	defer tk.mu.Unlock()
	slot := time.Now().Unix()
	tk.slots[slot] = append(tk.slots[slot], who)
}

func newScheduler(t *testing.T, r *testenv.Redis, name string, tk *ticks) *scheduler.Scheduler {
	t.Helper()
	s, err := scheduler.New(scheduler.Options{Cache: r.Client, LeaderTTL: 2 * time.Second, Logger: quiet})
	require.NoError(t, err)
	require.NoError(t, s.Add(scheduler.Job{
		Name: "tick", Cron: "* * * * * *",
		Run: func(ctx context.Context) error { tk.record(name); return nil },
	}))
	return s
}

func TestTwoSchedulersFireAJobOncePerTick(t *testing.T) {
	t.Parallel()
	r := testenv.NewRedis(t)
	tk := &ticks{slots: map[int64][]string{}}
	a := newScheduler(t, r, "a", tk)
	b := newScheduler(t, r, "b", tk)
	ctx := context.Background()
	a.Start(ctx)
	b.Start(ctx)
	require.Eventually(t, func() bool { return a.IsLeader() || b.IsLeader() }, 10*time.Second, 10*time.Millisecond)
	time.Sleep(5500 * time.Millisecond)
	require.NoError(t, a.Shutdown())
	require.NoError(t, b.Shutdown())

	tk.mu.Lock()
	defer tk.mu.Unlock()
	require.GreaterOrEqual(t, len(tk.slots), 4, "the job ran every second")
	for slot, who := range tk.slots {
		require.Len(t, who, 1, "tick %d ran on %v", slot, who)
	}
	require.False(t, a.IsLeader() && b.IsLeader())
}

func TestStandbyTakesOverWhenTheLeaderStops(t *testing.T) {
	t.Parallel()
	r := testenv.NewRedis(t)
	tk := &ticks{slots: map[int64][]string{}}
	a := newScheduler(t, r, "a", tk)
	ctx := context.Background()
	a.Start(ctx)
	require.Eventually(t, a.IsLeader, 10*time.Second, 10*time.Millisecond)
	b := newScheduler(t, r, "b", tk)
	b.Start(ctx)
	t.Cleanup(func() { require.NoError(t, b.Shutdown()) })
	time.Sleep(1500 * time.Millisecond)
	require.False(t, b.IsLeader(), "one leader at a time")

	require.NoError(t, a.Shutdown())
	require.Eventually(t, b.IsLeader, 5*time.Second, 10*time.Millisecond, "the standby leads once the leader is gone")
	require.Eventually(t, func() bool {
		tk.mu.Lock()
		defer tk.mu.Unlock()
		for _, who := range tk.slots {
			if who[0] == "b" {
				return true
			}
		}
		return false
	}, 5*time.Second, 50*time.Millisecond, "and runs the jobs")
}

func TestJobValidation(t *testing.T) {
	t.Parallel()
	r := testenv.NewRedis(t)
	s, err := scheduler.New(scheduler.Options{Cache: r.Client, Logger: quiet})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Shutdown()) })
	require.Error(t, s.Add(scheduler.Job{Name: "x"}), "a job needs a func")
	require.Error(t, s.Add(scheduler.Job{Name: "x", Run: func(context.Context) error { return nil }}), "and a schedule")
	require.Error(t, s.Add(scheduler.Job{Name: "x", Cron: "not cron", Run: func(context.Context) error { return nil }}))
	require.NoError(t, s.Add(scheduler.Job{Name: "cleanup", Cron: "*/5 * * * *", Run: func(context.Context) error { return nil }}))
}
