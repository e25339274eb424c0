package bus

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	amqp "github.com/rabbitmq/amqp091-go"
)

// Metadata keys the bus sets on received messages.
const (
	// MetadataRedelivered is "true" when the broker delivered the message
	// before (a worker died or shut down while holding it).
	MetadataRedelivered = "bus_redelivered"
)

// marshal turns a Watermill message into a persistent JSON publishing; its
// metadata become headers and its UUID the message id.
func marshal(msg *message.Message) amqp.Publishing {
	headers := make(amqp.Table, len(msg.Metadata))
	for k, v := range msg.Metadata {
		headers[k] = v
	}
	return amqp.Publishing{
		Headers:      headers,
		ContentType:  "application/json",
		DeliveryMode: amqp.Persistent,
		MessageId:    msg.UUID,
		Timestamp:    time.Now().UTC(),
		Body:         msg.Payload,
	}
}

// unmarshal turns a delivery into a Watermill message. Headers that are not
// strings (x-death on dead-lettered messages, x-delivery-count, or anything
// another publisher set) become strings rather than making the message
// impossible to receive.
func unmarshal(d amqp.Delivery) *message.Message {
	msg := message.NewMessage(d.MessageId, d.Body)
	msg.Metadata = make(message.Metadata, len(d.Headers)+1)
	for k, v := range d.Headers {
		msg.Metadata[k] = headerString(v)
	}
	if d.Redelivered {
		msg.Metadata[MetadataRedelivered] = "true"
	}
	return msg
}

func headerString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case nil:
		return ""
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case int, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64, bool:
		return fmt.Sprint(x)
	}
	b, err := json.Marshal(normalize(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// normalize turns amqp.Table values into plain maps so they marshal as JSON.
func normalize(v any) any {
	switch x := v.(type) {
	case amqp.Table:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = normalize(e)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case []byte:
		return string(x)
	default:
		return x
	}
}
