package workflows

import (
	"encoding/json"
	"fmt"
)

// Registry is what discovery found in the workspace.
type Registry struct {
	Workflows     []Definition `json:"workflows"`
	DataProviders []Definition `json:"data_providers"`
	Files         []File       `json:"files"`
	Errors        []LoadError  `json:"errors"`
	DurationMs    float64      `json:"duration_ms"`
}

// Definition is a workflow or data provider as its decorators declared it.
type Definition struct {
	Kind          string          `json:"kind" enum:"workflow,data_provider"`
	Name          string          `json:"name"`
	Description   string          `json:"description"`
	Category      string          `json:"category"`
	Tags          []string        `json:"tags"`
	Parameters    []Parameter     `json:"parameters"`
	Schema        json.RawMessage `json:"schema" doc:"JSON Schema of the inputs."`
	AcceptsExtra  bool            `json:"accepts_extra" doc:"The function takes **kwargs: inputs beyond the parameters reach it too."`
	ContextParam  *string         `json:"context_param" doc:"The parameter that receives the execution context, if any."`
	IsAsync       bool            `json:"is_async"`
	Function      string          `json:"function"`
	Module        string          `json:"module"`
	File          string          `json:"file" doc:"Source file, relative to the workspace."`
	Line          int             `json:"line"`
	Warnings      []string        `json:"warnings"`
	ExecutionMode string          `json:"execution_mode,omitempty" enum:"sync,async"`
	TimeoutSecs   int             `json:"timeout_seconds,omitempty"`
	RetryPolicy   *RetryPolicy    `json:"retry_policy,omitempty"`
	Schedule      *string         `json:"schedule,omitempty"`
	Endpoint      bool            `json:"endpoint_enabled"`
	Methods       []string        `json:"allowed_methods,omitempty"`
	NoGlobalKey   bool            `json:"disable_global_key"`
	Public        bool            `json:"public_endpoint"`
	CacheTTLSecs  *int            `json:"cache_ttl_seconds,omitempty"`
}

// Parameter is one input of a workflow or data provider.
type Parameter struct {
	Name         string         `json:"name"`
	Type         string         `json:"type" enum:"string,int,float,bool,json,list,email"`
	Label        string         `json:"label"`
	Required     bool           `json:"required"`
	Validation   map[string]any `json:"validation,omitempty" doc:"pattern, min, max and message, when the parameter has rules."`
	DataProvider *string        `json:"data_provider"`
	DefaultValue any            `json:"default_value"`
	HelpText     *string        `json:"help_text"`
	Options      []any          `json:"options,omitempty"`
}

// RetryPolicy is how a failed execution is retried.
type RetryPolicy struct {
	MaxAttempts       int     `json:"max_attempts"`
	BackoffSeconds    float64 `json:"backoff_seconds"`
	MaxBackoffSeconds float64 `json:"max_backoff_seconds"`
}

// File is one workspace file and how its import went.
type File struct {
	Path          string     `json:"path"`
	Status        string     `json:"status" enum:"ok,error"`
	Workflows     int        `json:"workflows"`
	DataProviders int        `json:"data_providers"`
	Warnings      []string   `json:"warnings"`
	Error         *LoadError `json:"error,omitempty"`
}

// LoadError is why a file (or one definition in it) did not load.
type LoadError struct {
	File      string `json:"file"`
	Location  string `json:"location" doc:"The file the error is in (an imported module may fail)."`
	Line      int    `json:"line"`
	Type      string `json:"type" doc:"SyntaxError, ImportError, DefinitionError, DuplicateName, …"`
	Message   string `json:"message"`
	Traceback string `json:"traceback,omitempty"`
}

func decodeRegistry(b []byte) (*Registry, error) {
	reg := new(Registry)
	if err := json.Unmarshal(b, reg); err != nil {
		return nil, fmt.Errorf("workflows: read the registry: %w", err)
	}
	reg.normalize()
	return reg, nil
}

// normalize gives every list a value, as the API document promises.
func (r *Registry) normalize() {
	for _, list := range [][]Definition{r.Workflows, r.DataProviders} {
		for i := range list {
			list[i].normalize()
		}
	}
	if r.Workflows == nil {
		r.Workflows = []Definition{}
	}
	if r.DataProviders == nil {
		r.DataProviders = []Definition{}
	}
	if r.Errors == nil {
		r.Errors = []LoadError{}
	}
}

func (d *Definition) normalize() {
	if d.Tags == nil {
		d.Tags = []string{}
	}
	if d.Warnings == nil {
		d.Warnings = []string{}
	}
	if d.Parameters == nil {
		d.Parameters = []Parameter{}
	}
	if len(d.Schema) == 0 {
		d.Schema = json.RawMessage(`{"type":"object","properties":{}}`)
	}
}

// find returns a definition by kind and name.
func (r *Registry) find(kind, name string) *Definition {
	list := r.Workflows
	if kind == KindDataProvider {
		list = r.DataProviders
	}
	for i := range list {
		if list[i].Name == name {
			return &list[i]
		}
	}
	return nil
}

// The kinds of definitions.
const (
	KindWorkflow     = "workflow"
	KindDataProvider = "data_provider"
)
