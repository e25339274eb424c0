package testenv

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// recorder stands in for a test so a failure can be observed.
type recorder struct {
	testing.TB
	msg string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Fatal(args ...any) {
	r.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

func failure(t *testing.T, fn func(tb testing.TB)) string {
	rec := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(rec)
	}()
	<-done
	return rec.msg
}

func TestAnUnreachableServerFailsTheTestSayingHowToStartIt(t *testing.T) {
	for _, tc := range []struct {
		env, url, server, hint string
		fn                     func(tb testing.TB)
	}{
		{"BIFROST_TEST_DATABASE_URL", "postgres://postgres:pw@127.0.0.1:1/postgres?sslmode=disable", "PostgreSQL", "pg_ctlcluster", func(tb testing.TB) { NewDB(tb) }},
		{"BIFROST_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:1/", "RabbitMQ", "rabbitmq-server -detached", func(tb testing.TB) { NewBroker(tb) }},
		{"BIFROST_TEST_REDIS_URL", "redis://127.0.0.1:1/0", "Redis", "redis-server --daemonize yes", func(tb testing.TB) { NewRedis(tb) }},
	} {
		t.Run(tc.server, func(t *testing.T) {
			t.Setenv(tc.env, tc.url)
			msg := failure(t, tc.fn)
			if !strings.Contains(msg, tc.server+" is not reachable at") || !strings.Contains(msg, tc.hint) {
				t.Fatalf("the failure should name %s and how to start it, got:\n%s", tc.server, msg)
			}
			if strings.Contains(msg, ":pw@") || strings.Contains(msg, "guest:guest") {
				t.Fatalf("the failure shows a password:\n%s", msg)
			}
		})
	}
}
