package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/confmap"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/v2"
	yamlv3 "go.yaml.in/yaml/v3"
)

// EnvPrefix starts every environment variable Bifrost reads.
const EnvPrefix = "BIFROST_"

// EnvConfigFile names the config file when --config is not given.
const EnvConfigFile = "BIFROST_CONFIG"

// Sources says where configuration comes from, lowest precedence first after
// the defaults: a file, the environment, then flags.
type Sources struct {
	// File is a YAML file shaped like config.example.yaml. Empty means none,
	// unless BIFROST_CONFIG names one.
	File string
	// Environ is the process environment as "KEY=value" pairs; nil means
	// os.Environ().
	Environ []string
	// Flags maps config keys ("http.addr") to values given on the command line.
	Flags map[string]string
}

// Loaded is a validated configuration and what was noticed while loading it.
type Loaded struct {
	Config Config
	// File is the config file that was read, if any.
	File string
	// Warnings are problems that did not stop loading, such as an unknown
	// BIFROST_* variable.
	Warnings []string
}

// Load builds the configuration from defaults < file < environment < flags
// and validates it. Errors name the key at fault.
func Load(src Sources) (Loaded, error) {
	environ := src.Environ
	if environ == nil {
		environ = os.Environ()
	}
	var out Loaded

	defaults, err := defaultsKoanf()
	if err != nil {
		return out, err
	}
	known := map[string]bool{}
	for _, k := range defaults.Keys() {
		known[k] = true
	}
	k := defaults.Copy()

	path := src.File
	if path == "" {
		path = lookupEnv(environ, EnvConfigFile)
	}
	if path != "" {
		fk := koanf.New(".")
		if err := fk.Load(file.Provider(path), yaml.Parser()); err != nil {
			return out, fmt.Errorf("config file %s: %w", path, err)
		}
		var unknown []string
		for _, key := range fk.Keys() {
			if !known[key] {
				unknown = append(unknown, key)
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			return out, fmt.Errorf("config file %s: unknown key %s (see config.example.yaml)", path, strings.Join(quoteAll(unknown), ", "))
		}
		if err := k.Merge(fk); err != nil {
			return out, fmt.Errorf("config file %s: %w", path, err)
		}
		out.File = path
	}

	envKeys := EnvNames(defaults.Keys())
	overrides := map[string]any{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix) || name == EnvConfigFile {
			continue
		}
		if value == "" {
			// Compose passes unset variables as empty strings: treat
			// them as unset so they do not wipe out a default.
			continue
		}
		key, ok := envKeys[name]
		if !ok {
			out.Warnings = append(out.Warnings, fmt.Sprintf("unknown environment variable %s ignored", name))
			continue
		}
		overrides[key] = envValue(defaults.Get(key), value)
	}
	for key, value := range src.Flags {
		if !known[key] {
			return out, fmt.Errorf("unknown config key %q", key)
		}
		overrides[key] = envValue(defaults.Get(key), value)
	}
	if len(overrides) > 0 {
		if err := k.Load(confmap.Provider(overrides, "."), nil); err != nil {
			return out, fmt.Errorf("config overrides: %w", err)
		}
	}

	var cfg Config
	if err := unmarshal(k, &cfg); err != nil {
		return out, err
	}
	if err := cfg.Validate(); err != nil {
		return out, err
	}
	out.Config = cfg
	sort.Strings(out.Warnings)
	return out, nil
}

// EnvNames maps each BIFROST_* variable name to the config key it sets:
// "http.addr" is BIFROST_HTTP_ADDR.
func EnvNames(keys []string) map[string]string {
	m := make(map[string]string, len(keys))
	for _, k := range keys {
		m[EnvPrefix+strings.ToUpper(strings.ReplaceAll(k, ".", "_"))] = k
	}
	return m
}

// Keys returns every configuration key, sorted.
func Keys() []string {
	k, err := defaultsKoanf()
	if err != nil {
		return nil
	}
	keys := k.Keys()
	sort.Strings(keys)
	return keys
}

func defaultsKoanf() (*koanf.Koanf, error) {
	b, err := yamlv3.Marshal(Default())
	if err != nil {
		return nil, fmt.Errorf("config: marshal defaults: %w", err)
	}
	k := koanf.New(".")
	if err := k.Load(rawBytes(b), yaml.Parser()); err != nil {
		return nil, fmt.Errorf("config: load defaults: %w", err)
	}
	return k, nil
}

// envValue turns a string from the environment or a flag into the shape of
// the default: lists are comma-separated.
func envValue(def any, v string) any {
	if _, isList := def.([]any); isList {
		parts := []string{}
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				parts = append(parts, p)
			}
		}
		return parts
	}
	return v
}

var decodeKeyRe = regexp.MustCompile(`'([a-z0-9_.\[\]]+)'`)

func unmarshal(k *koanf.Koanf, cfg *Config) error {
	dc := &mapstructure.DecoderConfig{
		DecodeHook: mapstructure.ComposeDecodeHookFunc(
			numberSecondsHook,
			mapstructure.TextUnmarshallerHookFunc(),
			mapstructure.StringToSliceHookFunc(","),
		),
		WeaklyTypedInput: true,
		Result:           cfg,
		TagName:          "koanf",
	}
	d, err := mapstructure.NewDecoder(dc)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := d.Decode(k.Raw()); err != nil {
		return decodeError(err)
	}
	return nil
}

// numberSecondsHook reads a bare number given for a Duration as seconds, so
// "shutdown_timeout: 30" means 30 s and not 30 ns.
func numberSecondsHook(from, to reflect.Type, data any) (any, error) {
	if to != reflect.TypeOf(Duration(0)) {
		return data, nil
	}
	switch v := data.(type) {
	case int:
		return Duration(time.Duration(v) * time.Second), nil
	case int64:
		return Duration(time.Duration(v) * time.Second), nil
	case uint64:
		return Duration(time.Duration(v) * time.Second), nil
	case float64:
		return Duration(time.Duration(v * float64(time.Second))), nil
	}
	return data, nil
}

// decodeError rewrites mapstructure's messages into "key: problem" lines.
func decodeError(err error) error {
	var lines []string
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "*"))
		if line == "" || strings.HasPrefix(line, "decoding failed") || strings.Contains(line, "error(s) decoding") {
			continue
		}
		if m := decodeKeyRe.FindStringSubmatchIndex(line); m != nil {
			key := line[m[2]:m[3]]
			rest := strings.TrimSpace(line[m[1]:])
			rest = strings.TrimPrefix(rest, ":")
			if i := strings.LastIndex(rest, "error decoding"); i >= 0 {
				rest = rest[i:]
			}
			line = key + ": " + strings.TrimSpace(rest)
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return fmt.Errorf("config: %w", err)
	}
	return errors.New(strings.Join(lines, "\n"))
}

func lookupEnv(environ []string, name string) string {
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v
		}
	}
	return ""
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

type rawBytes []byte

func (b rawBytes) ReadBytes() ([]byte, error) { return b, nil }
func (b rawBytes) Read() (map[string]any, error) {
	return nil, errors.New("config: raw bytes provider does not support Read")
}

// fieldByKey is used by tests to check every key maps to a struct field.
func fieldByKey(cfg any, key string) (reflect.Value, bool) {
	v := reflect.ValueOf(cfg)
	for _, part := range strings.Split(key, ".") {
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, false
		}
		found := false
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).Tag.Get("koanf") == part {
				v = v.Field(i)
				found = true
				break
			}
		}
		if !found {
			return reflect.Value{}, false
		}
	}
	return v, true
}
