// Package mlog is the surface of monis.app/mlog that github.com/Azure/azure-workload-identity v1.6.0's webhook
// calls (cmd/webhook/main.go, pkg/webhook/webhook.go), on logr's funcr: one JSON object per line on stderr.
package mlog

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
)

// LogLevel is a verbosity: "" (errors, warnings and info), info, debug, trace or all.
type LogLevel string

const (
	LevelWarning LogLevel = "warning"
	LevelInfo    LogLevel = "info"
	LevelDebug   LogLevel = "debug"
	LevelTrace   LogLevel = "trace"
	LevelAll     LogLevel = "all"
)

// LogFormat is how lines are written; both are JSON here.
type LogFormat string

const (
	FormatJSON LogFormat = "json"
	FormatCLI  LogFormat = "cli"
)

// LogSpec is the global configuration.
type LogSpec struct {
	Level  LogLevel
	Format LogFormat
}

// rank orders the levels as the real library does: unset writes errors and warnings only.
var rank = map[LogLevel]int64{"": 0, LevelWarning: 0, LevelInfo: 1, LevelDebug: 2, LevelTrace: 3, LevelAll: 4}

var current atomic.Int64

func root() logr.Logger {
	return funcr.NewJSON(func(obj string) { fmt.Fprintln(os.Stderr, obj) }, funcr.Options{})
}

// ValidateAndSetLogLevelAndFormatGlobally sets the verbosity, refusing a level the real library refuses.
func ValidateAndSetLogLevelAndFormatGlobally(_ context.Context, spec LogSpec) error {
	v, ok := rank[spec.Level]
	if !ok {
		return fmt.Errorf("invalid log level %q", spec.Level)
	}
	current.Store(v)
	return nil
}

// Enabled says whether messages at level are written.
func Enabled(level LogLevel) bool { return level != "" && rank[level] <= current.Load() }

// Setup returns the function that flushes the logs; lines are written unbuffered.
func Setup() func() { return func() {} }

// Logr is the logger controller-runtime is given.
func Logr() logr.Logger { return root() }

// Logger logs with a name and key/value pairs.
type Logger interface {
	Error(msg string, err error, keysAndValues ...any)
	Warning(msg string, keysAndValues ...any)
	Info(msg string, keysAndValues ...any)
	Debug(msg string, keysAndValues ...any)
	WithValues(keysAndValues ...any) Logger
	WithName(name string) Logger
}

type logger struct {
	names  []string
	values []any
}

// New is a logger with neither name nor values.
func New() Logger { return logger{} }

func (l logger) get() logr.Logger {
	r := root()
	for _, n := range l.names {
		r = r.WithName(n)
	}
	return r.WithValues(l.values...)
}

func (l logger) Error(msg string, err error, kv ...any) { l.get().Error(err, msg, kv...) }
func (l logger) Warning(msg string, kv ...any) {
	l.get().Info(msg, append([]any{"warning", true}, kv...)...)
}
func (l logger) Info(msg string, kv ...any) {
	if Enabled(LevelInfo) {
		l.get().Info(msg, kv...)
	}
}
func (l logger) Debug(msg string, kv ...any) {
	if Enabled(LevelDebug) {
		l.get().Info(msg, append([]any{"level", "debug"}, kv...)...)
	}
}
func (l logger) WithValues(kv ...any) Logger {
	return logger{names: l.names, values: append(append([]any{}, l.values...), kv...)}
}
func (l logger) WithName(name string) Logger {
	return logger{names: append(append([]string{}, l.names...), name), values: l.values}
}

// Error, Warning, Info and Debug log without a name.
func Error(msg string, err error, kv ...any) { New().Error(msg, err, kv...) }
func Warning(msg string, kv ...any)          { New().Warning(msg, kv...) }
func Info(msg string, kv ...any)             { New().Info(msg, kv...) }
func Debug(msg string, kv ...any)            { New().Debug(msg, kv...) }

// Fatal logs err and exits 1.
func Fatal(err error, kv ...any) {
	New().Error("fatal error", err, kv...)
	os.Exit(1)
}
