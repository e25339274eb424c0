// Package bus is Bifrost's messaging on RabbitMQ through Watermill: the
// topology (exchanges, queues, dead-lettering), a publisher with confirms
// that survives broker restarts, and a router whose handlers retry, send
// poison messages to their dead-letter queue and drain on shutdown. It holds
// no domain logic: modules own their message types and handlers.
package bus

import (
	"errors"
	"fmt"
	"strings"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Queue names. A topic is the name of the queue its messages land in.
const (
	TopicWorkflowExecutions = "workflow.executions"
	TopicGitSync            = "git.sync"
	TopicPackagesInstall    = "packages.install"
)

// DeadSuffix ends the name of every dead-letter queue.
const DeadSuffix = ".dead"

// Exchange names before the prefix.
const (
	exchangeDirect     = "bifrost.direct"
	exchangeDeadLetter = "bifrost.dlx"
)

// QueueSpec describes one work queue and its dead-letter queue.
type QueueSpec struct {
	// Name is the queue and the topic.
	Name string
	// RoutingKey binds the queue to the direct exchange.
	RoutingKey string
	// MessageTTL drops (dead-letters) messages that wait longer; 0 keeps them.
	MessageTTL time.Duration
}

// Queues is the topology of the seed plan.
var Queues = []QueueSpec{
	{Name: TopicWorkflowExecutions, RoutingKey: "workflow.execute", MessageTTL: time.Hour},
	{Name: TopicGitSync, RoutingKey: "git.sync"},
	{Name: TopicPackagesInstall, RoutingKey: "packages.install"},
}

// Topology names every exchange and queue of one installation. Prefix lets
// several installations, or parallel tests, share a broker.
type Topology struct {
	Prefix string
}

// DirectExchange is where work is published.
func (t Topology) DirectExchange() string { return t.Prefix + exchangeDirect }

// DeadLetterExchange is where rejected and expired messages go.
func (t Topology) DeadLetterExchange() string { return t.Prefix + exchangeDeadLetter }

// QueueName returns the broker's name for a topic's queue.
func (t Topology) QueueName(topic string) string { return t.Prefix + topic }

// DeadTopic returns the dead-letter topic of a work topic.
func DeadTopic(topic string) string { return topic + DeadSuffix }

// IsDeadTopic reports whether topic is a dead-letter topic.
func IsDeadTopic(topic string) bool { return strings.HasSuffix(topic, DeadSuffix) }

// Spec returns the queue of a work or dead-letter topic.
func (t Topology) Spec(topic string) (QueueSpec, bool) {
	name := strings.TrimSuffix(topic, DeadSuffix)
	for _, q := range Queues {
		if q.Name == name {
			return q, true
		}
	}
	return QueueSpec{}, false
}

// ExchangeFor returns the exchange a topic is published to.
func (t Topology) ExchangeFor(topic string) string {
	if IsDeadTopic(topic) {
		return t.DeadLetterExchange()
	}
	return t.DirectExchange()
}

// RoutingKeyFor returns the routing key a topic is published with.
func (t Topology) RoutingKeyFor(topic string) string {
	if IsDeadTopic(topic) {
		return topic
	}
	if q, ok := t.Spec(topic); ok {
		return q.RoutingKey
	}
	return topic
}

// QueueArgs returns the arguments a work queue is declared with.
func (t Topology) QueueArgs(q QueueSpec) amqp.Table {
	args := amqp.Table{
		"x-dead-letter-exchange":    t.DeadLetterExchange(),
		"x-dead-letter-routing-key": DeadTopic(q.Name),
	}
	if q.MessageTTL > 0 {
		args["x-message-ttl"] = int64(q.MessageTTL / time.Millisecond)
	}
	return args
}

// QueueArgsFor returns the declared arguments of a work or dead-letter
// topic's queue (nil for dead-letter queues).
func (t Topology) QueueArgsFor(topic string) amqp.Table {
	if IsDeadTopic(topic) {
		return nil
	}
	if q, ok := t.Spec(topic); ok {
		return t.QueueArgs(q)
	}
	return nil
}

// Declare creates the exchanges, queues and bindings; it is idempotent.
// Everything is declared up front because a message published to an
// exchange with no bound queue is silently dropped.
func (t Topology) Declare(ch *amqp.Channel) error {
	for _, ex := range []string{t.DirectExchange(), t.DeadLetterExchange()} {
		if err := ch.ExchangeDeclare(ex, amqp.ExchangeDirect, true, false, false, false, nil); err != nil {
			return fmt.Errorf("bus: declare exchange %s: %w", ex, explain(err))
		}
	}
	for _, q := range Queues {
		name := t.QueueName(q.Name)
		if _, err := ch.QueueDeclare(name, true, false, false, false, t.QueueArgs(q)); err != nil {
			return fmt.Errorf("bus: declare queue %s: %w", name, explain(err))
		}
		if err := ch.QueueBind(name, q.RoutingKey, t.DirectExchange(), false, nil); err != nil {
			return fmt.Errorf("bus: bind queue %s: %w", name, explain(err))
		}
		dead := t.QueueName(DeadTopic(q.Name))
		if _, err := ch.QueueDeclare(dead, true, false, false, false, nil); err != nil {
			return fmt.Errorf("bus: declare queue %s: %w", dead, explain(err))
		}
		if err := ch.QueueBind(dead, DeadTopic(q.Name), t.DeadLetterExchange(), false, nil); err != nil {
			return fmt.Errorf("bus: bind queue %s: %w", dead, explain(err))
		}
	}
	return nil
}

// Delete removes every queue and exchange of the topology. Tests use it to
// leave the broker as they found it.
func (t Topology) Delete(ch *amqp.Channel) error {
	var errs []error
	for _, q := range Queues {
		for _, name := range []string{t.QueueName(q.Name), t.QueueName(DeadTopic(q.Name))} {
			if _, err := ch.QueueDelete(name, false, false, false); err != nil {
				errs = append(errs, fmt.Errorf("delete queue %s: %w", name, err))
			}
		}
	}
	for _, ex := range []string{t.DirectExchange(), t.DeadLetterExchange()} {
		if err := ch.ExchangeDelete(ex, false, false); err != nil {
			errs = append(errs, fmt.Errorf("delete exchange %s: %w", ex, err))
		}
	}
	return errors.Join(errs...)
}

// explain adds advice to the broker errors an operator can act on.
func explain(err error) error {
	var ae *amqp.Error
	if errors.As(err, &ae) && ae.Code == amqp.PreconditionFailed {
		return fmt.Errorf("%w (it exists with other settings: delete it in the RabbitMQ management UI or with rabbitmqctl delete_queue, then restart)", err)
	}
	return err
}
