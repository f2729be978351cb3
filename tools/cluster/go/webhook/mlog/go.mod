// Stands in for monis.app/mlog, the webhook's logging library, which the Go module proxy does not serve (403 for
// every version: go list -m -versions monis.app/mlog). Only the functions the webhook's packages call, writing
// logr's JSON lines to stderr; nothing here touches admission or mutation.
module monis.app/mlog

go 1.26.0

require github.com/go-logr/logr v1.4.3
