package bus_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/bifrost-automation/bifrost/platform/bus"
	"github.com/bifrost-automation/bifrost/platform/testenv"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func options(b *testenv.Broker, name string) bus.Options {
	return bus.Options{
		URL:             b.URL,
		Prefix:          b.Prefix,
		MaxRetries:      2,
		RetryInterval:   10 * time.Millisecond,
		RetryMaxBackoff: 50 * time.Millisecond,
		DrainTimeout:    5 * time.Second,
		PublishTimeout:  15 * time.Second,
		Name:            name,
		Logger:          quiet,
	}
}

func publisher(t *testing.T, opts bus.Options) *bus.Publisher {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := bus.NewPublisher(ctx, opts)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	return p
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// get takes one message off a queue without a consumer.
func get(t *testing.T, ch *amqp.Channel, queue string) (amqp.Delivery, bool) {
	t.Helper()
	d, ok, err := ch.Get(queue, true)
	require.NoError(t, err)
	return d, ok
}

func TestTopologyIsDeclaredWithTheSeedPlanArguments(t *testing.T) {
	t.Parallel()
	b := testenv.NewBroker(t)
	publisher(t, options(b, "topology-"+b.Prefix))
	topo := b.Topology()
	ch := b.Channel(t)

	// Redeclaring with the same arguments succeeds only if they match.
	for _, q := range bus.Queues {
		args := amqp.Table{
			"x-dead-letter-exchange":    b.Prefix + "bifrost.dlx",
			"x-dead-letter-routing-key": q.Name + ".dead",
		}
		if q.MessageTTL > 0 {
			args["x-message-ttl"] = ttl(q)
		}
		_, err := ch.QueueDeclare(topo.QueueName(q.Name), true, false, false, false, args)
		require.NoError(t, err, q.Name)
		_, err = ch.QueueDeclarePassive(topo.QueueName(q.Name+".dead"), true, false, false, false, nil)
		require.NoError(t, err, q.Name+".dead")
	}
	require.Equal(t, int64(3600000), ttl(bus.Queues[0]), "workflow.executions keeps messages one hour")

	// A different TTL is refused: the queue really has the one above.
	bad := b.Channel(t)
	_, err := bad.QueueDeclare(topo.QueueName("workflow.executions"), true, false, false, false, amqp.Table{
		"x-dead-letter-exchange":    b.Prefix + "bifrost.dlx",
		"x-dead-letter-routing-key": "workflow.executions.dead",
		"x-message-ttl":             int64(1000),
	})
	var ae *amqp.Error
	require.ErrorAs(t, err, &ae)
	require.Equal(t, amqp.PreconditionFailed, ae.Code)

	// Bindings: each routing key of the seed plan reaches its queue.
	for key, queue := range map[string]string{"workflow.execute": "workflow.executions", "git.sync": "git.sync", "packages.install": "packages.install"} {
		require.NoError(t, ch.PublishWithContext(context.Background(), b.Prefix+"bifrost.direct", key, true, false, amqp.Publishing{Body: []byte("{}")}))
		eventually(t, queue+" receives "+key, func() bool { return b.QueueDepth(t, queue) == 1 })
	}

	// Dead-lettering: a message that expires in workflow.executions moves
	// to workflow.executions.dead through bifrost.dlx. (RabbitMQ expires
	// messages at the head of the queue, so empty it first.)
	_, err = ch.QueuePurge(topo.QueueName("workflow.executions"), false)
	require.NoError(t, err)
	require.NoError(t, ch.PublishWithContext(context.Background(), b.Prefix+"bifrost.direct", "workflow.execute", true, false,
		amqp.Publishing{Body: []byte(`{"expired":true}`), Expiration: "1"}))
	eventually(t, "the expired message in the dead queue", func() bool { return b.QueueDepth(t, "workflow.executions.dead") == 1 })
}

func ttl(q bus.QueueSpec) int64 { return int64(q.MessageTTL / time.Millisecond) }

func TestFailingMessageEndsInItsDeadQueueAndNothingElseDoes(t *testing.T) {
	t.Parallel()
	b := testenv.NewBroker(t)
	opts := options(b, "dead-"+b.Prefix)
	pub := publisher(t, opts)
	r, err := bus.NewRouter(context.Background(), opts, pub)
	require.NoError(t, err)

	var attempts, good atomic.Int32
	var buried sync.Map
	require.NoError(t, r.Add(bus.Handler{
		Name: "executions", Topic: bus.TopicWorkflowExecutions, Concurrency: 2,
		Func: func(ctx context.Context, msg *message.Message) error {
			switch string(msg.Payload) {
			case `{"kind":"bad"}`:
				attempts.Add(1)
				return errors.New("this message can never succeed")
			case `{"kind":"panic"}`:
				panic("handler bug")
			case `{"kind":"permanent"}`:
				return bus.Permanent(errors.New("malformed"))
			}
			good.Add(1)
			return nil
		},
		OnDeadLetter: func(_ context.Context, topic string, msg *message.Message, reason error) {
			buried.Store(string(msg.Payload), reason.Error())
		},
	}))
	ctx := context.Background()
	require.NoError(t, r.Run(ctx))
	t.Cleanup(func() { require.NoError(t, r.Shutdown(ctx)) })

	for _, p := range []string{`{"kind":"bad"}`, `{"kind":"panic"}`, `{"kind":"permanent"}`} {
		require.NoError(t, pub.Publish(ctx, bus.TopicWorkflowExecutions, []byte(p), map[string]string{"execution_id": "x"}))
	}
	for i := 0; i < 5; i++ {
		require.NoError(t, pub.Publish(ctx, bus.TopicWorkflowExecutions, []byte(fmt.Sprintf(`{"kind":"good","n":%d}`, i)), nil))
	}

	eventually(t, "three dead letters", func() bool { return b.QueueDepth(t, "workflow.executions.dead") == 3 })
	eventually(t, "good messages handled", func() bool { return good.Load() == 5 })
	require.Equal(t, int32(3), attempts.Load(), "a failing message is tried once and retried max_retries (2) times")
	eventually(t, "the work queue drained", func() bool { return b.QueueDepth(t, bus.TopicWorkflowExecutions) == 0 })

	ch := b.Channel(t)
	seen := map[string]amqp.Table{}
	for {
		d, ok := get(t, ch, b.Topology().QueueName("workflow.executions.dead"))
		if !ok {
			break
		}
		seen[string(d.Body)] = d.Headers
	}
	require.Len(t, seen, 3, "only the three failing messages are dead, each once")
	require.Contains(t, seen[`{"kind":"bad"}`]["reason_poisoned"], "this message can never succeed")
	require.Contains(t, seen[`{"kind":"panic"}`]["reason_poisoned"], "handler panicked")
	require.Equal(t, "x", seen[`{"kind":"bad"}`]["execution_id"], "the message keeps its metadata")
	for _, q := range []string{"git.sync.dead", "packages.install.dead"} {
		require.Zero(t, b.QueueDepth(t, q))
	}
	reason, ok := buried.Load(`{"kind":"bad"}`)
	require.True(t, ok, "the owner hears about each dead letter")
	require.Contains(t, reason, "never succeed")
}

func TestShutdownLeavesHealthyMessagesInTheirQueue(t *testing.T) {
	t.Parallel()
	b := testenv.NewBroker(t)
	opts := options(b, "drain-"+b.Prefix)
	pub := publisher(t, opts)
	r, err := bus.NewRouter(context.Background(), opts, pub)
	require.NoError(t, err)

	started := make(chan struct{}, 100)
	var done atomic.Int32
	require.NoError(t, r.Add(bus.Handler{
		Name: "git", Topic: bus.TopicGitSync,
		Func: func(ctx context.Context, msg *message.Message) error {
			started <- struct{}{}
			time.Sleep(300 * time.Millisecond) // work that ignores shutdown
			done.Add(1)
			return nil
		},
	}))
	ctx := context.Background()
	const n = 10
	for i := 0; i < n; i++ {
		require.NoError(t, pub.Publish(ctx, bus.TopicGitSync, []byte(fmt.Sprintf(`{"job_id":"%d"}`, i)), nil))
	}
	require.NoError(t, r.Run(ctx))
	<-started
	require.NoError(t, r.Shutdown(ctx))

	finished := int(done.Load())
	require.GreaterOrEqual(t, finished, 1, "the message being handled at shutdown was finished, not dropped")
	require.Equal(t, n-finished, b.QueueDepth(t, bus.TopicGitSync), "every unfinished message is back in its queue")
	require.Zero(t, b.QueueDepth(t, "git.sync.dead"), "shutdown sends nothing to the dead-letter queue")
}

func TestShutdownAfterDrainTimeoutRequeuesInterruptedWork(t *testing.T) {
	t.Parallel()
	b := testenv.NewBroker(t)
	opts := options(b, "interrupt-"+b.Prefix)
	opts.DrainTimeout = 200 * time.Millisecond
	pub := publisher(t, opts)
	r, err := bus.NewRouter(context.Background(), opts, pub)
	require.NoError(t, err)

	started := make(chan struct{}, 10)
	require.NoError(t, r.Add(bus.Handler{
		Name: "packages", Topic: bus.TopicPackagesInstall,
		Func: func(ctx context.Context, msg *message.Message) error {
			started <- struct{}{}
			<-ctx.Done() // a long install, stopped by shutdown
			return fmt.Errorf("install interrupted: %w", ctx.Err())
		},
	}))
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		require.NoError(t, pub.Publish(ctx, bus.TopicPackagesInstall, []byte(`{"package_name":"requests"}`), nil))
	}
	require.NoError(t, r.Run(ctx))
	<-started
	require.NoError(t, r.Shutdown(ctx))
	eventually(t, "all three messages back in the queue", func() bool { return b.QueueDepth(t, bus.TopicPackagesInstall) == 3 })
	require.Zero(t, b.QueueDepth(t, "packages.install.dead"))
}

