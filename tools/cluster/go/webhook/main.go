// The azure-workload-identity webhook's admission handler at the chart's version, served the way its cmd/webhook
// serves it (controller-runtime's manager and webhook server, the handler at /mutate-v1-pod, certificates from a
// directory, cert rotation off), with one difference: it listens on the address the test chooses. cmd/webhook has
// no flag for that: controller-runtime's webhook server takes DefaultPort (9443) on every interface
// (sigs.k8s.io/controller-runtime v0.19.7 pkg/webhook/server.go), and the tests bind to 127.0.0.1 on a free port.
// What decides the mutation — pkg/webhook.NewPodMutator and the environment it reads through pkg/config
// (AZURE_TENANT_ID, AZURE_ENVIRONMENT) — is the upstream code, unchanged.
package main

import (
	"flag"
	"fmt"
	"os"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/Azure/azure-workload-identity/pkg/version"
	wh "github.com/Azure/azure-workload-identity/pkg/webhook"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "webhook: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	host := flag.String("host", "127.0.0.1", "address the webhook server listens on")
	port := flag.Int("port", 0, "port the webhook server listens on (required)")
	certDir := flag.String("webhook-cert-dir", "", "directory holding tls.crt and tls.key (required)")
	audience := flag.String("audience", "", "audience of the projected token; empty means the webhook's default")
	flag.Parse()
	if *port <= 0 || *certDir == "" {
		return fmt.Errorf("--port and --webhook-cert-dir are required")
	}

	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	config, err := ctrl.GetConfig() // --kubeconfig or KUBECONFIG
	if err != nil {
		return err
	}
	config.UserAgent = version.GetUserAgent("webhook")
	mgr, err := ctrl.NewManager(config, ctrl.Options{
		Scheme:                 scheme,
		HealthProbeBindAddress: "0",
		Metrics:                metricsserver.Options{BindAddress: "0"},
		WebhookServer:          webhook.NewServer(webhook.Options{Host: *host, Port: *port, CertDir: *certDir}),
		MapperProvider:         apiutil.NewDynamicRESTMapper,
	})
	if err != nil {
		return err
	}
	mutator, err := wh.NewPodMutator(mgr.GetClient(), mgr.GetAPIReader(), *audience, mgr.GetScheme(), mgr.GetConfig(), "", "")
	if err != nil {
		return err
	}
	mgr.GetWebhookServer().Register("/mutate-v1-pod", &webhook.Admission{Handler: mutator})
	return mgr.Start(ctrl.SetupSignalHandler())
}
