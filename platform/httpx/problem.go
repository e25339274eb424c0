package httpx

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v5"

	"github.com/bifrost-automation/bifrost/platform/errs"
)

// ProblemContentType is the media type of every error response (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem is the body of every error response.
type Problem struct {
	Type      string            `json:"type" doc:"A URI reference for the problem type; about:blank when the code says it all."`
	Title     string            `json:"title" doc:"The HTTP status text."`
	Status    int               `json:"status" doc:"The HTTP status code."`
	Detail    string            `json:"detail" doc:"What went wrong, safe to show to a user."`
	Instance  string            `json:"instance,omitempty" doc:"The request path."`
	Code      string            `json:"code" doc:"A stable, namespaced error code to match on, such as forms.not_found."`
	RequestID string            `json:"request_id,omitempty" doc:"The request id, also in the X-Request-Id header; quote it when reporting a problem."`
	Errors    []errs.FieldError `json:"errors,omitempty" doc:"The invalid fields, for validation errors."`
}

// toError turns anything a handler or middleware returned into an *errs.Error.
func toError(c *echo.Context, err error) *errs.Error {
	if e, ok := errs.As(err); ok {
		return e
	}
	var he *echo.HTTPError
	status := 0
	if errors.As(err, &he) {
		status = he.Code
	} else if sc := echo.StatusCode(err); sc != 0 {
		status = sc
	}
	req := c.Request()
	switch status {
	case 0:
		return errs.Internal(err)
	case http.StatusNotFound:
		return errs.Newf(errs.KindNotFound, "route.not_found", "No route matches %s %s.", req.Method, req.URL.Path).WithCause(err)
	case http.StatusMethodNotAllowed:
		return errs.Newf(errs.KindMethodNotAllowed, "route.method_not_allowed", "%s is not allowed on %s.", req.Method, req.URL.Path).WithCause(err)
	case http.StatusRequestEntityTooLarge:
		return errs.New(errs.KindTooLarge, "request.too_large", "The request body is larger than the server accepts.").WithCause(err)
	case http.StatusUnsupportedMediaType:
		return errs.New(errs.KindUnsupportedMedia, "request.unsupported_media_type", "The request body must be JSON (Content-Type: application/json).").WithCause(err)
	case http.StatusBadRequest:
		return errs.New(errs.KindMalformed, "request.malformed", "The request could not be read.").WithCause(err)
	case http.StatusUnauthorized:
		return errs.New(errs.KindUnauthenticated, "auth.unauthenticated", "Authentication is required.").WithCause(err)
	case http.StatusForbidden:
		return errs.New(errs.KindForbidden, "auth.forbidden", "You are not allowed to do this.").WithCause(err)
	case http.StatusTooManyRequests:
		return errs.New(errs.KindRateLimited, "request.rate_limited", "Too many requests; slow down.").WithCause(err)
	case http.StatusServiceUnavailable:
		return errs.New(errs.KindUnavailable, "service.unavailable", "The service is temporarily unavailable.").WithCause(err)
	}
	if status >= 500 {
		return errs.Internal(err)
	}
	return errs.New(errs.KindMalformed, "request.invalid", http.StatusText(status)).WithCause(err)
}

// errorHandler writes every error as application/problem+json. Internal
// errors are logged with their cause and shown only as a generic message.
func errorHandler(logger *slog.Logger) echo.HTTPErrorHandler {
	return func(c *echo.Context, err error) {
		req := c.Request()
		if errors.Is(err, context.Canceled) && req.Context().Err() != nil {
			// The client went away; there is nobody to answer.
			return
		}
		if r, _ := echo.UnwrapResponse(c.Response()); r != nil && r.Committed {
			logger.Warn("error after the response was sent", "request_id", RequestID(c), "path", req.URL.Path, "error", err)
			return
		}
		e := toError(c, err)
		status := e.StatusCode()
		attrs := []any{"request_id", RequestID(c), "method", req.Method, "path", req.URL.Path, "status", status, "code", e.Code}
		switch {
		case status >= 500:
			logger.Error("request failed", append(attrs, "error", err)...)
		case e.Cause != nil:
			logger.Debug("request rejected", append(attrs, "error", err)...)
		}

		p := Problem{
			Type:      "about:blank",
			Title:     http.StatusText(status),
			Status:    status,
			Detail:    e.Message,
			Instance:  req.URL.Path,
			Code:      e.Code,
			RequestID: RequestID(c),
			Errors:    e.Fields,
		}
		h := c.Response().Header()
		if e.RetryAfter > 0 {
			secs := int(e.RetryAfter.Seconds() + 0.999)
			h.Set("Retry-After", strconv.Itoa(secs))
		}
		h.Set("Cache-Control", "no-store")
		if req.Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		h.Set(echo.HeaderContentType, ProblemContentType)
		if werr := c.JSON(status, p); werr != nil {
			logger.Debug("could not send error response", "request_id", RequestID(c), "error", werr)
		}
	}
}
