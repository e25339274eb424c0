package bus

import (
	"encoding/json"
	"fmt"
	"time"

	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	amqp "github.com/rabbitmq/amqp091-go"
)

// marshaler is Watermill's default AMQP marshaler with two fixes: messages
// are JSON with an id and a timestamp, and headers that are not strings
// (x-death on dead-lettered messages, x-delivery-count on redeliveries, or
// anything another publisher set) become strings instead of making the
// message impossible to receive, which would redeliver it forever.
type marshaler struct{}

var base = wamqp.DefaultMarshaler{}

func (marshaler) Marshal(msg *message.Message) (amqp.Publishing, error) {
	p, err := base.Marshal(msg)
	if err != nil {
		return p, err
	}
	p.ContentType = "application/json"
	p.MessageId = msg.UUID
	p.Timestamp = time.Now().UTC()
	return p, nil
}

func (marshaler) Unmarshal(d amqp.Delivery) (*message.Message, error) {
	if len(d.Headers) > 0 {
		h := make(amqp.Table, len(d.Headers))
		for k, v := range d.Headers {
			h[k] = headerString(v)
		}
		d.Headers = h
	}
	if _, ok := d.Headers[wamqp.DefaultMessageUUIDHeaderKey]; !ok && d.MessageId != "" {
		if d.Headers == nil {
			d.Headers = amqp.Table{}
		}
		d.Headers[wamqp.DefaultMessageUUIDHeaderKey] = d.MessageId
	}
	return base.Unmarshal(d)
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
