//go:build tools

// Pulumi YAML's language host at the version go.mod pins (tools/engine/build.ts), on its own module's dependencies:
// it runs a YAML program that uses entra-wif's package (examples/yaml, test/engine/package.test.ts).
package tools

import _ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
