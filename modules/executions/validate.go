package executions

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/bifrost-automation/bifrost/modules/workflows"
	"github.com/bifrost-automation/bifrost/platform/errs"
)

// The same rules the SDK applies before a workflow's code runs
// (bifrost/_coerce.py), so a bad input is refused at submission, before an
// execution exists.

var (
	emailRe    = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	intRe      = regexp.MustCompile(`^[+-]?\d+(\.0*)?$`)
	trueWords  = map[string]bool{"true": true, "1": true, "yes": true, "on": true, "y": true, "t": true}
	falseWords = map[string]bool{"false": true, "0": true, "no": true, "off": true, "n": true, "f": true, "": true}
)

// validateInputs checks inputs against a definition's parameters and
// returns a 422 naming every bad field.
func validateInputs(def *workflows.Definition, inputs map[string]any) error {
	var fields []errs.FieldError
	for _, p := range def.Parameters {
		v, present := inputs[p.Name]
		if s, ok := v.(string); present && (v == nil || (ok && s == "" && p.Type != "string")) {
			present = false
		}
		if !present {
			if p.Required {
				fields = append(fields, errs.FieldError{Field: "input_data." + p.Name, Code: "required", Message: "is required"})
			}
			continue
		}
		coerced, msg := coerce(p.Type, v)
		if msg == "" {
			msg = checkRules(p, coerced)
		}
		if msg != "" {
			fields = append(fields, errs.FieldError{Field: "input_data." + p.Name, Code: "invalid", Message: msg})
		}
	}
	if len(fields) > 0 {
		return errs.Invalid("executions.invalid_input", "The inputs do not fit the workflow's parameters.", fields...)
	}
	return nil
}

func coerce(typ string, v any) (any, string) {
	if n, ok := v.(json.Number); ok {
		f, err := n.Float64()
		if err != nil {
			return nil, "must be a number"
		}
		v = f
	}
	switch typ {
	case "string":
		switch x := v.(type) {
		case map[string]any, []any:
			return nil, "must be text"
		case string:
			return x, ""
		default:
			return fmt.Sprint(x), ""
		}
	case "email":
		s, _ := v.(string)
		s = strings.TrimSpace(s)
		if !emailRe.MatchString(s) {
			return nil, "must be an email address"
		}
		return s, ""
	case "int":
		switch x := v.(type) {
		case bool:
		case float64:
			if x == math.Trunc(x) && !math.IsInf(x, 0) {
				return x, ""
			}
		case json.Number:
			if f, err := x.Float64(); err == nil && f == math.Trunc(f) {
				return f, ""
			}
		case string:
			s := strings.TrimSpace(x)
			if intRe.MatchString(s) {
				f, _ := strconv.ParseFloat(s, 64)
				return f, ""
			}
		}
		return nil, "must be a whole number"
	case "float":
		switch x := v.(type) {
		case bool:
		case float64:
			return x, ""
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
				return f, ""
			}
		}
		return nil, "must be a number"
	case "bool":
		switch x := v.(type) {
		case bool:
			return x, ""
		case float64:
			if x == 0 || x == 1 {
				return x == 1, ""
			}
		case string:
			s := strings.ToLower(strings.TrimSpace(x))
			if trueWords[s] {
				return true, ""
			}
			if falseWords[s] {
				return false, ""
			}
		}
		return nil, "must be true or false"
	case "list":
		switch x := v.(type) {
		case []any:
			return x, ""
		case string:
			s := strings.TrimSpace(x)
			if strings.HasPrefix(s, "[") {
				var out []any
				if json.Unmarshal([]byte(s), &out) != nil {
					return nil, "must be a list (a JSON array or comma-separated values)"
				}
				return out, ""
			}
			var out []any
			for _, part := range strings.Split(s, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
			return out, ""
		}
		return nil, "must be a list"
	case "json":
		if s, ok := v.(string); ok {
			t := strings.TrimSpace(s)
			if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
				var out any
				if json.Unmarshal([]byte(t), &out) != nil {
					return nil, "must be valid JSON"
				}
				return out, ""
			}
		}
		return v, ""
	}
	return v, ""
}

func checkRules(p workflows.Parameter, v any) string {
	message, _ := p.Validation["message"].(string)
	if len(p.Options) > 0 {
		found := false
		for _, o := range p.Options {
			if fmt.Sprint(o) == fmt.Sprint(v) {
				found = true
				break
			}
		}
		if !found {
			if message != "" {
				return message
			}
			opts := make([]string, len(p.Options))
			for i, o := range p.Options {
				opts[i] = fmt.Sprint(o)
			}
			return "must be one of: " + strings.Join(opts, ", ")
		}
	}
	if pattern, _ := p.Validation["pattern"].(string); pattern != "" {
		if s, ok := v.(string); ok {
			re, err := regexp.Compile(`^(?:` + pattern + `)$`)
			if err == nil && !re.MatchString(s) {
				if message != "" {
					return message
				}
				return "must match " + pattern
			}
		}
	}
	lo, hasLo := number(p.Validation["min"])
	hi, hasHi := number(p.Validation["max"])
	if !hasLo && !hasHi {
		return ""
	}
	var size float64
	what := ""
	switch x := v.(type) {
	case float64:
		size = x
	case string:
		size, what = float64(len([]rune(x))), " characters"
	case []any:
		size, what = float64(len(x)), " items"
	default:
		return ""
	}
	if hasLo && size < lo {
		if message != "" {
			return message
		}
		return fmt.Sprintf("must be at least %s%s", strconv.FormatFloat(lo, 'f', -1, 64), what)
	}
	if hasHi && size > hi {
		if message != "" {
			return message
		}
		return fmt.Sprintf("must be at most %s%s", strconv.FormatFloat(hi, 'f', -1, 64), what)
	}
	return ""
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}
