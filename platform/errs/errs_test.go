package errs

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestKindsMapToStatuses(t *testing.T) {
	for kind, status := range map[Kind]int{
		KindInternal: 500, KindMalformed: 400, KindInvalid: 422, KindUnauthenticated: 401,
		KindForbidden: 403, KindNotFound: 404, KindMethodNotAllowed: 405, KindConflict: 409,
		KindTooLarge: 413, KindUnsupportedMedia: 415, KindRateLimited: 429, KindUnavailable: 503, KindBadGateway: 502,
	} {
		if got := kind.Status(); got != status {
			t.Errorf("kind %d: status %d, want %d", kind, got, status)
		}
	}
}

func TestSentinelsMatchThroughWrapping(t *testing.T) {
	notFound := NotFound("forms.not_found", "Form not found.")
	err := fmt.Errorf("forms service: %w", notFound.WithCause(errors.New("sql: no rows")))
	if !errors.Is(err, notFound) {
		t.Fatal("a wrapped copy with a cause still matches its sentinel")
	}
	if errors.Is(err, NotFound("orgs.not_found", "x")) {
		t.Fatal("another code does not match")
	}
	if !IsNotFound(err) || KindOf(err) != KindNotFound {
		t.Fatal("the kind is found through wrapping")
	}
	if KindOf(errors.New("plain")) != KindInternal {
		t.Fatal("an unknown error is internal")
	}
	if e, _ := As(err); e.StatusCode() != http.StatusNotFound || notFound.Cause != nil {
		t.Fatal("WithCause copies; the sentinel is unchanged")
	}
	inv := Invalid("request.invalid", "bad").WithFields(FieldError{Field: "name", Code: "required", Message: "is required"})
	if len(inv.Fields) != 1 || inv.Kind != KindInvalid {
		t.Fatal("fields are attached")
	}
}
