package httpx

import (
	"encoding/base64"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/bifrost-automation/bifrost/platform/errs"
)

// Page is a page of a list, newest or alphabetically first; pass NextCursor
// back as ?cursor= for the next one.
type Page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor" doc:"The cursor of the next page; null on the last page."`
}

// PageQuery is the paging part of a list request.
type PageQuery struct {
	Cursor string `query:"cursor" doc:"next_cursor from the previous page."`
	Limit  int    `query:"limit" validate:"omitempty,gte=1,lte=200" doc:"Items per page (default 50, at most 200)."`
}

// Size returns the page size asked for, or the default.
func (q PageQuery) Size() int {
	if q.Limit <= 0 {
		return 50
	}
	return q.Limit
}

// EncodeCursor packs the sort key of the last item into an opaque cursor.
func EncodeCursor(key ...string) string {
	b, _ := json.Marshal(key)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor unpacks a cursor made by EncodeCursor with n parts.
func DecodeCursor(cursor string, n int) ([]string, error) {
	bad := errs.Malformed("request.invalid_cursor", "The cursor is not one this list returned.")
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return nil, bad
	}
	var key []string
	if err := json.Unmarshal(b, &key); err != nil || len(key) != n {
		return nil, bad
	}
	return key, nil
}

// DecodeKeyCursor unpacks the common cursor of lists ordered by a sort key
// and then an id: EncodeCursor(key, id.String()).
func DecodeKeyCursor(cursor string) (string, uuid.UUID, error) {
	key, err := DecodeCursor(cursor, 2)
	if err != nil {
		return "", uuid.Nil, err
	}
	id, err := uuid.Parse(key[1])
	if err != nil {
		return "", uuid.Nil, errs.Malformed("request.invalid_cursor", "The cursor is not one this list returned.")
	}
	return key[0], id, nil
}

// NewPage builds a page from up to limit+1 rows: the extra row only tells
// that a next page exists.
func NewPage[T any](items []T, limit int, cursorOf func(T) string) *Page[T] {
	p := &Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(items) > limit {
		p.Items = items[:limit]
		c := cursorOf(p.Items[limit-1])
		p.NextCursor = &c
	}
	return p
}