func TestPublishingWorksAgainAfterTheBrokerClosesTheConnection(t *testing.T) {
	t.Parallel()
	b := testenv.NewBroker(t)
	name := "reconnect-" + b.Prefix
	opts := options(b, name)
	pub := publisher(t, opts)
	r, err := bus.NewRouter(context.Background(), opts, pub)
	require.NoError(t, err)
	var got sync.Map
	require.NoError(t, r.Add(bus.Handler{
		Name: "exec", Topic: bus.TopicWorkflowExecutions,
		Func: func(ctx context.Context, msg *message.Message) error {
			got.Store(string(msg.Payload), true)
			return nil
		},
	}))
	ctx := context.Background()
	require.NoError(t, r.Run(ctx))
	t.Cleanup(func() { require.NoError(t, r.Shutdown(ctx)) })

	require.NoError(t, pub.Publish(ctx, bus.TopicWorkflowExecutions, []byte(`"before"`), nil))
	eventually(t, "the first message", func() bool { _, ok := got.Load(`"before"`); return ok })

	closed := b.CloseConnections(t, name)
	require.Equal(t, 2, closed, "the publisher's and the consumer's connections")

	pctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	require.NoError(t, pub.Publish(pctx, bus.TopicWorkflowExecutions, []byte(`"after"`), nil))
	eventually(t, "the message published after the reconnection is consumed", func() bool { _, ok := got.Load(`"after"`); return ok })

	pingCtx, cancel2 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel2()
	require.NoError(t, pub.Ping(pingCtx))
}

