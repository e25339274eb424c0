package testenv

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/bifrost-automation/bifrost/platform/bus"
)

// Broker is a test's own namespace on the RabbitMQ server: every exchange
// and queue name starts with Prefix.
type Broker struct {
	URL    string
	Prefix string
}

// Topology returns the test's exchange and queue names.
func (b *Broker) Topology() bus.Topology { return bus.Topology{Prefix: b.Prefix} }

// NewBroker checks RabbitMQ answers, picks a prefix, and deletes the test's
// exchanges and queues when it ends.
func NewBroker(t testing.TB) *Broker {
	t.Helper()
	url := RabbitMQURL()
	conn, err := amqp.DialConfig(url, amqp.Config{Dial: amqp.DefaultDial(5 * time.Second)})
	if err != nil {
		unreachable(t, "RabbitMQ", url, err)
	}
	conn.Close()
	b := &Broker{URL: url, Prefix: "test." + uniqueName(t) + "."}
	t.Cleanup(func() {
		conn, err := amqp.DialConfig(url, amqp.Config{Dial: amqp.DefaultDial(5 * time.Second)})
		if err != nil {
			t.Errorf("testenv: clean up RabbitMQ: %v", err)
			return
		}
		defer conn.Close()
		ch, err := conn.Channel()
		if err != nil {
			t.Errorf("testenv: clean up RabbitMQ: %v", err)
			return
		}
		defer ch.Close()
		if err := b.Topology().Delete(ch); err != nil {
			t.Errorf("testenv: clean up RabbitMQ: %v", err)
		}
	})
	return b
}

// Channel opens a plain AMQP channel for assertions (queue depths,
// declared arguments); it is closed when the test ends.
func (b *Broker) Channel(t testing.TB) *amqp.Channel {
	t.Helper()
	conn, err := amqp.DialConfig(b.URL, amqp.Config{Dial: amqp.DefaultDial(5 * time.Second)})
	if err != nil {
		unreachable(t, "RabbitMQ", b.URL, err)
	}
	t.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// QueueDepth returns how many ready messages a topic's queue holds.
func (b *Broker) QueueDepth(t testing.TB, topic string) int {
	t.Helper()
	ch := b.Channel(t)
	defer ch.Close()
	q, err := ch.QueueDeclarePassive(b.Topology().QueueName(topic), true, false, false, false, b.Topology().QueueArgsFor(topic))
	if err != nil {
		t.Fatalf("testenv: inspect queue %s: %v", topic, err)
	}
	return q.Messages
}

// CloseConnections makes the broker close every connection whose
// client-provided name contains nameContains, as a broker restart or a
// network cut would. It returns how many it closed.
func (b *Broker) CloseConnections(t testing.TB, nameContains string) int {
	t.Helper()
	out, err := exec.Command("rabbitmqctl", "-q", "list_connections", "pid", "client_properties").Output()
	if err != nil {
		t.Fatalf("testenv: rabbitmqctl list_connections: %v (rabbitmqctl must be on PATH and allowed to reach the node)", err)
	}
	closed := 0
	for _, line := range strings.Split(string(out), "\n") {
		pid, props, ok := strings.Cut(line, "\t")
		if !ok || !strings.Contains(props, nameContains) {
			continue
		}
		if out, err := exec.Command("rabbitmqctl", "-q", "close_connection", strings.TrimSpace(pid), "closed by test").CombinedOutput(); err != nil {
			t.Fatalf("testenv: rabbitmqctl close_connection %s: %v\n%s", pid, err, out)
		}
		closed++
	}
	return closed
}
