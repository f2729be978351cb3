//go:build tools

// The Node.js language host as sdk/v3 v3.68.0 still ships it (the last sdk/v3 zip that does; tools/engine/build.ts).
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
