//go:build tools

// The Pulumi CLI, built from pkg/v3 at the version go.mod pins (tools/engine/build.ts builds cmd/pulumi).
package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
