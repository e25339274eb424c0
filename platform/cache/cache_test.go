package cache_test

import (
	"bufio"
	"context"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/platform/cache"
	"github.com/bifrost-automation/bifrost/platform/testenv"
)

func TestKeysAreNamespacedByPrefix(t *testing.T) {
	t.Parallel()
	a, b := testenv.NewRedis(t), testenv.NewRedis(t)
	ctx := context.Background()
	require.NoError(t, a.Client.Set(ctx, "session", "alice", time.Minute))
	v, ok, err := a.Client.Get(ctx, "session")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "alice", v)
	_, ok, err = b.Client.Get(ctx, "session")
	require.NoError(t, err)
	require.False(t, ok, "another prefix does not see the key")

	set, err := a.Client.SetNX(ctx, "once", "1", time.Minute)
	require.NoError(t, err)
	require.True(t, set)
	set, err = a.Client.SetNX(ctx, "once", "2", time.Minute)
	require.NoError(t, err)
	require.False(t, set)
	require.NoError(t, a.Client.Delete(ctx, "once", "session"))
	_, ok, _ = a.Client.Get(ctx, "session")
	require.False(t, ok)
}

func TestPublishReachesEverySubscriber(t *testing.T) {
	t.Parallel()
	r := testenv.NewRedis(t)
	other, err := cache.New(cache.Options{URL: r.URL, Prefix: r.Prefix})
	require.NoError(t, err)
	t.Cleanup(other.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	var mu sync.Mutex
	got := map[string][]string{}
	var wg sync.WaitGroup
	for _, c := range []*cache.Client{r.Client, other} {
		ready := make(chan struct{})
		name := c.Prefix() + "-" + time.Now().String()
		wg.Go(func() {
			_ = c.Subscribe(ctx, []string{"executions:e1"}, ready, func(ch, msg string) {
				mu.Lock()
				got[name] = append(got[name], ch+"="+msg)
				mu.Unlock()
			})
		})
		<-ready
	}
	require.NoError(t, r.Client.Publish(ctx, "executions:e1", "log line 1"))
	require.NoError(t, r.Client.Publish(ctx, "executions:e1", "log line 2"))
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		if len(got) != 2 {
			return false
		}
		for _, v := range got {
			if len(v) != 2 {
				return false
			}
		}
		return true
	}, 5*time.Second, 10*time.Millisecond)
	mu.Lock()
	for _, v := range got {
		require.Equal(t, []string{"executions:e1=log line 1", "executions:e1=log line 2"}, v, "in order, with the relative channel name")
	}
	mu.Unlock()
	cancel()
	wg.Wait()
}

func TestLockIsExclusiveAcrossClients(t *testing.T) {
	t.Parallel()
	r := testenv.NewRedis(t)
	ctx := context.Background()
	var holders, maxHolders atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		l, err := r.Client.NewLocker("refresh", 2*time.Second)
		require.NoError(t, err)
		t.Cleanup(l.Close)
		wg.Go(func() {
			for j := 0; j < 3; j++ {
				_, release, err := l.Lock(ctx, "integration-42")
				if err != nil {
					t.Error(err)
					return
				}
				n := holders.Add(1)
				for {
					m := maxHolders.Load()
					if n <= m || maxHolders.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(20 * time.Millisecond)
				holders.Add(-1)
				release()
			}
		})
	}
	wg.Wait()
	require.Equal(t, int32(1), maxHolders.Load(), "never two holders at once")

	l1, err := r.Client.NewLocker("refresh", 2*time.Second)
	require.NoError(t, err)
	t.Cleanup(l1.Close)
	l2, err := r.Client.NewLocker("refresh", 2*time.Second)
	require.NoError(t, err)
	t.Cleanup(l2.Close)
	_, release, err := l1.TryLock(ctx, "x")
	require.NoError(t, err)
	_, _, err = l2.TryLock(ctx, "x")
	require.True(t, cache.IsNotLocked(err), "a held lock is refused at once: %v", err)
	release()
}

// TestAHeldLockIsExtendedOnItsTimerOnly holds a lock for three extension
// intervals and counts, with MONITOR, the commands that touch its key: a
// handful, not a loop of extensions.
func TestAHeldLockIsExtendedOnItsTimerOnly(t *testing.T) {
	t.Parallel()
	r := testenv.NewRedis(t)
	u, err := url.Parse(r.URL)
	require.NoError(t, err)
	mon, err := net.Dial("tcp", u.Host)
	require.NoError(t, err)
	t.Cleanup(func() { mon.Close() })
	_, err = mon.Write([]byte("MONITOR\r\n"))
	require.NoError(t, err)
	rd := bufio.NewReader(mon)
	line, err := rd.ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "+OK\r\n", line)
	var touched atomic.Int32
	go func() {
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				return
			}
			if strings.Contains(line, r.Prefix+"lock") {
				touched.Add(1)
			}
		}
	}()

	l, err := r.Client.NewLocker("leader", 600*time.Millisecond)
	require.NoError(t, err)
	t.Cleanup(l.Close)
	locked, release, err := l.TryLock(context.Background(), "held")
	require.NoError(t, err)
	time.Sleep(900 * time.Millisecond) // three extensions, one every 300 ms
	require.NoError(t, locked.Err(), "the lock is still held")
	release()
	time.Sleep(100 * time.Millisecond)
	n := touched.Load()
	t.Logf("%d commands touched the lock's key", n)
	require.Positive(t, n)
	require.Less(t, n, int32(40), "the lock is extended on its timer, not in a loop")
}