func TestNonStringHeadersReachTheHandler(t *testing.T) {
	t.Parallel()
	b := testenv.NewBroker(t)
	opts := options(b, "headers-"+b.Prefix)
	pub := publisher(t, opts)
	r, err := bus.NewRouter(context.Background(), opts, pub)
	require.NoError(t, err)
	got := make(chan *message.Message, 1)
	require.NoError(t, r.Add(bus.Handler{
		Name: "exec", Topic: bus.TopicWorkflowExecutions,
		Func: func(ctx context.Context, msg *message.Message) error { got <- msg; return nil },
	}))
	ctx := context.Background()
	require.NoError(t, r.Run(ctx))
	t.Cleanup(func() { require.NoError(t, r.Shutdown(ctx)) })

	// Another publisher (or the broker, with x-death) sets typed headers.
	ch := b.Channel(t)
	require.NoError(t, ch.PublishWithContext(ctx, b.Prefix+"bifrost.direct", "workflow.execute", true, false, amqp.Publishing{
		Body:    []byte(`{"execution_id":"e1"}`),
		Headers: amqp.Table{"attempt": int32(3), "x-death": []any{amqp.Table{"count": int64(1), "queue": "q"}}},
	}))
	select {
	case m := <-got:
		require.Equal(t, "3", m.Metadata.Get("attempt"))
		require.True(t, strings.Contains(m.Metadata.Get("x-death"), `"count":1`), m.Metadata.Get("x-death"))
	case <-time.After(10 * time.Second):
		t.Fatal("a message with typed headers never reached the handler")
	}
}
