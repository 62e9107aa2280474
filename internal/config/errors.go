package config

import (
	"strings"
)

// ConfigError is one problem with one config key. Key is the full Pulumi key path, e.g.
// "platform:network.cidr", so that the user knows exactly what to change.
type ConfigError struct {
	Key string
	Msg string
	// Set is the command that fixes it, for a missing secret.
	Set string
}

func (e ConfigError) Error() string { return e.Key + " " + e.Msg }

// Errors is every problem found in one stack's config. The program reports them all at once:
// fixing config one `pulumi preview` at a time is slow.
type Errors []ConfigError

func (es Errors) Error() string {
	var lines, fixes []string
	if len(es) == 1 {
		lines = append(lines, "invalid stack config: "+es[0].Error())
	} else {
		lines = append(lines, "invalid stack config:")
		for _, e := range es {
			lines = append(lines, "  - "+e.Error())
		}
	}
	for _, e := range es {
		if e.Set != "" {
			fixes = append(fixes, "  "+e.Set)
		}
	}
	if len(fixes) > 0 {
		lines = append(append(lines, "set the missing secrets, then run again:"), fixes...)
	}
	return strings.Join(lines, "\n")
}

func (es *Errors) addSecret(s Secret, msg string) {
	*es = append(*es, ConfigError{Key: s.Key, Msg: msg, Set: s.Set})
}

// has says whether key already has an error: a rule that builds on it stays quiet rather
// than report the same mistake twice.
func (es Errors) has(key string) bool {
	for _, e := range es {
		if e.Key == key {
			return true
		}
	}
	return false
}

func (es *Errors) add(key, msg string) { *es = append(*es, ConfigError{Key: key, Msg: msg}) }

func (es Errors) orNil() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// hasUnder: an error on key or inside it (key.x, key[0]).
func (es Errors) hasUnder(key string) bool {
	for _, e := range es {
		if e.Key == key || strings.HasPrefix(e.Key, key+".") || strings.HasPrefix(e.Key, key+"[") {
			return true
		}
	}
	return false
}
